"""Benchmark the matching pages a manager opens: ``python -m bench.bench_pages``.

The whole request through the test client (server time, no network): the
suggestions page for one refugee with 1,000 and 5,000 volunteers in the
municipality, and the batch preview of 2,000 waiting refugees × 3,000
volunteers with its exclusion summary, and the public application form,
activity list (a full page of 25 dates) and an activity page, each with its
server CPU (this process's time: on SQLite with the SQL, not a PostgreSQL
server's, and little disturbed by other processes). People are drawn by bench_matching's
seeded generator and inserted in bulk into a throwaway SQLite file (or
TEST_DATABASE_URL); how they got there is not what is measured.
"""
import os
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.serving import settle_worker
from app.auth.models import Role, User
from app.events import services
from app.events.models import Venue
from app.events.services import ActivityDetails
from app.extensions import db
from app.interests import interests
from app.municipalities.models import Municipality
from app.municipalities.refdata import load_reference_data
from app.people.models import Person, PersonInterest, PersonLanguage
from app.people.names import name_key
from app.timeutil import now_utc, today_local
from bench.bench_matching import People
from bench.bench_people import report, report_cpu, timed

#: Aarhus holds the volunteers of the suggestions page, København the batch.
SUGGESTIONS_MUNICIPALITY, BATCH_MUNICIPALITY = 751, 101
SUGGESTION_VOLUNTEERS = (1_000, 5_000)
BATCH_REFUGEES, BATCH_VOLUNTEERS = 2_000, 3_000
TARGETS = {"suggestions": 0.100, "batch": 2.0, "public": 0.003}
#: Measured before on this machine (issue 12), for the ratios.
BEFORE = {"suggestions 1,000": 0.213, "suggestions 5,000": 1.2, "/volunteer": 0.015, "/activities": 0.0186}
#: Server CPU before volunteers were read as columns (commit e78e9a7, SQLite, 1 December 2026 at a load
#: average of about 8), and before the public pages were trimmed (commit 1720599, SQLite, the same day at
#: a load of about 1.3), for the ratios.
BEFORE_CPU = {"suggestions 1,000": 0.044, "suggestions 5,000": 0.154,
              "/volunteer": 0.0026, "/activities": 0.0047, "/activities/<id>": 0.0042}
#: Coming dates for the public list: its first page is full (PER_PAGE 25).
PUBLIC_DATES = 30


def insert(candidates, kind, municipality):
    """Bulk-insert matchable people made from core Candidates, with languages and interests."""
    known = set(interests())
    now = now_utc()
    rows = [
        {"kind": kind, "full_name": f"{kind.title()} {c.id}", "name_key": name_key(f"{kind} {c.id}"),
         "message_locale": "da", "municipality_code": municipality, "postcode": None,
         "status": "waiting" if kind == "refugee" else "available", "status_changed_at": now,
         "created_at": now, "updated_at": now, "arrived_on": c.waiting_since, "birth_year": c.birth_year,
         "gender": c.gender, "wants_gender": c.wants_gender, "family": c.family, "capacity": c.capacity,
         "max_distance_km": c.max_distance_km, "age_min": c.age_min, "age_max": c.age_max,
         "child_certificate_on": date.today() if c.has_child_certificate else None,
         "child_certificate_clean": c.has_child_certificate, "consents_to_matching": True,
         **{f"available_{slot}": slot in c.availability for slot in ("weekday_day", "weekday_evening", "weekend")}}
        for c in candidates
    ]
    before = db.session.scalar(sa.select(sa.func.max(Person.id))) or 0
    db.session.execute(sa.insert(Person), rows)
    ids = db.session.scalars(sa.select(Person.id).where(Person.id > before).order_by(Person.id)).all()
    db.session.execute(sa.insert(PersonLanguage), [
        {"person_id": i, "code": code, "level": level} for i, c in zip(ids, candidates) for code, level in c.languages.items()
    ])
    db.session.execute(sa.insert(PersonInterest), [
        {"person_id": i, "interest_key": key} for i, c in zip(ids, candidates) for key in set(c.interests) & known
    ])
    db.session.commit()
    return ids


def manager(email, municipality):
    user = User(email=email, full_name="Bench", role=Role.MANAGER)
    user.set_password("bench-password")
    user.municipalities = [db.session.get(Municipality, municipality)]
    db.session.add(user)
    db.session.commit()


