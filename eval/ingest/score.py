"""Score ingest predictions against the held-apart gold set (eval/ingest/gold.yaml).

Pure functions, no Neo4j: the glue that runs the ingest step turns its output into the
prediction shape below and calls `score(load_gold(), predictions, with_hsg=...)`.

Prediction shape (a dict, or JSON with the same keys; README.md has examples):

    links:     [{"doc": FILE, "surface": "Havana", "entity": "havana"}, ...]
               or tuples (doc, surface, entity); instead of a surface, "start"/"end" char
               offsets into the text (or a (start, end) tuple in the tuple form).
    proposals: [{"doc": FILE, "kind": "Person", "name": "...", "title": ..., "date": ...,
                 "precision": ..., "place": id-or-name, "participants": [...]}, ...]
               or tuples (doc, kind, name, fields-dict).
    merges:    [{"a": id, "b": id}, ...] or tuples (a, b): every merge or SAME_AS the
               resolution step made (across the whole graph, not per document).

`doc` is the text's file name in eval/ingest/texts/ (as in gold.yaml).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold.yaml"
TEXTS = HERE / "texts"

TARGETS = {
    "link_recall": (">=", 0.9),
    "wrong_merges": ("<=", 0),
    "proposal_recall": (">=", 0.85),
    "noise_share": ("<=", 0.20),
}


class GoldError(ValueError):
    """The gold file or a prediction has the wrong shape; the message names where."""


# -- normalisation --------------------------------------------------------------------------


def norm(text: str | None) -> str:
    """Case, accents, punctuation and a leading article do not matter when names are compared."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


# A person's title before the name ("President Obama", "Secretary of State John Kerry") and a
# generational suffix after it ("Dwight L. Bush, Sr.") are not part of the name: a link to the
# right person whose span held the title is the same mention as the bare name. The scorer's
# own list, kept apart from the ingest rules, so the rules cannot shape what counts as right.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_WORDS = _words(
    """
    mr mrs ms miss dr sir dame prof professor his her excellency majesty highness
    president vice secretary general deputy assistant under undersecretary acting principal
    state foreign defense defence treasury homeland security interior finance trade
    minister prime premier chancellor king queen prince princess crown sheikh emir sultan
    ambassador envoy special representative senator sen rep congressman congresswoman
    governor mayor chairman chairwoman chairperson chair commissioner director spokesperson
    spokesman spokeswoman admiral rear adm gen lt colonel col captain
    first lady former u s us united states of for the and
    """
)
GENERATION_WORDS = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_core(text: str | None) -> str:
    """A surface's normalised words without a leading run of title words (at least one word
    is kept) and without a trailing Jr./Sr.: "Secretary of State John Kerry" -> "john kerry".
    A surface that is all title words ("Secretary of State") keeps them all."""
    words = norm(text).split()
    while len(words) > 1 and words[-1] in GENERATION_WORDS:
        words = words[:-1]
    start = 0
    while start < len(words) and words[start] in TITLE_WORDS:
        start += 1
    return " ".join(words[start:] if start < len(words) else words)


def same_name(a: str | None, b: str | None) -> bool:
    """Two surfaces of one mention: equal once normalised, or equal once a leading title and
    a trailing Jr./Sr. are set aside on either side ("President Obama" is "Obama", not
    "Michelle Obama")."""
    return norm(a) == norm(b) or name_core(a) == name_core(b)


def id_matches(entity: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(entity, p) for p in patterns)


def id_matches_any(ids: Iterable[str], pattern: str) -> bool:
    return any(fnmatchcase(i, pattern) for i in ids)


# -- gold -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldLink:
    doc: str
    entity: str
    surface: str | None
    also: tuple[str, ...] = ()
    hsg_only: bool = False

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.entity, *self.also)


