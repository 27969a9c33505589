"""Coverage figures: one SQL query per family of figures, grouped by municipality.

Each query returns one row per municipality; `coverage()` joins them to the
committed reference data (region, population). Region and national rows are
sums of the unsuppressed municipality rows, and small counts are suppressed
only at the end (`suppress`), by the pages, the CSV files and the JSON alike.

Which people count (the rule the README states): counts of people and of
matches need no consent, as they are the programme's own operational totals
and leave this module only aggregated and suppressed. Anything that describes
people beyond being counted (how long they have waited, which languages they
speak) is computed only from people whose latest answer to "anonymous
statistics" is yes.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.agreements.models import Agreement, AgreementStatus
from app.extensions import db
from app.matches.candidates import matchable
from app.matches.models import OPEN_STATUSES, Match
from app.municipalities.models import Municipality, Region
from app.people.models import Consent, ConsentPurpose, PersonLanguage, Refugee, RefugeeStatus, Volunteer
from app.timeutil import LOCAL_ZONE, add_years

#: Counts from 1 to SMALL_COUNT are shown as "<5", so no one can be singled out.
SMALL_COUNT = 4
SUPPRESSED = "<5"
#: The open-data counts, in the order of the CSV columns (a contract: other tools read them).
COUNTS = (
    "refugees_matched_active",
    "refugees_matched_total",
    "refugees_waiting",
    "volunteers_available",
    "free_capacity",
)
#: Counts the dashboard shows besides the open-data ones.
DASHBOARD_COUNTS = COUNTS + ("refugees_matched_this_year",)
#: A language counts as spoken by a volunteer from this level (1 basic … 5 native).
SHARED_LANGUAGE_LEVEL = 2
#: A municipality with a valid agreement operates if a match was active or started this recently.
ACTIVITY_YEARS = 1

#: Agreement statuses from least to most advanced; a municipality shows its most advanced one.
_STATUS_RANK = ("no_contact", "terminated", "expired", "in_dialogue", "signed")


def suppress(count):
    """Return `count`, or "<5" when it is 1 to 4; the one rule for pages, CSV and JSON."""
    return SUPPRESSED if 1 <= count <= SMALL_COUNT else count


def start_of_day(day):
    """The UTC instant at which `day` begins in Denmark."""
    return datetime.combine(day, time(), LOCAL_ZONE)


@dataclass
class Row:
    """The unsuppressed figures of a municipality, a region or the country."""

    name: str
    population: int = 0
    municipalities: int = 0
    operating: int = 0
    population_covered: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(DASHBOARD_COUNTS, 0))
    #: Of the consenting waiting refugees; None when fewer than 5 of them.
    median_days_waiting: float | None = None
    # Municipality rows only.
    code: int | None = None
    region: str | None = None
    agreement_status: str = AgreementStatus.NO_CONTACT

    @property
    def population_covered_share(self):
        return self.population_covered / self.population if self.population else 0.0

    def add(self, other):
        self.population += other.population
        self.municipalities += other.municipalities
        self.operating += other.operating
        self.population_covered += other.population_covered
        for key, value in other.counts.items():
            self.counts[key] += value


@dataclass
class Coverage:
    as_of: date
    national: Row
    regions: list
    municipalities: list


def _agreement_status(as_of, organisation_id):
    """{code: most advanced agreement status}; a signed one past its dates counts as expired."""
    signed_valid = sa.and_(
        Agreement.status == AgreementStatus.SIGNED,
        sa.or_(Agreement.valid_from.is_(None), Agreement.valid_from <= as_of),
        sa.or_(Agreement.valid_to.is_(None), Agreement.valid_to >= as_of),
    )
    rank = sa.case(
        (signed_valid, _STATUS_RANK.index("signed")),
        (Agreement.status == AgreementStatus.SIGNED, _STATUS_RANK.index("expired")),
        *((Agreement.status == status, index) for index, status in enumerate(_STATUS_RANK) if status != "signed"),
        else_=0,
    )
    query = sa.select(Agreement.municipality_code, sa.func.max(rank)).group_by(Agreement.municipality_code)
    if organisation_id:
        query = query.where(Agreement.organisation_id == organisation_id)
    return {code: _STATUS_RANK[index] for code, index in db.session.execute(query)}


def _match_counts(as_of):
    """{code: (matched active, matched ever, started this year, had recent activity)} by the refugee's municipality."""
    end = start_of_day(as_of + timedelta(days=1))
    year_start = start_of_day(as_of.replace(month=1, day=1))
    recent = start_of_day(add_years(as_of, -ACTIVITY_YEARS))
    active = sa.or_(Match.ended_at.is_(None), Match.ended_at >= end)
    query = (
        sa.select(
            Refugee.municipality_code,
            sa.func.count(sa.distinct(sa.case((active, Match.refugee_id)))),
            sa.func.count(sa.distinct(Match.refugee_id)),
            sa.func.count(sa.distinct(sa.case((Match.activated_at >= year_start, Match.refugee_id)))),
            sa.func.max(sa.case((sa.or_(active, Match.activated_at >= recent), 1), else_=0)),
        )
        .join(Refugee, Refugee.id == Match.refugee_id)
        .where(Match.activated_at.is_not(None), Match.activated_at < end)
        .group_by(Refugee.municipality_code)
    )
    return {code: rest for code, *rest in db.session.execute(query)}


