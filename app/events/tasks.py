"""The activities' scheduled job: reminders a day ahead and "we missed you" afterwards."""
from apscheduler.triggers.interval import IntervalTrigger

from app.events.notices import send_missed_you, send_reminders
from app.scheduler import Job
from app.timeutil import now_utc


def tell_participants():
    """Queue the reminders and "we missed you" e-mails that are due; each goes once."""
    now = now_utc()
    reminded, missed = send_reminders(now), send_missed_you(now)
    if reminded or missed:
        return f"{reminded} reminders and {missed} 'we missed you' e-mails queued"
    return None


JOBS = [
    Job("activity-reminders", tell_participants, lambda config: IntervalTrigger(minutes=15)),
]
