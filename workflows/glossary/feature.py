"""Wiring: The shared glossary's pages."""

from flask import Flask

from content.library.panels import register_panel
from portal.kernel import shared_figures
from portal.kernel.suggestions import register_source
from portal.kernel.synonyms import register_synonyms
from portal.kernel.wiring import install
from workflows.glossary import matching, services, suggestions, views
from workflows.glossary.models import GlossaryTerm


def register(app: Flask) -> None:
    """Add this feature to ``app``."""
    install(app, services, views)
    app.register_blueprint(views.bp)
    register_panel("glossary_terms", views.glossary_terms_on_asset)
    register_source(app, suggestions.agreed_terms)
    register_synonyms(app, matching.synonym_groups)
    shared_figures.watch(matching.GLOSSARY_FIGURES, GlossaryTerm)
