"""`flask --app portal deals ...`: import a CRM opportunity export."""

from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.group("deals")
    def deals_group():
        """Deals from the CRM."""
