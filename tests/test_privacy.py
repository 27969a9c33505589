"""Erasure, retention and withdrawn consent: what a person's "forget me" or "stop" does, and what stays."""
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditAction, AuditEntry
from app.auth.models import Role, User
from app.events import services as events
from app.events.models import SignUp, Venue
from app.events.notices import send_reminders
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import send_link
from app.matches import services as matches
from app.matches.candidates import waiting_refugees
from app.matches.models import Match
from app.matches.notifying import call_tasks
from app.matches.suggesting import suggestions_for
from app.outbox.models import OutboxMessage
from app.people.models import Consent, Person
from app.people.services import PersonHeld, change_status, restore
from app.privacy.services import ErasureError, erase_person
from app.privacy.tasks import apply_retention
from app.recruitment.services import invite_volunteer
from app.scheduler import run_job
from app.stats.figures import coverage
from app.timeutil import LOCAL_ZONE, now_utc, start_of_day, today_local
from tests.test_events import details

AARHUS = 751


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, ["Aarhus"], locale="en")


def friends(make_person, manager, refugee_name="Amal Haddad", volunteer_name="Mette Holm"):
    """A refugee and a volunteer (room for one friend) in an active friendship, both with e-mail."""
    refugee = make_person("refugee", full_name=refugee_name, email="amal@example.org", languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", full_name=volunteer_name, email="mette@example.org",
                            languages={"da": 5, "ar": 3}, capacity=1)
    match = matches.propose(refugee.id, volunteer.id, manager)
    matches.accept(match, "refugee", manager)
    matches.accept(match, "volunteer", manager)
    db.session.commit()
    return refugee, volunteer, match


def backdate(match, activated_days_ago, ended_days_ago=None):
    """Move a friendship's dates into the past, as the coverage figures count from them."""
    match.proposed_at = match.activated_at = start_of_day(today_local() - timedelta(days=activated_days_ago))
    if ended_days_ago is not None:
        match.ended_at = start_of_day(today_local() - timedelta(days=ended_days_ago))
    db.session.commit()


def national(as_of):
    return coverage(as_of, today_local()).national


# Erasure -----------------------------------------------------------------------------


def test_erasing_people_who_were_friends_leaves_every_national_figure_as_it_was(app, client, make_person, manager):
    """Erasure forgets who they were, not that they took part: counts stay, today's and the past's."""
    refugee, volunteer, match = friends(make_person, manager)
    matches.end(match, manager, "moved", back_to_waiting=False)  # the refugee moved away
    change_status(volunteer, "left", manager)
    db.session.commit()
    backdate(match, activated_days_ago=200, ended_days_ago=20)
    # Others, so the figures are not all zero: a waiting refugee and an available volunteer.
    make_person("refugee", full_name="Reem Mansour", languages={"ar": 5})
    make_person("volunteer", full_name="Bo Lind", languages={"da": 5})
    yesterday = today_local() - timedelta(days=1)
    before = national(today_local()), national(yesterday), client.get("/coverage.json").json["national"]
    assert before[0].counts["refugees_matched_total"] == 1

    erase_person(refugee, manager, "asked by e-mail")
    erase_person(volunteer, manager, "asked by phone")
    db.session.commit()

    assert (national(today_local()), national(yesterday), client.get("/coverage.json").json["national"]) == before


def test_erasing_someone_in_a_friendship_ends_it_but_not_its_history(app, make_person, manager, outbox):
    refugee, volunteer, match = friends(make_person, manager)
    backdate(match, activated_days_ago=100)
    yesterday = today_local() - timedelta(days=1)
    before_yesterday, before_today = national(yesterday), national(today_local())
    outbox.clear()

    erase_person(refugee, manager, "asked in person")
    db.session.commit()

    # Friendships are counted from their dates: the past stays exactly as it was ...
    matched = ("refugees_matched_active", "refugees_matched_total", "refugees_matched_this_year")
    assert {c: national(yesterday).counts[c] for c in matched} == {c: before_yesterday.counts[c] for c in matched}
    after = national(today_local())
    for count in ("refugees_matched_total", "refugees_matched_this_year"):
        assert after.counts[count] == before_today.counts[count]
    # ... and today one friendship fewer is active, and the volunteer has room again.
    assert after.counts["volunteers_available"] == before_today.counts["volunteers_available"] + 1
    assert after.counts["refugees_matched_active"] == before_today.counts["refugees_matched_active"] - 1
    match = db.session.get(Match, match.id)
    assert (match.status, match.end_reason) == ("ended", "erased")
    with force_locale("en"):
        assert "erased" in str(match.end_reason_title)
    assert db.session.get(Person, volunteer.id).status == "available"  # free for a new friend
    assert [m["To"] for m in outbox] == ["mette@example.org"]  # the friend is told; the erased person is not


