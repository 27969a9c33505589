"""Build the matching core's Candidates from people records.

The core knows nothing of the database; this adapter holds the rules the
suggestions, batches and proposals share: who may be matched at all
(`MATCHABLE_STATUSES`, consent, not archived), the configured weights, and
how much room a volunteer has left (capacity minus open matches).
"""
from dataclasses import dataclass
from typing import NamedTuple

from operator import itemgetter

import numpy as np
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.matches.models import FAILED_END_REASONS, OPEN_STATUSES, Match, MatchStatus
from app.matching import Candidate, VolunteerColumns, Weights
from app.people.models import (
    AVAILABILITY_TITLES,
    HouseholdChild,
    Person,
    PersonInterest,
    PersonLanguage,
    Refugee,
    RefugeeStatus,
    Volunteer,
    VolunteerStatus,
    certificate_valid,
)
from app.timeutil import today_local

#: Who may be matched now, by kind: a refugee waiting, a volunteer with room
#: for (another) friend. Capacity is counted separately, under a lock.
MATCHABLE_STATUSES = {
    "refugee": (RefugeeStatus.WAITING,),
    "volunteer": (VolunteerStatus.AVAILABLE, VolunteerStatus.MATCHED),
}
ADULT_AGE = 18


def configured_weights():
    """Part weights from configuration (MATCHING_WEIGHTS), else the core's defaults.

    Suggestions, batches and proposals all score with these, so the score
    stored with a proposal is the one the manager was shown.
    """
    return Weights(**current_app.config.get("MATCHING_WEIGHTS", {}))


def matchable(model):
    """SQL conditions selecting the people of `model` (Refugee or Volunteer) who may be matched now."""
    kind = model.__mapper__.polymorphic_identity
    return (
        model.status.in_(MATCHABLE_STATUSES[kind]),
        model.archived_at.is_(None),
        model.consents_to_matching.is_(True),
    )


def why_not_matchable(person):
    """The same rule as `matchable` for one loaded person: a message for the manager, or None.

    An erased person is always archived (a database constraint), so `matchable` leaves them out too.
    """
    if person.erased_at is not None:
        return _l("This person's data has been erased.")
    if person.status not in MATCHABLE_STATUSES[person.kind] or person.archived_at is not None:
        if person.kind == "refugee":
            return _l("This person is not waiting for a friend.")
        return _l("This person cannot take a friend now.")
    if not person.consents_to_matching:
        return _l("Both must have consented to matching.")
    return None


def _loaded(query):
    return query.options(selectinload(Person.languages), selectinload(Person.interests))


def never_again_pairs(refugee_ids=None):
    """(refugee id, volunteer id) pairs never to be suggested or proposed again.

    A pair is out when one side declined it or when its match ended for a
    reason that says the pairing failed (FAILED_END_REASONS). Suggestions,
    batches and proposals all pass this set to the core as `exclude`.
    """
    failed = sa.or_(
        Match.status == MatchStatus.DECLINED,
        sa.and_(Match.status == MatchStatus.ENDED, Match.end_reason.in_(FAILED_END_REASONS)),
    )
    query = sa.select(Match.refugee_id, Match.volunteer_id).where(failed)
    if refugee_ids is not None:
        query = query.where(Match.refugee_id.in_(refugee_ids))
    return {tuple(row) for row in db.session.execute(query)}


def earlier_matches(refugee_ids):
    """{(refugee id, volunteer id): [ended matches, oldest first]} of pairs that may meet again.

    Shown beside a suggestion and on a new match ("matched before … ended: moved")
    so the manager knows the two have been friends before.
    """
    if not refugee_ids:
        return {}
    ended = db.session.scalars(
        sa.select(Match).where(
            Match.refugee_id.in_(refugee_ids), Match.status == MatchStatus.ENDED,
            Match.end_reason.not_in(FAILED_END_REASONS),
        ).order_by(Match.proposed_at)
    )
    history = {}
    for match in ended:
        history.setdefault((match.refugee_id, match.volunteer_id), []).append(match)
    return history


def _profile(person):
    """What the core needs of either side."""
    return {
        "id": person.id,
        "municipality": person.municipality_code,
        "postcode": person.postcode,
        "languages": {l.code: l.level for l in person.languages},
        "interests": tuple(person.interest_keys),
        "availability": person.availability,
        "gender": person.gender,
        "wants_gender": person.wants_gender,
        "birth_year": person.birth_year,
        "family": person.family,
        "age_min": person.age_min,
        "age_max": person.age_max,
    }


