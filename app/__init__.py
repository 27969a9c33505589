"""Application factory for the Friends Pave the Way platform."""
import logging
import os

from flask import Flask

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, TestingConfig


def _config_class(config):
    if config is None:
        return CONFIGS[os.environ.get("APP_CONFIG", "development")]
    if isinstance(config, str):
        return CONFIGS[config]
    return config


def create_app(config=None):
    """Build the application.

    `config` is a configuration name ("development", "testing",
    "production"), a configuration class, or, for tests, a mapping laid over
    the testing configuration. Without it, ``APP_CONFIG`` decides.
    """
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.jinja_env.add_extension("jinja2.ext.do")
    if isinstance(config, dict):
        app.config.from_object(TestingConfig)
        app.config.update(config)
    else:
        config_class = _config_class(config)
        app.config.from_object(config_class)
        config_class.complete(app.config)
    INSTANCE_DIR.mkdir(exist_ok=True)
    app.logger.setLevel(logging.INFO)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_jobs(app)
    return app


def register_extensions(app):
    from app import auth, forms, i18n, limits, permissions, serving
    from app.extensions import compress, csrf, db, migrate

    _without_jit(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    limits.init_app(app)
    csrf.init_app(app)
    forms.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    permissions.init_app(app)
    serving.init_app(app)
    compress.init_app(app)


def _without_jit(config):
    """Turn PostgreSQL's JIT compiler off for the app's connections.

    JIT pays off for long analytical queries, not for a web page's short
    ones: the correlated subqueries of the suggestions page are estimated
    costly enough for PostgreSQL to compile them first (EXPLAIN ANALYZE
    showed 24 ms of compiling on a busy machine; 3 ms of the page's 62 ms
    at a quiet moment).
    """
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "options": "-c jit=off"}


def register_blueprints(app):
    from app import errors
    from app.admin import bp as admin_bp
    from app.agreements.routes import bp as agreements_bp
    from app.audit import subscribers as audit_subscribers
    from app.audit.routes import bp as audit_bp
    from app.events import subscribers as event_subscribers
    from app.events.routes import bp as events_bp
    from app.followup import subscribers as followup_subscribers
    from app.followup.routes import bp as followup_bp
    from app.main import bp as main_bp
    from app.matches import subscribers as match_subscribers
    from app.matches.routes import bp as matches_bp
    from app.municipalities.routes import bp as municipalities_bp
    from app.outbox.routes import bp as outbox_bp
    from app.people.routes import bp as people_bp
    from app.privacy import bp as privacy_bp
    from app.privacy import subscribers as privacy_subscribers
    from app.recruitment import subscribers as recruitment_subscribers
    from app.recruitment.routes import bp as recruitment_bp
    from app.stats.routes import bp as stats_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(municipalities_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(recruitment_bp)
    recruitment_subscribers.init_app(app)
    app.register_blueprint(matches_bp)
    match_subscribers.init_app(app)
    app.register_blueprint(followup_bp)
    followup_subscribers.init_app(app)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(events_bp)
    event_subscribers.init_app(app)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(audit_bp)
    audit_subscribers.init_app(app)
    app.register_blueprint(privacy_bp)
    privacy_subscribers.init_app(app)
    errors.init_app(app)


def register_cli(app):
    from app.auth.cli import users_cli
    from app.backups import backup_cli
    from app.demo.cli import demo_cli
    from app.municipalities.cli import refdata_cli
    from app.privacy.cli import privacy_cli
    from app.scheduler import jobs_cli, scheduler_cli

    app.cli.add_command(refdata_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_cli)


def register_jobs(app):
    """Last, because the in-process scheduler (SCHEDULER_ENABLED) may run a job at once."""
    from app import scheduler

    scheduler.init_app(app)
