"""Property tests: whatever anyone sends to any form or import, the answer is a page, never a server error.

The forms are not listed by hand. Every page of `app.url_map` is opened
(as every role its rule lets in) and every ``<form>`` on it read: its
action, method and fields with their offered values. Hypothesis then sends
each form random Unicode, huge strings, control characters (NUL, ``\\x0b``),
numbers and dates out of any range, several values for one field, files
where text belongs and nothing at all, mixed with the values the page
offered (so that some submissions get past the first check). After each one:

- no server error (the test client re-raises any exception);
- a refused submission (the form shown again, or an error status) wrote no row;
- no text the database holds has a control character.

A route taking POST whose form no page shows, and a form class no request
built, fail the test too, so a new form is covered or named with a reason. The same runs on PostgreSQL, which refuses NUL.
"""
import csv
import io
import re
from datetime import date, time, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app.agreements.models import Agreement
from app.auth.models import Organisation, Role, User
from app.auth.tokens import INVITATION, PASSWORD_RESET, make_token as make_auth_token
from app.events import services as events
from app.events.links import make_token as make_sign_up_token
from app.events.models import Activity, SignUp, Venue
from app.events.services import ActivityDetails
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import make_token as make_check_in_token
from app.forms import FlaskForm
from app.limits import limiter
from app.matches import services as matches
from app.matches.models import Match
from app.people.forms import ConfirmImportForm
from app.timeutil import LOCAL_ZONE
from tests.conftest import IN_CI, PASSWORD, REFERENCE_TABLES
from tests.test_import_export import HEADER_DA
from tests.test_authorization import OK, ROLES, requests, world  # noqa: F401 (world is a fixture)

#: Examples per form; enough to meet every kind of bad value a few times, small enough for a minute in all.
EXAMPLES = 12
#: A filter or search form writes nothing; a few examples find what breaks it.
GET_EXAMPLES = 5
#: CI runs the same examples every time, so a build is red only for a change of ours; a developer's
#: run draws new ones and so keeps finding what the fixed set misses.
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=IN_CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
#: What a stored text must never hold (tab and line breaks are allowed in text areas).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Pages not crawled for forms: files, and the one that ends the sessions.
NOT_PAGES = {"static", "auth.logout"}
#: Routes taking POST not fuzzed here, each with the reason.
NOT_FUZZED = {
    "auth.logout": "would end the sessions of the clients that crawl, and takes no data",
    "people.confirm_import": "its form follows an upload: test_any_import_file_is_a_dry_run_or_a_clean_import",
}
#: Form classes not built here, each with the reason.
NOT_BUILT = {"ConfirmImportForm": NOT_FUZZED["people.confirm_import"]}

printable = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
controls = st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x7f\t\n\r a"), min_size=1, max_size=8)
odd_values = st.sampled_from([
    "", " ", "0", "-1", "1e400", "inf", "nan", "99999999999999999999", "2147483648", "-2147483649", "2200000000", "²",
    "2026-02-30", "0000-01-01", "9999-12-31", "25:61", "true", "on", "None", "[]", "{}", "%00", "\u202e", "☃" * 3,
    "<script>alert(1)</script>", "' OR 1=1 --", "=HYPERLINK(\"x\")", "a@b", "+" + "9" * 40,
])


class Huge(str):
    """A long text that a failing example shows by its length, not its 70,000 characters."""

    def __repr__(self):
        return f"Huge({self[:2]!r} * {len(self) // 2})"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


