"""New documents: an article capture, an HTML page or posted text as a `Document`
(headline, date, URL found in the text or given), ready for linking.

Input is refused, naming where it came from, before anything is written: over
`MAX_INPUT_BYTES` (or `MAX_TEXT_CHARS` once read), not UTF-8, binary (control
characters), or with no article text once page chrome is removed (menus, share buttons,
cookie notices: no paragraph that reads as a sentence). HTML goes through
`loaders.ingest.html` first.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from diplograph.model import Document, FuzzyDate, slugify
from loaders.articles import ArticleError, article_from_text
from loaders.ingest.html import html_to_text, looks_like_html
from loaders.ingest.text import WEEKDAYS
from loaders.names import MONTHS

_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f]+", re.IGNORECASE)
_URL_LINE = re.compile(r"^(?:(?:url|source|link)\s*:\s*)?(https?://\S+)$", re.IGNORECASE)
_DATE_PREFIX = r"(?:(?:published|posted|updated|last updated|date|dated)\s*:?\s*(?:on\s+)?)?"
MONTH_NAMES = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
_DATE_LINE = re.compile(
    rf"^{_DATE_PREFIX}(?:(?:{'|'.join(sorted(WEEKDAYS))}),?\s+)?"
    rf"(?P<date>(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<md>(?:{MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}})"
    rf"|(?P<dm>\d{{1,2}}\s+(?:{MONTH_NAMES})\s+\d{{4}})"
    rf"|(?P<m>(?:{MONTH_NAMES})\s+\d{{4}}))"
    r"(?:\s*(?:-|,|at)?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\.?$",
    re.IGNORECASE,
)


_WEEKDAY = rf"(?:(?:{'|'.join(sorted(WEEKDAYS))}),?\s+)?"
_FULL_DATE = (
    rf"(?P<date>(?:{MONTH_NAMES})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+(?:{MONTH_NAMES})\s+\d{{4}})"
)
_AGENCY = r"(?:\s*\([A-Z][\w .&'-]{0,40}\))?"
# A dateline opening the article's first lines: the place in capitals ("WASHINGTON",
# "NEW DELHI", "PORT-AU-PRINCE, Haiti"), a news agency perhaps, then the full date and a
# dash or colon: "WASHINGTON, March 3, 2015 -", "BEIJING (Reuters), July 10, 2014 -".
_DATELINE = re.compile(
    rf"^[A-Z][A-Z.'-]+(?:[ ][A-Z][A-Z.'-]+)*(?:,\s+[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+)?)?{_AGENCY}"
    rf"\s*,?\s+{_WEEKDAY}{_FULL_DATE}{_AGENCY}\s*(?:[-\u2013\u2014:]|\.\s)",
    re.IGNORECASE,
)
# What a press office's header line starts with: "Media Note | Office of the Spokesperson |
# Washington, DC | March 3, 2015", run together in one line by a capture.
_GENRES = (
    r"(?:media note|press (?:statement|release|briefing)|(?:joint )?statement|readout"
    r"|remarks|fact sheet|taken question|notice to the press|special briefing|op-ed"
    r"|editorial|communiqu[e\u00e9]|office of the spokesperson)"
)
_HEADER = re.compile(rf"^{_GENRES}\b[^.!?]{{0,120}}?\b{_WEEKDAY}{_FULL_DATE}\.?$", re.IGNORECASE)
# A header line of a place and a date, alone on its line: "Oslo, March 3, 2014", "Cape Town,
# South Africa, 3 March 2014". The place in title case, a region or country after a comma.
_PLACE = r"[A-Z][\w.'-]*(?:[ ][A-Z][\w.'-]*){0,3}"
_CITY_DATE = re.compile(
    rf"^(?P<place>{_PLACE}(?:,[ ]{_PLACE})?),?[ ]{_WEEKDAY}{_FULL_DATE}\.?$", re.IGNORECASE
)


def city_date_line(line: str) -> re.Match[str] | None:
    """A header line "Oslo, March 3, 2014": the place's words in title case (the pattern
    ignores case for the month's sake)."""
    found = _CITY_DATE.match(line)
    words = found["place"].replace(",", " ").split() if found else []
    return found if words and all(w[0].isupper() for w in words) else None


