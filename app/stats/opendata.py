"""The open data: /coverage.json and /coverage.csv, a contract other tools read.

Field names and meanings must not change; add fields rather than rename.
Every count passes through `suppress`, national ones too (they are summed
from the unsuppressed municipality rows first).
"""
import csv
import io

from app.stats.figures import COUNTS, suppress

MUNICIPALITY_FIELDS = ("code", "name", "region", "operating", "agreement_status", "population") + COUNTS


def _counts(row):
    return {key: suppress(row.counts[key]) for key in COUNTS}


def _median(row):
    return None if row.median_days_waiting is None else round(row.median_days_waiting, 1)


def national(row):
    return {
        "municipalities": row.municipalities,
        "operating": row.operating,
        "population": row.population,
        "population_covered": row.population_covered,
        "population_covered_share": round(row.population_covered_share, 4),
        **_counts(row),
        "median_days_waiting": _median(row),
    }


def region(row):
    return {"name": row.name, **national(row)}


def municipality(row):
    return {
        "code": row.code,
        "name": row.name,
        "region": row.region,
        "operating": bool(row.operating),
        "agreement_status": row.agreement_status,
        "population": row.population,
        **_counts(row),
    }


def as_json(coverage):
    return {
        "as_of": coverage.as_of.isoformat(),
        "national": national(coverage.national),
        "regions": [region(r) for r in coverage.regions],
        "municipalities": [municipality(m) for m in coverage.municipalities],
    }


def csv_text(fields, rows):
    """CSV with a header row of `fields`; booleans as true/false like the JSON."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})
    return out.getvalue()


def as_csv(coverage):
    return csv_text(MUNICIPALITY_FIELDS, (municipality(m) for m in coverage.municipalities))
