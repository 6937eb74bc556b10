"""HTML routes of the content library: board, list, asset pages, authoring, downloads."""

from collections.abc import Sequence
from typing import BinaryIO, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.files import pending
from content.files.previews import page_response, thumbnail_response
from content.files.uploads import send_stored
from content.library import browsing as library
from content.library import panels
from content.library import services as asset_service
from content.library.diff import word_diff
from content.library.forms import AssetForm
from content.library.models import (
    Asset,
    AssetRevision,
    Audience,
    ContentType,
    Industry,
    Persona,
    Stage,
    Tag,
)
from content.taxonomy.services import terms_by_ids
from content.usage import events as usage
from portal.kernel.errors import Conflict, ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.ids import text_id
from portal.kernel.pagination import requested_page
from portal.kernel.permissions import can, require
from portal.kernel.templating import flash_form_errors, requested_filters, show_field_errors
from portal.kernel.transaction import attempt, submit

bp = Blueprint("content", __name__)


@bp.get("/")
@login_required
def home():
    return redirect(url_for("content.board"))


# What the asset page shows of the asset itself, read in the statement that finds it; not
# the plain text kept for search.
_PAGE_LOADS = (
    joinedload(Asset.content_type),
    joinedload(Asset.live_revision).defer(AssetRevision.body_text),
    joinedload(Asset.live_revision).joinedload(AssetRevision.file),
    joinedload(Asset.latest_revision).defer(AssetRevision.body_text),
    joinedload(Asset.latest_revision).joinedload(AssetRevision.file),
)


@bp.get("/library")
@login_required
def board():
    filters = requested_filters(library.parse_filters, library.LibraryFilters())
    terms = library.taxonomy_choices()
    stages = cast(Sequence[Stage], terms["stages"])  # TAXONOMIES["stages"] is Stage
    columns = library.board(current_user, filters, stages)
    return render_template("content/board.html", columns=columns, filters=filters, terms=terms)


@bp.get("/assets")
@login_required
def index():
    filters = requested_filters(library.parse_filters, library.LibraryFilters())
    page, per_page = requested_page()
    result = library.asset_list(current_user, filters, page, per_page, library.CARD_ONLY)
    return render_template(
        "content/index.html", page=result, filters=filters, terms=library.taxonomy_choices()
    )


def _input_from_form(form: AssetForm) -> asset_service.AssetInput:
    content_type = terms_by_ids(ContentType, [form.content_type.data])
    return asset_service.AssetInput(
        title=form.title.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        content_type=content_type[0] if content_type else None,
        stages=terms_by_ids(Stage, form.stages.data),
        personas=terms_by_ids(Persona, form.personas.data),
        industries=terms_by_ids(Industry, form.industries.data),
        tags=terms_by_ids(Tag, form.tags.data),
        review_by=form.review_by.data,
        expires_on=form.expires_on.data,
        note=form.note.data or "",
        audience=form.audience.data or None,
    )


class _FormFile:
    """The asset form's file: the one chosen now, else the one kept from a refused try.

    A refused save keeps the chosen file for the next try (content.files.pending), so
    fixing another field does not mean choosing the file again; the form carries its token.
    """

    def __init__(self, form: AssetForm) -> None:
        self.form = form
        self.kept: pending.PendingUpload | None = None
        self._stream: BinaryIO | None = None

    def _chosen(self):
        file = self.form.file.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return file

    def upload(self) -> asset_service.Upload | None:
        """What the service saves; ValidationFailed when the kept file's token is refused."""
        chosen = self._chosen()
        if chosen is not None:
            return asset_service.Upload(chosen.stream, chosen.filename)
        if not self.form.pending_file.data:
            return None
        self.kept = pending.pending_upload(self.form.pending_file.data, current_user)
        self._stream = self.kept.open()
        return asset_service.Upload(self._stream, self.kept.original_name)

    def saved(self) -> None:
        """The save went through: the kept file, now stored with the asset, goes."""
        self._close()
        if self.kept is not None:
            pending.discard(self.kept)

    def refused(self) -> pending.PendingUpload | None:
        """The save was refused: keep the chosen file (or the one kept before) for the next
        try and return it for the form to name; a file that is itself refused, or a token
        that is, is said beside the file field and keeps nothing."""
        self._close()
        chosen = self._chosen()
        try:
            if chosen is not None:
                self.kept = pending.hold_upload(chosen.stream, chosen.filename, current_user)
            elif self.form.pending_file.data and self.kept is None:
                self.kept = pending.pending_upload(self.form.pending_file.data, current_user)
        except ValidationFailed as error:
            self.kept = None
            if error.fields.get("file") not in self.form.file.errors:
                show_field_errors(self.form, error)
        self.form.pending_file.data = self.kept.token if self.kept else ""
        return self.kept

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


