"""Benchmark the coverage dashboard: ``python -m bench.bench_stats``.

A national data set (100,000 people in the 98 municipalities in proportion
to their population, 30,000 friendships over three years, agreements in 95
municipalities, 10,000 Welcome House activities at a place in each
municipality, as issue #10 names it) is inserted in bulk; then the
dashboard, its map coloured by another figure and the open data are timed
as the server answers them (median of 5), against the 200 ms target. Uses a
throwaway SQLite file (or TEST_DATABASE_URL). On PostgreSQL it also prints
the CPU time the request costs the application and the database server
together, which other work on a shared machine inflates much less than it
inflates the wall time. The dashboard does not read
activities; they are there so its queries run in a database of the size
the programme will have.
"""
import os
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.serving import settle_worker
from app.agreements.models import Agreement
from app.auth.models import Organisation, Role, User
from app.events.models import CATEGORIES, Activity, ActivityText, Venue
from app.extensions import db
from app.matches.models import Match
from app.municipalities.models import Municipality
from app.municipalities.refdata import load_reference_data
from app.people.models import Consent, Person, PersonLanguage
from app.timeutil import now_utc, today_local
from bench.bench_people import report, timed

PEOPLE = 100_000
REFUGEE_SHARE = 0.6
MATCHES = 30_000
ACTIVITIES = 10_000
TARGET = 0.200
LANGUAGES = ("ar", "ti", "uk", "fa", "prs", "so", "ps", "da", "en")


def insert_national(rng):
    """Bulk-insert the people, their languages and statistics consents, the friendships, agreements and activities."""
    now, today = now_utc(), today_local()
    municipalities = db.session.execute(sa.select(Municipality.code, Municipality.population)).all()
    codes = rng.choices([c for c, _ in municipalities], weights=[p for _, p in municipalities], k=PEOPLE)
    refugees = int(PEOPLE * REFUGEE_SHARE)
    statistics = [rng.random() < 0.7 for _ in range(PEOPLE)]
    rows = []
    for i, code in enumerate(codes):
        refugee = i < refugees
        rows.append({
            "kind": "refugee" if refugee else "volunteer", "full_name": f"Person {i}", "name_key": f"person {i}",
            "message_locale": "da", "municipality_code": code,
            "status": ("waiting" if i >= MATCHES else "matched") if refugee else rng.choice(("available", "matched")),
            "status_changed_at": now, "created_at": now, "updated_at": now,
            "arrived_on": today - timedelta(days=rng.randrange(700)) if refugee else None,
            "capacity": None if refugee else rng.choice((1, 2, 3)),
            "available_weekday_day": False, "available_weekday_evening": True, "available_weekend": False,
            "family": False, "child_certificate_clean": False, "consents_to_matching": True,
            "consents_to_statistics": statistics[i],
        })
    db.session.execute(sa.insert(Person), rows)
    people = db.session.execute(sa.select(Person.id, Person.kind, Person.municipality_code).order_by(Person.id)).all()
    db.session.execute(sa.insert(PersonLanguage), [
        {"person_id": pid, "code": rng.choice(LANGUAGES), "level": rng.randint(1, 5)} for pid, _, _ in people
    ])
    db.session.execute(sa.insert(Consent), [
        {"person_id": pid, "purpose": "statistics", "given": statistics[i], "method": "paper",
         "recorded_at": now} for i, (pid, _, _) in enumerate(people)
    ])
    volunteers = {}
    for pid, kind, code in people:
        if kind == "volunteer":
            volunteers.setdefault(code, []).append(pid)
    matches = []
    for pid, kind, code in people[:MATCHES]:
        activated = now - timedelta(days=rng.randrange(3 * 365))
        ended = rng.random() < 0.3
        matches.append({
            "refugee_id": pid, "volunteer_id": rng.choice(volunteers.get(code) or volunteers[101]),
            "status": "ended" if ended else "active", "proposed_at": activated, "activated_at": activated,
            "ended_at": activated + timedelta(days=rng.randrange(30, 300)) if ended else None,
        })
    db.session.execute(sa.insert(Match), matches)
    organisation = Organisation(name="Dansk Røde Kors")
    db.session.add(organisation)
    db.session.flush()
    db.session.execute(sa.insert(Agreement), [
        {"municipality_code": code, "organisation_id": organisation.id, "status": "signed",
         "signed_on": today - timedelta(days=800), "valid_from": today - timedelta(days=800), "updated_at": now}
        for code, _ in municipalities[:95]
    ])
    insert_activities(rng, [code for code, _ in municipalities], now)
    db.session.commit()
    # Fresh planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would give a live database.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def insert_activities(rng, codes, now):
    """A place in each municipality and ACTIVITIES two-hour dates over three years around today, with a title."""
    db.session.execute(sa.insert(Venue), [
        {"municipality_code": code, "name": f"Velkomsthus {code}", "address": "Torvet 1", "postcode": "8000",
         "created_at": now}
        for code in codes
    ])
    venues = db.session.execute(sa.select(Venue.id)).scalars().all()
    starts = [now + timedelta(days=rng.randrange(-730, 365), hours=rng.randrange(24)) for _ in range(ACTIVITIES)]
    db.session.execute(sa.insert(Activity), [
        {"venue_id": rng.choice(venues), "starts_at": start, "ends_at": start + timedelta(hours=2),
         "category": rng.choice(list(CATEGORIES)), "capacity": 20, "created_at": now}
        for start in starts
    ])
    db.session.execute(sa.insert(ActivityText), [
        {"activity_id": activity_id, "locale": "da", "title": f"Aktivitet {activity_id}"}
        for activity_id in db.session.execute(sa.select(Activity.id)).scalars()
    ])


