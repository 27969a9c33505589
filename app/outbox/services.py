"""Queueing e-mails with the change that causes them, and delivering them after commit.

A request only adds a row (`queue_mail`), so a rolled-back change sends
nothing and the person's action never fails because the mail server is down.
The scheduler's delivery job (`deliver_due`) sends each due message in its
own transaction, holding the row's lock while it talks to the mail server: on
PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets a second sender pass over it, and
a crash before the commit leaves the message pending, not lost.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import mail
from app.extensions import db
from app.outbox.models import MessageStatus, OutboxMessage
from app.timeutil import now_utc

#: Waits before the 2nd, 3rd, … attempt; the last one repeats until OUTBOX_MAX_ATTEMPTS.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


def queue_mail(to, template, locale, **context):
    """Write an e-mail from `template` in the recipient's `locale` and queue it; flush only."""
    subject, body = mail.render(template, locale, **context)
    message = OutboxMessage(recipient=to, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    return message


def forget_recipient(address):
    """Delete every message to `address`, sent or not: their bodies hold an erased person's data."""
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.recipient == address))


def _claim_next_due(now):
    """Lock and return the next due pending message that no other sender holds."""
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def record_failure(message, error, now):
    """Count a failed attempt; schedule the next with back-off, or give up after the last."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]


def deliver_due(limit=100):
    """Send up to `limit` due messages, committing after each; return (sent, failed attempts).

    When the server cannot be reached the run stops after that attempt: the
    other messages would only wait out the same time-out, and the next run
    tries again.
    """
    sent = failed = 0
    for _ in range(limit):
        now = now_utc()
        message = _claim_next_due(now)
        if message is None:
            break
        try:
            mail.send(message.recipient, message.subject, message.body)
        except Exception as error:  # any failure: refused, unreachable, timed out
            current_app.logger.warning("E-mail %d to %s not sent: %s", message.id, message.recipient, error)
            record_failure(message, error, now)
            failed += 1
            if isinstance(error, mail.SERVER_UNREACHABLE):
                db.session.commit()
                break
        else:
            message.status = MessageStatus.SENT
            message.sent_at = now_utc()
            message.next_attempt_at = None
            sent += 1
        db.session.commit()
    return sent, failed


def retry(message):
    """Give a failed or waiting message a fresh set of attempts, starting now."""
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now_utc()


def undelivered():
    """Failed messages first, then those waiting, newest first: the admin page's query."""
    return (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status != MessageStatus.SENT)
        .order_by((OutboxMessage.status == MessageStatus.FAILED).desc(), OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
