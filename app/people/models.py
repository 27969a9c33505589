"""Refugees and volunteers: one `person` table, a row's `kind` telling which.

Both share most of a profile, are listed, searched, de-duplicated and
exported the same way, and matching reads both; single-table inheritance
keeps those queries simple while `Refugee` and `Volunteer` carry their own
fields and statuses.
"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, add_years, now_utc

#: A child certificate (børneattest) is renewed after this many years.
CHILD_CERTIFICATE_YEARS = 2
#: How early managers are warned that a child certificate runs out.
CERTIFICATE_WARNING_DAYS = 60


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


GENDER_TITLES = {Gender.FEMALE: _l("Woman"), Gender.MALE: _l("Man"), Gender.OTHER: _l("Other")}


class RefugeeStatus(enum.StrEnum):
    WAITING = "waiting"
    MATCHED = "matched"
    PAUSED = "paused"
    LEFT = "left"


class VolunteerStatus(enum.StrEnum):
    APPLICANT = "applicant"
    AVAILABLE = "available"
    MATCHED = "matched"
    FULL = "full"
    PAUSED = "paused"
    LEFT = "left"


#: Statuses that only the match lifecycle (app.matches.services) sets.
MATCH_STATUSES = frozenset({"matched", "full"})

STATUS_TITLES = {
    "waiting": _l("Waiting"),
    "matched": _l("Matched"),
    "paused": _l("Paused"),
    "left": _l("Left the programme"),
    "applicant": _l("Applicant"),
    "available": _l("Available"),
    "full": _l("Full"),
}


class StatusNote(enum.StrEnum):
    """A note the platform writes in a status history itself: stored as this key, worded for each viewer."""

    PAUSED_OWN_PAGE = "paused_own_page"
    RESUMED_OWN_PAGE = "resumed_own_page"
    AVAILABILITY_OWN_PAGE = "availability_own_page"


STATUS_NOTE_TITLES = {
    StatusNote.PAUSED_OWN_PAGE: _l("Paused new matches on their own page."),
    StatusNote.RESUMED_OWN_PAGE: _l("Open to new matches again."),
    StatusNote.AVAILABILITY_OWN_PAGE: _l("Changed when they are free or how many friends they take."),
}


def _notes_stored_as_text():
    """{a `StatusNote` as notes were stored before the keys, in the programme's language: its key}."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return {str(title): key for key, title in STATUS_NOTE_TITLES.items()}


class ConsentPurpose(enum.StrEnum):
    MATCHING = "matching"
    CONTACT = "contact"
    STATISTICS = "statistics"


CONSENT_PURPOSE_TITLES = {
    ConsentPurpose.MATCHING: _l("Matching with a volunteer friend"),
    ConsentPurpose.CONTACT: _l("Being contacted by the programme"),
    ConsentPurpose.STATISTICS: _l("Anonymous statistics"),
}


class ConsentMethod(enum.StrEnum):
    PAPER = "paper"
    ORAL_WITH_INTERPRETER = "oral_interpreter"
    ORAL = "oral"
    ONLINE = "online"


CONSENT_METHOD_TITLES = {
    ConsentMethod.PAPER: _l("On paper"),
    ConsentMethod.ORAL_WITH_INTERPRETER: _l("Orally, with an interpreter"),
    ConsentMethod.ORAL: _l("Orally"),
    ConsentMethod.ONLINE: _l("Online"),
}

AVAILABILITY_TITLES = {
    "weekday_day": _l("Weekdays, daytime"),
    "weekday_evening": _l("Weekday evenings"),
    "weekend": _l("Weekends"),
}


class Person(db.Model):
    __tablename__ = "person"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('refugee', 'volunteer')", name="known_kind"),
        sa.CheckConstraint(
            "(kind = 'refugee' AND status IN ('waiting', 'matched', 'paused', 'left')) OR "
            "(kind = 'volunteer' AND status IN ('applicant', 'available', 'matched', 'full', 'paused', 'left'))",
            name="status_fits_kind",
        ),
        sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name="known_gender"),
        sa.CheckConstraint(
            "wants_gender IS NULL OR wants_gender IN ('female', 'male', 'other')", name="known_wanted_gender"
        ),
        sa.CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        sa.CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 3", name="capacity_range"),
        sa.CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="age_range"),
        sa.CheckConstraint("erased_at IS NULL OR archived_at IS NOT NULL", name="erased_is_archived"),
        # With who may be matched (`matchable`): waiting list counts read the index alone (migration a75cddc039d6).
        sa.Index("ix_person_kind_municipality_status_matchable", "kind", "municipality_code", "status",
                 "archived_at", "consents_to_matching"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: As the person writes it, in any script.
    full_name: Mapped[str] = mapped_column(sa.String(200))
    #: Optional Latin spelling, for staff who cannot read the name's script.
    latin_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: Spelling-variant key of both names (see app.people.names), for search.
    name_key: Mapped[str] = mapped_column(sa.String(400), index=True)
    #: Normalised like User.phone: +<country><number>.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    #: Lower-case.
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    #: Interface language (da, en, ar, fa, ti) for messages to this person.
    message_locale: Mapped[str] = mapped_column(sa.String(8), default="da")
    birth_year: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(sa.String(10))
    municipality_code: Mapped[int] = mapped_column(sa.ForeignKey("municipality.code"))
    postcode: Mapped[str | None] = mapped_column(sa.String(4))
    #: "What I hope for" (refugees) or "what I can offer" (volunteers).
    hopes: Mapped[str | None] = mapped_column(sa.Text)
    available_weekday_day: Mapped[bool] = mapped_column(default=False)
    available_weekday_evening: Mapped[bool] = mapped_column(default=False)
    available_weekend: Mapped[bool] = mapped_column(default=False)
    #: The friend's gender this person requires, if any.
    wants_gender: Mapped[str | None] = mapped_column(sa.String(10))
    #: Refugee wishes a family as friend / volunteer offers friendship as a family.
    family: Mapped[bool] = mapped_column(default=False)
    #: Preferred age range of the friend.
    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(12))
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The newest matching consent said yes. Derived from `consents`, kept in
    #: step by app.people.services, so long lists need not search consent history.
    consents_to_matching: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The same for anonymous statistics, which the coverage figures (app.stats) filter 100,000 people by.
    consents_to_statistics: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The same for being contacted: without it no e-mail is queued to them (`may_contact`).
    consents_to_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Seen by managers only, never by the person or head office.
    notes: Mapped[str | None] = mapped_column(sa.Text)
    #: Archived people are kept for history but hidden from lists.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When their personal data was erased (app.privacy); the anonymous row stays, archived,
    #: so coverage counts and match history keep adding up, and can no longer be edited.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    # Refugees only.
    #: When the refugee arrived in the municipality; waiting time counts from here.
    arrived_on: Mapped[date | None]
    household_adults: Mapped[int | None]

    # Volunteers only.
    #: How many friends at once (1-3).
    capacity: Mapped[int | None]
    max_distance_km: Mapped[int | None]
    #: Date of the latest child certificate (børneattest) and whether it was clean.
    child_certificate_on: Mapped[date | None]
    child_certificate_clean: Mapped[bool] = mapped_column(default=False)
    #: Campaign or source the volunteer came through.
    recruited_by: Mapped[str | None] = mapped_column(sa.String(120))

    municipality: Mapped["Municipality"] = relationship()  # noqa: F821
    languages: Mapped[list["PersonLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="desc(PersonLanguage.level)"
    )
    interests: Mapped[list["PersonInterest"]] = relationship(
        cascade="all, delete-orphan", order_by="PersonInterest.interest_key"
    )
    household_children: Mapped[list["HouseholdChild"]] = relationship(
        cascade="all, delete-orphan", order_by="HouseholdChild.birth_year"
    )
    family_members: Mapped[list["FamilyMember"]] = relationship(cascade="all, delete-orphan")
    trainings: Mapped[list["Training"]] = relationship(
        cascade="all, delete-orphan", order_by="Training.completed_on"
    )
    status_changes: Mapped[list["StatusChange"]] = relationship(
        cascade="all, delete-orphan", order_by="desc(StatusChange.changed_at)"
    )
    consents: Mapped[list["Consent"]] = relationship(
        cascade="all, delete-orphan", order_by="desc(Consent.recorded_at)"
    )

    __mapper_args__ = {"polymorphic_on": "kind"}

    @property
    def first_name(self):
        """How a friend is named to the other side and to the partner's manager: the rest stays with their own manager."""
        return self.full_name.split()[0] if self.full_name.split() else self.full_name

    @property
    def status_title(self):
        return STATUS_TITLES[self.status]

    @property
    def availability(self):
        """The availability slots as the matching core names them."""
        return tuple(
            slot
            for slot in AVAILABILITY_TITLES
            if getattr(self, f"available_{slot}")
        )

    @property
    def interest_keys(self):
        return [i.interest_key for i in self.interests]

    @property
    def display_name(self):
        """The name staff see: a neutral placeholder in the viewer's language once the person is erased."""
        if self.erased_at is not None:
            return _("Erased person #%(id)s", id=self.id)
        return self.full_name

    @property
    def status_history(self):
        """Each status change, newest first, with its note in the viewer's language: [(change, note)].

        A note the platform writes (`StatusNote`: a volunteer pausing on their
        own page) is worded for whoever reads it, manager or the person in
        their copy of their data, as are those stored as text in the
        programme's language before the keys; what a manager typed is shown
        as typed. Erasure clears the notes (free text may name the person)
        and writes none of its own; its step, the last one since an erased
        person's status is final, says so in the viewer's language, like
        `display_name`.
        """
        stored_as_text = _notes_stored_as_text()
        keys = [stored_as_text.get(change.note, change.note) for change in self.status_changes]
        notes = [str(STATUS_NOTE_TITLES[key]) if key in STATUS_NOTE_TITLES else key for key in keys]
        if self.erased_at is not None and notes:
            notes[0] = _("Personal data erased.")
        return list(zip(self.status_changes, notes))

    @property
    def may_contact(self):
        """Whether the programme may write to or call this person: not erased, and their latest contact consent is yes.

        The one rule every e-mail to a person (matches, check-ins, activities,
        recruitment) and the manager's "call" list asks.
        """
        return self.erased_at is None and self.consents_to_contact

    @property
    def contact_email(self):
        """The address to e-mail this person at, or None when there is none or they may not be contacted."""
        return self.email if self.may_contact else None

    def current_consent(self, purpose):
        """Return the latest consent record for `purpose`, or None."""
        return next((c for c in self.consents if c.purpose == purpose), None)

    def has_consent(self, purpose):
        consent = self.current_consent(purpose)
        return consent is not None and consent.given

    def __repr__(self):
        return f"<{type(self).__name__} {self.id} {self.full_name}>"


class Refugee(Person):
    __mapper_args__ = {"polymorphic_identity": "refugee"}

    def days_waiting(self, today):
        """Days since arrival, the programme's measure of waiting; None when that is not known.

        Every page that shows a wait (the person's page, the lists, the
        waiting list, the manager's home page) shows this number or nothing.
        Without an arrival date, days since registration would pass a guess
        off as a wait beside real ones, so none is shown; such a refugee
        still takes their place in the waiting list's order (`waiting_since`).
        An erased person waits no more.
        """
        if self.arrived_on is None or self.erased_at is not None:
            return None
        return max((today - self.arrived_on).days, 0)

    @hybrid_property
    def waiting_since(self):
        """The day the waiting list orders a refugee by: arrival, else registration.

        They have waited at least since they registered, so a refugee whose
        arrival is unknown sorts among the others by that lower bound: neither
        always first nor always last (where SQLite and PostgreSQL would put a
        missing date at opposite ends), and never forgotten at the bottom.
        Batch matching's tie-break and the coverage figures' medians count
        from the same day.
        """
        return self.arrived_on or self.created_at.date()

    @waiting_since.inplace.expression
    @classmethod
    def _waiting_since_expression(cls):
        return sa.func.coalesce(cls.arrived_on, sa.func.date(cls.created_at))


class Volunteer(Person):
    __mapper_args__ = {"polymorphic_identity": "volunteer"}

    def child_certificate_expires_on(self):
        if self.child_certificate_on is None:
            return None
        return add_years(self.child_certificate_on, CHILD_CERTIFICATE_YEARS)

    def has_valid_child_certificate(self, today):
        return certificate_valid(self.child_certificate_clean, self.child_certificate_on, today)


def certificate_valid(clean, issued_on, today):
    """A clean child certificate issued less than CHILD_CERTIFICATE_YEARS before `today`.

    Plain values rather than a Volunteer, so volunteers read as rows (the
    suggestions) follow the same rule as loaded ones.
    """
    return bool(clean) and issued_on is not None and add_years(issued_on, CHILD_CERTIFICATE_YEARS) > today


class PersonLanguage(db.Model):
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    #: ISO 639 code (da, ar, ti, prs…).
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)
    #: 1 basic … 5 native.
    level: Mapped[int]


