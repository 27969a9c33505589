"""Activities: series across daylight saving, texts in several languages, seats, waitlist, calendars, pages."""
import threading
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.events import services
from app.events.models import Activity, SignUp, Venue
from app.events.services import ActivityDetails, EventError
from app.extensions import db
from app.timeutil import LOCAL_ZONE, now_utc

TWO_HOURS = timedelta(hours=2)


@pytest.fixture
def venue(app):
    place = Venue(municipality_code=101, name="Velkomsthuset Nørrebro", address="Nørrebrogade 1", postcode="2200",
                  step_free=True)
    db.session.add(place)
    db.session.commit()
    return place


def details(venue, **overrides):
    fields = {"venue_id": venue.id, "category": "language_cafe",
              "texts": {"da": ("Sprogcafé", "Vi taler dansk"), "ar": ("مقهى اللغة", None)}}
    fields.update(overrides)
    return ActivityDetails(**fields)


@pytest.fixture
def make_activity(venue):
    """A one-off activity a week from now at 17:00 local time."""

    def make(capacity=None, days=7, **overrides):
        day = (now_utc() + timedelta(days=days)).astimezone(LOCAL_ZONE).date()
        activity = services.create_activity(details(venue, capacity=capacity, **overrides), day, time(17), TWO_HOURS)
        db.session.commit()
        return activity

    return make


def local(instant):
    return instant.astimezone(LOCAL_ZONE)


# Series and time ---------------------------------------------------------------


def test_a_weekly_series_stays_at_17_local_across_both_daylight_saving_changes(venue):
    rule = services.weekly_rule(["TU"], date(2027, 11, 30))
    series = services.create_series(details(venue), rule, date(2027, 3, 2), time(17), TWO_HOURS)
    db.session.commit()
    starts = [a.starts_at for a in series.activities]
    assert len(starts) == 40 and local(starts[-1]).date() == date(2027, 11, 30)
    assert {local(s).time() for s in starts} == {time(17)}
    assert {local(s).weekday() for s in starts} == {1}
    by_day = {local(s).date(): s for s in starts}
    # Winter time (UTC+1) before 28 March, summer time (UTC+2) until 31 October.
    assert by_day[date(2027, 3, 23)].hour == 16 and by_day[date(2027, 3, 30)].hour == 15
    assert by_day[date(2027, 10, 26)].hour == 15 and by_day[date(2027, 11, 2)].hour == 16
    assert all(a.ends_at - a.starts_at == TWO_HOURS for a in series.activities)


def test_a_series_without_a_near_end_is_refused(venue):
    with pytest.raises(EventError):
        services.create_series(details(venue), services.weekly_rule(["MO", "TH"], date(2029, 12, 31)),
                               date(2027, 1, 4), time(10), TWO_HOURS)


def test_editing_this_and_following_splits_the_series(venue):
    rule = services.weekly_rule(["TU"], date(2027, 6, 29))
    series = services.create_series(details(venue), rule, date(2027, 6, 1), time(17), TWO_HOURS)
    db.session.commit()
    third = series.activities[2]
    services.edit_following(third, details(venue, capacity=8), time(18), timedelta(hours=1))
    db.session.commit()
    assert [local(a.starts_at).day for a in series.activities] == [1, 8]
    assert series.rule.endswith("UNTIL=20270614T235959")
    new = third.series
    assert new is not series and new.first_date == date(2027, 6, 15)
    assert [(local(a.starts_at).day, local(a.starts_at).hour) for a in new.activities] == [(15, 18), (22, 18), (29, 18)]
    assert {a.capacity for a in new.activities} == {8} and series.activities[0].capacity is None


def test_editing_this_date_moves_it_but_keeps_its_place_in_the_series(venue):
    series = services.create_series(details(venue), services.weekly_rule(["TU"], date(2027, 6, 29)),
                                    date(2027, 6, 1), time(17), TWO_HOURS)
    db.session.commit()
    second = series.activities[1]
    services.edit_date(second, details(venue, texts={"en": ("Moved café", "")}), date(2027, 6, 9), time(10), TWO_HOURS)
    db.session.commit()
    assert local(second.starts_at).date() == date(2027, 6, 9) and local(second.occurrence_at).date() == date(2027, 6, 8)
    assert [t.locale for t in second.texts] == ["en"]
    assert [t.locale for t in series.activities[0].texts] == ["ar", "da"]


def test_cancelling_a_date_or_the_rest_of_a_series_returns_who_to_tell(venue, make_user):
    series = services.create_series(details(venue), services.weekly_rule(["TU"], date(2027, 6, 29)),
                                    date(2027, 6, 1), time(17), TWO_HOURS)
    user = make_user(Role.REFUGEE)
    first, second = series.activities[:2]
    booked = services.sign_up(second.id, user=user)
    assert services.cancel_date(first) == []
    assert services.cancel_following(second) == [booked]
    db.session.commit()
    assert [a.cancelled_at is not None for a in series.activities] == [True, True, True, True, True]
    with pytest.raises(EventError):
        services.sign_up(second.id, contact=("Amal", "+4511223344", None))