def refugee_candidate(refugee, today=None):
    today = today or today_local()
    return Candidate(
        **_profile(refugee),
        household_children=sum(1 for c in refugee.household_children if today.year - c.birth_year < ADULT_AGE),
        waiting_since=refugee.waiting_since,
    )


def volunteer_candidate(volunteer, open_count, today=None):
    today = today or today_local()
    return Candidate(
        **_profile(volunteer),
        max_distance_km=volunteer.max_distance_km,
        capacity=max((volunteer.capacity or 1) - open_count, 0),
        has_child_certificate=volunteer.has_valid_child_certificate(today),
    )


def _joined(model, *values, owner=Volunteer):
    """A correlated subquery: the `owner`'s `model` rows as "a:b,c:d" (`values` by ":", rows by ","; NULL if none)."""
    value = values[0]
    for more in values[1:]:
        value = value + ":" + sa.cast(more, sa.String)
    return sa.select(sa.func.aggregate_strings(value, ",")).where(model.person_id == owner.id).scalar_subquery()


#: The volunteer columns read as one plain row per volunteer, languages and interests joined in SQL.
_VOLUNTEER_COLUMNS = (
    Volunteer.id, Volunteer.municipality_code, Volunteer.postcode, Volunteer.gender, Volunteer.wants_gender,
    Volunteer.birth_year, Volunteer.family, Volunteer.age_min, Volunteer.age_max, Volunteer.max_distance_km,
    Volunteer.capacity, Volunteer.child_certificate_clean, Volunteer.child_certificate_on,
    _joined(PersonLanguage, PersonLanguage.code, PersonLanguage.level),
    _joined(PersonInterest, PersonInterest.interest_key),
    *(getattr(Volunteer, f"available_{slot}") for slot in AVAILABILITY_TITLES),
)


def volunteer_columns(municipality_codes, today=None, family_only=False):
    """The volunteers who may get a friend now in these municipalities, as the core's `VolunteerColumns`.

    One plain row per volunteer (languages and interests joined in SQL) and
    one query for open matches, never ORM objects nor a Candidate each: a
    city has thousands of volunteers and a page shows ten (load those with
    `volunteers_by_id`). Rows are put in id order here rather than by an
    ORDER BY, which costs SQLite a sort. The rule is `matchable`; capacity
    and the certificate count as in `volunteer_candidate`.
    """
    today = today or today_local()
    where = (Volunteer.municipality_code.in_(municipality_codes), *matchable(Volunteer))
    if family_only:
        where += (Volunteer.family.is_(True),)
    counts = dict(_rows(
        sa.select(Match.volunteer_id, sa.func.count())
        .join(Volunteer, Volunteer.id == Match.volunteer_id)
        .where(*where, Match.status.in_(OPEN_STATUSES))
        .group_by(Match.volunteer_id)
    ))
    rows = sorted(_rows(sa.select(*_VOLUNTEER_COLUMNS).where(*where)), key=itemgetter(0))
    (ids, municipality, postcode, gender, wants_gender, birth_year, family, age_min, age_max, max_km,
     capacity, clean, issued_on, languages, interests, *available) = (
        zip(*rows, strict=True) if rows else [()] * len(_VOLUNTEER_COLUMNS))
    language_rows, (codes, levels) = _split(languages, 2)
    interest_rows, (keys,) = _split(interests, 1)
    certificates = {pair: certificate_valid(*pair, today) for pair in set(zip(clean, issued_on, strict=True))}
    return VolunteerColumns(
        id=ids, municipality=municipality, postcode=postcode, gender=gender, wants_gender=wants_gender,
        birth_year=birth_year, family=family, age_min=age_min, age_max=age_max, max_distance_km=max_km,
        capacity=[max((room or 1) - counts.get(vid, 0), 0) for vid, room in zip(ids, capacity, strict=True)],
        has_child_certificate=[certificates[pair] for pair in zip(clean, issued_on, strict=True)],
        availability=dict(zip(AVAILABILITY_TITLES, available, strict=True)),
        languages=(language_rows, codes, np.array(levels, dtype=np.int64)),
        interests=(interest_rows, keys),
    )


