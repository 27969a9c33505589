"""Telling both people of a match what happens: proposed, active, ended.

Each side gets an e-mail in their own language through the outbox, in the
same transaction as the step that caused it. Someone without an e-mail
address (or who may not be contacted, `Person.may_contact`) is not told that way: `call_tasks` lists them on the manager's
home page as "call", and `unanswered_proposals` lists proposals a side has
not answered after a week (after two weeks, the manager is asked to withdraw
them; nothing expires silently).
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.matches.models import OPEN_STATUSES, SIDE_TITLES, Match, MatchStatus
from app.outbox.services import queue_mail
from app.people.models import Person
from app.matches.queries import scope_matches
from app.permissions import sees_person

#: What the manager tells a person without e-mail, by the match's step.
CALL_TEXTS = {
    MatchStatus.PROPOSED: _l("tell them about the proposed friend and ask for their answer"),
    MatchStatus.ACTIVE: _l("tell them the friendship can begin"),
    MatchStatus.ENDED: _l("tell them the friendship has ended"),
}
#: How long after the step a person without e-mail stays on the "call" list.
CALL_WITHIN = timedelta(days=14)
#: A side's silence on a proposal shows after REMIND, and asks for withdrawal after WITHDRAW.
REMIND, WITHDRAW = timedelta(days=7), timedelta(days=14)


def sides(match):
    """(side, person, friend) for both people of a match."""
    return (("refugee", match.refugee, match.volunteer), ("volunteer", match.volunteer, match.refugee))


def tell_both_sides(match, event):
    """Queue the e-mail for `event` to each side that has an address, in their language."""
    for side, person, friend in sides(match):
        if person.contact_email:
            queue_mail(
                person.contact_email, f"email/match_{event}.txt", person.message_locale,
                match=match, person=person, side=side, friend=friend.first_name, manager=match.proposed_by,
            )


@dataclass
class CallTask:
    match: Match
    person: Person
    event: str


def _scoped(user, *conditions):
    return db.session.scalars(
        scope_matches(sa.select(Match), user).where(*conditions)
        .options(selectinload(Match.refugee), selectinload(Match.volunteer))
        .order_by(Match.proposed_at)
    ).all()


def call_tasks(user, now):
    """People without e-mail whose match was proposed, began or ended lately: their own manager calls them."""
    since = now - CALL_WITHIN
    recent = sa.or_(
        Match.status == MatchStatus.PROPOSED,
        sa.and_(Match.status == MatchStatus.ACTIVE, Match.activated_at >= since),
        sa.and_(Match.status == MatchStatus.ENDED, Match.ended_at >= since),
    )
    return [
        CallTask(match, person, match.status)
        for match in _scoped(user, recent)
        for _, person, _ in sides(match)
        if person.may_contact and not person.email and sees_person(person, user)
    ]


@dataclass
class Withdrawn:
    match: Match
    #: The sides that withdrew consent to matching or to being contacted.
    sides: list

    @property
    def side_titles(self):
        return [SIDE_TITLES[side] for side in self.sides]


def withdrawn_consent(user):
    """Open matches in which a side has withdrawn consent to matching or contact: the manager decides what now.

    Nothing more is e-mailed to that side (`Person.may_contact`), and they are
    out of suggestions and batches (`matchable`); the match itself is the manager's to end.
    """
    def withdrew(side):
        """Looked up by the person's key for each open match, not by scanning everyone."""
        return sa.select(Person.id).where(
            Person.id == side, sa.or_(Person.consents_to_matching.is_(False), Person.consents_to_contact.is_(False))
        ).exists()

    either = sa.or_(withdrew(Match.refugee_id), withdrew(Match.volunteer_id))
    return [
        Withdrawn(match, [side for side, person, _ in sides(match)
                          if not (person.consents_to_matching and person.consents_to_contact)])
        for match in _scoped(user, Match.status.in_(OPEN_STATUSES), either)
    ]


@dataclass
class Unanswered:
    match: Match
    #: "refugee", "volunteer", or both in that order.
    silent: list
    days: int
    withdraw: bool

    @property
    def silent_titles(self):
        return [SIDE_TITLES[side] for side in self.silent]


def unanswered_proposals(user, now):
    """Proposals a side has not answered for REMIND or longer, oldest first."""
    found = []
    for match in _scoped(user, Match.status == MatchStatus.PROPOSED, Match.proposed_at <= now - REMIND):
        silent = [side for side, _, _ in sides(match) if getattr(match, f"{side}_accepted_at") is None]
        age = now - match.proposed_at
        found.append(Unanswered(match, silent, age.days, age >= WITHDRAW))
    return found
