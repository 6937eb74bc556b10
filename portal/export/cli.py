"""`flask --app portal export DIR`: every row of the portal as CSV files in a folder."""

from pathlib import Path

import click
from flask import Flask

from portal.export.archive import README, write_folder
from portal.export.table import Scope
from portal.kernel.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("export")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Write into FOLDER even if it holds files.")
    def export(folder: Path, force: bool):
        """Write every row of the portal as CSV files into FOLDER, with a README.txt and a
        manifest.json naming each file, its columns and its rows.

        The same files as the portal's "Export all data" archive, with every row (no
        account's rules narrow them): assets and revisions (metadata, no file bytes),
        usage events, ratings, deals, share-link opens, deal-room visits, feedback, the
        glossary's history and the audit log. FOLDER is created if missing; one that
        holds files is refused unless --force, which overwrites the export's files.
        """
        if folder.exists() and any(folder.iterdir()) and not force:
            raise click.ClickException(
                f"{folder} is not empty: choose a new folder, or add --force to write into it."
            )
        folder.mkdir(parents=True, exist_ok=True)
        shown = {"file": ""}

        def progress(current_file: str, rows_done: int, rows_total: int) -> None:
            if current_file != shown["file"] and shown["file"]:
                click.echo("", err=True)
            shown["file"] = current_file
            click.echo(
                f"\r{current_file}: {rows_done:,} of {rows_total:,} rows", nl=False, err=True
            )

        summary = write_folder(Scope(None), folder, progress)
        db.session.rollback()  # it only read
        if shown["file"]:
            click.echo("", err=True)
        for name, rows in summary.rows.items():
            click.echo(f"{name}: {rows:,} row{'' if rows == 1 else 's'}")
        click.echo(
            f"Exported {summary.total:,} rows in {len(summary.rows)} files to {folder} "
            f"(see {README})."
        )
