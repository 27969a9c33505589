"""Activities: series across daylight saving, texts in several languages, seats, waitlist, calendars, pages."""
import email
import re
import email.policy
import threading
from datetime import date, time, timedelta

import brotli
import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import Role
from app.events import services
from app.events.models import Activity, ActivitySeries, SignUp, Venue
from app.events.services import ActivityDetails, EventError
from app import serving
from app.extensions import db
from app.timeutil import LOCAL_ZONE, now_utc
from tests.conftest import html_root

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
    from app.events.models import text_for

    activity = make_activity()
    assert text_for(activity, requested).locale == shown


def test_title_falls_back_to_any_language_last(make_activity):
    from app.events.models import text_for

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


# Public pages ------------------------------------------------------------------


def test_the_public_list_needs_no_login_and_shows_when_where_seats_and_languages(client, make_activity, venue):
    activity = make_activity(capacity=10, languages=["ar", "da"])
    services.sign_up(activity.id, seats=3, contact=("Secret Name", "+4511000001", None))
    db.session.commit()
    page = client.get("/activities?lang=en").get_data(as_text=True)
    assert f'href="/activities/{activity.id}"' in page
    assert "Sprogcafé" in page and "Velkomsthuset Nørrebro" in page and "København" in page
    assert "7 seats left" in page and "Arabic, Danish" in page
    assert local(activity.starts_at).strftime("%-d") in page and "5:00\u202fPM" in page
    assert "Secret Name" not in page


@pytest.mark.parametrize("query, found", [
    ("municipality=101", True), ("municipality=751", False), ("category=language_cafe", True),
    ("category=trip", False), ("audience=women", False), ("date=month", False), ("date=today", False),
    ("municipality=nonsense", True),
])
def test_the_public_list_filters_with_a_plain_get_form(client, make_activity, query, found):
    activity = make_activity(days=40)
    page = client.get(f"/activities?lang=en&{query}").get_data(as_text=True)
    assert (f'href="/activities/{activity.id}"' in page) is found
    if not found:
        assert "No activities match these choices." in page


def test_the_public_list_pages_and_has_an_empty_state(client, app, make_activity):
    assert "No activities are planned yet" in client.get("/activities?lang=en").get_data(as_text=True)
    app.config["PER_PAGE"] = 2
    try:
        for days in (3, 4, 5):
            make_activity(days=days)
        first = client.get("/activities?lang=en").get_data(as_text=True)
        assert first.count('<li class="border rounded') == 2 and "Page 1 of 2" in first
        second = client.get("/activities?lang=en&page=2").get_data(as_text=True)
        assert second.count('<li class="border rounded') == 1
    finally:
        app.config["PER_PAGE"] = 25


def test_the_public_list_shows_a_new_sign_up_at_once(client, make_activity):
    activity = make_activity(capacity=4)
    assert "4 seats left" in client.get("/activities?lang=en").get_data(as_text=True)
    services.sign_up(activity.id, seats=3, contact=("Visitor", "+4511000001", None))
    db.session.commit()
    assert "1 seat left" in client.get("/activities?lang=en").get_data(as_text=True)
    services.sign_up(activity.id, seats=1, contact=("Visitor", "+4511000002", None))
    db.session.commit()
    assert "Full – join the waitlist" in client.get("/activities?lang=en").get_data(as_text=True)


