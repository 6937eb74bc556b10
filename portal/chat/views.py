"""The person's chat settings page, the admins' chat page, and Slack's slash command."""

from urllib.parse import parse_qs

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal.chat import command, services, slack
from portal.chat.forms import TestMessageForm, chosen_routes, route_field, settings_form
from portal.chat.groups import KINDS_BY_GROUP, LABELS, Group
from portal.chat.models import CHANNEL_NAMES
from portal.chat.services import STATUS_FILTERS, ChatSettings
from portal.chat.workspace import absolute, workspace
from portal.kernel.extensions import limiter
from portal.kernel.forms import EmptyForm
from portal.kernel.notifications import KINDS
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can
from portal.kernel.transaction import press, submit

bp = Blueprint("chat", __name__)
admin_bp = Blueprint("chat_admin", __name__, url_prefix="/admin/chat")
slack_bp = Blueprint("chat_slack", __name__)

# A slash command's form is a few hundred bytes; anything far larger is not Slack.
MAX_COMMAND_BYTES = 16 * 1024
UNSIGNED = "The request does not carry a valid Slack signature from the last five minutes."


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    channels = workspace().channels
    form = settings_form(channels)()
    if request.method == "GET":
        saved = services.settings_of(current_user)
        for group, channel in saved.routes:
            if channel in channels:
                getattr(form, route_field(group, channel)).data = True
        form.slack_member_id.data = saved.slack_member_id
        form.teams_url.data = saved.teams_url
    submission = submit(
        form,
        lambda: services.save_settings(
            current_user,
            ChatSettings(
                chosen_routes(form, channels),
                form.slack_member_id.data or "",
                form.teams_url.data or "",
            ),
        ),
    )
    if submission.saved:
        flash("Your notification settings are saved.", "success")
        return redirect(url_for(".settings"))
    groups = [
        (group, LABELS[group], sorted(KINDS[kind] for kind in KINDS_BY_GROUP[group]))
        for group in Group
    ]
    return render_template(
        "chat/settings.html",
        form=form,
        groups=groups,
        channels=channels,
        channel_names=CHANNEL_NAMES,
        route_field=route_field,
        workspace=workspace(),
    ), submission.status


@admin_bp.before_request
@login_required
def _admins_only():
    # Others are told nothing exists here.
    if not can(current_user, "manage_chat"):
        abort(404)


@admin_bp.get("")
def index():
    page, per_page = requested_page()
    status = request.args.get("status", "all")
    if status not in STATUS_FILTERS:
        flash("Some filters were not understood.", "error")
        status = "all"
    configured = workspace()
    return render_template(
        "chat/admin.html",
        workspace=configured,
        page=services.deliveries(page, per_page, status),
        status=status,
        statuses=STATUS_FILTERS,
        counts=services.status_counts(),
        test_form=TestMessageForm().offer(configured.channels),
        retry_form=EmptyForm(),
        command_url=absolute(url_for("chat_slack.command_endpoint")),
        api_url=current_app.config["SLACK_API_URL"],
    )


@admin_bp.post("/test")
def test():
    form = TestMessageForm().offer(workspace().channels)
    submission = press(form, lambda: services.send_test(current_user, form.channel.data))
    if submission.saved:
        flash(f"The test message went to {submission.result}.", "success")
    return redirect(url_for(".index"))


@admin_bp.post("/deliveries/<id:delivery_id>/retry")
def retry(delivery_id: int):
    press(
        EmptyForm(),
        lambda: services.retry_delivery(delivery_id),
        done="The message is queued to be sent again.",
    )
    return redirect(url_for(".index", status="failed"))


@slack_bp.url_value_preprocessor
def _keep_the_raw_body(_endpoint, _values) -> None:
    # Slack signs the body as sent. The portal's request checks read the form, which
    # consumes the body unless it was read first; URL value preprocessors run before them.
    if (request.content_length or 0) <= MAX_COMMAND_BYTES:
        request.get_data(cache=True)


def _command_limit() -> str:
    return current_app.config["SLACK_COMMAND_RATE_LIMIT"]


@slack_bp.post("/integrations/slack/command")
@limiter.limit(_command_limit)
def command_endpoint():
    """Slack's slash command: 404 until a signing secret is set, 401 for a request Slack
    did not sign in the last five minutes, else the ephemeral answer."""
    secret = current_app.config.get("SLACK_SIGNING_SECRET")
    if not secret:
        abort(404)
    if (request.content_length or 0) > MAX_COMMAND_BYTES:
        abort(413)
    body = request.get_data(cache=True)
    signed = slack.signature_ok(
        secret,
        request.headers.get("X-Slack-Request-Timestamp", ""),
        request.headers.get("X-Slack-Signature", ""),
        body,
    )
    if not signed:
        return Response(UNSIGNED, status=401, mimetype="text/plain")
    fields = parse_qs(body.decode("utf-8", "replace"))
    if fields.get("ssl_check") == ["1"]:
        return Response(status=200)
    member_id = (fields.get("user_id") or [""])[0]
    text = (fields.get("text") or [""])[0]
    return jsonify(command.answer(member_id, text))
