"""HTML routes (being written)."""

from flask import Blueprint

bp = Blueprint("collections", __name__)