@dataclass(frozen=True)
class GoldItem:
    """An expected proposal, or (with `optional`) an acceptable or forbidden one."""

    doc: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    date: str | None = None
    end: str | None = None  # a meeting over several days matches any day from date to end
    precision: str | None = None
    title: str | None = None
    place_ids: tuple[str, ...] = ()
    place_name: str | None = None
    participants: tuple[str, ...] = ()
    may_link: tuple[str, ...] = ()
    # set on a proposal that stands in for an hsg_only link when the historian data is absent
    stands_for: str | None = None

    @property
    def names(self) -> set[str]:
        return {norm(n) for n in (self.name, *self.aliases) if norm(n)}


@dataclass
class Gold:
    docs: dict[str, dict[str, Any]]
    links: list[GoldLink]
    proposals: list[GoldItem]
    acceptable: list[GoldItem]
    forbidden: list[GoldItem]
    must_not_link: list[tuple[str, str, str]]  # (doc, surface, entity pattern)
    neutral_links: list[tuple[str, str, str]]  # (doc or "*", surface, entity pattern)
    must_not_merge: list[tuple[str, str]]
    should_merge: list[tuple[str, ...]]


def _item(doc: str, raw: Mapping[str, Any], where: str) -> GoldItem:
    if not isinstance(raw, Mapping) or "kind" not in raw or "name" not in raw:
        raise GoldError(f"{where}: needs 'kind' and 'name', got {raw!r}")
    place = raw.get("place") or {}
    if isinstance(place, str):
        place = {"name": place}
    return GoldItem(
        doc=doc,
        kind=str(raw["kind"]),
        name=str(raw["name"]),
        aliases=tuple(str(a) for a in raw.get("aliases", [])),
        date=str(raw["date"]) if raw.get("date") else None,
        end=str(raw["end"]) if raw.get("end") else None,
        precision=raw.get("precision"),
        title=raw.get("title"),
        place_ids=tuple(p for p in [place.get("id"), *place.get("also", [])] if p),
        place_name=place.get("name"),
        participants=tuple(str(p) for p in raw.get("participants", [])),
        may_link=tuple(str(p) for p in raw.get("may_link", [])),
    )


def _pattern(doc: str, raw: Any, where: str) -> tuple[str, str, str]:
    if not isinstance(raw, Mapping) or not raw.get("entity"):
        raise GoldError(f"{where}: needs an 'entity'")
    return (doc, str(raw.get("surface", "")), str(raw["entity"]))


def _link_fits(pred: PredLink, patterns: Iterable[tuple[str, str, str]]) -> bool:
    return any(
        d in ("*", pred.doc)
        and fnmatchcase(pred.entity, e)
        and (not s or norm(s) == norm(pred.surface))
        for d, s, e in patterns
    )


