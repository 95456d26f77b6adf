"""Articles as captured from a news web page, cleaned into `Document`s.

The captures still hold the page's chrome: "Accessibility links" and
"Breaking News" before the headline, an image caption repeated as its alt
text, and the trailing "XS SM MD LG" text-size picker. The cleaned text keeps
the headline as its first paragraph, so quotes and mention offsets index into
exactly what is stored.
"""

from __future__ import annotations

import re
from pathlib import Path

from diplograph.model import Document, slugify

LEADING_CHROME = frozenset({"accessibility links", "breaking news", "skip to main content"})
TRAILING_CHROME = frozenset({"xs", "sm", "md", "lg", "print", "share"})


class ArticleError(ValueError):
    """An article file that cannot become a document."""


def clean_text(raw: str) -> str:
    """The article's text without page chrome, paragraphs separated by one blank line."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    while lines and lines[0].lower() in LEADING_CHROME:
        lines.pop(0)
    while lines and lines[-1].lower() in TRAILING_CHROME:
        lines.pop()
    paragraphs: list[str] = []
    for line in lines:
        # A caption and its alt text arrive as the same line twice in a row.
        if paragraphs and paragraphs[-1] == line:
            continue
        paragraphs.append(re.sub(r"[ \t]+", " ", line))
    return "\n\n".join(paragraphs)


def read_article(path: Path) -> Document:
    """Read and clean one captured article; its id is the slug of its headline."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ArticleError(f"{path}: cannot read the article ({error})") from error
    return article_from_text(raw, path.name, where=str(path))


def article_from_text(raw: str, name: str | None = None, where: str = "article") -> Document:
    """Clean a captured article's text into a document; `where` names it in errors."""
    text = clean_text(raw)
    if not text:
        raise ArticleError(f"{where}: no text is left once page chrome is removed")
    title = text.split("\n\n", 1)[0]
    doc_id = slugify(title)[:120].strip("-")
    if not doc_id:
        raise ArticleError(f"{where}: the headline {title!r} gives no usable id")
    return Document(id=doc_id, title=title, text=text, file=name)
