"""Applications built in one process share their rules' compiled form, not their maps."""

from flask import url_for

from portal.kernel.transaction import Portal


def _app(prefix: str = "") -> Portal:
    app = Portal(__name__)
    app.add_url_rule(f"{prefix}/things/<int:thing_id>/<string(length=2):code>", "thing")
    app.add_url_rule("/list", "list", defaults={"page": 1})
    app.add_url_rule("/list/<int:page>", "list")
    return app


def test_an_identical_rule_in_a_later_app_matches_and_builds_with_its_own_converters():
    first, second = _app(), _app()

    rule = next(second.url_map.iter_rules("thing"))
    earlier = next(first.url_map.iter_rules("thing"))
    assert all(converter.map is second.url_map for converter in rule._converters.values())
    assert all(
        mine is not theirs
        for mine, theirs in zip(
            rule._converters.values(), earlier._converters.values(), strict=True
        )
    )
    adapter = second.url_map.bind("example.com")
    assert adapter.match("/things/7/ab") == ("thing", {"thing_id": 7, "code": "ab"})
    assert adapter.match("/list") == ("list", {"page": 1})
    with second.test_request_context():
        assert url_for("thing", thing_id=7, code="ab", q="x y") == "/things/7/ab?q=x+y"
        assert url_for("list") == "/list"
        assert url_for("list", page=3) == "/list/3"


def test_a_different_rule_text_is_compiled_for_itself():
    _app()
    other = _app("/v2")

    with other.test_request_context():
        assert url_for("thing", thing_id=1, code="cd") == "/v2/things/1/cd"