def parse_gold(data: Mapping[str, Any], source: str = "gold") -> Gold:
    if not isinstance(data, Mapping) or not isinstance(data.get("documents"), list):
        raise GoldError(f"{source}: top level needs a 'documents' list")
    gold = Gold({}, [], [], [], [], [], [], [], [])
    for i, raw in enumerate(data.get("neutral_links", [])):
        gold.neutral_links.append(_pattern("*", raw, f"{source}: neutral_links[{i}]"))
    for i, pair in enumerate(data.get("must_not_merge", [])):
        if not isinstance(pair, list) or len(pair) != 2:
            raise GoldError(f"{source}: must_not_merge[{i}] is not a pair: {pair!r}")
        gold.must_not_merge.append((str(pair[0]), str(pair[1])))
    gold.should_merge = [tuple(str(x) for x in group) for group in data.get("should_merge", [])]
    for d, doc in enumerate(data["documents"]):
        name = doc.get("file") if isinstance(doc, Mapping) else None
        if not name:
            raise GoldError(f"{source}: documents[{d}] has no 'file'")
        if name in gold.docs:
            raise GoldError(f"{source}: document {name} occurs twice")
        for key in ("title", "publisher", "date"):
            if not doc.get(key):
                raise GoldError(f"{source}: {name}: missing '{key}'")
        gold.docs[name] = dict(doc)
        for j, raw in enumerate(doc.get("links", [])):
            where = f"{source}: {name}: links[{j}]"
            if not isinstance(raw, Mapping) or not raw.get("entity"):
                raise GoldError(f"{where}: needs an 'entity'")
            link = GoldLink(
                doc=name,
                entity=str(raw["entity"]),
                surface=raw.get("surface"),
                also=tuple(str(a) for a in raw.get("also", [])),
                hsg_only=bool(raw.get("hsg_only", False)),
            )
            gold.links.append(link)
            if "propose" in raw:
                stand_in = _item(name, raw["propose"], f"{where}.propose")
                gold.proposals.append(GoldItem(**{**stand_in.__dict__, "stands_for": link.entity}))
        for key, target in (
            ("proposals", gold.proposals),
            ("acceptable", gold.acceptable),
            ("forbidden", gold.forbidden),
        ):
            for j, raw in enumerate(doc.get(key, [])):
                target.append(_item(name, raw, f"{source}: {name}: {key}[{j}]"))
        for j, raw in enumerate(doc.get("must_not_link", [])):
            where = f"{source}: {name}: must_not_link[{j}]"
            gold.must_not_link.append(_pattern(name, raw, where))
        for j, raw in enumerate(doc.get("neutral_links", [])):
            where = f"{source}: {name}: neutral_links[{j}]"
            gold.neutral_links.append(_pattern(name, raw, where))
    # Without the historian data an hsg_only entity must still be expected somewhere in its
    # document: as the proposal given on that link or on another link to the same entity.
    for lk in gold.links:
        if lk.hsg_only and not any(
            p.stands_for == lk.entity and p.doc == lk.doc for p in gold.proposals
        ):
            raise GoldError(f"{source}: {lk.doc}: hsg_only link to {lk.entity} has no 'propose'")
    return gold


def load_gold(path: Path = GOLD) -> Gold:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GoldError(f"{path}: cannot read: {error}") from error
    return parse_gold(data, str(path))


def load_texts(gold: Gold, folder: Path = TEXTS) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in gold.docs}


# -- predictions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PredLink:
    doc: str
    surface: str
    entity: str


@dataclass(frozen=True)
class PredProposal:
    doc: str
    kind: str
    name: str
    fields: Mapping[str, Any] = field(default_factory=dict)


def _get(raw: Any, key: str, index: int) -> Any:
    if isinstance(raw, Mapping):
        return raw.get(key)
    if isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) > index:
        return raw[index]
    return None


def parse_links(raw_links: Iterable[Any], texts: Mapping[str, str] | None = None) -> list[PredLink]:
    out: list[PredLink] = []
    for i, raw in enumerate(raw_links):
        doc, entity = _get(raw, "doc", 0), _get(raw, "entity", 2)
        surface = _get(raw, "surface", 1)
        span: tuple[Any, ...] | None = None
        if isinstance(raw, Mapping) and raw.get("start") is not None:
            span = (raw["start"], raw.get("end"))
        elif isinstance(surface, Sequence) and not isinstance(surface, str):
            span, surface = tuple(surface), None
        if span is not None and surface is None:
            if texts is None or doc not in texts:
                raise GoldError(f"prediction links[{i}]: offsets need the text of {doc!r}")
            try:
                start, end = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError) as error:
                raise GoldError(f"prediction links[{i}]: bad offsets {span!r}") from error
            surface = texts[doc][start:end]
        if not doc or not entity:
            raise GoldError(f"prediction links[{i}]: needs doc and entity, got {raw!r}")
        out.append(PredLink(str(doc), str(surface or ""), str(entity)))
    return out


