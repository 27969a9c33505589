"""Benchmark the people registry: ``python -m bench.bench_people``.

Times what managers wait for: a dry run plus import of 10,000 rows, and the
list, filter and spelling-variant search pages with 50,000 people in the
database (the first and the last page of the list and of the waiting list,
read by keyset, should cost the same), and the streamed CSV/XLSX export of all 60,000 against the old
export that loaded them all as ORM objects. Uses a throwaway SQLite file (or TEST_DATABASE_URL). The 50,000
people are inserted in bulk: how they got there is not what is measured.
"""
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.serving import settle_worker
from app.auth.models import Role, User
from app.extensions import db
from app.municipalities.models import Municipality, PostcodeArea
from app.municipalities.refdata import load_reference_data
from app.people import importing
from app.people.models import Consent, Person, PersonInterest, PersonLanguage, StatusChange
from app.people.names import name_key
from app.people.queries import SORTS
from app.timeutil import now_utc

#: Every export asks why; any reason will do here.
EXPORT_REASON = {"reason": "Monthly report to the municipality"}

PEOPLE = 50_000
IMPORT_ROWS = 10_000
MUNICIPALITY = 751  # Aarhus
FIRST = ("Mohammed", "Muhammad", "Ahmad", "Fatima", "Selam", "Dawit", "Olena", "Andrii", "Zahra", "Ali",
         "Hodan", "Yusuf", "Reem", "Nour", "Helen", "Yonas", "Maryam", "Reza", "Sara", "Iryna")
LAST = ("Al-Hassan", "Haddad", "Khalil", "Tesfay", "Berhane", "Kovalenko", "Shevchenko", "Rahimi",
        "Hosseini", "Warsame", "Abdullah", "Mansour", "Karimi", "Noori", "Abraha", "Bondarenko")
LANGUAGES = ("ar", "ti", "uk", "fa", "prs", "so", "ps", "da", "en")
TARGETS = {"import": 30.0, "page": 0.300, "keyset page": 0.050, "export": 3.0}
#: Server CPU (this process: the request and, on SQLite, its SQL) before the waiting list counted once and its
#: index held who may be matched (commit e78e9a7, SQLite, 1 December 2026 at a load average of about 9), for the ratios.
BEFORE_CPU = {"waiting list, first page": 0.079, "waiting list, last page (keyset)": 0.083}


def _names(rng, n):
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.randrange(10_000)}" for _ in range(n)]


def insert_people(rng, postcodes):
    """Bulk-insert PEOPLE refugees with a language, an interest, a consent and a status."""
    today = date.today()
    names = _names(rng, PEOPLE)
    now = now_utc()
    rows = [
        {"kind": "refugee", "full_name": name, "name_key": name_key(name), "phone": f"+452{i:07d}",
         "message_locale": "da", "municipality_code": MUNICIPALITY, "postcode": rng.choice(postcodes),
         "status": "waiting", "status_changed_at": now, "created_at": now, "updated_at": now,
         "arrived_on": today - timedelta(days=rng.randrange(400)), "birth_year": 1960 + rng.randrange(45),
         "available_weekday_day": False, "available_weekday_evening": True, "available_weekend": False,
         "family": False, "child_certificate_clean": False, "consents_to_matching": True}
        for i, name in enumerate(names)
    ]
    before = db.session.scalar(sa.select(sa.func.max(Person.id))) or 0
    db.session.execute(sa.insert(Person), rows)
    ids = db.session.scalars(sa.select(Person.id).where(Person.id > before)).all()
    db.session.execute(sa.insert(PersonLanguage), [{"person_id": i, "code": rng.choice(LANGUAGES), "level": 5} for i in ids])
    db.session.execute(sa.insert(PersonInterest), [{"person_id": i, "interest_key": "football"} for i in ids[::3]])
    db.session.execute(sa.insert(Consent), [
        {"person_id": i, "purpose": "matching", "given": True, "method": "paper", "recorded_at": now} for i in ids
    ])
    db.session.execute(sa.insert(StatusChange), [{"person_id": i, "status": "waiting", "changed_at": now} for i in ids])
    db.session.commit()


def import_file(rng, postcodes):
    lines = ["navn;telefon;fødselsår;postnummer;sprog;interesser;tid;samtykke_matchning"]
    for i, name in enumerate(_names(rng, IMPORT_ROWS)):
        lines.append(f"{name};+453{i:07d};{1960 + rng.randrange(45)};{rng.choice(postcodes)};"
                     f"{rng.choice(LANGUAGES)}:5, da:2;fodbold, madlavning;weekend;ja")
    return ("\n".join(lines) + "\n").encode("utf-8")


def timed(call, repeat=1, clock=time.perf_counter):
    """Return the median time of `call`: wall time, or CPU time of this process with `clock=time.process_time`."""
    times = []
    for _ in range(repeat):
        start = clock()
        call()
        times.append(clock() - start)
    return statistics.median(times)


def report_cpu(call, before=None, repeat=5):
    """Print the server CPU time of `call` (with SQLite the SQL too, not a PostgreSQL server's) beside `before`."""
    cpu = timed(call, repeat, clock=time.process_time)
    against = f"   before {before * 1000:.3g} ms: {before / cpu:.1f}x less" if before else ""
    print(f"  {'  its server CPU':<44} {cpu * 1000:9.1f} ms{against}")