def _waiting():
    """{code: refugees waiting now}: everyone waiting and not archived."""
    query = (
        sa.select(Refugee.municipality_code, sa.func.count())
        .where(Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None))
        .group_by(Refugee.municipality_code)
    )
    return dict(db.session.execute(query).all())


def consents_to_statistics(model):
    """SQL condition: the person's latest answer about anonymous statistics is yes."""
    later = aliased(Consent)
    latest = (
        sa.select(Consent.id)
        .where(Consent.person_id == model.id, Consent.purpose == ConsentPurpose.STATISTICS, Consent.given)
        .where(~sa.exists().where(
            later.person_id == Consent.person_id, later.purpose == Consent.purpose,
            later.recorded_at > Consent.recorded_at,
        ))
    )
    return latest.exists()


def waiting_since():
    """When a refugee's wait began: arrival in the municipality, else registration."""
    return sa.func.coalesce(Refugee.arrived_on, sa.func.date(Refugee.created_at))


def _median_waiting_starts(partition):
    """The middle one or two waiting start dates per `partition` value (None: the whole country).

    Window functions pick the middle rows in SQL, so no list of people is
    ever read; only 1–2 dates per group come back.
    """
    group = partition if partition is not None else sa.literal(0)
    since = waiting_since()
    ranked = (
        sa.select(
            group.label("grp"),
            sa.type_coerce(since, sa.Date).label("since"),
            sa.func.row_number().over(partition_by=group, order_by=since).label("n"),
            sa.func.count().over(partition_by=group).label("total"),
        )
        .join(Municipality, Municipality.code == Refugee.municipality_code)
        .join(Region, Region.id == Municipality.region_id)
        .where(Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None), consents_to_statistics(Refugee))
        .subquery()
    )
    query = sa.select(ranked.c.grp, ranked.c.since).where(
        ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
    )
    middles = {}
    for grp, since in db.session.execute(query):
        middles.setdefault(grp, []).append(since if isinstance(since, date) else date.fromisoformat(since))
    return middles


def median_days_waiting(partition, today):
    """{group: median days the consenting waiting refugees have waited, or None under 5 people}."""
    return {
        grp: sum((today - day).days for day in days) / len(days)
        for grp, days in _median_waiting_starts(partition).items()
    }


def waiting_people_counts(partition):
    """{group: consenting waiting refugees}: a median of fewer than 5 people is not shown."""
    group = partition if partition is not None else sa.literal(0)
    query = (
        sa.select(group, sa.func.count())
        .select_from(Refugee)
        .join(Municipality, Municipality.code == Refugee.municipality_code)
        .join(Region, Region.id == Municipality.region_id)
        .where(Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None), consents_to_statistics(Refugee))
        .group_by(group)
    )
    return dict(db.session.execute(query).all())


def free_slots():
    """A subquery of volunteers who may take a(nother) friend now: id, municipality, free slots."""
    open_matches = (
        sa.select(Match.volunteer_id, sa.func.count().label("open"))
        .where(Match.status.in_(OPEN_STATUSES))
        .group_by(Match.volunteer_id)
        .subquery()
    )
    free = sa.func.coalesce(Volunteer.capacity, 1) - sa.func.coalesce(open_matches.c.open, 0)
    return (
        sa.select(Volunteer.id, Volunteer.municipality_code, free.label("free"))
        .outerjoin(open_matches, open_matches.c.volunteer_id == Volunteer.id)
        .where(*matchable(Volunteer), free > 0)
        .subquery()
    )