def _split(joined, width):
    """Long columns from one `_joined` string per row: (rows, [values of each of the `width` parts]).

    All rows are split at once (no object per entry), so thousands of
    volunteers leave little for the garbage collector.
    """
    entries = [text.count(",") + 1 if text else 0 for text in joined]
    text = ",".join(text for text in joined if text)
    parts = (text.replace(":", ",") if width > 1 else text).split(",") if text else []
    return np.repeat(np.arange(len(entries)), entries), [parts[part::width] for part in range(width)]


def _levels(joined):
    """{code: level} from "ar:4,da:5"."""
    return {code: int(level) for code, _, level in (item.partition(":") for item in joined.split(","))} if joined else {}


def suggestible_volunteers(municipality_codes, today=None, family_only=False):
    """The same volunteers as `volunteer_columns`, as one Candidate each."""
    return volunteer_columns(municipality_codes, today, family_only).candidates()


def _rows(query):
    """All rows of a select of columns, through the connection: no ORM result layer for thousands of rows."""
    return db.session.connection().execute(query).fetchall()


def volunteers_by_id(ids):
    """{id: Volunteer} for the volunteers a page shows, with their municipality (their label and card need no more)."""
    if not ids:
        return {}
    volunteers = db.session.scalars(
        sa.select(Volunteer).options(selectinload(Volunteer.municipality)).where(Volunteer.id.in_(ids))
    )
    return {v.id: v for v in volunteers}


class SpokenLanguage(NamedTuple):
    code: str
    level: int


@dataclass(frozen=True)
class WaitingRefugee:
    """A refugee waiting, as the batch preview shows them: their label, their languages and their Candidate."""

    id: int
    full_name: str
    birth_year: int | None
    postcode: str | None
    #: SpokenLanguage (code, level), best first as on ``Person.languages``: the exclusion summary names them.
    languages: tuple
    candidate: Candidate

    @property
    def display_name(self):
        """As `Person.display_name`; someone waiting for a friend is never an erased record."""
        return self.full_name


def waiting_refugees(municipality_codes, today=None):
    """Refugees waiting for a friend, with consent, in these municipalities, longest waiting first.

    One plain row per refugee (languages and interests joined, children
    under 18 counted in SQL) instead of ORM objects, as for volunteers in
    `suggestible_volunteers`: a city has thousands waiting. The Candidate
    is the one `refugee_candidate` makes.
    """
    today = today or today_local()
    children = (
        sa.select(sa.func.count())
        .where(HouseholdChild.person_id == Refugee.id, HouseholdChild.birth_year > today.year - ADULT_AGE)
        .scalar_subquery()
    )
    rows = _rows(
        sa.select(
            Refugee.id, Refugee.full_name, Refugee.birth_year, Refugee.postcode, Refugee.municipality_code,
            Refugee.gender, Refugee.wants_gender, Refugee.family, Refugee.age_min, Refugee.age_max,
            Refugee.waiting_since, children,
            _joined(PersonLanguage, PersonLanguage.code, PersonLanguage.level, owner=Refugee),
            _joined(PersonInterest, PersonInterest.interest_key, owner=Refugee),
            *(getattr(Refugee, f"available_{slot}") for slot in AVAILABILITY_TITLES),
        ).where(Refugee.municipality_code.in_(municipality_codes), *matchable(Refugee))
        .order_by(Refugee.waiting_since, Refugee.id)
    )
    slots = tuple(AVAILABILITY_TITLES)
    refugees = []
    for (rid, full_name, birth_year, postcode, municipality, gender, wants_gender, family, age_min, age_max,
         waiting_since, under_age, languages, interests, *available) in rows:
        levels = sorted(_levels(languages).items(), key=lambda item: (-item[1], item[0]))
        candidate = Candidate(
            id=rid, municipality=municipality, postcode=postcode, languages=dict(levels),
            interests=tuple(sorted(interests.split(","))) if interests else (),
            availability=tuple(slot for slot, free in zip(slots, available) if free),
            gender=gender, wants_gender=wants_gender, birth_year=birth_year, family=family,
            age_min=age_min, age_max=age_max, household_children=under_age,
            waiting_since=waiting_since,
        )
        refugees.append(WaitingRefugee(
            rid, full_name, birth_year, postcode, tuple(SpokenLanguage(*level) for level in levels), candidate
        ))
    return refugees
