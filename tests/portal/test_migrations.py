"""Alembic migrations build exactly the schema the models describe, keep every row, and
roll back."""

import dataclasses
from datetime import datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from content.deals.models import Deal, DealStageChange
from content.deals.services import DealInput, create_deal
from content.library.models import Asset, Stage
from content.taxonomy.services import ensure_defaults
from portal.demo.seed import seed_demo
from portal.kernel.extensions import db
from portal.kernel.models import User
from search.postgres_table import alembic_include_object
from tests.factories import login, make_app, make_asset, make_user

# The head before the CHECK constraints on status and kind columns: upgrading from it
# copies most tables on SQLite, the operation that lost rows while foreign keys were on.
BEFORE_CHECKS = "844a30ba469c"
# The migration that adds them: later ones may add tables, which are not rows lost.
CHECKS = "c3dc5ef71fd2"
# Tables the upgrade copies on SQLite that other tables refer to, or that refer to them.
SEEDED = (
    "users",
    "assets",
    "asset_revisions",
    "asset_collaborators",
    "asset_approvals",
    "asset_stages",
    "usage_events",
    "ratings",
    "share_links",
    "deals",
    "ghost_posts",
    "ghost_post_revisions",
    "field_feedback",
    "campaigns",
    "glossary_terms",
    "notifications",
)


def table_names() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            name: connection.scalar(text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
            for name in inspect(connection).get_table_names()
        }


def check_constraints_in_database() -> set[str]:
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        return {
            constraint["name"]
            for name in inspector.get_table_names()
            for constraint in inspector.get_check_constraints(name)
        }


def check_constraints_in_models() -> set[str]:
    return {
        str(constraint.name)
        for table in db.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def test_migrations_match_the_models_and_downgrade_cleanly(database_url, tmp_path, keep_logging):
    app = make_app(database_url, tmp_path)  # no create_all: the migrations build everything
    with app.app_context():
        try:
            assert table_names() == set()
            flask_migrate.upgrade()

            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"include_object": alembic_include_object}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == []
            # Autogenerate does not compare CHECK constraints: their names do.
            assert check_constraints_in_database() == check_constraints_in_models()
            ensure_defaults()
            marketer = make_user("marketer")
            make_asset(marketer, "Works on the migrated schema")
            login(app.test_client(), marketer)

            db.session.remove()
            flask_migrate.downgrade(revision="base")

            assert table_names() <= {"alembic_version"}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_adding_the_check_constraints_keeps_every_row(database_url, tmp_path, keep_logging):
    app = make_app(database_url, tmp_path)
    with app.app_context():
        try:
            # Seeded with today's models, then taken back to the schema before the checks
            # (the models have columns that schema does not know).
            flask_migrate.upgrade()
            seed_demo()
            db.session.commit()
            db.session.remove()
            flask_migrate.downgrade(revision=BEFORE_CHECKS)
            before = row_counts()
            assert all(before[name] > 0 for name in SEEDED), before

            flask_migrate.upgrade(revision=CHECKS)

            assert row_counts() == before
            with db.engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_upgrade_names_values_the_constraints_would_refuse(
    database_url, tmp_path, keep_logging, capfd
):
    app = make_app(database_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE_CHECKS)
            # The table as it was then: columns added since are left out.
            db.session.execute(
                User.__table__.insert().values(
                    email="owner@example.com",
                    name="Owner",
                    password_hash="",
                    role="owner",
                    department="marketing",
                )
            )
            db.session.commit()
            db.session.remove()

            with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
                flask_migrate.upgrade()

            assert "users.role = 'owner'" in capfd.readouterr().err
            assert check_constraints_in_database() == {"ck_ratings_stars_range"}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_migrated_database_refuses_a_status_outside_the_enum(
    database_url, tmp_path, keep_logging
):
    app = make_app(database_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            ensure_defaults()
            marketer = make_user("marketer")
            asset = make_asset(marketer, "Status kept to its enum")

            for refused in (
                update(Asset).where(Asset.id == asset.id).values(status="deleted"),
                update(User).where(User.id == marketer.id).values(role="owner"),
            ):
                with (
                    pytest.raises(IntegrityError, match="ck_(assets_status|users_role)"),
                    db.session.begin_nested(),
                ):
                    db.session.execute(refused)
            db.session.rollback()
        finally:
            db.session.remove()
            db.engine.dispose()


# The head before deals kept their stage history.
BEFORE_STAGE_HISTORY = "dc03a24304f7"


def test_the_stage_history_starts_from_each_deals_current_stage(
    database_url, tmp_path, keep_logging
):
    app = make_app(database_url, tmp_path)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            ensure_defaults()
            rep = make_user("rep")
            stages = dict(db.session.execute(select(Stage.slug, Stage.id)).all())
            for n, (slug, status) in enumerate((("decision", "won"), ("awareness", "open"))):
                data = DealInput(f"Deal {n}", "Acme", stage=db.session.get(Stage, stages[slug]))
                create_deal(rep, dataclasses.replace(data, status=status))
            db.session.commit()
            db.session.remove()
            flask_migrate.downgrade(revision=BEFORE_STAGE_HISTORY)
            with db.engine.begin() as connection:
                connection.execute(update(Deal.__table__).values(updated_at=datetime(2026, 1, 2)))
            deals = {row.id: row for row in db.session.execute(select(Deal.__table__)).all()}
            db.session.remove()

            flask_migrate.upgrade()

            rows = db.session.scalars(select(DealStageChange)).all()
            assert sorted(
                (r.deal_id, r.stage_id, r.status, r.changed_at.replace(tzinfo=None)) for r in rows
            ) == sorted((d.id, d.stage_id, d.status, datetime(2026, 1, 2)) for d in deals.values())
            assert {(r.source, r.known_since, r.ended_at, r.from_status) for r in rows} == {
                ("backfill", True, None, None)
            }
        finally:
            db.session.remove()
            db.engine.dispose()
