import re

import sqlalchemy as sa

from app.auth.models import Organisation, Role, User
from app.extensions import db


def user_by_email(email):
    return db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()


def test_admin_invites_a_manager_who_sets_a_password(client, login_as, outbox):
    login_as(Role.ADMIN, locale="en")
    organisation = Organisation(name="Dansk Flygtningehjælp")
    db.session.add(organisation)
    db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "full_name": "ሃና ገብረ",
            "email": "Hana@Example.org",
            "phone": "22 33 44 55",
            "role": "manager",
            "locale": "ti",
            "organisation_id": organisation.id,
            "municipality_codes": ["751", "461"],
        },
        follow_redirects=True,
    )
    assert "ሃና ገብረ" in response.get_data(as_text=True)
    invited = user_by_email("hana@example.org")
    assert invited.phone == "+4522334455"
    assert {m.name for m in invited.municipalities} == {"Aarhus", "Odense"}
    assert not invited.has_password

    assert len(outbox) == 1 and outbox[0]["To"] == "hana@example.org"
    link = re.search(r"http://localhost(/auth/invitation/\S+)", outbox[0].get_content()).group(1)
    assert re.search("[\u1200-\u137f]", outbox[0].get_content()), "invitation not in Tigrinya"

    client.post("/auth/logout")
    page = client.post(
        link, data={"password": "hanas-own-password", "confirm": "hanas-own-password"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Aarhus" in page  # logged in on her home page
    db.session.refresh(invited)
    assert invited.check_password("hanas-own-password")

    client.post("/auth/logout")
    assert client.get(link).status_code == 410


def test_expired_invitation_is_refused(client, login_as, outbox, app):
    login_as(Role.ADMIN)
    client.post(
        "/admin/users/new",
        data={"full_name": "Late Larsen", "email": "late@example.org", "role": "head_office", "locale": "da"},
    )
    link = re.search(r"http://localhost(/auth/invitation/\S+)", outbox[0].get_content()).group(1)
    client.post("/auth/logout")
    app.config["INVITATION_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["INVITATION_MAX_AGE"] = 7 * 24 * 3600
    assert response.status_code == 410


def test_manager_needs_organisation_and_municipality_and_input_is_kept(client, login_as):
    login_as(Role.ADMIN, locale="en")
    page = client.post(
        "/admin/users/new",
        data={"full_name": "Ali Al-Hassan", "email": "not-an-email", "phone": "12", "role": "manager", "locale": "ar"},
    ).get_data(as_text=True)
    assert "Enter a valid e-mail address" in page
    assert "Enter a phone number" in page
    assert "must belong to an organisation" in page
    assert "Choose at least one municipality" in page
    assert 'value="Ali Al-Hassan"' in page and 'value="not-an-email"' in page
    assert user_by_email("not-an-email") is None


def test_email_must_be_unique(client, login_as, make_user):
    login_as(Role.ADMIN, locale="en")
    existing = make_user(Role.HEAD_OFFICE)
    page = client.post(
        "/admin/users/new",
        data={"full_name": "Twin", "email": existing.email.upper(), "role": "head_office", "locale": "da"},
    ).get_data(as_text=True)
    assert "already has this e-mail address" in page


def test_admin_reassigns_a_manager_to_other_municipalities(client, login_as, make_user):
    login_as(Role.ADMIN)
    manager = make_user(Role.MANAGER, ["Aarhus"])
    form = client.get(f"/admin/users/{manager.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="751">|<option value="751" selected>', form)
    client.post(
        f"/admin/users/{manager.id}",
        data={
            "full_name": manager.full_name,
            "email": manager.email,
            "role": "manager",
            "locale": "da",
            "organisation_id": manager.organisation_id,
            "municipality_codes": ["101"],
        },
    )
    db.session.expire_all()
    assert [m.name for m in manager.municipalities] == ["København"]


def test_deactivation_asks_for_confirmation(client, login_as, make_user):
    login_as(Role.ADMIN, locale="en")
    other = make_user(Role.HEAD_OFFICE, full_name="Hanne Hoved")
    confirm = client.get(f"/admin/users/{other.id}/access").get_data(as_text=True)
    assert "Deactivate Hanne Hoved?" in confirm
    db.session.refresh(other)
    assert other.is_enabled
    client.post(f"/admin/users/{other.id}/access")
    db.session.refresh(other)
    assert not other.is_enabled
    client.post(f"/admin/users/{other.id}/access")
    db.session.refresh(other)
    assert other.is_enabled


def test_admin_cannot_lock_themself_out(client, login_as):
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/access")
    db.session.refresh(admin)
    assert admin.is_enabled


def test_user_list_is_searchable_and_paginated(client, login_as, make_user, app):
    login_as(Role.ADMIN)
    for n in range(30):
        make_user(Role.VOLUNTEER, full_name=f"Frivillig {n:02d}")
    first = client.get("/admin/users?role=volunteer").get_data(as_text=True)
    assert "Frivillig 00" in first and "Frivillig 29" not in first
    second = client.get("/admin/users?role=volunteer&page=2").get_data(as_text=True)
    assert "Frivillig 29" in second and "Frivillig 00" not in second
    found = client.get("/admin/users?q=ivillig 07").get_data(as_text=True)
    assert "Frivillig 07" in found and "Frivillig 08" not in found


def test_organisations_are_managed_and_deleted_only_when_empty(client, login_as, make_user):
    login_as(Role.ADMIN, locale="en")
    client.post("/admin/organisations", data={"name": "Røde Kors Ungdom"})
    duplicate = client.post("/admin/organisations", data={"name": "røde kors ungdom"}).get_data(as_text=True)
    assert "already exists" in duplicate
    organisation = db.session.scalars(sa.select(Organisation).where(Organisation.name == "Røde Kors Ungdom")).one()
    organisation_id = organisation.id

    manager = make_user(Role.MANAGER, ["Aarhus"])
    manager.organisation = organisation
    db.session.commit()
    client.post(f"/admin/organisations/{organisation.id}/delete")
    assert db.session.get(Organisation, organisation.id) is not None

    manager.organisation = None
    db.session.commit()
    confirm = client.get(f"/admin/organisations/{organisation.id}/delete").get_data(as_text=True)
    assert "Delete Røde Kors Ungdom?" in confirm
    client.post(f"/admin/organisations/{organisation_id}/delete")
    db.session.expire_all()
    assert db.session.get(Organisation, organisation_id) is None
