"""The one kind of cache the API keeps per document: least recently used, bounded by entries
and by an estimate of the bytes the entries hold.

A count alone did not bound memory: a parsed document costs about 400 bytes per token
(graphql-core keeps every token, linked, for error locations) on top of its text, so 512
documents of 4,000 tokens and a 40 KB comment held over 700 MB per worker, and each of the
caches keyed by a document's text (`schema.limits.Documents`, `schema.compiled.Compiler`)
kept its own 512 (hostile review 13m: 1.1 GB per worker, still growing).

Nor did the bounds alone: graphql-core links each token to the one before it as well as
the one after, so a parsed document is a reference cycle of thousands of objects, freed
only by the cyclic collector. With the app's collector thresholds (schema/app.py
`GC_THRESHOLDS`) a document that stayed cached for a while sits in the oldest generation,
and an evicted one waited there for a full collection: 620 distinct 3,900-token documents
left a worker at 398 MB and rising (hostile review 13g; 4.9 million live memory blocks,
3.2 million of them garbage a `gc.collect()` freed). `unlink_tokens` drops the backward
links of every newly parsed document: it is then freed by reference counting the moment
the last cache lets it go.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

from graphql import DocumentNode, Token

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# A cache entry not computed yet (None may be a cached answer).
MISSING: Any = object()
# What graphql-core keeps per token of a parsed document: the token (linked to its
# neighbours) and its share of the nodes and their locations. Measured with tracemalloc:
# 362-393 bytes for documents of 3,500-3,900 tokens.
TOKEN_BYTES = 400


def document_bytes(text: str, document: DocumentNode | None) -> int:
    """An estimate of the memory a cached document holds: its text, and about
    `TOKEN_BYTES` per token once parsed (a document that did not parse: its text)."""
    return len(text) + TOKEN_BYTES * sum(1 for _ in tokens(document))


def unlink_tokens(document: DocumentNode) -> DocumentNode:
    """`document`, each token's link to the one before dropped (only the parser reads it,
    while parsing): it then holds no reference cycle, and is freed when the last
    reference to it goes, not at the collector's next full collection (see the module's
    docstring). For every newly parsed document (schema.limits.Documents)."""
    for token in tokens(document):
        token.prev = None
    return document


def tokens(document: DocumentNode | None) -> Iterator[Token]:
    token = document.loc.start_token if document is not None and document.loc else None
    while token is not None:
        yield token
        token = token.next


class BoundedCache(Generic[K, V]):
    """An LRU cache of at most `entries` entries and `max_bytes` estimated bytes (each
    entry's weight given when it is stored); safe from several threads (documents are
    compiled and validated in worker threads). An entry heavier than the whole budget is
    not kept."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[K]:
        """The keys, least recently used first (a copy: others may store meanwhile)."""
        with self._lock:
            return iter(list(self._items))

    def get(self, key: K) -> V:
        """The value, or `MISSING`; a hit becomes the most recently used."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return MISSING  # type: ignore[no-any-return]
            self._items.move_to_end(key)
            return found[0]

    def peek(self, key: K) -> V:
        """The value, or `MISSING`, without touching its place in the order."""
        found = self._items.get(key)
        return MISSING if found is None else found[0]

    def put(self, key: K, value: V, weight: int) -> V:
        """Keep `value` (unless it alone is over the budget), evicting the least recently
        used entries until both bounds hold; returns `value`."""
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.bytes -= previous[1]
            if weight <= self.max_bytes:
                self._items[key] = (value, weight)
                self.bytes += weight
            while len(self._items) > self.entries or self.bytes > self.max_bytes:
                _, (_, evicted) = self._items.popitem(last=False)
                self.bytes -= evicted
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0
