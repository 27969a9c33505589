"""Load test of the real server: ``make load`` (``scripts/with-postgres.sh .venv/bin/python -m bench.load``).

Starts gunicorn as production runs it (``gunicorn.conf.py``, ``wsgi.py``,
``APP_CONFIG=production`` with a random ``SECRET_KEY``) on the throwaway
PostgreSQL of ``TEST_DATABASE_URL``, seeds it (``flask db upgrade``,
``flask refdata load``, ``flask demo seed``, then accounts and dates with
few seats), and drives it from loopback with concurrent clients (aiohttp,
one cookie jar each, every CSRF token read from the form it posts):

1. a one-route Flask app (``bench/bare_app.py``) under the same gunicorn
   settings, and then our public pages, each for ``LOAD_COMPARE_SECONDS``
   with every client browsing: the ratio of their throughputs;
2. the mixed load for ``LOAD_SECONDS``: visitors browsing the activities,
   an activity, the application form and the open data; refugees and
   volunteers who log in, sign up and cancel; managers listing people and
   opening suggestions.

It prints requests per second, p50/p95/p99 and every answer that is not a
success per kind of client, then checks the database: no date has more
confirmed seats than it holds, and every sign-up a client was told it had
is there (and every one it cancelled is cancelled). It exits non-zero on a
server error (5xx), a failed request, or a failed check; the latency and
throughput targets are printed beside the figures. Rate limits stay as
production has them (``memory://``, per worker): the clients send no form
the limiter counts but right passwords, and a 429 would be counted apart.

Environment: ``LOAD_CLIENTS`` (50), ``LOAD_SECONDS`` (60),
``LOAD_COMPARE_SECONDS`` (20), ``LOAD_WARM_UP_SECONDS`` (5),
``GUNICORN_WORKERS`` and ``GUNICORN_THREADS`` (gunicorn.conf.py's
defaults), ``LOAD_LOG`` (gunicorn's log, in a temporary folder by
default). Traffic goes to 127.0.0.1 only.
"""
import asyncio
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import time as clock, timedelta
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLIENTS = int(os.environ.get("LOAD_CLIENTS", 50))
SECONDS = float(os.environ.get("LOAD_SECONDS", 60))
COMPARE_SECONDS = float(os.environ.get("LOAD_COMPARE_SECONDS", 20))
#: Issue 12's targets.
TARGET_P95 = 0.300
TARGET_RATIO = 0.40
PASSWORD = "load-test-password"
#: Dates made for the run: few seats, so sign-ups meet full dates and the waitlist.
LOAD_DATES = 24
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)

TOKEN = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def form_token(html, action=None):
    """The CSRF token of the page's form posting to `action` (or of its first form with one), or None."""
    for attributes, body in FORM.findall(html):
        if action is None or f'action="{action}"' in attributes:
            if (field := TOKEN.search(body)) and (value := VALUE.search(field.group(0))):
                return value.group(1)
    return None


# Results -----------------------------------------------------------------------


class Results:
    """Latencies and answers per kind of client."""

    def __init__(self):
        self.latencies = defaultdict(list)
        self.answers = defaultdict(Counter)
        self.started = self.ended = None

    def record(self, kind, status, seconds):
        self.latencies[kind].append(seconds)
        if status >= 500:
            self.answers[kind]["server error"] += 1
        elif status == 429:
            self.answers[kind]["429 rate limited"] += 1
        elif status >= 400:
            self.answers[kind][f"{status}"] += 1

    def failed(self, kind, error):
        self.answers[kind][f"failed: {type(error).__name__}"] += 1

    def requests(self, kind=None):
        return sum(len(v) for k, v in self.latencies.items() if kind in (None, k))

    def rate(self, kind=None):
        return self.requests(kind) / (self.ended - self.started)

    def errors(self):
        return sum(n for answers in self.answers.values() for what, n in answers.items()
                   if what == "server error" or what.startswith("failed"))

    def print(self, title):
        print(f"\n{title}: {self.ended - self.started:.0f} s, {self.requests():,} requests, "
              f"{self.rate():.0f} requests/s")
        print(f"  {'clients':<14} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  not a success")
        for kind in [*sorted(self.latencies), None]:
            values = sorted(self.latencies[kind] if kind else [x for v in self.latencies.values() for x in v])
            if not values:
                continue
            p = [values[min(len(values) - 1, int(q * len(values)))] * 1000 for q in (0.50, 0.95, 0.99)]
            answers = (self.answers[kind] if kind else sum(self.answers.values(), Counter()))
            other = ", ".join(f"{what}: {n}" for what, n in sorted(answers.items())) or "none"
            print(f"  {kind or 'all':<14} {len(values):>9,} {self.rate(kind):>7.0f} {p[0]:>8.1f} {p[1]:>8.1f} "
                  f"{p[2]:>8.1f}  {other}")

    def p95(self):
        values = sorted(x for v in self.latencies.values() for x in v)
        return values[min(len(values) - 1, int(0.95 * len(values)))] if values else 0


