"""The people registry's scheduled job: forget import files nobody confirmed."""
from apscheduler.triggers.interval import IntervalTrigger

from app.people.uploads import remove_old
from app.scheduler import Job


def remove_old_uploads():
    """Delete unconfirmed import files older than a day; say something only when there were some."""
    removed = remove_old()
    return f"{removed} unconfirmed import files deleted" if removed else None


JOBS = [
    Job("import-files-cleanup", remove_old_uploads, lambda config: IntervalTrigger(hours=1)),
]