def test_an_erased_record_keeps_nothing_that_names_or_reaches_the_person(app, make_person, manager, outbox):
    volunteer = make_person(
        "volunteer", full_name="Mette Holm", latin_name="Mette Holm", email="mette@example.org", phone="+4522334455",
        birth_year=1987, postcode="8000", hopes="Cycling by the harbour", notes="Lives near Mette's mother",
        family=True, family_members=[("Jens Holm", 1985)], recruited_by="Harbour festival",
        available_weekend=True, available_weekday_evening=True,
    )
    invite_volunteer(volunteer)
    db.session.commit()
    account = db.session.scalars(sa.select(User).where(User.person_id == volunteer.id)).one()
    assert len(outbox) == 1  # the invitation, still waiting to be sent

    erase_person(volunteer, manager, "asked by e-mail")
    db.session.commit()

    db.session.expire_all()
    erased = db.session.get(Person, volunteer.id)
    assert erased.full_name == f"#{erased.id}" and erased.latin_name is None
    assert (erased.email, erased.phone, erased.postcode, erased.hopes, erased.notes) == (None,) * 5
    assert erased.birth_year == 1980
    assert erased.family_members == [] and erased.languages == [] and erased.interests == []
    assert erased.availability == ()  # when they were free: no figure counts it
    assert erased.status == "left" and erased.archived_at is not None and erased.erased_at is not None
    assert erased.municipality_code == AARHUS  # still counted where they were
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent).where(Consent.person_id == erased.id))
    account = db.session.get(User, account.id)
    assert not account.is_enabled and not account.has_password
    assert "mette" not in account.email and account.full_name == erased.full_name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    with pytest.raises(ErasureError):
        erase_person(erased, manager, "again")


def test_an_erased_persons_coming_sign_ups_and_host_slots_are_cancelled_and_the_waitlist_moves_up(
        app, make_person, manager):
    venue = Venue(municipality_code=AARHUS, name="Velkomsthuset", address="Havnegade 1", postcode="8000")
    db.session.add(venue)
    db.session.flush()
    day = (now_utc() + timedelta(days=5)).date()
    activity = events.create_activity(details(venue, capacity=1), day, time(17), timedelta(hours=2))
    later = events.create_activity(details(venue, host_slots=1), day + timedelta(days=1), time(17), timedelta(hours=2))
    volunteer = make_person("volunteer", full_name="Mette Holm", email="mette@example.org")
    account = invite_volunteer(volunteer)
    by_manager = events.sign_up(activity.id, person=volunteer)
    own = events.sign_up(later.id, user=account)
    events.take_host_slot(later.id, account)
    waiting = events.sign_up(activity.id, contact=("Anna", None, "anna@example.org"), locale="en")
    db.session.commit()
    assert waiting.status == "waitlisted"

    erase_person(volunteer, manager, "asked")
    db.session.commit()

    assert db.session.get(SignUp, by_manager.id).status == "cancelled"
    assert db.session.get(SignUp, own.id).status == "cancelled"
    assert db.session.get(SignUp, waiting.id).status == "confirmed"
    db.session.expire_all()
    assert later.hosts == []
    with force_locale("en"), pytest.raises(events.EventError, match="erased"):
        events.sign_up(later.id, person=db.session.get(Person, volunteer.id))


