"""The GDPR audit log and a person's copy of their data (access and portability)."""
import itertools
import json
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.audit.models import AuditEntry
from app.audit.services import record
from app.auth.models import Role
from app.events import services as events
from app.events.models import Venue
from app.events.services import ActivityDetails
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import create_due_check_ins, record_answer
from app.matches import services as match_services
from app.people.models import Person
from app.timeutil import LOCAL_ZONE, add_years, now_utc, today_local
from tests.conftest import log_in
from tests.test_import_export import confirm_token, good_csv, upload
from tests.test_people import form_data

REASON = {"reason": "The person asked for a copy"}


def entries(person_id=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if person_id is not None:
        query = query.where(AuditEntry.person_id == person_id)
    return db.session.scalars(query).all()


def logged(person_id):
    """(user id, action, fields, reason) of each entry about a person, oldest first."""
    return [(e.user_id, e.action, e.field_names, e.reason) for e in entries(person_id)]


def test_each_action_on_a_person_is_recorded_with_who_what_and_which_fields(client, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    client.post("/people/refugees/new", data=form_data())
    person = db.session.scalars(sa.select(Person)).one()
    assert logged(person.id) == [(manager.id, "created", [], None)]

    client.get(f"/people/{person.id}")
    client.post(f"/people/{person.id}/edit", data=form_data(phone="22 33 44 66", household_adults="3"))
    client.post(f"/people/{person.id}/status", data={"status": "paused", "note": "Travelling"})
    client.post(f"/people/{person.id}/consent", data={"purpose": "contact", "given": "no", "method": "oral"})
    client.post(f"/people/{person.id}/archive")
    client.post(f"/people/{person.id}/archive")
    assert logged(person.id)[1:] == [
        (manager.id, "viewed", [], None),
        (manager.id, "changed", ["household_adults", "phone"], None),  # names only, never the values
        (manager.id, "changed", ["status"], None),
        (manager.id, "changed", ["consent_contact"], None),
        (manager.id, "archived", ["archived_at", "status"], None),
        (manager.id, "restored", ["archived_at", "status"], None),
    ]
    assert not [e for e in entries() if "22334466" in (e.fields or "")]


def test_the_people_a_list_page_shows_are_recorded_as_viewed(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    listed = make_person(full_name="Amal Haddad", languages={"ar": 5})
    elsewhere = make_person(full_name="Omar Nielsen", municipality_code=101)
    for url in ("/people/refugees", "/people/waiting"):
        before = len(logged(listed.id))
        assert "Amal Haddad" in client.get(url).get_data(as_text=True)
        assert logged(listed.id)[before:] == [(manager.id, "viewed", [], None)]
    assert [action for _, action, _, _ in logged(elsewhere.id)] == ["created"]  # not on this manager's lists


def opened(client, url):
    """Open `url`: the (user id, action, person id) it logged, sorted, and the SQL statements it ran."""
    return opened_by_post(client, url, None)


def opened_by_post(client, url, data):
    """As `opened`, posting `data` (None: a GET) to a page that shows a form again rather than redirecting."""
    before = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    statements = []

    def note(connection, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(url) if data is None else client.post(url, data=data)
        assert response.status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return sorted((e.user_id, e.action, e.person_id) for e in entries() if e.id > before), statements


def test_the_home_page_records_each_person_it_names_and_no_one_else(client, login_as, make_person, make_user):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    waiting = make_person("refugee", full_name="Amal Haddad")
    expiring = make_person("volunteer", full_name="Mette Holm", child_certificate_clean=True,
                           child_certificate_on=add_years(today_local(), -2) + timedelta(days=10))
    to_call = make_person("refugee", full_name="Omar Saleh", languages={"ar": 5, "da": 2})
    partner = make_person("volunteer", full_name="Karen Berg", municipality_code=101, email="karen@example.org")
    match = match_services.propose(to_call.id, partner.id, make_user(Role.ADMIN), "They met at the café")
    match.proposed_at = now_utc() - timedelta(days=8)  # unanswered for more than a week
    checked = make_person("refugee", full_name="Sara Ali", email="sara@example.org")
    friend = make_person("volunteer", full_name="Jens Lund", email="jens@example.org")
    friendship = match_services.propose(checked.id, friend.id, manager)
    match_services.accept(friendship, "refugee", manager)
    match_services.accept(friendship, "volunteer", manager)
    create_due_check_ins(today_local() + timedelta(days=30))  # a check-in waiting for an answer
    db.session.commit()
    quiet = make_person("volunteer", full_name="Lone Dahl")  # available, nothing to do about her
    elsewhere = make_person("refugee", full_name="Ali Rahimi", municipality_code=101)

    home = client.get("/").get_data(as_text=True)
    for name in ("Amal Haddad", "Mette Holm", "Omar Saleh", "Karen · København", "Sara Ali", "Jens Lund"):
        assert name in home
    assert "Karen Berg" not in home  # a partner elsewhere, named by first name only, as on the match's page
    views, _ = opened(client, "/")  # Omar is both to call and in an unanswered proposal: one view
    assert views == sorted((manager.id, "viewed", p.id) for p in (waiting, expiring, to_call, checked, friend))
    for person in (partner, quiet, elsewhere):
        assert "viewed" not in [action for _, action, _, _ in logged(person.id)]


def test_the_suggestions_record_each_volunteer_ranked_or_found_and_no_one_else(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5, "da": 1})
    best = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4, "da": 5})
    good = make_person("volunteer", full_name="Good Friend", postcode="8200", languages={"ar": 3, "da": 5})
    mute = make_person("volunteer", full_name="No Common Language", postcode="8000", languages={"da": 5, "de": 4})
    elsewhere = make_person("volunteer", full_name="Far Away", municipality_code=101, languages={"ar": 5})
    suggestions = f"/matches/suggestions/{refugee.id}"

    page = client.get(suggestions).get_data(as_text=True)
    assert "Best Friend" in page and "Good Friend" in page and "No Common Language" not in page
    views, _ = opened(client, suggestions)
    assert views == sorted((manager.id, "viewed", p.id) for p in (refugee, best, good))
    # The search for a volunteer the rules leave out shows them too; one found twice is logged once.
    found, _ = opened(client, f"{suggestions}?volunteer=friend")
    assert found == sorted((manager.id, "viewed", p.id) for p in (refugee, best, good))
    found, _ = opened(client, f"{suggestions}?volunteer=common+language")
    assert found == sorted((manager.id, "viewed", p.id) for p in (refugee, best, good, mute))
    assert "viewed" not in [action for _, action, _, _ in logged(elsewhere.id)]


def viewed(person):
    """Whether anyone has been logged viewing `person`."""
    return "viewed" in [action for _, action, _, _ in logged(person.id)]


def test_the_matches_list_records_the_people_of_its_page_and_not_a_partner_elsewhere(
    app, client, login_as, make_person, make_user, monkeypatch
):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    admin = make_user(Role.ADMIN)
    oldest = match_services.propose(make_person("refugee", full_name="Omar Saleh").id,
                                    make_person("volunteer", full_name="Lone Dahl").id, admin)
    oldest.proposed_at = now_utc() - timedelta(days=3)  # on the second page
    across = match_services.propose(make_person("refugee", full_name="Amal Haddad").id,
                                    make_person("volunteer", full_name="Karen Berg", municipality_code=101).id,
                                    admin, "They met at the café")
    across.proposed_at = now_utc() - timedelta(days=2)
    home = match_services.propose(make_person("refugee", full_name="Sara Ali").id,
                                  make_person("volunteer", full_name="Jens Lund").id, admin)
    elsewhere = match_services.propose(
        make_person("refugee", full_name="Ali Rahimi", municipality_code=101).id,
        make_person("volunteer", full_name="Mads Berg", municipality_code=101).id, admin,
    )
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 2)

    page = client.get("/matches/").get_data(as_text=True)
    assert "Sara Ali" in page and "Amal Haddad" in page and "Karen · København" in page
    assert "Karen Berg" not in page and "Omar Saleh" not in page
    views, _ = opened(client, "/matches/")
    shown = (home.refugee, home.volunteer, across.refugee)
    assert views == sorted((manager.id, "viewed", p.id) for p in shown)
    for person in (across.volunteer, oldest.refugee, oldest.volunteer, elsewhere.refugee, elsewhere.volunteer):
        assert not viewed(person)


