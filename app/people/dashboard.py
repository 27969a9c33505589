"""What needs a manager's attention today, for their home page."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.people.models import Refugee, Volunteer, VolunteerStatus
from app.people.queries import (
    PeopleFilter,
    people_query,
    status_counts,
    waiting_list,
)

#: How many people each box on the home page lists before "see all".
SHOWN = 5


@dataclass
class Overview:
    applicants: int
    longest_waiting: list
    waiting: int
    expiring_certificates: list
    expiring_count: int
    refugee_counts: dict
    volunteer_counts: dict


def _count(query):
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def manager_overview(user, today, certificate_warning_days):
    """Gather new applicants, the longest waiting, expiring certificates and counts."""
    applicants = people_query(Volunteer, user, PeopleFilter(status=VolunteerStatus.APPLICANT))
    waiting = waiting_list(user)
    expiring = people_query(
        Volunteer, user, PeopleFilter(certificate_expires_within=certificate_warning_days), today
    ).order_by(None).order_by(Volunteer.child_certificate_on)
    return Overview(
        applicants=_count(applicants),
        longest_waiting=db.session.scalars(waiting.limit(SHOWN)).all(),
        waiting=_count(waiting),
        expiring_certificates=db.session.scalars(expiring.limit(SHOWN)).all(),
        expiring_count=_count(expiring),
        refugee_counts=status_counts(Refugee, user),
        volunteer_counts=status_counts(Volunteer, user),
    )
