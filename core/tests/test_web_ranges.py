"""Parsing the Range header: which bytes a player asked for, or why it cannot have them."""

from __future__ import annotations

import pytest
from bangyaer.web import ByteRange, Unsatisfiable, parse_range


@pytest.mark.parametrize(("header", "expected"), [
    pytest.param("bytes=0-99", ByteRange(0, 100), id="closed"),
    pytest.param("bytes=100-", ByteRange(100, 1000), id="open"),
    pytest.param("bytes=-500", ByteRange(500, 1000), id="suffix"),
    pytest.param("bytes=-5000", ByteRange(0, 1000), id="suffix-longer-than-file"),
    pytest.param("bytes=900-5000", ByteRange(900, 1000), id="end-past-the-file-is-cut"),
    pytest.param("BYTES = 1-1", ByteRange(1, 2), id="unit-case-and-spaces"),
])
def test_a_single_range_is_read_within_the_file(header: str, expected: ByteRange) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", [
    pytest.param("bytes=1000-", id="starts-at-end"),
    pytest.param("bytes=5-2", id="backwards"),
    pytest.param("bytes=-0", id="empty-suffix"),
    pytest.param("bytes=-", id="no-numbers"),
    pytest.param("bytes=abc", id="garbage"),
    pytest.param("items=0-1", id="other-unit"),
    pytest.param("0-1", id="no-unit"),
    pytest.param("bytes=１-2", id="non-ascii-digit"),
])
def test_a_bad_or_unsatisfiable_range_is_refused(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 1000)


def test_several_ranges_get_the_whole_file() -> None:
    assert parse_range("bytes=0-1, 5-9", 1000) is None


def test_content_range_names_the_last_byte_inclusively() -> None:
    assert ByteRange(100, 200).content_range(1000) == "bytes 100-199/1000"
