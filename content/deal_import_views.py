"""HTML routes for importing a CRM opportunity export: upload, preview, import, history,
and the mapping of CRM stages to buyer stages."""

from flask import Blueprint

bp = Blueprint("deal_imports", __name__)
