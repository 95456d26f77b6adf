"""HTML pages as article text: a real HTML parser (selectolax's Lexbor, an HTML5 parser),
not tag-stripping by regular expression.

Scripts, styles, forms, navigation, asides and footers are dropped; what is left of the
page's main content (`<article>`, `<main>`, or the body) becomes paragraphs, one per block
element, so the rest of ingest treats it like a captured text. The headline is the page's
`<h1>` (else `og:title`, else `<title>` without its " | Site" tail); the publication date
and canonical URL come from the page's metadata when it has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from loaders.names import words

# Never article text: code, styling, widgets, and the page's own navigation.
DROPPED = words(
    """script style noscript template iframe object embed svg canvas math form button select
    option input textarea label nav aside footer menu dialog head"""
)
# Elements that start a new paragraph.
BLOCKS = words(
    """p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre
    table thead tbody tfoot tr td th figure figcaption address hr details summary caption"""
)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"</?(?:p|div|span|a|br|h[1-6]|li|table|section|article)\b[^>]*>", re.IGNORECASE)
_TITLE_TAIL = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014]{1,60}$")
_DATE_META = (
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[name="date"]',
    'meta[name="DC.date.issued"]',
    'meta[name="dcterms.date"]',
    'meta[itemprop="datePublished"]',
)


def looks_like_html(raw: str, name: str | None = None) -> bool:
    """An HTML page or fragment rather than plain text: by its name, its opening, or a
    text that is mostly markup (three tags or more)."""
    if name and name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = raw[:4096]
    return bool(_HTML_START.match(head)) or len(_TAG.findall(head)) >= 3


@dataclass(frozen=True)
class HtmlPage:
    """An HTML page's readable text (headline first), and its metadata when stated."""

    text: str
    title: str | None
    date: str | None
    url: str | None


def _attr(tree: LexborHTMLParser, selector: str, attribute: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = node.attributes.get(attribute)
    return value.strip() if value and value.strip() else None


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(root: LexborNode) -> list[str]:
    """The text of `root`, one paragraph per block element; iterative, so deeply nested
    markup cannot exhaust the stack."""
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        line = _one_line("".join(buffer))
        buffer.clear()
        if line:
            paragraphs.append(line)

    # (node, entering): a block element is pushed again to flush when it is left.
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if not entering:
            flush()
            continue
        if node.is_text_node:
            buffer.append(node.text_content or "")
            continue
        tag = (node.tag or "").lower()
        if tag in DROPPED or node.is_comment_node:
            continue
        if tag == "br":
            flush()
            continue
        if tag in BLOCKS:
            flush()
            stack.append((node, False))
        children: list[LexborNode] = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, True) for c in reversed(children))
    flush()
    return paragraphs


def html_to_text(raw: str) -> HtmlPage:
    """The readable text of an HTML page, headline first, paragraphs separated by a
    blank line (what `loaders.articles.clean_text` expects)."""
    tree = LexborHTMLParser(raw)
    heading = tree.css_first("article h1, main h1, h1")
    title = _one_line(heading.text()) if heading is not None else ""
    if not title:
        title = _one_line(_attr(tree, 'meta[property="og:title"]', "content") or "")
    if not title:
        page_title = tree.css_first("title")
        if page_title is not None:
            title = _TITLE_TAIL.sub("", _one_line(page_title.text()))
    date = next((d for s in _DATE_META if (d := _attr(tree, s, "content"))), None)
    date = date or _attr(tree, "time[datetime]", "datetime")
    url = _attr(tree, 'link[rel="canonical"]', "href") or _attr(
        tree, 'meta[property="og:url"]', "content"
    )
    root = (
        tree.css_first("article") or tree.css_first("main") or tree.css_first('[role="main"]')
    ) or tree.body
    paragraphs = _paragraphs(root) if root is not None else []
    if title:
        paragraphs = [title, *(p for p in paragraphs if p != title)]
    return HtmlPage("\n\n".join(paragraphs), title or None, _iso_day(date), url)


def _iso_day(value: str | None) -> str | None:
    """'2012-03-05T10:00:00Z' -> '2012-03-05'; anything else is left to the text."""
    if value is None:
        return None
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:$|[T ])", value)
    return match[1] if match else None
