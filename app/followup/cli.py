"""`flask followup run`: create the check-ins due today (for cron, or by hand)."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.followup.services import create_due_check_ins
from app.timeutil import today_local

followup_cli = AppGroup("followup", help="Follow-up of friendships.")


@followup_cli.command("run")
def run_command():
    """Create and send the check-ins that are due; safe to run again."""
    created = create_due_check_ins(today_local())
    db.session.commit()
    click.echo(f"{created} check-ins created.")
