"""Coverage figures, the dashboard, the map and the open data (/coverage.json, /coverage.csv)."""
import csv
import io
import random
import statistics
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.agreements.models import Agreement
from app.auth.models import Organisation, Role
from app.extensions import db
from app.matches.models import Match
from app.municipalities.models import Municipality
from app.people.models import Consent, PersonLanguage, Refugee, Volunteer
from app.stats.figures import coverage, start_of_day, suppress, waiting_figures, waiting_medians
from app.stats.display import shown_count
from app.people.services import record_consent
from app.timeutil import add_years, today_local

TODAY = today_local()


def organisation():
    org = db.session.scalars(sa.select(Organisation).where(Organisation.name == "Dansk Røde Kors")).first()
    if org is None:
        org = Organisation(name="Dansk Røde Kors")
        db.session.add(org)
        db.session.flush()
    return org


def sign(code, valid_from=None, valid_to=None, status="signed"):
    db.session.add(Agreement(
        municipality_code=code, organisation_id=organisation().id, status=status,
        signed_on=TODAY - timedelta(days=400) if status == "signed" else None,
        valid_from=valid_from or TODAY - timedelta(days=400), valid_to=valid_to,
    ))
    db.session.flush()


def person(model, code, status, statistics=None, languages=(), **fields):
    row = model(full_name="X", name_key="x", municipality_code=code, status=status,
                consents_to_statistics=bool(statistics), **fields)
    db.session.add(row)
    db.session.flush()
    row.languages = [PersonLanguage(code=c, level=level) for c, level in languages]
    if statistics is not None:
        db.session.add(Consent(person_id=row.id, purpose="statistics", given=statistics, method="paper"))
    return row


def friendship(code, activated_days_ago=30, ended_days_ago=None):
    refugee = person(Refugee, code, "matched" if ended_days_ago is None else "left")
    volunteer = person(Volunteer, code, "matched", capacity=1)
    activated = start_of_day(TODAY - timedelta(days=activated_days_ago)) + timedelta(hours=10)
    db.session.add(Match(
        refugee_id=refugee.id, volunteer_id=volunteer.id, proposed_at=activated, activated_at=activated,
        status="active" if ended_days_ago is None else "ended",
        ended_at=None if ended_days_ago is None else start_of_day(TODAY - timedelta(days=ended_days_ago)),
    ))
    db.session.flush()


def municipality(code, as_of=TODAY):
    return next(m for m in coverage(as_of, TODAY).municipalities if m.code == code)


@pytest.mark.parametrize(
    "agreement, match, operates",
    [
        ({}, {}, True),
        ({"valid_to": TODAY - timedelta(days=1)}, {}, False),  # signed, but expired
        ({"valid_to": TODAY}, {}, True),  # valid through its last day
        ({"valid_from": TODAY + timedelta(days=1)}, {}, False),  # not yet in force
        ({"status": "in_dialogue"}, {}, False),
        ({}, {"activated_days_ago": 500, "ended_days_ago": 13 * 30}, False),  # no match for 13 months
        ({}, {"activated_days_ago": 300, "ended_days_ago": 100}, True),  # started within 12 months
        ({}, {"activated_days_ago": 900}, True),  # old, but still active
        ({}, None, False),  # signed, never a match
    ],
)
def test_the_operating_rule(app, agreement, match, operates):
    sign(751, **agreement)
    if match is not None:
        friendship(751, **match)
    db.session.commit()
    assert bool(municipality(751).operating) is operates


def test_operating_is_decided_as_of_the_chosen_date(app):
    sign(751, valid_from=TODAY - timedelta(days=100))
    friendship(751, activated_days_ago=50)
    db.session.commit()
    assert municipality(751).operating
    assert not municipality(751, TODAY - timedelta(days=60)).operating  # no match yet
    assert not municipality(751, TODAY - timedelta(days=200)).operating  # no agreement yet


def test_95_of_98_operating_shows_95_of_98_and_their_population_share(client, login_as):
    codes = db.session.scalars(sa.select(Municipality.code).order_by(Municipality.code)).all()
    left_out = set(codes[:3])
    for code in codes:
        sign(code)
        if code not in left_out:
            friendship(code)
    db.session.commit()
    population = dict(db.session.execute(sa.select(Municipality.code, Municipality.population)).all())
    covered = sum(p for c, p in population.items() if c not in left_out)

    national = client.get("/coverage.json").get_json()["national"]
    assert national["municipalities"] == 98 and national["operating"] == 95
    assert national["population"] == sum(population.values()) == 5_932_561
    assert national["population_covered"] == covered
    assert national["population_covered_share"] == pytest.approx(covered / 5_932_561, abs=1e-4)

    login_as(Role.HEAD_OFFICE, locale="en")
    page = client.get("/stats/").get_data(as_text=True)
    assert "95 / 98" in page
    assert f"{round(100 * covered / 5_932_561)}%" in page


