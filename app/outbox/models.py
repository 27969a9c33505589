"""A queued e-mail, already written in its recipient's language."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


MESSAGE_STATUS_TITLES = {
    MessageStatus.PENDING: _l("Waiting to be sent"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Failed"),
}


class OutboxMessage(db.Model):
    """One e-mail to one address, sent by the scheduler's delivery job after the commit."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_at_when_sent"),
        sa.CheckConstraint(
            "status != 'pending' OR next_attempt_at IS NOT NULL", name="pending_has_next_attempt"
        ),
        # The delivery job's query: pending messages, earliest due first.
        sa.Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: Plain text, rendered in the recipient's language when the message was queued.
    body: Mapped[str] = mapped_column(sa.Text)
    #: A MessageStatus value.
    status: Mapped[str] = mapped_column(sa.String(10), default=MessageStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: When the delivery job may try (again); None once sent or failed for good.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc)
    #: Failed attempts so far; after OUTBOX_MAX_ATTEMPTS the message is marked failed.
    attempts: Mapped[int] = mapped_column(default=0)
    #: The mail server's (or the network's) answer to the last failed attempt.
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: When the mail server accepted the message.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_title(self):
        return MESSAGE_STATUS_TITLES[MessageStatus(self.status)]
