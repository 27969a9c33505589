from collections import Counter

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.municipalities.models import Municipality, PostcodeArea, Region
from app.municipalities.refdata import DATA_DIR, find_postcode_area, load_reference_data


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_denmark_has_98_municipalities_in_5_regions(app):
    assert count(Municipality) == 98
    assert count(Region) == 5
    per_region = Counter(m.region.name for m in db.session.scalars(sa.select(Municipality)))
    assert per_region == {
        "Region Hovedstaden": 29,
        "Region Sjælland": 17,
        "Region Syddanmark": 22,
        "Region Midtjylland": 19,
        "Region Nordjylland": 11,
    }


def test_592_postcode_areas_with_three_ranges(app):
    assert count(PostcodeArea) == 592
    ranges = db.session.scalars(sa.select(PostcodeArea).where(PostcodeArea.first != PostcodeArea.last))
    assert sorted(a.label for a in ranges) == ["1000-1499", "1500-1799", "1800-1999"]


@pytest.mark.parametrize(
    "postcode, area, municipality",
    [
        ("1050", "København K", "København"),
        ("1000", "København K", "København"),
        ("1499", "København K", "København"),
        ("1620", "København V", "København"),
        ("1950", "Frederiksberg C", "Frederiksberg"),
        ("8000", "Aarhus C", "Aarhus"),
        (" 9990 ", "Skagen", "Frederikshavn"),
    ],
)
def test_postcode_lookup_parses_ranges(app, postcode, area, municipality):
    found = find_postcode_area(postcode)
    assert found.name == area
    assert found.municipality.name == municipality


@pytest.mark.parametrize("postcode", ["0800", "0999", "123", "12345", "abcd", "", "2-00"])
def test_unknown_postcodes_are_not_found(app, postcode):
    assert find_postcode_area(postcode) is None


def test_population_and_centroids_are_loaded(app):
    copenhagen = db.session.get(Municipality, 101)
    assert copenhagen.name == "København"
    assert copenhagen.population == 653_664
    assert copenhagen.population_year == 2023
    assert (copenhagen.lat, copenhagen.lon) == (55.6784, 12.5710)
    assert sum(m.population for m in db.session.scalars(sa.select(Municipality))) == 5_932_561


def test_loading_twice_changes_nothing(app):
    before = {m.code: (m.name, m.population) for m in db.session.scalars(sa.select(Municipality))}
    assert load_reference_data() == {"regions": 0, "municipalities": 0, "postcode_areas": 0}
    db.session.commit()
    assert count(Municipality) == 98 and count(PostcodeArea) == 592
    after = {m.code: (m.name, m.population) for m in db.session.scalars(sa.select(Municipality))}
    assert before == after


def test_loading_repairs_a_changed_row(app, runner):
    db.session.get(Municipality, 751).name = "Århus"
    db.session.commit()
    result = runner.invoke(args=["refdata", "load"])
    assert "1 municipalities" in result.output
    db.session.expire_all()
    assert db.session.get(Municipality, 751).name == "Aarhus"


def test_boundaries_geojson_is_committed_for_every_municipality():
    import json

    features = json.loads((DATA_DIR / "municipalities.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == 98
    assert {f["properties"]["code"] for f in features} >= {"101", "751"}
