"""Flask extensions, created unbound and attached in `create_app`."""
from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

#: Deterministic constraint names, so Alembic can drop what it created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Pages beyond this are empty anyway; a bigger ?page= would overflow the database's OFFSET.
MAX_PAGE = 100_000


class Database(SQLAlchemy):
    """Flask-SQLAlchemy whose ``paginate`` reads a ?page= of any size without a server error."""

    def paginate(self, select, *, page=None, **kwargs):
        if page is None:
            page = requested_page()
        return super().paginate(select, page=page, **kwargs)


def requested_page():
    """The request's ?page=, from 1 to MAX_PAGE whatever was sent."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


db = Database(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
