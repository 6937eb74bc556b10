"""Recording "used in a deal" many times over one PostgreSQL connection.

psycopg prepares a statement on the server after ``prepare_threshold`` executions, and
PostgreSQL then switches it to a generic plan. An ON CONFLICT target whose predicate is a
bound parameter no longer matches the partial unique index in that plan, so attaching
failed about once in eleven inserts. These tests run well past that point.
"""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.sql.elements import TextClause

from content.usage import events as usage
from content.usage.models import UsageEvent
from portal.kernel.extensions import db
from tests.content.usage_helpers import make_deal
from tests.factories import make_asset, token_headers

# Past the driver's prepare threshold and the server's five custom plans, with room to spare.
ATTACHMENTS = 50


@pytest.fixture
def published(users):
    """Enough published assets to attach ATTACHMENTS of them to one deal."""
    return [make_asset(users["marketer"], f"Asset {n}") for n in range(ATTACHMENTS)]


def _backend_pid() -> int:
    return db.session.scalar(text("SELECT pg_backend_pid()"))


def _prepare_threshold() -> int:
    return db.session.connection().connection.driver_connection.prepare_threshold


def _attached(deal) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(UsageEvent.id)).where(
            UsageEvent.deal_id == deal.id, UsageEvent.kind == "used_in_deal"
        )
    )


@pytest.mark.postgres_only
def test_attaching_many_assets_through_one_connection_loses_none(app, users, published):
    deal = make_deal(users["rep"])
    pid = _backend_pid()
    assert _prepare_threshold() < ATTACHMENTS // 2

    created = []
    for asset in published:
        _event, was_created = usage.attach_to_deal(asset, users["rep"], deal)
        db.session.commit()
        created.append(was_created)
    again = [usage.attach_to_deal(asset, users["rep"], deal)[1] for asset in published[:10]]
    db.session.commit()

    assert _backend_pid() == pid, "the attachments must share one connection"
    assert created == [True] * ATTACHMENTS
    assert again == [False] * 10
    assert _attached(deal) == ATTACHMENTS


@pytest.mark.postgres_only
def test_attaching_many_assets_through_the_api_answers_every_call(client, users, published):
    deal = make_deal(users["rep"])
    headers = token_headers(users["rep"])

    statuses = [
        client.post(
            f"/api/v1/assets/{asset.id}/usage",
            headers=headers,
            json={"kind": "used_in_deal", "deal_id": deal.id},
        ).status_code
        for asset in published + published[:5]
    ]

    assert statuses == [201] * ATTACHMENTS + [200] * 5
    assert _attached(deal) == ATTACHMENTS


def test_every_partial_unique_index_states_its_predicate_as_literal_sql(app):
    """An upsert names the index's predicate as its conflict target; only literal SQL
    keeps matching the index under PostgreSQL's generic plans."""
    partial = [
        (index.name, index.dialect_options["postgresql"]["where"])
        for table in db.metadata.tables.values()
        for index in table.indexes
        if index.unique and index.dialect_options["postgresql"]["where"] is not None
    ]

    assert partial, "the usage events' (deal, asset) index is partial"
    assert all(isinstance(where, TextClause) for _name, where in partial), partial
