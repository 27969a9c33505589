import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from app.auth.models import Role
from app.auth.services import normalise_phone
from app.extensions import db
from app.timeutil import now_utc
from tests.conftest import PASSWORD, log_in


def link_in(message):
    return re.search(r"http://localhost(/auth/\S+)", message.get_content()).group(1)


def test_login_by_email_and_logout(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"], email="mette@example.org")
    page = log_in(client, "Mette@Example.org ").get_data(as_text=True)
    assert user.full_name in page
    assert "Aarhus" in page
    db.session.refresh(user)
    assert user.last_login_at is not None

    page = client.post("/auth/logout", follow_redirects=True).get_data(as_text=True)
    assert 'name="password"' in page
    assert client.get("/municipalities/").status_code == 302


def test_login_by_phone_number_in_any_common_format(client, make_user):
    make_user(Role.VOLUNTEER, phone="+4522334455", full_name="Phone Person")
    assert "Phone Person" in log_in(client, "22 33 44 55").get_data(as_text=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22 33 44 55", "+4522334455"),
        ("0045 2233-4455", "+4522334455"),
        ("+46 70 123 45 67", "+46701234567"),
        ("1234", None),
        ("phone", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(text, expected):
    assert normalise_phone(text) == expected


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user(Role.MANAGER)
    response = client.post(
        "/auth/login?lang=en", data={"login": user.email, "password": "not the password"}
    )
    page = response.get_data(as_text=True)
    assert "Wrong e-mail, phone number or password." in page
    assert user.email in page  # what was typed is kept
    assert client.get("/municipalities/").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(Role.HEAD_OFFICE, is_enabled=False)
    log_in(client, user.email)
    assert client.get("/municipalities/").status_code == 302


def test_change_password(client, login_as):
    user = login_as(Role.HEAD_OFFICE, locale="en")
    wrong = client.post(
        "/auth/password",
        data={"current_password": "nope", "password": "a-new-password", "confirm": "a-new-password"},
    )
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": "a-new-password", "confirm": "a-new-password"},
    )
    db.session.refresh(user)
    assert user.check_password("a-new-password")
    assert not user.check_password(PASSWORD)


def test_short_or_mismatched_new_password_is_refused(client, login_as):
    user = login_as(Role.HEAD_OFFICE, locale="en")
    page = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": "short", "confirm": "other"},
    ).get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert "The passwords do not match." in page
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_reset_link_works_once(client, make_user, outbox):
    user = make_user(Role.MANAGER, locale="en")
    client.post("/auth/reset", data={"login": user.email})
    assert len(outbox) == 1
    assert outbox[0]["To"] == user.email
    link = link_in(outbox[0])

    client.post(link, data={"password": "brand-new-password", "confirm": "brand-new-password"})
    db.session.refresh(user)
    assert user.check_password("brand-new-password")
    client.post("/auth/logout")

    reused = client.get(link + "?lang=en")
    assert reused.status_code == 410
    assert "already been used" in reused.get_data(as_text=True)


def test_expired_reset_link_is_refused(client, make_user, outbox):
    user = make_user(Role.MANAGER, locale="en")
    with freeze_time(now_utc() - timedelta(hours=2)):
        client.post("/auth/reset", data={"login": user.email})
    response = client.post(
        link_in(outbox[0]) + "?lang=en",
        data={"password": "brand-new-password", "confirm": "brand-new-password"},
    )
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_tampered_link_is_refused(client, make_user, outbox):
    user = make_user(Role.MANAGER, locale="en")
    client.post("/auth/reset", data={"login": user.email})
    assert client.get(link_in(outbox[0]) + "x").status_code == 410


def test_reset_request_never_reveals_whether_an_account_exists(client, make_user, outbox):
    user = make_user(Role.MANAGER)
    known = client.post("/auth/reset", data={"login": user.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"login": "nobody@example.org"}, follow_redirects=True)
    assert len(outbox) == 1
    flash = re.compile(r'<div class="alert[^>]*>(.*?)</div>', re.S)
    assert flash.findall(known.get_data(as_text=True)) == flash.findall(unknown.get_data(as_text=True))


def test_reset_mail_is_written_in_the_users_language(client, make_user, outbox):
    user = make_user(Role.MANAGER, locale="ar")
    client.post("/auth/reset?lang=da", data={"login": user.email})
    body = outbox[0].get_content()
    assert re.search("[\u0600-\u06ff]", body), body
    assert re.search("[\u0600-\u06ff]", outbox[0]["Subject"])


def test_login_redirects_only_to_local_pages(client, make_user):
    user = make_user(Role.HEAD_OFFICE)
    response = client.post(
        "/auth/login?next=https://evil.example.com/",
        data={"login": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login?next=/municipalities/", data={"login": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/municipalities/"


def test_wrong_passwords_make_the_next_try_wait_longer_each_time(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    for _ in range(4):
        client.post("/auth/login?lang=en", data={"login": user.email, "password": "guess"})
    refused = client.post("/auth/login?lang=en", data={"login": user.email, "password": PASSWORD})
    assert "Too many wrong passwords. Try again in 1 second," in refused.get_data(as_text=True)
    assert client.get("/municipalities/").status_code == 302

    with freeze_time(now_utc() + timedelta(seconds=2)):
        client.post("/auth/login?lang=en", data={"login": user.email, "password": "guess"})
        refused = client.post("/auth/login?lang=en", data={"login": user.email, "password": PASSWORD})
        assert "Try again in 2 seconds" in refused.get_data(as_text=True)
    with freeze_time(now_utc() + timedelta(seconds=5)):
        assert "Aarhus" in log_in(client, user.email).get_data(as_text=True)


def test_a_right_password_clears_the_count_of_wrong_ones(client, make_user):
    user = make_user(Role.MANAGER, ["Aarhus"])
    for _ in range(3):
        client.post("/auth/login", data={"login": user.email, "password": "guess"})
    log_in(client, user.email)
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": user.email, "password": "guess"})
    assert "Aarhus" in log_in(client, user.email).get_data(as_text=True)