def test_an_erased_persons_check_in_comments_are_cleared_and_ratings_kept(app, make_person, manager):
    refugee, volunteer, match = friends(make_person, manager)
    theirs = CheckIn(match=match, side="volunteer", due_on=today_local(), answered_at=now_utc(), rating=4,
                     comment="Mette's week with Amal")
    other = CheckIn(match=match, side="refugee", due_on=today_local(), answered_at=now_utc(), rating=5,
                    comment="Good")
    db.session.add_all([theirs, other])
    db.session.commit()

    erase_person(volunteer, manager, "asked")
    db.session.commit()

    db.session.expire_all()
    assert (theirs.comment, theirs.rating) == (None, 4)
    assert other.comment == "Good"


def test_the_erase_page_says_what_happens_and_needs_a_reason(app, client, make_person, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee, volunteer, _ = friends(make_person, manager)
    page = client.get(f"/privacy/people/{refugee.id}/erase").get_data(as_text=True)
    assert "Amal Haddad" in page and "cannot be undone" in page and "An open match ends" in page

    refused = client.post(f"/privacy/people/{refugee.id}/erase", data={"reason": " "})
    assert refused.status_code == 200 and "This field is required" in refused.get_data(as_text=True)
    assert db.session.get(Person, refugee.id).erased_at is None

    done = client.post(f"/privacy/people/{refugee.id}/erase", data={"reason": "Asked on the phone"},
                       follow_redirects=True)
    page = done.get_data(as_text=True)
    assert f"Erased person #{refugee.id}" in page and "Amal" not in page
    assert "can no longer be edited, matched or exported" in page
    assert f"/people/{refugee.id}/edit" not in page and "Record consent" not in page
    assert done.headers["Cache-Control"] == "no-store"
    erasures = db.session.execute(
        sa.select(AuditEntry.user_id, AuditEntry.reason).where(
            AuditEntry.person_id == refugee.id, AuditEntry.action == AuditAction.ERASED)
    ).all()
    assert erasures == [(manager.id, "Asked on the phone")]


@pytest.mark.parametrize("lang, erasure_note, waiting", [
    ("en", "Personal data erased.", "days waiting"),
    ("ar", "مُحيت البيانات الشخصية.", "من الانتظار"),
])
def test_an_erased_persons_page_words_the_erasure_in_the_viewers_language_and_shows_no_waiting_time(
        client, make_person, login_as, lang, erasure_note, waiting):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale=lang)
    befriended, _, _ = friends(make_person, manager)  # the match ends first and sets a status of its own
    arrived = make_person("refugee", full_name="Omar Saleh", arrived_on=today_local() - timedelta(days=40))
    assert waiting in client.get(f"/people/{arrived.id}").get_data(as_text=True)
    assert waiting not in client.get(f"/people/{befriended.id}").get_data(as_text=True)  # no arrival date

    for person in (befriended, arrived):
        client.post(f"/privacy/people/{person.id}/erase", data={"reason": "Asked on the phone"})
        page = client.get(f"/people/{person.id}").get_data(as_text=True)
        assert page.count(erasure_note) == 1 and waiting not in page
        db.session.expire_all()
        assert not [change.note for change in db.session.get(Person, person.id).status_changes if change.note]
    # Someone erased before the note was worded on display keeps the Danish text stored: it is not shown.
    person = db.session.get(Person, arrived.id)
    person.status_changes[0].note = "Personoplysninger slettet."
    db.session.commit()
    page = client.get(f"/people/{arrived.id}").get_data(as_text=True)
    assert erasure_note in page and "Personoplysninger" not in page


