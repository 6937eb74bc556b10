"""The one thing an action item may be about: an asset, a content request, a glossary
term or a feedback item, named by the address of its page (``/assets/12``), as people
paste it, or by kind and id through the API."""

import re
from dataclasses import dataclass

from content.library.models import Asset
from content.library.services import shown_revision
from portal.alignment.models import ActionItem
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.models import User
from portal.kernel.permissions import can
from workflows.feedback.models import FieldFeedback
from workflows.feedback.services import headline
from workflows.glossary.models import GlossaryTerm
from workflows.requests.models import ContentRequest

LINK_MAX = 300
# kind -> (the model, the column of the item, the page's path prefix, the noun)
KINDS: dict[str, tuple[type, str, str, str]] = {
    "asset": (Asset, "asset_id", "/assets/", "asset"),
    "request": (ContentRequest, "request_id", "/requests/", "content request"),
    "term": (GlossaryTerm, "term_id", "/glossary/", "glossary term"),
    "feedback": (FieldFeedback, "feedback_id", "/feedback/", "feedback item"),
}
_PATH = re.compile(
    r"^(?:https?://[^/]+)?(/(?:assets|requests|glossary|feedback)/)(\d{1,9})/?(?:[?#].*)?$"
)
LINK_INVALID = (
    "Paste the address of an asset, a content request, a glossary term or a feedback "
    "item, e.g. /assets/12."
)


@dataclass(frozen=True)
class Link:
    kind: str
    target: object

    @property
    def column(self) -> str:
        return KINDS[self.kind][1]


def parse_address(text: str | None) -> tuple[str, int] | None:
    """The kind and id an address names; None when empty. Anything else is refused."""
    raw = (text or "").strip()
    if not raw:
        return None
    match = _PATH.match(raw[:LINK_MAX])
    if match is None:
        raise ValidationFailed(LINK_INVALID, {"link": LINK_INVALID})
    kind = next(name for name, spec in KINDS.items() if spec[2] == match[1])
    return kind, int(match[2])


def _visible(user: User, kind: str, target) -> bool:
    if kind == "term":
        return can(user, "view_glossary")
    return can(user, "view", target)


def resolve(actor: User, owner: User | None, kind: str, target_id: int) -> Link:
    """The thing ``kind`` ``target_id`` if the actor may see it (a NotFound-like refusal
    otherwise, naming no more than that) and the item's owner may too."""
    if kind not in KINDS:
        raise ValidationFailed(LINK_INVALID, {"link": LINK_INVALID})
    model, _column, _prefix, noun = KINDS[kind]
    target = db.session.get(model, target_id)
    if target is None or not _visible(actor, kind, target):
        message = f"There is no {noun} {target_id} that you can see."
        raise ValidationFailed(message, {"link": message})
    if owner is not None and not _visible(owner, kind, target):
        message = f"{owner.name} cannot open this {noun}: link something they can see."
        raise ValidationFailed(message, {"link": message})
    return Link(kind, target)


def linked(item: ActionItem) -> tuple[str, object] | None:
    """The kind and row an item links to, if any."""
    for kind, (_model, column, _prefix, _noun) in KINDS.items():
        if getattr(item, column) is not None:
            relation = {"request_id": "content_request"}.get(column, column[:-3])
            return kind, getattr(item, relation)
    return None


def visible_link(item: ActionItem, user: User) -> tuple[str, int] | None:
    """The kind and id of what an item links to, when ``user`` may open it."""
    found = linked(item)
    if found is None or not _visible(user, *found):
        return None
    return found[0], found[1].id  # type: ignore[attr-defined]


def link_label(item: ActionItem, user: User) -> tuple[str, str | None] | None:
    """What ``user`` reads of an item's link: the noun and title with the page's address,
    or the noun alone (no address) when they may not see it."""
    found = linked(item)
    if found is None:
        return None
    kind, target = found
    _model, _column, prefix, noun = KINDS[kind]
    if not _visible(user, kind, target):
        return f"a {noun} you cannot open", None
    return f"{noun.capitalize()}: {_title(kind, target, user)}", f"{prefix}{target.id}"  # type: ignore[attr-defined]


def _title(kind: str, target, user: User) -> str:
    if kind == "asset":
        revision = shown_revision(target, user)
        return revision.title if revision is not None else f"asset {target.id}"
    if kind == "request":
        return target.headline
    if kind == "term":
        return target.name
    return headline(target)