def test_the_batch_preview_records_each_person_it_proposes_or_leaves_waiting(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5, "da": 1})
    friend = make_person("volunteer", full_name="Best Friend", postcode="8000", languages={"ar": 4, "da": 5},
                         capacity=1)
    left = make_person("refugee", full_name="Selam Tesfay", postcode="8000", languages={"ti": 5})
    unused = make_person("volunteer", full_name="Far Friend", postcode="8000", languages={"de": 5})
    elsewhere = make_person("refugee", full_name="Ali Rahimi", municipality_code=101, languages={"ar": 5})
    batch = "/matches/batch?municipality=751"

    page = client.get(batch).get_data(as_text=True)
    assert "Amal Haddad" in page and "Best Friend" in page and "Selam Tesfay" in page
    assert "Far Friend" not in page
    views, _ = opened(client, batch)
    assert views == sorted((manager.id, "viewed", p.id) for p in (refugee, friend, left))
    assert not viewed(unused) and not viewed(elsewhere)


def test_the_possible_duplicates_of_a_new_person_are_recorded(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    same_phone = make_person("refugee", full_name="Amira Hadi", phone="+4522334455")
    same_name = make_person("refugee", full_name="Amal Hadad", phone="+4511111111")
    other = make_person("refugee", full_name="Omar Saleh", phone="+4599999999")
    elsewhere = make_person("refugee", full_name="Amal Haddad", phone="+4522334455", municipality_code=101)

    checked, _ = opened_by_post(client, "/people/refugees/new",
                                form_data(check_duplicates="1", phone="", municipality_code="751"))
    assert checked == [(manager.id, "viewed", same_name.id)]  # a similar name is all that is typed to match
    found, _ = opened_by_post(client, "/people/refugees/new", form_data(municipality_code="751"))
    assert found == sorted((manager.id, "viewed", p.id) for p in (same_phone, same_name))
    assert not viewed(other) and not viewed(elsewhere)


def test_the_merge_pages_record_both_records_the_duplicates_and_the_search_results(
    client, login_as, make_person
):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    person = make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, phone="+4522334455")
    duplicate = make_person("refugee", full_name="Muhammad el Hasan", birth_year=1990, phone=None)
    found = make_person("refugee", full_name="Sara Ali", phone="+4511111111")
    unrelated = make_person("refugee", full_name="Omar Saleh", phone="+4599999999")
    volunteer = make_person("volunteer", full_name="Sara Alim", phone="+4533333333")  # not a refugee

    views, _ = opened(client, f"/people/{person.id}/merge")
    assert views == sorted((manager.id, "viewed", p.id) for p in (person, duplicate))
    views, _ = opened(client, f"/people/{person.id}/merge?q=sara")
    assert views == sorted((manager.id, "viewed", p.id) for p in (person, duplicate, found))
    views, _ = opened(client, f"/people/{person.id}/merge/{found.id}")
    assert views == sorted((manager.id, "viewed", p.id) for p in (person, found))
    assert not viewed(unrelated) and not viewed(volunteer)


