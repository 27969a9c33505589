"""APScheduler, with its job kept in the database so a restart loses and duplicates nothing.

One daily job creates the check-ins that are due. The job has a fixed id and
is added with replace_existing, so restarting the app replaces it instead of
adding a copy; the check-ins themselves are unique per match, side and date.
"""
import logging
import os

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from app.timeutil import today_local

JOB_ID = "follow-up-check-ins"
log = logging.getLogger(__name__)
_app = None


def run_daily():
    """The scheduled job: create and send the check-ins due today."""
    from app.extensions import db
    from app.followup.services import create_due_check_ins

    with _app.app_context():
        created = create_due_check_ins(today_local())
        db.session.commit()
        log.info("follow-up: %d check-ins created", created)


def make_scheduler(app):
    """A scheduler whose jobs live in the app's database (table apscheduler_jobs)."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])},
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        job_defaults={"coalesce": True, "misfire_grace_time": 24 * 3600},
    )


def schedule(scheduler, hour):
    """Add (or replace) the daily job."""
    scheduler.add_job(
        "app.followup.scheduler:run_daily", trigger="cron", hour=hour, id=JOB_ID, replace_existing=True
    )


def init_app(app):
    """Start the scheduler in the serving process when SCHEDULER_ENABLED is set."""
    global _app
    _app = app
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None  # the reloader's watcher process; the serving child starts it
    scheduler = make_scheduler(app)
    schedule(scheduler, app.config["CHECK_IN_HOUR"])
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    return scheduler