def backend_cpu_seconds(pid):
    """CPU seconds a local PostgreSQL backend has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(client, path, backend_pid, repeat=10):
    """Mean CPU seconds of one request: this process plus its database backend."""
    backend, process = backend_cpu_seconds(backend_pid), time.process_time()
    for _ in range(repeat):
        client.get(path)
    return (time.process_time() - process + backend_cpu_seconds(backend_pid) - backend) / repeat


def main():
    folder = tempfile.mkdtemp()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
    postgresql = url.startswith("postgresql")
    # One pooled connection, so one database backend serves every request and its CPU can be read.
    engine = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}} if postgresql else {}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **engine})
    settle_worker()  # as each gunicorn worker does once it has loaded the app
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_data()
        head_office = User(email="bench@example.org", full_name="Bench", role=Role.HEAD_OFFICE)
        head_office.set_password("bench-password")
        db.session.add(head_office)
        db.session.commit()
        print(f"Inserting {PEOPLE:,} people, {MATCHES:,} friendships and {ACTIVITIES:,} activities in bulk…")
        insert_national(random.Random(10))
        backend_pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar() if postgresql else None
        db.session.commit()

    client = app.test_client()
    client.post("/auth/login", data={"login": "bench@example.org", "password": "bench-password"})
    print("Coverage pages (server time, median of 5):")
    for label, path in [
        ("dashboard", "/stats/"),
        ("dashboard, map of refugees waiting", "/stats/?figure=refugees_waiting&sort=refugees_waiting&order=desc"),
        ("dashboard as of a year ago, 36 months", f"/stats/?as_of={today_local().replace(day=1) - timedelta(days=365)}&months=36"),
        ("open data /coverage.json", "/coverage.json"),
        ("open data /coverage.csv", "/coverage.csv"),
    ]:
        assert client.get(path).status_code == 200, path
        report(label, timed(lambda: client.get(path), repeat=5), TARGET)
        if backend_pid:
            report("  CPU, application + database", cpu_per_request(client, path, backend_pid), TARGET)


if __name__ == "__main__":
    main()
