import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.extensions import db


def test_migrations_upgrade_downgrade_and_upgrade_again(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        flask_migrate.upgrade()
        assert "app_user" in sa.inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="base")
        assert "app_user" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "app_user" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """Fail when a model changed without a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []
