"""The outbox's scheduled job: deliver the e-mails that are due."""
from apscheduler.triggers.interval import IntervalTrigger

from app.outbox.services import deliver_due
from app.scheduler import Job


def deliver_mail():
    """Send the due messages; each is committed on its own."""
    sent, failed = deliver_due()
    return f"{sent} e-mails sent, {failed} attempts failed"


JOBS = [
    Job(
        "outbox-delivery",
        deliver_mail,
        lambda config: IntervalTrigger(seconds=config["OUTBOX_INTERVAL_SECONDS"]),
    ),
]
