import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import INSTANCE_DIR, Config, ProductionConfig


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "da"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Copenhagen"
    assert app.config["LANGUAGES"] == ("da", "en", "ar", "fa", "ti")


def test_default_database_is_sqlite_under_instance(monkeypatch):
    assert Config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{INSTANCE_DIR / 'friends.sqlite'}"


def test_production_refuses_to_start_without_a_real_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret_key():
    class Production(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-0123456789"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SERVER_NAME = "venner.example.org"

    app = create_app(Production)
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"]


def test_production_refuses_to_start_without_its_public_host_name():
    class Production(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-0123456789"
        SERVER_NAME = None

    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        create_app(Production)


def test_development_is_the_default(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)  # where it keeps its own key
    monkeypatch.delenv("APP_CONFIG", raising=False)
    assert create_app().debug


def test_startup_fails_when_a_language_has_no_catalog(tmp_path):
    with pytest.raises(RuntimeError, match="no message catalog for"):
        create_app({"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})


def test_schema_comes_from_migrations_not_create_all(app):
    from sqlalchemy import inspect

    from app.extensions import db

    tables = set(inspect(db.engine).get_table_names())
    assert "alembic_version" in tables
    assert {"app_user", "organisation", "municipality", "postcode_area", "region"} <= tables


def test_postgresql_connections_do_not_jit_compile_queries(app):
    """A page's short queries are not worth compiling (the suggestions page lost up to 24 ms to it)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
