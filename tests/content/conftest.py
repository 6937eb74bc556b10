"""Fixtures for the content-library tests (the shared ones live in tests/conftest.py)."""

import pytest

from tests.content.usage_helpers import make_deal
from tests.factories import make_app


@pytest.fixture
def bare_app(tmp_path):
    """The application without a database, for checks that only read the configuration."""
    app = make_app("sqlite://", tmp_path)
    with app.app_context():
        yield app


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def rep(users):
    return users["rep"]


@pytest.fixture
def deal(rep):
    """An open deal of the rep's."""
    return make_deal(rep)
