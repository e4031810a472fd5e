"""Superlatives: each word measured against the routes that serve the same journey."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import corridors
from corridors.compare import compare
from corridors.errors import ValidationError
from corridors.superlatives import load_risks, risks_met, word_verdicts

HEADER = "id,place,kind,since,until,description,sources,note\n"
SOURCE = "trend_2025_baku_port"  # any known source id: these tests are about the mechanics


@pytest.fixture(scope="module")
def comparison(net: corridors.Network):
    return compare(net, "Xi'an", "Duisburg", conditions=["typical"], n=1000)


def _risks(tmp_path: Path, net: corridors.Network, rows: str):
    path = tmp_path / "risks.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return load_risks(net, path)


def test_a_route_meets_the_risks_of_its_countries_and_passages_in_force(tmp_path: Path, net, comparison) -> None:
    risks = _risks(tmp_path, net, f"rus,RUS,sanctions,2022-02,,EU packages,{SOURCE},\n"
                                  f"red_sea,passage:bab_el_mandeb,conflict,2023-11,,attacks,{SOURCE},\n")
    routes = {e.corridor.id: e.route for e in comparison.entries if e.route is not None}
    assert [r.id for r in risks_met(routes["northern"], risks, 2024)] == ["rus"]
    assert risks_met(routes["northern"], risks, 2019) == ()  # not in force before 2022
    assert [r.id for r in risks_met(routes["sea_suez"], risks, 2024)] == ["red_sea"]
    assert risks_met(routes["sea_cape"], risks, 2024) == ()


def test_each_word_ranks_the_best_route_through_azerbaijan_against_the_others(net, comparison) -> None:
    verdicts = {v.word: v for v in word_verdicts(comparison)}
    assert set(verdicts) == {"shortest", "safest", "most_attractive"}
    shortest = verdicts["shortest"]
    table = shortest.table
    # one claimed route (the best-placed of those through Azerbaijan) against every route that avoids it
    assert table["through"].sum() == 1
    assert table.loc[shortest.claimed, "through"]
    assert shortest.of == len(table)
    # the ranks follow the distances, and the verdict follows the rank
    assert shortest.leader == table["distance_km"].idxmin()
    assert shortest.rank == 1 + (table["distance_km"] < table.loc[shortest.claimed, "distance_km"]).sum()
    assert shortest.holds == (shortest.rank <= math.ceil(shortest.of / 2))
    assert shortest.describe().startswith(shortest.claimed)
    for verdict in verdicts.values():
        assert set(verdict.table["rank"]) >= {1}
        assert verdict.table["rank"].is_monotonic_increasing


def test_a_bad_risks_file_lists_every_problem(tmp_path: Path, net) -> None:
    with pytest.raises(ValidationError) as caught:
        _risks(tmp_path, net, f"a,ATL,sanctions,2022-02,,x,{SOURCE},\n"
                              f"b,passage:nowhere,conflict,2022-02,,x,{SOURCE},\n"
                              f"c,RUS,embargo,2022-02,,x,{SOURCE},\n"
                              f"d,RUS,sanctions,2022,,x,{SOURCE},\n"
                              f"e,RUS,sanctions,2022-02,2021-01,x,{SOURCE},\n"
                              "f,RUS,sanctions,2022-02,,x,nobody,\n")
    assert [(p.row, p.field) for p in caught.value.problems] == [
        ("line 2", "place"), ("line 3", "place"), ("line 4", "kind"), ("line 5", "since"), ("line 6", "until"),
        ("line 7", "sources")]
