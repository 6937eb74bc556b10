"""The weekly digest (being written)."""

from flask import Blueprint

bp = Blueprint("digest", __name__)