def test_a_volunteer_applications_page_records_whom_it_may_duplicate(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="en")
    known = make_person("volunteer", full_name="Mette Holm", phone="+4522334455")
    applicant = make_person("volunteer", full_name="Mette Holm Jensen", phone="+4522334455", status="applicant")
    other = make_person("volunteer", full_name="Lone Dahl", phone="+4599999999")

    assert "Possible duplicate of" in client.get(f"/people/{applicant.id}").get_data(as_text=True)
    views, _ = opened(client, f"/people/{applicant.id}")
    assert views == sorted((manager.id, "viewed", p.id) for p in (applicant, known))
    assert not viewed(other)


def test_a_page_listing_people_logs_them_in_one_insert_and_no_query_per_person(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"])
    refugee = make_person("refugee", full_name="Amal Haddad", postcode="8000", languages={"ar": 5, "da": 1})
    #: How many more people each page shows once `add(3)` has added three refugees and three volunteers.
    pages = {"/": 3, "/people/refugees": 3, "/people/waiting": 3, f"/matches/suggestions/{refugee.id}": 3,
             "/matches/batch?municipality=751": 6}

    numbers = itertools.count(1)

    def add(count):
        """Add `count` waiting refugees and volunteers who would be suggested for `refugee`."""
        for n in itertools.islice(numbers, count):
            make_person("refugee", full_name=f"Refugee {n}", languages={"ar": 5})
            make_person("volunteer", full_name=f"Volunteer {n}", postcode="8000", languages={"ar": 4, "da": 5})

    add(1)
    few = {url: opened(client, url) for url in pages}
    add(3)
    many = {url: opened(client, url) for url in pages}
    for url, more in pages.items():
        (few_views, few_statements), (many_views, many_statements) = few[url], many[url]
        assert len(many_views) == len(few_views) + more, url
        inserts = [s for s in many_statements if s.startswith("INSERT INTO audit_entry")]
        assert len(inserts) == 1, url
        assert len(many_statements) == len(few_statements), url


def test_an_edit_that_changes_nothing_records_no_change(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"])
    client.post("/people/refugees/new", data=form_data())
    person = db.session.scalars(sa.select(Person)).one()
    client.post(f"/people/{person.id}/edit", data=form_data())
    assert [e.action for e in entries(person.id)] == ["created"]


def test_a_merge_is_recorded_on_both_records_and_outlives_the_deleted_one(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    keep, other = make_person(full_name="Amal Haddad"), make_person(full_name="Amal Hadad")
    keep_id, other_id = keep.id, other.id
    client.post(f"/people/{keep_id}/merge/{other_id}")
    db.session.expire_all()
    assert db.session.get(Person, other_id) is None
    [kept] = [e for e in entries(keep_id) if e.action == "merged"]
    [folded] = [e for e in entries(other_id) if e.action == "merged"]
    assert (kept.user_id, kept.related_person_id) == (manager.id, other_id)
    assert (folded.user_id, folded.related_person_id) == (manager.id, keep_id)


def test_a_list_export_asks_why_and_records_each_exported_person(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    first, second = make_person(full_name="Amal Haddad"), make_person(full_name="Omar Nielsen")
    form = client.get("/people/refugees/export.csv")
    assert form.status_code == 200 and 'name="reason"' in form.get_data(as_text=True)
    refused = client.post("/people/refugees/export.csv", data={"reason": ""})
    assert "text/html" in refused.content_type and not [e for e in entries() if e.action == "exported"]

    response = client.post("/people/refugees/export.csv", data={"reason": "Report to the municipality"})
    assert "Amal Haddad" in response.get_data(as_text=True)
    for person in (first, second):
        assert logged(person.id)[-1] == (manager.id, "exported", [], "Report to the municipality")


def test_an_import_records_each_person_created(client, login_as):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    page = upload(client, "refugees", "people.csv", good_csv()).get_data(as_text=True)
    client.post("/people/refugees/import/confirm", data={"token": confirm_token(page)})
    assert sorted((e.user_id, e.action) for e in entries()) == [(manager.id, "created")] * 2
    assert {e.person_id for e in entries()} == set(db.session.scalars(sa.select(Person.id)))


def test_match_pages_and_check_ins_are_recorded(client, login_as, make_person, make_user):
    manager = login_as(Role.MANAGER, ["Aarhus"])
    refugee, volunteer = make_person("refugee", languages={"ar": 5, "da": 3}), make_person("volunteer")
    client.get(f"/matches/suggestions/{refugee.id}")
    assert logged(refugee.id)[-1] == (manager.id, "viewed", [], None)
    match = match_services.propose(refugee.id, volunteer.id, manager)
    match_services.accept(match, "refugee", manager)
    match_services.accept(match, "volunteer", manager)
    db.session.commit()
    assert (manager.id, "changed", ["status"], None) in logged(volunteer.id)  # the match made them "matched"
    client.get(f"/matches/{match.id}")
    assert logged(refugee.id)[-1] == logged(volunteer.id)[-1] == (manager.id, "viewed", [], None)

    create_due_check_ins(today_local() + timedelta(days=30))
    check_in = db.session.scalars(sa.select(CheckIn).where(CheckIn.side == "refugee")).one()
    record_answer(check_in, "weekly", 2, True, "")
    db.session.commit()
    assert logged(refugee.id)[-1] == (None, "changed", ["check_in_answer"], None)  # the person, by their link
    client.post(f"/check-ins/{check_in.id}/handled")
    assert logged(refugee.id)[-1] == (manager.id, "changed", ["check_in_handled"], None)


def test_a_manager_sees_the_log_of_their_own_people_only_and_admins_see_all(app, client, make_user, make_person):
    person = make_person(full_name="Amal Haddad")
    aarhus, odense = make_user(Role.MANAGER, ["Aarhus"]), make_user(Role.MANAGER, ["Odense"])
    record(aarhus, "exported", person.id, reason="Unusual reason 4711")
    db.session.commit()
    log_in(client, odense.email)
    assert client.get(f"/people/{person.id}/audit").status_code == 403
    assert client.post(f"/people/{person.id}/data.json", data=REASON).status_code == 403
    own = app.test_client()
    log_in(own, aarhus.email)
    assert "Unusual reason 4711" in own.get(f"/people/{person.id}/audit").get_data(as_text=True)
    assert own.get("/admin/audit").status_code == 403

    admin = make_user(Role.ADMIN)
    other = make_person(full_name="Omar Nielsen")
    record(odense, "viewed", other.id)
    db.session.commit()
    admin_client = app.test_client()
    log_in(admin_client, admin.email)
    everything = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Unusual reason 4711" in everything and odense.full_name in everything
    only_odense = admin_client.get(f"/admin/audit?user={odense.id}").get_data(as_text=True)
    assert odense.full_name in only_odense and "Unusual reason 4711" not in only_odense
    by_person = admin_client.get(f"/admin/audit?person={person.id}&action=exported").get_data(as_text=True)
    assert "Unusual reason 4711" in by_person
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    assert "Unusual reason 4711" not in admin_client.get(f"/admin/audit?since={tomorrow}").get_data(as_text=True)


def test_the_admin_log_pages_by_keyset(app, client, login_as, make_person, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    admin = login_as(Role.ADMIN)
    person = make_person()
    for n in range(3):
        record(admin, "exported", person.id, reason=f"reason number {n}")
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "reason number 2" in first and "reason number 1" in first and "reason number 0" not in first
    older = [e.id for e in entries()][-2]
    second = client.get(f"/admin/audit?before={older}").get_data(as_text=True)
    assert "reason number 0" in second and "reason number 1" not in second


def test_no_route_edits_or_deletes_the_log_and_the_database_refuses_an_update(app, make_user, make_person):
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert audit_rules and all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)
    person = make_person()
    [entry] = entries(person.id)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(action="viewed"))
    db.session.rollback()
    assert entries(person.id)[0].action == "created"


@pytest.fixture
def refugee_with_everything(make_person, make_user):
    """An Arabic-speaking refugee with a friend, a check-in answer and an activity sign-up."""
    admin = make_user(Role.ADMIN)
    refugee = make_person("refugee", full_name="Amal Haddad", message_locale="ar", languages={"ar": 5, "da": 3},
                          interests=["football"], email="amal@example.org")
    volunteer = make_person("volunteer", full_name="Birgit Jensen", languages={"ar": 3, "da": 5})
    match = match_services.propose(refugee.id, volunteer.id, admin)
    match_services.accept(match, "refugee", admin)
    match_services.accept(match, "volunteer", admin)
    db.session.commit()
    create_due_check_ins(today_local() + timedelta(days=30))
    record_answer(db.session.scalars(sa.select(CheckIn).where(CheckIn.side == "refugee")).one(),
                  "weekly", 5, False, "Birgit helps with Danish homework")
    venue = Venue(municipality_code=751, name="Velkomsthuset", address="Banegårdspladsen 1", postcode="8000")
    db.session.add(venue)
    db.session.flush()
    day = (now_utc() + timedelta(days=7)).astimezone(LOCAL_ZONE).date()
    activity = events.create_activity(
        ActivityDetails(venue_id=venue.id, category="language_cafe",
                        texts={"da": ("Sprogcafé", None), "ar": ("مقهى اللغة", None)}),
        day, time(17), timedelta(hours=2))
    db.session.flush()
    events.sign_up(activity.id, person=refugee, by=admin)
    db.session.commit()
    return refugee


def test_the_access_file_holds_every_feature_in_the_persons_language(client, login_as, refugee_with_everything):
    manager = login_as(Role.MANAGER, ["Aarhus"], locale="da")
    refugee = refugee_with_everything
    response = client.post(f"/people/{refugee.id}/data.json", data=REASON)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="person-{refugee.id}.json"'
    document = json.loads(response.get_data(as_text=True))
    sections = document["sections"]
    assert document["language"] == "ar"
    assert sections["profile"]["rows"][0]["full_name"] == "Amal Haddad"
    assert sections["profile"]["rows"][0]["email"] == "amal@example.org"
    assert {row["code"] for row in sections["languages"]["rows"]} == {"ar", "da"}
    assert [row["key"] for row in sections["interests"]["rows"]] == ["football"]
    assert {row["given"] for row in sections["consents"]["rows"]} == {True, False}
    assert [row["friend"] for row in sections["matches"]["rows"]] == ["Birgit"]  # first name only
    assert "Jensen" not in response.get_data(as_text=True)
    assert [row["comment"] for row in sections["check_ins"]["rows"]] == ["Birgit helps with Danish homework"]
    assert [row["activity"] for row in sections["activity_sign_ups"]["rows"]] == ["مقهى اللغة"]
    assert sections["audit_log"]["rows"], "who touched the data is part of the data"
    with force_locale("ar"):
        assert sections["matches"]["title"] == gettext("Matches")
        assert sections["profile"]["labels"]["full_name"] == gettext("Full name")
    assert sections["matches"]["title"] != "Matches"
    assert logged(refugee.id)[-1] == (manager.id, "exported", [], REASON["reason"])


def test_the_printable_page_is_self_contained_right_to_left_and_in_the_persons_language(
        client, login_as, refugee_with_everything):
    login_as(Role.MANAGER, ["Aarhus"], locale="da")
    response = client.post(f"/people/{refugee_with_everything.id}/data.html", data=REASON)
    html = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert '<html lang="ar" dir="rtl">' in html
    with force_locale("ar"):
        for heading in ("Matches", "Check-ins", "Activities", "Languages", "Who saw or changed these data"):
            assert f"<h2>{gettext(heading)}</h2>" in html
    assert "Amal Haddad" in html and "Birgit helps with Danish homework" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html and "http" not in html
