"""Command-line tasks: `flask --app portal <command>`."""

import getpass

import click
from flask import Flask
from sqlalchemy import select

from content.taxonomy.services import ensure_defaults
from portal.accounts import services as accounts
from portal.demo.seed import DEMO_ASSET_COUNT
from portal.demo.seed import seed_demo as run_seed
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import DEPARTMENTS, Role, User, find_user


def _refusal(error: ValidationFailed) -> click.ClickException:
    details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
    return click.ClickException(f"{error.message} {details}".strip())


def register_cli(app: Flask) -> None:
    @app.cli.command("init")
    @click.option("--admin-email", default=None, help="The first admin's email (prompted).")
    @click.option("--admin-name", default=None, help="The first admin's full name (prompted).")
    @click.option("--admin-password", default=None, help="The first admin's password (prompted).")
    def init(admin_email, admin_name, admin_password):
        """Prepare a new portal: the default taxonomy (buyer stages, personas, industries,
        content types, tags) and the first admin. Safe to run again: it adds only what is
        missing and never creates demo accounts."""
        ensure_defaults()
        admin = db.session.scalar(
            select(User).where(User.role == Role.ADMIN, User.active.is_(True)).limit(1)
        )
        if admin is not None:
            db.session.commit()
            click.echo(f"Taxonomy ready. An admin exists already: {admin.email}.")
            return
        email = admin_email or click.prompt("First admin's email")
        name = admin_name or click.prompt("First admin's full name")
        if admin_password is None:
            admin_password = getpass.getpass("Password (10+ characters): ")
        try:
            admin = accounts.create_user(email, name, Role.ADMIN, admin_password)
        except ValidationFailed as error:
            db.session.rollback()
            raise _refusal(error) from None
        db.session.commit()
        click.echo(f"Taxonomy ready. Created admin {admin.email}; sign in to invite the team.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option(
        "--role",
        type=click.Choice([role.value for role in Role]),
        required=True,
        help="The user's role.",
    )
    @click.option("--name", required=True, help="Full name shown in the portal.")
    @click.option(
        "--department",
        type=click.Choice(DEPARTMENTS),
        default=None,
        help="Team; defaults to marketing for marketers, sales otherwise.",
    )
    @click.option("--password", default=None, help="Initial password (prompted if omitted).")
    def create_user(email, role, name, department, password):
        """Create a user account that can sign in."""
        if password is None:
            password = getpass.getpass("Password (10+ characters): ")
        try:
            user = accounts.create_user(email, name, Role(role), password, department)
        except ValidationFailed as error:
            raise _refusal(error) from None
        db.session.commit()
        click.echo(f"Created {user.role} {user.email} ({user.department}).")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default="CLI token", help="Label shown on the profile page.")
    def create_token(email, name):
        """Create an API token for EMAIL and print it (it is stored hashed)."""
        user = find_user(email)
        if user is None or not user.active:
            raise click.ClickException(f"No active user with email {email}.")
        clear = accounts.issue_token(user, name)
        db.session.commit()
        click.echo(clear)

    @app.cli.command("seed-demo")
    @click.option(
        "--password",
        default="tandem-demo",
        show_default=True,
        help="Password given to every demo user.",
    )
    def seed_demo(password):
        """Create demo users, the default taxonomy, demo assets, ghost-written posts, the
        reps' deals with their ratings and usage, field feedback, campaign briefs, glossary
        terms, onboarding paths and a weekly alignment meeting (safe to run twice). Refused
        when TANDEM_ENV=production: the demo accounts share a known password."""
        if app.config["ENV_NAME"] == "production":
            raise click.ClickException(
                "seed-demo creates accounts with a known password, so it does not run with "
                "TANDEM_ENV=production. Use `flask --app portal init` to prepare a new portal."
            )
        with click.progressbar(length=DEMO_ASSET_COUNT, label="Seeding demo assets") as bar:
            counts = run_seed(password, progress=bar.update)
        db.session.commit()
        summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
        click.echo(f"Demo data ready ({summary}). Sign in as rep@example.com / {password}.")
