"""The weekly digest: the page at /digest and the emails `flask --app portal digest send`
sends (from cron, once a week).

Each person's email for a week is claimed with one atomic insert into
``digest_deliveries`` before it is sent; only the run that made the claim sends, so
running the command twice, or twice at the same time, sends each person one email a
week. A failed send marks the claim failed and the next run tries again.
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import click
from flask import Blueprint, current_app, flash, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select, update

from portal.digest.contents import Digest
from portal.digest.models import ERROR_MAX, DigestDelivery
from portal.digest.summary import compose
from portal.digest.weeks import Week, last_complete_week, parse_week, recent_weeks
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User, normalize_email, utcnow
from portal.kernel.notifications import (
    MAX_SUBJECT,
    absolute_link,
    connect_mail,
    machine_email,
    send_email,
)
from portal.kernel.sql import upsert_insert

log = logging.getLogger(__name__)

bp = Blueprint("digest", __name__, cli_group="digest")
bp.cli.help = "The weekly digest: email it to everyone, or preview one person's."

# A claim older than this belongs to a run that died while sending; it may be retaken.
CLAIM_TIMEOUT = timedelta(hours=1)
MAIL_OFF = (
    "No mail server is configured (TANDEM_MAIL_SERVER), so no digest is emailed; "
    "everyone can read theirs at /digest."
)


# ---- the page ----------------------------------------------------------------------------


@bp.get("/digest")
@login_required
def show():
    """The signed-in user's digest for the last complete week, or the week picked."""
    try:
        week = parse_week(request.args.get("week"))
    except ValidationFailed as error:
        flash(error.message, "error")
        week = last_complete_week()
    weeks = recent_weeks()
    if week not in weeks:
        weeks.append(week)
    return render_template(
        "digest/show.html",
        digest=compose(current_user, week),
        weeks=weeks,
        delivery=delivery_of(current_user, week),
        mail_on=bool(current_app.config.get("MAIL_SERVER")),
        href=lambda path: path,
    )


def delivery_of(user: User, week: Week) -> DigestDelivery | None:
    """The record of ``user``'s email for ``week``, if a run claimed one."""
    return db.session.scalar(
        select(DigestDelivery).where(
            DigestDelivery.user_id == user.id, DigestDelivery.week_start == week.monday
        )
    )


# ---- the email ---------------------------------------------------------------------------


def subject(digest: Digest) -> str:
    return f"Your week in Tandem, {digest.week.title}: {digest.summary}"[:MAX_SUBJECT]


def render_text(digest: Digest) -> str:
    """The plain-text email, with absolute links."""
    return render_template("digest/email.txt", digest=digest, href=_absolute)


def digest_message(digest: Digest) -> EmailMessage:
    """The email for ``digest``: plain text with an HTML alternative, both from the same
    composed digest as the page."""
    message = machine_email(current_app.config, digest.user.email, subject(digest))
    message.set_content(render_text(digest), cte="quoted-printable")
    html = render_template("digest/email.html", digest=digest, href=_absolute)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def _absolute(path: str) -> str:
    return absolute_link(path, current_app.config["BASE_URL"])


class _Mailer:
    """One SMTP connection for a run, opened at the first email and opened again after
    an error, so one refused address does not fail everyone after it."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = connect_mail(self.config)
        try:
            send_email(self.smtp, message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


# ---- claiming and sending ----------------------------------------------------------------


def claim(user: User, week: Week) -> bool:
    """Claim ``user``'s email for ``week`` and commit; True when this caller may send it.

    One atomic insert-or-retake: a new row, or a failed (or long-abandoned) claim taken
    over. A claim being sent or already sent is left alone, so exactly one caller wins.
    """
    now = utcnow()
    retakable = or_(
        DigestDelivery.status == "failed",
        and_(DigestDelivery.status == "sending", DigestDelivery.claimed_at < now - CLAIM_TIMEOUT),
    )
    statement = (
        upsert_insert(DigestDelivery)
        .values(user_id=user.id, week_start=week.monday, status="sending", claimed_at=now)
        .on_conflict_do_update(
            index_elements=["user_id", "week_start"],
            set_={"status": "sending", "claimed_at": now, "error": ""},
            where=retakable,
        )
        .returning(DigestDelivery.id)
    )
    claimed = db.session.execute(statement).scalar_one_or_none()
    db.session.commit()
    return claimed is not None


def _settle(user: User, week: Week, status: str, error: str = "") -> None:
    values: dict[str, object] = {"status": status, "error": error[:ERROR_MAX]}
    if status == "sent":
        values["sent_at"] = utcnow()
    db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.user_id == user.id, DigestDelivery.week_start == week.monday)
        .values(**values)
    )
    db.session.commit()


def recipients() -> list[User]:
    """Everyone who may get a digest: active users (deactivated ones get nothing)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))


