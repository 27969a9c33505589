"""The outbox's scheduled job: deliver the e-mails that are due."""
from apscheduler.triggers.interval import IntervalTrigger

from app.outbox.services import deliver_due
from app.scheduler import Job


def deliver_mail():
    """Send the due messages, each committed on its own; say something only when there were some."""
    sent, failed = deliver_due()
    if sent or failed:
        return f"{sent} e-mails sent, {failed} attempts failed"
    return None


JOBS = [
    Job(
        "outbox-delivery",
        deliver_mail,
        lambda config: IntervalTrigger(seconds=config["OUTBOX_INTERVAL_SECONDS"]),
    ),
]