huge = st.sampled_from([1_000, 70_000]).flatmap(
    lambda n: st.sampled_from(["x" * n, "\x00" * n, "é€" * (n // 2)])).map(Huge)


def text_value(offered):
    """A value for one field: one it offered, or random, control, odd or huge text, mixed."""
    choices = [printable, odd_values, huge, st.tuples(printable, controls, printable).map("".join)]
    if offered:
        choices = [st.sampled_from(offered)] * 3 + choices
    return st.one_of(*choices)


def file_value():
    """A file where the form may expect one, or text: random bytes under a name the import reads."""
    names = st.sampled_from(["people.csv", "people.xlsx", "aftale.pdf", "x.docx", "x", "../../etc/passwd"])
    contents = st.one_of(st.binary(max_size=300), printable.map(str.encode), st.just(b"%PDF-1.7\n\x00%%EOF\n"))
    return st.tuples(contents, names).map(lambda pair: (io.BytesIO(pair[0]), pair[1]))


@st.composite
def submission(draw, fields):
    """Form data for `fields` ({name: offered values}): each left out, one value, several, or a file."""
    data = {}
    for name, offered in fields.items():
        kind = draw(st.sampled_from(["value", "value", "value", "missing", "several", "file"]))
        if kind == "missing":
            continue
        if kind == "several":
            data[name] = draw(st.lists(text_value(offered), min_size=2, max_size=3))
        elif kind == "file" or name == "file":
            data[name] = draw(file_value())
        else:
            data[name] = draw(text_value(offered))
    return data


class FormReader(HTMLParser):
    """Collect every <form>'s method, action and fields (name → values the page offers)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").upper(), "action": attrs.get("action") or "",
                          "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button", "option"):
            if tag == "option":
                name = self._select
            else:
                name = attrs.get("name")
                self._select = name if tag == "select" else None
            if name:
                values = self._form["fields"].setdefault(name, [])
                if attrs.get("value") not in (None, *values):
                    values.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def pages(app, values, special):
    """(url, roles that may open it) for every page of the url_map."""
    for url, method, expected, endpoint in requests(app, values, special):
        if method == "GET" and endpoint not in NOT_PAGES:
            yield url, [role for role in ROLES if expected[role] == OK]


def forms_on_pages(app, clients, urls):
    """Every distinct form the pages show: (endpoint, role, method, url, fields)."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for url, roles in urls:
        for role in roles:
            response = clients[role].get(url)
            if response.mimetype != "text/html":
                continue
            reader = FormReader()
            reader.feed(response.get_data(as_text=True))
            for form in reader.forms:
                target = urlsplit(urljoin(url, form["action"]))
                try:
                    action, _ = adapter.match(target.path, method=form["method"])
                except (NotFound, MethodNotAllowed):
                    continue
                key = (action, form["method"], frozenset(form["fields"]))
                found.setdefault(key, (action, role, form["method"], target.path + (f"?{target.query}" if target.query else ""),
                                       form["fields"]))
    return list(found.values())


@pytest.fixture
def more_pages(app, world, make_person, make_user):
    """What test_authorization's data set lacks to show every form: a proposal, people waiting, host
    slots, an invited account and working links; the pages that then show those forms."""
    clients, values, special = world
    admin = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN)).first()
    refugees = [make_person("refugee", full_name=f"Nadia Karimi {n}", municipality_code=101) for n in (1, 2)]
    volunteers = [make_person("volunteer", full_name=f"Jens Holm {n}", municipality_code=101, languages={"ar": 5})
                  for n in (1, 2)]
    proposed = matches.propose(refugees[0].id, volunteers[0].id, admin)
    activity = db.session.get(Activity, values["activity_id"])
    activity.host_slots = 2
    hosted = events.create_activity(
        ActivityDetails(venue_id=values["venue_id"], category="language_cafe", host_slots=1,
                        texts={"da": ("Sprogcafé", None)}),
        activity.starts_at.astimezone(LOCAL_ZONE).date(), time(10), timedelta(hours=1))
    db.session.flush()
    volunteer_user = db.session.scalars(sa.select(User).where(User.role == Role.VOLUNTEER)).first()
    events.take_host_slot(hosted.id, volunteer_user)
    invited = User(email="invited@example.org", full_name="Invited Person", role=Role.HEAD_OFFICE)
    db.session.add(invited)
    db.session.commit()
    resetting = make_user(Role.HEAD_OFFICE)
    sign_up = db.session.get(SignUp, values["sign_up_id"])
    check_in = db.session.get(CheckIn, values["check_in_id"])
    manager, admin_role, anonymous = ["manager"], ["admin"], ["anonymous"]
    with app.test_request_context():
        return [
            (url_for("people.detail", person_id=values["other_id"]), manager),
            (url_for("people.archive", person_id=values["other_id"]), manager),
            (url_for("people.new", plural="volunteers"), manager),
            (url_for("people.edit", person_id=volunteers[1].id), manager),
            (url_for("people.detail", person_id=special["applicant"]), manager),
            (url_for("matches.suggestions", refugee_id=refugees[1].id), manager),
            (url_for("matches.detail", match_id=proposed.id), manager),
            (url_for("matches.batch", municipality=101), manager),
            (url_for("events.sign_ups", activity_id=activity.id, q="Nadia"), manager),
            (url_for("events.show", activity_id=activity.id), ["volunteer"]),
            (url_for("events.show", activity_id=hosted.id), ["volunteer"]),
            (url_for("admin.edit_user", user_id=invited.id), admin_role),
            (url_for("auth.accept_invitation", token=make_auth_token(invited, INVITATION)), anonymous),
            (url_for("auth.reset_password", token=make_auth_token(resetting, PASSWORD_RESET)), anonymous),
            (url_for("events.my_sign_up", token=make_sign_up_token(sign_up)), anonymous),
            (url_for("followup.answer", token=make_check_in_token(check_in)), anonymous),
        ]


def snapshot():
    """Row counts of the application's tables, and any stored text holding a control character."""
    counts, dirty = {}, []
    for table in db.metadata.sorted_tables:
        if table.name in REFERENCE_TABLES:
            continue
        rows = db.session.execute(sa.select(table)).all()
        counts[table.name] = len(rows)
        text_columns = [i for i, column in enumerate(table.columns) if isinstance(column.type, sa.String)]
        dirty += [(table.name, row[i]) for row in rows for i in text_columns
                  if isinstance(row[i], str) and CONTROL.search(row[i])]
    db.session.rollback()
    return counts, dirty


def refused(response):
    """The form came back (with its messages) or the request was turned away: nothing may have been written."""
    return response.status_code >= 400 or (response.status_code == 200 and "is-invalid" in response.get_data(as_text=True))


def check(client, method, url, data):
    before, _ = snapshot()
    if method == "GET":
        response = client.get(url, query_string={k: v for k, v in data.items() if not isinstance(v, tuple)})
    else:
        response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code < 500, (method, url, data)
    after, dirty = snapshot()
    assert dirty == [], (method, url, data, dirty)
    if refused(response):
        assert after == before, (method, url, response.status_code, data)
    return response


@pytest.fixture
def built_forms(monkeypatch):
    """The form classes instantiated while the test runs."""
    built = set()
    original = FlaskForm.__init__

    def recording(self, *args, **kwargs):
        built.add(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", recording)
    return built


def form_classes():
    """Every form class of the app that a page posts (FlaskForm's subclasses)."""
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return {cls for cls in found if cls.__module__.startswith("app.")}


def test_every_form_answers_any_input_without_a_server_error_or_a_partial_write(
    app, world, more_pages, built_forms, monkeypatch
):
    clients, values, special = world
    monkeypatch.setattr(limiter, "enabled", False)  # so that submissions reach the checks behind the limits
    forms = forms_on_pages(app, clients, [*pages(app, values, special), *more_pages])
    posted = {endpoint for endpoint, _, method, _, _ in forms if method == "POST"}
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    unfuzzed = sorted(posting - posted - set(NOT_FUZZED))
    assert not unfuzzed, f"routes taking POST whose form no page of the data set shows: {unfuzzed}"

    for endpoint, role, method, url, fields in forms:
        if endpoint in NOT_FUZZED:
            continue

        @settings(FUZZ, max_examples=EXAMPLES if method == "POST" else GET_EXAMPLES)
        @given(data=submission(fields))
        def send(data):
            check(clients[role], method, url, data)

        send()
    # A base class's fields are fuzzed through the forms built on it.
    unbuilt = sorted(cls.__qualname__ for cls in form_classes()
                     if not any(issubclass(built, cls) for built in built_forms) and cls.__qualname__ not in NOT_BUILT)
    assert not unbuilt, f"form classes no request built: {unbuilt}"


GOOD_REFUGEE = ["Amal Haddad", "22 33 44 55", "", "1990", "8000", "ar:5, da:2", "fodbold", "weekend", "2026-01-05",
                "ja", "papir"]


def cell_value(good):
    """An import cell: the good value, or random, control, odd or huge text."""
    return st.one_of(st.just(good), st.just(good), st.just(""), printable, odd_values, huge,
                     st.tuples(st.just(good), controls).map("".join))


def import_file(rows, file_format):
    """A refugee import file in Danish headers, as CSV or XLSX (which cannot hold most control characters)."""
    if file_format == "csv":
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows([HEADER_DA.split(";"), *rows])
        return out.getvalue().encode()
    workbook = Workbook()
    for row in [HEADER_DA.split(";"), *rows]:
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_any_import_file_is_a_dry_run_or_a_clean_import(app, client, login_as, built_forms):
    login_as(Role.MANAGER, ["Aarhus"])
    random_rows = st.lists(st.tuples(*map(cell_value, GOOD_REFUGEE)).map(list), min_size=1, max_size=3)

    @settings(FUZZ, max_examples=25)
    @given(rows=random_rows, file_format=st.sampled_from(["csv", "xlsx"]))
    def send(rows, file_format):
        content = import_file(rows, file_format)
        page = check(client, "POST", "/people/refugees/import", {"file": (io.BytesIO(content), f"p.{file_format}")})
        token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
        if token:
            check(client, "POST", "/people/refugees/import/confirm", {"token": token.group(1)})

    send()
    assert ConfirmImportForm in built_forms  # some files were good enough to confirm


# What the properties above found, each pinned down.

def test_a_file_or_json_in_place_of_a_text_field_is_a_refused_form(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/auth/login?lang=en", data={"login": (io.BytesIO(b"x"), "x.csv"), "password": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    response = client.post("/auth/login?lang=en", json={"login": 5, "password": ["x"]})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    response = client.post("/auth/login", json={"login": user.email, "password": PASSWORD})
    assert response.status_code == 200  # a JSON body is no login either


def test_a_match_answer_other_than_yes_or_no_records_nothing(client, login_as, make_person):
    manager = login_as(Role.MANAGER, ["København"])
    refugee = make_person("refugee", municipality_code=101)
    volunteer = make_person("volunteer", municipality_code=101)
    match = matches.propose(refugee.id, volunteer.id, manager)
    db.session.commit()
    response = client.post(f"/matches/{match.id}/answer", data={"side": "refugee", "answer": "maybe"})
    assert response.status_code == 302
    db.session.refresh(match)
    assert match.status == "proposed" and match.declined_at is None


@pytest.mark.parametrize("q", ["x" * 70_000, "%00" * 1000], ids=["huge", "NUL"])
@pytest.mark.parametrize("role, url", [
    (Role.ADMIN, "/admin/users?q={q}"),
    (Role.MANAGER, "/manage/activities/{activity}/sign-ups?q={q}"),
    (Role.MANAGER, "/people/{person}/merge?q={q}"),
])
def test_a_search_longer_than_the_database_takes_or_with_a_nul_is_a_page(
    client, login_as, make_user, make_person, role, url, q
):
    login_as(role, ["København"] if role == Role.MANAGER else ())
    person = make_person(municipality_code=101)
    venue = Venue(municipality_code=101, name="Huset", address="Gade 1", postcode="2200")
    db.session.add(venue)
    db.session.flush()
    activity = events.create_activity(ActivityDetails(venue_id=venue.id, category="language_cafe",
                                                      texts={"da": ("Café", None)}),
                                      date(2030, 1, 1), time(17), timedelta(hours=2))
    db.session.commit()
    assert client.get(url.format(q=q, activity=activity.id, person=person.id)).status_code == 200


def test_a_percent_sign_in_the_user_search_is_searched_for(client, login_as, make_user):
    login_as(Role.ADMIN)
    make_user(Role.HEAD_OFFICE, full_name="Percent 100% Person")
    make_user(Role.HEAD_OFFICE, full_name="Percent 1000 Person")
    page = client.get("/admin/users?q=0%25").get_data(as_text=True)
    assert "Percent 100% Person" in page and "Percent 1000 Person" not in page


def test_an_id_larger_than_a_database_integer_is_refused_not_queried(client, login_as, make_person):
    """PostgreSQL refused such a number in the query (a server error); SQLite took it."""
    login_as(Role.MANAGER, ["København"])
    refugee = make_person(municipality_code=101, status="waiting")
    make_person("volunteer", municipality_code=101)
    response = client.post(f"/matches/propose/{refugee.id}?lang=en", data={"volunteer_id": "2200000000"})
    assert response.status_code == 200  # the suggestions again, nothing proposed
    for pair in (f"{refugee.id}-9999999999", f"{refugee.id}-²"):
        assert client.post("/matches/batch?municipality=101", data={"pairs": pair}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 0


def test_an_organisation_with_an_agreement_is_not_deleted(client, login_as):
    """PostgreSQL refused the delete (a server error); SQLite deleted it and left the agreement pointing nowhere."""
    login_as(Role.ADMIN)
    organisation = Organisation(name="Venskabsforeningen")
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Agreement(municipality_code=101, organisation_id=organisation.id))
    db.session.commit()
    page = client.post(f"/admin/organisations/{organisation.id}/delete?lang=en", follow_redirects=True)
    assert "Venskabsforeningen still has users or agreements and cannot be deleted." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id) is not None


def test_a_decline_reason_longer_than_the_history_keeps_is_a_message(client, login_as, make_person):
    """The reason goes into the status history's 500 characters: PostgreSQL refused a longer one (a server error)."""
    login_as(Role.MANAGER, ["Aarhus"])
    applicant = make_person("volunteer", status="applicant", email="ida@example.org")
    page = client.post(f"/applicants/{applicant.id}/decline?lang=en", data={"reason": "é" * 501})
    assert page.status_code == 200 and "is-invalid" in page.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.status == "applicant"
    assert client.post(f"/applicants/{applicant.id}/decline", data={"reason": "é" * 500}).status_code == 302


def test_an_organisation_name_taken_in_letters_beyond_ascii_is_a_message(client, login_as):
    """SQLite's lower() folds only ASCII, so the duplicate check let "Ærø Venner" through to the unique index."""
    login_as(Role.ADMIN)
    assert client.post("/admin/organisations", data={"name": "Ærø Venner"}).status_code == 302
    page = client.post("/admin/organisations?lang=en", data={"name": "Ærø Venner"}).get_data(as_text=True)
    assert "An organisation with this name already exists." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
