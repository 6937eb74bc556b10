"""The public pages a buyer opens from a share link: no sign-in, no portal navigation."""

from flask import Blueprint

bp = Blueprint("share", __name__)