# Clients -----------------------------------------------------------------------


class Client:
    """One browser: its own cookies, following redirects itself so each request is timed alone."""

    def __init__(self, base, kind, results):
        self.base, self.kind, self.results = base, kind, results
        jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])  # production's cookies are Secure
        self.session = aiohttp.ClientSession(base, cookie_jar=jar, timeout=REQUEST_TIMEOUT)

    async def request(self, method, path, **kwargs):
        """Send one request and follow its redirects; return the last (status, text), or (None, "") if one failed."""
        for _ in range(5):
            started = time.perf_counter()
            try:
                async with self.session.request(method, path, allow_redirects=False, **kwargs) as response:
                    text = await response.text()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                self.results.failed(self.kind, error)
                return None, ""
            self.results.record(self.kind, response.status, time.perf_counter() - started)
            if response.status not in (301, 302, 303) or "Location" not in response.headers:
                return response.status, text
            method, path, kwargs = "GET", response.headers["Location"], {}
        return response.status, text

    async def log_in(self, email):
        _, page = await self.request("GET", "/auth/login")
        status, home = await self.request("POST", "/auth/login", data={
            "login": email, "password": PASSWORD, "csrf_token": form_token(page) or ""})
        if status != 200 or 'action="/auth/logout"' not in home:
            raise RuntimeError(f"{email} could not log in ({status})")

    async def close(self):
        await self.session.close()


async def visitor(client, plan, deadline, public_only=False):
    """Browse the public pages as someone without an account."""
    pages = ["/activities", "/activities?municipality=101", "/activities?date=week&lang=en", "/activities?page=2",
             "/volunteer", "/volunteer?lang=ar"]
    extra = [] if public_only else ["/coverage.json", "/", "/activities?lang=fa"]
    while time.monotonic() < deadline:
        roll = random.random()
        if roll < 0.45:
            await client.request("GET", f"/activities/{random.choice(plan['dates'])}")
        else:
            await client.request("GET", random.choice(pages + extra))


async def participant(client, plan, deadline, told):
    """A refugee or volunteer: logs in, looks at dates, signs up with one tap and sometimes cancels."""
    email = plan["participants"].pop()
    await client.log_in(email)
    while time.monotonic() < deadline:
        await client.request("GET", random.choice(("/activities", "/")))
        date = random.choice(plan["dates"])
        status, page = await client.request("GET", f"/activities/{date}")
        cancel = form_token(page, f"/activities/{date}/cancel-sign-up")
        sign_up = form_token(page, f"/activities/{date}/sign-up")
        if cancel and random.random() < 0.5:
            status, page = await client.request(
                "POST", f"/activities/{date}/cancel-sign-up", data={"csrf_token": cancel})
            told[(email, date)] = "cancelled" if status == 200 and not form_token(
                page, f"/activities/{date}/cancel-sign-up") else "unknown"
        elif sign_up:
            status, page = await client.request(
                "POST", f"/activities/{date}/sign-up", data={"csrf_token": sign_up, "extra": "0"})
            told[(email, date)] = "live" if status == 200 and form_token(
                page, f"/activities/{date}/cancel-sign-up") else "unknown"


async def manager(client, plan, deadline):
    """A volunteer manager: the home page, refugee and waiting lists, suggestions for a waiting refugee."""
    email, refugees = plan["managers"].pop()
    await client.log_in(email)
    while time.monotonic() < deadline:
        path = random.choice(("/", "/people/refugees", "/people/volunteers", "/people/waiting",
                              "/activities", *(f"/matches/suggestions/{r}" for r in random.sample(refugees, 2))))
        await client.request("GET", path)


