"""Shared XML helpers: parsing safely, element text, ids and dates checked (a bad one
raises `Reject`, which the reader reports as a bad record), document ids of files."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from pydantic import ValidationError

from diplograph.model import FuzzyDate, slugify, span_problem
from diplograph.records import (
    BadKind,
    Dataset,
)
from loaders.names import squash

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def text_at(element: etree._Element, path: str) -> str:
    return squash(element.findtext(path))


_DATE_CACHE: dict[str, FuzzyDate | None] = {}


def parse_date(raw: str) -> FuzzyDate | None:
    """A FuzzyDate, or None when the text is not one (raise nothing: the caller reports)."""
    if raw not in _DATE_CACHE:
        try:
            _DATE_CACHE[raw] = FuzzyDate(value=raw)
        except ValidationError:
            _DATE_CACHE[raw] = None
    return _DATE_CACHE[raw]


class Reject(Exception):
    """A record is bad; carries what to report."""

    def __init__(self, kind: BadKind, reason: str, record: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.record = record


def check_numeric_id(raw_id: str, what: str, seen: set[str]) -> None:
    """A trip's or visit's id: present, a number, and not seen before in its file set."""
    if not raw_id:
        raise Reject(BadKind.MISSING_ID, f"{what} has no id")
    if not raw_id.isdigit():
        raise Reject(BadKind.INVALID_ID, f"{what} id {raw_id!r} is not a number")
    if raw_id in seen:
        raise Reject(BadKind.DUPLICATE_ID, f"{what} id {raw_id} occurs twice")


def parse_field_date(raw: str, what: str) -> FuzzyDate | None:
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        raise Reject(BadKind.BAD_DATE, f"{what} {raw!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def check_span(start: FuzzyDate | None, end: FuzzyDate | None, what: str) -> None:
    problem = span_problem(start, end)
    if problem:
        raise Reject(BadKind.END_BEFORE_START, f"{what}: {problem}")


def read_dates(element: etree._Element) -> tuple[FuzzyDate | None, FuzzyDate | None]:
    """A trip's or visit's `start-date` and `end-date`, checked as a span."""
    start = parse_field_date(text_at(element, "start-date"), "start-date")
    end = parse_field_date(text_at(element, "end-date"), "end-date")
    check_span(start, end, "start-date..end-date")
    return start, end


class UnsafeXml(Exception):
    """A file declaring a DOCTYPE: refused whole. Its entities are not expanded (no
    network, no files), and the text after an unexpanded reference would silently go
    missing from the element's text."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def parse_xml(content: bytes) -> etree._Element:
    """The root element of a dataset file; raises `etree.XMLSyntaxError`, or `UnsafeXml`
    naming the DOCTYPE and its line."""
    root = etree.fromstring(content, PARSER)
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.public_id:
        at = content.find(b"<!DOCTYPE")
        line = content[: max(at, 0)].count(b"\n") + 1
        declared = content[at:].split(b"[", 1)[0].split(b">", 1)[0].decode("utf-8", "replace")
        raise UnsafeXml(line, f"declares a DOCTYPE ({declared.strip()[:80]}); DTDs are refused")
    # Without a DTD an entity reference other than the five predefined is a syntax error
    # ("Entity 'x' not defined", with its line), so no reference can reach the records.
    return root


def record_id(raw: str, what: str, label: str) -> str:
    if not raw:
        raise Reject(BadKind.MISSING_ID, f"{what} has no id", record=label)
    if not SLUG.match(raw):
        raise Reject(BadKind.INVALID_ID, f"{what} id {raw!r} is not a lowercase slug")
    return raw


def quote_id(value: str) -> str:
    return f"<id>{value}</id>"


def children_by_tag(element: etree._Element) -> dict[str, etree._Element]:
    """An element's children by tag (the first of each): one pass instead of many finds."""
    found: dict[str, etree._Element] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in found:
            found[tag] = child
    return found


def child_text(children: dict[str, etree._Element], tag: str, sub: str | None = None) -> str:
    child = children.get(tag)
    if child is None:
        return ""
    if sub is not None:
        child = child.find(sub)
        if child is None:
            return ""
    text = child.text
    return " ".join(text.split()) if text else ""


def document_id(dataset: Dataset, relative: str) -> str:
    """'travels/secretary-travels/kerry-john-forbes.xml'
    -> 'hsg-travels-secretary-travels-kerry-john-forbes'."""
    inner = relative.split("/", 1)[1].removesuffix(".xml")
    inner = {"presidents/presidents": "presidents"}.get(inner, inner)
    inner = inner.removeprefix("data/")
    inner = re.sub(r"^people/[^/]+/", "people/", inner)  # people/<initial>/<id>
    return f"hsg-{dataset.value}-{slugify(inner)}"


def read_snapshots(root: Path) -> dict[str, str]:
    """Upstream commit per dataset, from SNAPSHOTS.txt ('travels <sha>' per line)."""
    path = root / "SNAPSHOTS.txt"
    if not path.is_file():
        return {}
    pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {parts[0]: parts[1] for parts in pairs if len(parts) == 2}
