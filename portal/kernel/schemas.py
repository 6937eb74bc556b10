"""One schema per API resource: pydantic models check what a client sends, shape what the
API answers, and describe both in the OpenAPI document.

A feature's ``schemas.py`` holds its models: an :class:`Input` for each body a client
sends, an :class:`Output` for each object the API answers with, a :class:`Query` for a
list's filters. Its endpoints declare them with :func:`operation`, which authenticates the
token, validates the body and the query string into the models the view's ``body`` and
``query`` parameters are annotated with, and turns the model the view returns into JSON.
``portal.kernel.openapi`` builds the document from the same declarations, so a field
cannot be accepted, answered or documented in one place only.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import (
    Annotated,
    Any,
    Generic,
    Literal,
    Self,
    TypeVar,
    get_args,
    get_origin,
    get_type_hints,
)

from flask import current_app, request, url_for
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from portal.kernel.api import BadRequest, user_for_token
from portal.kernel.errors import ValidationFailed, json_error
from portal.kernel.extensions import db
from portal.kernel.ids import ID_MAX
from portal.kernel.models import User
from portal.kernel.pagination import MAX_PAGE, MAX_PER_PAGE
from portal.kernel.refusals import refusal


class Input(BaseModel):
    """A body a client sends. Unknown fields are refused and nothing is coerced: JSON
    ``"5"`` is not the number 5, ``true`` is not 1. Dates are ``YYYY-MM-DD`` strings."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def given(self, name: str) -> bool:
        """Whether the client sent ``name`` (a PATCH keeps what it leaves out)."""
        return name in self.model_fields_set


def _no_defaults(schema: dict[str, Any]) -> None:
    for field_schema in schema.get("properties", {}).values():
        field_schema.pop("default", None)


class Changes(Input):
    """A body that changes an object (a PATCH): a field left out keeps its current value,
    so the document shows no defaults for its fields."""

    model_config = ConfigDict(json_schema_extra=_no_defaults)


def _plain_digits(value: Any) -> Any:
    # Pydantic reads "+5", "5.0" and "1_0" as numbers; a number in a query string is plain
    # digits, as portal.kernel.ids.text_int reads it for the pages.
    if isinstance(value, str) and not (value.strip().isascii() and value.strip().isdigit()):
        raise PydanticCustomError("int_parsing", "Not a whole number")
    return value


# A whole number in a query string; put it outside ``| None`` so it sees the raw text.
QueryNumber = BeforeValidator(_plain_digits)


class Query(BaseModel):
    """A list's query string. Arguments the list does not know are ignored, as a web page
    ignores them, and an empty value reads as absent."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def read(cls, args: Mapping[str, str]):
        data = {name: value for name, value in args.items() if value != ""}
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise refusal(cls, error) from None


class Paging(Query):
    """Every list pages the same way; see ``portal.kernel.pagination``."""

    page: Annotated[
        int | None, Field(ge=1, le=MAX_PAGE, description="Page number"), QueryNumber
    ] = None
    per_page: Annotated[
        int | None, Field(ge=1, le=MAX_PER_PAGE, description="Items per page"), QueryNumber
    ] = None

    def pages(self) -> tuple[int, int]:
        """The page asked for and its size, with the portal's defaults."""
        return self.page or 1, self.per_page or current_app.config["PER_PAGE"]


class Output(BaseModel):
    """An object the API answers with, read from attributes of the model it shows."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def read(cls, source: Any, **computed: Any) -> Self:
        """This answer for ``source``: every field ``computed`` does not give is its
        attribute of the same name, validated as the field says (a user read into a
        :class:`Person` field becomes that person)."""
        unknown = set(computed) - set(cls.model_fields)
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        values = {
            info.alias or name: computed[name] if name in computed else getattr(source, name)
            for name, info in cls.model_fields.items()
        }
        return cls.model_validate(values)


Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Slug = Annotated[str, Field(max_length=100)]


def checked_by(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A validator running a service's ``check`` of one field: what it refuses is this
    field's error, in the service's words, beside every other wrong field. A check that
    needs only the field's value belongs here rather than in the service, so a body with
    several wrong fields is refused naming all of them at once."""

    def validate(value):
        try:
            return check(value)
        except ValidationFailed as refused:
            raise PydanticCustomError("value_error", refused.message) from None

    return validate