# Texts -------------------------------------------------------------------------


@pytest.mark.parametrize("requested, shown", [("ar", "ar"), ("fa", "da"), ("ti", "da"), ("da", "da")])
def test_title_falls_back_to_english_then_danish(make_activity, requested, shown):
    from app.events.queries import text_for

    activity = make_activity()
    assert text_for(activity, requested).locale == shown


def test_title_falls_back_to_any_language_last(make_activity):
    from app.events.queries import text_for

    activity = make_activity(texts={"ti": ("ቡና", None)})
    assert text_for(activity, "ar").locale == "ti"
    activity = make_activity(texts={"ti": ("ቡና", None), "en": ("Coffee", None)})
    assert text_for(activity, "fa").locale == "en"


def test_an_activity_needs_a_title(venue):
    with pytest.raises(EventError):
        services.create_activity(details(venue, texts={"da": ("", "only a description")}), date(2027, 1, 5),
                                 time(17), TWO_HOURS)


# Seats -------------------------------------------------------------------------


def test_family_seats_count_against_capacity_and_a_full_activity_waitlists(make_activity, make_user):
    activity = make_activity(capacity=5)
    family = services.sign_up(activity.id, seats=4, contact=("Family Haile", "+4511111111", None))
    single = services.sign_up(activity.id, user=make_user(Role.VOLUNTEER))
    late = services.sign_up(activity.id, user=make_user(Role.REFUGEE))
    later = services.sign_up(activity.id, seats=2, contact=("Two", None, "two@example.org"))
    db.session.commit()
    assert [s.status for s in (family, single, late, later)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert services.seats_left(activity) == 0
    assert [services.waitlist_position(s) for s in (family, late, later)] == [None, 1, 2]
    with pytest.raises(EventError):
        services.sign_up(activity.id, seats=6, contact=("Too many", "+4522222222", None))


def test_a_freed_seat_goes_to_the_first_on_the_waitlist_who_fits(make_activity):
    activity = make_activity(capacity=3)
    first = services.sign_up(activity.id, seats=2, contact=("A", "+4511000001", None))
    second = services.sign_up(activity.id, seats=1, contact=("B", "+4511000002", None))
    family = services.sign_up(activity.id, seats=2, contact=("C", "+4511000003", None))
    single = services.sign_up(activity.id, seats=1, contact=("D", "+4511000004", None))
    assert (family.status, single.status) == ("waitlisted", "waitlisted")
    assert services.cancel_sign_up(second) == [single]  # one seat free: the family of two does not fit
    assert services.cancel_sign_up(first) == [family]
    db.session.commit()
    assert services.seats_left(activity) == 0
    assert services.cancel_sign_up(first) == []  # cancelling twice frees nothing


def test_leaving_the_waitlist_promotes_nobody(make_activity):
    activity = make_activity(capacity=1)
    services.sign_up(activity.id, contact=("A", "+4511000001", None))
    waiting = services.sign_up(activity.id, contact=("B", "+4511000002", None))
    assert services.cancel_sign_up(waiting) == []
    assert waiting.status == "cancelled"


def test_more_capacity_promotes_the_waitlist(make_activity, venue):
    activity = make_activity(capacity=1)
    services.sign_up(activity.id, contact=("A", "+4511000001", None))
    waiting = services.sign_up(activity.id, contact=("B", "+4511000002", None))
    day = local(activity.starts_at).date()
    assert services.edit_date(activity, details(venue, capacity=2), day, time(17), TWO_HOURS) == [waiting]


def test_one_live_sign_up_per_account(make_activity, make_user):
    activity = make_activity()
    user = make_user(Role.REFUGEE)
    services.sign_up(activity.id, user=user)
    with pytest.raises(EventError):
        services.sign_up(activity.id, user=user)


def test_past_activities_take_no_sign_ups(make_activity):
    activity = make_activity()
    activity.starts_at = now_utc() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(EventError):
        services.sign_up(activity.id, contact=("A", "+4511000001", None))


def test_the_database_refuses_a_sign_up_without_a_reachable_person(make_activity):
    activity = make_activity()
    db.session.add(SignUp(activity_id=activity.id, contact_name="Nobody", seats=1))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_two_people_pressing_for_the_last_seat_never_both_get_it(_app, app, make_activity):
    activity_id = make_activity(capacity=1).id
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(phone):
        with _app.app_context():
            barrier.wait()
            try:
                services.sign_up(activity_id, contact=("Racer", phone, None))
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # the loser: refused, or locked out by the database
                db.session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt, args=(phone,)) for phone in ("+4511000001", "+4511000002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = db.session.scalars(sa.select(SignUp.status).where(SignUp.activity_id == activity_id)).all()
    assert statuses.count("confirmed") == 1
    assert outcomes.count("ok") >= 1
    if db.engine.dialect.name == "postgresql":
        assert sorted(statuses) == ["confirmed", "waitlisted"]  # waited for the lock, then saw the seat taken
