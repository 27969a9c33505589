"""The outbox against a real SMTP server (aiosmtpd on a free loopback port)."""
import asyncio
import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.auth.models import Role
from app.auth.services import send_password_reset
from app.extensions import db
from app.outbox.models import MessageStatus, OutboxMessage
from app.outbox.services import deliver_due
from app.scheduler import run_job
from app.timeutil import now_utc
from tests.conftest import ROOT


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


class StalledServer:
    """An SMTP server that takes a message's data and never answers, until released."""

    def __init__(self):
        self.receiving, self.released = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        while not self.released.is_set():
            await asyncio.sleep(0.05)
        return "451 try again later"


def test_a_delivery_run_killed_while_sending_loses_nothing_and_sends_each_message_once(
    app, smtp, make_user, database_url
):
    """`flask jobs run outbox-delivery` is killed (SIGKILL) while the mail server has the first message's
    data and has not yet accepted it: the message stays pending, its row lock dies with the process, and
    the next run sends both messages, each once.

    (Killed after the server's 250 and before the commit, a run would send that one message again on the
    next run: SMTP has no way to ask whether a message arrived, so delivery is at least once.)
    """
    for address in ("first@example.org", "second@example.org"):
        send_password_reset(make_user(Role.HEAD_OFFICE, email=address))
    db.session.commit()
    stalled = StalledServer()
    controller = Controller(stalled, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    env = {**os.environ, "FLASK_APP": "app", "APP_CONFIG": "development", "SECRET_KEY": app.config["SECRET_KEY"],
           "DATABASE_URL": database_url, "SERVER_NAME": "localhost", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(app.config["MAIL_PORT"]), "MAIL_USE_TLS": "false"}
    run = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "run", "outbox-delivery"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert stalled.receiving.wait(120), "the job never reached the mail server"
    finally:
        run.kill()
        run.wait()
        stalled.released.set()
        controller.stop()
    assert [(m.status, m.attempts) for m in messages()] == [(MessageStatus.PENDING, 0)] * 2

    smtp.start()
    assert run_job("outbox-delivery") and run_job("outbox-delivery")
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["first@example.org", "second@example.org"]
    assert [m.status for m in messages()] == [MessageStatus.SENT] * 2


def test_a_volunteer_applies_and_is_approved_while_the_mail_server_is_down_and_is_told_when_it_is_back(
    client, smtp, login_as
):
    """Applying and approving succeed without a mail server; the approval and the invitation wait in the
    outbox through a failed run and go out, once each, when the server is back."""
    from tests.test_recruitment import application, volunteers

    assert "Thank you for your application" in client.post("/volunteer?lang=en", data=application()).get_data(as_text=True)
    login_as(Role.MANAGER, ["Aarhus"])
    [volunteer] = volunteers()
    assert client.post(f"/applicants/{volunteer.id}/approve").status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.status == "available"
    queued = len(messages())
    assert queued >= 2  # at least the approval and the invitation
    assert run_job("outbox-delivery")  # the server is down: nothing is lost, nothing marked sent
    assert [m.status for m in messages()] == [MessageStatus.PENDING] * queued and smtp.messages == []

    smtp.start()
    make_due_now()
    assert run_job("outbox-delivery") and run_job("outbox-delivery")
    assert [m.rcpt_tos for m in smtp.messages] == [["ida@example.org"]] * queued
    assert [m.status for m in messages()] == [MessageStatus.SENT] * queued
