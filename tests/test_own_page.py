"""A refugee's or volunteer's own page: their friend, their manager, their check-in, their settings."""
import json
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.events import services as event_services
from app.events.models import SignUp, Venue
from app.extensions import db
from app.followup.models import CheckIn
from app.matches import services as match_services
from app.people.models import Person, StatusChange
from app.timeutil import LOCAL_ZONE, now_utc, today_local
from tests.conftest import has_horizontal_scroll, log_in, log_in_page, screenshot
from tests.test_events import details


def active_match(make_person, make_user, refugee=None, volunteer=None):
    refugee = refugee or make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 2})
    volunteer = volunteer or make_person("volunteer", full_name="Mette Holm", languages={"da": 5, "ar": 3})
    manager = make_user(Role.MANAGER, ["Aarhus"], full_name="Karen Manager", email="karen@example.org")
    match = match_services.propose(refugee.id, volunteer.id, manager)
    for side in ("refugee", "volunteer"):
        match_services.accept(match, side, manager)
    db.session.commit()
    return match


def test_a_refugee_sees_their_friend_their_manager_and_their_check_in(client, make_person, make_user):
    refugee = make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 2})
    match = active_match(make_person, make_user, refugee=refugee)
    db.session.add(CheckIn(match=match, side="refugee", due_on=today_local() - timedelta(days=1)))
    db.session.commit()
    user = make_user(Role.REFUGEE, locale="en", person_id=refugee.id)
    log_in(client, user.email)

    page = client.get("/").get_data(as_text=True)
    assert "You and Mette are friends since" in page
    assert "Holm" not in page  # the friend's first name only
    assert "Karen Manager" in page and "mailto:karen@example.org" in page
    assert "/check-in/" in page


def test_a_refugee_without_a_friend_is_told_what_happens(client, make_person, make_user):
    refugee = make_person("refugee")
    log_in(client, make_user(Role.REFUGEE, locale="en", person_id=refugee.id).email)
    assert "You have no friend through the programme yet." in client.get("/").get_data(as_text=True)


def test_a_volunteer_pauses_and_changes_availability_and_the_manager_sees_it(client, make_person, make_user):
    volunteer = make_person("volunteer", full_name="Mette Holm", available_weekend=True, capacity=1)
    user = make_user(Role.VOLUNTEER, locale="en", person_id=volunteer.id)
    log_in(client, user.email)
    assert 'name="paused"' in client.get("/").get_data(as_text=True)

    response = client.post("/me/availability", data={"paused": "y", "slots": ["weekday_evening"], "capacity": 2},
                           follow_redirects=True)
    assert "Your changes are saved." in response.get_data(as_text=True)
    db.session.expire_all()
    volunteer = db.session.get(Person, volunteer.id)
    assert volunteer.status == "paused" and volunteer.capacity == 2
    assert volunteer.availability == ("weekday_evening",)
    steps = db.session.scalars(sa.select(StatusChange).where(StatusChange.person_id == volunteer.id)
                               .order_by(StatusChange.id)).all()
    paused, changed = steps[-2:]
    assert paused.status == "paused" and changed.status == "paused"
    assert paused.changed_by_id == changed.changed_by_id == user.id
    assert paused.note and changed.note and paused.note != changed.note  # the manager reads what changed

    client.post("/me/availability", data={"slots": ["weekday_evening"], "capacity": 2})
    db.session.expire_all()
    assert db.session.get(Person, volunteer.id).status == "available"


