"""One APScheduler for every feature's jobs, its schedule kept in the database.

Each feature declares its jobs in its own ``tasks.py`` as a list ``JOBS`` of
`Job`; `JOB_MODULES` names those modules, and a new feature adds its own.
In production the scheduler runs as exactly one process of its own,
``flask scheduler run``; ``SCHEDULER_ENABLED`` starts it inside the
development server instead, for convenience.

What the job store keeps is only ``run_job(name)`` under the fixed id
``name``, added with replace_existing: a restart replaces each job instead of
adding a copy, and moving a job's code never breaks a stored job. The
scheduler's worker threads start inside the application's context, and
`run_job` opens a fresh one for every run, so no module holds the app.
"""
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

import click
import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.timeutil import LOCAL_ZONE

#: The modules whose JOBS the scheduler runs; each feature adds its tasks module here.
JOB_MODULES = (
    "app.followup.tasks", "app.outbox.tasks", "app.events.tasks", "app.agreements.tasks", "app.people.tasks",
    "app.privacy.tasks",
)

log = logging.getLogger(__name__)

#: APScheduler's job table, declared here so that Alembic, not APScheduler, creates it.
apscheduler_jobs = sa.Table(
    "apscheduler_jobs",
    db.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class Job:
    """A recurring job a feature declares in its tasks.py."""

    #: Fixed id in the job store and the name `flask jobs run` takes.
    name: str
    #: Called inside an app context; returns a line for the log, or None when there is
    #: nothing to tell. `run_job` commits after it.
    function: Callable[[], str | None]
    #: Builds the APScheduler trigger from the app's configuration.
    trigger: Callable[[dict], BaseTrigger]


def init_app(app):
    """Collect the registered jobs; start the in-process scheduler if SCHEDULER_ENABLED."""
    app.extensions["jobs"] = {
        job.name: job for module in JOB_MODULES for job in import_module(module).JOBS
    }
    if not app.config["SCHEDULER_ENABLED"]:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return  # the reloader's watcher process; the serving child starts it
    with app.app_context():
        scheduler = make_scheduler(app)
        scheduler.start()
    app.extensions["scheduler"] = scheduler


def run_job(name):
    """Run one registered job in its own app context and transaction; return whether it worked.

    A failing job is logged with its traceback and rolled back; the scheduler
    goes on with the others.
    """
    with current_app.app_context():
        job = current_app.extensions["jobs"].get(name)
        if job is None:
            log.error("job %s: no such job is registered", name)
            return False
        try:
            outcome = job.function()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", name)
            return False
        if outcome:
            log.info("job %s: %s", name, outcome)
        return True


def make_scheduler(app):
    """A background scheduler with every registered job, in the app's database.

    Jobs no feature declares any more are dropped from the store, so a
    renamed or removed job does not keep running.
    """
    names = list(app.extensions["jobs"])
    db.session.execute(apscheduler_jobs.delete().where(apscheduler_jobs.c.id.not_in(names)))
    db.session.commit()
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=apscheduler_jobs.name)},
        # Each worker thread lives inside an app context, from which run_job opens its own.
        executors={"default": ThreadPoolExecutor(4, pool_kwargs={"initializer": lambda: app.app_context().push()})},
        timezone=LOCAL_ZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600},
    )
    for job in app.extensions["jobs"].values():
        scheduler.add_job(
            run_job, job.trigger(app.config), args=(job.name,), id=job.name, name=job.name,
            replace_existing=True,
        )
    return scheduler


scheduler_cli = AppGroup("scheduler", help="The process that runs every scheduled job.")


@scheduler_cli.command("run")
def run_scheduler_command():
    """Run the scheduler until Ctrl-C or SIGTERM; start exactly one in production.

    The signal handlers only note the request to stop, so a stop never
    interrupts a job or a database call halfway; running jobs finish before
    the process exits.
    """
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler = make_scheduler(current_app._get_current_object())
    scheduler.start()
    click.echo(f"Scheduler running {len(current_app.extensions['jobs'])} jobs; Ctrl-C stops it.")
    stopping.wait()
    scheduler.shutdown()
    click.echo("Scheduler stopped.")


jobs_cli = AppGroup("jobs", help="The scheduled jobs: list them, or run one by hand.")


@jobs_cli.command("list")
def list_jobs_command():
    """List the registered jobs, their schedule and, once scheduled, the next run."""
    next_runs = dict(db.session.execute(sa.select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)).all())
    for job in current_app.extensions["jobs"].values():
        timestamp = next_runs.get(job.name)
        next_run = datetime.fromtimestamp(timestamp, LOCAL_ZONE).isoformat() if timestamp else "not scheduled"
        click.echo(f"{job.name}\t{job.trigger(current_app.config)}\tnext run: {next_run}")


@jobs_cli.command("run")
@click.argument("name")
def run_job_command(name):
    """Run the job NAME now (a cron alternative); fail on an unknown or failing job."""
    if name not in current_app.extensions["jobs"]:
        raise click.UsageError(
            f"No job named {name!r}; known: {', '.join(current_app.extensions['jobs'])}."
        )
    if not run_job(name):
        raise click.ClickException(f"Job {name} failed; the log has the traceback.")
    click.echo(f"Job {name} done.")
