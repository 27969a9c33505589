"""Merging two records of the same person into one, keeping both histories."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.models import AuditAction
from app.audit.services import record
from app.auth.models import User
from app.extensions import db
from app.people.models import ConsentPurpose, PersonInterest, PersonLanguage
from app.people.names import name_key
from app.people.services import PROFILE_FIELDS, REFUGEE_FIELDS, VOLUNTEER_FIELDS, set_status
from app.signals import person_merged

class MergeError(Exception):
    """The two records cannot be merged as they are; the message says why."""


#: Free-text fields joined rather than chosen between.
JOINED_FIELDS = ("hopes", "notes")


def merge_people(keep, other, user):
    """Fold `other` into `keep` and delete `other`.

    Empty fields of `keep` are filled from `other`, lists are united (the
    higher level of a shared language wins), and `other`'s status history
    and consent records move over, so nothing that was recorded is lost.
    """
    if keep.kind != other.kind or keep.id == other.id:
        raise ValueError("only two records of the same kind can be merged")
    # Features move what points at `other` (or refuse) before anything changes.
    person_merged.send(keep, other=other)
    fields = PROFILE_FIELDS + (REFUGEE_FIELDS if keep.kind == "refugee" else VOLUNTEER_FIELDS)
    for name in fields:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if name in JOINED_FIELDS and mine and theirs and mine != theirs:
            setattr(keep, name, f"{mine}\n\n{theirs}")
        elif mine in (None, "", False) and theirs not in (None, ""):
            setattr(keep, name, theirs)
    keep.name_key = name_key(keep.full_name, keep.latin_name)

    levels = {l.code: l.level for l in other.languages}
    for language in keep.languages:
        levels[language.code] = max(language.level, levels.get(language.code, 0))
    keep.languages = [PersonLanguage(code=c, level=l) for c, l in levels.items()]
    keys = dict.fromkeys(keep.interest_keys + other.interest_keys)
    keep.interests = [PersonInterest(interest_key=k) for k in keys]
    _unite(keep, other)

    other_name, other_id = other.full_name, other.id
    _move(other.status_changes, keep.status_changes)
    _move(other.consents, keep.consents)
    keep.consents.sort(key=lambda c: c.recorded_at, reverse=True)
    keep.consents_to_matching = keep.has_consent(ConsentPurpose.MATCHING)
    keep.consents_to_statistics = keep.has_consent(ConsentPurpose.STATISTICS)
    keep.consents_to_contact = keep.has_consent(ConsentPurpose.CONTACT)
    _move_account(keep, other)
    db.session.flush()
    db.session.delete(other)
    db.session.flush()
    db.session.refresh(keep)
    set_status(keep, keep.status, user, note=_("Merged with %(name)s", name=other_name))
    record(user, AuditAction.MERGED, keep.id, related_person_id=other_id)
    record(user, AuditAction.MERGED, other_id, related_person_id=keep.id)


def _move_account(keep, other):
    """The duplicate's own login account follows the person, unless the kept record has one."""
    accounts = db.session.scalars(sa.select(User).where(User.person_id.in_([keep.id, other.id]))).all()
    if len(accounts) == 1 and accounts[0].person_id == other.id:
        accounts[0].person_id = keep.id


def _move(source, target, wanted=lambda item: True):
    """Re-parent rows from one person's collection to another's (not orphaned, so not deleted)."""
    for item in [i for i in source if wanted(i)]:
        source.remove(item)
        target.append(item)


def _unite(keep, other):
    """Move over the household, family members and trainings `keep` lacks."""
    if keep.kind == "refugee":
        if not keep.household_children:
            _move(other.household_children, keep.household_children)
        return
    names = {m.name.casefold() for m in keep.family_members}
    _move(other.family_members, keep.family_members, lambda m: m.name.casefold() not in names)
    courses = {(t.course.casefold(), t.completed_on) for t in keep.trainings}
    _move(other.trainings, keep.trainings,
          lambda t: (t.course.casefold(), t.completed_on) not in courses)