@pytest.mark.parametrize("lang, paused, resumed, changed", [
    ("en", "Paused new matches on their own page.", "Open to new matches again.",
     "Changed when they are free or how many friends they take."),
    ("ar", "أوقف المطابقات الجديدة مؤقتًا من صفحته.", "مستعد لمطابقات جديدة مرة أخرى.",
     "غيّر أوقات فراغه أو عدد الأصدقاء الذين يقبلهم."),
])
def test_the_status_notes_of_a_volunteers_own_changes_read_in_the_readers_language(
    app, client, make_person, make_user, lang, paused, resumed, changed
):
    volunteer = make_person("volunteer", full_name="Mette Holm", available_weekend=True, capacity=1,
                            message_locale=lang)
    log_in(client, make_user(Role.VOLUNTEER, locale="da", person_id=volunteer.id).email)
    client.post("/me/availability", data={"paused": "y", "slots": ["weekend"], "capacity": 1})
    client.post("/me/availability", data={"slots": ["weekend", "weekday_evening"], "capacity": 2})
    # A step written before the notes were worded for each reader holds the Danish text; a manager's own words stay.
    person = db.session.get(Person, volunteer.id)
    person.status_changes.insert(0, StatusChange(status="available", note="Satte nye match på pause på sin egen side."))
    person.status_changes.insert(0, StatusChange(status="available", note="Ringede og talte med hende."))
    db.session.commit()

    manager = app.test_client()
    log_in(manager, make_user(Role.MANAGER, ["Aarhus"], locale=lang).email)
    page = manager.get(f"/people/{volunteer.id}").get_data(as_text=True)
    assert page.count(paused) == 2 and page.count(resumed) == 1 and page.count(changed) == 1
    assert "Ringede og talte med hende." in page
    assert "Satte nye match" not in page and "Klar til nye match" not in page and "paused_own_page" not in page
    # The volunteer's copy of their data words them in the language they read.
    copy = manager.post(f"/people/{volunteer.id}/data.json", data={"reason": "They asked"}).get_data(as_text=True)
    notes = [step["note"] for step in json.loads(copy)["sections"]["status_history"]["rows"]]
    assert notes[:4] == ["Ringede og talte med hende.", paused, changed, resumed]


def test_a_volunteer_with_a_friend_cannot_pause_behind_the_managers_back(client, make_person, make_user):
    match = active_match(make_person, make_user)
    user = make_user(Role.VOLUNTEER, locale="en", person_id=match.volunteer_id)
    log_in(client, user.email)
    response = client.post("/me/availability", data={"paused": "y", "slots": ["weekend"], "capacity": 1},
                           follow_redirects=True)
    assert "your manager pauses new matches for you" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, match.volunteer_id).status != "paused"


def test_friends_sign_up_together_with_one_tap(client, make_person, make_user):
    match = active_match(make_person, make_user)
    venue = Venue(municipality_code=751, name="Velkomsthuset Aarhus", address="Gade 1", postcode="8000")
    db.session.add(venue)
    db.session.commit()
    day = (now_utc() + timedelta(days=7)).astimezone(LOCAL_ZONE).date()
    roomy = event_services.create_activity(details(venue, capacity=5), day, time(17), timedelta(hours=2))
    tight = event_services.create_activity(details(venue, capacity=1), day, time(19), timedelta(hours=2))
    db.session.commit()
    user = make_user(Role.REFUGEE, locale="en", person_id=match.refugee_id)
    log_in(client, user.email)

    assert "Sign up with my friend Mette" in client.get(f"/activities/{roomy.id}").get_data(as_text=True)
    client.post(f"/activities/{roomy.id}/sign-up-with-friend")
    client.post(f"/activities/{tight.id}/sign-up-with-friend")
    rows = db.session.scalars(sa.select(SignUp).order_by(SignUp.id)).all()
    assert [(r.activity_id, r.person_id, r.status) for r in rows] == [
        (roomy.id, match.refugee_id, "confirmed"), (roomy.id, match.volunteer_id, "confirmed"),
    ]
    page = client.get("/").get_data(as_text=True)
    assert "You have a place." in page  # the joint sign-up shows on the refugee's own page


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "ti"])
def test_the_own_page_on_a_phone(page, live_server, make_person, make_user, lang):
    from tests.test_accessibility import report, violations

    match = active_match(make_person, make_user)
    user = make_user(Role.VOLUNTEER, locale=lang, person_id=match.volunteer_id)
    log_in_page(page, live_server, user)
    page.goto(f"{live_server}/")
    assert page.locator("#friendship").is_visible() and page.locator("#availability").is_visible()
    assert not has_horizontal_scroll(page)
    found = violations(page)
    assert not found, report(found)
    screenshot(page, f"own-page-{lang}")