@bp.route("/assets/new", methods=["GET", "POST"])
@login_required
def create():
    require("create_asset")
    # ?title= fills the title in, e.g. from a query on the Search gaps report.
    form = AssetForm(title=request.args.get("title", "")[: asset_service.TITLE_MAX] or None)
    file = _FormFile(form)
    submission = submit(
        form,
        lambda: asset_service.create_asset(current_user, _input_from_form(form), file.upload()),
    )
    if submission.saved:
        file.saved()
        flash(
            "Draft saved. Invite reviewers and submit it for review when it is ready.",
            "success",
        )
        return redirect(url_for("content.show", asset_id=submission.result.id))
    return render_template(
        "content/form.html",
        form=form,
        asset=None,
        internal_types=_internal_type_ids(),
        kept=file.refused() if request.method == "POST" else None,
    )


def _asset_page(asset, revision) -> str:
    """The asset page showing ``revision``, with every panel's data gathered first."""
    return render_template(
        "content/show.html",
        asset=asset,
        revision=revision,
        revisions=asset.revisions if can(current_user, "view_latest", asset) else [],
        panels=panels.gather(asset, revision),
    )


@bp.get("/assets/<id:asset_id>")
@login_required
def show(asset_id: int):
    asset = asset_service.get_visible_asset(current_user, asset_id, _PAGE_LOADS)
    revision = asset_service.shown_revision(asset, current_user)
    page = _asset_page(asset, revision)
    # After rendering: counting the view must never break or hold up the page.
    usage.record_quietly("a view", lambda: usage.record_view(asset, current_user))
    return page


@bp.route("/assets/<id:asset_id>/edit", methods=["GET", "POST"])
@login_required
def edit(asset_id: int):
    asset = asset_service.get_visible_asset(current_user, asset_id)
    require("edit", asset)
    latest = asset.latest_revision
    assert latest is not None, "an asset is created with its first revision"
    form = AssetForm(obj=latest if request.method == "GET" else None)
    file = _FormFile(form)
    if request.method == "GET":
        form.note.data = ""
        form.base_revision.data = str(latest.id)
        form.content_type.data = asset.content_type_id or 0
        for name in ("stages", "personas", "industries", "tags"):
            getattr(form, name).data = [term.id for term in getattr(asset, name)]
        form.review_by.data = asset.review_by
        form.expires_on.data = asset.expires_on
        form.audience.data = asset.audience
    elif form.validate_on_submit():
        base = form.base_revision.data
        with attempt(form) as outcome:
            asset_service.revise_asset(
                asset,
                current_user,
                text_id(base) or None,
                _input_from_form(form),
                file.upload(),
                remove_file=form.remove_file.data,
            )
        if isinstance(outcome.refusal, Conflict):
            return render_template(
                "content/form.html",
                form=form,
                asset=asset,
                conflict=_since(asset, base),
                kept=file.refused(),
            ), 409
        if not outcome.refused:
            file.saved()
            saved = asset.latest_revision
            assert saved is not None, "an asset is created with its first revision"
            flash(f"Saved as revision {saved.number}.", "success")
            return redirect(url_for("content.show", asset_id=asset.id))
    else:
        flash_form_errors(form)
    return render_template(
        "content/form.html",
        form=form,
        asset=asset,
        conflict=None,
        internal_types=_internal_type_ids(),
        kept=file.refused() if request.method == "POST" else None,
    )


