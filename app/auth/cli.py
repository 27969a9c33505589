"""`flask users create-admin`: the first administrator of a new installation."""
import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from app.auth.forms import MIN_PASSWORD_LENGTH
from app.auth.services import create_administrator, find_user_by_login, invitation_link
from app.extensions import db

users_cli = AppGroup("users", help="User accounts.")


def _email(value):
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(str(error)) from error


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True, help="Full name.")
@click.option(
    "--invite",
    is_flag=True,
    help="Print an invitation link to choose the password in the browser instead of typing it here.",
)
def create_admin_command(email, name, invite):
    """Create an administrator with login EMAIL.

    The password is asked for at a hidden prompt (never given on the command
    line, where it would stay in the shell history and the process list).
    """
    email = _email(email)
    if find_user_by_login(email) is not None:
        raise click.ClickException(f"There is already a user with the e-mail {email}; nothing was created.")
    password = None
    if not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.ClickException(
                f"The password must have at least {MIN_PASSWORD_LENGTH} characters; nothing was created."
            )
    user = create_administrator(email, name.strip(), password)
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")
    if invite:
        days = current_app.config["INVITATION_MAX_AGE"] // (24 * 3600)
        click.echo(f"Open this link to choose a password (valid for {days} days, once):")
        click.echo(invitation_link(user))
