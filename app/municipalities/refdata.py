"""Load the committed reference data into the database, idempotently.

The CSV files under ``data/`` are vetted copies; see ``data/SOURCES.md``.
Loading compares each row with what is stored and only writes differences,
so running it twice changes nothing.
"""
import csv
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.municipalities.models import Municipality, PostcodeArea, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def parse_postcode_range(text):
    """Return (first, last) for "8000" or "1000-1499"."""
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def _upsert(model, lookup, values):
    """Insert a row or update its changed fields; return True if anything changed."""
    row = db.session.scalars(sa.select(model).filter_by(**lookup)).one_or_none()
    if row is None:
        db.session.add(model(**lookup, **values))
        return True
    changed = False
    for field, value in values.items():
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed = True
    return changed


def load_reference_data():
    """Load regions, municipalities, populations and postcode areas; return counts of changed rows."""
    changes = {"regions": 0, "municipalities": 0, "postcode_areas": 0}
    municipality_rows = read_csv("municipalities.csv")
    population = {int(r["code"]): r for r in read_csv("population.csv")}

    for name in sorted({r["region"] for r in municipality_rows}):
        changes["regions"] += _upsert(Region, {"name": name}, {})
    db.session.flush()
    regions = {r.name: r.id for r in db.session.scalars(sa.select(Region))}

    for r in municipality_rows:
        code = int(r["code"])
        pop = population.get(code)
        changes["municipalities"] += _upsert(
            Municipality,
            {"code": code},
            {
                "name": r["name"],
                "region_id": regions[r["region"]],
                "lat": float(r["lat"]),
                "lon": float(r["lon"]),
                "population": int(pop["population"]) if pop else None,
                "population_year": int(pop["year"]) if pop else None,
            },
        )
    db.session.flush()

    for r in read_csv("postcodes.csv"):
        first, last = parse_postcode_range(r["postcode"])
        changes["postcode_areas"] += _upsert(
            PostcodeArea,
            {"first": first, "last": last},
            {
                "name": r["name"],
                "lat": float(r["lat"]),
                "lon": float(r["lon"]),
                "municipality_code": int(r["municipality_code"]),
            },
        )
    db.session.flush()
    return changes


def find_postcode_area(postcode):
    """Return the PostcodeArea containing a 4-digit postcode, or None."""
    text = str(postcode).strip()
    if not (len(text) == 4 and text.isdecimal()):
        return None
    number = int(text)
    return db.session.scalars(
        sa.select(PostcodeArea)
        .where(PostcodeArea.first <= number, PostcodeArea.last >= number)
        .order_by(PostcodeArea.last - PostcodeArea.first)
        .limit(1)
    ).first()
