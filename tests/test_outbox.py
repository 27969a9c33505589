"""The outbox against a real SMTP server (aiosmtpd on a free loopback port)."""
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import send_password_reset
from app.extensions import db
from app.outbox.models import MessageStatus, OutboxMessage
from app.outbox.services import deliver_due
from app.scheduler import run_job
from app.timeutil import now_utc


def messages():
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def make_due_now():
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=now_utc() - timedelta(seconds=1)))
    db.session.commit()


def test_a_message_is_delivered_exactly_once(app, smtp, make_user):
    smtp.start()
    user = make_user(Role.MANAGER, ["Aarhus"], locale="ar")
    send_password_reset(user)
    db.session.commit()
    assert run_job("outbox-delivery") and run_job("outbox-delivery")
    assert len(smtp.messages) == 1
    assert smtp.messages[0].rcpt_tos == [user.email]
    [message] = messages()
    assert message.status == MessageStatus.SENT and message.sent_at is not None


def test_mail_server_down_keeps_the_message_then_delivers_it(client, app, smtp, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    other = make_user(Role.MANAGER, ["Aarhus"])
    # The person's action succeeds although no mail server answers.
    for login in (user.email, other.email):
        response = client.post("/auth/reset", data={"login": login})
        assert response.status_code == 302
    assert run_job("outbox-delivery")  # the attempt fails; the job itself does not
    message, waiting = messages()
    # One attempt tells the server is down; the run does not wait it out for every message.
    assert waiting.attempts == 0
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert timedelta(seconds=50) < message.next_attempt_at - now_utc() <= timedelta(minutes=1)

    smtp.start()
    run_job("outbox-delivery")
    assert [m.rcpt_tos for m in smtp.messages] == [[other.email]]  # the first is not due again yet: back-off
    make_due_now()
    run_job("outbox-delivery")
    assert [m.rcpt_tos for m in smtp.messages] == [[other.email], [user.email]]
    assert [m.status for m in messages()] == [MessageStatus.SENT, MessageStatus.SENT]


def test_a_rolled_back_change_sends_nothing(app, smtp, make_user):
    smtp.start()
    user = make_user(Role.MANAGER, ["Aarhus"])
    send_password_reset(user)
    db.session.rollback()
    run_job("outbox-delivery")
    assert messages() == [] and smtp.messages == []


def test_repeated_failures_mark_the_message_failed_for_admins_to_retry(
    client, app, smtp, make_user, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    send_password_reset(make_user(Role.MANAGER, ["Aarhus"], email="hana@example.org"))
    db.session.commit()
    for _ in range(3):
        make_due_now()
        deliver_due()
    [message] = messages()
    assert message.status == MessageStatus.FAILED and message.attempts == 3 and message.next_attempt_at is None

    login_as(Role.ADMIN)
    page = client.get("/admin/outbox/?lang=en").get_data(as_text=True)
    assert "hana@example.org" in page and "Failed" in page and "ConnectionRefusedError" in page
    assert "/admin/outbox/" in client.get("/?lang=en").get_data(as_text=True)  # in the navigation
    confirm = client.get(f"/admin/outbox/{message.id}/retry").get_data(as_text=True)
    assert "hana@example.org" in confirm
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 302
    smtp.start()
    run_job("outbox-delivery")
    assert [m.rcpt_tos for m in smtp.messages] == [["hana@example.org"]]
    assert "Every e-mail has been sent." in client.get("/admin/outbox/?lang=en").get_data(as_text=True)


def test_only_admins_see_the_outbox(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"])
    assert client.get("/admin/outbox/").status_code == 403


def test_without_a_mail_server_each_message_is_logged_readably(app, make_user, caplog):
    user = make_user(Role.MANAGER, ["Aarhus"], locale="ar")
    send_password_reset(user)
    db.session.commit()
    with caplog.at_level(logging.INFO):
        run_job("outbox-delivery")
    [message] = messages()
    assert message.status == MessageStatus.SENT
    link = next(word for word in message.body.split() if word.startswith("http://localhost/"))
    assert len(link) > 76  # longer than a quoted-printable line, yet whole in the log
    assert link in caplog.text and message.subject in caplog.text


def test_a_second_sender_skips_the_message_another_is_sending(app, smtp):
    """PostgreSQL's FOR UPDATE SKIP LOCKED; SQLite serialises writers instead."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    smtp.start()
    for address in ("first@example.org", "second@example.org"):
        db.session.add(OutboxMessage(recipient=address, subject="s", body="b"))
    db.session.commit()
    first_id = db.session.scalar(sa.select(sa.func.min(OutboxMessage.id)))
    with db.engine.connect() as other_sender:  # holds the first message, as if sending it
        other_sender.execute(sa.select(OutboxMessage.id).where(OutboxMessage.id == first_id).with_for_update())
        assert deliver_due() == (1, 0)
        other_sender.rollback()
    assert [m.rcpt_tos for m in smtp.messages] == [["second@example.org"]]
    assert [m.status for m in messages()] == [MessageStatus.PENDING, MessageStatus.SENT]
