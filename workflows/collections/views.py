"""HTML routes for collections: the list, building one (title, items with notes, order),
assigning it to reps as an onboarding path, a rep's done marks, and progress per rep."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from content.deals.services import asset_title
from content.library.models import Asset
from portal.kernel.errors import Conflict, NotFound, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.forms import NONE_CHOSEN, EmptyForm, chosen_id
from portal.kernel.models import User
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import flash_outcome, form_accepted, template_global
from portal.kernel.transaction import Submission, press, submit
from workflows.collections import paths
from workflows.collections import services as collections
from workflows.collections.forms import (
    AddToCollectionForm,
    AssignForm,
    CollectionForm,
    ItemForm,
    NoteForm,
)
from workflows.collections.models import CollectionItem

bp = Blueprint("collections", __name__)


@template_global
def my_onboarding_paths() -> list:
    """The signed-in rep's paths with progress, for "My work"; empty for everyone else."""
    if not current_user.is_authenticated or not current_user.is_rep:
        return []
    return paths.my_paths(current_user)


@template_global
def collection_item_title(item) -> str:
    return asset_title(item.asset)


def add_to_collection_form(asset):
    """The "Add to collection" form for an asset's page, or None when there is nowhere the
    signed-in user could add it."""
    choices = collections.collections_to_add_to(current_user, asset)
    return AddToCollectionForm(choices, formdata=None, asset=asset.id) if choices else None


def _show(collection):
    return redirect(url_for(".show", collection_id=collection.id))


def _editable(collection_id: int):
    collection = collections.get_collection(current_user, collection_id)
    require("edit", collection)
    return collection


@bp.get("/collections")
@login_required
def index():
    page, per_page = requested_page()
    listed = collections.collection_list(page, per_page)
    ids = [collection.id for collection in listed.items]
    return render_template(
        "collections/index.html",
        page=listed,
        item_counts=collections.item_counts(ids, current_user),
        rep_counts=collections.rep_counts(ids),
    )


@bp.route("/collections/new", methods=["GET", "POST"])
@login_required
def create():
    require("create_collection")
    form = CollectionForm()
    submission = submit(
        form,
        lambda: collections.create_collection(current_user, form.title.data, form.description.data),
    )
    if submission.saved:
        flash("Collection created. Add assets to it below.", "success")
        return _show(submission.result)
    return render_template("collections/form.html", form=form, collection=None), submission.status


@bp.route("/collections/<id:collection_id>/edit", methods=["GET", "POST"])
@login_required
def edit(collection_id: int):
    collection = _editable(collection_id)
    form = CollectionForm(obj=collection)
    submission = submit(
        form,
        lambda: collections.update_collection(
            collection, current_user, form.title.data, form.description.data
        ),
    )
    if submission.saved:
        flash("Collection saved.", "success")
        return _show(collection)
    return render_template(
        "collections/form.html", form=form, collection=collection
    ), submission.status


@bp.post("/collections/<id:collection_id>/delete")
@login_required
def delete(collection_id: int):
    collection = _editable(collection_id)
    form = EmptyForm()
    if not form_accepted(form):
        return _show(collection)
    title = collection.title
    collections.delete_collection(collection, current_user)
    flash(f"Collection “{title}” deleted, with the paths assigned from it.", "success")
    return redirect(url_for(".index"))


@bp.get("/collections/<id:collection_id>")
@login_required
def show(collection_id: int):
    collection = collections.get_collection(current_user, collection_id)
    assignment = paths.assignment_of(collection, current_user)
    progress = paths.progress_table(collection, current_user) if assignment else []
    done_ids = paths.done_item_ids(assignment)
    editable = can(current_user, "edit", collection)
    return render_template(
        "collections/show.html",
        collection=collection,
        entries=collections.entries(collection, current_user, done_ids),
        assignment=assignment,
        progress=progress[0] if progress else None,
        assigned_reps=collections.rep_counts([collection.id]).get(collection.id, 0),
        item_form=ItemForm(collection) if editable else None,
        editable=editable,
    )


@bp.post("/collections/<id:collection_id>/items")
@login_required
def add_item(collection_id: int):
    collection = _editable(collection_id)
    form = ItemForm(collection)
    submission = press(
        form,
        lambda: collections.add_item(
            collection, current_user, _chosen_asset(form.asset.data), form.note.data
        ),
    )
    if submission.saved:
        item = submission.result
        flash(f"“{asset_title(item.asset)}” added as item {item.position}.", "success")
    return _show(collection)


def _chosen_asset(asset_id: int) -> Asset | None:
    """The asset picked in a form, or None when none (or no id) was chosen."""
    return db.session.get(Asset, asset_id) if asset_id != NONE_CHOSEN else None


