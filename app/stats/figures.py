"""Coverage figures: one SQL query per family of figures, grouped by municipality.

Each query returns one row per municipality (the medians waited also one
per region and one for the country, as medians do not add up); `coverage()`
joins them to the committed reference data (region, population). Region and
national counts are sums of the unsuppressed municipality rows, and small counts are suppressed
only at the end (`suppress`), by the pages, the CSV files and the JSON alike.

Which people count (the rule the README states): counts of people and of
matches need no consent, as they are the programme's own operational totals
and leave this module only aggregated and suppressed. Anything that describes
people beyond being counted (how long they have waited, which languages they
speak) is computed only from people whose latest answer to "anonymous
statistics" is yes (`Person.consents_to_statistics`, kept in step with it).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from app.agreements.models import Agreement, AgreementStatus
from app.extensions import db
from app.matches.candidates import matchable
from app.matches.models import OPEN_STATUSES, Match
from app.municipalities.models import Municipality, Region
from app.people.models import PersonLanguage, Refugee, RefugeeStatus, Volunteer
from app.timeutil import add_years, start_of_day

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


def _volunteers_with_room():
    """A CTE of volunteers who may be matched now and have a free place: id, municipality, free places.

    Materialized, so the totals and the languages of `people_now` read it once.
    """
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
        .cte("with_room")
        .prefix_with("MATERIALIZED")
    )


@dataclass
class PeopleNow:
    """Who waits and who can take a friend today, per municipality (their past is not kept)."""

    #: {code: refugees waiting}
    waiting: dict
    #: {(level, key): median days waited by consenting waiting refugees} of the groups with 5 or more,
    #: level "municipality" (key: code), "region" (key: region id) or "national" (key: 0).
    medians: dict
    #: {code: (volunteers who can take a friend, their free places)}
    volunteers: dict
    #: {(code, language)} spoken at level 2 or more by a volunteer with room there
    covered: set


def people_now(today):
    """Waiting refugees and volunteers with room, in a few grouped queries.

    The waits come from `waiting_figures`; volunteers' free places are
    computed once for their totals and for the languages they cover.
    """
    waiting, medians = waiting_figures(today)
    room = _volunteers_with_room()
    totals = sa.select(
        room.c.municipality_code, sa.cast(sa.null(), sa.String), sa.func.count(), sa.func.sum(room.c.free)
    ).group_by(room.c.municipality_code)
    languages = (
        sa.select(room.c.municipality_code, PersonLanguage.code, *[sa.cast(sa.null(), sa.BigInteger)] * 2)
        .join(PersonLanguage, PersonLanguage.person_id == room.c.id)
        .where(PersonLanguage.level >= SHARED_LANGUAGE_LEVEL)
        .distinct()
    )
    volunteers, covered = {}, set()
    for code, language, count, free in db.session.execute(sa.union_all(totals, languages)):
        if language is None:
            volunteers[code] = (count, int(free))
        else:
            covered.add((code, language))
    return PeopleNow(waiting, medians, volunteers, covered)


#: The groups a median waited is computed for, in `waiting_medians`' order.
_LEVELS = ("municipality", "region", "national")

_WAITING = (Refugee.status == RefugeeStatus.WAITING, Refugee.archived_at.is_(None))


def waiting_figures(today):
    """({code: refugees waiting}, {(level, key): median days waited}) as `PeopleNow` holds them.

    PostgreSQL answers both in one pass over the waiting refugees with an
    ordered-set aggregate over grouping sets; SQLite, which has no
    percentile function, counts in one query and finds the medians with
    running sums (`waiting_medians`). The suite runs on both, so the same
    tests hold both ways to the same figures.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return _waiting_figures_postgresql(today)
    waiting = dict(db.session.execute(
        sa.select(Refugee.municipality_code, sa.func.count()).where(*_WAITING).group_by(Refugee.municipality_code)
    ).all())
    return waiting, waiting_medians(today)


def _waiting_figures_postgresql(today):
    consenting = Refugee.consents_to_statistics.is_(True)
    days = sa.cast(sa.literal(today), sa.Date) - Refugee.waiting_since
    code, region = Refugee.municipality_code, Municipality.region_id
    # grouping() is a bit mask of the columns a row is NOT grouped by: 1 region (a municipality's
    # row), 2 code (a region's row), 3 both (the country).
    level = sa.func.grouping(code, region)
    rows = db.session.execute(
        sa.select(
            level, code, region, sa.func.count(),
            sa.func.count().filter(consenting),
            sa.func.percentile_cont(0.5).within_group(days).filter(consenting),
        )
        .join(Municipality, Municipality.code == code)
        .where(*_WAITING)
        .group_by(sa.func.grouping_sets(sa.tuple_(code), sa.tuple_(region), sa.tuple_()))
    )
    waiting, medians = {}, {}
    for mask, code_, region_, count, consenting_count, median in rows:
        level_name, key = {1: ("municipality", code_), 2: ("region", region_), 3: ("national", 0)}[mask]
        if level_name == "municipality":
            waiting[code_] = count
        if consenting_count > SMALL_COUNT:
            medians[level_name, key] = float(median)
    return waiting, medians


