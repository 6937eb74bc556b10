"""Admin pages: list, create and edit users (roles, departments, deactivation)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from portal.accounts import reset, sso
from portal.accounts import services as accounts
from portal.accounts.forms import UserForm
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import EmptyForm
from portal.kernel.models import User
from portal.kernel.pagination import paginate, requested_page
from portal.kernel.permissions import can
from portal.kernel.templating import flash_form_errors, form_accepted
from portal.kernel.transaction import attempt, submit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    # Non-admins are told nothing exists here.
    if not can(current_user, "manage_users"):
        abort(404)


@bp.get("/users")
def users():
    page, per_page = requested_page()
    query = select(User)
    needle = (request.args.get("q") or "").strip()[:100]
    if needle:
        escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    listed = paginate(query, page, per_page, order=(User.active.desc(), User.name))
    return render_template("admin/users.html", page=listed, q=needle)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.password.description = "The first password; at least 10 characters."
    # With single sign-on only, people have no password: the account waits for its first
    # sign-in through the provider, which links it by its verified email.
    passwords = sso.passwords_enabled()
    if form.validate_on_submit():
        if passwords and not form.password.data:
            form.password.errors = ["Set a first password of at least 10 characters."]
        else:
            with attempt(form, refusals=(ValidationFailed,)) as outcome:
                user = accounts.create_user(
                    form.email.data,
                    form.name.data,
                    form.role.data,
                    form.password.data if passwords else None,
                    form.department.data,
                )
                user.active = form.active.data
            if not outcome.refused:
                flash(f"{user.name} can now sign in as {user.email}.", "success")
                return redirect(url_for("admin.users"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    submission = submit(
        form,
        lambda: accounts.update_user(
            current_user,
            user,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            department=form.department.data,
            active=form.active.data,
            password=(form.password.data or "") if sso.passwords_enabled() else "",
        ),
    )
    if submission.saved:
        state = "" if user.active else " The account is deactivated and signed out."
        flash(f"Saved {user.name}.{state}", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, reset_form=EmptyForm())


@bp.post("/users/<id:user_id>/reset-link")
def send_reset_link(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not sso.passwords_enabled():
        flash("Passwords are not used here: people sign in with single sign-on.", "error")
    elif form_accepted(EmptyForm()):
        try:
            reset.send_reset_for(user)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"Reset link sent to {user.email}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
