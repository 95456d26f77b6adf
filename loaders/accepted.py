"""Accepting a review file: the candidates the analyst keeps, as curated knowledge.

A review file (`diplograph ingest` writes it; loaders/ingest/review.py) holds the
document, its candidates under `entities:` in the knowledge shape plus a `review:` block
each, and, when the analyst adds them, `relationships:` (posts, roles, meetings,
participation) in the knowledge shape. `accepted_facts` checks the file's shape, naming
the file, record and field of every problem, and returns the kept entities without their
`review:` blocks, with the relationships whose ends are kept or already known.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from diplograph.model import DEFAULT_MEETING_TYPE, Document, Kind
from loaders.knowledge import KEPT_DOCUMENTS, LoadError, Problem, parse_yaml, yaml_problem

REVIEW_ONLY = frozenset({"review"})


@dataclass
class Accepted:
    """What a review file yields: its document, the facts to write, the entity ids kept and,
    for each kept entity with a `review:` block, the candidate it was (`review: candidate:`,
    else its own id). An entity without one the analyst added by hand, unless the graph
    holds a candidate of its id for the document (`stored`). `known`: the kept records of
    entities the graph already holds that ingest wrote for the load (`review: known:
    true`); they are no candidates."""

    document: str
    facts: dict[str, list[dict[str, Any]]]
    ids: list[str] = field(default_factory=list)
    candidates: dict[str, str] = field(default_factory=dict)
    known: list[str] = field(default_factory=list)

    def was_candidate(self, ident: str, stored: Collection[str]) -> bool:
        return ident not in self.known and (ident in self.candidates or ident in stored)

    def accepted_candidates(self, stored: Collection[str]) -> list[dict[str, Any]]:
        """Per kept entity that was a candidate: the candidate it was, and its id, kind and
        name now."""
        return [
            {"candidate": self.candidates.get(e["id"], e["id"]), "entity": e["id"],
             "kind": e.get("kind"), "name": e.get("name")}
            for e in self.facts["entities"] if self.was_candidate(e["id"], stored)
        ]  # fmt: skip


def _load(path: Path) -> Any:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LoadError([yaml_problem(path, error)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError([Problem(str(path), "file", f"cannot read ({error})")]) from None


def accepted_facts(
    path: Path,
    only: Iterable[str] | None = None,
    stored: Callable[[str], Mapping[str, str | None]] | None = None,
) -> Accepted:
    """The facts to accept from a review file; LoadError lists every problem of its shape
    (the facts themselves are then checked like every knowledge file's).

    A relationship's end that is a candidate (of the file, or of the document as the graph
    holds them: `stored(document id)`, each id with the entity it became once accepted) is
    the entity it is kept as now (renamed in review: its `review: candidate:` id), else the
    entity it was accepted as before; a candidate neither kept now nor accepted before
    leaves the relationship waiting for it (not written)."""
    file = str(path)
    content = _load(path)
    problems: list[Problem] = []
    if not isinstance(content, Mapping):
        raise LoadError([Problem(file, "file", "must be a mapping with document and entities")])
    header = content.get("document")
    doc_id = header.get("id") if isinstance(header, Mapping) else None
    if not isinstance(doc_id, str) or not doc_id:
        problems.append(Problem(file, "document", "field 'id': must name the ingested document"))
    entities = content.get("entities") or []
    relationships = content.get("relationships") or []
    for key, value in (("entities", entities), ("relationships", relationships)):
        if not isinstance(value, list):
            problems.append(Problem(file, key, "must be a list"))
    if problems:
        raise LoadError(problems)
    asked = set(only) if only is not None else None
    wanted = asked | _known_ends_of(asked, entities, relationships) if asked is not None else None
    kept: list[dict[str, Any]] = []
    ids: list[str] = []
    candidates: dict[str, str] = {}
    known: list[str] = []
    # Quotes citing another document than the header's (and how many quotes there are).
    mismatches: list[Problem] = []
    cited_elsewhere: set[str] = set()
    quotes = 0
    for index, raw in enumerate(entities):
        record = f"entities[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(file, record, "must be a mapping (a candidate)"))
            continue
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident:
            problems.append(Problem(file, record, "field 'id': missing or not a string"))
            continue
        record = f"{record} (id {ident})"
        if wanted is not None and ident not in wanted:
            continue
        entity = {k: v for k, v in raw.items() if k not in REVIEW_ONLY}
        properties = entity.get("properties")
        if entity.get("kind") == Kind.MEETING.value and isinstance(properties, Mapping | None):
            # The type the candidate carried (the review file shows it), else the one every
            # loaded meeting has; also in the accepted file, so a reload keeps it.
            entity["properties"] = {"meetingType": DEFAULT_MEETING_TYPE, **(properties or {})}
        for source_index, source in enumerate(entity.get("sources") or []):
            if not isinstance(source, Mapping):
                continue
            quotes += 1
            if source.get("document") != doc_id:
                cited_elsewhere.add(str(source.get("document")))
                mismatches.append(
                    Problem(file, record, f"field 'sources.{source_index}.document': "
                            f"{source.get('document')!r} is not this review's document {doc_id!r}")
                )  # fmt: skip
        kept.append(entity)
        ids.append(ident)
        review = raw.get("review")
        if isinstance(review, Mapping) and review.get("known") is True:
            known.append(ident)
        elif isinstance(review, Mapping):
            was = review.get("candidate")
            was = was if isinstance(was, str) and was else ident
            twice = next((now for now, other in candidates.items() if other == was), None)
            if twice is not None:
                message = f"{was!r} is kept already as {twice!r}; keep one record per candidate"
                problems.append(Problem(file, record, f"field 'review.candidate': {message}"))
            candidates[ident] = was
    if len(cited_elsewhere) == 1 and len(mismatches) == quotes:
        # Every quote cites one other document: the header is what was edited.
        (cited,) = cited_elsewhere
        mismatches = [
            Problem(
                file,
                "document",
                f"field 'id': {doc_id!r}, but every candidate "
                f"quotes document {cited!r}: the id must be the ingested document's",
            )
        ]
    problems += mismatches
    if asked is not None:
        problems += [
            Problem(file, "--only", f"no candidate with id {missing!r} in this file")
            for missing in sorted(asked - set(ids))
        ]
    # Each candidate id the file or the graph knows, with the entity it is now (None: not
    # kept now, nor accepted before).
    became: dict[str, str | None] = dict(stored(str(doc_id))) if stored is not None else {}
    for raw in entities:
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            became.setdefault(raw["id"], None)
            review = raw.get("review")
            was = review.get("candidate") if isinstance(review, Mapping) else None
            if isinstance(was, str) and was:
                became.setdefault(was, None)
    became |= {was: now for now, was in candidates.items()} | {i: i for i in ids}
    rels: list[dict[str, Any]] = []
    for index, raw in enumerate(relationships):
        if not isinstance(raw, Mapping):
            problems.append(Problem(file, f"relationships[{index}]", "must be a mapping"))
            continue
        ends = {end: raw.get(end) for end in ("from", "to")}
        # A relationship to a candidate not accepted (now or before) waits for it.
        if any(isinstance(v, str) and v in became and became[v] is None for v in ends.values()):
            continue
        rels.append({**raw, **{k: became.get(v, v) if isinstance(v, str) else v
                               for k, v in ends.items()}})  # fmt: skip
    if problems:
        raise LoadError(problems)
    facts = {"entities": kept, "relationships": rels}
    return Accepted(str(doc_id), facts, ids, candidates, known)


def _known_ends_of(asked: set[str], entities: list[Any], relationships: list[Any]) -> set[str]:
    """The `known: true` records (ends the graph holds that no knowledge file defines;
    loaders/ingest/review.py) that a relationship of an asked entity needs: `--only` keeps
    them with it."""
    asked_as = set(asked)  # and the candidate ids the asked entities were ingested as
    known: set[str] = set()
    for raw in entities:
        review = raw.get("review") if isinstance(raw, Mapping) else None
        if not isinstance(review, Mapping):
            continue
        if review.get("known") is True and isinstance(raw.get("id"), str):
            known.add(raw["id"])
        if raw.get("id") in asked and isinstance(review.get("candidate"), str):
            asked_as.add(review["candidate"])
    ends = [{raw.get("from"), raw.get("to")} for raw in relationships if isinstance(raw, Mapping)]
    return {k for k in known for pair in ends if k in pair and pair & asked_as}


def accepted_path(knowledge_dir: Path, document: str) -> Path:
    """Where a document's accepted knowledge is kept: a knowledge file of its own."""
    return knowledge_dir / f"accepted-{document}.yaml"


