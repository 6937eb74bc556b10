"""Every route and API operation, walked with integers no column can hold.

The walk is built from the URL map, the OpenAPI document and the forms and query
arguments each view reads, so a new route is covered without touching this file. For
each integer input (an id in the URL, a query argument, a form field, a JSON field) it
sends out-of-range, negative and zero values, one input at a time, as an admin, a
marketer and a rep, and checks that the answer is never a 500, that a bad URL id is a
404, that a bad JSON field is a 422 naming it, and that no refused write changed the
database.
"""

import inspect
import re
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import product

from flask_wtf import FlaskForm
from sqlalchemy import func, select, text
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField
from wtforms.fields.core import UnboundField

from content.crm import stages as crm_stages
from content.deals.models import Deal
from content.library.models import Asset
from content.rooms import services as rooms
from content.rooms.models import Room
from content.usage.models import ShareLink
from portal.alignment.models import ActionItem, Meeting
from portal.demo.seed import seed_demo
from portal.kernel.extensions import db
from portal.kernel.jobs import FailedJob
from portal.kernel.models import ApiToken, User
from portal.kernel.notifications import Notification
from portal.kernel.openapi import openapi_document
from tests.factories import PASSWORD, login, token_headers
from workflows.campaigns.models import Campaign
from workflows.collections.models import CollectionItem
from workflows.comments.services import add_comment
from workflows.feedback.models import FieldFeedback
from workflows.glossary.models import GlossaryTerm
from workflows.posts.models import GhostPost
from workflows.requests.models import ContentRequest

OUT_OF_RANGE = [2**31, 2**63, 10**30]
BAD_INTEGERS = [*OUT_OF_RANGE, -1, 0]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("admin", "marketer", "rep")


def _first(model):
    return lambda world: db.session.scalar(select(func.min(model.id)))


# Only what the URL map cannot tell: which row a URL argument names, and a valid value
# for the arguments that are not ids. A route with an argument missing here fails.
URL_VALUES = {
    "asset_id": lambda world: world.asset.id,
    "number": lambda world: world.asset.latest_revision.number,
    "revision": lambda world: world.asset.latest_revision.number,
    "user_id": lambda world: world.users["rep"].id,
    "collection_id": lambda world: world.item.collection_id,
    "item_id": lambda world: world.item.id,
    "comment_id": lambda world: world.comment.id,
    "campaign_id": _first(Campaign),
    "deal_id": _first(Deal),
    "feedback_id": _first(FieldFeedback),
    "term_id": _first(GlossaryTerm),
    "notification_id": _first(Notification),
    "post_id": _first(GhostPost),
    "token_id": _first(ApiToken),
    "request_id": _first(ContentRequest),
    "link_id": _first(ShareLink),
    "room_id": _first(Room),
    "mapping_id": lambda world: world.mapping_id,
    "import_id": lambda world: 1,  # no import exists: its pages answer 404 either way
    "kind": lambda world: "stages",
    "slug": lambda world: "content-usage",
    "token": lambda world: "not-a-share-token",
    "external_id": lambda world: "crm-integers-1",
    "failed_id": _first(FailedJob),
    "export_id": lambda world: 1,  # no export exists: its pages answer 404 either way
    # No endpoint or delivery exists: the webhook and chat pages answer 404 either way.
    "endpoint_id": lambda world: 1,
    "delivery_id": lambda world: 1,
    "meeting_id": _first(Meeting),
    "action_item_id": _first(ActionItem),
}
# Query and form names a view reads with request.args/form.get: which are integers
# (by endpoint, with those read by helpers the view calls), and which are text. A name
# in neither fails the walk.
INTEGER_READS = {
    "comments.create": {"parent_id", "revision"},
    "content.library.diff": {"from", "to"},
    "content.download": {"revision"},
    "glossary.diff": {"new", "old"},
    "posts.diff": {"from", "to"},
    "deal_imports.stages": {"import_id"},
    "feedback.inbox": {"asset", "deal", "campaign"},
    "feedback.new": {"asset", "deal", "campaign", "stage"},
    "api.feedback_api.list_feedback": {"asset", "deal", "campaign"},
}
TEXT_READS = {
    "q", "next", "from", "to", "action", "format", "show", "done", "direction", "body",
    "crm_stage", "unread", "rep", "channel", "comment", "url", "acknowledge_similar",
    "sort", "all", "inline", "email", "role", "week", "title", "need", "as_typed", "t",
    "status", "error", "on", "link",
}  # fmt: skip
# Routes that take no integer from outside at all.
NO_INTEGER_INPUT = {
    "favicon",
    "admin.new_user",
    "export.start",
    "webhooks.new",
    "search.suggestions",
    "api.document.openapi",
    "auth.login",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.logout",
    "auth.change_password",
    "auth.create_token",
    "auth.profile",
    "sso.start",
    "sso.callback",
    "sso.break_glass_sign_in",
    "collections.create",
    "content.board",
    "content.home",
    "api.content_api.create_asset",
    "dashboard.show",
    "api.deals_api.create_deal",
    "digest.show",
    "api.requests_api.create_request",
    "share.file",
    "share.public",
    "room_public.page",
    # Its integers are in a JSON body the viewer sends, refused as a whole (400) when wrong.
    "room_public.beacon",
    "taxonomy.taxonomy_home",
    "deal_imports.add_default_mappings",
    "notifications.read_all",
    "operations.healthz",
    "operations.metrics_page",
    "operations.readyz",
    "api.notifications_api.read_all",
    "posts.preview",
    "posts.voice",
    "reports.dashboard",
    "chat.settings",
    "chat_admin.index",
    "chat_admin.test",
    # Slack's form, refused unsigned (401) or without a signing secret (404).
    "chat_slack.command_endpoint",
}
# A refused request still records the API token's last use.
VOLATILE_TABLES = {"api_tokens"}
# Values that make a JSON body valid apart from the field under test, by property name.
JSON_VALUES = {"stage": "awareness", "stages": ["awareness"]}
_READS = re.compile(r"""\b(?:args|form)\.get(?:list)?\(\s*["'](\w+)["']""")
_FORMS = re.compile(r"\b([A-Z]\w*Form)\(")