def _volunteers():
    """{code: (volunteers available, free capacity)}."""
    slots = free_slots()
    query = sa.select(slots.c.municipality_code, sa.func.count(), sa.func.sum(slots.c.free)).group_by(
        slots.c.municipality_code
    )
    return {code: (count, int(total)) for code, count, total in db.session.execute(query)}


def coverage(as_of, today, organisation_id=None):
    """Every figure for every municipality, region and the country, unsuppressed.

    Match figures are as of `as_of` (from the matches' dates); people who wait
    or volunteer now are counted as of `today`, as their past statuses are not
    kept in a form that can be counted.
    """
    statuses = _agreement_status(as_of, organisation_id)
    matches = _match_counts(as_of)
    waiting = _waiting()
    volunteers = _volunteers()
    medians = _medians_with_enough_people(Refugee.municipality_code, today)

    national = Row(name="Danmark")
    regions = {}
    municipalities = []
    rows = db.session.execute(
        sa.select(Municipality.code, Municipality.name, Municipality.population, Region.name)
        .join(Region).order_by(Municipality.name)
    )
    for code, name, population, region_name in rows:
        active, total, this_year, recent = matches.get(code, (0, 0, 0, 0))
        available, free = volunteers.get(code, (0, 0))
        status = statuses.get(code, AgreementStatus.NO_CONTACT)
        operating = status == AgreementStatus.SIGNED and bool(recent)
        row = Row(
            name=name, code=code, region=region_name, agreement_status=status,
            population=population or 0, municipalities=1, operating=int(operating),
            population_covered=(population or 0) if operating else 0,
            median_days_waiting=medians.get(code),
        )
        row.counts.update(
            refugees_matched_active=active, refugees_matched_total=total, refugees_matched_this_year=this_year,
            refugees_waiting=waiting.get(code, 0), volunteers_available=available, free_capacity=free,
        )
        municipalities.append(row)
        regions.setdefault(region_name, Row(name=region_name)).add(row)
        national.add(row)
    region_medians = _medians_with_enough_people(Region.name, today)
    for region in regions.values():
        region.median_days_waiting = region_medians.get(region.name)
    national.median_days_waiting = _medians_with_enough_people(None, today).get(0)
    return Coverage(as_of, national, sorted(regions.values(), key=lambda r: r.name), municipalities)


def _medians_with_enough_people(partition, today):
    """Medians of waiting days per group, left out where fewer than 5 people make them."""
    people = waiting_people_counts(partition)
    return {
        grp: median
        for grp, median in median_days_waiting(partition, today).items()
        if people.get(grp, 0) > SMALL_COUNT
    }


def starts_per_month(last_month, months):
    """[(first day of month, matches started)] for `months` months up to `last_month`, in one query."""
    firsts = [_add_months(last_month.replace(day=1), -i) for i in reversed(range(months))]
    bounds = [start_of_day(day) for day in firsts] + [start_of_day(_add_months(firsts[-1], 1))]
    columns = [
        sa.func.count(sa.case((sa.and_(Match.activated_at >= bounds[i], Match.activated_at < bounds[i + 1]), 1)))
        for i in range(months)
    ]
    counts = db.session.execute(
        sa.select(*columns).where(Match.activated_at >= bounds[0], Match.activated_at < bounds[-1])
    ).one()
    return list(zip(firsts, counts))


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def shortage():
    """Per municipality: waiting refugees, free capacity, and languages no available volunteer speaks.

    Languages come from consenting waiting refugees only; a language counts
    as covered when a volunteer with a free slot in the same municipality
    speaks it at level 2 or more.
    """
    slots = free_slots()
    volunteer_language = aliased(PersonLanguage)
    covered = (
        sa.select(1)
        .select_from(slots)
        .join(volunteer_language, volunteer_language.person_id == slots.c.id)
        .where(
            slots.c.municipality_code == Refugee.municipality_code,
            volunteer_language.code == PersonLanguage.code,
            volunteer_language.level >= SHARED_LANGUAGE_LEVEL,
        )
    )
    query = (
        sa.select(Refugee.municipality_code, PersonLanguage.code, sa.func.count())
        .join(PersonLanguage, PersonLanguage.person_id == Refugee.id)
        .where(
            Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None),
            consents_to_statistics(Refugee), ~covered.exists(),
        )
        .group_by(Refugee.municipality_code, PersonLanguage.code)
        .order_by(Refugee.municipality_code, sa.func.count().desc(), PersonLanguage.code)
    )
    missing = {}
    for code, language, count in db.session.execute(query):
        missing.setdefault(code, []).append((language, count))
    return missing
