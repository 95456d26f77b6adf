"""`loaders.ingest.spans.Spans` answers as a scan over every span would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loaders.ingest.spans import Spans

span = st.tuples(st.integers(0, 300), st.integers(1, 40)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(span, max_size=40), st.lists(span, max_size=40), span)
def test_overlaps_as_a_scan_would(first: list[tuple[int, int]], added: list[tuple[int, int]],
                                  asked: tuple[int, int]) -> None:  # fmt: skip
    spans = Spans(first)
    for s, e in added:
        spans.add(s, e)
    every = first + added
    start, end = asked
    assert sorted(spans.overlapping(start, end)) == sorted(
        (s, e) for s, e in every if s < end and start < e
    )
    assert spans.overlaps(start, end) == any(s < end and start < e for s, e in every)
    assert spans.contains(start) == any(s <= start < e for s, e in every)
    assert len(spans) == len(every)