# How many paragraphs after the headline a dateline or header line may stand in.
_DATELINE_PARAGRAPHS = 4


def date_in_dateline(paragraphs: list[str]) -> FuzzyDate | None:
    """The date a dateline or a press office's header line gives, among the first
    paragraphs: the document's date when none is given or captured on a line of its own.
    The place in a dateline must be in capitals, so a sentence that starts with a date
    ("On March 3, 2015 -") or a name ("Kerry, March 3 -") is no dateline."""
    for paragraph in paragraphs[:_DATELINE_PARAGRAPHS]:
        line = " ".join(paragraph.split())
        dateline = _DATELINE.match(line)
        place = re.split(r"[,(]", line, maxsplit=1)[0]
        if dateline is not None and place.isupper():
            found = parse_date_text(dateline["date"].replace(".", ""))
            if found is not None:
                return found
        header = _HEADER.match(line) or city_date_line(line)
        if header is not None and len(line.split()) <= 20:
            found = parse_date_text(header["date"].replace(".", ""))
            if found is not None:
                return found
    return None


# A dateline's date, with its year or without ("JAKARTA, October 14 -"): where in the text
# it stands, so that no meeting or event takes it; it dates the document only.
_DATELINE_DAY = re.compile(
    rf"[A-Z][A-Z.'-]+(?:[ ][A-Z][A-Z.'-]+)*(?:,\s+[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+)?)?{_AGENCY}"
    rf"\s*,?\s+{_WEEKDAY}(?P<date>(?:{MONTH_NAMES})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+(?:{MONTH_NAMES})(?:\s+\d{{4}})?){_AGENCY}\s*(?:[-\u2013\u2014:]|\.\s)",
    re.IGNORECASE,
)


def _first_paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """The headline and the paragraphs a dateline may stand in, with their offsets."""
    starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]
    for start in starts[: _DATELINE_PARAGRAPHS + 1]:
        block = re.match(r"(?:[^\n]|\n(?!\s*\n))*", text[start:])
        yield start, block.group() if block else ""


def dateline_place_spans(text: str) -> list[tuple[int, int]]:
    """The offsets of the city of a "City, Date" header line ("Oslo, March 3, 2014"): where
    the text was written, a place of its own."""
    return [
        (start + found.start("place"), start + found.start("place") + len(city))
        for start, paragraph in _first_paragraphs(text)
        if (found := city_date_line(paragraph)) is not None
        for city in [found["place"].split(",")[0]]
    ]


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """The offsets of the dates that datelines and press offices' header lines give in the
    first paragraphs of a stored text (the headline first): the document's own date, never
    the date of what the text reports ("JAKARTA, October 14 - ... met on October 13")."""
    spans: list[tuple[int, int]] = []
    for start, paragraph in _first_paragraphs(text):
        dateline = _DATELINE_DAY.match(text, start)
        if dateline is not None and re.split(r"[,(]", paragraph, maxsplit=1)[0].isupper():
            spans.append(dateline.span("date"))
            continue
        line = " ".join(paragraph.split())
        if (_HEADER.match(line) or city_date_line(paragraph)) and len(line.split()) <= 20:
            dates = list(re.finditer(_FULL_DATE, paragraph, re.IGNORECASE))
            if dates:
                spans.append((start + dates[-1].start(), start + dates[-1].end()))
    return spans


def parse_date_text(text: str) -> FuzzyDate | None:
    """'June 19, 2010' -> 2010-06-19, '19 June 2010', '2010-06-19', 'June 2010' -> 2010-06."""
    text = re.sub(r"\s+", " ", text.strip().rstrip(".")).lower()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    parts: tuple[str, int | None, int | None]
    if iso:
        parts = (iso[1], int(iso[2]), int(iso[3]))
    elif m := re.fullmatch(rf"({MONTH_NAMES}) (\d{{1,2}}),? (\d{{4}})", text):
        parts = (m[3], MONTHS[m[1]], int(m[2]))
    elif m := re.fullmatch(rf"(\d{{1,2}}) ({MONTH_NAMES}),? (\d{{4}})", text):
        parts = (m[3], MONTHS[m[2]], int(m[1]))
    elif m := re.fullmatch(rf"({MONTH_NAMES}),? (\d{{4}})", text):
        parts = (m[2], MONTHS[m[1]], None)
    elif m := re.fullmatch(r"(1[89]\d\d|20\d\d)", text):
        parts = (m[1], None, None)
    else:
        return None
    year, month, day = parts
    value = year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    try:
        return FuzzyDate(value=value)
    except ValidationError:
        return None


