"""Fixtures for the content-library tests (the shared ones live in tests/conftest.py)."""

import pytest

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