def parse_proposals(raw_props: Iterable[Any]) -> list[PredProposal]:
    out: list[PredProposal] = []
    for i, raw in enumerate(raw_props):
        if isinstance(raw, Mapping):
            fields = {k: v for k, v in raw.items() if k not in ("doc", "kind", "name")}
            doc, kind, name = raw.get("doc"), raw.get("kind"), raw.get("name")
        else:
            doc, kind, name = _get(raw, "", 0), _get(raw, "", 1), _get(raw, "", 2)
            fields = dict(_get(raw, "", 3) or {})
        if not doc or not kind:
            raise GoldError(f"prediction proposals[{i}]: needs doc and kind, got {raw!r}")
        out.append(PredProposal(str(doc), str(kind), str(name or ""), fields))
    return out


def parse_merges(raw_merges: Iterable[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, raw in enumerate(raw_merges):
        a, b = _get(raw, "a", 0), _get(raw, "b", 1)
        if not a or not b:
            raise GoldError(f"prediction merges[{i}]: needs two ids, got {raw!r}")
        out.append((str(a), str(b)))
    return out


# -- matching -------------------------------------------------------------------------------


def _date_of(fields: Mapping[str, Any]) -> str | None:
    value = fields.get("date")
    if isinstance(value, Mapping):
        value = value.get("value")
    return str(value) if value else None


def proposal_matches(pred: PredProposal, item: GoldItem) -> bool:
    """Meetings match on document and date, events on name or day, the rest on name or alias."""
    if pred.doc != item.doc or pred.kind != item.kind:
        return False
    if item.kind == "Meeting":
        when = _date_of(pred.fields)
        if when is None or item.date is None:
            return False
        # ISO dates of one precision order as strings
        return when == item.date or (item.end is not None and item.date <= when <= item.end)
    if norm(pred.name) in item.names:
        return True
    # an event's name is free wording; a day-precise date pins it down as well
    return item.kind == "Event" and item.precision == "day" and _date_of(pred.fields) == item.date


def _surface_ok(surface: str | None, wanted: Iterable[str | None]) -> bool:
    return any(w is None or same_name(surface, w) for w in wanted)


def _title_ok(pred: Any, gold: str) -> bool:
    p, g = norm(str(pred or "")), norm(gold)
    return bool(p) and (p in g or g in p)


def _place_ok(pred: Any, item: GoldItem) -> bool:
    if not pred:
        return False
    return str(pred) in item.place_ids or norm(str(pred)) == norm(item.place_name)


def _participants_hit(pred: Any, item: GoldItem) -> tuple[int, int]:
    wanted = {norm(p) for p in item.participants}
    got = {norm(str(p)) for p in (pred or [])}
    return len(wanted & got), len(wanted)


def _best_match(pred: PredProposal, items: Sequence[GoldItem], taken: set[int]) -> int | None:
    """Several meetings can share a date: prefer an item not yet found, then the best fit."""
    hits = [i for i, item in enumerate(items) if proposal_matches(pred, item)]
    if not hits:
        return None

    def fit(i: int) -> tuple[bool, int, bool, bool]:
        item = items[i]
        got, _ = _participants_hit(pred.fields.get("participants"), item)
        return (
            i not in taken,
            got,
            _place_ok(pred.fields.get("place"), item),
            norm(pred.name) in item.names,
        )

    return max(hits, key=fit)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[set[str]]:
        out: dict[str, set[str]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), set()).add(x)
        return list(out.values())


def wrong_merges(merges: Iterable[tuple[str, str]], gold: Gold) -> list[tuple[str, str]]:
    """The must-not-merge pairs that end up in one identity, chains of merges included."""
    uf = _Union()
    for a, b in merges:
        uf.union(a, b)
    bad: list[tuple[str, str]] = []
    for group in uf.groups():
        for pa, pb in gold.must_not_merge:
            hit_a = [x for x in group if fnmatchcase(x, pa)]
            hit_b = [x for x in group if fnmatchcase(x, pb)]
            if any(x != y for x in hit_a for y in hit_b):
                bad.append((pa, pb))
    return bad


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _accuracy(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


@dataclass
class Report:
    figures: dict[str, Any]
    missed_links: list[GoldLink]
    wrong_links: list[PredLink]
    trap_links: list[PredLink]
    missed_proposals: list[GoldItem]
    noise: list[PredProposal]
    duplicates: list[PredProposal]
    forbidden_hits: list[PredProposal]
    wrong_merges: list[tuple[str, str]]

    def passes(self) -> dict[str, bool]:
        out = {}
        for key, (op, limit) in TARGETS.items():
            value = self.figures[key]
            out[key] = value >= limit if op == ">=" else value <= limit
        return out


def score(
    gold: Gold,
    predictions: Mapping[str, Any],
    *,
    with_hsg: bool,
    texts: Mapping[str, str] | None = None,
    id_aliases: Mapping[str, str] | None = None,
) -> Report:
    """Link precision/recall, proposal recall, noise share and wrong merges.

    `with_hsg`: whether the historian's datasets were loaded. Without them an `hsg_only`
    link is expected as its `propose` block instead; with them, a proposal for it is a
    duplicate of a node already in the graph and counts as noise.
    `id_aliases`: maps a predicted id to the id gold uses (e.g. a merged identity's new id).
    """
    aliases = dict(id_aliases or {})
    unknown = sorted(
        {
            str(_get(r, "doc", 0))
            for key in ("links", "proposals")
            for r in predictions.get(key, [])
            if str(_get(r, "doc", 0)) not in gold.docs
        }
    )
    if unknown:
        raise GoldError(f"predictions name documents not in the gold set: {unknown}")
    links = {
        PredLink(p.doc, p.surface, aliases.get(p.entity, p.entity))
        for p in parse_links(predictions.get("links", []), texts)
    }
    props = parse_proposals(predictions.get("proposals", []))
    merges = [
        (aliases.get(a, a), aliases.get(b, b))
        for a, b in parse_merges(predictions.get("merges", []))
    ]

    expected = [lk for lk in gold.links if with_hsg or not lk.hsg_only]
    wanted = [p for p in gold.proposals if p.stands_for is None or not with_hsg]
    duplicates_of = [p for p in gold.proposals if p.stands_for is not None and with_hsg]

    # links
    matched_gold: set[int] = set()
    satisfied: set[int] = set()
    correct = neutral = 0
    wrong: list[PredLink] = []
    traps: list[PredLink] = []
    for pred in sorted(links, key=lambda p: (p.doc, p.surface, p.entity)):
        hits = [
            i
            for i, g in enumerate(expected)
            if g.doc == pred.doc and pred.entity in g.ids and _surface_ok(pred.surface, [g.surface])
        ]
        via_proposal = [
            i
            for i, item in enumerate(wanted)
            if item.doc == pred.doc
            and id_matches(pred.entity, item.may_link)
            and (not pred.surface or any(same_name(pred.surface, n) for n in item.names))
        ]
        if hits or via_proposal:
            correct += 1
            matched_gold.update(hits)
            satisfied.update(via_proposal)
            continue
        if _link_fits(pred, gold.must_not_link):
            traps.append(pred)
        elif _link_fits(pred, gold.neutral_links):
            neutral += 1
            continue
        wrong.append(pred)

    # proposals
    noise: list[PredProposal] = []
    duplicates: list[PredProposal] = []
    forbidden_hits: list[PredProposal] = []
    titles = [0, 0]
    meeting_fields = {"precision": [0, 0], "place": [0, 0], "participants": [0, 0]}
    counted = 0
    for cand in props:
        hit = _best_match(cand, wanted, satisfied)
        if hit is not None:
            counted += 1
            item = wanted[hit]
            satisfied.add(hit)
            if item.kind == "Person" and item.title:
                titles[1] += 1
                titles[0] += _title_ok(cand.fields.get("title"), item.title)
            if item.kind == "Meeting":
                if item.precision:
                    meeting_fields["precision"][1] += 1
                    meeting_fields["precision"][0] += cand.fields.get("precision") == item.precision
                if item.place_ids or item.place_name:
                    meeting_fields["place"][1] += 1
                    meeting_fields["place"][0] += _place_ok(cand.fields.get("place"), item)
                got, of = _participants_hit(cand.fields.get("participants"), item)
                meeting_fields["participants"][0] += got
                meeting_fields["participants"][1] += of
            continue
        if any(proposal_matches(cand, item) for item in duplicates_of):
            counted += 1
            duplicates.append(cand)
            noise.append(cand)
            continue
        if any(proposal_matches(cand, item) for item in gold.acceptable):
            continue
        counted += 1
        noise.append(cand)
        if any(proposal_matches(cand, item) for item in gold.forbidden):
            forbidden_hits.append(cand)

    bad_merges = wrong_merges(merges, gold)
    uf = _Union()
    for a, b in merges:
        uf.union(a, b)
    merged_groups = sum(1 for group in gold.should_merge if len({uf.find(x) for x in group}) == 1)
    figures: dict[str, Any] = {
        "with_hsg": with_hsg,
        "documents": len(gold.docs),
        "gold_links": len(expected),
        "predicted_links": len(links),
        "link_precision": round(_ratio(correct, correct + len(wrong)), 3),
        "link_recall": round(_ratio(len(matched_gold), len(expected)), 3),
        "neutral_links": neutral,
        "gold_proposals": len(wanted),
        "proposal_recall": round(_ratio(len(satisfied), len(wanted)), 3),
        "candidates": counted,
        "noise_share": round(_ratio(len(noise), counted) if counted else 0.0, 3),
        "duplicates_of_existing": len(duplicates),
        "forbidden_candidates": len(forbidden_hits),
        "trap_links": len(traps),
        "wrong_merges": len(bad_merges),
        "should_merge_done": f"{merged_groups}/{len(gold.should_merge)}" if with_hsg else "n/a",
        # field accuracies over matched proposals only; None when there is nothing to judge
        "person_title_accuracy": _accuracy(*titles),
        **{f"meeting_{k}_accuracy": _accuracy(*v) for k, v in meeting_fields.items()},
    }
    missed_links = [g for i, g in enumerate(expected) if i not in matched_gold]
    missed_props = [p for i, p in enumerate(wanted) if i not in satisfied]
    return Report(
        figures,
        missed_links,
        wrong,
        traps,
        missed_props,
        noise,
        duplicates,
        forbidden_hits,
        bad_merges,
    )


def render(report: Report) -> str:
    lines = [f"{k:30} {'n/a' if v is None else v}" for k, v in report.figures.items()]
    lines.append("")
    for key, ok in report.passes().items():
        op, limit = TARGETS[key]
        lines.append(
            f"target {key} {op} {limit}: {'PASS' if ok else 'FAIL'} ({report.figures[key]})"
        )
    sections = [
        ("missed links", [f"{g.doc}: {g.surface!r} -> {g.entity}" for g in report.missed_links]),
        ("wrong links", [f"{p.doc}: {p.surface!r} -> {p.entity}" for p in report.wrong_links]),
        (
            "missed proposals",
            [f"{p.doc}: {p.kind} {p.name} {p.date or ''}" for p in report.missed_proposals],
        ),
        ("noise", [f"{p.doc}: {p.kind} {p.name!r}" for p in report.noise]),
        ("wrong merges", [f"{a} + {b}" for a, b in report.wrong_merges]),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", f"{title} ({len(rows)}):", *(f"  {r}" for r in rows)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path, help="JSON file in the prediction shape")
    parser.add_argument("--with-hsg", action="store_true", help="historian datasets were loaded")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        gold = load_gold(args.gold)
        predictions = json.loads(args.predictions.read_text(encoding="utf-8"))
        report = score(gold, predictions, with_hsg=args.with_hsg, texts=load_texts(gold))
    except (GoldError, OSError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.figures, indent=2) if args.json else render(report))
    return 0 if all(report.passes().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