# The warning for a text with no date; `services.pipeline.settle_warnings` finds it.
NO_DATE = "no date found in the text"
MAX_INPUT_BYTES = 2_000_000
"""The largest file or posted text ingest reads (an HTML page with its markup)."""
MAX_TEXT_CHARS = 200_000
MAX_URL_CHARS = 2_000
"""The longest article text ingest links (about 30,000 words, a long report); linking
and candidate finding grow faster than the text, so longer input is split by hand."""

# C0 controls other than tab, newline, carriage return and form feed: never in a text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Paragraphs that are page furniture, not article text, wherever they stand.
_CHROME_LINE = re.compile(
    r"^(?:home|menu|search|share|print|email|e-mail|facebook|twitter|x|linkedin|whatsapp"
    r"|subscribe|sign in|log in|sign up|register|skip to (?:main )?content|back to top"
    r"|top of page|related (?:articles|stories|content)|read more|more stories|advertisement"
    r"|follow us|contact us|about us|privacy policy|terms of use|cookie settings"
    r"|(?:copyright|\u00a9).*|all rights reserved\.?"
    r"|.*\bcookies?\b.*\b(?:use|uses|accept|policy|settings|consent)\b.*)$",
    re.IGNORECASE,
)
# A sentence: three words, then an end mark (checked in two linear steps: one pattern for
# both was quadratic on a long run of letters, and held the server for seconds).
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
_WORD = re.compile(r"\w+")
# Page furniture is short: longer paragraphs are never matched against it (the cookie
# pattern's backtracking is quadratic in the paragraph's length).
CHROME_MAX_CHARS = 300


def reads_as_sentence(paragraph: str) -> bool:
    end = _SENTENCE_END.search(paragraph)
    return end is not None and sum(1 for _ in _WORD.finditer(paragraph, 0, end.start())) >= 3


def _too_long(where: str, size: int, limit: int, unit: str) -> ArticleError:
    return ArticleError(
        f"{where}: {size:,} {unit} is over ingest's limit of {limit:,} {unit}; "
        "split the text into several documents"
    )


def read_input(raw: str, where: str, name: str | None = None) -> tuple[str, dict[str, str]]:
    """Posted or read text checked and, for HTML, turned into text: (text, metadata)."""
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise _too_long(where, size, MAX_INPUT_BYTES, "bytes")
    if _CONTROL.search(raw):
        raise ArticleError(f"{where}: holds control characters; a binary file, not text")
    meta: dict[str, str] = {}
    if looks_like_html(raw, name):
        page = html_to_text(raw)
        raw = page.text
        meta = {k: v for k, v in (("date", page.date), ("url", page.url)) if v}
    if len(raw) > MAX_TEXT_CHARS:
        raise _too_long(where, len(raw), MAX_TEXT_CHARS, "characters of text")
    return raw, meta


