"""Configuration read from environment variables.

`create_app()` picks one of these classes from ``APP_CONFIG``
(development, testing, production); tests pass their own overrides.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: The development key of earlier versions: published, so it is used nowhere and production refuses it.
INSECURE_SECRET_KEY = "dev-insecure-secret-key"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret_key(path):
    """Return the random key kept in `path`, made (readable by its owner only) the first time."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        path.parent.mkdir(exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key)
        return key


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'friends.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    LANGUAGES = ("da", "en", "ar", "fa", "ti")
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "da")
    #: Times are shown in Denmark's zone, the one app.timeutil counts days in.
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Venner Viser Vej <no-reply@example.org>"
    )

    #: How long an emailed link stays valid.
    INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", 7 * 24 * 3600))
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", 3600))

    #: Weight of each part of a match score; language weighs most because friends must talk.
    MATCHING_WEIGHTS = {
        "language": 0.35,
        "interests": 0.20,
        "location": 0.20,
        "availability": 0.15,
        "preferences": 0.10,
    }

    #: How long a check-in link works, and when the daily follow-up job runs.
    CHECK_IN_MAX_AGE = int(os.environ.get("CHECK_IN_MAX_AGE", 30 * 24 * 3600))
    CHECK_IN_HOUR = int(os.environ.get("CHECK_IN_HOUR", 7))
    #: Retention (app/privacy/tasks.py): people who left, were archived or whose last match ended
    #: this many months ago are anonymised; so are applicants never approved within
    #: APPLICANT_RETENTION_MONTHS.
    RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", 24))
    APPLICANT_RETENTION_MONTHS = int(os.environ.get("APPLICANT_RETENTION_MONTHS", 12))
    #: Where signed agreement documents are kept; None: the instance folder's "agreements".
    AGREEMENT_DOCUMENTS_DIR = os.environ.get("AGREEMENT_DOCUMENTS_DIR")
    #: Run the scheduler inside the development server (`make run`); in production run
    #: exactly one `flask scheduler run` process instead, never in the web workers.
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)

    #: How often the outbox's delivery job runs, and how many failed attempts mark a message failed.
    OUTBOX_INTERVAL_SECONDS = int(os.environ.get("OUTBOX_INTERVAL_SECONDS", 30))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8))

    #: Public host name (and port) used in e-mailed links, also when no request is running.
    SERVER_NAME = os.environ.get("SERVER_NAME")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: Strict-Transport-Security max-age in seconds; 0 sends none (development over plain HTTP).
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 0))
    PER_PAGE = 25
    #: Largest upload (import files) accepted.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    #: Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; 0 believes none, as a client could forge them.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    #: The app compresses its own responses (Brotli when the browser takes it, else
    #: gzip), so it is light however it is served; static files are streamed, hence both lists.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    #: app.serving decides which responses are compressed (not those of logged-in users: BREACH).
    COMPRESS_REGISTER = False
    #: Where rate limits and login throttling are counted (the `limits` library). memory:// counts in each
    #: process: fine for one worker; several gunicorn workers need a shared store, e.g. redis://localhost:6379.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: Largest request body a public form (volunteer application, sign-up, login, check-in) accepts.
    PUBLIC_FORM_MAX_BYTES = int(os.environ.get("PUBLIC_FORM_MAX_BYTES", 64 * 1024))
    #: Seconds each web worker keeps the public open data (/coverage.json, .csv) it computed for a day;
    #: the figures are grouped SQL over the whole country. 0 computes them for every request.
    OPEN_DATA_CACHE_SECONDS = int(os.environ.get("OPEN_DATA_CACHE_SECONDS", 300))
    #: Seconds each web worker serves a visitor's public page (the activity list, an activity page, the
    #: application form, each with the visitor's own form token) as it last rendered it; seat counts
    #: visitors see may be that old (a sign-up counts seats under a row lock). 0 renders every request.
    PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", 5))
    #: `flask demo seed` writes accounts with a public password; never allowed in production.
    DEMO_DATA_ALLOWED = True

    @staticmethod
    def complete(config):
        """Check or fill in what `create_app` read from this class; nothing to do by default."""


class DevelopmentConfig(Config):
    DEBUG = True
    SERVER_NAME = os.environ.get("SERVER_NAME", "127.0.0.1:5000")

    @staticmethod
    def complete(config):
        """Without SECRET_KEY, sign with a random key of this checkout's own, kept in instance/."""
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = instance_secret_key(INSTANCE_DIR / "secret_key")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    OPEN_DATA_CACHE_SECONDS = 0
    PUBLIC_PAGE_CACHE_SECONDS = 0
    MAIL_SERVER = None
    SCHEDULER_ENABLED = False
    SERVER_NAME = "localhost"


class ProductionConfig(Config):
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 365 * 24 * 3600))
    DEMO_DATA_ALLOWED = False

    @staticmethod
    def complete(config):
        """Refuse to run production with a missing or guessable secret key."""
        key = config.get("SECRET_KEY") or ""
        if key == INSECURE_SECRET_KEY or len(key) < 16:
            raise RuntimeError(
                "SECRET_KEY must be set to a long random value in production "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))'); "
                "it signs sessions and the invitation and password-reset links."
            )
        if not config.get("SERVER_NAME"):
            raise RuntimeError(
                "SERVER_NAME must be set to the public host name (e.g. venner.example.org): "
                "e-mailed links are built from it."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