def test_counts_from_1_to_4_are_shown_as_under_5_in_pages_csv_and_json(client, login_as):
    for _ in range(3):
        person(Refugee, 751, "waiting")
        person(Refugee, 101, "waiting")
    for _ in range(7):
        person(Refugee, 461, "waiting")
    db.session.commit()

    data = client.get("/coverage.json").get_json()
    rows = {m["code"]: m for m in data["municipalities"]}
    assert rows[751]["refugees_waiting"] == "<5" and rows[101]["refugees_waiting"] == "<5"
    assert rows[461]["refugees_waiting"] == 7 and rows[147]["refugees_waiting"] == 0
    # National figures come from the unsuppressed rows: 3 + 3 + 7.
    assert data["national"]["refugees_waiting"] == 13
    midtjylland = next(r for r in data["regions"] if r["name"] == "Region Midtjylland")
    assert midtjylland["refugees_waiting"] == "<5"

    response = client.get("/coverage.csv")
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(table[0]) == [
        "code", "name", "region", "operating", "agreement_status", "population", "refugees_matched_active",
        "refugees_matched_total", "refugees_waiting", "volunteers_available", "free_capacity",
    ]
    assert len(table) == 98
    by_code = {row["code"]: row for row in table}
    assert by_code["751"]["refugees_waiting"] == "<5" and by_code["461"]["refugees_waiting"] == "7"

    login_as(Role.HEAD_OFFICE, locale="en")
    page = client.get("/stats/").get_data(as_text=True)
    aarhus = page[page.index('id="m-751"'):]
    assert "&lt;5" in aarhus[:aarhus.index("</tr>")]
    exported = client.get("/stats/municipalities.csv").get_data(as_text=True)
    assert "<5" in exported and ",3," not in exported


