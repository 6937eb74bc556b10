"""GET /api/v1/search: token auth, the hit shape, filters, limits and visibility."""

import pytest

from tests.factories import make_asset, token_headers
from tests.search.helpers import index_now


@pytest.fixture
def api(app, users):
    """``api(role, **params)`` → the response of GET /api/v1/search as that role."""
    headers = {role: token_headers(user) for role, user in users.items()}
    client = app.test_client()

    def get(role: str, **params):
        return client.get("/api/v1/search", query_string=params, headers=headers[role])

    return get


def test_search_needs_a_token(client):
    response = client.get("/api/v1/search?q=pricing")

    assert response.status_code == 401
    assert response.json["error"]["code"]
    response = client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_hits_carry_id_title_stages_snippet_and_score(api, marketer):
    asset = make_asset(
        marketer,
        "Pricing guide",
        stages=("decision", "awareness"),
        content_type="battlecard",
        body="Our prices are per seat.",
    )
    make_asset(marketer, "Security primer")
    index_now()

    body = api("rep", q="pricing").json

    assert body["total"] == 1
    assert body["suggestion"] is None
    assert body["notes"] == []
    (hit,) = body["items"]
    assert hit["id"] == asset.id
    assert hit["title"] == "Pricing guide", "titles are plain text in JSON"
    assert hit["stages"] == ["awareness", "decision"]
    assert hit["content_type"] == "battlecard"
    assert "prices</mark>" in hit["snippet"]
    assert isinstance(hit["score"], float)
    assert 0 < hit["score"] < 1000
    assert hit["stale"] is False


def test_a_partial_match_lists_the_words_it_lacks(api, marketer):
    make_asset(marketer, "Weekly CRM notes", body="Keep them short.")
    index_now()

    body = api("rep", q="weekly crm notes summary").json

    assert [(item["title"], item["missing"]) for item in body["items"]] == [
        ("Weekly CRM notes", ["summary"])
    ]


def test_filters_by_stage_persona_and_content_type(api, marketer):
    cfo = make_asset(marketer, "Pricing for CFOs", stages=("decision",), personas=("cfo",))
    deck = make_asset(marketer, "Pricing deck", stages=("awareness",), content_type="slide-deck")
    make_asset(marketer, "Pricing FAQ", stages=("awareness",), personas=("cio",))
    index_now()

    def ids(**filters) -> list[int]:
        return [item["id"] for item in api("rep", q="pricing", **filters).json["items"]]

    assert len(ids()) == 3
    assert ids(stage="decision") == [cfo.id]
    assert ids(persona="cfo") == [cfo.id]
    assert ids(content_type="slide-deck") == [deck.id]
    assert ids(stage="awareness", persona="cfo") == []


def test_limit_caps_the_items_but_not_the_total(api, marketer):
    for n in range(4):
        make_asset(marketer, f"Pricing sheet {n}")
    index_now()

    body = api("rep", q="pricing", limit="2").json

    assert (len(body["items"]), body["total"]) == (2, 4)
    assert len(api("rep", q="pricing", limit="100").json["items"]) == 4


def test_a_limit_out_of_bounds_is_a_422_naming_the_field(api):
    for limit in ("0", "101", "abc", "-1", "2.5", "²", "9" * 40):
        response = api("rep", q="pricing", limit=limit)

        assert response.status_code == 422, limit
        message = "Must be a whole number from 1 to 100."
        assert response.json["error"]["fields"]["limit"] == message, limit


def test_unknown_filters_and_sorts_are_422_with_a_message(api):
    response = api("rep", q="pricing", stage="nope", persona="ceo")

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "stage": "There is no stage called “nope”.",
        "persona": "There is no persona called “ceo”.",
    }
    assert api("rep", q="pricing", sort="random").status_code == 422


def test_reps_get_only_live_assets_even_asking_for_all(api, marketer):
    live = make_asset(marketer, "Pricing live")
    draft = make_asset(marketer, "Pricing draft", publish=False)
    index_now()

    def ids(role: str, **params) -> set[int]:
        return {item["id"] for item in api(role, q="pricing", **params).json["items"]}

    assert ids("rep") == ids("rep", all="1") == {live.id}
    assert ids("marketer") == {live.id}
    assert ids("marketer", all="1") == {live.id, draft.id}


def test_a_misspelling_comes_back_corrected_naming_what_was_typed(api, marketer):
    asset = make_asset(marketer, "Security whitepaper")
    index_now()

    body = api("rep", q="secuirty").json

    assert [item["id"] for item in body["items"]] == [asset.id]
    assert (body["query"], body["corrected_from"], body["suggestion"]) == (
        "security",
        "secuirty",
        None,
    )


def test_as_typed_searches_the_misspelling_and_suggests_the_correction(api, marketer):
    make_asset(marketer, "Pricing guide")
    index_now()

    body = api("rep", q="pricng", as_typed="1").json

    assert (body["items"], body["total"], body["suggestion"]) == ([], 0, "pricing")
    assert (body["query"], body["corrected_from"]) == ("pricng", None)


def test_sorting_by_newest_keeps_scores_that_are_relevance(api, marketer):
    older = make_asset(marketer, "Pricing guide")
    newer = make_asset(marketer, "Pricing FAQ")
    index_now()

    relevance = {i["id"]: i["score"] for i in api("rep", q="pricing").json["items"]}
    newest = api("rep", q="pricing", sort="newest").json["items"]

    assert [item["id"] for item in newest] == [newer.id, older.id]
    assert {item["id"]: item["score"] for item in newest} == pytest.approx(relevance)


def test_hostile_queries_answer_with_json_never_a_500(api, marketer):
    make_asset(marketer, "Pricing guide")
    index_now()

    for raw in ('"pricing', "*", "?*?*?*?*", "x" * 5000, "(" * 5000, " ".join(["a"] * 2000)):
        response = api("rep", q=raw)
        assert response.status_code == 200, raw[:20]
        assert response.json["total"] in (0, 1)
    assert "Only the first 300 characters were searched." in api("rep", q="x" * 5000).json["notes"]
    nul = api("rep", q="pri\x00cing")
    assert nul.status_code == 400
    assert nul.json["error"]["message"] == "Text may not contain NUL characters."
