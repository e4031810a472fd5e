"""The expanded graph: stops are arcs, and the search finds what a plain Dijkstra finds."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

import corridors
from corridors.routing import shortest_arcs


def _networkx_cost(graph, origin: str, destination: str) -> float:
    plain = graph.to_networkx()
    plain.add_node("source")
    plain.add_node("sink")
    for n in graph.departures[origin]:
        plain.add_edge("source", n, cost=0.0)
    for n in graph.arrivals[destination]:
        plain.add_edge(n, "sink", cost=0.0)
    return nx.dijkstra_path_length(plain, "source", "sink", weight="cost")


@pytest.mark.parametrize("weight", ["time", "distance"])
def test_search_matches_networkx_on_every_pair(mini: corridors.Network, weight: str) -> None:
    graph = mini.expanded_graph(weight=weight)
    places = list(mini.nodes.index)
    for origin in places:
        for destination in places:
            if origin == destination:
                continue
            arcs = shortest_arcs(graph, [origin, destination])
            ours = sum(a.time_h if weight == "time" else a.distance_km + 1e-6 * a.time_h for a in arcs)
            assert ours == pytest.approx(_networkx_cost(graph, origin, destination), abs=1e-6)


def test_route_totals_are_the_sum_of_legs_and_stops(mini: corridors.Network) -> None:
    route = mini.route("Urumqi", "Alat")
    frame = route.to_frame()
    assert route.time_h == pytest.approx(frame["time_h"].sum())
    assert route.distance_km == pytest.approx(460 + 12 + 3000 + 508)
    assert frame["cum_time_h"].iloc[-1] == pytest.approx(route.time_h)
    assert route.moving_h + route.stopped_h == pytest.approx(route.time_h)


def test_stops_are_derived_from_the_legs_around_each_place(mini: corridors.Network) -> None:
    route = mini.route("Urumqi", "Alat")
    stops = [(s.kind, s.place) for s in route.stops]
    assert ("gauge_change", "dostyk") in stops
    assert ("border_crossing", "alashankou") in stops  # exit side
    assert ("border_crossing", "dostyk") in stops  # entry side
    assert ("port_handling", "aktau_port") in stops  # rail to ferry
    assert ("ferry_wait", "aktau_port") in stops
    assert ("border_crossing", "alat_port") in stops
    # a ferry wait comes from the data: the mini dataset's default unscheduled wait is 48 h
    wait = next(s for s in route.stops if s.kind == "ferry_wait")
    assert wait.time_h == pytest.approx(48.0)


def test_a_scheduled_ferry_waits_half_its_headway(mini_dir) -> None:
    import pandas as pd

    legs = pd.read_csv(mini_dir / "legs.csv", dtype=str, keep_default_na=False)
    legs.loc[legs["mode"] == "ferry", "service"] = "2/week"
    legs.to_csv(mini_dir / "legs.csv", index=False)
    route = corridors.load_network(mini_dir).route("Urumqi", "Alat")
    wait = next(s for s in route.stops if s.kind == "ferry_wait")
    assert wait.time_h == pytest.approx(168 / 2 / 2)


def test_no_gauge_change_where_there_is_no_installation(mini_dir) -> None:
    import pandas as pd

    nodes = pd.read_csv(mini_dir / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[nodes["id"] == "dostyk", "facilities"] = "customs"
    nodes.to_csv(mini_dir / "nodes.csv", index=False)
    net = corridors.load_network(mini_dir)
    with pytest.raises(corridors.NoRouteError, match="cannot be chained"):
        net.route("Urumqi", "Alat")
    assert net.route("Urumqi", "Dostyk").distance_km == pytest.approx(472)


def test_avoiding_explains_what_cut_the_route(mini: corridors.Network) -> None:
    with pytest.raises(corridors.NoRouteError, match="every route needs the ferry mode"):
        mini.route("Urumqi", "Alat", avoid=["ferry"])
    with pytest.raises(corridors.NoRouteError, match="every route needs KAZ"):
        mini.route("Urumqi", "Alat", avoid=["Kazakhstan"])
    with pytest.raises(corridors.CorridorError, match="avoided"):
        mini.route("Urumqi", "Alat", avoid=["Alat"])


def test_unknown_places_offer_close_matches(mini: corridors.Network) -> None:
    with pytest.raises(corridors.UnknownPlaceError) as caught:
        mini.route("Urumqi", "Aktauu")
    assert "Aktau port" in caught.value.matches
    assert "Aktauu" in str(caught.value)


def test_expanded_graph_is_built_once_per_weight_and_profile(mini: corridors.Network) -> None:
    assert mini.expanded_graph() is mini.expanded_graph()
    assert mini.expanded_graph(weight="distance") is not mini.expanded_graph()
    with pytest.raises(corridors.CorridorError, match="unknown conditions"):
        mini.expanded_graph(profile="optimistic")


def _path_cost(arcs, weight: str) -> float:
    return sum(a.time_h if weight == "time" else a.distance_km + 1e-6 * a.time_h for a in arcs)


@pytest.mark.parametrize("weight", ["time", "distance"])
def test_compiled_engine_finds_paths_as_cheap_as_the_python_one(net: corridors.Network, weight: str) -> None:
    graph = net.expanded_graph(weight=weight)
    places = list(net.nodes.index)
    checked = 0
    for origin in places[::7]:
        for destination in places[3::5]:
            if origin == destination:
                continue
            ours = shortest_arcs(graph, [origin, destination], engine="python")
            compiled = shortest_arcs(graph, [origin, destination], engine="compiled")
            assert (ours is None) == (compiled is None), (origin, destination)
            if ours is None:
                continue
            assert _path_cost(compiled, weight) == pytest.approx(_path_cost(ours, weight), abs=1e-6)
            assert compiled[0].tail in graph.departures[origin]
            assert compiled[-1].head in graph.arrivals[destination]
            assert all(a.head == b.tail for a, b in itertools.pairwise(compiled))  # one chain of arcs
            checked += 1
    assert checked > 50


def test_compiled_engine_honours_vias_and_what_is_avoided(net: corridors.Network) -> None:
    graph = net.expanded_graph()
    xian, poti, baku = net.place("Xi'an"), net.place("Poti"), net.place("Baku")
    for stages, blocked in (([xian, baku, poti], {}), ([xian, baku, poti], {"blocked_modes": {"ferry"}}),
                            ([xian, poti], {"blocked_places": {baku}})):
        ours = shortest_arcs(graph, stages, engine="python", **blocked)
        compiled = shortest_arcs(graph, stages, engine="compiled", **blocked)
        assert (ours is None) == (compiled is None)
        if ours is not None:
            assert _path_cost(compiled, "time") == pytest.approx(_path_cost(ours, "time"))
            assert not any(a.kind in blocked.get("blocked_modes", ()) for a in compiled if a.element == "leg")
            assert not any(a.place in blocked.get("blocked_places", ()) for a in compiled)


def test_the_bundled_network_is_searched_in_python_so_routes_are_unchanged(net: corridors.Network) -> None:
    from corridors.routing import COMPILED_FROM_ARCS

    graph = net.expanded_graph()
    assert len(graph.arcs) < COMPILED_FROM_ARCS
    stages = [net.place("Xi'an"), net.place("Poti")]
    assert shortest_arcs(graph, stages) == shortest_arcs(graph, stages, engine="python")


def test_an_unknown_engine_is_refused(mini: corridors.Network) -> None:
    with pytest.raises(corridors.CorridorError, match="unknown engine"):
        shortest_arcs(mini.expanded_graph(), ["urumqi", "dostyk"], engine="fast")
