"""The guard for integers from outside: bounds, booleans, and the 422 naming the field."""

from typing import Annotated

import pytest
from flask import Flask
from pydantic import Field
from sqlalchemy import func, select

from content.library.models import Asset
from portal.kernel.errors import ValidationFailed
from portal.kernel.extensions import db
from portal.kernel.ids import BIGINT_MAX, ID_MAX, text_id, text_int
from portal.kernel.schemas import Id, Input, read_body
from tests.factories import make_asset, token_headers
from workflows.campaigns.models import Campaign


def refusal(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.fields


class Sample(Input):
    deal_id: Id | None = None
    amount_cents: Annotated[int | None, Field(ge=1, le=BIGINT_MAX)] = None
    assets: Annotated[list[Id], Field(max_length=2)] = []


class Required(Input):
    deal_id: Id


def read(model, body: dict):
    with Flask(__name__).test_request_context(json=body):
        return read_body(model)


@pytest.mark.parametrize("value", [True, False, 1.0, "7", [7], 0, -1, ID_MAX + 1, 2**63, 10**30])
def test_a_json_id_is_a_whole_number_that_fits_a_32_bit_column(value):
    assert refusal(lambda: read(Sample, {"deal_id": value})) == {
        "deal_id": f"Must be an id from 1 to {ID_MAX:,}."
    }


def test_a_json_id_may_be_left_out_unless_required():
    assert read(Sample, {}).deal_id is None
    assert read(Sample, {"deal_id": ID_MAX}).deal_id == ID_MAX
    assert refusal(lambda: read(Required, {})) == {"deal_id": "Required."}


def test_a_64_bit_column_takes_numbers_a_32_bit_one_refuses():
    assert read(Sample, {"amount_cents": ID_MAX + 1}).amount_cents == ID_MAX + 1
    assert read(Sample, {"amount_cents": BIGINT_MAX}).amount_cents == BIGINT_MAX
    assert refusal(lambda: read(Sample, {"amount_cents": 2**63})) == {
        "amount_cents": f"Must be a whole number from 1 to {BIGINT_MAX:,}."
    }


def test_a_list_of_ids_refuses_any_bad_item_and_too_many():
    assert read(Sample, {"assets": [1, ID_MAX]}).assets == [1, ID_MAX]
    for value in ([1, 2**31], [True], [1, 2, 3], "1,2", {"id": 1}, None):
        assert "assets" in refusal(lambda v=value: read(Sample, {"assets": v}))


def test_text_numbers_are_plain_digits_within_bounds():
    assert text_int(" 42 ", "page") == 42
    assert text_int("", "page", default=1) == 1
    for raw in ("-1", "0", "2147483648", "1e3", "²", "٣", "9" * 40):
        assert refusal(lambda r=raw: text_int(r, "page")) == {
            "page": f"Page must be a whole number from 1 to {ID_MAX:,}."
        }


def test_a_text_id_that_is_not_an_id_reads_as_none_chosen():
    assert text_id("17") == 17
    assert [text_id(raw) for raw in ("", None, "-3", "0", "2147483648", "9" * 40, "x")] == [0] * 7


def test_a_campaign_linking_an_asset_id_past_32_bits_is_a_422_naming_assets(client, users):
    """The scan's finding: on PostgreSQL this was the driver's out-of-range error, a 500."""
    asset = make_asset(users["marketer"])
    body = {
        "name": "Spring launch",
        "starts_on": "2031-03-01",
        "ends_on": "2031-03-31",
        "assets": [asset.id, 2_147_483_648],
    }
    response = client.post("/api/v1/campaigns", json=body, headers=token_headers(users["marketer"]))

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert set(response.json["error"]["fields"]) == {"assets"}
    assert db.session.scalar(select(func.count(Campaign.id))) == 0
    assert db.session.get(Asset, asset.id) is not None