def send_week(week: Week, echo=lambda line: None) -> dict[str, int]:
    """Email every active user with something new their digest for ``week``, once.

    Returns how many were sent, skipped as empty, already sent (by this or another run)
    and failed. A failure is logged and leaves the claim marked failed for the next run.
    """
    counts = {"sent": 0, "empty": 0, "already_sent": 0, "failed": 0}
    mailer = _Mailer(current_app.config)
    shared: dict = {}
    try:
        for user in recipients():
            digest = compose(user, week, shared)
            if digest.empty:
                counts["empty"] += 1
                continue
            message = digest_message(digest)
            if not claim(user, week):
                counts["already_sent"] += 1
                continue
            try:
                mailer.send(message)
            except (OSError, smtplib.SMTPException) as error:
                log.exception("Sending the %s digest to %s failed", week.label, user.email)
                _settle(user, week, "failed", f"{type(error).__name__}: {error}")
                echo(f"{user.email}: failed ({type(error).__name__})")
                counts["failed"] += 1
            else:
                _settle(user, week, "sent")
                echo(f"{user.email}: sent ({digest.summary})")
                counts["sent"] += 1
    finally:
        mailer.close()
    return counts


# ---- the commands ------------------------------------------------------------------------


def _week_option(value: str | None) -> Week:
    try:
        return parse_week(value)
    except ValidationFailed as error:
        raise click.BadParameter(error.message, param_hint="--week") from None


WEEK_HELP = "The ISO week, e.g. 2026-W48; defaults to the last complete week."


@bp.cli.command("send")
@click.option("--week", "week_text", default=None, metavar="YYYY-Www", help=WEEK_HELP)
@click.option("--dry-run", is_flag=True, help="Print who would get what; send nothing.")
def send_command(week_text, dry_run):
    """Email each active user their digest of the week (run weekly, e.g. Monday morning).

    Safe to run again: nobody gets a week's digest twice; failed emails are retried.
    """
    week = _week_option(week_text)
    click.echo(f"Digest of {week.label} ({week.title}).")
    if dry_run:
        _dry_run(week)
        return
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(MAIL_OFF)
        return
    counts = send_week(week, click.echo)
    click.echo(
        f"{counts['sent']} sent, {counts['empty']} skipped (nothing new), "
        f"{counts['already_sent']} already sent, {counts['failed']} failed."
    )
    if counts["failed"]:
        raise click.exceptions.Exit(1)


def _dry_run(week: Week) -> None:
    counts = {"send": 0, "empty": 0, "already_sent": 0}
    shared: dict = {}
    for user in recipients():
        digest = compose(user, week, shared)
        delivery = delivery_of(user, week)
        if digest.empty:
            outcome, key = "nothing new, no email", "empty"
        elif delivery is not None and delivery.status in {"sent", "sending"}:
            outcome, key = "already sent", "already_sent"
        else:
            outcome, key = f"would send: {digest.summary}", "send"
        counts[key] += 1
        click.echo(f"{user.email} ({user.role}): {outcome}")
    click.echo(
        f"Dry run: {counts['send']} would be sent, {counts['empty']} skipped (nothing new), "
        f"{counts['already_sent']} already sent. Nothing was sent."
    )
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(MAIL_OFF)


@bp.cli.command("preview")
@click.argument("email")
@click.option("--week", "week_text", default=None, metavar="YYYY-Www", help=WEEK_HELP)
def preview_command(email, week_text):
    """Print the digest EMAIL would get (subject and plain text); sends nothing."""
    week = _week_option(week_text)
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"Nobody has the email {email}.")
    digest = compose(user, week)
    click.echo(f"Subject: {subject(digest)}")
    if digest.empty:
        click.echo("(Nothing new this week: no email would be sent.)")
    if not user.active:
        click.echo("(This account is deactivated: it gets no digest.)")
    click.echo("")
    click.echo(render_text(digest))
