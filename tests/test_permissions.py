import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.municipalities.models import PostcodeArea
from app.permissions import can_see_personal_data, scope_to_user


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/municipalities/101")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_manager_of_aarhus_is_refused_on_copenhagen_pages(client, login_as):
    login_as(Role.MANAGER, ["Aarhus"])
    assert client.get("/municipalities/751").status_code == 200
    refused = client.get("/municipalities/101")
    assert refused.status_code == 403
    assert "København" not in refused.get_data(as_text=True)


def test_manager_lists_only_own_municipalities(client, login_as):
    login_as(Role.MANAGER, ["Aarhus", "Odense"])
    page = client.get("/municipalities/").get_data(as_text=True)
    assert "Aarhus" in page and "Odense" in page
    assert "København" not in page


def test_head_office_sees_every_municipality(client, login_as):
    login_as(Role.HEAD_OFFICE)
    page = client.get("/municipalities/").get_data(as_text=True)
    assert "København" in page and "Læsø" in page
    assert client.get("/municipalities/101").status_code == 200


@pytest.mark.parametrize(
    "role, path",
    [
        (Role.HEAD_OFFICE, "/admin/users"),
        (Role.MANAGER, "/admin/organisations"),
        (Role.VOLUNTEER, "/municipalities/"),
        (Role.REFUGEE, "/municipalities/751"),
        (Role.REFUGEE, "/admin/users/new"),
    ],
)
def test_roles_are_refused_pages_of_other_roles(client, login_as, role, path):
    login_as(role, ["Aarhus"] if role == Role.MANAGER else ())
    assert client.get(path).status_code == 403


def test_unknown_municipality_is_not_found(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/municipalities/999").status_code == 404


def test_personal_data_scope_follows_role_and_municipality(app, make_user):
    """Any table keyed by municipality code is scoped the same way; postcodes stand in here."""
    manager = make_user(Role.MANAGER, ["Aarhus"])
    head_office = make_user(Role.HEAD_OFFICE)
    admin = make_user(Role.ADMIN)

    def visible(user):
        query = scope_to_user(sa.select(PostcodeArea.municipality_code), PostcodeArea.municipality_code, user=user)
        return set(db.session.scalars(query))

    assert visible(manager) == {751}
    assert visible(head_office) == set()
    assert len(visible(admin)) == 98
    assert can_see_personal_data(manager, 751) and not can_see_personal_data(manager, 101)
    assert not can_see_personal_data(head_office, 751)
    assert can_see_personal_data(admin, 101)
