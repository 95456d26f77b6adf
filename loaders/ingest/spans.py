"""Character spans of a text, asked "what overlaps [start, end)?" without a scan.

The rules ask that question for every token run of a document (is this name already
taken, is this offset in a headline); over a list of every span so far it made a 90 KB
press release take half a minute. Spans are kept sorted by start, and since none is
longer than the longest one added, only those starting within that length before `end`
can overlap.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator


class Spans:
    """A growing set of [start, end) spans (duplicates and overlaps allowed)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._spans: list[tuple[int, int]] = sorted(spans)
        self._longest = max((e - s for s, e in self._spans), default=0)

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))
        self._longest = max(self._longest, end - start)

    def overlapping(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The spans sharing at least one character with [start, end)."""
        spans = self._spans
        # Walked by index: a slice would copy the tail on every call, and a long text
        # asks this once per candidate occurrence.
        for index in range(bisect_left(spans, (start - self._longest, -1)), len(spans)):
            s, e = spans[index]
            if s >= end:
                break
            if start < e:
                yield s, e

    def overlaps(self, start: int, end: int) -> bool:
        return next(self.overlapping(start, end), None) is not None

    def contains(self, offset: int) -> bool:
        """Whether a span holds the character at `offset`."""
        return self.overlaps(offset, offset + 1)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)
