"""School years on one scale: kindergarten below primary, middle school above it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bangyaer.identity.years import span_name, year_name, year_of


@pytest.mark.parametrize(("stage", "grade", "year"), [
    pytest.param("kindergarten", 1, -2, id="小班"),
    pytest.param("kindergarten", 3, 0, id="大班"),
    pytest.param("primary", 3, 3, id="三年级"),
    pytest.param("middle", 1, 7, id="初一"),
])
def test_stages_share_one_scale(stage, grade, year):
    assert year_of(SimpleNamespace(stage=stage, grade=grade)) == year


def test_a_person_without_stage_or_grade_has_no_year():
    assert year_of(SimpleNamespace(stage="primary", grade=None)) is None
    assert year_of(SimpleNamespace(stage=None, grade=3)) is None


def test_a_band_is_named_from_its_ends():
    assert span_name(0, 2) == "大班至二年级"
    assert span_name(7, 7) == "初一"
    assert year_name(12) == "12"
