"""The authorization matrix: every route of `app.url_map` asked by every kind of user.

A route missing from RULES fails the suite, so a new page cannot go live
without someone deciding who may open it. Routes with GET are asked with
GET (for deleting, merging or cancelling that is the confirmation page) and
POST-only actions with an empty POST; each answer is sorted into allowed,
login (sent to the login page), 403 or 404 (none expected: every id names
an object that exists). Everything in København belongs to `manager`;
`other` manages Aarhus, and must never get a København person's data by
id, list, export, search or JSON. One data set, one request per route and
role: a few seconds.
"""
from datetime import time, timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.agreements import services as agreements
from app.agreements.models import Agreement
from app.auth.models import Organisation, Role
from app.events import services as events
from app.events.models import Venue
from app.events.services import ActivityDetails
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import create_due_check_ins
from app.matches import services as matches
from app.outbox.models import OutboxMessage
from app.outbox.services import queue_mail
from app.timeutil import LOCAL_ZONE, now_utc, today_local
from tests.conftest import log_in

ROLES = ("anonymous", "refugee", "volunteer", "other", "manager", "head_office", "admin")
OK, LOGIN, NO = "ok", "login", "403"


def rule(*outcomes):
    """Expected outcomes in ROLES order."""
    return dict(zip(ROLES, outcomes, strict=True))


PUBLIC = rule(OK, OK, OK, OK, OK, OK, OK)
LOGGED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
#: Personal data in København: its manager and admins only.
PERSONAL = rule(LOGIN, NO, NO, NO, OK, NO, OK)
#: Personal-data pages of one's own municipalities (lists, forms): any manager, and admins.
MANAGERS = rule(LOGIN, NO, NO, OK, OK, NO, OK)
#: Non-personal pages of København: its manager, head office and admins.
MUNICIPALITY = rule(LOGIN, NO, NO, NO, OK, OK, OK)
#: Non-personal staff pages: every manager, head office and admins.
STAFF = rule(LOGIN, NO, NO, OK, OK, OK, OK)
ADMIN = rule(LOGIN, NO, NO, NO, NO, NO, OK)
#: Refugees and volunteers with a person of their own.
OWN = rule(LOGIN, OK, OK, NO, NO, NO, NO)

#: Expected outcomes for every endpoint of the app; a new endpoint must be added here.
RULES = {
    "static": PUBLIC,
    "i18n.switch": PUBLIC,
    "auth.login": PUBLIC,
    "auth.request_password_reset": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.change_password": LOGGED_IN,
    "auth.logout": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # then back to the login page
    "main.login": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # a short address of the login page
    "main.index": PUBLIC,
    "main.own_availability": rule(LOGIN, NO, OK, NO, NO, NO, NO),
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.resend_invitation": ADMIN,
    "admin.toggle_access": ADMIN,
    "admin.organisations": ADMIN,
    "admin.edit_organisation": ADMIN,
    "admin.remove_organisation": ADMIN,
    "outbox.index": ADMIN,
    "outbox.retry": ADMIN,
    "municipalities.index": STAFF,
    "municipalities.detail": MUNICIPALITY,
    "people.index": MANAGERS,
    "people.new": MANAGERS,
    "people.waiting": MANAGERS,
    "people.export": MANAGERS,
    "people.import_template": MANAGERS,
    "people.import_file": MANAGERS,
    "people.confirm_import": MANAGERS,
    "people.detail": PERSONAL,
    "people.edit": PERSONAL,
    "people.change_status": PERSONAL,
    "people.consent": PERSONAL,
    "people.archive": PERSONAL,
    "people.merge_candidates": PERSONAL,
    "people.merge": PERSONAL,
    "people.data": PERSONAL,
    "audit.person_log": PERSONAL,
    "audit.index": ADMIN,
    "privacy.erase": PERSONAL,
    "recruitment.apply": PUBLIC,
    "recruitment.approve": PERSONAL,
    "recruitment.decline": PERSONAL,
    "matches.index": MANAGERS,
    "matches.batch": MANAGERS,
    "matches.suggestions": PERSONAL,
    "matches.propose": PERSONAL,
    "matches.detail": PERSONAL,
    "matches.answer": PERSONAL,
    "matches.end": PERSONAL,
    "followup.answer": PUBLIC,
    "followup.handled": PERSONAL,
    "events.index": PUBLIC,
    "events.show": PUBLIC,
    "events.activity_calendar": PUBLIC,
    "events.venue_calendar": PUBLIC,
    "events.my_sign_up": PUBLIC,
    "events.cancel_by_link": PUBLIC,
    "events.sign_up": rule(OK, OK, OK, NO, NO, NO, NO),  # anyone, with contact details or an own person
    "events.sign_up_with_friend": OWN,
    "events.cancel_my_sign_up": OWN,
    "events.host": rule(LOGIN, NO, OK, NO, NO, NO, NO),
    "events.stop_hosting": rule(LOGIN, NO, OK, NO, NO, NO, NO),
    "events.venues": MANAGERS,
    "events.manage": MANAGERS,
    "events.new_activity": MANAGERS,
    "events.attendance_report": MANAGERS,
    "events.attendance_csv": MANAGERS,
    "events.edit_venue": PERSONAL,  # København's; a new one in BY_ADDRESS
    "events.edit_activity": PERSONAL,
    "events.cancel_activity": PERSONAL,
    "events.sign_ups": PERSONAL,
    "events.record_attendance": PERSONAL,
    "events.sign_up_person": PERSONAL,
    "events.cancel_sign_up": PERSONAL,
    "agreements.index": STAFF,
    "agreements.new": STAFF,
    "agreements.detail": MUNICIPALITY,
    "agreements.edit": MUNICIPALITY,
    "agreements.upload": MUNICIPALITY,
    "agreements.download": MUNICIPALITY,
    "agreements.delete_document": MUNICIPALITY,
    "stats.dashboard": rule(LOGIN, NO, NO, NO, NO, OK, OK),
    "stats.table_export": rule(LOGIN, NO, NO, NO, NO, OK, OK),
    "stats.municipality": rule(LOGIN, NO, NO, NO, NO, OK, OK),
    "stats.coverage_json": PUBLIC,  # counts only, for the public map
    "stats.coverage_csv": PUBLIC,
}
#: Where one endpoint has two addresses with different rules.
BY_ADDRESS = {"/manage/venues/new": MANAGERS}
#: What names the København people, and must reach no one but their manager and admins (and themselves).
KØBENHAVN_SECRETS = ("Haddad", "Hadad", "Kjærgaard", "amal@example.org", "+4522000001")
#: Roles that must never see those, on any page they may open.
OUTSIDERS = ("anonymous", "volunteer", "other", "head_office")


