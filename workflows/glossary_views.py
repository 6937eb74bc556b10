"""HTML routes (being written)."""

from flask import Blueprint

bp = Blueprint("glossary", __name__)
