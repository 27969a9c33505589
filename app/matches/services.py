"""The match lifecycle: propose, accept or decline, activate, end.

Every step updates the match and both people's statuses in one
transaction (the caller commits). A volunteer's row is locked while their
free slots are counted, so two managers proposing at the same moment cannot
give a volunteer more friends than their capacity; a refugee can have only
one open match, which a unique index also enforces.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.matches.candidates import (
    configured_weights,
    never_again_pairs,
    refugee_candidate,
    volunteer_candidate,
    why_not_matchable,
)
from app.matches.models import OPEN_STATUSES, Match, MatchStatus
from app.matches.notifying import tell_both_sides
from app.matching import score_pair
from app.people.models import Person, RefugeeStatus, VolunteerStatus
from app.people.services import set_status
from app.timeutil import now_utc, today_local


class MatchError(Exception):
    """A step that cannot be taken; `message` says why, for the manager."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _locked(person_id):
    """Load a person and lock their row until the transaction ends (PostgreSQL)."""
    return db.session.scalars(
        sa.select(Person).where(Person.id == person_id).with_for_update().execution_options(populate_existing=True)
    ).one()


def _open_count(volunteer_id):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Match)
        .where(Match.volunteer_id == volunteer_id, Match.status.in_(OPEN_STATUSES))
    )


def _update_volunteer_status(volunteer, user):
    """available / matched / full from the volunteer's open matches; paused and left stay."""
    if volunteer.status not in (VolunteerStatus.AVAILABLE, VolunteerStatus.MATCHED, VolunteerStatus.FULL):
        return
    count = _open_count(volunteer.id)
    wanted = (
        VolunteerStatus.FULL if count >= (volunteer.capacity or 1)
        else VolunteerStatus.MATCHED if count
        else VolunteerStatus.AVAILABLE
    )
    if volunteer.status != wanted:
        set_status(volunteer, wanted, user)


def _lock_pair(refugee_id, volunteer_id):
    """Lock volunteer, then refugee: always in this order, so two steps cannot deadlock."""
    volunteer = _locked(volunteer_id)
    return _locked(refugee_id), volunteer


def propose(refugee_id, volunteer_id, user, override_reason=None):
    """Propose a match; an excluded pair needs an override reason."""
    refugee, volunteer = _lock_pair(refugee_id, volunteer_id)
    if refugee.kind != "refugee" or volunteer.kind != "volunteer":
        raise MatchError(_l("A match is between a refugee and a volunteer."))
    for person in (refugee, volunteer):
        reason = why_not_matchable(person)
        if reason:
            raise MatchError(reason)
    open_count = _open_count(volunteer.id)
    if open_count >= (volunteer.capacity or 1):
        raise MatchError(_l("The volunteer has no free place for another friend."))
    today = today_local()
    score = score_pair(
        refugee_candidate(refugee, today),
        volunteer_candidate(volunteer, open_count, today),
        weights=configured_weights(),
        exclude=never_again_pairs([refugee.id]),
        today=today,
    )
    if score.excluded and not (override_reason or "").strip():
        raise MatchError(_l("The rules exclude this pair. Give a reason to propose it anyway."))
    match = Match(
        refugee_id=refugee.id,
        volunteer_id=volunteer.id,
        score=None if score.excluded else score.total,
        override_reason=override_reason.strip() if score.excluded else None,
        proposed_by_id=user.id if user else None,
    )
    db.session.add(match)
    db.session.flush()
    # Count again after writing: where the database cannot lock the row
    # (SQLite), a proposal made at the same moment shows up here.
    if _open_count(volunteer.id) > (volunteer.capacity or 1):
        raise MatchError(_l("The volunteer has no free place for another friend."))
    set_status(refugee, RefugeeStatus.MATCHED, user)
    _update_volunteer_status(volunteer, user)
    tell_both_sides(match, MatchStatus.PROPOSED)
    return match


def accept(match, side, user):
    """Record that one side said yes; when both have, the friendship is active."""
    _require(match, MatchStatus.PROPOSED)
    now = now_utc()
    setattr(match, f"{side}_accepted_at", getattr(match, f"{side}_accepted_at") or now)
    if match.refugee_accepted_at and match.volunteer_accepted_at:
        match.status = MatchStatus.ACTIVE
        match.activated_at = now
        tell_both_sides(match, MatchStatus.ACTIVE)
    db.session.flush()


def decline(match, side, user, reason):
    """One side said no: the pair is never suggested again and the refugee waits again."""
    _require(match, MatchStatus.PROPOSED)
    match.status = MatchStatus.DECLINED
    match.declined_at = now_utc()
    match.declined_by = side
    match.decline_reason = reason
    db.session.flush()
    _release(match, user, back_to_waiting=True)


def end(match, user, reason, note=None, back_to_waiting=True):
    """End an active (or still proposed) friendship."""
    if not match.is_open:
        raise MatchError(_l("This match has already ended."))
    match.status = MatchStatus.ENDED
    match.ended_at = now_utc()
    match.end_reason = reason
    match.end_note = note or None
    db.session.flush()
    _release(match, user, back_to_waiting)
    tell_both_sides(match, MatchStatus.ENDED)


def _release(match, user, back_to_waiting):
    refugee, volunteer = _lock_pair(match.refugee_id, match.volunteer_id)
    if refugee.status == RefugeeStatus.MATCHED:
        set_status(refugee, RefugeeStatus.WAITING if back_to_waiting else RefugeeStatus.LEFT, user)
    _update_volunteer_status(volunteer, user)


def _require(match, status):
    if match.status != status:
        raise MatchError(_l("This match is no longer %(status)s.", status=MATCH_TITLE[status]))


MATCH_TITLE = {MatchStatus.PROPOSED: _l("proposed"), MatchStatus.ACTIVE: _l("active")}
