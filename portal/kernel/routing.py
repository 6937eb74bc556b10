"""URL rules compiled once per process instead of once per application.

Werkzeug parses each route's text and generates two URL-building functions for it as the
route is added to an application's URL map: most of the time it takes to build the
portal's application. What that produces depends only on the rule's text, its defaults
and the map's converter classes (a converter is called when a URL is matched or built,
not baked into the code), so an identical rule in a later application of the same
process (each test builds its own; so do the CLI's and the benchmarks' helpers) reuses
the first one's work: the parsed parts and the builders are shared, and the rule gets
its own copies of the converters, bound to its own map.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.routing.rules import RulePart


@dataclass(frozen=True)
class _Compiled:
    """What compiling one rule produced, as its later copies take it."""

    parts: tuple[RulePart, ...]
    trace: tuple[tuple[bool, str], ...]
    converters: tuple[tuple[str, BaseConverter], ...]
    arguments: frozenset[str]
    build: Callable[..., tuple[str, str]]
    build_unknown: Callable[..., tuple[str, str]]


_compiled: dict[Hashable, _Compiled] = {}


class Route(Rule):
    """A Werkzeug rule that reuses the compiled form of an identical earlier rule."""

    def compile(self) -> None:
        """Compile as Werkzeug does, or take an identical rule's compiled form."""
        assert self.map is not None, "rule not bound"
        key = self._compiled_key()
        done = _compiled.get(key) if key is not None else None
        if done is None:
            arguments = set(self.arguments)
            super().compile()
            if key is not None:
                _compiled[key] = _Compiled(
                    tuple(self._parts),
                    tuple(self._trace),
                    # Copies bound to no map, so the cache keeps no application alive.
                    tuple((name, _bound(c, None)) for name, c in self._converters.items()),
                    frozenset(self.arguments - arguments),
                    self._build.__func__,  # type: ignore[attr-defined]
                    self._build_unknown.__func__,  # type: ignore[attr-defined]
                )
            return
        self._parts = list(done.parts)
        self._trace = list(done.trace)
        self._converters = {name: _bound(c, self.map) for name, c in done.converters}
        self.arguments.update(done.arguments)
        self._build = done.build.__get__(self, None)
        self._build_unknown = done.build_unknown.__get__(self, None)

    def _compiled_key(self) -> Hashable | None:
        """Everything compiling reads besides the rule's own parts, or None when a default
        cannot be part of a key (such a rule is compiled as usual)."""
        assert self.map is not None
        defaults = self.defaults or {}
        try:
            key = (
                self.rule,
                self.map.host_matching,
                self.host,
                self.subdomain,
                self.merge_slashes,
                tuple(sorted(self.map.converters.items())),
                tuple(sorted(defaults.items())),
            )
            hash(key)
        except TypeError:
            return None
        return key


def _bound(converter: BaseConverter, url_map: Map | None) -> BaseConverter:
    """A copy of ``converter`` (its arguments, as ``<string(length=2):code>`` gave them)
    for ``url_map``."""
    # As copy.copy would, at a fraction of its cost: this runs for every path parameter.
    own: Any = object.__new__(type(converter))
    own.__dict__.update(converter.__dict__)
    own.map = url_map
    return own
