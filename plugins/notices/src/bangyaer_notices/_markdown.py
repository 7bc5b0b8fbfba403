"""Markdown bodies rendered to HTML that can carry no script.

markdown-it-py with raw HTML switched off escapes every tag a writer types,
so ``<script>`` and ``onerror=`` arrive as text. What is left to police is
the URLs Markdown itself makes: links keep only the schemes below, and
images must come from this site (the CSP allows no other, and an outside
image would tell a third party who read the notice).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SPACE = re.compile(r"\s+")
# Control characters and whitespace that browsers drop from a URL before
# reading its scheme ("java\tscript:" is javascript:).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url: str) -> bool:
    """A link to one of LINK_SCHEMES, or a relative one (no scheme at all)."""
    cleaned = _URL_NOISE.sub("", url)
    if cleaned.startswith("//"):
        return True  # protocol-relative: http(s) on this page's scheme
    scheme = urlsplit(cleaned).scheme.lower()
    return scheme == "" or scheme in LINK_SCHEMES


def is_local_path(url: str) -> bool:
    """A path on this site, such as /notices/3/files/7."""
    cleaned = _URL_NOISE.sub("", url)
    return cleaned.startswith("/") and not cleaned.startswith(("//", "/\\"))


def _local_images_only(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "image" and not is_local_path(str(token.attrGet("src") or "")):
                text = Token("text", "", 0)
                text.content = token.content  # the alt text stands in for the picture
                children.append(text)
            else:
                children.append(token)
        block.children = children


def _external_links_nofollow(state: StateCore) -> None:
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if not is_local_path(href) and not href.startswith("#"):
                    token.attrSet("rel", "nofollow noopener noreferrer")


def _is_cjk(char: str) -> bool:
    # CJK ideographs, CJK and full-width punctuation.
    return bool(char) and ("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")


def _softbreak(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A line break inside a paragraph: a space in English, nothing between Chinese.

    Browsers show a newline as a space, which splits a Chinese sentence that
    was wrapped in the editor ("开放，\n每位" would read "开放， 每位").
    """
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    return "" if _is_cjk(before) and _is_cjk(after) else "\n"


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.core.ruler.push("notices_local_images", _local_images_only)
    md.core.ruler.push("notices_nofollow", _external_links_nofollow)
    md.add_render_rule("softbreak", _softbreak)
    return md


_MD = _build()


def render_markdown(source: str) -> str:
    """HTML for a body; safe to mark ``|safe`` in a template."""
    html: str = _MD.render(source)
    return html


def plain_text(source: str, limit: int = 120) -> str:
    """The words of a body without its markup, for previews and search."""
    words: list[str] = []
    for block in _MD.parse(source):
        if block.type == "inline":
            words.extend(t.content for t in block.children or ()
                         if t.type in ("text", "code_inline"))
            words.append(" ")
    text = _SPACE.sub(" ", "".join(words)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
