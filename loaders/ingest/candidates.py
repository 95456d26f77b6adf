"""Candidates: what could not be linked, for the analyst; `analyse` runs linking and this.

What cannot be linked becomes a `Candidate` for the analyst: titled people
("Foreign Minister X", "X, Assistant Secretary of State"), organizations and
agreements (by keyword), places (after "in"/"to"/"from"), dates (as `Event`s,
relative ones resolved against the document's date when it is known) and
quantities (as `Term`s: "20,000 travel documents"). `review_data` shapes them
as the curated knowledge files (data/knowledge/README.md) plus a `review:`
block per candidate carrying its offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from diplograph.model import Document, FuzzyDate, Kind, Precision, slugify
from diplograph.records import Ambiguity, Analysis, Candidate, Mention, Occurrence
from loaders.ingest.documents import MONTH_NAMES, parse_date_text
from loaders.ingest.linking import Named, find_mentions
from loaders.ingest.text import (
    AGREEMENT_WORDS,
    CLAUSE_LEAD_WORDS,
    NUMBER_WORDS,
    ORGANIZATION_WORDS,
    QUANTITY_STOP,
    SEASON_END_MONTH,
    TextIndex,
    sentence_at,
)
from loaders.names import MONTHS


def _slug(name: str) -> str:
    return slugify(name)[:100].strip("-")


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


class _Candidates:
    def __init__(
        self,
        doc: Document,
        t: TextIndex,
        taken: Sequence[tuple[int, int]],
        known_ids: Iterable[str],
    ) -> None:
        self.doc = doc
        self.t = t
        self.taken = list(taken)
        self.known_ids = set(known_ids)
        self.found: dict[str, Candidate] = {}

    def free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self.taken)

    def add(self, candidate: Candidate, start: int, end: int) -> None:
        if not candidate.id or candidate.id in self.known_ids or not self.free(start, end):
            return
        self.taken.append((start, end))
        existing = self.found.setdefault(candidate.id, candidate)
        text = self.t.text
        existing.occurrences.append(
            Occurrence(start, end, text[start:end], sentence_at(text, self.t.sentences, start))
        )

    def names(self) -> None:
        """Titled people, organizations, agreements and places among the proper names."""
        t = self.t
        tokens = t.tokens
        for first, last in t.name_runs():
            start, end = t.span(first, last)
            if not self.free(start, end):
                continue
            name = t.text[start:end]
            words = {tok.lower for tok in tokens[first : last + 1]}
            title = t.title_before(first)
            title_text = (
                t.text[tokens[title[0]].start : tokens[title[1]].end]
                if title is not None
                else self._appositive_title(last)
            )
            if tokens[last].lower in AGREEMENT_WORDS:
                # "the 1994 U.S.-Cuba Migration Accords": a year just before belongs to it.
                before = tokens[first - 1] if first > 0 else None
                if before and _YEAR.fullmatch(before.text) and t.gap(before, tokens[first]) == " ":
                    start = before.start
                    name = t.text[start:end]
                self.add(
                    Candidate(_slug(name), Kind.AGREEMENT, name, "an agreement named in the text"),
                    start,
                    end,
                )
            elif words & ORGANIZATION_WORDS:
                if last > first:
                    self.add(
                        Candidate(
                            _slug(name),
                            Kind.ORGANIZATION,
                            name,
                            "an organization named in the text",
                        ),
                        start,
                        end,
                    )
            elif title_text is not None:
                if last - first < 5:
                    self.add(
                        Candidate(
                            _slug(name),
                            Kind.PERSON,
                            name,
                            "a titled person who is not in the graph",
                            description=title_text,
                            title=title_text,
                        ),
                        start,
                        end,
                    )
            elif (
                first > 0
                and tokens[first - 1].lower in ("in", "to", "from", "near")
                and t.gap(tokens[first - 1], tokens[first]) == " "
                and last - first < 3
                # "to Cubans", "from Americans": people, not places
                and not (first == last and re.search(r"(?:ans|ese)$", tokens[first].text))
            ):
                self.add(
                    Candidate(
                        _slug(name),
                        Kind.PLACE,
                        name,
                        "a proper name after 'in', 'to' or 'from'; probably a place",
                    ),
                    start,
                    end,
                )

    def _appositive_title(self, last: int) -> str | None:
        """', Assistant Secretary of State' just after a name."""
        t = self.t
        tokens = t.tokens
        nxt = last + 1
        if nxt >= len(tokens) or t.gap(tokens[last], tokens[nxt]).strip() != ",":
            return None
        run = t.title_tokens.get(nxt)
        if run is None or run[0] != nxt:
            return None
        return t.text[tokens[run[0]].start : tokens[run[1]].end]

    _QUANTITY = re.compile(
        r"(?<![\w.,$])(?P<dollar>\$)?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
        r"(?:\s+(?P<scale>hundred|thousand|million|billion))?(?P<rest>(?:\s+[a-z][\w-]*){1,3})"
    )
    _SCALES: ClassVar[dict[str, int]] = {
        "hundred": 100,
        "thousand": 1_000,
        "million": 1_000_000,
        "billion": 1_000_000_000,
    }

    def quantities(self) -> None:
        """'20,000 travel documents', '$5 million in aid' (counts under ten are left out)."""
        text = self.t.text
        for match in self._QUANTITY.finditer(text):
            if self.t.in_headline(match.start()):
                continue
            number_text = match["number"]
            if _YEAR.fullmatch(number_text):
                continue
            value = float(number_text.replace(",", ""))
            if match["scale"]:
                value *= self._SCALES[match["scale"]]
            if value < 10 and not match["dollar"] and not match["scale"]:
                continue  # "the 2 countries": a count, not a term
            words: list[re.Match[str]] = []
            for word in re.finditer(r"\S+", match["rest"]):
                # "422 migrants | intercepted at sea", "20,000 documents | to be issued"
                if word.group() in QUANTITY_STOP or (
                    len(word.group()) > 4 and word.group().endswith("ed")
                ):
                    break
                words.append(word)
            if not words:
                continue
            start = match.start()
            end = match.start("rest") + words[-1].end()
            name = text[start:end]
            unit = " ".join(w.group() for w in words)
            quantity: int | float = int(value) if value.is_integer() else value
            self.add(
                Candidate(
                    _slug(name),
                    Kind.TERM,
                    name,
                    "a quantity",
                    properties={"quantity": quantity, "unit": unit},
                ),
                start,
                end,
            )

    def _date_spans(self) -> list[tuple[int, int]]:
        months = MONTH_NAMES
        numbers = "|".join(NUMBER_WORDS)
        patterns = [
            rf"\b(?P<d>(?:{months})\s+\d{{1,2}},?\s+\d{{4}})\b",
            rf"\b(?P<d>\d{{1,2}}\s+(?:{months})\s+\d{{4}})\b",
            rf"\b(?P<d>(?:{months})\s+(?:of\s+)?\d{{4}})\b",
            rf"\b(?P<d>(?:\d+|{numbers})\s+(?:years?|months?)\s+ago)\b",
            rf"\b(?P<d>(?:last|this|next)\s+(?:year|month|spring|summer|fall|autumn|{months}))\b",
            rf"\b(?:in|since|until|by|from)\s+(?P<d>{months})\b",
            r"(?<![\d,.$-])\b(?P<d>(?:1[89]|20)\d\d)\b(?![\d,]|-\d)",
        ]
        spans: list[tuple[int, int]] = []
        for pattern in patterns:
            for match in re.finditer(pattern, self.t.text, re.IGNORECASE):
                start, end = match.span("d")
                words = match["d"].lower().split()
                month_words = [w for w in words if w in MONTHS]
                if month_words and not any(
                    w[0].isupper() for w in match["d"].split() if w.lower() in MONTHS
                ):
                    continue  # "may" the verb, "march" the noun
                spans.append((start, end))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        chosen: list[tuple[int, int]] = []
        for start, end in spans:
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end))
        return chosen

    def dates(self) -> None:
        """Dates as provisional events, named after the clause they stand in."""
        text = self.t.text
        for start, end in self._date_spans():
            if self.t.in_headline(start) or not self.free(start, end):
                continue
            expression = text[start:end]
            value, basis = self._resolve(expression)
            name = self._clause(start, end) or expression
            reason = "a date: say what happened then, and name the event"
            if value is None:
                reason += "; resolving it needs the document's date (ingest --date)"
            candidate = Candidate(
                _slug(name),
                Kind.EVENT,
                name,
                reason,
                date=FuzzyDate(value=value, basis=basis) if value else None,
                date_text=expression,
            )
            self.add(candidate, start, end)

    def _resolve(self, expression: str) -> tuple[str | None, str | None]:
        """An expression as a date value, with the basis when it was relative."""
        absolute = parse_date_text(re.sub(r"\bof\s+", "", expression, flags=re.IGNORECASE))
        if absolute is not None:
            return absolute.value, None
        doc_date = self.doc.date
        if doc_date is None:
            return None, None
        words = expression.lower().split()
        year, month = doc_date.start.year, doc_date.start.month
        has_month = doc_date.precision != Precision.YEAR
        basis = f"{expression!r}, counted from the document's date {doc_date.value}"
        step = {"last": -1, "this": 0, "next": 1}.get(words[0], 0)
        if words[-1] == "ago":
            count = int(words[0]) if words[0].isdigit() else NUMBER_WORDS.get(words[0])
            if count is None:
                return None, None
            if words[1].startswith("year"):
                return str(year - count), basis
            return (_month_value(year, month, -count), basis) if has_month else (None, None)
        if words[-1] == "year":
            return str(year + step), basis
        if not has_month:
            return None, None
        if words[-1] == "month":
            return _month_value(year, month, step), basis
        if words[-1] in SEASON_END_MONTH:
            end_month = SEASON_END_MONTH[words[-1]]
            past = year if month > end_month else year - 1
            return str({"last": past, "this": year, "next": past + 1}[words[0]]), basis
        named = MONTHS.get(words[-1])
        if named is None:
            return None, None
        if step == 1:
            return f"{year if named > month else year + 1:04d}-{named:02d}", basis
        return f"{year if named <= month else year - 1:04d}-{named:02d}", basis

    def _clause(self, start: int, end: int) -> str:
        """The clause a date stands in, as a provisional event name (at most 12 words)."""
        text = self.t.text
        s_start, s_end = next(
            ((s, e) for s, e in self.t.sentences if s <= start < e), (0, len(text))
        )
        left = max(text.rfind(mark, s_start, start) for mark in ",;:")
        rights = [i for i in (text.find(mark, end, s_end) for mark in ",;:") if i >= 0]
        c_start = left + 1 if left >= s_start else s_start
        c_end = min(rights) if rights else s_end
        before = text[c_start:start].split()[-8:]
        # "as he has since the talks resumed in July 2009" -> "Talks resumed in July 2009"
        while before and before[0].lower() in CLAUSE_LEAD_WORDS:
            before.pop(0)
        after = text[end:c_end].rstrip(".!? ").split()[: max(0, 11 - len(before))]
        name = " ".join([*before, text[start:end], *after]).strip(" ,;:")
        return name[:1].upper() + name[1:]


def _month_value(year: int, month: int, offset: int) -> str:
    total = year * 12 + (month - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def find_candidates(
    doc: Document,
    mentions: Sequence[Mention],
    ambiguities: Sequence[Ambiguity] = (),
    known_ids: Iterable[str] = (),
) -> list[Candidate]:
    """What the text names that no mention covers, as candidates for the analyst."""
    taken = [(m.start, m.end) for m in mentions] + [(a.start, a.end) for a in ambiguities]
    finder = _Candidates(doc, TextIndex(doc.text), taken, known_ids)
    finder.names()
    finder.quantities()
    finder.dates()
    return sorted(finder.found.values(), key=lambda c: c.occurrences[0].start)


def analyse(doc: Document, entities: Sequence[Named]) -> Analysis:
    """Link a document's mentions of `entities` and collect candidates for the rest."""
    mentions, ambiguities = find_mentions(doc.text, entities)
    candidates = find_candidates(doc, mentions, ambiguities, (e.id for e in entities))
    return Analysis(doc, mentions, ambiguities, candidates)