class PersonInterest(db.Model):
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    #: Key in the interest taxonomy (app.interests).
    interest_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class HouseholdChild(db.Model):
    """A child under 18 in a refugee's household."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    birth_year: Mapped[int]


class FamilyMember(db.Model):
    """A member of a volunteer family taking part in the friendship."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    birth_year: Mapped[int | None]


class Training(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(sa.String(200))
    completed_on: Mapped[date]


class StatusChange(db.Model):
    """One step in a person's status history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    changed_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def status_title(self):
        return STATUS_TITLES[self.status]


class Consent(db.Model):
    """A recorded yes or no to one purpose; the latest record per purpose counts."""

    __table_args__ = (
        sa.CheckConstraint("purpose IN ('matching', 'contact', 'statistics')", name="known_purpose"),
        sa.CheckConstraint(
            "method IN ('paper', 'oral_interpreter', 'oral', 'online')", name="known_method"
        ),
        #: Finding each person's newest answer per purpose (waiting list, matching).
        sa.Index("ix_consent_person_purpose_recorded", "person_id", "purpose", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(12))
    given: Mapped[bool]
    method: Mapped[str] = mapped_column(sa.String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The manager who recorded it; None when the person consented online.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))

    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def purpose_title(self):
        return CONSENT_PURPOSE_TITLES[ConsentPurpose(self.purpose)]

    @property
    def method_title(self):
        return CONSENT_METHOD_TITLES[ConsentMethod(self.method)]


class ExportRecord(db.Model):
    """Who exported how many people's data, and when (GDPR accountability)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    kind: Mapped[str] = mapped_column(sa.String(10))
    file_format: Mapped[str] = mapped_column(sa.String(4))
    row_count: Mapped[int]
