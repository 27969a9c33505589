"""Check-ins: how a friendship is going, asked of each side in turn."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc

MEETINGS = {
    "not_yet": _l("We have not met yet"),
    "once": _l("Once"),
    "monthly": _l("About once a month"),
    "every_other_week": _l("Every other week"),
    "weekly": _l("Every week or more"),
}

class CheckIn(db.Model):
    """One side of a match asked, on `due_on`, how the friendship is going."""

    __tablename__ = "check_in"
    __table_args__ = (
        sa.UniqueConstraint("match_id", "side", "due_on", name="uq_check_in_once"),
        sa.CheckConstraint("side IN ('refugee', 'volunteer')", name="known_side"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("friend_match.id"), index=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: When the e-mail with the link was queued in the outbox; None when the person has no e-mail.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A key of MEETINGS.
    meetings: Mapped[str | None] = mapped_column(sa.String(20))
    #: How it is going, 1 (not well) to 5 (very well).
    rating: Mapped[int | None]
    wants_call: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: A manager has followed up (called, talked); the task leaves the dashboard.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    match: Mapped["Match"] = relationship()  # noqa: F821

    @property
    def person(self):
        return self.match.refugee if self.side == "refugee" else self.match.volunteer
