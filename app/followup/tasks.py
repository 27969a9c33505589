"""The follow-up's scheduled job: create and send the check-ins due today."""
from apscheduler.triggers.cron import CronTrigger

from app.followup.services import create_due_check_ins
from app.scheduler import Job
from app.timeutil import LOCAL_ZONE, today_local


def create_check_ins():
    """Create the check-ins due today; running it twice a day duplicates nothing."""
    return f"{create_due_check_ins(today_local())} check-ins created"


JOBS = [
    Job(
        "follow-up-check-ins",
        create_check_ins,
        lambda config: CronTrigger(hour=config["CHECK_IN_HOUR"], timezone=LOCAL_ZONE),
    ),
]
