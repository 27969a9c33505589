"""A friendship from proposal to its end."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


#: A proposed or active match holds the refugee and one of the volunteer's slots.
OPEN_STATUSES = (MatchStatus.PROPOSED, MatchStatus.ACTIVE)

MATCH_STATUS_TITLES = {
    MatchStatus.PROPOSED: _l("Proposed"),
    MatchStatus.ACTIVE: _l("Active"),
    MatchStatus.DECLINED: _l("Declined"),
    MatchStatus.ENDED: _l("Ended"),
}

END_REASONS = {
    "natural_end": _l("Came to a natural end"),
    "moved": _l("One of them moved"),
    "not_a_good_fit": _l("Not a good fit"),
    "no_contact": _l("No contact"),
    "withdrawn": _l("Proposal withdrawn: no answer"),
    "other": _l("Other"),
}

#: The ending the erasure of one side records (app.privacy); not a choice on the manager's form.
ERASED = "erased"
ERASED_TITLE = _l("One of them asked to have their data erased")

#: Endings that say the pairing itself failed: such a pair is never suggested
#: or batch-proposed again, like a declined one. After other endings (one of
#: them moved, a natural end) the pair may meet again.
FAILED_END_REASONS = ("not_a_good_fit", "no_contact")

SIDE_TITLES = {"refugee": _l("The refugee"), "volunteer": _l("The volunteer")}


class Match(db.Model):
    #: MATCH is an SQL keyword.
    __tablename__ = "friend_match"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('proposed', 'active', 'declined', 'ended')", name="known_status"
        ),
        sa.CheckConstraint("declined_by IS NULL OR declined_by IN ('refugee', 'volunteer')", name="known_side"),
        # One open match per refugee, even when two managers act at once.
        sa.Index(
            "uq_friend_match_open_refugee",
            "refugee_id",
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'active')"),
            postgresql_where=sa.text("status IN ('proposed', 'active')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refugee_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=MatchStatus.PROPOSED)
    #: The pair's total score (0-100) when proposed; None for an excluded pair.
    score: Mapped[float | None]
    #: Why a manager proposed a pair the rules exclude.
    override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    refugee_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    volunteer_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "refugee" or "volunteer".
    declined_by: Mapped[str | None] = mapped_column(sa.String(10))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A key of END_REASONS.
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    end_note: Mapped[str | None] = mapped_column(sa.String(500))

    refugee: Mapped["Person"] = relationship(foreign_keys=[refugee_id])  # noqa: F821
    volunteer: Mapped["Person"] = relationship(foreign_keys=[volunteer_id])  # noqa: F821
    proposed_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def status_title(self):
        return MATCH_STATUS_TITLES[MatchStatus(self.status)]

    @property
    def end_reason_title(self):
        return ERASED_TITLE if self.end_reason == ERASED else END_REASONS.get(self.end_reason, self.end_reason)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def __repr__(self):
        return f"<Match {self.id} {self.refugee_id}->{self.volunteer_id} {self.status}>"
