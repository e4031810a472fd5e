"""A gauge change priced by its way: the reloading queues of 2021–23 were queues of westbound trains."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors.routing import build_expanded_graph
from corridors.timing import TimeParameters


def _gauge_changes(route: corridors.Route) -> list[tuple[str, str | None, float]]:
    return [(e.place, e.direction, e.time_h) for e in route.elements if e.kind == "gauge_change"]


def test_a_row_for_one_way_comes_before_the_row_for_both_ways() -> None:
    stops = pd.DataFrame([
        {"kind": "gauge_change", "place": "x", "profile": "congested", "low_h": 1.0, "typical_h": 2.0, "high_h": 3.0,
         "status": "", "sources": ("s",), "note": "", "direction": None},
        {"kind": "gauge_change", "place": "x", "profile": "congested", "low_h": 10.0, "typical_h": 20.0,
         "high_h": 30.0, "status": "", "sources": ("s",), "note": "", "direction": "1435>1520"},
        {"kind": "gauge_change", "place": "*", "profile": "congested", "low_h": 100.0, "typical_h": 200.0,
         "high_h": 300.0, "status": "", "sources": ("s",), "note": "", "direction": "1520>1435"},
    ])
    speeds = pd.DataFrame(columns=["mode", "country", "profile", "low_kmh", "typical_kmh", "high_kmh", "status",
                                   "sources", "note"])
    params = TimeParameters(stops, speeds)
    assert params.stop_time("gauge_change", "x", "KAZ", "congested", "1435>1520").typical == 20.0
    # the place's both-ways row comes before a country's or *'s row for that way
    assert params.stop_time("gauge_change", "x", "KAZ", "congested", "1520>1435").typical == 2.0
    assert params.stop_time("gauge_change", "x", "KAZ", "congested").typical == 2.0
    assert params.stop_time("gauge_change", "y", "KAZ", "congested", "1520>1435").typical == 200.0
    assert params.stop_time("gauge_change", "y", "KAZ", "congested") is None
    assert params.stop_directions("gauge_change", "x", "congested") == ("1435>1520",)


def test_the_2023_reloading_queue_holds_westbound_trains_only(net: corridors.Network) -> None:
    westbound = _gauge_changes(net.route("Xi'an", "Poti", conditions="2023"))
    eastbound = _gauge_changes(net.route("Poti", "Xi'an", conditions="2023"))
    assert westbound == [("dostyk", "1435>1520", 144.0)]  # 'Reloading at Alashankou averaged 6 days'
    typical = _gauge_changes(net.route("Poti", "Xi'an"))
    assert eastbound == [("dostyk", "1520>1435", typical[0][2])]
    assert typical[0][2] == 5.0


def test_the_2021_queue_at_malaszewicze_holds_westbound_trains_only(net: corridors.Network) -> None:
    west = {p: t for p, _, t in _gauge_changes(net.route("Xi'an", "Duisburg", conditions="2021"))}
    east = {p: t for p, _, t in _gauge_changes(net.route("Duisburg", "Xi'an", conditions="2021"))}
    assert west["malaszewicze"] == 240.0  # 'the average waiting time currently being around ten days'
    assert east["malaszewicze"] == 24.0  # the typical transfer
    # the congested posts of 2021 and the yards' queue both ways do not make the two directions alike
    assert net.route("Duisburg", "Xi'an", conditions="2021").time_h < net.route(
        "Xi'an", "Duisburg", conditions="2021").time_h - 10 * 24


def test_a_repriced_route_and_a_skim_read_the_same_way(net: corridors.Network) -> None:
    repriced = _gauge_changes(net.route("Poti", "Xi'an").under("2023"))
    assert repriced == [("dostyk", "1520>1435", 5.0)]
    # the skim prices each arc of its tree: the same way as the route's element
    skim = net.skim(["Poti"], ["Xi'an"], conditions="2023", journeys=200, seed=1)
    assert skim.loc[("poti_port", "xian"), "time_h"] == pytest.approx(
        net.route("Poti", "Xi'an", conditions="2023", reroute=True).time_h, rel=1e-9)


def test_the_graph_keeps_each_gauge_changes_way(net: corridors.Network) -> None:
    graph = net.expanded_graph()
    ways = {graph.arcs[a].direction for a in graph.arc_directions}
    assert ways == {"1435>1520", "1520>1435", "out", "in"}
    # a gauge change keeps its pair of gauges, a border crossing its side: leaving a country before the leg,
    # entering one after it
    for a, way in graph.arc_directions.items():
        arc = graph.arcs[a]
        assert arc.kind == ("border_crossing" if way in ("out", "in") else "gauge_change")
        if way in ("out", "in"):
            leg = net.legs.loc[arc.leg]
            assert arc.place in (leg["from"], leg["to"])
    # a caller that prices stops one at a time has no way to give: the graph still builds, both ways alike
    nodes = net.nodes[["country", "kind", "facilities"]]
    legs = net.legs[["from", "to", "mode", "gauge_mm", "distance_km", "service", "passages"]]
    plain = build_expanded_graph(nodes, legs, weight="time", profile="typical",
                                 stop_measure=lambda k, p, g: corridors.routing.Measure(1.0, ()),
                                 leg_measure=lambda i: corridors.routing.Measure(1.0, ()))
    assert set(plain.arc_directions.values()) == {"1435>1520", "1520>1435", "out", "in"}


def test_a_bad_direction_is_listed_with_file_row_and_field(mini_dir: Path) -> None:
    frame = pd.read_csv(mini_dir / "stop_times.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([
        {**frame.iloc[1].to_dict(), "place": "dostyk", "direction": "standard>broad"},
        {**frame.iloc[0].to_dict(), "place": "dostyk", "direction": "1435>1520"},
        {**frame.iloc[1].to_dict(), "place": "dostyk", "direction": "1520>1435"},
        {**frame.iloc[1].to_dict(), "place": "dostyk", "direction": "1520>1435"},
        {**frame.iloc[2].to_dict(), "place": "dostyk", "direction": "out"},
    ])
    pd.concat([frame.assign(direction=""), extra]).to_csv(mini_dir / "stop_times.csv", index=False)
    problems = corridors.validate(mini_dir)
    found = {(p.file, p.row, p.field): p.message for p in problems}
    assert "is not a way ARRIVING>DEPARTING" in found[("stop_times.csv", "line 7", "direction")]
    # a border crossing names a side of the border, not a pair of gauges
    assert "'1435>1520' is not a side of the border, out or in" in found[("stop_times.csv", "line 8", "direction")]
    assert "a second row for gauge_change at dostyk (1520>1435)" in found[("stop_times.csv", "line 10", "kind")]
    # a port's handling has no way the legs around it tell apart
    assert "only gauge_change and border_crossing rows may name a direction" in found[
        ("stop_times.csv", "line 11", "direction")]


def test_a_one_way_row_is_ordered_with_the_rows_its_way_reads(mini_dir: Path) -> None:
    frame = pd.read_csv(mini_dir / "stop_times.csv", dtype=str, keep_default_na=False).assign(direction="")
    gauge = frame[frame["kind"] == "gauge_change"].iloc[0].to_dict()
    rows = [{**gauge, "place": "dostyk", "profile": "typical", "typical_h": "5"},
            {**gauge, "place": "dostyk", "profile": "congested", "typical_h": "10", "high_h": "30"},
            # faster than the both-ways typical row it is read with: out of order
            {**gauge, "place": "dostyk", "profile": "congested", "typical_h": "4", "direction": "1520>1435"},
            {**gauge, "place": "dostyk", "profile": "congested", "typical_h": "144", "high_h": "336",
             "direction": "1435>1520"}]
    pd.concat([frame, pd.DataFrame(rows)]).to_csv(mini_dir / "stop_times.csv", index=False)
    problems = [p for p in corridors.validate(mini_dir) if "best ≤ typical ≤ congested" in p.message]
    assert [(p.row, p.field) for p in problems] == [("line 9", "typical_h")]


def test_the_2022_kazakh_congestion_stays_on_the_middle_corridors_lines(net: corridors.Network) -> None:
    levels = {e.leg: e.level for e in net.route("Xi'an", "Duisburg", conditions="2022").elements
              if e.element == "leg" and e.kind == "rail"}
    assert levels["moyinty__petropavl"] == "typical"  # the northern route's own line: 'trains ran'
    assert levels["dostyk__aktogay"] == "congested"  # shared with the Middle Corridor
    middle = {e.leg: e.level for e in net.route("Xi'an", "Poti", conditions="2022").elements
              if e.element == "leg" and e.kind == "rail"}
    assert middle["moyinty__zhezkazgan"] == "congested"  # the 12-day Kazakh section of 2022
    # the Chinese posts: congested in 2021 (CPMM: Alashankou 80.2 h), typical in 2023 (CPMM: PRC rail 14.4 h)
    posts = {c: next(e.level for e in net.route("Xi'an", "Duisburg", conditions=c).elements
                     if e.kind == "border_crossing" and e.place == "alashankou") for c in ("2021", "2023")}
    assert posts == {"2021": "congested", "2023": "typical"}


def test_a_border_is_priced_by_the_side_a_train_crosses_it(net: corridors.Network) -> None:
    # CAREC CPMM measures a border's two sides apart: in 2022 a rail shipment spent 78 h entering Kazakhstan and
    # 6.8 h leaving it. Under 2023's congested China–Kazakhstan border a westbound train entering at Dostyk reads the
    # entry row (30 h of formalities), an eastbound one leaving there the exit row (9.0 h, CPMM's outbound mean)
    def at_dostyk(origin: str, destination: str) -> tuple[str | None, float]:
        route = net.route(origin, destination, conditions="2023")
        found = next(e for e in route.elements if e.kind == "border_crossing" and e.place == "dostyk")
        return found.direction, found.time_h

    assert at_dostyk("Xi'an", "Duisburg") == ("in", 30.0)
    assert at_dostyk("Duisburg", "Xi'an") == ("out", 9.0)
    # the side is the route's own: the simulation re-prices each element the way the route crossed it
    from corridors.simulation import simulate

    eastbound = net.route("Duisburg", "Xi'an", conditions="2023")
    elements = simulate(eastbound, n=500, seed=0, single_journey=False, keep_samples=True).contributions()
    dostyk = elements[(elements["kind"] == "border_crossing") & (elements["place"] == "dostyk")]
    assert len(dostyk) == 1
    assert dostyk["median_h"].iloc[0] < 11.4  # the exit row's high
