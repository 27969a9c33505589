"""Venues, activity series, activity dates, their texts in several languages, and sign-ups.

An `Activity` is one date people can sign up for. A recurring activity is a
`ActivitySeries` whose rule generated its dates ahead of time; each date
carries its own copy of the details, so "this date only" changes and
cancellations need no exception tables.
"""
import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, now_utc

CATEGORIES = {
    "language_cafe": _l("Language café"),
    "bicycle_workshop": _l("Bicycle workshop"),
    "cafe": _l("Café"),
    "recycling_shop": _l("Recycling shop"),
    "theme_night": _l("Theme night"),
    "lecture": _l("Lecture"),
    "swimming": _l("Swimming"),
    "homework_cafe": _l("Homework café"),
    "trip": _l("Trip"),
    "other": _l("Other"),
}

AUDIENCES = {
    "everyone": _l("Everyone"),
    "women": _l("Women only"),
    "families": _l("Families with children"),
    "youth": _l("Youth"),
}

#: Accessibility of a venue: column name → what visitors read.
ACCESSIBILITY = {
    "step_free": _l("Step-free access"),
    "hearing_loop": _l("Hearing loop"),
    "child_friendly": _l("Child-friendly"),
    "accessible_toilet": _l("Accessible toilet"),
}


class SignUpStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


