"""First start of a new installation: the first administrator, and no demo data in production."""
import sqlalchemy as sa

from app import create_app
from app.auth.models import Role, User
from app.extensions import db
from config import ProductionConfig
from tests.conftest import log_in

PASSWORD = "a long enough password"


def users():
    return db.session.scalars(sa.select(User)).all()


def test_create_admin_asks_for_the_password_twice_and_hidden(runner, client):
    result = runner.invoke(
        args=["users", "create-admin", "Boss@Example.org", "--name", "Birgitte Nyborg"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    [user] = users()
    assert (user.email, user.full_name, user.role) == ("boss@example.org", "Birgitte Nyborg", Role.ADMIN)
    assert "Birgitte Nyborg" in log_in(client, "boss@example.org", PASSWORD).get_data(as_text=True)


def test_create_admin_refuses_a_mistyped_confirmation(runner):
    result = runner.invoke(
        args=["users", "create-admin", "boss@example.org"],
        input=f"{PASSWORD}\nsomething else\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert users() == []


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["users", "create-admin", "boss@example.org"], input="short\nshort\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert users() == []


def test_create_admin_refuses_an_e_mail_already_in_use(runner, make_user):
    make_user(Role.MANAGER, email="taken@example.org")
    result = runner.invoke(args=["users", "create-admin", "TAKEN@example.org", "--invite"])
    assert result.exit_code == 1
    assert "already a user with the e-mail taken@example.org" in result.output
    assert len(users()) == 1


def test_create_admin_refuses_an_invalid_e_mail(runner):
    result = runner.invoke(args=["users", "create-admin", "not-an-address", "--invite"])
    assert result.exit_code == 2
    assert users() == []


def test_create_admin_can_print_an_invitation_link_instead(runner, client):
    result = runner.invoke(args=["users", "create-admin", "boss@example.org", "--invite"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://localhost/auth/invitation/")
    [user] = users()
    assert user.role == Role.ADMIN and user.password_hash is None

    path = link.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert "boss@example.org" in client.get("/admin/users").get_data(as_text=True)


def test_demo_seed_refuses_the_production_configuration(app, database_url):
    class Production(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-0123456789"
        SERVER_NAME = "venner.example.org"
        SQLALCHEMY_DATABASE_URI = database_url

    production = create_app(Production)
    with production.app_context():  # else the command would run in the test app's context
        result = production.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "Refusing to seed demo data under the production configuration" in result.output
    assert users() == []
