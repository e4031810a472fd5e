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


@pytest.mark.parametrize(("text", "passage"), [
    ("Suez Canal", "suez"), ("Red Sea", "suez"), ("Bab-el-Mandeb", "bab_el_mandeb"), ("Bab al-Mandab", "bab_el_mandeb"),
    ("Bosphorus", "bosporus"), ("Cape of Good Hope", "cape_of_good_hope"), ("Strait of Hormuz", "hormuz"),
    ("cape_of_good_hope", "cape_of_good_hope"), ("PANAMA", "panama"),
])
def test_an_avoid_list_and_a_scenario_read_a_passage_name_alike(net: corridors.Network, text: str,
                                                               passage: str) -> None:
    from corridors.places import passage_named

    assert passage_named(text) == passage
    assert net._constraints([text]).passages == {passage}
    closing = corridors.Scenario.closing(text, network=net)
    assert [c.settings for c in closing.changes] == [{"passage": passage}]


def test_every_passage_alias_names_a_known_passage_and_no_place_or_country(net: corridors.Network) -> None:
    from corridors import contract

    assert set(contract.PASSAGE_ALIASES.values()) <= set(contract.PASSAGES)
    assert all(normalise(alias) == alias for alias in contract.PASSAGE_ALIASES)  # written as lookup keys
    countries = {normalise(n) for n in corridors.boundaries()["name"]}
    for alias in contract.PASSAGE_ALIASES:
        assert alias not in countries, alias  # an avoid list reads a passage before a country
        assert net._index.find(alias) is None, alias