def report(label, seconds, target):
    print(f"  {label:<44} {seconds * 1000:9.1f} ms   target {target * 1000:7.0f} ms   "
          f"ratio target/actual {target / seconds:6.1f}x   {'ok' if seconds <= target else 'SLOW'}")


def main():
    folder = tempfile.mkdtemp()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    settle_worker()  # as each gunicorn worker does once it has loaded the app
    rng = random.Random(7)
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_data()
        manager = User(email="bench@example.org", full_name="Bench", role=Role.MANAGER)
        manager.set_password("bench-password")
        manager.municipalities = [db.session.get(Municipality, MUNICIPALITY)]
        db.session.add(manager)
        db.session.commit()
        postcodes = [str(a.first) for a in db.session.scalars(
            sa.select(PostcodeArea).where(PostcodeArea.municipality_code == MUNICIPALITY))]

        print(f"Import of {IMPORT_ROWS:,} rows (dry run, then one transaction):")
        content = import_file(rng, postcodes)
        manager = db.session.get(User, manager.id)
        allowed = manager.municipalities

        def run_import():
            preview = importing.preview_import("refugee", "bench.csv", content, allowed)
            assert preview.ok, preview.rows[:3]
            importing.commit_import(preview, manager)
            db.session.commit()

        report("import 10,000 rows", timed(run_import), TARGETS["import"])

        print(f"\nInserting {PEOPLE:,} more refugees in bulk…")
        insert_people(rng, postcodes)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        print(f"Pages with {total:,} people (server time, median of 5):")

        last_by_name, last_waiting = (
            _last_page_cursor(sort) for sort in (SORTS["name"], SORTS["waiting"])
        )

    client = app.test_client()
    client.post("/auth/login", data={"login": "bench@example.org", "password": "bench-password"})
    for label, path in [
        ("list, first page", "/people/refugees"),
        ("list, last page (keyset)", f"/people/refugees?after={last_by_name}"),
        ("waiting list, first page", "/people/waiting"),
        ("waiting list, last page (keyset)", f"/people/waiting?after={last_waiting}"),
        ("filter by language and interest", "/people/refugees?language=ti&interest=football"),
        ("sort by longest waiting", "/people/refugees?sort=waiting"),
        ("fuzzy search 'Mohamed Hasan'", "/people/refugees?q=Mohamed+Hasan"),
        ("fuzzy search 'Tesfai'", "/people/refugees?q=Tesfai"),
        ("manager home page", "/"),
    ]:
        assert client.get(path).status_code == 200
        target = TARGETS["keyset page" if "page" in label and "list" in label else "page"]
        report(label, timed(lambda: client.get(path), repeat=5), target)  # noqa: B023
        if label in BEFORE_CPU:
            before = BEFORE_CPU[label] if url.startswith("sqlite") else None  # a PostgreSQL server's CPU is not counted
            report_cpu(lambda: client.get(path), before)  # noqa: B023
    bench_export(app, client)


def _last_page_cursor(sort):
    """The id of the person just before the last page of everyone in `sort` order (a SORTS value)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    order = [expr.desc() if descending else expr for expr, descending in sort]
    return db.session.scalar(sa.select(Person.id).order_by(*order).offset(total - 26).limit(1))


def orm_export(manager_id):
    """Export as before streaming: every person as an ORM object with its related rows, then one big file."""
    from sqlalchemy.orm import selectinload

    from app.people.columns import export_row, headers_for
    from app.people.exporting import _csv
    from app.people.models import Refugee
    from app.people.queries import PeopleFilter, people_query

    loads = (selectinload(Person.interests), selectinload(Person.consents), selectinload(Person.household_children))
    manager = db.session.get(User, manager_id)
    people = db.session.scalars(people_query(Refugee, manager, PeopleFilter()).options(*loads)).all()
    return _csv(headers_for("refugee", "da"), [export_row(person) for person in people])


def peak_mb(call):
    """Return the peak of memory Python allocated during ``call``, in MB (tracemalloc)."""
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024**2


def bench_export(app, client):
    """Time the streamed CSV and XLSX export of everyone, against loading them all as ORM objects."""
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        manager_id = db.session.scalar(sa.select(User.id).where(User.email == "bench@example.org"))
    print(f"\nExport of all {total:,} people (whole request, body read to the end, median of 3):")

    def export(file_format):
        """Read the body chunk by chunk, as a server sends it, without keeping it."""
        response = client.post(f"/people/refugees/export.{file_format}", data=EXPORT_REASON)
        assert response.status_code == 200
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        return size

    for file_format in ("csv", "xlsx"):
        report(f"export {file_format.upper()}, streamed", timed(lambda: export(file_format), repeat=3), TARGETS["export"])  # noqa: B023
    with app.test_request_context(), app.app_context():
        before = timed(lambda: orm_export(manager_id))
        before_mb = peak_mb(lambda: orm_export(manager_id))
    streamed = timed(lambda: export("csv"))
    print(f"  {'export CSV as before (all ORM objects, one run)':<44} {before * 1000:9.1f} ms   "
          f"streamed is {before / streamed:.1f}x faster")
    print(f"  {'peak Python memory, CSV (tracemalloc)':<44} {peak_mb(lambda: export('csv')):9.1f} MB streamed,"
          f" {before_mb:.1f} MB before")


if __name__ == "__main__":
    main()
