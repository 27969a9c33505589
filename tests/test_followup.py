import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from app.auth.models import Role
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import create_due_check_ins, latest_due_date
from app.matches import services as match_services
from app.scheduler import run_job


@pytest.fixture
def active_match(make_person, make_user, outbox):
    refugee = make_person("refugee", full_name="ሰላም ተስፋይ", email="selam@example.org", message_locale="ti",
                          languages={"ti": 5, "ar": 3})
    volunteer = make_person("volunteer", full_name="Mette Holm", email="mette@example.org",
                            message_locale="da", languages={"da": 5, "ar": 3})
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="en")
    match = match_services.propose(refugee.id, volunteer.id, manager)
    match_services.accept(match, "refugee", manager)
    match_services.accept(match, "volunteer", manager)
    match.activated_at = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    db.session.commit()
    outbox.clear()  # the match's own e-mails; these tests are about check-ins
    return match


def links(outbox):
    return [re.search(r"http://localhost(/check-in/\S+)", m.get_content()).group(1) for m in outbox]


@pytest.mark.parametrize(
    "today, due",
    [
        (date(2026, 1, 14), None),
        (date(2026, 1, 15), date(2026, 1, 15)),
        (date(2026, 4, 15), date(2026, 1, 15)),
        (date(2026, 4, 16), date(2026, 4, 16)),
        (date(2026, 7, 20), date(2026, 7, 16)),
    ],
)
def test_check_ins_come_two_weeks_after_start_then_every_three_months(today, due):
    assert latest_due_date(date(2026, 1, 1), today) == due


def test_due_check_ins_are_created_once_and_sent_in_each_language(app, active_match, outbox):
    assert create_due_check_ins(date(2026, 1, 10)) == 0
    assert create_due_check_ins(date(2026, 1, 16)) == 2
    db.session.commit()
    assert create_due_check_ins(date(2026, 1, 17)) == 0  # a second run duplicates nothing
    assert len(outbox) == 2
    by_address = {m["To"]: m for m in outbox}
    assert re.search("[\u1200-\u137f]", by_address["selam@example.org"]["Subject"])
    assert "venskab" in by_address["mette@example.org"]["Subject"].lower()
    assert create_due_check_ins(date(2026, 4, 17)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 4


def test_answer_through_the_personal_link_once(client, app, active_match, outbox):
    create_due_check_ins(date(2026, 1, 16))
    db.session.commit()
    link = next(l for l, m in zip(links(outbox), outbox) if m["To"] == "selam@example.org")
    page = client.get(link).get_data(as_text=True)
    assert '<html lang="ti"' in page
    assert "ሰላም ተስፋይ" in page
    response = client.post(link, data={"meetings": "weekly", "rating": "2", "wants_call": "y", "comment": "ጽቡቕ"})
    assert response.status_code == 200
    answered = db.session.scalars(sa.select(CheckIn).where(CheckIn.side == "refugee")).one()
    assert (answered.rating, answered.meetings, answered.wants_call) == (2, "weekly", True)
    assert client.get(link).status_code == 410  # used


def test_expired_or_forged_links_are_refused(client, app, active_match, outbox):
    with freeze_time(datetime.now(timezone.utc) - timedelta(days=40)):
        create_due_check_ins(date(2026, 1, 16))
        db.session.commit()
    link = re.sub(r"lang=\w+", "lang=en", links(outbox)[0])
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert client.get("/check-in/not-a-real-token").status_code == 410


def test_a_link_answers_only_its_own_check_in(client, app, active_match, outbox):
    create_due_check_ins(date(2026, 1, 16))
    db.session.commit()
    refugee_link, volunteer_link = sorted(links(outbox), key=lambda l: outbox[links(outbox).index(l)]["To"] != "selam@example.org")
    page = client.get(refugee_link).get_data(as_text=True)
    assert "Mette" in page and "Holm" not in page  # the friend by first name only
    client.post(refugee_link, data={"meetings": "once", "rating": "4"})
    volunteer_check_in = db.session.scalars(sa.select(CheckIn).where(CheckIn.side == "volunteer")).one()
    assert volunteer_check_in.answered_at is None
    tampered = refugee_link.replace("/check-in/", "/check-in/x")
    assert client.get(tampered).status_code == 410


def test_manager_sees_flagged_friendships_and_marks_them_done(client, login_as, app, active_match, outbox):
    create_due_check_ins(date(2026, 1, 16))
    db.session.commit()
    refugee_link = next(l for l, m in zip(links(outbox), outbox) if m["To"] == "selam@example.org")
    client.post(refugee_link, data={"meetings": "not_yet", "rating": "1"})
    login_as(Role.MANAGER, ["Aarhus"], locale="en")
    home = client.get("/").get_data(as_text=True)
    assert "Follow-up of friendships" in home
    assert "Needs attention" in home  # rating 1, and the volunteer's check-in is long unanswered
    assert "rating 1" in home and "no answer yet" in home
    for check_in in db.session.scalars(sa.select(CheckIn)):
        client.post(f"/check-ins/{check_in.id}/handled")
    assert "Nothing to follow up." in client.get("/").get_data(as_text=True)


def test_managers_elsewhere_cannot_handle_tasks(client, login_as, app, active_match):
    create_due_check_ins(date(2026, 1, 16))
    db.session.commit()
    check_in = db.session.scalars(sa.select(CheckIn)).first()
    login_as(Role.MANAGER, ["Odense"])
    assert client.post(f"/check-ins/{check_in.id}/handled").status_code == 403


def test_the_scheduled_job_creates_check_ins(app, active_match, outbox):
    with freeze_time("2026-01-16 06:00"):
        assert run_job("follow-up-check-ins")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2
    assert sorted(m["To"] for m in outbox) == ["mette@example.org", "selam@example.org"]


def test_a_run_that_dies_half_way_leaves_nothing_and_the_next_run_sends_each_check_in_once(
    app, active_match, outbox, monkeypatch
):
    """The first check-in and its e-mail are flushed, then the run dies: all of it is rolled back together."""
    import app.followup.services as followup

    queue_mail = followup.queue_mail
    calls = []

    def dies_at_the_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise ConnectionError("the server went away")
        return queue_mail(*args, **kwargs)

    monkeypatch.setattr(followup, "queue_mail", dies_at_the_second)
    with freeze_time("2026-01-16 06:00"):
        assert not run_job("follow-up-check-ins")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0 and len(outbox) == 0

    monkeypatch.undo()
    with freeze_time("2026-01-16 07:00"):
        assert run_job("follow-up-check-ins") and run_job("follow-up-check-ins")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2
    assert sorted(m["To"] for m in outbox) == ["mette@example.org", "selam@example.org"]
