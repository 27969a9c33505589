"""Users of the platform, their roles and the organisations they work for."""
import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc


class Role(enum.StrEnum):
    ADMIN = "admin"
    HEAD_OFFICE = "head_office"
    MANAGER = "manager"
    VOLUNTEER = "volunteer"
    REFUGEE = "refugee"

    @property
    def title(self):
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.ADMIN: _l("Administrator"),
    Role.HEAD_OFFICE: _l("Head office"),
    Role.MANAGER: _l("Volunteer manager"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.REFUGEE: _l("Refugee"),
}

manager_municipality = sa.Table(
    "manager_municipality",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "municipality_code", sa.ForeignKey("municipality.code"), primary_key=True, index=True
    ),
)


class Organisation(db.Model):
    """A partner organisation whose staff manage volunteers, e.g. Danish Red Cross."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)

    members: Mapped[list["User"]] = relationship(back_populates="organisation")

    def __repr__(self):
        return f"<Organisation {self.name}>"


class User(UserMixin, db.Model):
    #: "user" is a reserved word in PostgreSQL.
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin', 'head_office', 'manager', 'volunteer', 'refugee')",
            name="known_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the login name.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: Normalised to +<country><number>; may also be used to log in.
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    #: None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20))
    #: Interface language the user chose; wins over browser settings.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    #: Deactivated users cannot log in; rows are kept for the audit trail.
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The login before the current one: what "last logged in" shows (last_login_at is this very login).
    previous_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A volunteer's or refugee's own account is linked to their record in the registry.
    person_id: Mapped[int | None] = mapped_column(
        # use_alter: person.created_by_id points back at app_user.
        sa.ForeignKey("person.id", ondelete="SET NULL", use_alter=True), unique=True
    )
    #: Part of every session and remember-me cookie of this user; a new one ends them all.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(8),
                                               server_default="-")

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    person: Mapped["Person | None"] = relationship(foreign_keys=[person_id])  # noqa: F821
    municipalities: Mapped[list["Municipality"]] = relationship(  # noqa: F821
        secondary=manager_municipality, order_by="Municipality.name"
    )

    @property
    def is_active(self):
        """Flask-Login refuses sessions of deactivated users."""
        return self.is_enabled

    @property
    def role_enum(self):
        return Role(self.role)

    @property
    def has_password(self):
        return self.password_hash is not None

    def get_id(self):
        """What Flask-Login keeps in the session and remember-me cookies: the id and the session nonce."""
        return f"{self.id}:{self.session_nonce}"

    def end_sessions(self):
        """Make every session and remember-me cookie of this user stop working."""
        self.session_nonce = secrets.token_hex(8)

    def set_password(self, password):
        """Set a new password; it ends the user's other sessions, as someone may have known the old one."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password):
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.email} {self.role}>"
