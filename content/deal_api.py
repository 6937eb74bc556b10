"""JSON API for deals: list, create, read, edit, and the idempotent upsert by CRM id."""

from flask import Blueprint

bp = Blueprint("deals_api", __name__, url_prefix="/api/v1")
