"""Schemathesis checks every operation of /api/v1/openapi.json against the app itself.

For each operation it generates requests from the document (valid ones, and invalid ones
the API must refuse), sends them as a rep, a marketer, a sales leader, a marketing
leader, an admin or nobody, and checks that the answer is no server error, has a status
the operation lists, a documented content type and a body the document describes. The
database holds one of each thing the API serves (assets in several states, a deal, a
post, a request, feedback, a campaign, a share link), so ids in paths sometimes hit real
objects. Generation is derandomised and bounded, so a run costs the same every time and
a failure reproduces.
"""

import itertools
from collections import Counter
from datetime import date, timedelta

from tests.factories import POSTGRES_ONLY, make_asset, make_user, token_headers

# About 2,500 cases in about 30 s on 2 cores. Valid-looking data may still be
# refused when it names something that does not exist (a stage slug, a user's email), so
# positive_data_acceptance is off. ignored_auth, use_after_free and
# ensure_resource_availability assume one identity for the whole run, while each case here
# goes as the next role. The stateful phase is off: the document declares no links yet.
CONFIG = {
    "seed": 20240601,
    "generation": {
        "max-examples": 8,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
    },
    "checks": {
        "positive_data_acceptance": {"enabled": False},
        "ignored_auth": {"enabled": False},
        "use_after_free": {"enabled": False},
        "ensure_resource_availability": {"enabled": False},
    },
    "phases": {"stateful": {"enabled": False}},
}
ROLES = ("rep", "marketer", "sales_leader", "marketing_leader", "admin", "nobody")


def _seed(app, users: dict) -> None:
    """One of each object the API serves, made through the API where it can be."""
    client = app.test_client()

    def post(url: str, body: dict, role: str = "rep") -> dict:
        response = client.post(url, json=body, headers=token_headers(users[role]))
        assert response.status_code in (200, 201), response.text
        return response.json

    live = make_asset(users["marketer"], "Live one-pager")
    make_asset(users["marketer"], "Draft brief", publish=False)
    review = make_asset(users["marketer"], "Battlecard in review", publish=False).id
    for leader in ("sales_leader", "marketing_leader"):
        invite = {"email": users[leader].email, "role": "reviewer"}
        post(f"/api/v1/assets/{review}/collaborators", invite, "marketer")
    post(f"/api/v1/assets/{review}/transitions", {"action": "submit"}, "marketer")
    archived = make_asset(users["marketer"], "Old datasheet").id
    post(f"/api/v1/assets/{archived}/transitions", {"action": "archive"}, "marketer")
    deal = post("/api/v1/deals", {"name": "Acme renewal", "account": "Acme", "stage": "decision"})
    post(f"/api/v1/assets/{live.id}/usage", {"kind": "used_in_deal", "deal_id": deal["id"]})
    post(f"/api/v1/assets/{live.id}/share-links", {})
    post(f"/api/v1/assets/{live.id}/ratings", {"stars": 4})
    writing = {"title": "Why deals stall", "body": "Buyers stall.", "rep": users["rep"].email}
    post("/api/v1/posts", writing, "marketer")
    post("/api/v1/requests", {"need": "A pricing FAQ", "stage": "decision"})
    post("/api/v1/feedback", {"kind": "objection", "text": "Too dear"})
    start = date.today()
    campaign = {
        "name": "Spring launch",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=30)).isoformat(),
    }
    post("/api/v1/campaigns", campaign, "marketer")


def _each_role_in_turn(headers: dict) -> type:
    """An auth provider that sends each generated case as the next role in ROLES, so one
    run covers every role without generating every case once per role."""
    turns = itertools.cycle(ROLES)

    class EachRoleInTurn:
        def get(self, case, context):
            return next(turns)

        def set(self, case, role, context):
            case.headers = {
                **{k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"},
                **headers[role],
            }

    return EachRoleInTurn


def _failures(app, headers: dict) -> tuple[dict, Counter]:
    """Run schemathesis's phases (examples, coverage of boundaries, fuzzing) on every
    operation; the distinct failures with a reproduction of each, and the number of cases
    sent per phase."""
    # Imported here, not at the top: schemathesis brings in Hypothesis, seconds of import
    # that every test process would otherwise pay while collecting.
    import schemathesis
    from schemathesis.engine.events import FatalError, NonFatalError, ScenarioFinished

    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    schema.auth(refresh_interval=None)(_each_role_in_turn(headers))
    found, cases = {}, Counter()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, NonFatalError | FatalError):
            found[("engine", type(event).__name__, "")] = str(event.info)
        if not isinstance(event, ScenarioFinished):
            continue
        cases[event.phase.value] += len(event.recorder.cases)
        for checks in event.recorder.checks.values():
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    key = (event.recorder.label, failure.title, failure.message)
                    found.setdefault(key, check.failure_info.code_sample)
    return found, cases


# On PostgreSQL only, the database production runs: what the document promises does not
# depend on the database, SQLite's leniency would hide a query PostgreSQL refuses, and
# every route's refusals are walked on both databases by test_integer_inputs.
@POSTGRES_ONLY
def test_every_operation_keeps_to_the_document(app, users):
    users = {
        **users,
        "sales_leader": make_user("leader", "sales.lead@example.com", department="sales"),
        "marketing_leader": make_user("leader", "mkt.lead@example.com", department="marketing"),
    }
    _seed(app, users)
    headers = {role: token_headers(users[role]) for role in ROLES if role != "nobody"}
    headers["nobody"] = {}

    found, cases = _failures(app, headers)

    report = "\n\n".join(f"{' '.join(key)}\n{sample}" for key, sample in found.items())
    assert not found, f"{len(found)} failures:\n{report}"
    assert cases["coverage"] + cases["fuzzing"] > 2000, "fewer cases than the bound promises"
