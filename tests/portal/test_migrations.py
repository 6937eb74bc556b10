"""Alembic migrations build exactly the schema the models describe, and roll back."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from search.postgres_table import alembic_include_object
from tests.factories import login, make_app, make_asset, make_user


def table_names() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


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
