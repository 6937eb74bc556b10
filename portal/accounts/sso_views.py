"""Signing in through the OpenID Connect provider, and with a break-glass link."""

import logging

import requests
from authlib.integrations.base_client import OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from portal.accounts import break_glass, sso
from portal.accounts.signed_links import LinkInvalid
from portal.kernel.extensions import db, limiter
from portal.kernel.forms import EmptyForm
from portal.kernel.templating import form_accepted
from portal.kernel.urls import safe_next

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__)

_NEXT = "sso_next"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _refused(message: str, status: int = 403):
    response = make_response(render_template("auth/sso_refused.html", reason=message), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/signin/oidc")
def start():
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    if not sso.enabled():
        abort(404)
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("content.board"))
    session[_NEXT] = target
    try:
        client = sso.client()
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except (requests.RequestException, ValueError) as error:
        log.error("The single sign-on provider's discovery document is unreachable: %s", error)
        return _provider_down()


def _provider_down():
    name = current_app.config["OIDC_PROVIDER_NAME"]
    return _refused(f"{name} did not answer. Try again in a minute.", 502)


@bp.get("/signin/oidc/callback")
@limiter.limit(_login_limit)
def callback():
    """Where the provider sends the browser back: check everything, then sign in."""
    if not sso.enabled():
        abort(404)
    name = current_app.config["OIDC_PROVIDER_NAME"]
    if request.args.get("error"):
        # The person cancelled or the provider refused: nothing changes here.
        if request.args.get("error") == "access_denied":
            return _refused(f"{name} did not sign you in: the sign-in was cancelled or denied.")
        return _refused(f"{name} did not sign you in ({request.args['error'][:100]}).")
    client = sso.client()
    config = current_app.config
    # Authlib checks the issuer by default but the audience only through azp: ask for both.
    checks = {
        "iss": {"essential": True, "value": config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
    }
    try:
        token = client.authorize_access_token(claims_options=checks)
    except requests.RequestException as error:
        log.error("The single sign-on provider's token endpoint failed: %s", error)
        return _provider_down()
    except OAuthError as error:
        if error.error == "mismatching_state":
            return _refused(
                "This sign-in was already used or has expired. Start again from the sign-in page.",
                400,
            )
        log.warning("Single sign-on refused by the provider: %s", error)
        return _refused(f"{name} did not complete the sign-in. Start again.", 400)
    except JoseError as error:
        log.warning("Single sign-on ID token refused: %r", error)
        return _refused(f"{name}'s answer could not be verified, so you are not signed in.", 400)
    claims = token.get("userinfo")
    if not claims:
        # Without an ID token there is no proof of who this is (nor a nonce to check).
        return _refused(f"{name} sent no ID token, so you are not signed in.", 400)
    claims = dict(claims)
    issuer = str(client.load_server_metadata().get("issuer") or "")
    if issuer != current_app.config["OIDC_ISSUER"]:
        # Authlib checked the token against the discovery document's issuer; that document
        # must be the configured provider's own.
        log.error("The discovery document names the issuer %r, not TANDEM_OIDC_ISSUER", issuer)
        return _refused(f"{name} is not set up correctly; tell an admin.", 502)
    if current_app.config["OIDC_GROUPS_CLAIM"] not in claims:
        claims = _with_userinfo(client, token, claims)
    try:
        user = sso.sign_in(issuer, claims)
    except sso.SignInRefused as error:
        # A deactivation for leaving every mapped group is kept.
        db.session.commit()
        return _refused(str(error))
    db.session.commit()
    login_user(user)
    flash(f"Welcome, {user.name}.", "success")
    return redirect(safe_next(session.pop(_NEXT, None)) or url_for("content.board"))


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    # Some providers list groups only at the userinfo endpoint; its answer counts only for
    # the subject the verified ID token names.
    try:
        extra = client.userinfo(token=token)
    except (requests.RequestException, OAuthError) as error:
        log.warning("The single sign-on userinfo endpoint failed: %s", error)
        return claims
    if extra.get("sub") != claims.get("sub"):
        return claims
    return {**dict(extra), **claims}


@bp.route("/signin/break-glass/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def break_glass_sign_in(token: str):
    """A break-glass link: a page with one button, so a mail or chat scanner that opens the
    link does not spend it."""
    try:
        admin = break_glass.admin_for_token(token)
    except LinkInvalid as error:
        return _refused(str(error), 400)
    form = EmptyForm()
    if request.method == "POST" and form_accepted(form):
        try:
            admin = break_glass.use(token)
        except LinkInvalid as error:
            return _refused(str(error), 400)
        db.session.commit()
        login_user(admin)
        flash(f"Signed in as {admin.email} with a break-glass link.", "info")
        return redirect(url_for("admin.users"))
    response = make_response(render_template("auth/break_glass.html", form=form, admin=admin))
    response.headers["Cache-Control"] = "no-store"
    return response
