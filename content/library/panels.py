"""The asset page's panels: the boxes other features add beside an asset (ratings, usage,
sharing, review, discussion, feedback, glossary terms, collections).

Each feature registers a loader in its ``feature.register(app)``; the asset page's view
gathers every panel's data before rendering, so templates get data, never query functions,
and the page's queries all run in the view. A loader returns what its partial shows, or
None when the signed-in person sees nothing of it.
"""

from collections.abc import Callable
from typing import Any

from content.library.models import Asset, AssetRevision

PanelLoader = Callable[[Asset, AssetRevision], Any]

_PANELS: dict[str, PanelLoader] = {}


def register_panel(name: str, load: PanelLoader) -> None:
    """Add the panel ``name`` to the asset page; ``load(asset, shown_revision)`` gives its
    data for the signed-in person."""
    _PANELS[name] = load


def gather(asset: Asset, revision: AssetRevision) -> dict[str, Any]:
    """Every panel's data for the asset page, by panel name."""
    return {name: load(asset, revision) for name, load in _PANELS.items()}
