"""A time budget for analysing one document, checked by the steps as they go.

A text's analysis runs in a worker thread (the API) or holds a transaction open (both
the API and the CLI): it must end when its budget is spent, not whenever its last rule
finishes. Python cannot stop a thread from outside, so the steps call `check()` between
units of work (a surface, a name run, a sentence), and `OverBudget` unwinds the analysis
from there: nothing is written, the thread is free again.

The deadline is a context variable, so the rules take no extra argument and analysis
outside `deadline(...)` (tests, the evaluation) is not bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("ingest_deadline", default=None)


class OverBudget(Exception):
    """The analysis of a document took longer than its budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the analysis took longer than its budget of {seconds:g}s")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound the analysis run inside the block to `seconds` (from now)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    except OverBudget:
        raise OverBudget(seconds) from None
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise OverBudget when the current deadline has passed (no deadline: never)."""
    limit = _DEADLINE.get()
    if limit is not None and time.monotonic() > limit:
        raise OverBudget(0.0)
