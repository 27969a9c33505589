"""Creating, editing and cancelling activities; signing up, the waitlist and promotion.

Dates of a series are generated from its RRULE in Denmark's local time and
only then converted to UTC, so a weekly 17:00 stays 17:00 in winter and
summer. Seats are counted while the activity's row is locked (SELECT … FOR
UPDATE on PostgreSQL; SQLite lets one writer at a time), so the last seat
goes to exactly one person. Functions that change who has a seat tell the
people concerned by e-mail (app/events/notices.py) and return their sign-ups.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from dateutil.rrule import rrulestr
from flask_babel import lazy_gettext as _l, ngettext

from app.events import notices
from app.events.models import Activity, ActivityHost, ActivitySeries, ActivityText, SignUp, SignUpStatus, Venue
from app.extensions import db
from app.matches.models import Match, MatchStatus
from app.timeutil import LOCAL_ZONE, now_utc

#: A series may not run longer than this, so all its dates exist from the start.
MAX_SERIES_DATES = 106
LIVE_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)


class EventError(Exception):
    """A step that cannot be taken; `message` says why, in the viewer's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class ActivityDetails:
    """What a manager fills in for an activity; copied onto each date of a series."""

    venue_id: int
    category: str
    #: locale → (title, description); at least one title.
    texts: dict
    capacity: int | None = None
    host_slots: int = 0
    audience: str = "everyone"
    languages: list = field(default_factory=list)
    interpreter: bool = False
    price: int = 0
    what_to_bring: str | None = None
    #: E-mail those who had a seat but did not come (after attendance is taken).
    missed_you: bool = False

    def apply_to(self, activity):
        """Write these details onto one date, replacing its texts."""
        activity.venue_id = self.venue_id
        activity.category = self.category
        activity.capacity = self.capacity
        activity.host_slots = self.host_slots
        activity.audience = self.audience
        activity.language_codes = " ".join(self.languages)
        activity.interpreter = self.interpreter
        activity.price = self.price
        activity.what_to_bring = self.what_to_bring or None
        activity.missed_you = self.missed_you
        wanted = {locale: text for locale, text in self.texts.items() if text[0]}
        if not wanted:
            raise EventError(_l("Give the activity a title in at least one language."))
        for existing in list(activity.texts):
            if existing.locale not in wanted:
                activity.texts.remove(existing)
        by_locale = {t.locale: t for t in activity.texts}
        for locale, (title, description) in wanted.items():
            text = by_locale.get(locale) or ActivityText(locale=locale)
            text.title, text.description = title, description or None
            if text not in activity.texts:
                activity.texts.append(text)


# Time --------------------------------------------------------------------------


