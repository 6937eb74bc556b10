"""Words that mean the same thing, for search.

A feature that knows synonyms (the glossary: an agreed term and its aliases) registers a
provider when the app is assembled; search asks for the groups when it reads a query. The
hook lives in the kernel because search may not import workflows, nor workflows search.
"""

from collections.abc import Callable

from flask import Flask, current_app, has_app_context

SynonymProvider = Callable[[], list[list[str]]]
_KEY = "tandem.synonym_providers"


def register_synonyms(app: Flask, provider: SynonymProvider) -> None:
    """Have ``provider`` (no arguments → groups of spellings that mean the same) consulted
    by every search of ``app``."""
    app.extensions.setdefault(_KEY, []).append(provider)


def synonym_groups() -> list[list[str]]:
    """Every registered provider's groups (none outside an app)."""
    if not has_app_context():
        return []
    return [group for provider in current_app.extensions.get(_KEY, []) for group in provider()]
