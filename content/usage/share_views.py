"""The public pages a buyer opens from a share link: no sign-in, no portal navigation.

These responses never set a cookie. Pages are rendered straight from the Jinja
environment, without the app's context processors: Flask-Login's would load the
visitor's portal session and may rewrite its cookie. Whether the visitor is signed in to
the portal is read from the session key Flask-Login writes, which changes nothing.
"""

from flask import Blueprint, abort, current_app, request, session
from werkzeug.exceptions import HTTPException

from content.files.previews import page_response
from content.files.uploads import send_stored
from content.usage import events as usage
from content.usage import share_links
from portal.kernel.errors import DomainError
from portal.kernel.extensions import limiter

bp = Blueprint("share", __name__)

PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",  # the link's token must not travel to other sites
    "Cache-Control": "private, no-store",
}
_USER_ID_KEY = "_user_id"  # where Flask-Login keeps the signed-in user


def _rate_limit() -> str:
    return current_app.config["SHARE_LINK_RATE_LIMIT"]


# One budget per address for the page and its file, against guessing tokens in bulk.
_limited = limiter.shared_limit(_rate_limit, scope="share-links")


def with_public_headers(response):
    """Give a response to a buyer the public headers. A Cache-Control it carries already
    (a stored file's, a page image's) is kept."""
    for key, value in PUBLIC_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def public_page(template: str, status: int = 200, **context):
    """A standalone page with the public headers; see the module docstring for why it
    bypasses ``render_template``."""
    html = current_app.jinja_env.get_template(template).render(**context)
    return with_public_headers(
        current_app.response_class(html, status=status, mimetype="text/html")
    )


def signed_in() -> bool:
    """Whether the visitor is signed in to the portal, read without touching the session."""
    return _USER_ID_KEY in session


@bp.errorhandler(share_links.LinkExpired)
def _expired(error: share_links.LinkExpired):
    return public_page("share/expired.html", 410, shared_by=error.link.created_by)


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    return public_page("share/unavailable.html", error.status, code=error.status)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    return public_page("share/unavailable.html", status, code=status)


def counts_as_buyer_view(user_agent: str | None) -> bool:
    """Opens by people, not link checkers; not a HEAD; not a signed-in portal user
    checking the link they made."""
    return request.method == "GET" and not signed_in() and not share_links.is_robot(user_agent)


@bp.get("/s/<token>")
@_limited
def public(token: str):
    link = share_links.open_link(token)
    response = public_page(
        "share/public.html",
        link=link,
        revision=share_links.shown_revision(link),
        token=token,
        signed_in=signed_in(),
    )
    user_agent = request.headers.get("User-Agent")
    if counts_as_buyer_view(user_agent):
        view = share_links.buyer_view(
            link, share_links.visitor_hash(request.remote_addr, user_agent)
        )
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def record() -> None:
            with app.app_context():
                usage.record_quietly("a buyer view", view.record)

        # Once the page has gone out: counting the open must never break or hold it up.
        response.call_on_close(record)
    return response


@bp.get("/s/<token>/file")
@_limited
def file(token: str):
    """The shown revision's file; ``?inline=1`` previews PDFs and images. A view-only
    link's file is refused (403), inline or not: its buyer reads the page images."""
    link = share_links.open_link(token)
    if link.view_only:
        abort(403)
    revision = share_links.shown_revision(link)
    if revision is None or revision.file is None:
        abort(404)
    return with_public_headers(send_stored(revision.file, request.args.get("inline") == "1"))


@bp.get("/s/<token>/pages/<id:number>")
@_limited
def page_image(token: str, number: int):
    """Page ``number`` of the shown revision's file, as an image (the page viewer's)."""
    link = share_links.open_link(token)
    revision = share_links.shown_revision(link)
    if revision is None or revision.file is None:
        abort(404)
    # The image keeps its own Cache-Control: it may stay in the buyer's browser.
    return with_public_headers(page_response(revision.file, number))