@pytest.fixture
def world(app, make_user, make_person, tmp_path, monkeypatch):
    """One data set in København (and one Aarhus refugee), a logged-in client for each role, and the URL values."""
    monkeypatch.setitem(app.config, "AGREEMENT_DOCUMENTS_DIR", str(tmp_path / "agreements"))
    refugee = make_person("refugee", full_name="Amal Haddad", municipality_code=101, email="amal@example.org",
                          phone="+4522000001")
    volunteer = make_person("volunteer", full_name="Birgit Jensen", municipality_code=101,
                            email="birgit@example.org", languages={"ar": 5})
    duplicate = make_person("refugee", full_name="Amal Hadad", municipality_code=101)
    aarhus = make_person("refugee", full_name="Omar Nielsen")
    applicant = make_person("volunteer", full_name="Carl Kjærgaard", municipality_code=101, status="applicant")
    admin = make_user(Role.ADMIN)
    match = matches.propose(refugee.id, volunteer.id, admin)
    matches.accept(match, "refugee", admin)
    matches.accept(match, "volunteer", admin)
    db.session.commit()
    create_due_check_ins(today_local() + timedelta(days=30))
    venue = Venue(municipality_code=101, name="Velkomsthuset", address="Nørrebrogade 1", postcode="2200")
    db.session.add(venue)
    db.session.flush()
    day = (now_utc() + timedelta(days=7)).astimezone(LOCAL_ZONE).date()
    activity = events.create_activity(
        ActivityDetails(venue_id=venue.id, category="language_cafe", texts={"da": ("Sprogcafé", None)}),
        day, time(17), timedelta(hours=2))
    db.session.flush()
    sign_up = events.sign_up(activity.id, person=refugee, by=admin)
    organisation = Organisation(name="Spare organisation")
    db.session.add(organisation)
    db.session.flush()
    agreement = Agreement(municipality_code=101, organisation_id=organisation.id)
    db.session.add(agreement)
    db.session.flush()
    document = agreements.attach(agreement, "aftale.pdf", b"%PDF-1.7\n%%EOF\n", admin)
    queue_mail("amal@example.org", "email/match_active.txt", "da", match=match, person=refugee, side="refugee",
               friend="Birgit", manager=admin)
    db.session.commit()
    target = make_user(Role.HEAD_OFFICE)
    users = {
        "refugee": make_user(Role.REFUGEE, person=refugee),
        "volunteer": make_user(Role.VOLUNTEER, person=volunteer),
        "other": make_user(Role.MANAGER, ["Aarhus"]),
        "manager": make_user(Role.MANAGER, ["København"]),
        "head_office": make_user(Role.HEAD_OFFICE),
        "admin": admin,
    }
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        clients[role] = app.test_client()
        assert log_in(clients[role], user.email).status_code == 200
    values = {
        "person_id": refugee.id, "other_id": duplicate.id, "refugee_id": refugee.id, "match_id": match.id,
        "user_id": target.id, "organisation_id": organisation.id, "agreement_id": agreement.id,
        "document_id": document.id, "activity_id": activity.id, "venue_id": venue.id, "sign_up_id": sign_up.id,
        "check_in_id": db.session.scalars(sa.select(CheckIn.id)).first(), "code": 101,
        "message_id": db.session.scalars(sa.select(OutboxMessage.id)).first(), "token": "not-a-token",
        "plural": "refugees", "file_format": "csv", "data_format": "json", "table": "municipalities", "filename": "css/app.css",
    }
    return clients, values, {"applicant": applicant.id, "aarhus": aarhus.id}


