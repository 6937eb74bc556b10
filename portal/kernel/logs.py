"""The request id that log lines and the jobs a request starts carry."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_bound: ContextVar[str | None] = ContextVar("tandem_request_id", default=None)


def current_request_id() -> str | None:
    """The id bound to the work in hand, if any."""
    return _bound.get()


@contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Make ``value`` the current request id inside the block."""
    token = _bound.set(value)
    try:
        yield
    finally:
        _bound.reset(token)