def local_instant(day, at):
    """Return the UTC instant of wall-clock time `at` on `day` in Denmark."""
    return datetime.combine(day, at, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


def weekly_rule(weekdays, until):
    """Return an RRULE for every week on `weekdays` (MO, TU…) up to and including the date `until`."""
    return f"FREQ=WEEKLY;BYDAY={','.join(weekdays)};UNTIL={until:%Y%m%d}T235959"


def rule_dates(rule, first_date, start_time):
    """Return the local dates a rule gives from `first_date` (at most MAX_SERIES_DATES)."""
    starts = rrulestr(rule, dtstart=datetime.combine(first_date, start_time))
    dates = []
    for local in starts:
        dates.append(local.date())
        if len(dates) > MAX_SERIES_DATES:
            raise EventError(ngettext("A series can have at most %(num)d date; choose an earlier end.",
                                      "A series can have at most %(num)d dates; choose an earlier end.",
                                      MAX_SERIES_DATES))
    if not dates:
        raise EventError(_l("The repeat rule gives no dates; check the end date."))
    return dates


# Creating and editing ----------------------------------------------------------


def create_activity(details, day, start_time, duration):
    """Create a one-off activity on `day` at local `start_time`, lasting `duration`."""
    starts_at = local_instant(day, start_time)
    activity = Activity(starts_at=starts_at, ends_at=starts_at + duration)
    details.apply_to(activity)
    db.session.add(activity)
    db.session.flush()
    return activity


def create_series(details, rule, first_date, start_time, duration):
    """Create a recurring activity and all its dates; return the series."""
    series = ActivitySeries(
        venue_id=details.venue_id, rule=rule, first_date=first_date, start_time=start_time,
        duration_minutes=int(duration.total_seconds() // 60),
    )
    _add_dates(series, details, rule_dates(rule, first_date, start_time))
    db.session.add(series)
    db.session.flush()
    return series


def _add_dates(series, details, dates):
    duration = timedelta(minutes=series.duration_minutes)
    for day in dates:
        starts_at = local_instant(day, series.start_time)
        activity = Activity(series=series, occurrence_at=starts_at, starts_at=starts_at, ends_at=starts_at + duration)
        details.apply_to(activity)


def edit_date(activity, details, day, start_time, duration):
    """Change one date only; the series keeps its rule. Return sign-ups promoted by more seats."""
    activity.starts_at = local_instant(day, start_time)
    activity.ends_at = activity.starts_at + duration
    details.apply_to(activity)
    db.session.flush()
    return _promote(activity)


def edit_following(activity, details, start_time, duration):
    """Change this date and every later one: the series is split here.

    The old series ends the day before; a new series with the same rule
    starts on this date and takes the later dates, which keep the days the
    rule gave them and get the new time and details. From the first date
    on, the series itself changes. Return sign-ups promoted by more seats.
    """
    old = activity.series
    day = activity.occurrence_at.astimezone(LOCAL_ZONE).date()
    following = [a for a in old.activities if a.occurrence_at >= activity.occurrence_at]
    if len(following) == len(old.activities):
        series = old
    else:
        series = ActivitySeries(rule=old.rule, first_date=day)
        db.session.add(series)
        old.rule = _rule_until(old.rule, day - timedelta(days=1))
    series.venue_id = details.venue_id
    series.start_time = start_time
    series.duration_minutes = int(duration.total_seconds() // 60)
    for date_ in following:
        date_.series = series
        date_.starts_at = date_.occurrence_at = local_instant(date_.occurrence_at.astimezone(LOCAL_ZONE).date(),
                                                             start_time)
        date_.ends_at = date_.starts_at + duration
        details.apply_to(date_)
    db.session.flush()
    promoted = []
    for date_ in following:
        promoted += _promote(date_)
    return promoted


def _rule_until(rule, last_day):
    """Return `rule` ending on `last_day` instead of its own end."""
    parts = [p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    return ";".join(parts + [f"UNTIL={last_day:%Y%m%d}T235959"])


def _cancel(dates):
    """Cancel `dates` and tell everyone signed up, once per person; return their live sign-ups."""
    told = []
    for activity in dates:
        if activity.cancelled_at is None:
            activity.cancelled_at = now_utc()
        told += [s for s in activity.sign_ups if s.status in LIVE_STATUSES]
    db.session.flush()
    notices.tell_cancelled(told)
    return told


def cancel_date(activity):
    """Cancel one date; return the live sign-ups, whose people are told by e-mail."""
    return _cancel([activity])


def cancel_following(activity):
    """Cancel this date and every later date of its series; return the live sign-ups of all of them."""
    return _cancel([d for d in activity.series.activities if d.starts_at >= activity.starts_at])


def cancel_series(series):
    """Cancel every date of a series that has not started; return the live sign-ups of all of them."""
    now = now_utc()
    return _cancel([d for d in series.activities if d.starts_at > now])


# Seats -------------------------------------------------------------------------


def _add_once(row, message):
    """Add a row that a unique index allows once; a double tap that slipped past the checks gets `message`.

    The session must then be rolled back, as after any EventError.
    """
    db.session.add(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise EventError(message) from None


def _locked(activity_id):
    """Load an activity and lock its row until the transaction ends (PostgreSQL)."""
    return db.session.scalars(
        sa.select(Activity).where(Activity.id == activity_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def seats_taken(activity_id):
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SignUp.seats), 0))
        .where(SignUp.activity_id == activity_id, SignUp.status == SignUpStatus.CONFIRMED)
    )


def seats_left(activity, taken=None):
    """Free seats, or None when the activity has no limit; `taken` when the confirmed seats are counted already."""
    if activity.capacity is None:
        return None
    return max(activity.capacity - (seats_taken(activity.id) if taken is None else taken), 0)


def waitlist_position(sign_up):
    """1 for the first on the waitlist; None when not waitlisted."""
    if sign_up.status != SignUpStatus.WAITLISTED:
        return None
    return 1 + db.session.scalar(
        sa.select(sa.func.count()).select_from(SignUp).where(
            SignUp.activity_id == sign_up.activity_id,
            SignUp.status == SignUpStatus.WAITLISTED,
            sa.tuple_(SignUp.created_at, SignUp.id) < sa.tuple_(sign_up.created_at, sign_up.id),
        )
    )


def live_sign_up_of(activity_id, person_id=None, user_id=None):
    """The confirmed or waitlisted sign-up of a person or an account for one date, or None."""
    query = sa.select(SignUp).where(SignUp.activity_id == activity_id, SignUp.status.in_(LIVE_STATUSES))
    if person_id is not None:
        query = query.where(SignUp.person_id == person_id)
    else:
        query = query.where(SignUp.user_id == user_id)
    return db.session.scalars(query).first()


def sign_up(activity_id, seats=1, *, person=None, user=None, contact=None, locale=None, by=None):
    """Sign someone up for one date: a seat when one is free, else a place on the waitlist.

    Exactly one of `person` (from the registry), `user` (an account) or
    `contact` (name, phone, e-mail) says who. `seats` counts the person and
    the household members they bring. Raise EventError when the date is
    over, cancelled, too small for the household, or they are already on it.
    """
    if person is not None and person.erased_at is not None:
        raise EventError(_l("This person's data has been erased."))
    activity = _locked(activity_id)
    if activity.cancelled_at is not None:
        raise EventError(_l("This activity is cancelled."))
    if activity.starts_at <= now_utc():
        raise EventError(_l("This activity has already started."))
    if activity.capacity is not None and seats > activity.capacity:
        raise EventError(ngettext("This activity has %(num)d seat in all.",
                                  "This activity has %(num)d seats in all.", activity.capacity))
    if (person or user) and live_sign_up_of(activity.id, getattr(person, "id", None), getattr(user, "id", None)):
        raise EventError(_l("Already signed up for this date."))
    name, phone, email = contact or (None, None, None)
    left = seats_left(activity)
    record = SignUp(
        activity_id=activity.id, seats=seats,
        person_id=person.id if person else None, user_id=user.id if user else None,
        contact_name=name, contact_phone=phone or None, contact_email=email or None,
        locale=locale, created_by_id=by.id if by else None,
        status=SignUpStatus.CONFIRMED if left is None or seats <= left else SignUpStatus.WAITLISTED,
        created_at=now_utc(),
    )
    _add_once(record, _l("Already signed up for this date."))
    # Count again after writing: where the database cannot lock the row
    # (SQLite), a sign-up made at the same moment shows up here.
    if activity.capacity is not None and seats_taken(activity.id) > activity.capacity:
        raise EventError(_l("The last seat was just taken. Please try again."))
    return record


def active_friend(person):
    """The other person in `person`'s active friendship, or None."""
    match = db.session.scalars(
        sa.select(Match).where(Match.status == MatchStatus.ACTIVE,
                               sa.or_(Match.refugee_id == person.id, Match.volunteer_id == person.id))
    ).first()
    if match is None:
        return None
    return match.volunteer if match.refugee_id == person.id else match.refugee


def sign_up_friends(activity_id, person, by=None):
    """Sign up a person and their friend from an active match together: a seat for both, or for neither.

    The pair never goes on the waitlist, where one could be promoted
    without the other. Return both sign-ups; on EventError the caller
    rolls back, so neither is kept.
    """
    friend = active_friend(person)
    if friend is None:
        raise EventError(_l("This person has no active friendship."))
    activity = _locked(activity_id)
    left = seats_left(activity)
    if left is not None and left < 2:
        raise EventError(_l("There are not enough seats for both friends."))
    records = [sign_up(activity.id, person=someone, by=by) for someone in (person, friend)]
    if any(record.status != SignUpStatus.CONFIRMED for record in records):
        raise EventError(_l("There are not enough seats for both friends."))
    return records


def cancel_sign_up(sign_up_):
    """Give up a seat or leave the waitlist; return the sign-ups promoted into the freed seats."""
    activity = _locked(sign_up_.activity_id)
    if sign_up_.status == SignUpStatus.CANCELLED:
        return []
    sign_up_.status = SignUpStatus.CANCELLED
    sign_up_.cancelled_at = now_utc()
    db.session.flush()
    return _promote(activity)


def _promote(activity):
    """Give free seats to the waitlist, first come first served, skipping households that do not fit."""
    if activity.cancelled_at is not None:
        return []
    waiting = db.session.scalars(
        sa.select(SignUp).where(SignUp.activity_id == activity.id, SignUp.status == SignUpStatus.WAITLISTED)
        .order_by(SignUp.created_at, SignUp.id)
    ).all()
    left = seats_left(activity)
    promoted = []
    for candidate in waiting:
        if left is not None and candidate.seats > left:
            continue
        candidate.status = SignUpStatus.CONFIRMED
        promoted.append(candidate)
        if left is not None:
            left -= candidate.seats
    db.session.flush()
    notices.tell_promoted(promoted)
    return promoted


# Venues and the door -----------------------------------------------------------

VENUE_FIELDS = ("name", "municipality_code", "address", "postcode", "opening_notes", "step_free", "hearing_loop",
                "child_friendly", "accessible_toilet")


def save_venue(venue, data):
    """Create (venue None) or update a venue from form data; return it."""
    if venue is None:
        venue = Venue()
        db.session.add(venue)
    for name in VENUE_FIELDS:
        setattr(venue, name, data[name])
    venue.opening_notes = (venue.opening_notes or "").strip() or None
    db.session.flush()
    return venue


def record_attendance(activity, attended_ids, walk_ins):
    """Tick who came among the confirmed sign-ups and count people who came without one."""
    for record in activity.sign_ups:
        if record.status == SignUpStatus.CONFIRMED:
            record.attended = record.id in attended_ids
    activity.walk_ins = walk_ins
    db.session.flush()


# Host slots --------------------------------------------------------------------


def take_host_slot(activity_id, user):
    """A volunteer takes one of a date's host slots; counted under the same row lock as seats."""
    activity = _locked(activity_id)
    if activity.cancelled_at is not None or activity.starts_at <= now_utc():
        raise EventError(_l("This date takes no more hosts."))
    hosts = db.session.scalars(sa.select(ActivityHost.user_id).where(ActivityHost.activity_id == activity.id)).all()
    if user.id in hosts:
        raise EventError(_l("You are already hosting this date."))
    if len(hosts) >= activity.host_slots:
        raise EventError(_l("All host slots are taken."))
    host = ActivityHost(activity_id=activity.id, user_id=user.id, created_at=now_utc())
    _add_once(host, _l("You are already hosting this date."))
    return host


def give_up_host_slot(activity, user):
    """A volunteer stops hosting a date; the slot is open again."""
    for host in list(activity.hosts):
        if host.user_id == user.id:
            activity.hosts.remove(host)
    db.session.flush()