def outcome(response):
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.status_code
    return OK


def requests(app, values, special):
    """(url, method, expected outcomes, endpoint) for every rule: GET where it has GET, else an empty POST."""
    from flask import url_for

    found = []
    with app.test_request_context():
        for url_rule in app.url_map.iter_rules():
            kwargs = {name: values[name] for name in url_rule.arguments - set(url_rule.defaults or ())}
            if url_rule.endpoint in ("recruitment.approve", "recruitment.decline"):
                kwargs["person_id"] = special["applicant"]
            method = "GET" if "GET" in url_rule.methods else "POST"
            url = url_for(url_rule.endpoint, **kwargs)
            found.append((url, method, BY_ADDRESS.get(url, RULES[url_rule.endpoint]), url_rule.endpoint))
    # Logging out ends the account's sessions: last.
    return sorted(found, key=lambda item: item[3] == "auth.logout")


def test_every_endpoint_has_a_rule(app):
    assert {url_rule.endpoint for url_rule in app.url_map.iter_rules()} == set(RULES)


def test_every_route_answers_every_role_as_its_rule_says_and_leaks_no_one(app, world):
    clients, values, special = world
    wrong, leaks = [], []
    for url, method, expected, endpoint in requests(app, values, special):
        for role in ROLES:
            response = clients[role].get(url) if method == "GET" else clients[role].post(url, data={})
            if outcome(response) != expected[role]:
                wrong.append(f"{method} {url} as {role}: {outcome(response)}, not {expected[role]}")
            text = response.get_data(as_text=True) if endpoint != "static" else ""
            if role in OUTSIDERS and any(secret in text for secret in KØBENHAVN_SECRETS):
                leaks.append(f"{method} {url} as {role}")
    assert wrong == [] and leaks == []


def test_no_search_filter_export_or_json_finds_a_person_of_another_municipality(app, world):
    clients, values, special = world
    for role, url in ((role, url) for role in ("other", "head_office") for url in (
        "/people/refugees?q=Haddad", "/people/refugees?q=Haddad&municipality=101", "/people/refugees?q=%2B4522000001",
        "/people/refugees?q=amal%40example.org", "/people/refugees?archived=1&q=Amal",
        "/people/waiting?municipality=101", "/people/refugees/export.csv?municipality=101",
        "/people/volunteers/export.csv?q=Jensen", "/matches/?status=active", "/matches/batch?municipality=101",
        f"/people/{special['aarhus']}/merge?q=Haddad", "/coverage.json", "/coverage.csv",
        "/stats/municipalities.csv",
    )):
        # An export is posted with its reason; the rest are pages.
        response = clients[role].post(url, data={"reason": "Checking"}) if "/export." in url else clients[role].get(url)
        text = response.get_data(as_text=True)
        searched = unquote(url)  # a search box shows what was searched for
        assert not [s for s in (*KØBENHAVN_SECRETS, "Amal", "Jensen") if s in text and s not in searched], (role, url)


def database_fingerprint():
    """Every row of every table, to tell that nothing at all was written."""
    return {table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
            for table in db.metadata.sorted_tables}


def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(app, world, monkeypatch):
    """Each state-changing route, posted by someone it would let through, with CSRF protection on."""
    clients, values, special = world
    posts = [(url, expected, endpoint) for url, _, expected, endpoint in requests(app, values, special)
             if "POST" in next(app.url_map.iter_rules(endpoint)).methods]
    assert len(posts) > 40
    with force_locale("da"):
        expired = gettext("The form had expired")
    before = database_fingerprint()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for url, expected, endpoint in posts:
        role = next(role for role in reversed(ROLES) if expected[role] == OK or endpoint == "auth.logout")
        response = clients[role].post(url, data={})
        assert response.status_code == 400 and expired in response.get_data(as_text=True), (url, role)
    db.session.expire_all()
    assert database_fingerprint() == before
