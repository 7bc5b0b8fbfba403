"""Names partly masked for the 公示."""

from __future__ import annotations

import pytest
from bangyaer_competitions.scoring.mask import mask_name


@pytest.mark.parametrize(("name", "masked"), [
    pytest.param("明", "*", id="one-character"),
    pytest.param("王明", "王*", id="two-characters"),
    pytest.param("王小明", "王*明", id="three-characters"),
    pytest.param("欧阳小明", "欧**明", id="four-characters"),
    pytest.param(" 王小明 ", "王*明", id="surrounding-space"),
    pytest.param("阿依古丽·买买提", "阿***·买**", id="middle-dot"),
    pytest.param("Zhang Wei", "Z**** W**", id="latin-two-words"),
    pytest.param("Anna-Lena  Schmidt", "A***-L*** S******", id="latin-hyphen-and-spaces"),
    pytest.param("Alice", "A****", id="latin-one-word"),
    pytest.param("Li", "L*", id="latin-short"),
    pytest.param("J Smith", "* S****", id="latin-initial"),
    pytest.param("", "", id="empty"),
    pytest.param("   ", "", id="blank"),
])
def test_names_keep_enough_to_recognise_and_no_more(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize("name", ["王小明", "欧阳小明", "Zhang Wei", "阿依古丽·买买提"])
def test_no_whole_word_of_a_name_survives(name: str) -> None:
    masked = mask_name(name)

    assert len(masked) == len(name)
    for word in name.replace("·", " ").split():
        assert word not in masked