def waiting_medians(today):
    """{(level, key): median days waited} of consenting waiting refugees, in one query.

    The waits are counted per group and start date (municipality, region,
    country); a running sum over those counts finds the start dates at the
    middle position or positions (two for an even count), so one row per
    group comes back, not one per person. Groups of fewer than 5 people are
    left out (their median is not shown).
    """
    waits = (
        sa.select(Refugee.municipality_code.label("code"), Municipality.region_id.label("region"),
                  Refugee.waiting_since.label("day"))
        .join(Municipality, Municipality.code == Refugee.municipality_code)
        .where(*_WAITING, Refugee.consents_to_statistics.is_(True))
        .cte("waits")
    )
    # Levels and keys are integers, so the window's sort compares no text; the country's key is 0.
    keys = ((waits.c.code,), (waits.c.region,), ())
    grouped = sa.union_all(*(
        sa.select(sa.literal(level).label("level"), (key[0] if key else sa.literal(0)).label("key"),
                  waits.c.day, sa.func.count().label("n"))
        .group_by(*key, waits.c.day)
        for level, key in enumerate(keys)
    )).subquery()
    group = (grouped.c.level, grouped.c.key)
    ranked = sa.select(
        *group, grouped.c.day, grouped.c.n,
        sa.func.sum(grouped.c.n).over(partition_by=group, order_by=grouped.c.day, rows=(None, 0)).label("through"),
        sa.func.sum(grouped.c.n).over(partition_by=group).label("people"),
    ).subquery()
    # A start date holds positions (through - n, through]; the middle ones are
    # ceil(people / 2) and floor(people / 2) + 1, compared here without division.
    middle = db.session.execute(
        sa.select(ranked.c.level, ranked.c.key, sa.func.min(ranked.c.day), sa.func.max(ranked.c.day),
                  sa.func.max(ranked.c.people))
        .where(2 * ranked.c.through >= ranked.c.people, 2 * (ranked.c.through - ranked.c.n) <= ranked.c.people)
        .group_by(ranked.c.level, ranked.c.key)
    )
    medians = {}
    for level, key, first, last, people in middle:
        if people > SMALL_COUNT:
            days = [(today - (day if isinstance(day, date) else date.fromisoformat(day))).days for day in (first, last)]
            medians[_LEVELS[level], key] = sum(days) / 2
    return medians


def coverage(as_of, today, organisation_id=None, people=None, matches=None):
    """Every figure for every municipality, region and the country, unsuppressed.

    Match and agreement figures are as of `as_of` (from their dates); people
    who wait or volunteer are counted as of `today`. A caller that needs two
    dates passes `people` and `matches` (of match_counts) computed once.
    """
    statuses = _agreement_status(as_of, organisation_id)
    matches = matches if matches is not None else match_counts([as_of])[as_of]
    people = people or people_now(today)

    national = Row(name="Danmark")
    regions = {}
    municipalities = []
    rows = db.session.execute(
        sa.select(Municipality.code, Municipality.name, Municipality.population, Region.id, Region.name)
        .join(Region).order_by(Municipality.name)
    )
    region_ids = {}
    for code, name, population, region_id, region_name in rows:
        active, total, this_year, recent = matches.get(code, (0, 0, 0, 0))
        available, free = people.volunteers.get(code, (0, 0))
        status = statuses.get(code, AgreementStatus.NO_CONTACT)
        operating = status == AgreementStatus.SIGNED and bool(recent)
        row = Row(
            name=name, code=code, region=region_name, agreement_status=status,
            population=population or 0, municipalities=1, operating=int(operating),
            population_covered=(population or 0) if operating else 0,
            median_days_waiting=people.medians.get(("municipality", code)),
        )
        row.counts.update(
            refugees_matched_active=active, refugees_matched_total=total, refugees_matched_this_year=this_year,
            refugees_waiting=people.waiting.get(code, 0), volunteers_available=available, free_capacity=free,
        )
        municipalities.append(row)
        regions.setdefault(region_name, Row(name=region_name)).add(row)
        region_ids[region_name] = region_id
        national.add(row)
    for region in regions.values():
        region.median_days_waiting = people.medians.get(("region", region_ids[region.name]))
    national.median_days_waiting = people.medians.get(("national", 0))
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


def shortage(people):
    """Per municipality: languages consenting waiting refugees speak that no volunteer with room speaks.

    One grouped query counts the consenting waiting refugees per
    municipality and language; `people.covered` says which of those pairs a
    volunteer with a free place speaks at level 2 or more.
    """
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
        if (code, language) not in people.covered:
            missing.setdefault(code, []).append((language, count))
    return missing
