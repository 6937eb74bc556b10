"""HTML routes for deals: "My deals" (all deals for leaders), a deal's page with the
content attached to it and recommended for its stage, and the deal form."""

from flask import Blueprint

bp = Blueprint("deals", __name__)