@pytest.mark.parametrize("lang, arrived, kept_day, erased_arrival, weekends", [
    ("en", "March 14, 2026", "March 1, 2026", "March 2026", "Weekends"),
    ("ar", "14 مارس 2026", "1 مارس 2026", "مارس 2026", "عطلات نهاية الأسبوع"),
])
def test_an_erased_persons_page_shows_the_arrival_month_and_no_availability(
        client, make_person, login_as, lang, arrived, kept_day, erased_arrival, weekends):
    login_as(Role.MANAGER, ["Aarhus"], locale=lang)
    refugee = make_person("refugee", full_name="Omar Saleh", arrived_on=date(2026, 3, 14), available_weekend=True)
    volunteer = make_person("volunteer", full_name="Mette Holm", available_weekend=True)
    page = client.get(f"/people/{refugee.id}").get_data(as_text=True)
    assert arrived in page and weekends in page

    for person in (refugee, volunteer):
        client.post(f"/privacy/people/{person.id}/erase", data={"reason": "Asked on the phone"})
        assert weekends not in client.get(f"/people/{person.id}").get_data(as_text=True)
    page = client.get(f"/people/{refugee.id}").get_data(as_text=True)
    # Erasure kept the arrival as 1 March 2026; only what is known, the month, is shown.
    assert erased_arrival in page and kept_day not in page and arrived not in page


def test_an_erased_person_cannot_be_edited_matched_exported_or_restored(app, client, make_person, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", full_name="Mette Holm", languages={"da": 5, "ar": 3})
    erase_person(refugee, manager, "asked")
    db.session.commit()

    for url in (f"/people/{refugee.id}/edit", f"/people/{refugee.id}/archive"):
        response = client.post(url, data={"full_name": "Amal Haddad"}, follow_redirects=True)
        assert "can no longer be changed" in response.get_data(as_text=True)
    consents = sa.select(sa.func.count()).select_from(Consent).where(Consent.person_id == refugee.id)
    recorded = db.session.scalar(consents)
    client.post(f"/people/{refugee.id}/consent", data={"purpose": "matching", "given": "yes", "method": "paper"})
    db.session.expire_all()
    erased = db.session.get(Person, refugee.id)
    assert erased.full_name == f"#{refugee.id}" and erased.archived_at is not None
    assert db.session.scalar(consents) == recorded
    with force_locale("en"), pytest.raises(PersonHeld, match="erased"):
        restore(erased, manager)
    with force_locale("en"), pytest.raises(matches.MatchError, match="erased"):
        matches.propose(refugee.id, volunteer.id, manager)
    export = client.post("/people/refugees/export.csv?archived=1", data={"reason": "Yearly report"}).get_data(as_text=True)
    assert f"#{refugee.id}" not in export and len(export.strip().splitlines()) == 1  # the header only


# Retention ---------------------------------------------------------------------------


def months_ago(months, days=0):
    return start_of_day(today_local() - timedelta(days=round(months * 30.44) + days))


def test_retention_anonymises_who_left_long_ago_and_old_applicants_once(app, make_person, manager, runner):
    left_long_ago = make_person("refugee", full_name="Gone Long Ago", status="left")
    left_lately = make_person("refugee", full_name="Gone Lately", status="left")
    archived_long_ago = make_person("volunteer", full_name="Archived Long Ago")
    waiting_for_years = make_person("refugee", full_name="Still Waiting")
    old_applicant = make_person("volunteer", full_name="Old Applicant", status="applicant")
    new_applicant = make_person("volunteer", full_name="New Applicant", status="applicant")
    # Left long ago, but a friendship of theirs ended only last year: kept for now.
    recent_friend, volunteer, match = friends(make_person, manager, "Recent Friend", "Recent Volunteer")
    matches.end(match, manager, "moved", back_to_waiting=False)
    backdate(match, activated_days_ago=500, ended_days_ago=300)
    for person, months in ((left_long_ago, 25), (left_lately, 23), (recent_friend, 25)):
        person.status_changed_at = months_ago(months)
    archived_long_ago.archived_at = months_ago(25)
    waiting_for_years.created_at = months_ago(40)
    old_applicant.created_at, new_applicant.created_at = months_ago(13), months_ago(11)
    db.session.commit()

    assert runner.invoke(args=["privacy", "retention", "--dry-run"]).output.strip() == "3 people would be anonymised."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.erased_at.is_not(None))) == 0
    assert run_job("privacy-retention")
    db.session.expire_all()
    erased = set(db.session.scalars(sa.select(Person.id).where(Person.erased_at.is_not(None))))
    assert erased == {left_long_ago.id, archived_long_ago.id, old_applicant.id}
    logged = db.session.execute(
        sa.select(AuditEntry.person_id, AuditEntry.user_id).where(AuditEntry.action == AuditAction.ERASED)
    ).all()
    assert sorted(logged) == sorted((person_id, None) for person_id in erased)  # by the job, not by a user
    snapshot = db.session.execute(sa.select(Person.id, Person.full_name, Person.erased_at, Person.status)).all()

    assert apply_retention(app.config, today_local()) == 0  # a second run changes nothing
    db.session.commit()
    assert db.session.execute(sa.select(Person.id, Person.full_name, Person.erased_at, Person.status)).all() == snapshot


