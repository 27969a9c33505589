"""Finding people: filtered, scoped lists, the waiting list and duplicates."""
import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.municipalities.models import Municipality
from app.people.models import (
    CHILD_CERTIFICATE_YEARS,
    Person,
    PersonInterest,
    PersonLanguage,
    Refugee,
    RefugeeStatus,
)
from app.people.names import SEARCH_SCORE, first_letters, name_key, name_keys, names_similar, search_scores
from app.permissions import scope_to_user
from app.timeutil import add_years, today_local

#: Sort name -> ((expression, descending), ...), each ending in the id so the order is total (keyset pages need that).
SORTS = {
    "name": ((Person.full_name, False), (Person.id, False)),
    "newest": ((Person.created_at, True), (Person.id, True)),
    "waiting": ((Refugee.waiting_since, False), (Person.id, False)),
    "status": ((Person.status, False), (Person.full_name, False), (Person.id, False)),
}


def _order_by(sort, reverse=False):
    return [expr.desc() if descending != reverse else expr for expr, descending in sort]


@dataclass
class PeopleFilter:
    """What a manager narrowed a list down to; empty fields filter nothing."""

    text: str = ""
    municipality_code: int | None = None
    status: str = ""
    language: str = ""
    interest: str = ""
    min_days_waiting: int | None = None
    sort: str = "name"
    archived: bool = False
    #: Volunteers whose child certificate runs out within this many days.
    certificate_expires_within: int | None = None


def people_query(model, user, criteria, today=None):
    """Return a select of `model` (Refugee or Volunteer) that `user` may see, filtered."""
    query = scope_to_user(sa.select(model), model.municipality_code, user=user)
    query = query.where(
        model.archived_at.is_not(None) if criteria.archived else model.archived_at.is_(None)
    )
    if criteria.municipality_code:
        query = query.where(model.municipality_code == criteria.municipality_code)
    if criteria.status:
        query = query.where(model.status == criteria.status)
    if criteria.language:
        query = query.where(
            sa.exists().where(
                PersonLanguage.person_id == model.id, PersonLanguage.code == criteria.language
            )
        )
    if criteria.interest:
        query = query.where(
            sa.exists().where(
                PersonInterest.person_id == model.id,
                PersonInterest.interest_key == criteria.interest,
            )
        )
    if criteria.min_days_waiting:
        cutoff = (today or today_local()) - timedelta(days=criteria.min_days_waiting)
        query = query.where(model.arrived_on <= cutoff)
    if criteria.certificate_expires_within is not None:
        query = query.where(
            *certificate_expiring(model, today or today_local(), criteria.certificate_expires_within)
        )
    query, best_first = _search(query, model, criteria.text)
    order = _order_by(SORTS.get(criteria.sort, SORTS["name"]))
    return query.order_by(*((best_first, *order) if best_first is not None else order)).options(
        selectinload(model.municipality), selectinload(model.languages)
    )


@dataclass
class KeysetPage:
    """One page of a list read by keyset: the rows after (or before) a person, not after skipping N rows.

    Any page costs what the first does (an indexed comparison, no OFFSET),
    and a person added or removed between page loads moves nobody else
    to another page.
    """

    items: list
    total: int
    has_prev: bool
    has_next: bool
    keyset = True

    @property
    def first_id(self):
        return self.items[0].id

    @property
    def last_id(self):
        return self.items[-1].id


def _beyond(sort, anchor, forward):
    """SQL condition: the row sorts after `anchor`'s sort values (before them when not `forward`)."""
    conditions, equal = [], []
    for (expr, descending), value in zip(sort, anchor, strict=True):
        later = (expr < value) if descending == forward else (expr > value)
        conditions.append(sa.and_(*equal, later))
        equal.append(expr == value)
    return sa.or_(*conditions)


def keyset_page(query, sort, per_page, after=None, before=None, total=None):
    """Return a KeysetPage of `query` (a select of people) in `sort` order (a SORTS value).

    `after` or `before` is the id of the person the page follows or
    precedes; the cursor is a person, so a link stays short and readable.
    An unknown person gives the first page. `total` is counted unless the
    caller already knows it (a page that counts its people anyway).
    """
    exprs = [expr for expr, _ in sort]
    anchor_id = after if after is not None else before
    anchor = db.session.execute(sa.select(*exprs).where(Person.id == anchor_id)).one_or_none() \
        if anchor_id is not None else None
    forward = anchor is None or after is not None
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    page = query.order_by(None).order_by(*_order_by(sort, reverse=not forward))
    if anchor is not None:
        page = page.where(_beyond(sort, anchor, forward))
    items = db.session.scalars(page.limit(per_page + 1)).all()
    more = len(items) > per_page
    items = items[:per_page]
    if forward:
        return KeysetPage(items, total, has_prev=anchor is not None, has_next=more)
    return KeysetPage(items[::-1], total, has_prev=more, has_next=True)


def people_page(model, user, criteria, per_page, page=1, after=None, before=None):
    """One page of `model` people `user` may see: by keyset, or by page number for a name search.

    A name search is ranked by how well each name matches and bounded by
    SEARCH_LIMIT, so its pages keep OFFSET over that short result.
    """
    query = people_query(model, user, criteria)
    if (criteria.text or "").strip():
        return db.paginate(query, page=page, per_page=per_page, error_out=False)
    return keyset_page(query, SORTS.get(criteria.sort, SORTS["name"]), per_page, after, before)


