"""New documents: an article capture or posted text as a `Document` (headline, date,
URL found in the text or given), ready for linking."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from diplograph.model import Document, FuzzyDate, slugify
from loaders.articles import ArticleError, article_from_text, read_article
from loaders.ingest.text import WEEKDAYS
from loaders.names import MONTHS

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


def prepare_article(path: Path, *, date: str | None = None, url: str | None = None) -> Document:
    """Read a captured article for ingest (see `prepare_document`)."""
    return prepare_document(read_article(path), date=date, url=url, where=str(path))


def prepare_text(
    raw: str, *, date: str | None = None, url: str | None = None, where: str = "article"
) -> Document:
    """A captured article's text, as posted to the API, prepared for ingest."""
    return prepare_document(article_from_text(raw, where=where), date=date, url=url, where=where)


def prepare_document(
    doc: Document, *, date: str | None = None, url: str | None = None, where: str = "article"
) -> Document:
    """A cleaned article ready for ingest: date and URL picked up from the capture.

    A paragraph that is only a URL ("https://...", "URL: https://...") or only a date
    ("June 19, 2010", "Published: 2010-06-19 14:30") is capture metadata: it is taken
    out of the text and becomes the document's `url`/`date`, so the headline stays the
    first paragraph. `date`/`url` given here win over what the capture says. Raises
    `ArticleError` naming `where` when no text is left or the date is invalid.
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
        else:
            body.append(paragraph)
    if not body:
        raise ArticleError(f"{where}: no text is left once page chrome is removed")
    text = "\n\n".join(body)
    title = body[0]
    doc_id = slugify(title)[:120].strip("-")
    if not doc_id:
        raise ArticleError(f"{where}: the headline {title!r} gives no usable id")
    if date is not None:
        try:
            found_date = FuzzyDate(value=date)
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ArticleError(f"{where}: --date {message}") from None
    return Document(
        id=doc_id,
        title=title,
        text=text,
        file=doc.file,
        url=url or found_url,
        date=found_date,
    )
