"""An agreement per municipality and organisation, its documents, history and reminders."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc


class AgreementStatus(enum.StrEnum):
    NO_CONTACT = "no_contact"
    IN_DIALOGUE = "in_dialogue"
    SIGNED = "signed"
    EXPIRED = "expired"
    TERMINATED = "terminated"


AGREEMENT_STATUS_TITLES = {
    AgreementStatus.NO_CONTACT: _l("No contact"),
    AgreementStatus.IN_DIALOGUE: _l("In dialogue"),
    AgreementStatus.SIGNED: _l("Signed"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.TERMINATED: _l("Terminated"),
}

_STATUS_SQL = ", ".join(f"'{s.value}'" for s in AgreementStatus)


class Agreement(db.Model):
    """The written cooperation between one organisation and one municipality."""

    __table_args__ = (
        sa.UniqueConstraint("municipality_code", "organisation_id", name="uq_agreement_municipality_organisation"),
        sa.CheckConstraint(f"status IN ({_STATUS_SQL})", name="known_status"),
        sa.CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="valid_range"),
        sa.CheckConstraint("status != 'signed' OR signed_on IS NOT NULL", name="signed_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[int] = mapped_column(sa.ForeignKey("municipality.code"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=AgreementStatus.NO_CONTACT)
    signed_on: Mapped[date | None]
    valid_from: Mapped[date | None]
    #: None: open-ended. After this day a signed agreement no longer counts (app.stats).
    valid_to: Mapped[date | None] = mapped_column(index=True)
    #: The municipality's contact person: name, and how to reach them.
    municipal_contact: Mapped[str | None] = mapped_column(sa.String(200))
    municipal_contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: The organisation's local coordinator; receives the renewal reminder.
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    municipality_commitments: Mapped[str | None] = mapped_column(sa.Text)
    organisation_commitments: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    municipality: Mapped["Municipality"] = relationship()  # noqa: F821
    organisation: Mapped["Organisation"] = relationship()  # noqa: F821
    coordinator: Mapped["User | None"] = relationship()  # noqa: F821
    history: Mapped[list["AgreementStatusChange"]] = relationship(
        cascade="all, delete-orphan", order_by="desc(AgreementStatusChange.changed_at)"
    )
    documents: Mapped[list["AgreementDocument"]] = relationship(
        cascade="all, delete-orphan", order_by="desc(AgreementDocument.uploaded_at)"
    )

    @property
    def status_title(self):
        return AGREEMENT_STATUS_TITLES[AgreementStatus(self.status)]

    def __repr__(self):
        return f"<Agreement {self.municipality_code} {self.organisation_id} {self.status}>"


class AgreementStatusChange(db.Model):
    """One step of an agreement's history: who set which status, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    changed_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def status_title(self):
        return AGREEMENT_STATUS_TITLES[AgreementStatus(self.status)]


class AgreementDocument(db.Model):
    """A signed PDF or DOCX, stored under the instance folder (app.agreements.documents)."""

    __table_args__ = (sa.CheckConstraint("kind IN ('pdf', 'docx')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    #: The name the uploader gave, shown and used for the download.
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: Random file name on disk; never derived from the upload.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: "pdf" or "docx", decided from the content, not the name.
    kind: Mapped[str] = mapped_column(sa.String(4))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821


class RenewalReminder(db.Model):
    """A renewal reminder sent for one expiry date, so a re-run or restart sends no second one."""

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "valid_to", name="uq_renewal_reminder_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    #: The expiry date the reminder was about; a renewed agreement gets a new reminder.
    valid_to: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
