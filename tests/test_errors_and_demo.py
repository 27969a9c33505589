import sqlalchemy as sa

from app import create_app
from app.auth.models import Role, User
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.matches.models import END_REASONS, Match
from app.people.models import Person
from app.people.queries import find_duplicates
from tests.conftest import html_root, log_in


def test_not_found_page_is_translated_and_right_to_left(client):
    response = client.get("/no-such-page?lang=ar")
    assert response.status_code == 404
    assert html_root(response) == ("ar", "rtl")
    assert "Page not found" not in response.get_data(as_text=True)


def test_forbidden_page_explains_itself(client, login_as):
    login_as(Role.VOLUNTEER, locale="en")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "You do not have access to this page" in page


def test_forms_without_csrf_token_are_refused(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/auth/login?lang=en", data={"login": "a@b.dk", "password": "x"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_demo_seed_is_idempotent_and_logins_work(runner, client):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and DEMO_PASSWORD in first.output
    again = runner.invoke(args=["demo", "seed"])
    assert "0 refugees and volunteers added" in again.output and "0 dates added" in again.output
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == 6
    assert {u.role for u in users} == set(Role)

    people = db.session.scalars(sa.select(Person)).all()
    assert sum(p.kind == "refugee" for p in people) >= 200
    assert sum(p.kind == "volunteer" for p in people) >= 300
    assert len({p.municipality_code for p in people}) >= 6
    spoken = {l.code for p in people for l in p.languages}
    assert {"ar", "ti", "fa", "prs", "so", "uk"} <= spoken
    assert any(find_duplicates(p.kind, p.municipality_code, p.full_name, birth_year=p.birth_year,
                               exclude_id=p.id) for p in people if p.email.startswith("twin"))

    statuses = set(db.session.scalars(sa.select(Match.status)))
    assert {"proposed", "active", "ended"} <= statuses
    assert set(db.session.scalars(sa.select(Match.end_reason).where(Match.status == "ended"))) == set(END_REASONS)
    assert all(p.status != "matched" or p.kind == "volunteer" or
               db.session.scalar(sa.select(Match.id).where(Match.refugee_id == p.id, Match.status.in_(("proposed", "active"))))
               for p in people)

    activities = client.get("/activities?lang=en").get_data(as_text=True)
    assert "Language café" in activities and "Bicycle workshop" in activities and "Full – join the waitlist" in activities

    # The demo refugee's own page shows their active friendship.
    refugee_user = db.session.scalars(sa.select(User).where(User.email == "refugee@demo.example.org")).one()
    friend = db.session.scalars(sa.select(Match).where(Match.refugee_id == refugee_user.person_id)).one().volunteer
    page = log_in(client, refugee_user.email, DEMO_PASSWORD).get_data(as_text=True)
    assert friend.full_name.split()[0] in page.split('id="friendship"')[1].split("</section>")[0]
    client.post("/auth/logout")
    page = log_in(client, "manager.aarhus@demo.example.org", DEMO_PASSWORD).get_data(as_text=True)
    assert "Aarhus" in page
    assert client.get("/municipalities/751").status_code == 200
    assert client.get("/municipalities/101").status_code == 403


def test_server_error_page_is_translated(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False})

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom?lang=fa")
    assert response.status_code == 500
    assert html_root(response) == ("fa", "rtl")
    assert "Something went wrong" not in response.get_data(as_text=True)
