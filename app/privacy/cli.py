"""`flask privacy retention`: the retention job by hand, or a dry run that only counts."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.privacy.tasks import apply_retention, count_due
from app.timeutil import today_local

privacy_cli = AppGroup("privacy", help="Erasure and retention of personal data.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count who would be anonymised; change nothing.")
def retention_command(dry_run):
    """Anonymise the people the retention rules say are due today (or, with --dry-run, count them)."""
    if dry_run:
        click.echo(f"{count_due(current_app.config, today_local())} people would be anonymised.")
        return
    erased = apply_retention(current_app.config, today_local())
    db.session.commit()
    click.echo(f"{erased} people anonymised.")
