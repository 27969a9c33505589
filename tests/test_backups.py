"""`flask backup create|restore`: a backup brings back the data as it was when it was taken."""
import shutil
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.backups import row_counts
from app.extensions import db
from app.people.models import Person
from tests.conftest import IN_CI


def names():
    db.session.expire_all()
    names = sorted(db.session.scalars(sa.select(Person.full_name)))
    db.session.commit()  # no transaction of the test's holds a lock the restore needs
    return names


def test_a_sqlite_backup_brings_back_the_data_as_it_was(app, runner, make_person, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL backup has its own test")
    amal = make_person(full_name="Amal Haddad")
    path = tmp_path / "friends.sqlite"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    amal.full_name = "Changed Later"
    make_person(full_name="Added Later")
    db.session.commit()

    refused = runner.invoke(args=["backup", "restore", str(path)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert names() == ["Added Later", "Changed Later"]
    result = runner.invoke(args=["backup", "restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert names() == ["Amal Haddad"]


def test_a_backup_does_not_overwrite_a_file_unless_told_to(app, runner, tmp_path):
    path = tmp_path / "backup"
    path.write_bytes(b"an earlier backup")
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code != 0 and "--yes" in result.output and path.read_bytes() == b"an earlier backup"


def test_a_file_that_is_no_backup_is_not_restored(app, runner, make_person, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("pg_restore checks its own format")
    make_person(full_name="Amal Haddad")
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    result = runner.invoke(args=["backup", "restore", str(path), "--yes"])
    assert result.exit_code != 0 and "not a backup" in result.output
    assert names() == ["Amal Haddad"]


@pytest.fixture
def fresh_database(app):
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    name = f"friends_restore_{uuid.uuid4().hex[:8]}"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield db.engine.url.set(database=name).render_as_string(hide_password=False)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_a_postgresql_backup_restores_into_a_fresh_database_with_every_row(app, runner, make_person, tmp_path, request):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        message = "pg_dump and pg_restore are not installed (Debian: postgresql-client)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    fresh_url = request.getfixturevalue("fresh_database")
    make_person(full_name="Amal Haddad")
    make_person("volunteer", full_name="Birgit Jensen")
    path = tmp_path / "friends.dump"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    before = row_counts()
    db.session.commit()

    restored = create_app({"SQLALCHEMY_DATABASE_URI": fresh_url})
    with restored.app_context():  # the command runs in the app of the current context
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        assert row_counts() == before
        assert sorted(db.session.scalars(sa.select(Person.full_name))) == ["Amal Haddad", "Birgit Jensen"]
        db.session.remove()
        db.engine.dispose()
