"""How a body or query string that pydantic refused reads as the portal's 422: every wrong
field named at once, each with the sentence the pages' forms use ("Must be an id from 1
to 2,147,483,647.", "At most 200 characters."), the bounds read from the model's own
constraints so that the message and the check cannot disagree."""

from typing import Annotated, Any, Literal, get_args, get_origin

from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from portal.kernel.errors import ValidationFailed
from portal.kernel.ids import ID_MAX


def refusal(model: type[BaseModel], error: ValidationError) -> ValidationFailed:
    """One 422 naming every wrong field of ``model``, in the words the pages use."""
    fields: dict[str, str] = {}
    for detail in error.errors(include_url=False):
        name = ".".join(str(part) for part in detail["loc"][:1]) or "body"
        fields.setdefault(name, _message(model, name, detail))
    if len(fields) == 1:
        message = next(iter(fields.values()))
    else:
        message = "Check these fields: " + ", ".join(fields) + "."
    return ValidationFailed(message, fields)


def _constraints(model: type[BaseModel], name: str) -> list:
    """The constraints on field ``name``, including those inside an optional type
    (``Annotated[int, Field(ge=1)] | None`` keeps its bounds on the inner type)."""
    info = model.model_fields.get(name)
    if info is None:
        return []
    found = list(info.metadata)
    pending = list(get_args(info.annotation))
    while pending:
        part = pending.pop()
        if get_origin(part) is Annotated:
            for extra in part.__metadata__:
                found.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        pending.extend(get_args(part))
    return found


def _choices(model: type[BaseModel], name: str) -> str:
    """The values a Literal field allows as the client writes them, e.g. "'author' or
    'reviewer'" (pydantic names an enum's members by their Python repr)."""
    info = model.model_fields.get(name)
    pending, values = [info.annotation] if info else [], []
    while pending:
        part = pending.pop(0)
        if get_origin(part) is Literal:
            values += [repr(str(value)) for value in get_args(part)]
        else:
            pending.extend(get_args(part))
    if len(values) < 2:
        return ""
    return ", ".join(values[:-1]) + " or " + values[-1]


def _bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    low = high = None
    for rule in _constraints(model, name):
        if isinstance(rule, Ge):
            low = rule.ge
        if isinstance(rule, Le):
            high = rule.le
    return low, high


def _max_length(model: type[BaseModel], name: str) -> int | None:
    for rule in _constraints(model, name):
        if isinstance(rule, MaxLen):
            return rule.max_length
    return None


_WHOLE_NUMBER = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "int_parsing_size",
    "greater_than_equal",
    "less_than_equal",
    "greater_than",
    "less_than",
}


def _message(model: type[BaseModel], name: str, detail: ErrorDetails) -> str:
    kind = detail["type"]
    context = detail.get("ctx") or {}
    nested = len(detail["loc"]) > 1
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "missing":
        return "Required."
    if kind in _WHOLE_NUMBER and not nested:
        low, high = _bounds(model, name)
        if (low, high) == (1, ID_MAX):
            return f"Must be an id from 1 to {ID_MAX:,}."
        if low is not None and high is not None:
            return f"Must be a whole number from {low:,} to {high:,}."
        return "Must be a whole number."
    if kind in _WHOLE_NUMBER:
        return f"Must be a list of ids from 1 to {ID_MAX:,}."
    if kind == "string_type":
        return "Must be a string."
    if kind == "string_too_long":
        return f"At most {context.get('max_length', _max_length(model, name)):,} characters."
    if kind == "string_too_short":
        return "Required." if context.get("min_length") == 1 else detail["msg"] + "."
    if kind in {"enum", "literal_error"}:
        return f"Must be one of {_choices(model, name) or context.get('expected', '')}."
    if kind.startswith("date"):
        return "Use the form YYYY-MM-DD."
    if kind in {"list_type", "tuple_type", "set_type"}:
        return "Must be a list."
    if kind == "too_long":
        return f"At most {context.get('max_length')} items."
    if kind == "bool_type":
        return "Must be true or false."
    if kind in {"float_type", "decimal_type", "float_parsing", "decimal_parsing"}:
        return "Must be a number."
    if kind == "value_error":
        return str(context.get("error") or detail["msg"])
    return detail["msg"] + "."
