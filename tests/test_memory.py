"""Memory a worker keeps for the documents it was sent: bounded, and given back as soon as
a cache lets a document go (hostile review 13g: distinct large refused documents grew a
worker to 398 MB, still rising). No Neo4j needed: parsing, validating and compiling only.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest

from schema.api import schema
from schema.app import GC_THRESHOLDS
from schema.compiled import Compiler
from schema.limits import Documents

# 3,800 `__typename`s and 25 aliases: about 3,900 tokens, refused as QUERY_TOO_COSTLY.
FIELDS = 3_800


def large_document(i: int) -> str:
    """A distinct large document (its operation name and aliases are its own)."""
    aliases = " ".join(f"f{i}_{j}: __typename" for j in range(25))
    return f"query Q{i} {{ {aliases} {' '.join(['__typename'] * FIELDS)} }}"


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The cyclic collector paused, what it had to free freed first: what is left over
    is what reference counting did not free."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def worker_collector() -> Iterator[None]:
    """The collector as a worker runs it (young collections after 50,000 allocations,
    full ones rarely), from a clean start."""
    previous = gc.get_threshold()
    gc.collect()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def test_an_evicted_document_is_freed_without_the_collector(collector_off: None) -> None:
    # A cache that keeps two parsed documents: 40 more go through it and out again.
    documents = Documents(schema, size=2, max_bytes=10**9)
    for i in range(40):
        assert documents.parse(large_document(i)).loc is not None
    # Before, each was a cycle (its ~3,900 tokens linked both ways) the collector had to
    # find: about 38 x 7,700 objects here.
    assert gc.collect() < 1_000


def test_distinct_large_documents_leave_memory_bounded(worker_collector: None) -> None:
    """The compiled path's caches and validation, under the worker's collector thresholds:
    refused documents come and go, the live memory blocks stay within a few documents'."""
    compiler = Compiler(schema)

    async def compile_all(start: int, count: int) -> int:
        """The most memory blocks allocated after any of the documents."""
        most = 0
        for i in range(start, start + count):
            assert await compiler.plan(large_document(i), None) is None
            most = max(most, sys.getallocatedblocks())
        return most

    asyncio.run(compile_all(0, 30))  # the caches full: Documents' hold about 20 of these
    gc.collect()
    blocks = sys.getallocatedblocks()
    most = asyncio.run(compile_all(1_000, 60))
    # One such document costs about 35,000 blocks (tokens, nodes, locations, strings);
    # before, evicted ones waited in the oldest generation for a full collection: millions.
    assert most - blocks < 10 * 35_000
