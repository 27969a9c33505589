import logging
import os
import signal
import subprocess
import sys
import threading

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.triggers.date import DateTrigger

from app import create_app
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.scheduler import Job, apscheduler_jobs, make_scheduler
from app.timeutil import now_local

REGISTERED = [
    "activity-reminders", "agreement-renewal-reminders", "follow-up-check-ins", "import-files-cleanup",
    "outbox-delivery", "privacy-retention",
]


def stored_job_ids():
    return sorted(db.session.scalars(sa.select(apscheduler_jobs.c.id)))


def start_and_stop(app):
    scheduler = make_scheduler(app)
    scheduler.start(paused=True)
    jobs = scheduler.get_jobs()
    scheduler.shutdown(wait=False)
    return jobs


def test_jobs_list_shows_each_job_with_its_schedule_and_next_run(app, runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    assert "follow-up-check-ins\tcron[hour='7']\tnext run: not scheduled" in result.output
    assert "outbox-delivery\tinterval[0:00:30]" in result.output
    start_and_stop(app)
    assert "not scheduled" not in runner.invoke(args=["jobs", "list"]).output


def test_a_restart_replaces_the_jobs_instead_of_adding_copies_and_forgets_removed_ones(app):
    db.session.execute(apscheduler_jobs.insert().values(id="a-removed-job", job_state=b"x"))
    db.session.commit()
    for _ in range(2):  # start, stop, start again: as after a restart
        assert sorted(job.id for job in start_and_stop(app)) == REGISTERED
    assert stored_job_ids() == REGISTERED


def queue_note(recipient):
    db.session.add(OutboxMessage(recipient=recipient, subject="s", body="b"))


def boom():
    queue_note("rolled-back@example.org")
    raise RuntimeError("the job broke")


def fine():
    queue_note("committed@example.org")
    return "done"


def test_jobs_run_runs_one_job_and_fails_on_unknown_or_failing_ones(app, runner, monkeypatch, caplog):
    monkeypatch.setitem(app.extensions["jobs"], "boom", Job("boom", boom, None))
    monkeypatch.setitem(app.extensions["jobs"], "fine", Job("fine", fine, None))
    assert runner.invoke(args=["jobs", "run", "no-such-job"]).exit_code != 0
    failed = runner.invoke(args=["jobs", "run", "boom"])
    assert failed.exit_code == 1 and "boom failed" in failed.output
    assert "RuntimeError: the job broke" in caplog.text  # the traceback is logged
    assert runner.invoke(args=["jobs", "run", "fine"]).exit_code == 0
    assert list(db.session.scalars(sa.select(OutboxMessage.recipient))) == ["committed@example.org"]


def test_a_failing_job_is_logged_rolled_back_and_does_not_stop_the_next(app, monkeypatch, caplog):
    """Both jobs due now, run by a real scheduler in its worker threads."""
    right_now = lambda config: DateTrigger(now_local())  # noqa: E731
    monkeypatch.setitem(app.extensions, "jobs", {"boom": Job("boom", boom, right_now), "fine": Job("fine", fine, right_now)})
    done = threading.Semaphore(0)
    scheduler = make_scheduler(app)
    scheduler.add_listener(lambda event: done.release(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    with caplog.at_level(logging.INFO, logger="app.scheduler"):
        scheduler.start()
        assert done.acquire(timeout=10) and done.acquire(timeout=10)
        scheduler.shutdown()
    assert "job boom failed" in caplog.text and "RuntimeError: the job broke" in caplog.text
    assert "job fine: done" in caplog.text
    db.session.rollback()  # a fresh view of what the jobs committed
    assert list(db.session.scalars(sa.select(OutboxMessage.recipient))) == ["committed@example.org"]


def test_scheduler_enabled_runs_it_inside_the_development_server(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SCHEDULER_ENABLED": True})
    scheduler = app.extensions["scheduler"]
    assert scheduler.running
    scheduler.shutdown()
    with app.app_context():
        db.session.execute(apscheduler_jobs.delete())
        db.session.commit()
        db.engine.dispose()


def test_flask_scheduler_run_is_its_own_process_and_stops_cleanly_on_sigterm(app, database_url):
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", "run"],
        env={**os.environ, "FLASK_APP": "app", "APP_CONFIG": "testing", "TEST_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith(f"Scheduler running {len(REGISTERED)} jobs")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "Scheduler stopped." in process.stdout.read()
    finally:
        process.kill()
        process.stdout.close()
    assert stored_job_ids() == REGISTERED
