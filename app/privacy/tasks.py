"""The retention job: anonymise people the programme no longer needs to know.

Due (and not erased yet): people who left the programme or were archived
more than RETENTION_MONTHS ago and whose last match (if any) ended before
then too, and applicants never approved within APPLICANT_RETENTION_MONTHS
of applying. A person waiting, available or paused is still in the programme
and kept, however old their last friendship. Erased people are never due
again, so a second run changes nothing.
"""
import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from app.extensions import db
from app.matches.queries import people_in_matches_since
from app.people.models import Person, RefugeeStatus, VolunteerStatus
from app.privacy.services import erase_person
from app.scheduler import Job
from app.timeutil import LOCAL_ZONE, add_months, start_of_day, today_local

#: What the log says as the reason for a retention erasure.
RETENTION_REASON = "retention period passed"


def due_for_retention(config, today):
    """A select of the people the retention rules say to anonymise on `today`, oldest record first."""
    cutoff = start_of_day(add_months(today, -config["RETENTION_MONTHS"]))
    applicant_cutoff = start_of_day(add_months(today, -config["APPLICANT_RETENTION_MONTHS"]))
    gone = sa.and_(
        sa.or_(
            sa.and_(Person.status == RefugeeStatus.LEFT, Person.status_changed_at < cutoff),  # volunteers' too
            Person.archived_at < cutoff,
        ),
        Person.id.not_in(people_in_matches_since(cutoff)),
    )
    never_approved = sa.and_(Person.status == VolunteerStatus.APPLICANT, Person.created_at < applicant_cutoff)
    return (
        sa.select(Person).where(Person.erased_at.is_(None), sa.or_(gone, never_approved)).order_by(Person.id)
    )


def count_due(config, today):
    """How many people `apply_retention` would anonymise on `today` (the CLI's dry run)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(due_for_retention(config, today).subquery()))


def apply_retention(config, today):
    """Anonymise everyone due on `today`; return how many."""
    people = db.session.scalars(due_for_retention(config, today)).all()
    for person in people:
        erase_person(person, None, RETENTION_REASON)
    return len(people)


def run_retention():
    """Anonymise those due today; say something only when there were some."""
    erased = apply_retention(current_app.config, today_local())
    return f"{erased} people anonymised after the retention period" if erased else None


JOBS = [
    Job("privacy-retention", run_retention, lambda config: CronTrigger(hour=3, timezone=LOCAL_ZONE)),
]
