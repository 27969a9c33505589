"""`flask demo seed`: demo accounts for trying the platform."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.demo.coverage import seed_coverage
from app.demo.events import seed_events
from app.demo.matches import link_demo_accounts, seed_matches
from app.demo.people import seed_people
from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data for development and trials.")


@demo_cli.command("seed")
def seed_command():
    """Create or refresh the demo data (needs `flask refdata load` first)."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "Refusing to seed demo data under the production configuration: the demo accounts "
            "share a public password. Create the first administrator with "
            "`flask users create-admin EMAIL` instead."
        )
    users = seed_demo()
    added = seed_people()
    matches = seed_matches()
    link_demo_accounts(users)
    dates = seed_events()
    agreements, national_people, national_matches = seed_coverage()
    db.session.commit()
    click.echo(f"Demo people: {added} refugees and volunteers added; {matches} matches made.")
    click.echo(f"Demo activities: {dates} dates added.")
    click.echo(f"Across the country: {national_people} people and {national_matches} friendships added; "
               f"{agreements} agreements.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        click.echo(f"  {user.role:<12} {user.email}")
