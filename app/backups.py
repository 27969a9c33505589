"""``flask backup create|restore PATH``: a copy of the whole database, and putting one back.

SQLite is copied with its online backup API, page by page under a read
lock, so a backup taken while the app runs is consistent. PostgreSQL is
handed to ``pg_dump --format=custom`` and ``pg_restore --clean
--single-transaction`` (a failed restore changes nothing). The password
goes to them in ``PGPASSWORD``, never on a command line others can read in
``ps``. Restoring replaces every row of the configured database, so it asks
for ``--yes``. Signed agreement documents live in files
(``AGREEMENT_DOCUMENTS_DIR``) and are backed up with the folder, not here.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db

backup_cli = AppGroup("backup", help="Back the database up to a file, or restore it from one.")


def _sqlite_path(url):
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory SQLite database has nothing to back up.")
    return url.database


def _libpq(url):
    """The libpq address pg_dump takes, and an environment with the password out of sight."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, env


def _run(command, env):
    program = shutil.which(command[0])
    if program is None:
        raise click.ClickException(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()}")


def _copy_sqlite(source, target):
    origin, destination = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(destination)
    finally:
        origin.close()
        destination.close()


def create_backup(path):
    """Write a backup of the configured database to `path`."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(url), path)
    elif url.get_backend_name() == "postgresql":
        address, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={path}", address], env)
    else:
        raise click.ClickException(f"No backup for {url.get_backend_name()} databases.")


def restore_backup(path):
    """Replace the configured database's contents with the backup at `path`."""
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds a lock the restore needs
    if url.get_backend_name() == "sqlite":
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            backup.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise click.ClickException(f"{path} is not a backup of this application's database.") from None
        finally:
            backup.close()
        _copy_sqlite(path, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        address, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
              f"--dbname={address}", str(path)], env)
    else:
        raise click.ClickException(f"No restore for {url.get_backend_name()} databases.")


def row_counts():
    """Rows per table of the configured database: what a backup holds, and what a test compares."""
    inspector = sa.inspect(db.engine)
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in inspector.get_table_names()}


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite PATH if it exists.")
def create_command(path, yes):
    """Back the database up to PATH (SQLite: a database file; PostgreSQL: pg_dump's custom format)."""
    if path.exists() and not yes:
        raise click.ClickException(f"{path} exists; add --yes to overwrite it.")
    if path.exists():
        path.unlink()
    create_backup(path)
    click.echo(f"Backed up {sum(row_counts().values())} rows to {path}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database's contents without asking.")
def restore_command(path, yes):
    """Replace every row of the database with the backup at PATH; refuses without --yes."""
    if not yes:
        raise click.ClickException(
            f"This replaces every row of {db.engine.url.render_as_string()} with {path}; add --yes to do it."
        )
    restore_backup(path)
    click.echo(f"Restored {sum(row_counts().values())} rows from {path}.")