@dataclass
class World:
    """The demo library, the few rows it lacks, and a client and token per role."""

    asset: Asset
    item: CollectionItem
    comment: object
    mapping_id: int
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)


def _world(app) -> World:
    seed_demo(password=PASSWORD)
    users = {
        role: db.session.scalar(select(User).where(User.role == role).order_by(User.id))
        for role in ROLES
    }
    asset = db.session.scalar(select(Asset).where(Asset.owner_id == users["marketer"].id))
    crm_stages.ensure_default_mappings(users["admin"])
    comment = add_comment(asset, asset.owner, "A comment to resolve and reopen.")
    db.session.add(FailedJob(name="files.extract", arguments="{}", error="Gave up.", attempts=7))
    deal = db.session.scalar(select(Deal).where(Deal.owner_id == users["rep"].id))
    rooms.create_room(users["rep"], deal, "Acme: the plan", items=[rooms.NewItem(asset)])
    db.session.commit()
    world = World(
        asset=asset,
        item=db.session.scalar(select(CollectionItem).order_by(CollectionItem.id)),
        comment=comment,
        mapping_id=db.session.scalar(select(func.min(crm_stages.CrmStageMapping.id))),
        users=users,
    )
    for role, user in users.items():
        world.clients[role] = login(app.test_client(), user)
        world.tokens[role] = token_headers(user)
    request = {"need": "A pricing deck for retail.", "stage": "awareness"}
    created = app.test_client().post("/api/v1/requests", json=request, headers=world.tokens["rep"])
    assert created.status_code == 201, created.text
    return world


def _fingerprint() -> str:
    """A digest of every row the walk must leave alone."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in VOLATILE_TABLES]
    if db.engine.dialect.name == "postgresql":
        # One round trip, hashed by the server: a statement per table, twice per write
        # route, was most of the walk's time on PostgreSQL.
        digests = " UNION ALL ".join(
            f"SELECT {n}, md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) "  # noqa: S608 - our own names
            f'FROM "{table.name}" r'
            for n, table in enumerate(tables)
        )
        rows = db.session.execute(text(f"SELECT * FROM ({digests}) d ORDER BY 1")).all()  # noqa: S608
        db.session.rollback()
        return sha256(repr(rows).encode()).hexdigest()
    digest = sha256()
    for table in tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


# ---- what each route takes, derived ---------------------------------------------------


def _openapi_path(rule) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)


def _schema(schema: dict) -> dict:
    """The schema with its $ref and allOf resolved into one object schema."""
    components = openapi_document()["components"]["schemas"]
    if "$ref" in schema:
        return _schema(components[schema["$ref"].rsplit("/", 1)[-1]])
    if "allOf" in schema:
        merged = {"properties": {}, "required": []}
        for part in map(_schema, schema["allOf"]):
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return schema


def _not_null(schema: dict) -> dict:
    """An optional field's schema without its null branch (``anyOf: [X, null]`` is X)."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    return options[0] if len(options) == 1 else schema