def test_the_retention_periods_are_configured(app, make_person, monkeypatch):
    person = make_person("refugee", status="left")
    person.status_changed_at = months_ago(7)
    db.session.commit()
    assert apply_retention(app.config, today_local()) == 0
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 6)
    assert apply_retention(app.config, today_local()) == 1


# Withdrawn consent -------------------------------------------------------------------


def withdraw(client, person, purpose):
    response = client.post(f"/people/{person.id}/consent", data={"purpose": purpose, "given": "no", "method": "oral"})
    assert response.status_code == 302
    db.session.expire_all()


def test_withdrawing_consent_to_matching_takes_them_out_of_suggestions_and_batches(app, client, make_person, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Amal Haddad", languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", full_name="Mette Holm", languages={"da": 5, "ar": 3})
    assert [v.id for v, _ in suggestions_for(refugee, manager).ranked] == [volunteer.id]

    withdraw(client, volunteer, "matching")
    assert suggestions_for(db.session.get(Person, refugee.id), manager).ranked == []
    withdraw(client, refugee, "matching")
    assert waiting_refugees([AARHUS]) == []


def test_withdrawing_consent_to_contact_stops_every_email_and_call(app, client, make_person, login_as, outbox):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Amal Haddad", email="amal@example.org", languages={"ar": 5, "da": 3})
    volunteer = make_person("volunteer", full_name="Mette Holm", email="mette@example.org",
                            languages={"da": 5, "ar": 3})
    withdraw(client, refugee, "contact")
    outbox.clear()

    match = matches.propose(refugee.id, volunteer.id, manager)  # match notifications
    db.session.commit()
    assert [m["To"] for m in outbox] == ["mette@example.org"]
    refugee.email = None  # without consent they are not on the "call" list either
    db.session.commit()
    assert [task.person.id for task in call_tasks(manager, now_utc())] == []

    refugee.email = "amal@example.org"
    outbox.clear()
    check_in = CheckIn(match=match, side="refugee", due_on=today_local())  # check-ins
    db.session.add(check_in)
    db.session.flush()
    with app.test_request_context():
        send_link(check_in)
    assert len(outbox) == 0 and check_in.sent_at is None

    venue = Venue(municipality_code=AARHUS, name="Velkomsthuset", address="Havnegade 1", postcode="8000")
    db.session.add(venue)
    db.session.flush()
    starts = now_utc() + timedelta(hours=20)
    local = starts.astimezone(LOCAL_ZONE)
    activity = events.create_activity(details(venue), local.date(), local.time().replace(second=0, microsecond=0),
                                      timedelta(hours=2))
    for person in (refugee, volunteer):
        events.sign_up(activity.id, person=person).created_at = now_utc() - timedelta(days=3)
    db.session.commit()
    with app.test_request_context():
        assert send_reminders(now_utc()) == 1  # activity reminders
    assert [m["To"] for m in outbox] == ["mette@example.org"]


def test_an_open_match_with_withdrawn_consent_is_flagged_on_the_managers_home_page(app, client, make_person,
                                                                                   login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee, volunteer, match = friends(make_person, manager)
    assert "Consent withdrawn" not in client.get("/").get_data(as_text=True)

    withdraw(client, volunteer, "matching")
    page = client.get("/").get_data(as_text=True)
    assert "Consent withdrawn" in page and f"/matches/{match.id}" in page
    assert "The volunteer" in page
