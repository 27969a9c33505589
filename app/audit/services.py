"""Writing and reading the audit log; functions flush, callers commit.

Every feature that shows, exports, changes or erases a person's data calls
`record` (`record_many` for an import, `record_selected` for a list
export, `record_viewed` for a page) in the same transaction as
the change, so a rolled-back change leaves no entry and a committed one
always has its entry. Only the field names of a change are kept, never the
values: the log must not become a second copy of the data.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.audit.models import AuditAction, AuditEntry
from app.extensions import db
from app.idsets import ids_value, listed_ids
from app.timeutil import LOCAL_ZONE, now_utc


def _user_id(actor):
    """The id of a logged-in user, or None for the system or an anonymous visitor (a personal link)."""
    return getattr(actor, "id", None) if actor is not None and actor.is_authenticated else None


def _entry(actor, action, person_id, fields=(), reason=None, related_person_id=None):
    return {
        "at": now_utc(), "user_id": _user_id(actor), "action": AuditAction(action).value,
        "person_id": person_id, "related_person_id": related_person_id,
        "fields": ",".join(sorted(set(fields))) or None, "reason": (reason or "").strip()[:500] or None,
    }


def record(actor, action, person_id, fields=(), reason=None, related_person_id=None):
    """Log that `actor` (a User, or None for the system) did `action` (an AuditAction) to person `person_id`.

    `fields` names what a change touched (never the values); `reason` says why
    data were exported; `related_person_id` is the other record of a merge.
    """
    db.session.execute(sa.insert(AuditEntry), [_entry(actor, action, person_id, fields, reason, related_person_id)])


def record_many(actor, action, person_ids, reason=None):
    """Log the same action for many people at once (an import, a page of people), in one statement.

    The ids go to the database as one value, read back as rows by
    `app.idsets.listed_ids`, into `record_selected`'s INSERT … SELECT: the batch preview
    names about 5,000 people, and binding 5,000 rows of seven parameters
    took 60 ms on SQLite where this takes 12.
    """
    if person_ids:
        dialect = db.session.get_bind().dialect.name
        listed = listed_ids("ids", dialect).params(ids=ids_value(person_ids, dialect))
        record_selected(actor, action, listed, reason)


def record_viewed(actor, *people):
    """Log that `actor` opened these people's data (a person's page, a list, suggestions), once each.

    A page naming someone twice (a call and an unanswered proposal on the
    home page) is one view of their data, so it is one entry.
    """
    record_many(actor, AuditAction.VIEWED, list(dict.fromkeys(person.id for person in people)))


def record_selected(actor, action, id_query, reason=None):
    """Log the same action for every person `id_query` (a select of person ids) finds; return a select of those ids.

    One INSERT … SELECT in the database: logging a 60,000-person export
    this way costs a fraction of sending 60,000 rows from Python. Read the
    exported people through the returned select, so that everyone
    exported is logged even if the list changed between the two statements.
    """
    entry = _entry(actor, action, None, reason=reason)
    table = AuditEntry.__table__
    constants = ("at", "user_id", "action", "reason")
    found = id_query.order_by(None).subquery()
    db.session.execute(sa.insert(AuditEntry).from_select(
        [*constants, "person_id"],
        sa.select(*(sa.literal(entry[name], table.c[name].type).label(name) for name in constants),
                  *found.columns),
    ))
    return sa.select(AuditEntry.person_id).where(
        *(table.c[name] == entry[name] for name in ("at", "user_id", "action"))
    )


def entries_of(person_id):
    """Every entry about one person, newest first."""
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.person_id == person_id).order_by(AuditEntry.id.desc())
    ).all()


@dataclass
class AuditFilter:
    """What the administrators' log is narrowed to; None means any."""

    user_id: int | None = None
    person_id: int | None = None
    action: str | None = None
    #: Local dates, both included.
    since: object = None
    until: object = None


def _local_midnight(day):
    return datetime.combine(day, time(), LOCAL_ZONE)


def entries_page(criteria, per_page, before=None):
    """One page of the log, newest first, from entry id `before` down; returns (entries, id of the next page or None).

    A keyset on the id: the log only grows, and an offset would count it all.
    """
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if criteria.user_id:
        query = query.where(AuditEntry.user_id == criteria.user_id)
    if criteria.person_id:
        query = query.where(AuditEntry.person_id == criteria.person_id)
    if criteria.action:
        query = query.where(AuditEntry.action == criteria.action)
    if criteria.since:
        query = query.where(AuditEntry.at >= _local_midnight(criteria.since))
    if criteria.until:
        query = query.where(AuditEntry.at < _local_midnight(criteria.until + timedelta(days=1)))
    if before:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query.limit(per_page + 1)).all()
    more = len(entries) > per_page
    entries = entries[:per_page]
    return entries, (entries[-1].id if more else None)
