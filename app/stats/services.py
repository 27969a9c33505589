"""What the dashboard shows: figures as of a date, a year earlier, the chart, the tables."""
from dataclasses import dataclass

from app.stats.figures import (
    DASHBOARD_COUNTS,
    SMALL_COUNT,
    coverage,
    match_counts,
    people_now,
    shortage,
    starts_per_month,
    suppress,
)
from app.stats.opendata import csv_text
from app.timeutil import add_years

#: Columns the tables can be sorted by (?sort=), besides the counts.
SORT_KEYS = ("name", "region", "population", "operating", "median_days_waiting") + DASHBOARD_COUNTS


@dataclass
class Dashboard:
    as_of: object
    year_earlier: object
    current: object
    earlier: object
    months: list
    shortage: list


@dataclass
class ShortageRow:
    code: int
    name: str
    refugees_waiting: int
    free_capacity: int
    #: [(language code, consenting waiting refugees speaking it)]
    missing_languages: list

    @property
    def gap(self):
        return max(self.refugees_waiting - self.free_capacity, 0)


def build_dashboard(as_of, today, organisation_id, months):
    """Gather the figures for the dashboard in a handful of grouped queries."""
    people = people_now(today)
    earlier_day = add_years(as_of, -1)
    matches = match_counts([as_of, earlier_day])
    current = coverage(as_of, today, organisation_id, people, matches[as_of])
    earlier = coverage(earlier_day, today, organisation_id, people, matches[earlier_day])
    missing = shortage(people)
    rows = [
        ShortageRow(m.code, m.name, m.counts["refugees_waiting"], m.counts["free_capacity"], missing.get(m.code, []))
        for m in current.municipalities
    ]
    rows = [r for r in rows if r.gap or r.missing_languages]
    rows.sort(key=lambda r: (-_shown_value(r.gap), r.name))
    return Dashboard(as_of, earlier_day, current, earlier, starts_per_month(as_of, months), rows)


def _shown_value(count):
    """Sort key of a count as shown: 1-4 all sort alike, so order reveals nothing suppressed."""
    return 1 if 1 <= count <= SMALL_COUNT else count


def sort_rows(rows, key, descending):
    """Sort municipality or region rows by a SORT_KEYS column; ties by name."""
    if key not in SORT_KEYS:
        key = "name"

    def value(row):
        if key in DASHBOARD_COUNTS:
            return _shown_value(row.counts[key])
        if key == "median_days_waiting":
            return row.median_days_waiting if row.median_days_waiting is not None else -1
        return getattr(row, key) or ""

    ordered = sorted(rows, key=lambda r: r.name)
    return sorted(ordered, key=value, reverse=descending)


TABLE_FIELDS = ("name", "population", "operating", "population_covered_share") + DASHBOARD_COUNTS + (
    "median_days_waiting",
)


def _table_row(row, extra):
    return {
        **extra,
        "name": row.name,
        "population": row.population,
        "operating": row.operating if row.code is None else bool(row.operating),
        "population_covered_share": round(row.population_covered_share, 4),
        **{key: suppress(row.counts[key]) for key in DASHBOARD_COUNTS},
        "median_days_waiting": None if row.median_days_waiting is None else round(row.median_days_waiting, 1),
    }


def table_csv(table, dashboard):
    """One of the dashboard's tables as CSV: the figures as shown, suppressed."""
    current = dashboard.current
    if table == "regions":
        return csv_text(TABLE_FIELDS, (_table_row(r, {}) for r in current.regions + [current.national]))
    if table == "municipalities":
        fields = ("code",) + TABLE_FIELDS[:1] + ("region", "agreement_status") + TABLE_FIELDS[1:]
        return csv_text(fields, (
            _table_row(m, {"code": m.code, "region": m.region, "agreement_status": m.agreement_status})
            for m in current.municipalities
        ))
    if table == "shortage":
        return csv_text(("code", "name", "refugees_waiting", "free_capacity", "missing_languages"), (
            {
                "code": r.code, "name": r.name, "refugees_waiting": suppress(r.refugees_waiting),
                "free_capacity": suppress(r.free_capacity),
                "missing_languages": "; ".join(
                    f"{code} ({suppress(n)})" for code, n in r.missing_languages
                ),
            }
            for r in dashboard.shortage
        ))
    return csv_text(("month", "matches_started"), (
        {"month": first.strftime("%Y-%m"), "matches_started": suppress(count)} for first, count in dashboard.months
    ))