def kept_document_path(knowledge_dir: Path, document: str) -> Path:
    """Where the copy of an accepted document is kept (`loaders.knowledge.KEPT_DOCUMENTS`)."""
    return knowledge_dir / KEPT_DOCUMENTS / f"{document}.yaml"


def write_kept_document(path: Path, document: Document) -> Path:
    """Keep a copy of the ingested document accepted knowledge cites, so that `diplograph
    load` on a fresh database restores it before the facts that quote it."""
    # Every field, so the restored node is the one ingest wrote (its `textHash` is the
    # text's); the date with its basis, written as the knowledge files write dates.
    fields = document.model_dump(mode="json", exclude_none=True, exclude={"date"})
    if document.date is not None:
        date = document.date
        fields["date"] = {"value": date.value, "basis": date.basis} if date.basis else date.value
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# The text of document {document.id}, kept for the knowledge accepted from it.\n"
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path


ACCEPTED_HEADER = """\
# Knowledge accepted from the review of document {document}
# (`diplograph review accept`); loaded with the rest of data/knowledge/.
"""


def write_accepted(path: Path, document: str, facts: Mapping[str, list[dict[str, Any]]]) -> Path:
    """Add the facts to the document's accepted-knowledge file (same ids are replaced)."""
    existing: dict[str, list[dict[str, Any]]] = {"entities": [], "relationships": []}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in existing:
            existing[key] = list(loaded.get(key) or [])
    new_ids = {e["id"] for e in facts["entities"]}
    entities = [e for e in existing["entities"] if e.get("id") not in new_ids] + list(
        facts["entities"]
    )

    def edge(r: Mapping[str, Any]) -> tuple[Any, ...]:
        return (r.get("type"), r.get("from"), r.get("to"), r.get("key", ""))

    new_edges = {edge(r) for r in facts["relationships"]}
    rels = [r for r in existing["relationships"] if edge(r) not in new_edges] + list(
        facts["relationships"]
    )
    body = yaml.safe_dump(
        {"entities": entities, "relationships": rels},
        sort_keys=False, allow_unicode=True, width=100,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ACCEPTED_HEADER.format(document=document) + body, encoding="utf-8")
    return path
