"""E-mails about activities, each in its recipient's language, through the outbox.

Messages about a change (a cancelled date, a seat freed for someone on the
waitlist) are queued in the transaction of that change, so a rolled-back
change tells nobody. The scheduled reminders and "we missed you" e-mails
mark each sign-up as told in the same transaction as its message: a restart
or a second run neither loses nor repeats one. People reached only by phone
get no e-mail; their manager sees them on the door list.
"""
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from app.events.links import make_token
from app.events.models import Activity, SignUp, SignUpStatus, text_for
from app.extensions import db
from app.outbox.services import queue_mail

#: A reminder goes this long before the start, to those who signed up earlier than that.
REMINDER_AHEAD = timedelta(hours=24)
#: "We missed you" goes only this long after a date, while it still means something.
MISSED_YOU_WITHIN = timedelta(days=7)


def recipient(sign_up):
    """Return (e-mail address, language) to write to about a sign-up, or None without an address.

    A person of the registry (signed up by a manager, or through their own
    account) is written to only while they may be contacted (`Person.may_contact`).
    """
    person = sign_up.person or (sign_up.user and sign_up.user.person)
    if person is not None and not person.may_contact:
        return None
    if sign_up.person is not None:
        email, locale = sign_up.person.email, sign_up.person.message_locale
    elif sign_up.user is not None:
        email, locale = sign_up.user.email, sign_up.user.locale
    else:
        email, locale = sign_up.contact_email, sign_up.locale
    return (email, locale or "da") if email else None


def _queue(sign_up, template, **context):
    """Queue one e-mail about `sign_up`; return whether it had an address to go to."""
    to = recipient(sign_up)
    if to is None:
        return False
    email, locale = to
    queue_mail(
        email, template, locale, name=sign_up.name, activity=sign_up.activity,
        title=text_for(sign_up.activity, locale).title,
        link=url_for("events.my_sign_up", token=make_token(sign_up), _external=True),
        **context,
    )
    return True


def tell_cancelled(sign_ups):
    """Tell everyone signed up that their dates are cancelled: one e-mail per address, listing every date."""
    by_address = defaultdict(list)
    for sign_up in sign_ups:
        to = recipient(sign_up)
        if to is not None:
            by_address[to].append(sign_up)
    for (email, locale), theirs in by_address.items():
        theirs.sort(key=lambda s: s.activity.starts_at)
        queue_mail(
            email, "email/activity_cancelled.txt", locale, name=theirs[0].name,
            dates=[(text_for(s.activity, locale).title, s.activity) for s in theirs],
            link=url_for("events.index", _external=True),
        )


def tell_promoted(sign_ups):
    """Tell people moved up from the waitlist that they have a seat, with a one-tap way to pass it on."""
    for sign_up in sign_ups:
        _queue(sign_up, "email/activity_seat_free.txt")


def _due(query):
    """Lock the due sign-ups so that a second sender passes over them (PostgreSQL; SQLite serialises writers)."""
    return db.session.scalars(query.with_for_update(of=SignUp, skip_locked=True)).all()


def send_reminders(now):
    """Remind everyone with a seat at a date starting within a day; return how many were e-mailed."""
    due = _due(
        sa.select(SignUp).join(SignUp.activity).where(
            SignUp.status == SignUpStatus.CONFIRMED,
            SignUp.reminded_at.is_(None),
            Activity.cancelled_at.is_(None),
            Activity.starts_at > now,
            Activity.starts_at <= now + REMINDER_AHEAD,
        )
    )
    sent = 0
    for sign_up in due:
        if sign_up.created_at > sign_up.activity.starts_at - REMINDER_AHEAD:
            continue  # signed up within the last day: they have just seen the date
        sent += _queue(sign_up, "email/activity_reminder.txt")
        sign_up.reminded_at = now
    db.session.flush()
    return sent


def send_missed_you(now):
    """Write to those who had a seat but did not come, where the manager asked for it and took attendance."""
    due = _due(
        sa.select(SignUp).join(SignUp.activity).where(
            SignUp.status == SignUpStatus.CONFIRMED,
            SignUp.attended.is_(False),
            SignUp.missed_told_at.is_(None),
            Activity.missed_you.is_(True),
            Activity.walk_ins.is_not(None),  # attendance was taken at the door
            Activity.cancelled_at.is_(None),
            Activity.ends_at <= now,
            Activity.ends_at > now - MISSED_YOU_WITHIN,
        )
    )
    sent = 0
    for sign_up in due:
        sent += _queue(sign_up, "email/activity_missed_you.txt", upcoming=url_for("events.index", _external=True))
        sign_up.missed_told_at = now
    db.session.flush()
    return sent
