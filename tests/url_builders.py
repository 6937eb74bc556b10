"""Routes parsed and URL builders compiled once per test process instead of once per
application.

Every test builds its own application, and Werkzeug parses each of the portal's routes
and compiles two URL-building functions for it as it is registered: most of building an
app. Both depend only on the rule's text and the map's converter classes (converters are
looked up when a URL is built, not baked in), so the same rule in the next application
can be handed what was worked out for the first: the parsed parts are shared, and the
rule gets its own copies of the converters, bound to its own map. Rules whose defaults
fill a part of the URL are compiled as usual: their default goes through the converter at
compile time.
"""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.routing.converters import BaseConverter
from werkzeug.routing.rules import Rule, RulePart

_compile = Rule._compile_builder
_parse = Rule._parse_rule
_compiled: dict[tuple, Callable[..., Any]] = {}


@dataclass(frozen=True)
class _Parsed:
    """What parsing one rule text produced: its parts, and what it added to the rule."""

    parts: tuple[RulePart, ...]
    trace: tuple[tuple[bool, str], ...]
    converters: tuple[tuple[str, BaseConverter], ...]
    arguments: frozenset[str]


_parsed: dict[tuple, _Parsed] = {}


def _cached_parse_rule(self: Rule, rule: str) -> Iterable[RulePart]:
    assert self.map is not None
    key = (rule, tuple(sorted(self.map.converters.items())))
    parsed = _parsed.get(key)
    if parsed is None:
        trace_from = len(self._trace)
        converters_before = set(self._converters)
        arguments_before = set(self.arguments)
        parts = tuple(_parse(self, rule))
        parsed = _parsed[key] = _Parsed(
            parts,
            tuple(self._trace[trace_from:]),
            tuple((n, c) for n, c in self._converters.items() if n not in converters_before),
            frozenset(self.arguments - arguments_before),
        )
        return parts
    self._trace.extend(parsed.trace)
    for name, converter in parsed.converters:
        own = copy.copy(converter)
        own.map = self.map
        self._converters[name] = own
    self.arguments.update(parsed.arguments)
    return parsed.parts


def _cached_compile_builder(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
    defaults = self.defaults or {}
    if defaults and any(dynamic and name in defaults for dynamic, name in self._trace):
        return _compile(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
    builder = _compiled.get(key)
    if builder is None:
        builder = _compiled[key] = _compile(self, append_unknown)
    return builder


def compile_url_builders_once() -> None:
    """Make Werkzeug reuse a rule's parsed parts and compiled URL builder for an
    identical rule."""
    Rule._parse_rule = _cached_parse_rule  # type: ignore[method-assign]
    Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]
