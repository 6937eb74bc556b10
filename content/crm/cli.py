"""`flask --app portal deals ...`: import a CRM opportunity export, show the stage mapping."""

from pathlib import Path

import click
from flask import Flask, current_app

from content.crm import imports
from content.crm import stages as crm_stages
from content.crm.plan import Plan
from content.crm.rows import Reject
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db

SHOWN_REJECTS = 10


def _read(path: Path) -> bytes:
    # One byte over the limit is enough for the service to refuse a file that is too large.
    with path.open("rb") as stream:
        return stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


def _describe(path: Path, plan: Plan) -> None:
    export = plan.export
    click.echo(
        f"Read {path.name}: {len(export.rows):,} rows ({export.encoding}, "
        f"{export.delimiter_name}-separated)."
    )
    for warning in export.warnings:
        click.echo(f"Warning: {warning}")
    if export.ignored_columns:
        click.echo(f"Columns not imported: {', '.join(export.ignored_columns)}.")


def _echo_unmapped(plan: Plan) -> None:
    if plan.unmapped:
        stages = ", ".join(
            f"{label} ({rows:,} row{'' if rows == 1 else 's'})"
            for label, rows in sorted(plan.unmapped.items())
        )
        click.echo(
            f"CRM stages without a buyer stage: {stages}. Map them in the web app under "
            "Import deals → CRM stages, then import the file again."
        )


def _echo_rejects(rejects: list[Reject]) -> None:
    if not rejects:
        return
    click.echo(f"First rejects (of {len(rejects):,}):")
    for reject in rejects[:SHOWN_REJECTS]:
        click.echo(f"  line {reject.line} ({reject.external_id or 'no id'}): {reject.reason}")


def register_cli(app: Flask) -> None:
    @app.cli.group("deals")
    def deals_group():
        """Deals from the CRM."""

    @deals_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--dry-run", is_flag=True, help="Check the file and say what would change; write nothing."
    )
    def import_deals(file: Path, dry_run: bool):
        """Import FILE, a CRM opportunity export saved as CSV.

        FILE needs the columns Opportunity ID, Opportunity Name, Account Name, Stage and
        Owner Email; Amount, Close Date and Status are optional. Deals are created or
        updated by Opportunity ID and unchanged deals are left alone, so importing a file
        twice changes nothing. Rows that cannot be imported are listed with the reason and
        skipped; the others are imported. Exits with 1 when the file itself is refused.
        """
        raw = _read(file)
        try:
            if dry_run:
                plan = imports.preview_file(None, raw, file.name)
            else:
                deal_import, plan = imports.create_import(None, raw, file.name, source="cli")
        except ValidationFailed as error:
            raise click.ClickException(error.message) from None
        _describe(file, plan)
        if dry_run:
            db.session.rollback()  # the first-use stage mappings too: a dry run keeps nothing
            click.echo(f"Dry run, nothing written. It would be: {plan.counts}.")
            _echo_unmapped(plan)
            _echo_rejects(plan.rejects)
            return
        with click.progressbar(length=len(plan.export.rows), label="Importing deals") as bar:
            counts = imports.run_import(None, deal_import, plan, progress=bar.update)
        db.session.commit()
        click.echo(f"Imported: {counts} (import #{deal_import.id}, in the web history too).")
        _echo_unmapped(plan)
        _echo_rejects(imports.rejects_of(deal_import))

    @deals_group.command("stages")
    @click.option(
        "--add-defaults",
        is_flag=True,
        help="First map Salesforce's standard stages that are not mapped yet.",
    )
    def stages(add_defaults: bool):
        """List which buyer stage each CRM stage maps to (edit them in the web app, under
        Import deals → CRM stages)."""
        if add_defaults:
            added = crm_stages.ensure_default_mappings()
            db.session.commit()
            click.echo(f"Mapped {added} of Salesforce's standard stages.")
        mappings = crm_stages.mappings()
        if not mappings:
            click.echo("No CRM stage is mapped yet; --add-defaults maps Salesforce's stages.")
        width = max((len(mapping.crm_stage) for mapping in mappings), default=0)
        for mapping in mappings:
            click.echo(f"{mapping.crm_stage.ljust(width)}  →  {mapping.stage.name}")
