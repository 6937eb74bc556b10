"""Builders for the deal-room tests."""

import io
import json

from content.files.previews import page_name
from content.files.storage import file_store
from content.library.models import Asset
from content.rooms import services as rooms
from portal.kernel.extensions import db
from tests.factories import make_asset, pdf_bytes

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
BUYER = {"User-Agent": BROWSER}
BROWSER_TWO = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
# Enough of a WebP header for the file store to serve it.
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
    b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)


def previewed_asset(owner, title: str, pages: int = 3, name: str = "deck.pdf") -> Asset:
    """A published asset whose file has ``pages`` page images ready in the store."""
    asset = make_asset(owner, title, file=(name, pdf_bytes(title)))
    stored = asset.live_revision.file
    stored.preview_status = "ready"
    stored.preview_pages = pages
    for number in range(1, pages + 1):
        file_store().save(page_name(stored, number), io.BytesIO(WEBP))
    db.session.commit()
    return asset


def make_room(rep, deal, assets, **options):
    """A committed room of ``assets`` for ``deal``: (room, clear token)."""
    room, token = rooms.create_room(
        rep, deal, options.pop("title", "Acme: the plan"), options.pop("note", ""),
        [rooms.NewItem(asset) for asset in assets], **options,
    )  # fmt: skip
    db.session.commit()
    return room, token


def visit_key(page_html: str) -> str:
    """The visit key a buyer's page carries."""
    start = page_html.index('data-visit="') + len('data-visit="')
    return page_html[start : page_html.index('"', start)]


def beacon(client, token: str, visit: str, seq: int, views: list[tuple[int, int, int]], **kw):
    body = {"visit": visit, "seq": seq, "views": [
        {"item": item, "page": page, "ms": ms} for item, page, ms in views
    ]}  # fmt: skip
    return client.post(
        f"/r/{token}/beacon", data=json.dumps(body), content_type="application/json", **kw
    )