def _is_integer(schema: dict) -> bool:
    """Whether ``schema`` takes an integer; an optional field's is one of its ``anyOf``."""
    if any(_is_integer(option) for option in schema.get("anyOf", [])):
        return True
    types = schema.get("type")
    return "integer" in ([types] if isinstance(types, str) else types or [])


def _operation(rule, method: str) -> dict | None:
    operations = openapi_document()["paths"].get(_openapi_path(rule))
    return None if operations is None else operations.get(method.lower())


def _json_fields(operation: dict) -> tuple[dict, dict]:
    """The body schema's properties and the integer fields among them (name: is a list)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = _schema(content.get("application/json", {}).get("schema", {}))
    properties = {name: _not_null(prop) for name, prop in schema.get("properties", {}).items()}
    integers = {
        name: prop.get("type") == "array"
        for name, prop in properties.items()
        if _is_integer(prop) or _is_integer(prop.get("items", {}))
    }
    return schema, integers


def _integer_form_fields(form_class) -> set[str]:
    """Fields of a form that carry an id or a number: integer fields, selects of ids and
    hidden fields (revision numbers, versions, ids)."""
    names = set()
    for name, unbound in inspect.getmembers(form_class, lambda m: isinstance(m, UnboundField)):
        kind = unbound.field_class
        coerced = issubclass(kind, SelectField | SelectMultipleField) and unbound.kwargs.get(
            "coerce", str
        ) not in (str,)
        if issubclass(kind, IntegerField | HiddenField) or coerced:
            names.add(name)
    return names - {"next"}


def _view_inputs(app, rule, problems: list) -> set[str]:
    """Integer query and form names the view reads, and the integer fields of its forms."""
    view = inspect.unwrap(app.view_functions[rule.endpoint])
    source = inspect.getsource(view)
    names = INTEGER_READS.get(rule.endpoint, set())
    unknown = set(_READS.findall(source)) - names - TEXT_READS
    if unknown:
        problems.append(f"{rule.endpoint} reads {unknown}: add to INTEGER_READS or TEXT_READS")
    if "page_args(" in source or "requested_page(" in source:
        names |= {"page", "per_page"}
    for form_name in _FORMS.findall(source):
        form_class = view.__globals__.get(form_name)
        if isinstance(form_class, type) and issubclass(form_class, FlaskForm):
            names |= _integer_form_fields(form_class)
    return names


def _url_ids(rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if type(conv).__name__ == "IdConverter"]


# ---- the walk ------------------------------------------------------------------------


@dataclass
class Walk:
    app: object
    world: World
    problems: list = field(default_factory=list)
    requests: int = 0

    def send(self, role: str, method: str, url: str, api: bool, **kwargs):
        self.requests += 1
        if api:
            return self.app.test_client().open(
                url, method=method, headers=self.world.tokens[role], **kwargs
            )
        client = self.world.clients[role]
        if method in WRITES:
            kwargs.setdefault("data", {})["csrf_token"] = client.csrf_token()
        return client.open(url, method=method, **kwargs)

    def check(self, response, what: str, expect=None, field_name=None) -> None:
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{what}: {status}")
        elif expect is not None and status != expect:
            self.problems.append(f"{what}: {status}, not {expect}: {response.text[:200]}")
        elif field_name is not None:
            fields = response.get_json().get("error", {}).get("fields", {})
            if field_name not in fields:
                self.problems.append(f"{what}: 422 without naming {field_name}: {fields}")


def _json_base(schema: dict, world: World) -> dict:
    """A body with every required field filled with a plausible value."""
    body = {}
    for name in schema.get("required", []):
        prop = schema["properties"].get(name, {})
        if name in JSON_VALUES:
            body[name] = JSON_VALUES[name]
        elif prop.get("enum"):
            body[name] = prop["enum"][0]
        elif prop.get("format") == "email":
            body[name] = world.users["rep"].email
        elif prop.get("format") == "date":
            body[name] = "2031-01-01"
        elif prop.get("type") == "array":
            body[name] = []
        elif _is_integer(prop):
            body[name] = 1
        else:
            body[name] = "Integers walk"
    return body


def _walk_rule(walk: Walk, rule, method: str) -> int:
    """Send every bad integer to every integer input of one route; how many inputs."""
    world, app = walk.world, walk.app
    api = rule.rule.startswith("/api/")
    missing = [name for name in rule.arguments if name not in URL_VALUES]
    assert not missing, f"{rule.rule}: add a valid value for {missing} to URL_VALUES"
    good = {name: URL_VALUES[name](world) for name in rule.arguments}
    url = app.url_map.bind("localhost").build
    operation = _operation(rule, method) if api else None
    assert not api or operation is not None, f"{method} {rule.rule} is not in the OpenAPI document"
    schema, json_ints = _json_fields(operation) if operation else ({}, {})
    query = set() if api else _view_inputs(app, rule, walk.problems)
    if api:
        query |= {
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and _is_integer(p.get("schema", {}))
        } | INTEGER_READS.get(rule.endpoint, set())
    url_ids = _url_ids(rule)
    if not (url_ids or json_ints or query) and rule.endpoint not in NO_INTEGER_INPUT:
        walk.problems.append(f"{method} {rule.rule}: no integer input found; list it")
    base = _json_base(schema, world) if operation and "requestBody" in operation else None
    before = _fingerprint() if method in WRITES else None
    # A missing row answers 404, except that a form posted about something removed in
    # the meantime may go back to its page with a message (or be refused first).
    expect = 404 if api or method not in WRITES else None
    for name, bad in product(url_ids, [*OUT_OF_RANGE, 0]):
        target = _with_id(rule, good, name, bad, url)
        response = walk.send("admin", method, target, api, json=base)
        walk.check(response, f"admin {method} {target}", expect=expect)
        if expect is None and response.status_code not in (302, 303, 403, 404):
            walk.problems.append(f"admin {method} {target}: {response.status_code}")
    target = url(rule.endpoint, good)
    reached = dict.fromkeys(json_ints, False)
    for role in ROLES:
        # Every bad value as the admin; the first past 32 bits and a negative for the
        # others keeps the walk to seconds on both databases.
        for bad in BAD_INTEGERS if role == "admin" else [2**31, -1]:
            for name in query:
                if not api and method in WRITES:  # a form's field, posted
                    response = walk.send(role, method, target, api, data={name: str(bad)})
                    walk.check(response, f"{role} {method} {target} form {name}={bad}")
                else:
                    response = walk.send(role, method, f"{target}?{name}={bad}", api, json=base)
                    walk.check(response, f"{role} {method} {target}?{name}={bad}")
            for name, is_list in json_ints.items():
                body = {**(base or {}), name: [bad] if is_list else bad}
                response = walk.send(role, method, target, api, json=body)
                what = f"{role} {method} {target} {body}"
                if response.status_code in (403, 404):
                    continue  # this role may not use the resource at all
                walk.check(response, what, expect=422, field_name=name)
                reached[name] = True
    for name in [name for name, seen in reached.items() if not seen]:
        walk.problems.append(f"{method} {rule.rule}: no role reached the check of {name}")
    if before is not None and _fingerprint() != before:
        walk.problems.append(f"{method} {rule.rule}: a refused request changed the database")
    return len(url_ids) + len(query) + len(json_ints)


def _with_id(rule, good: dict, name: str, bad: int, build) -> str:
    """The route's URL with ``bad`` in place of the id ``name``."""
    marker = 987654321
    return build(rule.endpoint, {**good, name: marker}).replace(str(marker), str(bad))


def test_every_route_answers_bad_integers_without_a_500_or_a_change(app):
    walk = Walk(app, _world(app))
    covered = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            covered += bool(_walk_rule(walk, rule, method))
    assert not walk.problems, "\n".join(walk.problems)
    assert covered > 100