#: At most this many best-matching people are listed for a name search.
SEARCH_LIMIT = 500


def phone_digits(text):
    """The digits of `text` if it is written like a phone number (+45 22 33 44 55, 0045-2233 4455), else None."""
    compact = re.sub(r"[\s\-().+/]", "", text)
    return compact if compact.isdecimal() and len(compact) >= 6 else None


def _search(query, model, text):
    """Filter to the people `text` finds; return (query, order) where order ranks the best first or is None.

    An e-mail is matched exactly, a phone number in any common format by its
    last eight digits; anything else is a name, ranked by `search_scores`
    across spellings, and nonsense below the threshold finds no one.
    """
    text = (text or "").strip()
    if not text:
        return query, None
    if "@" in text:
        return query.where(model.email == text.lower()), None
    digits = phone_digits(text)
    if digits:
        return query.where(model.phone.contains(digits[-8:])), None
    wanted = name_key(text)
    starts = [sa.or_(model.name_key.startswith(letter, autoescape=True),
                     model.name_key.contains(" " + letter, autoescape=True)) for letter in first_letters(wanted)]
    candidates = query.with_only_columns(model.id, model.name_key).where(sa.or_(sa.false(), *starts))
    rows = db.session.execute(candidates.order_by(None)).all()
    scores = search_scores(wanted, [key for _, key in rows], SEARCH_SCORE)
    best = sorted(scores, key=scores.get, reverse=True)[:SEARCH_LIMIT]
    ranks = {rows[index][0]: rank for rank, index in enumerate(best)}
    if not ranks:
        return query.where(sa.false()), None
    return query.where(model.id.in_(ranks)), sa.case(ranks, value=model.id)


def certificate_expiring(model, today, within_days):
    """SQL conditions: a clean child certificate that runs out within `within_days`."""
    issued_after = add_years(today, -CHILD_CERTIFICATE_YEARS)
    return (
        model.child_certificate_clean.is_(True),
        model.child_certificate_on > issued_after,
        model.child_certificate_on <= issued_after + timedelta(days=within_days),
    )


def waiting_list(user):
    """Refugees with consent to matching and no friend yet, longest waiting first (SORTS["waiting"])."""
    criteria = PeopleFilter(status=RefugeeStatus.WAITING, sort="waiting")
    return people_query(Refugee, user, criteria).where(Refugee.consents_to_matching.is_(True))


def waiting_counts(user):
    """Return (municipality, refugees waiting) pairs for `user`'s waiting list.

    Every person has a municipality, so the counts add up to the whole list.
    """
    waiting = waiting_list(user).order_by(None).options().subquery()
    return db.session.execute(
        sa.select(Municipality, sa.func.count())
        .join(waiting, waiting.c.municipality_code == Municipality.code)
        .group_by(Municipality.code)
        .order_by(Municipality.name)
    ).all()


@dataclass
class PossibleDuplicate:
    person: Person
    reasons: list


def find_duplicates(kind, municipality_code, full_name, latin_name=None, birth_year=None,
                    phone=None, email=None, exclude_id=None):
    """Return people of `kind` in the municipality who are likely the same person.

    Same phone or e-mail, or a similar name (across spellings) with the same
    birth year. While the birth year is not known yet (a manager has typed
    only the name), a similar whole name is enough to ask; a shared common
    first name alone never is.
    """
    # What was typed may be longer than a name can be (the form shows its error beside these
    # suggestions): only as much as a name column holds is compared, which also keeps each
    # LIKE pattern within what SQLite accepts.
    longest = Person.full_name.type.length
    keys = name_keys((full_name or "")[:longest], (latin_name or "")[:longest])
    tokens = {token for key in keys for token in key.split() if len(token) >= 3}
    same = [c for c in (
        Person.phone == phone if phone else None,
        Person.email == email if email else None,
        Person.birth_year == birth_year if birth_year else None,
        sa.or_(*(Person.name_key.contains(t, autoescape=True) for t in tokens)) if tokens and not birth_year
        else None,
    ) if c is not None]
    if not same:
        return []
    query = sa.select(Person).where(
        Person.kind == kind,
        Person.municipality_code == municipality_code,
        Person.archived_at.is_(None),
        sa.or_(*same),
    )
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    found = []
    for person in db.session.scalars(query.limit(200)):
        reasons = []
        if phone and person.phone == phone:
            reasons.append(_l("same phone number"))
        if email and person.email == email:
            reasons.append(_l("same e-mail"))
        if birth_year and person.birth_year == birth_year and names_similar(
            keys, name_keys(person.full_name, person.latin_name)
        ):
            reasons.append(_l("similar name and same birth year"))
        elif not birth_year and names_similar(keys, name_keys(person.full_name, person.latin_name)):
            reasons.append(_l("similar name"))
        if reasons:
            found.append(PossibleDuplicate(person, reasons))
    return found


def status_counts(model, user):
    """Return {status: number} of `model` people `user` may see, archived left out."""
    query = scope_to_user(
        sa.select(model.status, sa.func.count()).where(model.archived_at.is_(None)),
        model.municipality_code,
        user=user,
    ).group_by(model.status)
    return dict(db.session.execute(query).all())
