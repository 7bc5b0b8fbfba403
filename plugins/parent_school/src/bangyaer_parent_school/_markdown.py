"""Lesson articles: Markdown rendered to HTML that can carry no script.

markdown-it-py with raw HTML switched off escapes every tag a writer types.
Links keep only the schemes below; images are switched off, since the CSP
allows none from elsewhere and lessons carry their pictures as videos.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Browsers drop these from a URL before reading its scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url: str) -> bool:
    cleaned = _URL_NOISE.sub("", url)
    if cleaned.startswith("//"):
        return True
    scheme = urlsplit(cleaned).scheme.lower()
    return scheme == "" or scheme in LINK_SCHEMES


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table"]).disable(["image"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


_MD = _build()


def render_markdown(source: str) -> str:
    """HTML for an article; safe to mark ``|safe`` in a template."""
    html: str = _MD.render(source)
    return html
