"""One seeded world per database for each report test module: the reports only read it.

The portal's time zone is America/New_York here, so day boundaries are not UTC's.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from content.taxonomy.services import ensure_defaults
from portal.kernel.extensions import db
from portal.kernel.models import User
from tests.factories import fresh_database, login, make_app, selected_databases, token_headers
from tests.reports.seed import ZONE, World, build_world


@dataclass
class Seeded:
    app: object
    world: World


@pytest.fixture(scope="module", params=selected_databases())
def seeded(request, tmp_path_factory) -> Iterator[Seeded]:
    """The seeded world on SQLite or PostgreSQL, inside its app's context."""
    folder = tmp_path_factory.mktemp("reports")
    with fresh_database(request.param, folder) as url:
        app = make_app(url, folder, TIMEZONE=ZONE, PER_PAGE=100)
        with app.app_context():
            db.create_all()
            ensure_defaults()
            db.session.commit()
            yield Seeded(app, build_world())
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world(seeded) -> World:
    return seeded.world


@pytest.fixture
def reader(seeded):
    """A client signed in as the sales leader (reports are for leaders)."""
    leader = db.session.get(User, seeded.world.people["dana"])
    client = login(seeded.app.test_client(), leader)
    client.get("/reports")  # shows the welcome message, so a test sees only its own
    client.token_headers = token_headers(leader)  # for the API, on another client
    return client
