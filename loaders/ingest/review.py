"""Review files: what ingest found but could not link, as YAML in the shape of the
curated knowledge files (data/knowledge/README.md), for the analyst."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from diplograph.model import DEFAULT_MEETING_TYPE, Document, Kind
from diplograph.records import Analysis, Occurrence
from loaders.ingest.text import sentence_at, sentence_spans

REVIEW_DIR = Path(__file__).resolve().parents[2] / "data" / "review"


REVIEW_HEADER = """\
# Review: what `diplograph ingest` found in {file} but could not link.
# Document {id}: {mentions} mention(s) of known entities were linked.
#
# Each entry under `entities:` is a candidate in the shape of data/knowledge/*.yaml. Keep
# the right ones (check kind, id and name), delete the others, add under `relationships:`
# what the text states, then run `diplograph review accept <this file>` (docs/ingest.md).
# The `review:` blocks (where and why each was found) are not written as knowledge.
# `ambiguous:` lists text that could name several entities and was left unlinked.
"""


def _occurrence_row(occurrence: Occurrence) -> dict[str, Any]:
    return {"start": occurrence.start, "end": occurrence.end, "text": occurrence.text}


def review_data(analysis: Analysis) -> dict[str, Any]:
    """The review file's content: the document, candidates and ambiguities."""
    doc = analysis.document
    entities: list[dict[str, Any]] = []
    for candidate in analysis.candidates:
        row: dict[str, Any] = {
            "id": candidate.id,
            "kind": candidate.kind.value,
            "name": candidate.name,
        }
        if candidate.description:
            row["description"] = candidate.description
        if candidate.date is not None:
            row["date"] = candidate.date.model_dump(exclude_none=True)
        properties = dict(candidate.properties)
        if candidate.kind == Kind.MEETING:
            # Shown for the analyst to keep or change; `review accept` gives it otherwise.
            properties = {"meetingType": DEFAULT_MEETING_TYPE, **properties}
        if properties:
            row["properties"] = properties
        quotes = list(dict.fromkeys(o.quote for o in candidate.occurrences))
        row["sources"] = [{"document": doc.id, "quote": quote} for quote in quotes]
        # The candidate's own id, kept when the analyst renames the entity: accepting it
        # marks this candidate accepted, not a new one of the new id.
        review: dict[str, Any] = {"candidate": candidate.id, "reason": candidate.reason}
        if candidate.title:
            review["title"] = candidate.title
        if candidate.date_text:
            review["date_text"] = candidate.date_text
        review["mentions"] = [_occurrence_row(o) for o in candidate.occurrences]
        row["review"] = review
        entities.append(row)
    sentences = sentence_spans(doc.text)
    ambiguous = [
        {
            "text": a.text,
            "start": a.start,
            "end": a.end,
            "entities": list(a.entity_ids),
            "reason": a.reason,
            "quote": sentence_at(doc.text, sentences, a.start),
        }
        for a in analysis.ambiguities
    ]
    header: dict[str, Any] = {"id": doc.id, "title": doc.title}
    for optional in ("file", "url"):
        if getattr(doc, optional):
            header[optional] = getattr(doc, optional)
    if doc.date is not None:
        header["date"] = doc.date.value
    header["mentions"] = len(analysis.mentions)
    return {"document": header, "entities": entities, "ambiguous": ambiguous}


def review_path(doc: Document, review: Path | None = None, *, many: bool = False) -> Path:
    """Where a document's review file goes: `review` itself for one document (unless it is
    a folder), `<review or data/review>/<document-id>.yaml` otherwise."""
    if (
        review is not None
        and not many
        and not review.is_dir()
        and review.suffix in (".yaml", ".yml")
    ):
        return review
    return (review or REVIEW_DIR) / f"{doc.id}.yaml"


def write_review(path: Path, analysis: Analysis) -> Path:
    """Write the review YAML for one analysed document; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = REVIEW_HEADER.format(
        file=analysis.document.file or analysis.document.id,
        id=analysis.document.id,
        mentions=len(analysis.mentions),
    )
    body = yaml.safe_dump(review_data(analysis), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path