def prepare_article(
    path: Path,
    *,
    date: str | None = None,
    url: str | None = None,
    warnings: list[str] | None = None,
) -> Document:
    """Read a captured article or saved HTML page for ingest (see `prepare_document`)."""
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_long(str(path), size, MAX_INPUT_BYTES, "bytes")
        # A pipe or a device (/dev/zero, `<(command)`) says size 0: read one byte past the
        # limit at most, never the whole stream.
        with path.open("rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise _too_long(str(path), len(data), MAX_INPUT_BYTES, "bytes")
    except OSError as error:
        raise ArticleError(f"{path}: cannot read the article ({error})") from error
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleError(
            f"{path}: cannot read the article: not UTF-8 text, a binary file? ({error})"
        ) from None
    return prepare_text(raw, date=date, url=url, where=str(path), name=path.name, warnings=warnings)


def prepare_text(
    raw: str,
    *,
    date: str | None = None,
    url: str | None = None,
    where: str = "article",
    name: str | None = None,
    warnings: list[str] | None = None,
    date_option: str = "--date",
) -> Document:
    """A captured article's text (or an HTML page), as posted or read, prepared for ingest."""
    if not raw.strip():
        raise ArticleError(f"{where}: the text is empty")
    text, meta = read_input(raw, where, name)
    published = None
    if "date" in meta:
        # A page's bad metadata date is no reason to refuse its text.
        with contextlib.suppress(ValidationError):
            published = FuzzyDate(value=meta["date"])
    return prepare_document(
        article_from_text(text, name, where=where),
        date=date,
        url=url or meta.get("url"),
        where=where,
        published=published,
        warnings=warnings,
        date_option=date_option,
    )


def prepare_document(
    doc: Document,
    *,
    date: str | None = None,
    url: str | None = None,
    where: str = "article",
    published: FuzzyDate | None = None,
    warnings: list[str] | None = None,
    date_option: str = "--date",
) -> Document:
    """A cleaned article ready for ingest: date and URL picked up from the capture.

    A paragraph that is only a URL ("https://...", "URL: https://...") or only a date
    ("June 19, 2010", "Published: 2010-06-19 14:30") is capture metadata: it is taken
    out of the text and becomes the document's `url`/`date`, so the headline stays the
    first paragraph. `date`/`url` given here win over what the capture says; without
    either date, the page's `published` date, else a dateline or a press office's header
    line in the first paragraphs ("WASHINGTON, March 3, 2015 -", `date_in_dateline`). When
    `date` differs from the date the capture gives, `date` still wins and a line naming
    `where` and both dates is added to `warnings`; so is a line naming `date_option` (how
    the caller gives a date: the CLI's `--date`, the mutation's `date`) when no date is
    found. Raises `ArticleError` naming `where`
    when no text is left or the date is invalid.
    """
    found_url: str | None = None
    found_date: FuzzyDate | None = None
    body: list[str] = []
    for paragraph in doc.text.split("\n\n"):
        url_line = _URL_LINE.match(paragraph)
        date_line = _DATE_LINE.match(paragraph)
        if url_line:
            found_url = found_url or url_line[1]
        elif date_line and (parsed := parse_date_text(date_line["date"])):
            found_date = found_date or parsed
        elif (
            len(paragraph) > CHROME_MAX_CHARS
            or len(paragraph.split()) > 30
            or not _CHROME_LINE.match(paragraph)
        ):
            body.append(paragraph)
    if not body:
        raise ArticleError(f"{where}: no text is left once page chrome is removed")
    if not any(reads_as_sentence(p) for p in body):
        raise ArticleError(
            f"{where}: no article text: only a headline, links or page chrome "
            "(no paragraph reads as a sentence)"
        )
    found_date = found_date or published or date_in_dateline(body)
    text = "\n\n".join(body)
    title = body[0]
    doc_id = slugify(title)[:120].strip("-")
    if not doc_id:
        raise ArticleError(f"{where}: the headline {title!r} gives no usable id")
    if date is not None:
        try:
            given = FuzzyDate(value=date)
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ArticleError(f"{where}: date {message}") from None
        if found_date is not None and found_date.value != given.value and warnings is not None:
            # The text says otherwise: the given date is kept, but not silently.
            warnings.append(
                f"{where}: the date given ({given.value}) differs from the date in the text "
                f"({found_date.value}); {given.value} is used"
            )
        found_date = given
    if found_date is None and warnings is not None:
        # Relative and year-less dates in it then stay undated: say so, not silently.
        warnings.append(
            f'{where}: {NO_DATE} (a dateline such as "OSLO, May 14, 2024 -" '
            f"or a date line in the header); pass {date_option} YYYY-MM-DD to date it"
        )
    if url is not None and len(url) > MAX_URL_CHARS:
        # Neo4j's url index takes keys of at most about 8 KB; no real address comes near.
        raise ArticleError(
            f"{where}: url is {len(url):,} characters long; at most {MAX_URL_CHARS:,}"
        )
    if url is not None and not _WEB_URL.fullmatch(url):
        # Clients render the url as a link: only a web address, never javascript: or data:.
        raise ArticleError(f"{where}: url {url[:80]!r} is not an http(s) address")
    return Document(
        id=doc_id,
        title=title,
        text=text,
        file=doc.file,
        url=url or found_url,
        date=found_date,
    )
