"""Damaged files: every cleaner either makes a clean copy or refuses with AnonymiseError.

Nothing else may escape (a parser's own exception would stop the freeze for
a whole activity), and a copy that was made must pass the residual check.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bangyaer_competitions.anonymise import (
    DOCX,
    AnonymiseError,
    anonymise_file,
    residual_metadata,
    samples,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KINDS: list[tuple[str, Callable[[], bytes], str]] = [
    ("jpeg", samples.jpeg, "image/jpeg"),
    ("png", samples.png, "image/png"),
    ("webp", samples.webp, "image/webp"),
    ("heic", samples.heic, "image/heic"),
    ("pdf", samples.pdf, "application/pdf"),
    ("docx", samples.docx, DOCX),
    ("mp4", samples.mp4, "video/mp4"),
    ("mp3", samples.mp3, "audio/mpeg"),
    ("wav", samples.wav, "audio/wav"),
]
ORIGINALS = {name: build() for name, build, _ in KINDS}


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """The file cut short, or with a few bytes overwritten after its magic number."""
    cut = st.integers(16, len(data) - 1).map(lambda n: data[:n])
    spot = st.tuples(st.integers(16, len(data) - 1), st.binary(min_size=1, max_size=8))
    flipped = st.lists(spot, min_size=1, max_size=4).map(lambda spots: _overwrite(data, spots))
    return st.one_of(cut, flipped)


def _overwrite(data: bytes, spots: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for at, junk in spots:
        out[at:at + len(junk)] = junk
    return bytes(out[:len(data)])


@pytest.mark.parametrize(("name", "ctype"), [pytest.param(n, t, id=n) for n, _, t in KINDS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damage_gives_a_clean_copy_or_a_refusal(
    name: str, ctype: str, data: st.DataObject
) -> None:
    broken = data.draw(damaged(ORIGINALS[name]))
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src", Path(tmp) / "copy"
        src.write_bytes(broken)
        try:
            cleaned = anonymise_file(src, dst, ctype)
        except AnonymiseError as exc:
            assert exc.code and exc.message
            assert not dst.exists()
            return
        assert residual_metadata(dst, cleaned.content_type) == []
