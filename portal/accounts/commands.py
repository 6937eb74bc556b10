"""Command-line tasks for accounts: `flask --app portal users ...`."""

import click
from flask import current_app
from flask.cli import AppGroup

from portal.accounts import break_glass
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.notifications import absolute_link

users = AppGroup("users", help="User accounts: ways in for admins.")


@users.command("break-glass")
@click.argument("email")
def break_glass_link(email: str) -> None:
    """Print a single-use sign-in link for the active admin EMAIL, valid for 15 minutes
    and written to the audit log: the way in when single sign-on is down. It works in
    every TANDEM_AUTH mode and is voided by any later sign-in of that admin."""
    try:
        user, token = break_glass.make_link_token(email)
    except ValidationFailed as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    config = current_app.config
    link = absolute_link(f"/signin/break-glass/{token}", config["BASE_URL"])
    minutes = config["BREAK_GLASS_MINUTES"]
    click.echo(f"Sign-in link for {user.email} (works once, for {minutes} minutes):")
    click.echo(link)