def test_open_data_is_computed_once_per_cache_period_and_revalidated(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_CACHE_SECONDS", 300)
    monkeypatch.setitem(app.extensions, "open_data", {})
    sign(751)
    friendship(751)
    db.session.commit()
    first = client.get("/coverage.json")
    assert first.get_json()["national"]["operating"] == 1
    sign(101)
    friendship(101)
    db.session.commit()
    kept = client.get("/coverage.json")
    assert kept.data == first.data and kept.headers["ETag"] == first.headers["ETag"]
    assert client.get("/coverage.json", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/coverage.csv").get_data(as_text=True).startswith("code,")
    app.extensions["open_data"].clear()  # the period is over
    assert client.get("/coverage.json").get_json()["national"]["operating"] == 2


def test_the_open_data_contract(client):
    sign(751)
    friendship(751)
    db.session.commit()
    response = client.get("/coverage.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["as_of"] == TODAY.isoformat()
    assert set(data["national"]) == {
        "municipalities", "operating", "population", "population_covered", "population_covered_share",
        "refugees_matched_active", "refugees_matched_total", "refugees_waiting", "volunteers_available",
        "free_capacity", "median_days_waiting",
    }
    aarhus = next(m for m in data["municipalities"] if m["code"] == 751)
    assert aarhus == {
        "code": 751, "name": "Aarhus", "region": "Region Midtjylland", "operating": True,
        "agreement_status": "signed", "population": aarhus["population"], "refugees_matched_active": "<5",
        "refugees_matched_total": "<5", "refugees_waiting": 0, "volunteers_available": 0, "free_capacity": 0,
    }
    for entry in data["municipalities"] + [data["national"]] + data["regions"]:
        for key in ("refugees_matched_active", "refugees_matched_total", "refugees_waiting",
                    "volunteers_available", "free_capacity"):
            assert entry[key] == "<5" or (isinstance(entry[key], int) and (entry[key] == 0 or entry[key] >= 5))


def test_an_expired_signed_agreement_is_reported_as_expired(client):
    sign(751, valid_to=TODAY - timedelta(days=1))
    db.session.commit()
    assert municipality(751).agreement_status == "expired"


def test_figures_as_of_a_date_and_a_year_earlier(app):
    friendship(751, activated_days_ago=400)  # active for over a year
    friendship(751, activated_days_ago=10)
    friendship(751, activated_days_ago=500, ended_days_ago=300)  # active a year ago, ended since
    db.session.commit()
    now, year_ago = municipality(751), municipality(751, add_years(TODAY, -1))
    assert now.counts["refugees_matched_active"] == 2 and now.counts["refugees_matched_total"] == 3
    assert year_ago.counts["refugees_matched_active"] == 2 and year_ago.counts["refugees_matched_total"] == 2


def test_volunteers_and_free_capacity_count_open_matches(app):
    person(Volunteer, 751, "available", capacity=3)
    person(Volunteer, 751, "available", capacity=1)
    person(Volunteer, 751, "paused", capacity=2)
    friendship(751)  # its volunteer, capacity 1, is full
    db.session.execute(sa.update(Volunteer).values(consents_to_matching=True))
    db.session.commit()
    aarhus = municipality(751)
    assert aarhus.counts["volunteers_available"] == 2 and aarhus.counts["free_capacity"] == 4


def test_median_days_waiting_needs_five_consenting_refugees(app):
    for days in (10, 20, 30, 40):
        person(Refugee, 751, "waiting", statistics=True, arrived_on=TODAY - timedelta(days=days))
    person(Refugee, 751, "waiting", statistics=False, arrived_on=TODAY - timedelta(days=900))
    db.session.commit()
    assert municipality(751).median_days_waiting is None
    person(Refugee, 751, "waiting", statistics=True, arrived_on=TODAY - timedelta(days=50))
    db.session.commit()
    assert municipality(751).median_days_waiting == 30
    person(Refugee, 751, "waiting", statistics=True, arrived_on=TODAY - timedelta(days=60))
    db.session.commit()
    figures = coverage(TODAY, TODAY)
    assert municipality(751).median_days_waiting == 35
    assert figures.national.median_days_waiting == 35


def test_a_withdrawn_statistics_consent_takes_a_refugee_out_of_the_medians(app):
    refugees = [person(Refugee, 751, "waiting", statistics=True, arrived_on=TODAY - timedelta(days=10))
                for _ in range(5)]
    db.session.commit()
    assert municipality(751).median_days_waiting == 10
    record_consent(refugees[0], "statistics", False, "paper", None)
    db.session.commit()
    assert municipality(751).median_days_waiting is None


def test_medians_waited_agree_with_a_plain_median_for_municipalities_regions_and_the_country(app):
    """Both ways of finding the medians (PostgreSQL's percentile, the running sums) give the plain median."""
    rng = random.Random(4)
    codes = (101, 147, 751, 461, 851)  # two in Hovedstaden, one each in three other regions
    waits = {code: [rng.randrange(400) for _ in range(rng.randrange(5, 12))] for code in codes}
    for code, days in waits.items():
        for day in days:
            person(Refugee, code, "waiting", statistics=True, arrived_on=TODAY - timedelta(days=day))
        person(Refugee, code, "waiting", statistics=False, arrived_on=TODAY - timedelta(days=5000))
    db.session.commit()
    region_of = dict(db.session.execute(sa.select(Municipality.code, Municipality.region_id)).all())
    expected = {("national", 0): statistics.median(sum(waits.values(), []))}
    for code, days in waits.items():
        expected["municipality", code] = statistics.median(days)
        by_region = [d for c, ds in waits.items() if region_of[c] == region_of[code] for d in ds]
        expected["region", region_of[code]] = statistics.median(by_region)

    waiting, medians = waiting_figures(TODAY)
    assert medians == pytest.approx(expected)
    assert waiting == {code: len(days) + 1 for code, days in waits.items()}
    assert waiting_medians(TODAY) == pytest.approx(expected)


def test_shortage_lists_languages_no_volunteer_with_room_speaks(client, login_as):
    for _ in range(2):
        person(Refugee, 751, "waiting", statistics=True, languages=[("ti", 5), ("ar", 4)])
    person(Refugee, 751, "waiting", statistics=False, languages=[("so", 5)])
    person(Volunteer, 751, "available", capacity=1, languages=[("ar", 2), ("ti", 1)], consents_to_matching=True)
    db.session.commit()
    login_as(Role.HEAD_OFFICE, locale="en")
    page = client.get("/stats/").get_data(as_text=True)
    shortage = page[page.index('id="shortage-title"'):]
    assert 'Tigrinya (<bdi dir="ltr">&lt;5</bdi>)' in shortage and "Arabic" not in shortage and "Somali" not in shortage
    exported = client.get("/stats/shortage.csv").get_data(as_text=True)
    assert "751,Aarhus,<5,<5,ti (<5)" in exported


@pytest.mark.parametrize("locale, population", [("da", "5.932.561"), ("en", "5,932,561")])
def test_figures_are_formatted_in_the_viewers_locale(client, login_as, locale, population):
    login_as(Role.HEAD_OFFICE, locale=locale)
    assert population in client.get("/stats/").get_data(as_text=True)


@pytest.mark.parametrize("locale, shown", [("da", "7.900"), ("en", "7,900"), ("ar", "7,900")])
def test_counts_are_formatted_in_the_viewers_locale(app, locale, shown):
    with app.test_request_context(), force_locale(locale):
        assert shown_count(7900) == shown
        assert shown_count(3) == "\u2066<5\u2069" and shown_count(0) == "0"


def test_suppress_is_the_one_rule():
    assert [suppress(n) for n in (0, 1, 4, 5, 120)] == [0, "<5", "<5", 5, 120]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VOLUNTEER, Role.REFUGEE])
def test_only_head_office_and_admins_see_the_dashboard(client, login_as, role):
    login_as(role, ["Aarhus"] if role == Role.MANAGER else ())
    assert client.get("/stats/").status_code == 403
    assert client.get("/stats/regions.csv").status_code == 403


def test_the_dashboard_needs_a_login_but_the_open_data_does_not(client):
    assert client.get("/stats/").status_code == 302
    assert client.get("/coverage.json").status_code == 200
    assert client.get("/coverage.csv").status_code == 200


def test_tables_sort_by_a_get_parameter(client, login_as):
    for _ in range(9):
        person(Refugee, 461, "waiting")
    for _ in range(6):
        person(Refugee, 101, "waiting")
    db.session.commit()
    login_as(Role.ADMIN, locale="en")
    page = client.get("/stats/?sort=refugees_waiting&order=desc").get_data(as_text=True)
    table = page[page.index('id="municipality-table"'):]
    assert table.index('id="m-461"') < table.index('id="m-101"') < table.index('id="m-751"')
    assert 'aria-sort="descending"' in table


@pytest.mark.parametrize("table", ["regions", "municipalities", "shortage", "months"])
def test_every_table_exports_as_csv(client, login_as, table):
    friendship(751)
    db.session.commit()
    login_as(Role.HEAD_OFFICE)
    response = client.get(f"/stats/{table}.csv?organisation=0&months=24")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    if table == "months":
        assert len(rows) == 25 and rows[-1][0] == TODAY.strftime("%Y-%m")
        assert [row[1] for row in rows[1:]].count("<5") == 1


def test_the_map_keeps_its_geography_and_links_each_municipality(client, login_as):
    login_as(Role.HEAD_OFFICE, locale="fa")
    page = client.get("/stats/?figure=refugees_waiting").get_data(as_text=True)
    svg = page[page.index('<svg class="coverage-map"'):page.index("</svg>", page.index('<svg class="coverage-map"'))]
    assert 'dir="ltr"' in svg and 'viewBox="0 0 1000 ' in svg and 'width="100%"' in svg
    assert svg.count('<a href="/stats/municipality/') == 98
    assert client.get("/stats/municipality/751").status_code == 200
    assert client.get("/stats/municipality/999").status_code == 404


def test_the_organisation_filter_counts_only_that_organisations_agreements(client, login_as):
    sign(751)
    friendship(751)
    other = Organisation(name="Dansk Flygtningehjælp")
    db.session.add(other)
    db.session.commit()
    assert coverage(TODAY, TODAY, other.id).national.operating == 0
    assert coverage(TODAY, TODAY, organisation().id).national.operating == 1


def test_the_demo_looks_like_a_national_programme(runner):
    from app.demo.coverage import seed_coverage

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    statuses = set(db.session.scalars(sa.select(Agreement.status)))
    assert {"signed", "in_dialogue", "terminated"} <= statuses
    figures = coverage(TODAY, TODAY)
    assert 50 <= figures.national.operating < 98
    assert sum(1 for m in figures.municipalities if m.counts["refugees_matched_total"]) >= 80
    assert any(a.valid_to and TODAY <= a.valid_to <= TODAY + timedelta(days=90)
               for a in db.session.scalars(sa.select(Agreement)))
    assert seed_coverage() == (0, 0, 0)


def test_the_people_registry_keeps_the_statistics_consent_in_step(make_person, make_user):
    from app.people.merging import merge_people

    refugee = make_person("refugee", consents={"matching": True, "statistics": True})
    assert refugee.consents_to_statistics
    record_consent(refugee, "statistics", False, "paper", None)
    assert not refugee.consents_to_statistics
    twin = make_person("refugee", consents={"matching": True, "statistics": True})
    merge_people(refugee, twin, make_user(Role.ADMIN))
    assert refugee.consents_to_statistics == refugee.has_consent("statistics")


def count_queries(client, path):
    statements = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_dashboard_takes_the_same_few_queries_however_many_people(client, login_as):
    login_as(Role.HEAD_OFFICE)
    few = count_queries(client, "/stats/")
    for code in (101, 147, 751, 461, 851):
        sign(code)
        for _ in range(6):
            friendship(code)
            person(Refugee, code, "waiting", statistics=True, languages=[("ti", 5)])
    db.session.commit()
    assert count_queries(client, "/stats/") == few <= 16
