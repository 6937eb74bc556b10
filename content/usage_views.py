"""HTML routes for using an asset: rate it, record that it was used in a deal, share it
with a buyer, and follow and revoke one's share links."""

from flask import Blueprint

bp = Blueprint("usage", __name__)