def logged_in(app, email):
    client = app.test_client()
    client.post("/auth/login", data={"login": email, "password": "bench-password"})
    return client


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def main():
    folder = tempfile.mkdtemp()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    settle_worker()  # as each gunicorn worker does once it has loaded the app
    people = People(seed=20250104)
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_data()
        manager("suggestions@example.org", SUGGESTIONS_MUNICIPALITY)
        manager("batch@example.org", BATCH_MUNICIPALITY)
        [refugee_id] = insert([people.refugee()], "refugee", SUGGESTIONS_MUNICIPALITY)
    client = logged_in(app, "suggestions@example.org")
    print("Suggestions page for one refugee (whole request, median of 5):")
    added = 0
    for volunteers in SUGGESTION_VOLUNTEERS:
        with app.app_context():
            insert([people.volunteer() for _ in range(volunteers - added)], "volunteer", SUGGESTIONS_MUNICIPALITY)
        added = volunteers
        path = f"/matches/suggestions/{refugee_id}"
        get(client, path)
        seconds = timed(lambda: get(client, path), repeat=5)  # noqa: B023
        label = f"suggestions {volunteers:,}"
        report(f"{label} volunteers", seconds, TARGETS["suggestions"])
        print(f"  {'':<44} before {BEFORE[label] * 1000:.0f} ms: {BEFORE[label] / seconds:.1f}x faster")
        before = BEFORE_CPU[label] if url.startswith("sqlite") else None  # a PostgreSQL server's CPU is not counted
        report_cpu(lambda: get(client, path), before)  # noqa: B023
    bench_batch(app, people)
    bench_public(app)


def bench_batch(app, people):
    """Time the batch preview page of a municipality with BATCH_REFUGEES waiting and BATCH_VOLUNTEERS free."""
    with app.app_context():
        insert([people.refugee() for _ in range(BATCH_REFUGEES)], "refugee", BATCH_MUNICIPALITY)
        insert([people.volunteer() for _ in range(BATCH_VOLUNTEERS)], "volunteer", BATCH_MUNICIPALITY)
    client = logged_in(app, "batch@example.org")
    path = f"/matches/batch?municipality={BATCH_MUNICIPALITY}"
    print(f"\nBatch preview, {BATCH_REFUGEES:,} waiting × {BATCH_VOLUNTEERS:,} volunteers (whole request, median of 3):")
    get(client, path)
    report("batch preview with exclusion summary", timed(lambda: get(client, path), repeat=3), TARGETS["batch"])


def add_dates(count):
    """A Welcome House with `count` coming dates of a few seats, some taken: a full first page of the list."""
    venue = Venue(municipality_code=BATCH_MUNICIPALITY, name="Velkomsthuset", address="Gade 1", postcode="2200")
    db.session.add(venue)
    db.session.flush()
    today = today_local()
    for n in range(count):
        details = ActivityDetails(venue.id, "language_cafe", {"da": (f"Sprogcafé {n}", None), "ar": ("مقهى اللغة", None)},
                                  capacity=5 + n % 10, languages=["da", "ar", "en"])
        activity = services.create_activity(details, today + timedelta(days=1 + n), time(17), timedelta(hours=2))
        services.sign_up(activity.id, seats=1 + n % 3, contact=("Bench", "+4511000000", None))
    db.session.commit()
    return activity.id


def bench_public(app):
    """Time the public pages a visitor opens, without any HTTP cache (median of 50), and their server CPU."""
    with app.app_context():
        last = add_dates(PUBLIC_DATES)
    client = app.test_client()
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    print(f"\nPublic pages (whole request, no cache, median of 50; a list of {PUBLIC_DATES} dates):")
    for label, path in (("/volunteer", "/volunteer"), ("/activities", "/activities"),
                        ("/activities/<id>", f"/activities/{last}")):
        get(client, path)
        seconds = timed(lambda: get(client, path), repeat=50)  # noqa: B023
        report(label, seconds, TARGETS["public"])
        if label in BEFORE:
            print(f"  {'':<44} before {BEFORE[label] * 1000:.0f} ms: {BEFORE[label] / seconds:.1f}x faster")
        before = BEFORE_CPU[label] if sqlite else None  # a PostgreSQL server's CPU is not counted
        report_cpu(lambda: get(client, path), before, repeat=50)  # noqa: B023


if __name__ == "__main__":
    main()
