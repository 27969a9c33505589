"""Attendance over time: per month, venue and category, for the managers' chart and CSV.

Counted from dates that took place (ended, not cancelled): seats signed up,
seats of the sign-ups ticked at the door, and walk-ins. Months are months in
Denmark; the grouping is done here rather than in SQL so that SQLite and
PostgreSQL agree on where a month starts.
"""
import io
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.events.models import Activity, SignUp, SignUpStatus
from app.extensions import db
from app.spreadsheets import CsvWriter
from app.timeutil import LOCAL_ZONE, now_utc

@dataclass
class AttendanceRow:
    month: object
    venue: str
    category: str
    dates: int = 0
    signed_up: int = 0
    came: int = 0
    walk_ins: int = 0

    @property
    def total(self):
        """Everyone who came: ticked sign-ups with their household, and walk-ins."""
        return self.came + self.walk_ins


def attendance_rows(venue_ids, since, category=None):
    """Rows for dates at `venue_ids` that started on or after the UTC instant `since`, oldest month first."""
    seats = (
        sa.select(
            SignUp.activity_id,
            sa.func.sum(SignUp.seats).label("signed_up"),
            sa.func.sum(sa.case((SignUp.attended, SignUp.seats), else_=0)).label("came"),
        )
        .where(SignUp.status == SignUpStatus.CONFIRMED)
        .group_by(SignUp.activity_id)
        .subquery()
    )
    query = (
        sa.select(Activity, seats.c.signed_up, seats.c.came)
        .outerjoin(seats, seats.c.activity_id == Activity.id)
        .where(Activity.venue_id.in_(venue_ids), Activity.cancelled_at.is_(None),
               Activity.starts_at >= since, Activity.ends_at <= now_utc())
        .options(joinedload(Activity.venue))
        .order_by(Activity.starts_at)
    )
    if category:
        query = query.where(Activity.category == category)
    rows = {}
    for activity, signed_up, came in db.session.execute(query):
        month = activity.starts_at.astimezone(LOCAL_ZONE).date().replace(day=1)
        key = (month, activity.venue.name, activity.category)
        row = rows.setdefault(key, AttendanceRow(*key))
        row.dates += 1
        row.signed_up += signed_up or 0
        row.came += came or 0
        row.walk_ins += activity.walk_ins or 0
    return list(rows.values())


def monthly_totals(rows):
    """(month, everyone who came) for the chart, oldest first."""
    totals = {}
    for row in rows:
        totals[row.month] = totals.get(row.month, 0) + row.total
    return sorted(totals.items())


def attendance_csv(rows, headers, category_title):
    """The rows as a CSV file's bytes; `headers` are already in the viewer's language."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.month.strftime("%Y-%m"), row.venue, category_title(row.category), row.dates,
                         row.signed_up, row.came, row.walk_ins, row.total])
    return out.getvalue().encode("utf-8-sig")
