"""JSON API for ratings, usage and share links of an asset."""

from flask import Blueprint

bp = Blueprint("usage_api", __name__, url_prefix="/api/v1")
