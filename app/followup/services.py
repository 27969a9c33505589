"""Which check-ins are due, sending their links, recording answers, flagging worries."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import selectinload

from app.audit.models import AuditAction
from app.audit.services import record
from app.extensions import db
from app.followup.models import CheckIn
from app.matches.models import Match, MatchStatus
from app.outbox.services import queue_mail
from app.signing import LinkError, sign, unsign
from app.timeutil import now_utc

#: The first check-in comes this long after a match becomes active, then one every INTERVAL.
FIRST_CHECK_IN = timedelta(days=14)
INTERVAL = timedelta(days=91)
#: An unanswered check-in is flagged after this long; a rating at or below LOW_RATING is too.
ANSWER_WITHIN = timedelta(days=14)
LOW_RATING = 2
SIDES = ("refugee", "volunteer")


def latest_due_date(activated_on, today):
    """The most recent check-in date of a match's schedule, or None before the first."""
    first = activated_on + FIRST_CHECK_IN
    if today < first:
        return None
    return first + INTERVAL * ((today - first) // INTERVAL)


def create_due_check_ins(today):
    """Create and send every check-in that is due and not yet created; return how many.

    Safe to run any number of times a day: a unique constraint keeps one
    check-in per match, side and date, so a restart or a second run
    duplicates nothing.
    """
    matches = db.session.scalars(
        sa.select(Match).where(Match.status == MatchStatus.ACTIVE)
        .options(selectinload(Match.refugee), selectinload(Match.volunteer))
    ).all()
    existing = set(db.session.execute(sa.select(CheckIn.match_id, CheckIn.side, CheckIn.due_on)).all())
    created = 0
    for match in matches:
        due = latest_due_date(match.activated_at.date(), today)
        if due is None:
            continue
        for side in SIDES:
            if (match.id, side, due) in existing:
                continue
            check_in = CheckIn(match=match, side=side, due_on=due)
            db.session.add(check_in)
            db.session.flush()
            send_link(check_in)
            created += 1
    return created


CHECK_IN_SALT = "check-in"


def make_token(check_in):
    return sign({"id": check_in.id, "side": check_in.side}, CHECK_IN_SALT)


def check_in_for_token(token):
    """Return the unanswered check-in a link is for, or raise LinkError (used links too)."""
    data = unsign(token, CHECK_IN_SALT, current_app.config["CHECK_IN_MAX_AGE"])
    check_in = db.session.get(CheckIn, data.get("id"))
    if check_in is None or check_in.side != data.get("side") or check_in.answered_at is not None:
        raise LinkError()
    return check_in


def send_link(check_in):
    """E-mail the person their personal link, in their own language."""
    person = check_in.person
    if not person.contact_email:
        return
    locale = person.message_locale
    link = url_for("followup.answer", token=make_token(check_in), lang=locale, _external=True)
    queue_mail(person.contact_email, "email/check_in.txt", locale, person=person, link=link)
    check_in.sent_at = now_utc()


def record_answer(check_in, meetings, rating, wants_call, comment):
    """Keep the person's answer, given through their personal link (so the log names no user)."""
    check_in.meetings = meetings
    check_in.rating = rating
    check_in.wants_call = bool(wants_call)
    check_in.comment = (comment or "").strip() or None
    check_in.answered_at = now_utc()
    db.session.flush()
    record(None, AuditAction.CHANGED, check_in.person.id, ["check_in_answer"])


def is_flagged(check_in, today):
    """Unanswered for too long, a low rating, or a wish for a call."""
    if check_in.answered_at is None:
        return check_in.due_on <= today - ANSWER_WITHIN
    return (check_in.rating or 5) <= LOW_RATING or check_in.wants_call


def open_tasks(match_ids):
    """Check-ins of active matches a manager still has to look at, oldest first.

    Unanswered ones wait for an answer; answered ones stay only when they
    worry (low rating, or a wish for a call) until marked as handled.
    """
    if not match_ids:
        return []
    return db.session.scalars(
        sa.select(CheckIn)
        .join(CheckIn.match)
        .where(
            CheckIn.match_id.in_(match_ids),
            Match.status == MatchStatus.ACTIVE,
            CheckIn.handled_at.is_(None),
            sa.or_(
                CheckIn.answered_at.is_(None),
                CheckIn.rating <= LOW_RATING,
                CheckIn.wants_call.is_(True),
            ),
        )
        .options(selectinload(CheckIn.match).selectinload(Match.refugee),
                 selectinload(CheckIn.match).selectinload(Match.volunteer))
        .order_by(CheckIn.due_on, CheckIn.id)
    ).all()


def mark_handled(check_in, user):
    """The manager has followed up a flagged check-in."""
    check_in.handled_at = now_utc()
    db.session.flush()
    record(user, AuditAction.CHANGED, check_in.person.id, ["check_in_handled"])


def check_ins_of(match):
    return db.session.scalars(
        sa.select(CheckIn).where(CheckIn.match_id == match.id).order_by(CheckIn.due_on.desc(), CheckIn.side)
    ).all()


def open_check_in(match, side):
    """The newest check-in `side` has not answered yet, whose link their own page offers; or None."""
    return db.session.scalars(
        sa.select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.side == side, CheckIn.answered_at.is_(None))
        .order_by(CheckIn.due_on.desc())
    ).first()
