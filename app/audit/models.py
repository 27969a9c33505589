"""One append-only table: an entry per time someone saw or touched a person's data."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc


class AuditAction(enum.StrEnum):
    VIEWED = "viewed"
    EXPORTED = "exported"
    CREATED = "created"
    CHANGED = "changed"
    ARCHIVED = "archived"
    RESTORED = "restored"
    MERGED = "merged"
    ERASED = "erased"


ACTION_TITLES = {
    AuditAction.VIEWED: _l("Viewed"),
    AuditAction.EXPORTED: _l("Exported"),
    AuditAction.CREATED: _l("Created"),
    AuditAction.CHANGED: _l("Changed"),
    AuditAction.ARCHIVED: _l("Archived"),
    AuditAction.RESTORED: _l("Restored"),
    AuditAction.MERGED: _l("Merged"),
    AuditAction.ERASED: _l("Erased"),
}


class AuditEntry(db.Model):
    """Who did what to a person's data, and when; never updated (a database trigger refuses it)."""

    __table_args__ = (
        sa.CheckConstraint(
            "action IN ('viewed', 'exported', 'created', 'changed', 'archived', 'restored', 'merged', 'erased')",
            name="known_action",
        ),
        #: A person's log, newest first.
        sa.Index("ix_audit_entry_person_id_id", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    #: The account that acted; None for the system (a scheduled job) or the person themself through a link.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(10))
    #: Not a foreign key: the entry outlives the person, so an erasure stays on record.
    person_id: Mapped[int]
    #: For a merge, the other record (kept or folded in).
    related_person_id: Mapped[int | None]
    #: Names of the fields changed, comma-separated; never their values.
    fields: Mapped[str | None] = mapped_column(sa.String(1000))
    #: Why data were exported, as the user typed it.
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def action_title(self):
        return ACTION_TITLES[AuditAction(self.action)]

    @property
    def field_names(self):
        return self.fields.split(",") if self.fields else []