SIGN_UP_STATUS_TITLES = {
    SignUpStatus.CONFIRMED: _l("Signed up"),
    SignUpStatus.WAITLISTED: _l("On the waitlist"),
    SignUpStatus.CANCELLED: _l("Cancelled"),
}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Venue(db.Model):
    """A Welcome House or another place where activities happen."""

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[int] = mapped_column(sa.ForeignKey("municipality.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(4))
    #: Free text for visitors, e.g. "Ring the bell at the side door after 18".
    opening_notes: Mapped[str | None] = mapped_column(sa.Text)
    step_free: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    child_friendly: Mapped[bool] = mapped_column(default=False)
    accessible_toilet: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    municipality: Mapped["Municipality"] = relationship()  # noqa: F821

    @property
    def accessibility(self):
        """Titles of the accessibility features this venue has."""
        return [title for column, title in ACCESSIBILITY.items() if getattr(self, column)]

    def __repr__(self):
        return f"<Venue {self.id} {self.name}>"


class ActivitySeries(db.Model):
    """The rule that generated the dates of a recurring activity."""

    __tablename__ = "activity_series"
    __table_args__ = (sa.CheckConstraint("duration_minutes > 0", name="positive_duration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venue.id"), index=True)
    #: RFC 5545 RRULE value without DTSTART, UNTIL in local time,
    #: e.g. "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T235959".
    rule: Mapped[str] = mapped_column(sa.String(200))
    #: The first date of the rule (its DTSTART date).
    first_date: Mapped[date]
    #: Start time in Denmark: 17:00 stays 17:00 across daylight saving.
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    venue: Mapped[Venue] = relationship()
    activities: Mapped[list["Activity"]] = relationship(back_populates="series", order_by="Activity.starts_at")


class Activity(db.Model):
    """One date of an activity, one-off or part of a series: what people sign up for."""

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="positive_capacity"),
        sa.CheckConstraint("host_slots >= 0", name="host_slots_not_negative"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("walk_ins IS NULL OR walk_ins >= 0", name="walk_ins_not_negative"),
        sa.CheckConstraint(_in("category", CATEGORIES), name="known_category"),
        sa.CheckConstraint(_in("audience", AUDIENCES), name="known_audience"),
        sa.CheckConstraint("(series_id IS NULL) = (occurrence_at IS NULL)", name="occurrence_of_series"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venue.id"), index=True)
    #: None for a one-off activity.
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity_series.id"), index=True)
    #: The start the series' rule gave this date (its RECURRENCE-ID); stays when
    #: "this date" is moved, so calendars can tell the move from a new date.
    occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A key of CATEGORIES.
    category: Mapped[str] = mapped_column(sa.String(20))
    #: Seats, counting household members; None means no limit.
    capacity: Mapped[int | None]
    #: Volunteers wanted to host this date.
    host_slots: Mapped[int] = mapped_column(default=0)
    #: A key of AUDIENCES.
    audience: Mapped[str] = mapped_column(sa.String(10), default="everyone")
    #: Languages spoken at the activity: ISO 639 codes of SPOKEN_LANGUAGES, space-separated.
    language_codes: Mapped[str] = mapped_column(sa.String(200), default="")
    interpreter: Mapped[bool] = mapped_column(default=False)
    #: Whole Danish kroner; 0 is free.
    price: Mapped[int] = mapped_column(default=0)
    what_to_bring: Mapped[str | None] = mapped_column(sa.String(500))
    #: People who came without signing up, counted at the door; None until counted.
    walk_ins: Mapped[int | None]
    #: The manager wants those who signed up but did not come to get a "we missed you" e-mail.
    missed_you: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    venue: Mapped[Venue] = relationship()
    series: Mapped[ActivitySeries | None] = relationship(back_populates="activities")
    texts: Mapped[list["ActivityText"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityText.locale"
    )
    sign_ups: Mapped[list["SignUp"]] = relationship(back_populates="activity", order_by="SignUp.created_at")
    hosts: Mapped[list["ActivityHost"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityHost.created_at"
    )

    @property
    def languages(self):
        return self.language_codes.split()

    @property
    def category_title(self):
        return CATEGORIES[self.category]

    @property
    def audience_title(self):
        return AUDIENCES[self.audience]

    def __repr__(self):
        return f"<Activity {self.id} {self.category} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class ActivityText(db.Model):
    """An activity's title and description in one language."""

    __tablename__ = "activity_text"
    __table_args__ = (sa.UniqueConstraint("activity_id", "locale", name="uq_activity_text_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id", ondelete="CASCADE"))
    #: An interface language code (da, en, ar, fa, ti).
    locale: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)

    activity: Mapped[Activity] = relationship(back_populates="texts")


class ActivityHost(db.Model):
    """A volunteer who took one of a date's host slots (hosts take no seats)."""

    __tablename__ = "activity_host"
    __table_args__ = (sa.UniqueConstraint("activity_id", "user_id", name="uq_activity_host_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    activity: Mapped[Activity] = relationship(back_populates="hosts")
    user: Mapped["User"] = relationship()  # noqa: F821


class SignUp(db.Model):
    """A place (or a place on the waitlist) for one person and their household at one date.

    The person is someone in the registry, a logged-in account, or a contact
    (name and phone or e-mail) for people who have neither.
    """

    __tablename__ = "sign_up"
    __table_args__ = (
        sa.CheckConstraint(_in("status", list(SignUpStatus)), name="known_status"),
        sa.CheckConstraint("seats >= 1", name="at_least_one_seat"),
        sa.CheckConstraint(
            "CAST(person_id IS NOT NULL AS INTEGER) + CAST(user_id IS NOT NULL AS INTEGER)"
            " + CAST(contact_name IS NOT NULL AS INTEGER) = 1",
            name="one_kind_of_person",
        ),
        sa.CheckConstraint(
            "contact_name IS NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL",
            name="contact_reachable",
        ),
        # One live sign-up per person or account and date, even under double taps.
        sa.Index(
            "uq_sign_up_live_user", "activity_id", "user_id", unique=True,
            sqlite_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"),
            postgresql_where=sa.text("status != 'cancelled' AND user_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_sign_up_live_person", "activity_id", "person_id", unique=True,
            sqlite_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"),
            postgresql_where=sa.text("status != 'cancelled' AND person_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: Language to write to a contact in (people and accounts have their own).
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    #: The person plus the household members they bring.
    seats: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(10), default=SignUpStatus.CONFIRMED)
    #: Orders the waitlist: first come, first promoted.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Ticked at the door.
    attended: Mapped[bool] = mapped_column(default=False)
    #: When the reminder a day before was queued; set with the message, so it goes once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the "we missed you" e-mail was queued, likewise.
    missed_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    activity: Mapped[Activity] = relationship(back_populates="sign_ups")
    person: Mapped["Person | None"] = relationship()  # noqa: F821
    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])  # noqa: F821

    @property
    def name(self):
        """Who signed up, for managers only (public pages never show it)."""
        if self.person is not None:
            return self.person.full_name
        if self.user is not None:
            return self.user.full_name
        return self.contact_name

    @property
    def status_title(self):
        return SIGN_UP_STATUS_TITLES[SignUpStatus(self.status)]


#: Languages a title falls back to when the viewer's is missing, before any other.
FALLBACK_LOCALES = ("en", "da")


def text_for(activity, locale):
    """Return the activity's text in `locale`, else English, else Danish, else any."""
    by_locale = {t.locale: t for t in activity.texts}
    for candidate in (str(locale), *FALLBACK_LOCALES):
        if candidate in by_locale:
            return by_locale[candidate]
    return activity.texts[0]
