"""`flask --app portal previews ...`: make uploaded files' page previews now."""

from collections import Counter

import click
from flask import Flask

from content.files.previewing import preview_counts, render_waiting_previews, request_previews
from portal.kernel.extensions import db


def register_cli(app: Flask) -> None:
    """Add the ``previews`` commands to ``app``."""

    @app.cli.group("previews")
    def previews_group():
        """Page previews of uploaded files."""

    @previews_group.command("rebuild")
    @click.option(
        "--missing",
        is_flag=True,
        help="Only files without a preview (from before previews, failed or still waiting).",
    )
    def rebuild(missing: bool):
        """Render the page previews of every uploaded file again (or only the missing ones)."""
        waiting = request_previews(missing_only=missing)
        db.session.commit()
        with click.progressbar(length=waiting, label="Rendering previews") as bar:
            outcomes = Counter(render_waiting_previews(progress=bar.update))
        total = sum(outcomes.values())
        click.echo(
            f"Rendered {total} file{'' if total == 1 else 's'}: "
            f"{outcomes['ready']} ready, {outcomes['failed']} failed."
        )

    @previews_group.command("status")
    def status():
        """How many files are in each preview state."""
        for name, count in preview_counts().items():
            click.echo(f"{name}: {count}")
