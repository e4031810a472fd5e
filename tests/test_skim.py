"""Skims: one search per origin gives, for every destination, the totals of the route that Network.route finds."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import corridors


def _assert_matches_route(row: pd.Series, route: corridors.Route) -> None:
    assert row["reachable"]
    assert row["distance_km"] == pytest.approx(route.distance_km)
    assert row["time_h"] == pytest.approx(route.time_h)
    assert row["time_days"] == pytest.approx(route.time_days)
    assert row["border_crossings"] == len(route.border_crossings)
    for column, total in (("cost_usd", route.cost_usd), ("co2_kg", route.co2_kg)):  # NaN without cost data
        assert row[column] == pytest.approx(total, nan_ok=True), column


@pytest.mark.parametrize("by", ["time", "distance", "cost"])
def test_a_skim_gives_the_totals_of_the_routes(net: corridors.Network, by: str) -> None:
    origins = ["Xi'an", "Urumqi", "Chongqing"]
    destinations = ["Poti", "Constanta", "Baku", "Duisburg"]
    skim = net.skim(origins, destinations, by=by)
    assert skim.index.names == ["origin", "destination"]
    assert len(skim) == len(origins) * len(destinations)
    for origin in origins:
        for destination in destinations:
            row = skim.loc[(net.place(origin), net.place(destination))]
            _assert_matches_route(row, net.route(origin, destination, by=by))


def test_a_skim_under_other_conditions_prices_the_booked_routes_under_them(net: corridors.Network) -> None:
    skim = net.skim("Xi'an", ["Poti", "Constanta"], conditions="congested")
    typical = net.skim("Xi'an", ["Poti", "Constanta"])
    for destination in ("Poti", "Constanta"):
        row = skim.loc[(net.place("Xi'an"), net.place(destination))]
        _assert_matches_route(row, net.route("Xi'an", destination, conditions="congested"))
        assert row["time_h"] > typical.loc[(net.place("Xi'an"), net.place(destination)), "time_h"]


def test_flights_are_skimmed_only_to_and_from_airports(net: corridors.Network) -> None:
    airport = net.nodes.index[net.nodes["kind"] == "airport"][0]
    skim = net.skim(["Xi'an", airport], ["Baku", airport])
    for origin, destination in skim.index:
        if origin != destination:
            _assert_matches_route(skim.loc[(origin, destination)], net.route(origin, destination))


def test_what_is_avoided_is_avoided(net: corridors.Network) -> None:
    skim = net.skim("Xi'an", "Poti", avoid=["KAZ"])
    _assert_matches_route(skim.iloc[0], net.route("Xi'an", "Poti", avoid=["KAZ"]))


def test_an_unreachable_pair_has_nan_totals_and_a_reason(mini: corridors.Network) -> None:
    skim = mini.skim(["urumqi", "alat_port"], ["alat_port", "dostyk"], avoid=["ferry"])
    row = skim.loc[("urumqi", "alat_port")]
    assert not row["reachable"]
    assert row["reason"] == "no route without what is avoided"
    for column in ("distance_km", "time_h", "time_days", "cost_usd", "co2_kg"):
        assert math.isnan(row[column]), column  # never a large number standing for "no route"
    assert pd.isna(row["border_crossings"])
    assert not skim.loc[("alat_port", "dostyk"), "reachable"]
    _assert_matches_route(skim.loc[("urumqi", "dostyk")], mini.route("urumqi", "dostyk", avoid=["ferry"]))


def test_an_avoided_end_is_the_reason(mini: corridors.Network) -> None:
    skim = mini.skim("urumqi", ["dostyk", "alat_port"], avoid=["dostyk"])
    assert skim.loc[("urumqi", "dostyk"), "reason"] == "an end of the route is avoided"
    assert skim.loc[("urumqi", "alat_port"), "reason"] == "no route without what is avoided"


def test_a_place_paired_with_itself_is_reached_at_zero(mini: corridors.Network) -> None:
    skim = mini.skim("urumqi", ["urumqi", "dostyk"])
    row = skim.loc[("urumqi", "urumqi")]
    assert row["reachable"]
    assert row["distance_km"] == 0.0
    assert row["time_h"] == 0.0


def test_unknown_places_are_refused_with_close_matches(mini: corridors.Network) -> None:
    with pytest.raises(corridors.UnknownPlaceError):
        mini.skim("urumqi", ["Atlantis"])


def test_a_skim_on_a_large_synthetic_grid_matches_its_routes(tmp_path) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_grid

    grid = corridors.load_network(write_grid(tmp_path / "grid", 3_000))
    assert len(grid.expanded_graph().arcs) >= corridors.routing.COMPILED_FROM_ARCS  # the compiled engine routes
    places = list(grid.nodes.index)
    skim = grid.skim(places[0], places[::97])
    for destination in places[::97][1:]:
        _assert_matches_route(skim.loc[(places[0], destination)], grid.route(places[0], destination))


def test_a_skim_simulates_each_pair_as_simulate_does(net) -> None:
    """With journeys, each reachable pair gains P10/P50/P90 drawn on the route net.route books, from its own seed."""
    frame = net.skim(["Xi'an", "Duisburg"], ["Poti", "Duisburg"], journeys=3000, seed=5)
    again = net.skim(["Xi'an", "Duisburg"], ["Poti", "Duisburg"], journeys=3000, seed=5)
    pd.testing.assert_frame_equal(frame, again)
    row = frame.loc[("xian", "poti_port")]
    reference = net.route("Xi'an", "Poti").simulate(n=3000, seed=11).percentiles((10, 50, 90))
    assert row["p50_days"] == pytest.approx(reference["P50"], rel=0.02)
    assert row["p10_days"] == pytest.approx(reference["P10"], rel=0.03)
    assert row["p90_days"] == pytest.approx(reference["P90"], rel=0.03)
    assert row["p10_days"] < row["p50_days"] < row["p90_days"]
    assert frame.loc[("duisburg", "duisburg"), ["p10_days", "p50_days", "p90_days"]].tolist() == [0.0, 0.0, 0.0]
    assert "p50_days" not in net.skim("Xi'an", "Poti").columns  # figures only when journeys are asked for
    with pytest.raises(corridors.CorridorError, match="journeys"):
        net.skim("Xi'an", "Poti", journeys=-1)


def test_the_skim_command(capsys, tmp_path) -> None:
    from corridors.cli import main

    assert main(["skim", "Xi'an,Chongqing", "Duisburg,Poti", "-n", "300"]) == 0
    out = capsys.readouterr().out
    assert "4 pairs, 4 reachable" in out
    assert "Chongqing" in out
    assert "Poti port" in out
    assert main(["skim", "Xi'an", "Duisburg", "--csv", "-n", "200", "--parquet", str(tmp_path / "s.parquet")]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("origin,destination,distance_km")
    assert pd.read_parquet(tmp_path / "s.parquet").loc[0, "destination"] == "duisburg"
    assert main(["skim", "Xi'an", "Atlantis"]) == 2
    assert "unknown place 'Atlantis'" in capsys.readouterr().err
    assert main(["skim", " , ", "Poti"]) == 2
    assert "ORIGINS names no place" in capsys.readouterr().err
    assert main(["skim", "Xi'an", "Poti", "--parquet", str(tmp_path / "s.csv")]) == 2


def test_a_skims_search_tree_leaves_out_only_the_merged_sub_nodes_and_its_paths_are_whole(net) -> None:
    import itertools

    import numpy as np

    from corridors.routing import search_from
    from corridors.skim import _path

    graph = net.expanded_graph()
    start = dict.fromkeys(graph.departures[net.place("Xi'an")], 0.0)
    dist, _ = search_from(graph, start)
    part, via = search_from(graph, start, whole=False)
    removed = np.zeros(len(dist), dtype=bool)
    removed[graph.compiled.searched.removed] = True
    assert removed.any()
    assert np.isinf(part[removed]).all()
    assert np.array_equal(part[~removed], dist[~removed])
    walked = 0
    for node in graph.arrivals.flat(np.arange(len(graph.places)))[1]:
        if np.isfinite(part[node]) and node not in start:
            arcs = [graph.arcs[i] for i in _path(graph, via, int(node))]
            assert arcs[0].tail in start
            assert arcs[-1].head == node
            assert all(a.head == b.tail for a, b in itertools.pairwise(arcs))  # joins included: one chain
            assert sum(a.time_h for a in arcs) == pytest.approx(dist[node])
            walked += 1
    assert walked > 50
