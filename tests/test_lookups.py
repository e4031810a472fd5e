"""Places are found by every name and alias they carry, in whatever script it is written."""

from __future__ import annotations

import pytest

import corridors
from corridors.places import normalise


def test_every_bundled_name_and_alias_finds_its_own_place(net: corridors.Network) -> None:
    lost = []
    for place, row in net.nodes.iterrows():
        for text in (place, row["name"], *row["aliases"]):
            try:
                found = net.place(text)
            except corridors.UnknownPlaceError:
                found = None
            if found != place:
                lost.append(f"{text!r} → {found} (expected {place})")
    assert not lost, f"{len(lost)} names do not find their place: {lost[:10]}"


@pytest.mark.parametrize(("text", "place"), [
    ("Достык", "dostyk"), ("ფოთი", "poti_port"), ("تهران", "tehran"), ("Θεσσαλονίκη", "thessaloniki"),
    ("достык", "dostyk"), ("ΘΕΣΣΑΛΟΝΙΚΗ", "thessaloniki"), ("Xian", "xian"), ("XI AN", "xian"),
])
def test_lookups_in_any_script_and_case(net: corridors.Network, text: str, place: str) -> None:
    assert net.place(text) == place


def test_keys_keep_every_script_and_drop_marks_and_punctuation() -> None:
    assert normalise("Xi'an") == normalise("XIAN") == "xian"
    assert normalise("Constanța") == "constanta"
    assert normalise("Й") == normalise("И")  # a combining breve is an accent like any other
    assert normalise("Ақтоғай") == "ақтоғаи"  # ғ and қ are letters of their own, й loses its breve
    assert normalise("اینچه برون") == "اینچهبرون"
    assert normalise("Xiʼan") == "xian"  # a modifier-letter apostrophe is punctuation
    assert normalise("<>!?") == ""


def test_unknown_names_in_other_scripts_still_get_close_matches(net: corridors.Network) -> None:
    with pytest.raises(corridors.UnknownPlaceError) as caught:
        net.place("Достыкк")
    assert "Dostyk" in caught.value.matches