def _internal_type_ids() -> list[int]:
    """The content types whose new assets are internal, for the form's script, which
    chooses the audience as the author picks a type."""
    return list(
        db.session.scalars(
            select(ContentType.id).where(ContentType.default_audience == Audience.INTERNAL)
        )
    )


def _since(asset, base_id):
    """What changed between the revision the editor started from and the latest one."""
    db.session.refresh(asset)
    base = next((r for r in asset.revisions if str(r.id) == str(base_id)), None)
    latest = asset.latest_revision
    if base is None or latest is None:
        return None
    return {"base": base, "latest": latest, "body": word_diff(base.body, latest.body)}


@bp.get("/assets/<id:asset_id>/revisions/<id:number>")
@login_required
def revision(asset_id: int, number: int):
    asset = asset_service.get_visible_asset(current_user, asset_id)
    shown = asset_service.get_revision(asset, current_user, number)
    return _asset_page(asset, shown)


@bp.get("/assets/<id:asset_id>/diff")
@login_required
def diff(asset_id: int):
    asset = asset_service.get_visible_asset(current_user, asset_id)
    require("view_latest", asset, status=404)
    numbers = [r.number for r in asset.revisions]
    try:
        old_n = int(request.args.get("from", min(numbers)))
        new_n = int(request.args.get("to", max(numbers)))
    except ValueError:
        flash("Choose two revisions by number.", "error")
        return redirect(url_for("content.show", asset_id=asset.id))
    if old_n not in numbers or new_n not in numbers:
        abort(404)  # checked before the query: an out-of-range int is a 500 in the driver
    old = asset_service.get_revision(asset, current_user, old_n)
    new = asset_service.get_revision(asset, current_user, new_n)
    return render_template(
        "content/diff.html",
        asset=asset,
        old=old,
        new=new,
        revisions=asset.revisions,
        audience_changed=old.audience != new.audience,
        title_diff=word_diff(old.title, new.title),
        summary_diff=word_diff(old.summary, new.summary),
        body_diff=word_diff(old.body, new.body),
    )


@bp.get("/assets/<id:asset_id>/file")
@login_required
def download(asset_id: int):
    """Serve the file of the shown revision (or ``?revision=N`` for authors)."""
    asset = asset_service.get_visible_asset(current_user, asset_id)
    require("download", asset, status=404)
    number = request.args.get("revision", "")
    revision: AssetRevision | None
    if number:
        if not text_id(number):
            abort(404)
        revision = asset_service.get_revision(asset, current_user, text_id(number))
    else:
        revision = asset_service.shown_revision(asset, current_user)
    if revision is None or revision.file is None:
        abort(404)
    inline = request.args.get("inline") == "1" and revision.file.previewable
    response = send_stored(revision.file, inline)
    if not inline:
        usage.record_quietly(
            "a download", lambda: usage.record_download(asset, current_user, revision)
        )
    return response


def _revision_file(asset_id: int, number: int):
    """The file of revision ``number``, as the asset page would show it; 404 otherwise."""
    asset = asset_service.get_visible_asset(current_user, asset_id)
    revision = asset_service.get_revision(asset, current_user, number)
    if revision.file is None:
        abort(404)
    return revision.file


@bp.get("/assets/<id:asset_id>/revisions/<id:revision>/pages/<id:number>")
@login_required
def page_image(asset_id: int, revision: int, number: int):
    """Page ``number`` of the revision's file, as an image (the page viewer shows them)."""
    return page_response(_revision_file(asset_id, revision), number)


@bp.get("/assets/<id:asset_id>/revisions/<id:revision>/thumbnail")
@login_required
def thumbnail(asset_id: int, revision: int):
    """The first-page thumbnail of the revision's file (cards and search hits show it)."""
    return thumbnail_response(_revision_file(asset_id, revision))
