"""URL builders compiled once per test process instead of once per application.

Every test builds its own application, and Werkzeug compiles two URL-building functions
for each of the portal's routes as they are registered: about 60 ms of a test's setup,
most of building an app. The function it compiles depends only on the rule's text and
the names in it (converters are looked up when a URL is built, not baked in), so the
same rule in the next application can be handed the function compiled for the first.
Rules whose defaults fill a part of the URL are compiled as usual: their default goes
through the converter at compile time.
"""

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compile = Rule._compile_builder
_compiled: dict[tuple, Callable[..., Any]] = {}


def _cached_compile_builder(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
    defaults = self.defaults or {}
    if any(dynamic and name in defaults for dynamic, name in self._trace):
        return _compile(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
    builder = _compiled.get(key)
    if builder is None:
        builder = _compiled[key] = _compile(self, append_unknown)
    return builder


def compile_url_builders_once() -> None:
    """Make Werkzeug reuse a rule's compiled URL builder for an identical rule."""
    Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]
