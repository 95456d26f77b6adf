"""Review files: what ingest found but could not link, as YAML in the shape of the
curated knowledge files (data/knowledge/README.md), for the analyst."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from diplograph.model import DEFAULT_MEETING_TYPE, Document, Kind
from diplograph.records import Analysis, Occurrence, Ref
from loaders.ingest.text import sentence_at, sentence_spans
from loaders.knowledge import KNOWLEDGE_DIR, defined_in

REVIEW_DIR = Path(__file__).resolve().parents[2] / "data" / "review"


REVIEW_HEADER = """\
# Review: what `diplograph ingest` found in {file} but could not link.
# Document {id}: {mentions} mention(s) of known entities were linked.
#
# Each entry under `entities:` is a candidate in the shape of data/knowledge/*.yaml. Keep
# the right ones (check kind, id and name), delete the others. `relationships:` holds what
# the candidates carry (a meeting's place and participants, a delegation's leader and
# country; ends that are candidates are written once kept): delete the wrong ones, add
# what else the text states, then run `diplograph review accept <this file>`
# (docs/ingest.md). A candidate renamed here keeps its relationships (its `review:
# candidate:` id is followed).
# Entities whose `review:` says `known: true` are not candidates: the graph holds them from
# the historian's datasets (or another ingest) only, and a relationship above ends at them;
# their record lets `diplograph load` relate to them on a fresh database. `--only` keeps
# them whenever a kept relationship needs them.
# The `review:` blocks (where and why each was found) are not written as knowledge.
# `ambiguous:` lists text that could name several entities and was left unlinked.
"""


def _occurrence_row(occurrence: Occurrence) -> dict[str, Any]:
    return {"start": occurrence.start, "end": occurrence.end, "text": occurrence.text}


def _ref_row(ref: Ref) -> dict[str, Any]:
    row: dict[str, Any] = {"id": ref.id, "name": ref.name}
    if ref.candidate:
        row["candidate"] = True
    return row


def proposed_relationships(analysis: Analysis) -> list[dict[str, Any]]:
    """What the candidates carry, in the knowledge shape: a meeting HELD_IN its place and
    ATTENDED by its participants, a delegation LED by its leader and REPRESENTS its country,
    a person CITIZEN_OF theirs, each quoting the candidate's first sentence. An end that
    is another candidate waits for it: `review accept` writes the relationship only once
    both ends are kept or known."""
    doc = analysis.document
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for candidate in analysis.candidates:
        if not candidate.occurrences:
            continue
        links = analysis.links(candidate)
        ends: list[tuple[str, str | None, str | None]] = [
            ("HELD_IN", candidate.id, links.place.id if links.place else None)
        ]
        ends += [("ATTENDED", p.id, candidate.id) for p in links.participants]
        ends.append(("LED", links.leader.id if links.leader else None, candidate.id))
        # A person's country (a nationality before the title) is an edge the API answers
        # as `citizenOf`, as the historian's people have: a property would be invisible.
        of_country = "CITIZEN_OF" if candidate.kind == Kind.PERSON else "REPRESENTS"
        ends.append((of_country, candidate.id, links.country.id if links.country else None))
        quote = candidate.occurrences[0].quote
        for kind, start, end in ends:
            if start and end and start != end:
                rows.setdefault(
                    (kind, start, end),
                    {"type": kind, "from": start, "to": end,
                     "sources": [{"document": doc.id, "quote": quote}]},
                )  # fmt: skip
    return list(rows.values())


def known_end_records(
    analysis: Analysis, relationships: list[dict[str, Any]], defined: Collection[str]
) -> list[dict[str, Any]]:
    """A record (id, kind, name, the sentence of its first mention) for each relationship
    end the graph holds but no knowledge file defines (one of the historian's, or of
    another ingest): `review accept` refuses a relationship `diplograph load` could not
    relate on a fresh database, which loads the knowledge files first."""
    candidates = {c.id for c in analysis.candidates}
    # Each end with the sentences its relationships quote: the record quotes one of them
    # when the entity is named there, else the first sentence that names it.
    ends: dict[str, list[str]] = {}
    for rel in relationships:
        for end in ("from", "to"):
            ends.setdefault(rel[end], []).extend(s["quote"] for s in rel["sources"])
    doc = analysis.document
    sentences = sentence_spans(doc.text)
    records: list[dict[str, Any]] = []
    for ident, quoted in ends.items():
        kind = analysis.kinds.get(ident)
        named = [
            (sentence_at(doc.text, sentences, m.start), m)
            for m in analysis.mentions
            if m.entity_id == ident
        ]
        if ident in candidates or ident in defined or kind is None or not named:
            continue
        quote, mention = next(((q, m) for q, m in named if q in quoted), named[0])
        records.append({
            "id": ident, "kind": kind.value, "name": analysis.names.get(ident, mention.matched),
            "sources": [{"document": doc.id, "quote": quote}],
            "review": {"known": True, "reason": "in the graph, but in no knowledge file: "
                       "a relationship above ends here"},
        })  # fmt: skip
    return records


def review_data(analysis: Analysis, defined: Collection[str] = ()) -> dict[str, Any]:
    """The review file's content: the document, candidates, the relationships they carry,
    a record for each of their ends that no knowledge file defines (`defined`: the ids
    those files define), and ambiguities."""
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
        links = analysis.links(candidate)
        if candidate.kind == Kind.DELEGATION:
            # Written as LED and REPRESENTS (`relationships:`), as every loaded delegation.
            properties.pop("leader", None)
            properties.pop("country", None)
        if candidate.kind == Kind.PERSON and links.country and links.country.id:
            properties.pop("country", None)  # written as CITIZEN_OF (`relationships:`)
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
        # What it names, with names, for the analyst: `relationships:` below writes them.
        for key, ref in (("place", links.place), ("leader", links.leader),
                         ("country", links.country)):  # fmt: skip
            if ref is not None:
                review[key] = _ref_row(ref)
        if links.participants:
            review["participants"] = [_ref_row(r) for r in links.participants]
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
    relationships = proposed_relationships(analysis)
    return {
        "document": header,
        "entities": entities + known_end_records(analysis, relationships, defined),
        "relationships": relationships,
        "ambiguous": ambiguous,
    }


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


def write_review(path: Path, analysis: Analysis, knowledge_dir: Path = KNOWLEDGE_DIR) -> Path:
    """Write the review YAML for one analysed document (the entities `knowledge_dir`
    defines need no record of their own); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = REVIEW_HEADER.format(
        file=analysis.document.file or analysis.document.id,
        id=analysis.document.id,
        mentions=len(analysis.mentions),
    )
    data = review_data(analysis, defined_in(knowledge_dir))
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path
