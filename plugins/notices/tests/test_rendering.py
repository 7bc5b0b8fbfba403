"""Markdown to safe HTML, and the plain text used for previews and search."""

from __future__ import annotations

import pytest
from bangyaer_notices._markdown import is_safe_link, plain_text, render_markdown


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)",
    " javascript:alert(1)", "vbscript:msgbox", "data:text/html,<b>x</b>", "file:///etc/passwd",
])
def test_links_with_dangerous_schemes_are_refused(url: str) -> None:
    assert is_safe_link(url) is False


@pytest.mark.parametrize("url", [
    "https://example.org/a", "http://example.org", "mailto:office@example.org",
    "tel:057100000000", "/notices/3", "#section", "报名.pdf", "//example.org/x",
])
def test_ordinary_links_are_kept(url: str) -> None:
    assert is_safe_link(url) is True


def test_raw_html_is_escaped() -> None:
    assert render_markdown("<b onclick=x>粗</b>") == (
        "<p>&lt;b onclick=x&gt;粗&lt;/b&gt;</p>\n")


def test_refused_link_is_left_as_text() -> None:
    assert render_markdown("[点](javascript:alert(1))") == "<p>[点](javascript:alert(1))</p>\n"


def test_outside_links_get_nofollow() -> None:
    assert render_markdown("[区教育局](https://example.org)") == (
        '<p><a href="https://example.org" rel="nofollow noopener noreferrer">区教育局</a></p>\n')


def test_images_from_this_site_are_kept() -> None:
    assert render_markdown("![合影](/notices/3/files/7)") == (
        '<p><img src="/notices/3/files/7" alt="合影" /></p>\n')


def test_tables_are_rendered() -> None:
    html = render_markdown("| 姓名 | 奖项 |\n|---|---|\n| 王*明 | 一等奖 |")

    assert "<td>王*明</td>" in html and "<th>奖项</th>" in html


def test_plain_text_drops_markup_and_cuts_long_text() -> None:
    assert plain_text("## 报名时间\n\n- **1 月 2 日**\n- [详情](/x)") == "报名时间 1 月 2 日 详情"
    assert plain_text("字" * 200, limit=10) == "字" * 9 + "…"


def test_a_wrapped_chinese_sentence_is_joined_without_a_space() -> None:
    assert render_markdown("选课将于周一开放，\n每位同学限选两门。") == (
        "<p>选课将于周一开放，每位同学限选两门。</p>\n")


def test_a_wrapped_english_sentence_keeps_its_space() -> None:
    assert render_markdown("Classes open\non Monday.") == "<p>Classes open\non Monday.</p>\n"
