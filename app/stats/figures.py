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
statistics" is yes (`Person.consents_to_statistics`, kept in step with it).
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.agreements.models import Agreement, AgreementStatus
from app.extensions import db
from app.matches.candidates import matchable
from app.matches.models import OPEN_STATUSES, Match
from app.municipalities.models import Municipality, Region
from app.people.models import PersonLanguage, Refugee, RefugeeStatus, Volunteer
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
    """The instant at which `day` begins in Denmark (midnight in Copenhagen, not UTC)."""
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


def match_counts(dates):
    """{as_of: {code: (matched active, matched ever, started that year, recent activity)}} in one scan.

    Counted by the refugee's municipality, for each of `dates` (the dashboard
    asks for a date and a year earlier), from the friendships' own dates.
    """
    columns = []
    for as_of in dates:
        end = start_of_day(as_of + timedelta(days=1))
        year_start = start_of_day(as_of.replace(month=1, day=1))
        recent = start_of_day(add_years(as_of, -ACTIVITY_YEARS))
        started = Match.activated_at < end
        active = sa.and_(started, sa.or_(Match.ended_at.is_(None), Match.ended_at >= end))
        columns += [
            sa.func.count(sa.distinct(sa.case((active, Match.refugee_id)))),
            sa.func.count(sa.distinct(sa.case((started, Match.refugee_id)))),
            sa.func.count(sa.distinct(sa.case((sa.and_(started, Match.activated_at >= year_start), Match.refugee_id)))),
            sa.func.max(sa.case((sa.or_(active, sa.and_(started, Match.activated_at >= recent)), 1), else_=0)),
        ]
    query = (
        sa.select(Refugee.municipality_code, *columns)
        .join(Refugee, Refugee.id == Match.refugee_id)
        .where(Match.activated_at.is_not(None))
        .group_by(Refugee.municipality_code)
    )
    counts = {as_of: {} for as_of in dates}
    for code, *values in db.session.execute(query):
        for i, as_of in enumerate(dates):
            counts[as_of][code] = tuple(values[4 * i:4 * i + 4])
    return counts


def waiting_since():
    """When a refugee's wait began: arrival in the municipality, else registration."""
    return sa.func.coalesce(Refugee.arrived_on, sa.func.date(Refugee.created_at))


def free_slots():
    """A subquery of volunteers who may be matched now: id, municipality, free places (may be 0)."""
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
        .where(*matchable(Volunteer))
        .subquery()
    )


@dataclass
class PeopleNow:
    """Who waits and who can take a friend today, per municipality (their past is not kept)."""

    #: {code: refugees waiting}
    waiting: dict
    #: {code: Counter({date the wait began: consenting refugees})}, for medians at any level.
    waits: dict
    #: {code: (volunteers who can take a friend, their free places)}
    volunteers: dict


def people_now():
    """Two grouped queries: waiting refugees by start of their wait, and volunteers' free places."""
    since = sa.type_coerce(waiting_since(), sa.Date)
    consented = Refugee.consents_to_statistics
    rows = db.session.execute(
        sa.select(Refugee.municipality_code, since, consented, sa.func.count())
        .where(Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None))
        .group_by(Refugee.municipality_code, since, consented)
    )
    waiting, waits = {}, {}
    for code, day, consent, count in rows:
        waiting[code] = waiting.get(code, 0) + count
        if consent:
            day = day if isinstance(day, date) else date.fromisoformat(day)
            waits.setdefault(code, Counter())[day] += count
    slots = free_slots()
    volunteers = {
        code: (count, int(total))
        for code, count, total in db.session.execute(
            sa.select(slots.c.municipality_code, sa.func.count(), sa.func.sum(slots.c.free))
            .where(slots.c.free > 0)
            .group_by(slots.c.municipality_code)
        )
    }
    return PeopleNow(waiting, waits, volunteers)


def median_days(waits, today):
    """Median days waited from a Counter of start dates; None when fewer than 5 people."""
    people = sum(waits.values())
    if people <= SMALL_COUNT:
        return None
    middle = ((people - 1) // 2, people // 2)
    days, seen = [], 0
    for day in sorted(waits, reverse=True):
        for position in middle:
            if seen <= position < seen + waits[day]:
                days.append((today - day).days)
        seen += waits[day]
    return sum(days) / 2


def coverage(as_of, today, organisation_id=None, people=None, matches=None):
    """Every figure for every municipality, region and the country, unsuppressed.

    Match and agreement figures are as of `as_of` (from their dates); people
    who wait or volunteer are counted as of `today`. A caller that needs two
    dates passes `people` and `matches` (of match_counts) computed once.
    """
    statuses = _agreement_status(as_of, organisation_id)
    matches = matches if matches is not None else match_counts([as_of])[as_of]
    people = people or people_now()

    national = Row(name="Danmark")
    regions = {}
    region_waits = {}
    municipalities = []
    rows = db.session.execute(
        sa.select(Municipality.code, Municipality.name, Municipality.population, Region.name)
        .join(Region).order_by(Municipality.name)
    )
    for code, name, population, region_name in rows:
        active, total, this_year, recent = matches.get(code, (0, 0, 0, 0))
        available, free = people.volunteers.get(code, (0, 0))
        status = statuses.get(code, AgreementStatus.NO_CONTACT)
        operating = status == AgreementStatus.SIGNED and bool(recent)
        waits = people.waits.get(code, Counter())
        row = Row(
            name=name, code=code, region=region_name, agreement_status=status,
            population=population or 0, municipalities=1, operating=int(operating),
            population_covered=(population or 0) if operating else 0,
            median_days_waiting=median_days(waits, today),
        )
        row.counts.update(
            refugees_matched_active=active, refugees_matched_total=total, refugees_matched_this_year=this_year,
            refugees_waiting=people.waiting.get(code, 0), volunteers_available=available, free_capacity=free,
        )
        municipalities.append(row)
        regions.setdefault(region_name, Row(name=region_name)).add(row)
        region_waits.setdefault(region_name, Counter()).update(waits)
        national.add(row)
    for region in regions.values():
        region.median_days_waiting = median_days(region_waits[region.name], today)
    national.median_days_waiting = median_days(sum(region_waits.values(), Counter()), today)
    return Coverage(as_of, national, sorted(regions.values(), key=lambda r: r.name), municipalities)


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
    """Per municipality: languages consenting waiting refugees speak that no volunteer with room speaks.

    Two grouped queries: which (municipality, language) pairs volunteers with
    a free place cover at level 2 or more, and how many consenting waiting
    refugees speak each language per municipality.
    """
    slots = free_slots()
    covered = set(db.session.execute(
        sa.select(slots.c.municipality_code, PersonLanguage.code)
        .join(PersonLanguage, PersonLanguage.person_id == slots.c.id)
        .where(slots.c.free > 0, PersonLanguage.level >= SHARED_LANGUAGE_LEVEL)
        .distinct()
    ).all())
    spoken = db.session.execute(
        sa.select(Refugee.municipality_code, PersonLanguage.code, sa.func.count())
        .join(PersonLanguage, PersonLanguage.person_id == Refugee.id)
        .where(
            Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None),
            Refugee.consents_to_statistics.is_(True),
        )
        .group_by(Refugee.municipality_code, PersonLanguage.code)
        .order_by(Refugee.municipality_code, sa.func.count().desc(), PersonLanguage.code)
    )
    missing = {}
    for code, language, count in spoken:
        if (code, language) not in covered:
            missing.setdefault(code, []).append((language, count))
    return missing
