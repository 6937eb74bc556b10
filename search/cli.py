"""`flask --app portal search ...`: rebuild, check and run the indexer."""

import click
from flask import Flask

from content.files.reading import count_waiting_files, read_waiting_files
from portal.kernel.extensions import db
from search import documents, indexing


def register_cli(app: Flask) -> None:
    @app.cli.group("search")
    def search_group():
        """Maintain the search index."""

    @search_group.command("rebuild")
    def rebuild():
        """Re-index every asset from the database (the database is the source of truth)."""
        total = len(documents.all_asset_ids())
        try:
            with click.progressbar(length=total, label="Indexing assets") as bar:
                count = indexing.rebuild(progress=bar.update)
        except RuntimeError as busy:  # another process holds the writer: say so, no traceback
            raise click.ClickException(str(busy)) from None
        db.session.commit()
        click.echo(f"Indexed {count} assets.")

    @search_group.command("extract")
    def extract():
        """Read now the text of uploaded files still waiting for it (the indexer reads
        them in the background) and queue their assets for the index."""
        waiting = count_waiting_files()
        with click.progressbar(length=waiting, label="Extracting text") as bar:
            count = read_waiting_files(progress=bar.update)
        click.echo(f"Files read: {count}. The indexer picks up their assets.")

    @search_group.command("check")
    def check():
        """Report assets missing from or stale in the index, the outbox backlog and the
        ranking signals waiting (exits 1 when any lags)."""
        report = indexing.check()
        click.echo(f"Missing from the index: {len(report.missing)} {report.missing[:20]}")
        click.echo(f"Stale in the index: {len(report.stale)} {report.stale[:20]}")
        click.echo(f"In the index but deleted: {len(report.orphaned)} {report.orphaned[:20]}")
        click.echo(f"Outbox backlog: {report.backlog}")
        waiting, overdue = report.signals_waiting, report.signals_overdue
        click.echo(f"Ranking signals waiting: {waiting} (overdue: {overdue})")
        if not report.healthy:
            raise SystemExit(1)

    @search_group.command("drain")
    def drain():
        """Index now what the outbox holds and the ranking signals whose delay has passed
        (the search.index job does this in the background); exits 1 when another process
        is writing the index."""
        processed = indexing.drain()
        if processed is None:
            click.echo("Another process is writing the index; it drains the outbox.")
            raise SystemExit(1)
        click.echo(f"Indexed {processed} changes.")