def filled(message: str) -> AfterValidator:
    """A text that may not be blank when it is sent (``message`` says what to write);
    left out, a PATCH keeps the current value and a new object the service's default."""

    def check(value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise PydanticCustomError("value_error", message)
        return value

    return AfterValidator(check)


# A date a client may leave empty: "" reads as null. The empty string is a member of the
# union rather than mapped away before validation, since a before-validator hands the
# strict date check a Python str, which it refuses: every date would be a 422.
DateText = Annotated[date | Literal[""] | None, AfterValidator(lambda value: value or None)]
# A moment as the database holds it, written by ``isoformat()`` (no "Z" rewriting).
Timestamp = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Person(Output):
    """A user as other users see them."""

    id: int
    name: str
    email: str


class Page(Output):
    """The list shape every API list uses; a subclass names the type of its ``items``."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, page, serialize: Callable[[Any], Any], **extra: Any):
        """This list's page of ``page`` (a ``portal.kernel.pagination.Page``); ``extra``
        fills the fields a subclass adds."""
        return cls(
            items=[serialize(item) for item in page.items],
            page=page.page,
            per_page=page.per_page,
            total=page.total,
            **extra,
        )


class ErrorDetail(Output):
    code: str
    message: str
    fields: dict[str, str] | None = None
    allowed_actions: list[str] | None = None


class Error(Output):
    """The one JSON error shape used everywhere under /api."""

    error: ErrorDetail


InputT = TypeVar("InputT", bound=Input)
ModelT = TypeVar("ModelT", bound=BaseModel)
AnswerT = TypeVar("AnswerT", bound=BaseModel)


@dataclass(frozen=True)
class Operation:
    """What an endpoint takes and answers, as :func:`operation` declared it."""

    summary: str
    description: str | None
    body: type[Input] | None
    query: type[Query] | None
    path: Mapping[str, dict] = field(default_factory=dict)
    responses: Mapping[int, tuple[type[BaseModel] | None, str]] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    public: bool = False


def operation(
    summary: str,
    *,
    response: type[BaseModel] | None = None,
    status: int | None = None,
    answer: str = "",
    path: Mapping[str, dict] | None = None,
    errors: tuple[int, ...] = (),
    also: Mapping[int, tuple[type[BaseModel] | None, str]] | None = None,
    description: str | None = None,
    public: bool = False,
):
    """Declare an API endpoint: it answers ``response`` with ``status``, by default the
    model the view's return annotation names, with 200, or 201 for a ``Created[Model]``
    (see :func:`created`). A view parameter ``body`` or ``query`` is validated from the
    request into the model it is annotated with, and a 422 is documented for it. Unless
    ``public``, the caller's bearer token is checked first (a 401 comes before any 422),
    and a view parameter ``user`` receives the token's user. ``errors`` lists the other
    error statuses it may answer besides 400, and the 404 of a path parameter, which
    ``portal.kernel.openapi`` adds; ``also`` other successful answers; ``path`` describes
    path parameters the URL rule alone does not (an id converter is described from the
    rule)."""

    def decorate(view):
        body, query = _parameter_model(view, "body", Input), _parameter_model(view, "query", Query)
        gives_user = "user" in inspect.signature(view).parameters
        if gives_user and public:
            raise TypeError(f"{view.__name__}: a public operation has no signed-in user")
        answers, usual = (response, 200) if response else _answer(view)
        declared = Operation(
            summary=summary,
            description=description,
            body=body,
            query=query,
            path=path or {},
            responses={status or usual: (answers, answer or summary), **(also or {})},
            errors=_error_statuses(errors, public, validates=bool(body or query)),
            public=public,
        )

        @wraps(view)
        def endpoint(*args, **kwargs):
            if not public:
                user = _authenticate()
                if user is None:
                    return _unauthorized()
                if gives_user:
                    kwargs["user"] = user
            if body is not None:
                kwargs["body"] = read_body(body)
            if query is not None:
                kwargs["query"] = query.read(request.args)
            return _as_json(view(*args, **kwargs))

        endpoint.operation = declared  # type: ignore[attr-defined]
        return endpoint

    return decorate


def _parameter_model(view: Callable, name: str, base: type[ModelT]) -> type[ModelT] | None:
    """The model the view's parameter ``name`` is annotated with, if it has one."""
    if name not in inspect.signature(view).parameters:
        return None
    model = get_type_hints(view).get(name)
    if not (isinstance(model, type) and issubclass(model, base)):
        raise TypeError(f"{view.__name__}: annotate {name!r} with a subclass of {base.__name__}")
    return model


def _answer(view: Callable) -> tuple[type[BaseModel] | None, int]:
    """The model the view's return annotation names and the status it is answered with."""
    returned = get_type_hints(view).get("return")
    if get_origin(returned) is Created:
        return get_args(returned)[0], 201
    if isinstance(returned, type) and issubclass(returned, BaseModel):
        return returned, 200
    return None, 200


def _error_statuses(errors: tuple[int, ...], public: bool, validates: bool) -> tuple[int, ...]:
    """The error statuses an endpoint answers: always 400; 401 without a valid token unless
    it is public; 422 when a body or query string is validated; and those it names."""
    implied = {400, *(() if public else (401,)), *((422,) if validates else ())}
    return tuple(sorted({*implied, *errors}))


@dataclass(frozen=True)
class Created(Generic[AnswerT]):
    """The answer of a view that made an object: a 201 with the object's address in its
    Location header. A view annotated ``-> Created[Model]`` is documented so."""

    answer: AnswerT
    location: str


def created(answer: AnswerT, endpoint: str, **values: Any) -> Created[AnswerT]:
    """``answer`` as a 201, with the new object's address (``url_for(endpoint, **values)``)
    in its Location header."""
    return Created(answer, url_for(endpoint, **values))


def read_body(model: type[InputT]) -> InputT:
    """The request's JSON object as ``model``; a 400 when it is not a JSON object, a 422
    naming every field that is wrong."""
    if not request.is_json:
        raise BadRequest("Send a JSON object with Content-Type: application/json.")
    if not isinstance(request.get_json(silent=True), dict):
        raise BadRequest("The body must be a JSON object.")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        raise refusal(model, error) from None


def _authenticate() -> User | None:
    """The user whose bearer token the request carries, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is not None:
        # Its own transaction: the token's last-used time is kept even when the request is
        # then refused, and the request's own commit comes only at its end.
        db.session.commit()
    return user


def _unauthorized():
    response = json_error(401, "unauthorized", "A valid API token is required.")
    response[0].headers["WWW-Authenticate"] = 'Bearer realm="tandem"'
    return response


def _as_json(result):
    """A view's answer with any model in it turned into JSON."""
    if isinstance(result, tuple):
        return (_as_json(result[0]), *result[1:])
    if isinstance(result, Created):
        return _as_json(result.answer), 201, {"Location": result.location}
    if isinstance(result, BaseModel):
        # Serialised once, by the model itself, rather than to dicts and then to JSON.
        return current_app.response_class(result.model_dump_json(), mimetype="application/json")
    return result