#: Seconds of unmeasured traffic before each measured run: workers import, compile templates, fill caches.
WARM_UP_SECONDS = float(os.environ.get("LOAD_WARM_UP_SECONDS", 5))


async def run(base, clients, seconds, make_tasks, warm_up=None):
    """Run `make_tasks(client, deadline)` for each of `clients` (kind, …) until `seconds` have passed.

    `warm_up(client, deadline)`, if given, runs first for WARM_UP_SECONDS, unmeasured.
    """
    if warm_up:
        await run(base, ["warm-up"] * len(clients), WARM_UP_SECONDS, warm_up)
    results = Results()
    sessions = [Client(base, kind, results) for kind in clients]
    deadline = time.monotonic() + seconds
    results.started = time.monotonic()
    try:
        outcomes = await asyncio.gather(*(make_tasks(client, deadline) for client in sessions),
                                        return_exceptions=True)
    finally:
        results.ended = time.monotonic()
        await asyncio.gather(*(client.close() for client in sessions))
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
    return results


async def hammer(client, path, deadline):
    while time.monotonic() < deadline:
        await client.request("GET", path)


# The server --------------------------------------------------------------------


class Gunicorn:
    """gunicorn with the repository's gunicorn.conf.py, serving `app_path` on a free loopback port."""

    def __init__(self, app_path, env, log):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", app_path],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "SERVER_NAME": f"127.0.0.1:{self.port}"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def __enter__(self):
        until = time.monotonic() + 60
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped; see its log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 60 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def seed(env, url):
    """Schema, reference and demo data through the CLI, then the run's accounts and dates; return the plan."""
    def flask(*args, config="production"):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env={**env, "APP_CONFIG": config},
                       check=True, stdout=subprocess.DEVNULL)

    flask("db", "upgrade")
    flask("refdata", "load")
    flask("demo", "seed", config="development")  # production refuses demo data; this database is thrown away

    from app import create_app
    from app.auth.models import Role, User
    from app.events import services
    from app.events.models import Activity, Venue
    from app.events.services import ActivityDetails
    from app.extensions import db
    from app.municipalities.models import Municipality
    from app.people.models import Person
    from app.timeutil import now_utc, today_local

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    hashed = generate_password_hash(PASSWORD)
    with app.app_context():
        venues = db.session.scalars(sa.select(Venue).order_by(Venue.id)).all()
        rng = random.Random(12)
        for n in range(LOAD_DATES):
            venue = venues[n % len(venues)]
            details = ActivityDetails(venue.id, "language_cafe", {"da": (f"Sprogcafé {n + 1}", None),
                                                                  "en": (f"Language café {n + 1}", None)},
                                      capacity=rng.randint(2, 8), languages=["da", "en"])
            services.create_activity(details, today_local() + timedelta(days=1 + n % 14), clock(10 + n % 8),
                                     timedelta(hours=2))
        participants = []
        for n in range(CLIENTS):
            role = (Role.REFUGEE, Role.VOLUNTEER)[n % 2]
            user = User(email=f"load-{role}-{n}@example.org", full_name=f"Load {role} {n}", role=role,
                        locale="da", password_hash=hashed)
            db.session.add(user)
            participants.append(user.email)
        managers = []
        for n, code in enumerate((101, 147, 751) * ((CLIENTS + 2) // 3)):
            refugees = db.session.scalars(sa.select(Person.id).where(
                Person.kind == "refugee", Person.status == "waiting", Person.municipality_code == code)).all()
            if len(refugees) < 2:
                continue
            user = User(email=f"load-manager-{n}@example.org", full_name=f"Load manager {n}", role=Role.MANAGER,
                        locale="da", password_hash=hashed)
            user.municipalities = [db.session.get(Municipality, code)]
            db.session.add(user)
            managers.append((user.email, refugees))
        dates = db.session.scalars(sa.select(Activity.id).where(
            Activity.ends_at > now_utc(), Activity.cancelled_at.is_(None))).all()
        db.session.commit()
    return {"dates": dates, "participants": participants, "managers": managers}


def check_database(url, told):
    """Return the problems found: dates over capacity, sign-ups a client was told of that are not so."""
    engine = sa.create_engine(url)
    problems = []
    with engine.connect() as connection:
        for activity_id, capacity, seats in connection.execute(sa.text(
            "SELECT a.id, a.capacity, SUM(s.seats) FROM activity a JOIN sign_up s ON s.activity_id = a.id "
            "WHERE s.status = 'confirmed' AND a.capacity IS NOT NULL GROUP BY a.id, a.capacity "
            "HAVING SUM(s.seats) > a.capacity"
        )):
            problems.append(f"date {activity_id}: {seats} confirmed seats of {capacity}")
        live = {(email, activity_id) for email, activity_id in connection.execute(sa.text(
            "SELECT u.email, s.activity_id FROM sign_up s JOIN app_user u ON u.id = s.user_id "
            "WHERE s.status != 'cancelled' AND u.email LIKE 'load-%'"
        ))}
    engine.dispose()
    for (email, activity_id), state in told.items():
        if state == "live" and (email, activity_id) not in live:
            problems.append(f"{email} was told of a sign-up for date {activity_id} that is not there")
        if state == "cancelled" and (email, activity_id) in live:
            problems.append(f"{email} cancelled date {activity_id}, which is still signed up")
    return problems


def main():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("bench.load needs a PostgreSQL TEST_DATABASE_URL: run it as `make load`")
    log_path = Path(os.environ.get("LOAD_LOG") or Path(tempfile.mkdtemp()) / "gunicorn.log")
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
           "SERVER_NAME": "127.0.0.1"}
    print(f"Seeding {url.split('?')[0]} …")
    plan = seed(env, url)
    workers = os.environ.get("GUNICORN_WORKERS", "2 (gunicorn.conf.py)")
    threads = os.environ.get("GUNICORN_THREADS", "4 (gunicorn.conf.py)")
    print(f"gunicorn: {workers} workers × {threads} threads, production configuration; log in {log_path}")
    print(f"{CLIENTS} clients from loopback; {os.cpu_count()} CPUs; load average before: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    told = {}
    with open(log_path, "w") as log:
        with Gunicorn("bench.bare_app:app", env, log) as bare:
            bare_results = asyncio.run(run(bare.base, ["bare Flask"] * CLIENTS, COMPARE_SECONDS,
                                           lambda client, deadline: hammer(client, "/", deadline),
                                           warm_up=lambda client, deadline: hammer(client, "/", deadline)))
        with Gunicorn("wsgi:app", env, log) as server:
            browse = lambda client, deadline: visitor(client, plan, deadline)  # noqa: E731
            public = asyncio.run(run(server.base, ["visitor"] * CLIENTS, COMPARE_SECONDS,
                                     lambda client, deadline: visitor(client, plan, deadline, public_only=True),
                                     warm_up=browse))
            participants = CLIENTS * 3 // 10
            managers = min(CLIENTS // 10, len(plan["managers"]))
            kinds = (["participant"] * participants + ["manager"] * managers
                     + ["visitor"] * (CLIENTS - participants - managers))

            def act(client, deadline):
                if client.kind == "participant":
                    return participant(client, plan, deadline, told)
                if client.kind == "manager":
                    return manager(client, plan, deadline)
                return visitor(client, plan, deadline)

            mixed = asyncio.run(run(server.base, kinds, SECONDS, act))
    load_after = " ".join(f"{x:.1f}" for x in os.getloadavg())
    bare_results.print("Bare Flask, one route")
    public.print("Public pages only (activity list, activity pages, application form)")
    ratio = public.rate() / bare_results.rate()
    print(f"  public pages / bare Flask: {ratio:.0%} of its throughput "
          f"(target ≥ {TARGET_RATIO:.0%}: {'met' if ratio >= TARGET_RATIO else 'missed'})")
    mixed.print("Mixed load")
    print(f"  load average after: {load_after}")
    signed = Counter(told.values())
    print(f"  sign-ups told: {signed['live']} live, {signed['cancelled']} cancelled, "
          f"{signed['unknown']} without a clear answer")
    errors = bare_results.errors() + public.errors() + mixed.errors()
    p95 = max(public.p95(), mixed.p95())
    print(f"\nServer errors and failed requests: {errors} (target 0: {'met' if not errors else 'MISSED'})")
    print(f"p95: {p95 * 1000:.0f} ms (target < {TARGET_P95 * 1000:.0f} ms: {'met' if p95 < TARGET_P95 else 'missed'})")
    problems = check_database(url, told)
    print(f"Database: {'no date over capacity, no sign-up lost' if not problems else 'PROBLEMS'}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
