"""Sign-in, sign-out and the profile page (password and API tokens)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME

from portal.accounts import reset, sso
from portal.accounts import services as accounts
from portal.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    TokenForm,
)
from portal.accounts.signed_links import LinkInvalid
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db, limiter, login_manager
from portal.kernel.forms import EmptyForm
from portal.kernel.ids import text_id
from portal.kernel.models import User
from portal.kernel.templating import flash_form_errors, flash_summary, form_accepted
from portal.kernel.transaction import press
from portal.kernel.urls import safe_next

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "id:version"; an old version (after sign-out) loads nobody."""
    user_id, _, version = session_id.partition(":")
    if not version.isdigit():
        return None
    user = db.session.get(User, text_id(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("content.board"))
    form = LoginForm()
    if request.method == "POST" and not sso.passwords_enabled():
        name = current_app.config["OIDC_PROVIDER_NAME"]
        flash(f"Passwords are not used here: sign in with {name}.", "error")
        return _login_page(form), 403
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            flash("That email and password do not match an active account.", "error")
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("content.board"))
    elif request.method == "POST":
        flash_form_errors(form)
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    return render_template(
        "auth/login.html",
        form=form,
        sso_enabled=sso.enabled(),
        passwords_enabled=sso.passwords_enabled(),
        next_url=safe_next(request.args.get("next")),
    )


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    if not sso.passwords_enabled():
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_requested.html")
    if request.method == "POST":
        flash_form_errors(form)
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if not sso.passwords_enabled():
        abort(404)
    # The address names the account and the page shows its email: keep both out of caches.
    response = make_response(_reset_page(token))
    response.headers["Cache-Control"] = "no-store"
    return response


def _reset_page(token: str):
    try:
        user = reset.user_for_token(token)
    except LinkInvalid as error:
        return render_template("auth/reset_invalid.html", reason=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset.reset_password(token, form.new_password.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            login_user(user)
            flash(
                "Your password is changed and you are signed in. Other devices have been "
                "signed out.",
                "success",
            )
            return redirect(url_for("content.board"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("auth/reset.html", form=form, user=user)


@bp.post("/logout")
@login_required
def logout():
    # Ends every copy of this session, not just the cookie in this browser.
    current_user.end_sessions()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/profile")
@login_required
def profile():
    return render_template(
        "auth/profile.html",
        password_form=ChangePasswordForm(),
        token_form=TokenForm(),
        revoke_form=EmptyForm(),
        new_token=None,
    )


@bp.post("/profile/password")
@login_required
def change_password():
    if not sso.passwords_enabled():
        flash("Passwords are not used here.", "error")
        return redirect(url_for("auth.profile"))
    form = ChangePasswordForm()
    submission = press(
        form,
        lambda: accounts.change_password(
            current_user, form.current_password.data, form.new_password.data
        ),
        refusals=(ValidationFailed,),
        show=flash_summary,
    )
    if submission.saved:
        # The version bump ended this session too (and its remember-me cookie); start fresh
        # ones for this browser.
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
        login_user(current_user._get_current_object(), remember=remembered)
        flash("Your password is changed. Other devices have been signed out.", "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form_accepted(form):
        return redirect(url_for("auth.profile"))
    clear = accounts.issue_token(current_user, form.name.data)
    flash("Token created. Copy it now: it will not be shown again.", "success")
    return render_template(
        "auth/profile.html",
        password_form=ChangePasswordForm(),
        token_form=TokenForm(formdata=None),
        revoke_form=EmptyForm(),
        new_token=clear,
    )


@bp.post("/profile/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    form = EmptyForm()
    if not form_accepted(form):
        return redirect(url_for("auth.profile"))
    token = accounts.revoke_token(current_user, token_id)
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.profile"))
