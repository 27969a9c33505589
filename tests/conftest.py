"""Fixtures shared by the whole suite.

The schema comes from the Alembic migrations (as in production), once per
session, on SQLite by default or on PostgreSQL when TEST_DATABASE_URL says so.
Reference data is loaded once; every other table is emptied after each test.
"""
import contextvars
from collections.abc import Sequence
import os
import re
import socket
import threading
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Organisation, Role, User
from app.extensions import db
from app.limits import limiter
from app.mail import build_message
from app.municipalities.models import Municipality
from app.municipalities.refdata import load_reference_data
from app.outbox.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
REFERENCE_TABLES = {"region", "municipality", "postcode_area", "alembic_version"}
PASSWORD = "correct horse battery"
IN_CI = os.environ.get("CI", "").lower() == "true"


def compile_catalogs():
    """Compile every .po so the suite also runs without `make`."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with open(po_path, "rb") as f:
            catalog = read_po(f)
        with open(po_path.with_suffix(".mo"), "wb") as f:
            write_mo(f, catalog)


class IsolatedClient(FlaskClient):
    """Run each request in a fresh context, as a real server does.

    Without this, requests would reuse the test's application context, and
    with it `g` (the cached locale, the logged-in user) and the test's
    database session.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    # A file, not :memory:, so a live server thread sees the same data.
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )


@pytest.fixture(scope="session")
def _app(database_url):
    compile_catalogs()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_data()
        db.session.commit()
    return app


@pytest.fixture
def app(_app):
    with _app.app_context():
        yield _app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture(autouse=True)
def fresh_rate_limits(_app):
    """Each test starts with no rate limit counted (the store is memory:// in tests)."""
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class QueuedMail(Sequence):
    """The e-mails queued in the outbox, as the messages the delivery job would send.

    Read afresh on every access; `clear()` forgets the ones queued so far.
    """

    def __init__(self):
        self._after_id = 0

    def _messages(self):
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id > self._after_id).order_by(OutboxMessage.id)
        )
        return [build_message(row.recipient, row.subject, row.body) for row in rows]

    def __getitem__(self, index):
        return self._messages()[index]

    def __len__(self):
        return len(self._messages())

    def clear(self):
        self._after_id = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0


@pytest.fixture
def outbox(app):
    return QueuedMail()


def municipality_named(name):
    return db.session.scalars(sa.select(Municipality).where(Municipality.name == name)).one()


@pytest.fixture
def make_user(app):
    """Create a user with a password; managers get an organisation and municipalities."""
    counter = iter(range(1, 10_000))

    def make(role=Role.MANAGER, municipalities=(), email=None, locale=None, **fields):
        n = next(counter)
        user = User(
            email=email or f"{role}{n}@example.org",
            full_name=fields.pop("full_name", f"Test {role} {n}"),
            role=role,
            locale=locale,
            **fields,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        if role == Role.MANAGER:
            user.organisation = db.session.scalars(
                sa.select(Organisation).where(Organisation.name == "Dansk Røde Kors")
            ).first() or Organisation(name="Dansk Røde Kors")
            user.municipalities = [municipality_named(name) for name in municipalities]
        db.session.commit()
        return user

    return make


def log_in(client, login, password=PASSWORD):
    return client.post(
        "/auth/login", data={"login": login, "password": password}, follow_redirects=True
    )


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user of `role`; return the user."""

    def login(role, municipalities=(), **fields):
        user = make_user(role, municipalities, **fields)
        response = log_in(client, user.email)
        assert response.status_code == 200
        return user

    return login


def html_root(response):
    """Return the (lang, dir) of a page's <html> element."""
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.get_data(as_text=True))
    return match.groups() if match else None


def person_data(**overrides):
    """A valid profile for services.create_person; override what a test is about."""
    data = {
        "full_name": "Test Person",
        "phone": "+4522334455",
        "municipality_code": 751,
        "message_locale": "da",
        "languages": {"ar": 5, "da": 2},
        "interests": ["football"],
        "available_weekend": True,
        "consents": {"matching": True, "contact": True, "statistics": False},
        "consent_method": "paper",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_person(app):
    """Register a refugee or volunteer through the service layer."""
    from app.people.services import create_person

    def make(kind="refugee", status=None, **overrides):
        person, _ = create_person(kind, person_data(**overrides), None, status=status)
        db.session.commit()
        return person

    return make


# A real SMTP server (aiosmtpd) on a free loopback port, for the outbox's delivery job.


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(app, monkeypatch):
    """Point the app at a loopback port; `start()` brings a real SMTP server up on it."""
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    started = []
    inbox.start = lambda: started.append(controller.start())
    yield inbox
    if started:
        controller.stop()


# Browser tests (marked `browser`): Debian's chromium at phone size.

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright; under CI=true a missing browser fails the run."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (make test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api") if not IN_CI else __import__(
        "playwright.sync_api", fromlist=["sync_playwright"]
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts (own viewport, JavaScript on or off, empty cache).

    The test fails if the Content-Security-Policy refused anything one of them loaded.
    """
    contexts, refused = [], []

    def open_page(**context_options):
        context = browser.new_context(**{"viewport": PHONE, "device_scale_factor": 1, **context_options})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert refused == []


@pytest.fixture
def page(new_page):
    """A phone-sized page, watched for refusals by the Content-Security-Policy."""
    return new_page()


def log_in_page(page, live_server, user):
    """Log `user` in through the browser's login form, as a person would (any earlier login is forgotten)."""
    page.context.clear_cookies()
    page.goto(f"{live_server}/auth/login")
    page.fill("#login", user.email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def has_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