@bp.post("/collections/add")
@login_required
def add_from_asset():
    """ "Add to collection" on an asset's page; back to that page with the outcome."""
    form = AddToCollectionForm()
    asset = _chosen_asset(chosen_id(form.asset.data))
    if asset is None or not can(current_user, "view", asset):
        abort(404)
    submission = press(
        form,
        lambda: collections.add_item(
            _editable(form.collection.data), current_user, asset, form.note.data
        ),
    )
    if submission.saved:
        item = submission.result
        flash(f"Added to “{item.collection.title}” as item {item.position}.", "success")
    return redirect(url_for("content.show", asset_id=asset.id))


def _press_on_item(
    collection,
    item_id: int,
    form: FlaskForm,
    change: Callable[[CollectionItem], Any],
    refusals: tuple,
    done: Callable[[str], str] | None = None,
) -> Submission:
    """A button on one item of ``collection``: ``change(item)`` is the service call. Its
    result is the item, its title (read first: a removed item has none after) and what
    ``change`` returned; ``done(title)``, when given, is flashed as the success. An item
    someone removed meanwhile (the page was stale, or both acted at once) is refused like
    bad input, on the collection's page."""

    def act():
        item = collections.get_item(collection, item_id)
        title = asset_title(item.asset)
        return item, title, change(item)

    submission = press(form, act, refusals)
    if submission.saved and done is not None:
        flash(done(submission.result[1]), "success")
    return submission


@bp.post("/collections/<id:collection_id>/items/<id:item_id>/note")
@login_required
def edit_note(collection_id: int, item_id: int):
    collection = _editable(collection_id)
    form = NoteForm()
    _press_on_item(
        collection,
        item_id,
        form,
        lambda item: collections.edit_note(item, current_user, form.note.data),
        (ValidationFailed, NotFound),
        done=lambda title: f"Note on “{title}” saved.",
    )
    return _show(collection)


@bp.post("/collections/<id:collection_id>/items/<id:item_id>/move")
@login_required
def move(collection_id: int, item_id: int):
    collection = _editable(collection_id)
    direction = request.form.get("direction", "")
    submission = _press_on_item(
        collection,
        item_id,
        EmptyForm(),
        lambda item: collections.move_item(item, current_user, direction),
        (ValidationFailed, NotFound),
    )
    if submission.saved:
        item, title, moved = submission.result
        flash_outcome(
            moved,
            f"“{title}” moved {direction} to item {item.position}.",
            f"“{title}” is already {'first' if direction == 'up' else 'last'}.",
        )
    return _show(collection)


@bp.post("/collections/<id:collection_id>/items/<id:item_id>/remove")
@login_required
def remove(collection_id: int, item_id: int):
    collection = _editable(collection_id)
    _press_on_item(
        collection,
        item_id,
        EmptyForm(),
        lambda item: collections.remove_item(item, current_user),
        (NotFound,),
        done=lambda title: f"“{title}” removed from the collection.",
    )
    return _show(collection)


@bp.post("/collections/<id:collection_id>/items/<id:item_id>/done")
@login_required
def mark(collection_id: int, item_id: int):
    collection = collections.get_collection(current_user, collection_id)
    done = request.form.get("done") == "1"
    submission = _press_on_item(
        collection,
        item_id,
        EmptyForm(),
        lambda item: paths.mark(item, current_user, done),
        (Conflict, NotFound),
    )
    if not submission.saved:
        return _show(collection)
    _item, title, _assignment = submission.result
    state = "done" if done else "not done"
    flash(f"“{title}” marked {state}.", "success")
    return redirect(url_for(".show", collection_id=collection.id, _anchor=f"item-{item_id}"))


@bp.route("/collections/<id:collection_id>/assign", methods=["GET", "POST"])
@login_required
def assign(collection_id: int):
    collection = collections.get_collection(current_user, collection_id)
    require("assign", collection)
    form = AssignForm()
    submission = submit(
        form,
        lambda: paths.assign(collection, current_user, _reps(form.reps.data), form.due_on.data),
    )
    if submission.saved:
        assigned, already = submission.result
        if assigned:
            names = ", ".join(rep.name for rep in assigned)
            flash(f"Path assigned to {names}; they have been told.", "success")
        if already:
            names = ", ".join(rep.name for rep in already)
            flash(f"Already assigned to {names}: nothing changed for them.", "info")
        return redirect(url_for(".progress", collection_id=collection.id))
    return render_template(
        "collections/assign.html",
        form=form,
        collection=collection,
        rows=paths.progress_table(collection, current_user),
    ), submission.status


def _reps(rep_ids: list[int]) -> list[User]:
    """The users picked in the assign form that still exist."""
    return [rep for rep in (db.session.get(User, rep_id) for rep_id in rep_ids) if rep]


@bp.get("/collections/<id:collection_id>/progress")
@login_required
def progress(collection_id: int):
    collection = collections.get_collection(current_user, collection_id)
    return render_template(
        "collections/progress.html",
        collection=collection,
        rows=paths.progress_table(collection, current_user),
        everyone=can(current_user, "view_progress", collection),
    )
