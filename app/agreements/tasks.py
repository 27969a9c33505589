"""The agreements' scheduled job: renewal reminders 60 days before an agreement runs out."""
from apscheduler.triggers.cron import CronTrigger

from app.agreements.services import send_renewal_reminders
from app.scheduler import Job
from app.timeutil import LOCAL_ZONE, today_local


def remind_renewals():
    """Queue the renewal reminders due today; a second run the same day sends none."""
    return f"{send_renewal_reminders(today_local())} agreements reminded"


JOBS = [
    Job(
        "agreement-renewal-reminders",
        remind_renewals,
        lambda config: CronTrigger(hour=config["CHECK_IN_HOUR"], minute=15, timezone=LOCAL_ZONE),
    ),
]