def test_a_visitors_browser_revalidates_the_public_list_and_is_told_when_it_changed(client, make_activity, login_as):
    activity = make_activity(capacity=4)
    first = client.get("/activities?lang=en")
    assert first.headers["ETag"].startswith('W/"') and "no-cache" in first.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= set(first.headers["Vary"].replace(" ", "").split(","))
    again = client.get("/activities?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    services.sign_up(activity.id, seats=1, contact=("Visitor", "+4511000001", None))
    db.session.commit()
    changed = client.get("/activities?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "3 seats left" in changed.get_data(as_text=True)
    login_as(Role.REFUGEE)
    mine = client.get("/activities?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert mine.status_code == 200 and "ETag" not in mine.headers and mine.headers["Cache-Control"] == "no-store"


def test_visitors_share_a_list_rendered_in_the_last_seconds_and_logged_in_users_never_do(
        client, app, make_activity, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setattr(serving, "_visitor_pages", {})
    activity = make_activity(capacity=4)
    assert "4 seats left" in client.get("/activities?lang=en").get_data(as_text=True)
    services.sign_up(activity.id, seats=1, contact=("Visitor", "+4511000001", None))
    db.session.commit()
    assert "4 seats left" in client.get("/activities?lang=en").get_data(as_text=True)
    assert "3 seats left" in client.get("/activities?lang=en&category=language_cafe").get_data(as_text=True)
    login_as(Role.REFUGEE)
    assert "3 seats left" in client.get("/activities?lang=en").get_data(as_text=True)
    serving._visitor_pages.clear()  # the seconds have passed
    client.post("/auth/logout")
    assert "3 seats left" in client.get("/activities?lang=en").get_data(as_text=True)


def test_a_cached_activity_page_gives_each_visitor_a_token_of_their_own(app, make_activity, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setattr(serving, "_visitor_pages", {})
    activity = make_activity(capacity=4)
    first, second = app.test_client(), app.test_client()
    tokens = []
    for visitor in (first, second):
        page = visitor.get(f"/activities/{activity.id}?lang=en").get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))
    assert tokens[0] != tokens[1] and len(serving._visitor_pages) == 1
    response = second.post(f"/activities/{activity.id}/sign-up?lang=en", data={
        "csrf_token": tokens[1], "name": "Second Visitor", "phone": "+4511000009", "extra": "0"})
    assert response.status_code == 302 and "/activities/sign-ups/" in response.headers["Location"]
    assert db.session.scalar(sa.select(SignUp.contact_name).where(SignUp.activity_id == activity.id)) == "Second Visitor"


@pytest.fixture
def front_cache(app, monkeypatch):
    """The visitor page caches on for a minute; returns a list of the requests that reached the app."""
    from flask import request, request_started

    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setattr(serving, "_visitor_pages", {})
    reached = []

    def count(sender, **extra):
        reached.append(request.full_path)

    request_started.connect(count, app)
    yield reached
    request_started.disconnect(count, app)
    app.extensions["visitor_page_cache"].pages.clear()


def test_a_visitors_list_is_served_again_as_sent_without_running_the_app(client, app, make_activity, front_cache):
    activity = make_activity(capacity=4)
    first = client.get("/activities", headers={"Accept-Language": "en"})
    services.sign_up(activity.id, seats=1, contact=("Visitor", "+4511000001", None))
    db.session.commit()
    again = client.get("/activities", headers={"Accept-Language": "en"})
    assert front_cache == ["/activities?"]
    assert again.data == first.data and "4 seats left" in again.get_data(as_text=True)
    assert again.headers["Content-Security-Policy"] and again.headers["ETag"] == first.headers["ETag"]
    revalidated = client.get("/activities", headers={"Accept-Language": "en", "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.data == b"" and len(front_cache) == 1
    assert client.head("/activities", headers={"Accept-Language": "en"}).data == b"" and len(front_cache) == 1

    arabic = client.get("/activities", headers={"Accept-Language": "ar"})
    assert html_root(arabic) == ("ar", "rtl") and len(front_cache) == 2
    app.extensions["visitor_page_cache"].pages.clear()  # the seconds have passed
    serving._visitor_pages.clear()
    assert "3 seats left" in client.get("/activities", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_logged_in_users_and_visitors_with_a_message_waiting_never_get_the_kept_page(
        client, app, make_activity, login_as, front_cache):
    make_activity(capacity=4)
    client.get("/activities?lang=en")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Thank you for signing up")]
    assert "Thank you for signing up" in client.get("/activities?lang=en").get_data(as_text=True)
    assert "Thank you for signing up" not in app.test_client().get("/activities?lang=en").get_data(as_text=True)
    login_as(Role.REFUGEE)
    mine = client.get("/activities?lang=en")
    assert mine.headers["Cache-Control"] == "no-store" and "ETag" not in mine.headers
    # The new visitor's page came from the cache; the one with a message and the logged-in user's from the app.
    assert front_cache[:2] == ["/activities?lang=en"] * 2 and front_cache[-1] == "/activities?lang=en"
    assert front_cache.count("/activities?lang=en") == 3


def test_a_kept_page_with_a_form_gets_each_visitors_own_token_compressed_as_the_app_would(
        app, make_activity, front_cache, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    activity = make_activity(capacity=4)
    page_path, brotli_asked = f"/activities/{activity.id}?lang=en", {"Accept-Encoding": "br"}
    first, second = app.test_client(), app.test_client()

    def token_on(client, path):
        response = client.get(path, headers=brotli_asked)
        assert response.headers["Content-Encoding"] == "br"
        page = brotli.decompress(response.data).decode()
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1), page

    # The first pages make the visitor's session (its token, then Flask-Login's flag): each sets a new
    # cookie and is never kept. The next page with a form, from the app, is kept with its token marked.
    for _ in range(2):
        token_on(first, page_path)
    first_token, rendered = token_on(first, page_path)
    assert len(front_cache) == 3 and token_on(first, page_path) == (first_token, rendered) and len(front_cache) == 3

    for _ in range(3):  # the app makes this visitor's form token: this worker knows it after the third
        token_on(second, "/volunteer?lang=en")
    reached = len(front_cache)
    second_token, page = token_on(second, page_path)
    assert len(front_cache) == reached and second_token != first_token
    assert page == rendered.replace(first_token, second_token)
    response = second.post(f"/activities/{activity.id}/sign-up?lang=en", data={
        "csrf_token": second_token, "name": "Second Visitor", "phone": "+4511000009", "extra": "0"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(SignUp.contact_name).where(SignUp.activity_id == activity.id)) == "Second Visitor"


def test_a_visitor_switches_language_with_links_that_keep_the_filters(client, make_activity):
    make_activity()
    page = client.get("/activities?category=language_cafe").get_data(as_text=True)
    assert 'action="/language"' not in page
    assert 'href="/activities?category=language_cafe&amp;lang=ar"' in page
    arabic = client.get("/activities?category=language_cafe&lang=ar")
    assert html_root(arabic) == ("ar", "rtl")
    assert html_root(client.get("/activities")) == ("ar", "rtl")


def test_an_activity_page_says_which_language_it_is_shown_in(client, make_activity):
    activity = make_activity(what_to_bring="Kaffekop", price=0, interpreter=True)
    arabic = client.get(f"/activities/{activity.id}?lang=ar").get_data(as_text=True)
    assert "مقهى اللغة" in arabic and "Not yet written" not in arabic
    farsi = client.get(f"/activities/{activity.id}?lang=en").get_data(as_text=True)
    assert "Sprogcafé" in farsi and "Not yet written in your language; shown in Dansk." in farsi
    assert "Kaffekop" in farsi and "Free" in farsi and "Interpreter present" in farsi
    assert f"/activities/{activity.id}.ics" in farsi and f"/venues/{activity.venue_id}/calendar.ics" in farsi


def test_an_activity_page_never_names_the_people_signed_up(client, make_activity, make_user):
    activity = make_activity(capacity=1)
    services.sign_up(activity.id, user=make_user(Role.VOLUNTEER, full_name="Volunteer Visible"))
    services.sign_up(activity.id, contact=("Waiting Person", "+4511000002", None))
    db.session.commit()
    page = client.get(f"/activities/{activity.id}?lang=en").get_data(as_text=True)
    assert "Volunteer Visible" not in page and "Waiting Person" not in page
    assert "1 person waiting" in page and "Join the waitlist" in page


def test_unknown_activity_is_404(client):
    assert client.get("/activities/999").status_code == 404
    assert client.get("/activities/999.ics").status_code == 404
    assert client.get("/venues/999/calendar.ics").status_code == 404


# Calendars ---------------------------------------------------------------------


def parse_ics(response):
    from icalendar import Calendar

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


@pytest.mark.parametrize("path", ["/activities/{id}.ics", "/venues/{venue}/calendar.ics"])
def test_calendars_answer_304_until_they_change(client, venue, path):
    from freezegun import freeze_time

    activity = services.create_activity(details(venue), date(2027, 7, 6), time(17), TWO_HOURS)
    db.session.commit()
    url = path.format(id=activity.id, venue=venue.id)
    with freeze_time("2027-06-01 10:00"):
        first = client.get(url)
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    with freeze_time("2027-06-01 10:05"):  # a calendar's DTSTAMP changes, what it says does not
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and not again.data
        services.cancel_date(activity)
        db.session.commit()
        changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_an_activity_calendar_file_has_the_local_time_of_the_page(client, venue):
    activity = services.create_activity(details(venue), date(2027, 7, 6), time(17), TWO_HOURS)
    db.session.commit()
    calendar = parse_ics(client.get(f"/activities/{activity.id}.ics?lang=en"))
    event, = calendar.walk("VEVENT")
    assert event["uid"] and event["dtstamp"]
    assert event["dtstart"].params["TZID"] == "Europe/Copenhagen"
    assert event.decoded("dtstart").replace(tzinfo=None).isoformat() == "2027-07-06T17:00:00"
    assert event.decoded("dtend").astimezone(LOCAL_ZONE).hour == 19
    assert str(event["summary"]) == "Sprogcafé"
    assert "Velkomsthuset Nørrebro" in str(event["location"]) and "2200" in str(event["location"])
    timezone, = calendar.walk("VTIMEZONE")
    assert timezone["tzid"] == "Europe/Copenhagen"
    arabic = parse_ics(client.get(f"/activities/{activity.id}.ics?lang=ar"))
    assert str(arabic.walk("VEVENT")[0]["summary"]) == "مقهى اللغة"


def test_a_venue_feed_has_a_series_once_with_its_rule_and_cancelled_dates(client, venue):
    series = services.create_series(details(venue), services.weekly_rule(["TU"], date(2027, 11, 30)),
                                    date(2027, 3, 2), time(17), TWO_HOURS)
    cancelled_summer, cancelled_winter = series.activities[10], series.activities[36]
    services.cancel_date(cancelled_summer)
    services.cancel_date(cancelled_winter)
    moved = series.activities[5]
    services.edit_date(moved, details(venue), date(2027, 4, 7), time(10), TWO_HOURS)
    one_off = services.create_activity(details(venue, texts={"en": ("Trip to the beach", None)}, category="trip"),
                                       date(2027, 6, 5), time(9), TWO_HOURS)
    db.session.commit()
    calendar = parse_ics(client.get(f"/venues/{venue.id}/calendar.ics?lang=da"))
    events = calendar.walk("VEVENT")
    masters = [e for e in events if "RRULE" in e]
    assert len(masters) == 1 and len(events) == 3
    master, = masters
    assert master.decoded("dtstart").replace(tzinfo=None).isoformat() == "2027-03-02T17:00:00"
    rule = master["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    assert rule["UNTIL"][0].isoformat() == "2027-11-30T22:59:59+00:00"  # 23:59:59 in Copenhagen, in UTC
    exdates = [d.dt.astimezone(LOCAL_ZONE) for d in master["exdate"].dts]
    assert [(d.date(), d.hour) for d in exdates] == [(date(2027, 5, 11), 17), (date(2027, 11, 9), 17)]
    override, = [e for e in events if "RECURRENCE-ID" in e]
    assert override["uid"] == master["uid"]
    assert override.decoded("recurrence-id").astimezone(LOCAL_ZONE).isoformat() == "2027-04-06T17:00:00+02:00"
    assert override.decoded("dtstart").astimezone(LOCAL_ZONE).isoformat() == "2027-04-07T10:00:00+02:00"
    single, = [e for e in events if e["uid"] == f"activity-{one_off.id}@localhost"]
    assert str(single["summary"]) == "Trip to the beach"


# Signing up through the pages --------------------------------------------------


def test_a_refugee_signs_up_with_family_and_cancels_with_one_tap(client, login_as, make_activity):
    activity = make_activity(capacity=4)
    user = login_as(Role.REFUGEE, locale="en")
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "Me and 3 more" in page
    response = client.post(f"/activities/{activity.id}/sign-up", data={"extra": 2}, follow_redirects=True)
    assert "You have a place. See you there!" in response.get_data(as_text=True)
    record = db.session.scalars(sa.select(SignUp).where(SignUp.user_id == user.id)).one()
    assert (record.seats, record.status) == (3, "confirmed")
    assert "You bring 2 more." in response.get_data(as_text=True)
    # a second tap does not sign up twice
    client.post(f"/activities/{activity.id}/sign-up", data={"extra": 0})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 1
    response = client.post(f"/activities/{activity.id}/cancel-sign-up", follow_redirects=True)
    assert "Your sign-up is cancelled." in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.status == "cancelled"


def test_a_volunteer_joins_the_waitlist_and_sees_the_position(client, login_as, make_activity):
    activity = make_activity(capacity=1)
    services.sign_up(activity.id, contact=("First", "+4511000001", None))
    db.session.commit()
    login_as(Role.VOLUNTEER, locale="en")
    response = client.post(f"/activities/{activity.id}/sign-up", data={"extra": 0}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You are number 1 on the waitlist." in page and "Leave the waitlist" in page
    response = client.post(f"/activities/{activity.id}/cancel-sign-up", follow_redirects=True)
    assert "You have left the waitlist." in response.get_data(as_text=True)


def test_a_visitor_signs_up_with_a_phone_and_keeps_a_personal_link(client, make_activity):
    activity = make_activity(capacity=5)
    response = client.post(f"/activities/{activity.id}/sign-up?lang=en",
                           data={"name": "Amal", "phone": "22 33 44 55", "email": "", "extra": 1})
    assert response.status_code == 302 and "/activities/sign-ups/" in response.location
    link = response.location
    page = client.get(link).get_data(as_text=True)
    assert "You have a place." in page and "Keep this link" in page and "You bring 1 more." in page
    record = db.session.scalars(sa.select(SignUp)).one()
    assert (record.contact_phone, record.seats, record.locale) == ("+4522334455", 2, "en")
    client.post(f"{link}/cancel")
    db.session.refresh(record)
    assert record.status == "cancelled"
    assert "This sign-up is cancelled." in client.get(link).get_data(as_text=True)


def test_a_visitor_must_give_a_way_to_be_reached_and_keeps_what_they_typed(client, make_activity):
    activity = make_activity()
    response = client.post(f"/activities/{activity.id}/sign-up?lang=en", data={"name": "Amal", "phone": "", "email": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give a phone number or an e-mail address" in page
    assert 'value="Amal"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0


def test_a_forged_sign_up_link_is_refused(client):
    assert client.get("/activities/sign-ups/not-a-token?lang=en").status_code == 410


def test_a_cancelled_activity_takes_no_sign_ups(client, make_activity):
    activity = make_activity()
    services.cancel_date(activity)
    db.session.commit()
    page = client.get(f"/activities/{activity.id}?lang=en").get_data(as_text=True)
    assert "This activity is cancelled." in page and "Sign-up is closed." in page
    response = client.post(f"/activities/{activity.id}/sign-up?lang=en",
                           data={"name": "Amal", "phone": "22334455"}, follow_redirects=True)
    assert "This activity is cancelled." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0


def test_head_office_cannot_sign_up(client, login_as, make_activity):
    activity = make_activity()
    login_as(Role.HEAD_OFFICE)
    assert client.post(f"/activities/{activity.id}/sign-up", data={"extra": 0}).status_code == 403


# Managers ----------------------------------------------------------------------


def test_a_manager_adds_a_venue_in_their_municipality_only(client, login_as):
    login_as(Role.MANAGER, ["København"], locale="en")
    data = {"name": "Welcome House", "municipality_code": 101, "address": "Street 1", "postcode": "2200",
            "step_free": "y"}
    response = client.post("/manage/venues/new", data=data, follow_redirects=True)
    assert "The place is saved." in response.get_data(as_text=True)
    venue = db.session.scalars(sa.select(Venue)).one()
    assert venue.step_free and not venue.hearing_loop
    refused = client.post("/manage/venues/new", data=dict(data, municipality_code=751, postcode="8000"))
    assert refused.status_code == 200 and db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 1
    bad = client.post("/manage/venues/new", data=dict(data, postcode="0000")).get_data(as_text=True)
    assert "This is not a Danish postcode we know." in bad and 'value="Welcome House"' in bad


def test_managers_see_and_edit_only_their_municipalities(client, login_as, venue, make_activity):
    activity = make_activity()
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    assert client.get(f"/manage/venues/{venue.id}/edit").status_code == 403
    assert client.get(f"/manage/activities/{activity.id}/edit").status_code == 403
    assert client.get(f"/manage/activities/{activity.id}/sign-ups").status_code == 403
    assert f"/activities/{activity.id}" not in client.get("/manage/activities").get_data(as_text=True)


def activity_form(venue, **overrides):
    data = {"venue_id": venue.id, "category": "homework_cafe", "day": "2027-02-02", "start_time": "17:00",
            "end_time": "19:00", "audience": "everyone", "capacity": "12", "price": "0", "host_slots": "2",
            "texts-0-title": "", "texts-1-title": "Homework café", "texts-1-description": "Bring your books",
            "languages": ["da", "ar"]}
    data.update(overrides)
    return data


def test_a_manager_creates_a_weekly_series_and_edits_this_and_following(client, login_as, venue):
    login_as(Role.MANAGER, ["København"], locale="en")
    assert "Title and description" in client.get("/manage/activities/new").get_data(as_text=True)
    response = client.post("/manage/activities/new", data=activity_form(
        venue, repeat_weekdays=["TU", "TH"], repeat_until="2027-02-28"), follow_redirects=True)
    assert "The activity is saved." in response.get_data(as_text=True)
    dates = db.session.scalars(sa.select(Activity).order_by(Activity.starts_at)).all()
    assert [local(a.starts_at).day for a in dates] == [2, 4, 9, 11, 16, 18, 23, 25]
    assert dates[0].languages == ["da", "ar"] and dates[0].texts[0].locale == "en"
    edit = client.get(f"/manage/activities/{dates[4].id}/edit").get_data(as_text=True)
    assert "This and all following dates" in edit and 'value="Homework café"' in edit
    client.post(f"/manage/activities/{dates[4].id}/edit", data=activity_form(
        venue, scope="following", start_time="16:00", end_time="18:00", capacity="20"))
    for a in dates:
        db.session.refresh(a)
    assert [local(a.starts_at).hour for a in dates] == [17, 17, 17, 17, 16, 16, 16, 16]
    assert {a.capacity for a in dates[4:]} == {20} and dates[4].series_id != dates[0].series_id


def test_the_activity_form_keeps_what_was_typed_on_errors(client, login_as, venue):
    login_as(Role.MANAGER, ["København"], locale="en")
    page = client.post("/manage/activities/new", data=activity_form(
        venue, **{"texts-1-title": "", "texts-2-description": "وصف", "end_time": "16:00"})).get_data(as_text=True)
    assert "Give the activity a title in at least one language." in page
    assert "The end must be after the start." in page and "وصف" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_a_manager_cancels_one_date_after_confirming(client, login_as, venue):
    series = services.create_series(details(venue), services.weekly_rule(["TU"], date(2027, 6, 29)),
                                    date(2027, 6, 1), time(17), TWO_HOURS)
    db.session.commit()
    login_as(Role.MANAGER, ["København"], locale="en")
    second = series.activities[1]
    assert "This date only" in client.get(f"/manage/activities/{second.id}/cancel").get_data(as_text=True)
    assert second.cancelled_at is None
    client.post(f"/manage/activities/{second.id}/cancel", data={"scope": "date"})
    for a in series.activities:
        db.session.refresh(a)
    assert [a.cancelled_at is not None for a in series.activities] == [False, True, False, False, False]
    client.post(f"/manage/activities/{series.activities[0].id}/cancel", data={"scope": "series"})
    for a in series.activities:
        db.session.refresh(a)
    assert all(a.cancelled_at is not None for a in series.activities)


def test_door_list_signs_up_from_the_registry_and_ticks_attendance(client, login_as, make_activity, make_person):
    activity = make_activity(capacity=3)
    person = make_person("refugee", full_name="Registry Refugee", municipality_code=101, postcode="2200")
    contact = services.sign_up(activity.id, contact=("Walk Up", "+4511000001", None))
    db.session.commit()
    manager = login_as(Role.MANAGER, ["København"], locale="en")
    found = client.get(f"/manage/activities/{activity.id}/sign-ups?q=registry").get_data(as_text=True)
    assert "Registry Refugee" in found
    client.post(f"/manage/activities/{activity.id}/sign-ups", data={"person_id": person.id, "extra": 1})
    record = db.session.scalars(sa.select(SignUp).where(SignUp.person_id == person.id)).one()
    assert (record.seats, record.status) == (2, "confirmed")
    # The door list names a person of the registry: the audit log has the manager's look at them.
    # (The home page the login led to named them too, among the longest waiting.)
    views = sa.select(AuditEntry.user_id).where(AuditEntry.person_id == person.id, AuditEntry.action == "viewed")
    before = db.session.scalars(views).all()
    page = client.get(f"/manage/activities/{activity.id}/sign-ups").get_data(as_text=True)
    assert "Walk Up" in page and "+4511000001" in page
    assert db.session.scalars(views).all() == before + [manager.id]
    client.post(f"/manage/activities/{activity.id}/attendance", data={"attended": [record.id], "walk_ins": 4})
    db.session.refresh(record)
    db.session.refresh(contact)
    db.session.refresh(activity)
    assert record.attended and not contact.attended and activity.walk_ins == 4


def test_a_manager_cancels_a_sign_up_and_the_waitlist_moves_up(client, login_as, make_activity):
    activity = make_activity(capacity=1)
    first = services.sign_up(activity.id, contact=("First", "+4511000001", None))
    second = services.sign_up(activity.id, contact=("Second", "+4511000002", None))
    db.session.commit()
    login_as(Role.MANAGER, ["København"], locale="en")
    client.post(f"/manage/sign-ups/{first.id}/cancel")
    db.session.refresh(second)
    assert second.status == "confirmed"


def test_navbar_links_to_activities(client, login_as):
    assert 'href="/activities"' in client.get("/").get_data(as_text=True)
    login_as(Role.MANAGER, ["København"], locale="en")
    assert 'href="/manage/activities"' in client.get("/").get_data(as_text=True)


def test_the_public_pages_weigh_at_most_150_kb_compressed(client, make_activity):
    """HTML, CSS and JavaScript of a first visit, as a server compressing with gzip sends them."""
    import gzip
    import re

    activity = make_activity(capacity=10, languages=["ar", "da", "en"])
    for url in ("/activities?lang=ar", f"/activities/{activity.id}?lang=ti"):
        html = client.get(url).data
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        assert assets, "the page should load its stylesheet"
        total = len(gzip.compress(html)) + sum(len(gzip.compress(client.get(a.decode()).data)) for a in assets)
        assert total <= 150 * 1024, f"{url}: {total} bytes"


# Browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("ti", "ltr"), ("da", "ltr")])
def test_the_public_pages_fit_a_small_phone_without_javascript(new_page, live_server, venue, lang, direction):
    from tests.conftest import has_horizontal_scroll, screenshot

    series = services.create_series(
        details(venue, capacity=6, languages=["ar", "ti", "da", "fa"], interpreter=True, what_to_bring="Madpakke",
                texts={"da": ("Sprogcafé med lange ord som velkomstarrangement", "Vi øver dansk sammen over kaffe."),
                       "ar": ("مقهى اللغة", "نتمرن على اللغة الدنماركية معًا."), "ti": ("ካፈ ቋንቋ", None)}),
        services.weekly_rule(["TU"], (now_utc() + timedelta(days=60)).date()),
        (now_utc() + timedelta(days=1)).date(), time(17), TWO_HOURS)
    services.create_activity(details(venue, category="swimming", audience="women", capacity=2,
                                     texts={"en": ("Women's swimming", None)}),
                             (now_utc() + timedelta(days=2)).date(), time(10), TWO_HOURS)
    first = series.activities[0]
    services.sign_up(first.id, seats=6, contact=("Full House", "+4511000001", None))
    services.sign_up(first.id, contact=("Waiting", "+4511000002", None))
    db.session.commit()
    page = new_page(java_script_enabled=False, viewport={"width": 360, "height": 740})
    for name, url in (("list", "/activities"), ("activity", f"/activities/{first.id}")):
        page.goto(f"{live_server}{url}?lang={lang}")
        assert page.get_attribute("html", "dir") == direction
        assert not has_horizontal_scroll(page)
        screenshot(page, f"activities-{name}-{lang}-360")
    # The activity is full: the sign-up form offers the waitlist, and works without JavaScript.
    page.fill("#name", "Test")
    page.fill("#phone", "22334455")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/activities/sign-ups/" in page.url
    screenshot(page, f"activities-signed-up-{lang}-360")
    assert not has_horizontal_scroll(page)


def test_attendance_per_month_venue_and_category_in_a_chart_and_a_csv(client, login_as, venue, make_user):
    from freezegun import freeze_time

    with freeze_time("2027-01-10 12:00:00"):
        january = services.create_activity(details(venue, capacity=10), date(2027, 1, 12), time(17), TWO_HOURS)
        february = services.create_activity(details(venue), date(2027, 2, 2), time(17), TWO_HOURS)
        trip = services.create_activity(details(venue, category="trip"), date(2027, 2, 6), time(9), TWO_HOURS)
        services.create_activity(details(venue), date(2027, 3, 2), time(17), TWO_HOURS)  # not yet held
        came = services.sign_up(january.id, seats=3, contact=("Family", "+4511000001", None))
        services.sign_up(january.id, contact=("Absent", "+4511000002", None))
        services.record_attendance(january, {came.id}, walk_ins=2)
        services.record_attendance(february, set(), walk_ins=5)
        services.cancel_date(trip)
        db.session.commit()
    with freeze_time("2027-02-20 12:00:00"):
        login_as(Role.MANAGER, ["København"], locale="en")
        page = client.get("/manage/attendance").get_data(as_text=True)
        assert "<svg" in page and "Jan 2027" in page and "Feb 2027" in page
        csv_text = client.get("/manage/attendance.csv").data.decode("utf-8-sig")
    lines = csv_text.strip().split("\r\n")
    assert lines[0] == "Month;Place;Kind;Dates;Seats signed up;Came (signed up);Walk-ins;Came in all"
    assert lines[1:] == ["2027-01;Velkomsthuset Nørrebro;Language café;1;4;3;2;5",
                         "2027-02;Velkomsthuset Nørrebro;Language café;1;0;0;5;5"]


def test_head_office_sees_no_attendance_lists(client, login_as):
    login_as(Role.HEAD_OFFICE)
    assert client.get("/manage/attendance").status_code == 403
    assert client.get("/manage/activities").status_code == 403


def test_a_refugee_sees_their_activities_and_waitlist_position_at_home(client, login_as, make_activity):
    full = make_activity(capacity=1, days=3)
    services.sign_up(full.id, contact=("First", "+4511000001", None))
    db.session.commit()
    user = login_as(Role.REFUGEE, locale="en")
    assert "You have not signed up for anything yet." in client.get("/").get_data(as_text=True)
    services.sign_up(full.id, user=user)
    services.sign_up(make_activity(days=5).id, user=user)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Your activities" in page and "You are number 1 on the waitlist." in page and "You have a place." in page


def test_volunteers_take_host_slots_until_they_are_gone(client, login_as, make_activity, make_user):
    activity = make_activity(host_slots=1)
    other = make_user(Role.VOLUNTEER)
    login_as(Role.VOLUNTEER, locale="en", full_name="Helpful Host")
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "0 of 1 host slots taken." in page and "Host this date" in page
    response = client.post(f"/activities/{activity.id}/host", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Thank you for hosting!" in page and "Stop hosting" in page and "Helpful Host" not in page.split("<main")[1]
    home = client.get("/").get_data(as_text=True)
    assert "You host" in home and f"/activities/{activity.id}" in home.split("You host")[1]
    with pytest.raises(EventError):
        services.take_host_slot(activity.id, other)
    db.session.rollback()
    client.post(f"/activities/{activity.id}/stop-hosting")
    assert services.take_host_slot(activity.id, other).user_id == other.id


@pytest.fixture
def friends(make_person):
    """A refugee and a volunteer in an active friendship in København."""
    from app.matches import services as matches

    refugee = make_person("refugee", full_name="Refugee Friend", municipality_code=101, postcode="2200",
                          languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", full_name="Volunteer Friend", municipality_code=101, postcode="2200",
                            languages={"ar": 3, "da": 5}, capacity=1)
    match = matches.propose(refugee.id, volunteer.id, None)
    matches.accept(match, "refugee", None)
    matches.accept(match, "volunteer", None)
    db.session.commit()
    return refugee, volunteer


def test_friends_sign_up_together_or_not_at_all(client, login_as, make_activity, friends):
    refugee, volunteer = friends
    tight = make_activity(capacity=3)
    services.sign_up(tight.id, seats=2, contact=("Family", "+4511000001", None))
    db.session.commit()
    with pytest.raises(EventError):
        services.sign_up_friends(tight.id, refugee)
    db.session.rollback()
    roomy = make_activity(capacity=4)
    services.sign_up(roomy.id, person=volunteer)
    db.session.commit()
    with pytest.raises(EventError):  # the volunteer already has a seat: the refugee does not get one alone
        services.sign_up_friends(roomy.id, refugee)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp).where(SignUp.person_id == refugee.id)) == 0

    open_ = make_activity(capacity=2)
    login_as(Role.MANAGER, ["København"], locale="en")
    page = client.get(f"/manage/activities/{open_.id}/sign-ups?q=refugee friend").get_data(as_text=True)
    assert "Sign up together with their friend Volunteer Friend" in page
    client.post(f"/manage/activities/{open_.id}/sign-ups", data={"person_id": refugee.id, "with_friend": "y"})
    statuses = db.session.execute(sa.select(SignUp.person_id, SignUp.status).where(SignUp.activity_id == open_.id)).all()
    assert sorted(statuses) == sorted([(refugee.id, "confirmed"), (volunteer.id, "confirmed")])


def test_a_script_cannot_fill_an_activity_without_accounts(client, make_activity):
    activity = make_activity()
    client.post(f"/activities/{activity.id}/sign-up", data={"name": "Bot", "phone": "22334455", "website": "x"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0
    codes = [client.post(f"/activities/{activity.id}/sign-up", data={"name": f"P{n}", "phone": f"2233440{n}"}).status_code
             for n in range(7)]
    assert codes == [302] * 5 + [429] * 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 5


@pytest.mark.browser
def test_a_refugee_signs_up_and_cancels_by_tapping(page, live_server, make_activity, make_user):
    from tests.conftest import PASSWORD, screenshot

    activity = make_activity(capacity=4)
    refugee = make_user(Role.REFUGEE, locale="ar")
    page.goto(f"{live_server}/auth/login")
    page.fill("#login", refugee.email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server}/activities/{activity.id}")
    page.select_option("#extra", "1")
    page.click("#sign-up-heading ~ form button[type=submit]")
    assert "لديك مكان" in page.locator("main").inner_text()
    screenshot(page, "activity-signed-up-ar")
    page.click("#sign-up-heading ~ form button[type=submit]")
    assert "تم إلغاء تسجيلك" in page.locator("main").inner_text()
    assert db.session.scalar(sa.select(SignUp.status)) == "cancelled"


@pytest.mark.browser
def test_the_door_list_works_on_a_phone(page, live_server, make_activity, make_user):
    from tests.conftest import PASSWORD, has_horizontal_scroll, screenshot

    activity = make_activity(capacity=6, host_slots=1)
    family = services.sign_up(activity.id, seats=3, contact=("عائلة الحسن", "+4511000001", None))
    services.sign_up(activity.id, contact=("Søren Ærø", None, "soren@example.org"))
    db.session.commit()
    manager = make_user(Role.MANAGER, ["København"], locale="da")
    page.goto(f"{live_server}/auth/login")
    page.fill("#login", manager.email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server}/manage/activities/{activity.id}/sign-ups")
    page.locator("form[action$=attendance] label", has_text="عائلة الحسن").click()
    page.fill("#walk_ins", "2")
    page.click("form[action$=attendance] [type=submit]")
    page.wait_for_load_state()
    assert "Fremmødet er gemt." in page.locator("main").inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, "door-list-da")
    db.session.refresh(family)
    assert family.attended
    for name, url in (("manage", "/manage/activities"), ("activity-form", "/manage/activities/new"),
                      ("cancel", f"/manage/activities/{activity.id}/cancel"), ("venues", "/manage/venues")):
        page.goto(f"{live_server}{url}")
        assert not has_horizontal_scroll(page), url
        screenshot(page, f"manager-{name}-da")


def test_editing_from_the_first_date_changes_the_series_itself(venue):
    series = services.create_series(details(venue), services.weekly_rule(["TU"], date(2027, 6, 29)),
                                    date(2027, 6, 1), time(17), TWO_HOURS)
    db.session.commit()
    moved = series.activities[2]
    services.edit_date(moved, details(venue), date(2027, 6, 16), time(12), TWO_HOURS)  # Wednesday
    services.edit_following(series.activities[0], details(venue), time(18), TWO_HOURS)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActivitySeries)) == 1
    assert series.start_time == time(18)
    # "this and following" wins over a single moved date: it is back on the rule's Tuesday
    assert [(local(a.starts_at).day, local(a.starts_at).hour) for a in series.activities] == [
        (1, 18), (8, 18), (15, 18), (22, 18), (29, 18)]


def test_a_double_tap_past_the_checks_is_refused_by_the_unique_index(make_activity, make_user, monkeypatch):
    activity = make_activity()
    user = make_user(Role.REFUGEE)
    services.sign_up(activity.id, user=user)
    db.session.commit()
    monkeypatch.setattr(services, "live_sign_up_of", lambda *args, **kwargs: None)  # both taps passed the check
    with pytest.raises(EventError):
        services.sign_up(activity.id, user=user)
    db.session.rollback()


def test_a_price_is_shown_in_the_viewers_locale(client, make_activity):
    activity = make_activity(price=20)
    assert "20,00\xa0kr." in client.get(f"/activities/{activity.id}?lang=da").get_data(as_text=True)
    assert "DKK" in client.get(f"/activities/{activity.id}?lang=en").get_data(as_text=True)


def test_merging_two_records_keeps_their_sign_ups_once(client, login_as, make_activity, make_person):
    from app.people.merging import merge_people

    keep = make_person("refugee", full_name="Kept Record", municipality_code=101, postcode="2200")
    other = make_person("refugee", full_name="Kept Record", municipality_code=101, postcode="2200")
    both, only_other = make_activity(capacity=5, days=3), make_activity(days=4)
    services.sign_up(both.id, person=keep)
    services.sign_up(both.id, person=other)
    services.sign_up(only_other.id, person=other)
    db.session.commit()
    merge_people(keep, other, None)
    db.session.commit()
    live = db.session.execute(sa.select(SignUp.activity_id, SignUp.person_id).where(SignUp.status != "cancelled")).all()
    assert sorted(live) == sorted([(both.id, keep.id), (only_other.id, keep.id)])
    login_as(Role.MANAGER, ["København"], locale="en")
    page = client.get(f"/people/{keep.id}").get_data(as_text=True)
    assert "Coming activities" in page and f"/manage/activities/{only_other.id}/sign-ups" in page


# E-mails: cancellations, freed seats, reminders, "we missed you" -------------------


def _body(message):
    return message.get_content()


def test_cancelling_dates_tells_each_person_once_in_their_own_language(venue, make_person, outbox):
    rule = services.weekly_rule(["TU"], now_utc().date() + timedelta(days=40))
    first = (now_utc() + timedelta(days=3)).astimezone(LOCAL_ZONE).date()
    series = services.create_series(details(venue), rule, first, time(17), TWO_HOURS)
    refugee = make_person("refugee", full_name="ريم منصور", email="reem@example.org", message_locale="ar")
    for activity in series.activities[:2]:
        services.sign_up(activity.id, person=refugee)
    services.sign_up(series.activities[0].id, contact=("Anna", None, "anna@example.org"), locale="en")
    services.sign_up(series.activities[0].id, contact=("Bo", "+4522334455", None), locale="da")
    db.session.commit()

    services.cancel_series(series)
    db.session.commit()
    by_address = {m["To"]: m for m in outbox}
    assert set(by_address) == {"reem@example.org", "anna@example.org"}  # Bo has only a phone
    arabic = by_address["reem@example.org"]
    assert "أُلغي نشاطان" in arabic["Subject"]
    assert _body(arabic).count("مقهى اللغة") == 2  # both dates in one e-mail, titles in Arabic
    assert "Activity you signed up for is cancelled" not in _body(arabic)
    assert by_address["anna@example.org"]["Subject"] == "An activity you signed up for is cancelled"


def test_a_cancellation_rolled_back_tells_nobody(make_activity, outbox):
    activity = make_activity()
    services.sign_up(activity.id, contact=("Anna", None, "anna@example.org"), locale="en")
    db.session.commit()
    services.cancel_date(activity)
    db.session.rollback()
    assert len(outbox) == 0


def test_the_first_on_the_waitlist_is_told_and_can_pass_the_seat_on(client, make_activity, outbox):
    activity = make_activity(capacity=1)
    seated = services.sign_up(activity.id, contact=("Anna", None, "anna@example.org"), locale="en")
    waiting = services.sign_up(activity.id, contact=("Sami", None, "sami@example.org"), locale="ti")
    third = services.sign_up(activity.id, contact=("Lis", None, "lis@example.org"), locale="da")
    db.session.commit()
    assert len(outbox) == 0

    services.cancel_sign_up(seated)
    db.session.commit()
    [told] = outbox
    assert told["To"] == "sami@example.org" and "ንዓኹም ቦታ ተረኺቡ" in told["Subject"]
    link = next(word for word in _body(told).split() if "/activities/sign-ups/" in word)

    outbox.clear()
    path = link.split("localhost", 1)[1]
    assert client.post(f"{path}/cancel").status_code == 302  # "I can't come", one tap
    db.session.expire_all()
    assert db.session.get(SignUp, waiting.id).status == "cancelled"
    assert db.session.get(SignUp, third.id).status == "confirmed"
    assert [m["To"] for m in outbox] == ["lis@example.org"]


def _signed_up_days_ago(activity, days, **who):
    record = services.sign_up(activity.id, **who)
    record.created_at = now_utc() - timedelta(days=days)
    return record


def test_reminders_go_once_a_day_ahead_even_across_a_restart(app, make_activity, make_person, smtp):
    from app.scheduler import make_scheduler, run_job

    tomorrow = make_activity(days=0)
    tomorrow.starts_at = now_utc() + timedelta(hours=20)
    tomorrow.ends_at = tomorrow.starts_at + TWO_HOURS
    later = make_activity(days=5)
    volunteer = make_person("volunteer", full_name="Mette Holm", email="mette@example.org", message_locale="da")
    _signed_up_days_ago(tomorrow, 3, person=volunteer)
    _signed_up_days_ago(later, 3, contact=("Anna", None, "anna@example.org"), locale="en")
    services.sign_up(tomorrow.id, contact=("Just Now", None, "now@example.org"), locale="en")
    db.session.commit()
    smtp.start()

    assert run_job("activity-reminders") and run_job("outbox-delivery")
    # A restarted scheduler finds the job in its store; running it again repeats nothing.
    scheduler = make_scheduler(app)
    scheduler.start(paused=True)
    [stored] = [job for job in scheduler.get_jobs() if job.id == "activity-reminders"]
    scheduler.shutdown(wait=False)
    assert stored.func(*stored.args) and run_job("outbox-delivery")

    assert [m.rcpt_tos for m in smtp.messages] == [["mette@example.org"]]
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    assert message["Subject"].startswith("Påmindelse: Sprogcafé")


def test_we_missed_you_only_when_the_manager_asked_and_took_attendance(app, make_activity, outbox):
    from app.scheduler import run_job

    asked, not_asked = make_activity(missed_you=True), make_activity(missed_you=False)
    records = {}
    for activity in (asked, not_asked):
        for name in ("came", "stayed away"):
            records[activity.id, name] = services.sign_up(
                activity.id, contact=(name, None, f"{name.replace(' ', '.')}.{activity.id}@example.org"), locale="en")
        activity.starts_at -= timedelta(days=8)
        activity.ends_at -= timedelta(days=8)
    db.session.commit()
    run_job("activity-reminders")
    assert len(outbox) == 0  # no attendance taken yet: nobody is told they were missed

    for activity in (asked, not_asked):
        services.record_attendance(activity, {records[activity.id, "came"].id}, walk_ins=2)
    db.session.commit()
    run_job("activity-reminders")
    run_job("activity-reminders")
    assert [m["To"] for m in outbox] == [f"stayed.away.{asked.id}@example.org"]
    assert outbox[0]["Subject"] == "We missed you at Sprogcafé"
