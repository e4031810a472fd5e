"""The expanded graph: stops are arcs, and the search finds what a plain Dijkstra finds."""

from __future__ import annotations

import itertools
import math

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


def _walked_expanded_graph(nodes: dict[str, dict], legs: list[dict], *, weight: str, stop_measure, leg_measure):
    """The expanded graph built arc by arc, as the package built it before it built it with array operations:
    the reference the array build must reproduce (sub-node numbers, arc order, payloads)."""
    from corridors.stops import LegState, arrival_stops, departure_stops, transfer_stops

    place_of: list[str] = []
    arcs: list[tuple] = []
    sub: dict[tuple, int] = {}

    def new_node(place: str) -> int:
        place_of.append(place)
        return len(place_of) - 1

    def sub_node(place: str, side: str, state) -> int:
        if (place, side, state) not in sub:
            sub[(place, side, state)] = new_node(place)
        return sub[(place, side, state)]

    def stop_arc(tail: int, head: int, kind: str, place: str, leg, way: str | None = None) -> None:
        m = stop_measure(kind, place, leg, way)
        arcs.append((tail, head, "stop", kind, place, m.time_h, 0.0, m.sources, leg, m.cost_usd, m.co2_kg, None,
                     m.note))

    for leg in legs:
        state = LegState(leg["mode"], leg["gauge_mm"])
        m = leg_measure(leg["id"])
        for start, end in ((leg["from"], leg["to"]), (leg["to"], leg["from"])):
            international = nodes[start]["country"] != nodes[end]["country"]
            tail = sub_node(start, "dep", state)
            service = leg["service"] if nodes[start].get("kind") != "passage" else None
            for kind in departure_stops(leg["mode"], service, international):
                head = new_node(start)
                # a border crossing is priced by its side: leaving a country before the leg, entering one after it
                stop_arc(tail, head, kind, start, leg["id"], "out" if kind == "border_crossing" else None)
                tail = head
            head = new_node(end)
            arcs.append((tail, head, "leg", leg["mode"], start, m.time_h, leg["distance_km"], m.sources, leg["id"],
                         m.cost_usd, m.co2_kg, end, None))
            tail = head
            for kind in arrival_stops(international):
                head = new_node(end)
                stop_arc(tail, head, kind, end, leg["id"], "in" if kind == "border_crossing" else None)
                tail = head
            arcs.append((tail, sub_node(end, "arr", state), "stop", "", end, 0.0, 0.0, (), leg["id"], 0.0, 0.0,
                         None, None))
    states_at: dict[str, dict[str, list]] = {}
    for place, side, state in sub:
        states_at.setdefault(place, {"arr": [], "dep": []})[side].append(state)
    for place, sides in states_at.items():
        for arriving in sides["arr"]:
            for departing in sides["dep"]:
                kinds = transfer_stops(nodes[place]["facilities"], arriving, departing)
                if kinds is None:
                    continue
                tail, final = sub[(place, "arr", arriving)], sub[(place, "dep", departing)]
                # a transfer's way (arriving>departing gauge) picks a gauge change's row for that way
                way = (f"{int(arriving.gauge_mm)}>{int(departing.gauge_mm)}"
                       if arriving.gauge_mm is not None and departing.gauge_mm is not None else None)
                for n, kind in enumerate(kinds):
                    head = final if n == len(kinds) - 1 else new_node(place)
                    stop_arc(tail, head, kind, place, None, way)
                    tail = head
                if not kinds:
                    arcs.append((tail, final, "stop", "", place, 0.0, 0.0, (), None, 0.0, 0.0, None, None))
    costs = [a[5] if weight == "time" else {"distance": a[6], "cost": a[9], "co2": a[10]}[weight] + 1e-6 * a[5]
             for a in arcs]
    departures: dict[str, list[int]] = {}
    arrivals: dict[str, list[int]] = {}
    for (place, side, _state), index in sub.items():
        (departures if side == "dep" else arrivals).setdefault(place, []).append(index)
    return place_of, arcs, costs, departures, arrivals


def _same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _assert_array_build_matches_the_walk(network: corridors.Network, weight: str) -> None:
    from corridors.conditions import DEFAULT_CONDITIONS

    graph = network.expanded_graph(weight=weight)
    chosen = network.conditions(DEFAULT_CONDITIONS)
    place_of, arcs, costs, departures, arrivals = _walked_expanded_graph(
        {p: network._node_records[p] for p in network._nodes.index},
        [network._leg_by_id[g] for g in network._legs.index], weight=weight,
        stop_measure=lambda kind, place, leg, way: network._measure(network.price_stop(kind, place, leg, chosen, way)),
        leg_measure=lambda leg: network._measure(network.price_leg(leg, chosen)))
    assert graph.place_of == tuple(place_of)
    assert len(graph.arcs) == len(arcs)
    for built, walked in zip(graph.arcs, arcs, strict=True):
        fields = (built.tail, built.head, built.element, built.kind, built.place, built.time_h, built.distance_km,
                  built.sources, built.leg, built.cost_usd, built.co2_kg, built.to_place, built.note)
        assert all(_same(x, y) for x, y in zip(fields, walked, strict=True)), (fields, walked)
    assert graph.arc_cost.tolist() == pytest.approx(costs, rel=0, abs=0, nan_ok=True)
    assert {p: list(n) for p, n in graph.departures.items()} == departures
    assert {p: list(n) for p, n in graph.arrivals.items()} == arrivals


@pytest.mark.parametrize("weight", ["time", "cost"])
def test_the_array_build_gives_the_arcs_of_the_walk_on_the_bundled_network(net: corridors.Network,
                                                                           weight: str) -> None:
    _assert_array_build_matches_the_walk(net, weight)


def test_the_array_build_gives_the_arcs_of_the_walk_on_a_synthetic_grid(tmp_path) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_grid

    grid = corridors.load_network(write_grid(tmp_path / "grid", 600))
    _assert_array_build_matches_the_walk(grid, "distance")


@pytest.mark.parametrize(("origin", "destination", "blocked"), [
    ("Xi'an", "Poti", {"blocked_modes": {"air"}}),
    ("Urumqi", "Constanta", {"blocked_modes": {"air", "ferry"}}),
    ("Chongqing", "Duisburg", {"blocked_modes": {"air"}, "blocked_places": {"baku"}}),
])
def test_simple_paths_come_in_the_order_and_at_the_costs_networkx_finds(net: corridors.Network, origin: str,
                                                                       destination: str, blocked: dict) -> None:
    from corridors.routing import simple_paths

    graph = net.expanded_graph()
    origin, destination = net.place(origin), net.place(destination)
    plain = graph.to_networkx(blocked_modes=blocked.get("blocked_modes", ()))
    plain.remove_nodes_from([n for n, p in enumerate(graph.place_of) if p in blocked.get("blocked_places", ())])
    plain.add_edges_from(("source", n, {"cost": 0.0}) for n in graph.departures[origin] if n in plain)
    plain.add_edges_from((n, "sink", {"cost": 0.0}) for n in graph.arrivals[destination] if n in plain)
    reference = [sum(plain.edges[a, b]["cost"] for a, b in itertools.pairwise(path))
                 for path in itertools.islice(nx.shortest_simple_paths(plain, "source", "sink", weight="cost"), 12)]
    ours = list(itertools.islice(simple_paths(graph, graph.departures[origin], graph.arrivals[destination],
                                              **blocked), 12))
    assert [_path_cost(arcs, "time") for arcs in ours] == pytest.approx(reference, abs=1e-6)
    for arcs in ours:
        nodes = [arcs[0].tail, *(a.head for a in arcs)]
        assert len(nodes) == len(set(nodes))  # simple: no sub-node twice
        assert all(a.head == b.tail for a, b in itertools.pairwise(arcs))
        assert not any(a.place in blocked.get("blocked_places", ()) for a in arcs)


def test_a_searched_path_is_kept_for_other_condition_sets_and_gives_the_same_route(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors import requests

    net = corridors.load_network()  # a network of its own: nothing searched yet
    searches: list[tuple] = []
    real = requests.shortest_arcs
    monkeypatch.setattr(requests, "shortest_arcs", lambda *a, **k: searches.append(a) or real(*a, **k))
    typical = net.route("Xi'an", "Poti")
    in_2022 = net.route("Xi'an", "Poti", conditions="2022")  # booked under typical: the same search
    assert len(searches) == 1
    assert in_2022.places == typical.places
    assert in_2022.time_h != typical.time_h  # priced under its own conditions
    net.route("Xi'an", "Poti", conditions="2022", reroute=True)  # booked under 2022: a search of its own
    net.route("Xi'an", "Poti", avoid=["KAZ"])
    assert len(searches) == 3
    fresh = corridors.load_network()
    assert fresh.route("Xi'an", "Poti", conditions="2022").to_dict() == in_2022.to_dict()


def _grid(tmp_path, legs: int) -> corridors.Network:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_grid

    return corridors.load_network(write_grid(tmp_path / "grid", legs))


@pytest.mark.parametrize("network", ["bundled", "grid"])
def test_the_searched_graph_with_pass_through_sub_nodes_merged_finds_the_full_graphs_distances(
        net: corridors.Network, tmp_path, network: str) -> None:
    import numpy as np
    import scipy.sparse
    from scipy.sparse.csgraph import dijkstra

    from corridors.routing import search_from

    network = net if network == "bundled" else _grid(tmp_path, 2_000)
    graph = network.expanded_graph()
    compiled = graph.compiled
    n = len(graph.node_place)
    assert len(compiled.searched.removed) > n / 4  # most legs' end sub-nodes are merged away
    places = list(network.nodes.index)
    origin, other = places[0], places[len(places) // 2]
    blocked_place = next(p for p in places[1:] if p != other and p in graph.arrivals)
    starts = dict.fromkeys(graph.departures[origin], 0.0)
    cases = [(starts, {}), (starts, {"blocked_modes": {"road"}}), (starts, {"blocked_places": {blocked_place}}),
             ({**dict.fromkeys(graph.arrivals[other], 5.0), **starts}, {})]
    for start, blocked in cases:
        dist, via = search_from(graph, start, **blocked)
        # the reference: scipy on every arc of the compiled graph the constraints leave, from one extra sub-node
        # with an arc to each start at its distance (a stored zero is an arc in a CSR matrix built from arrays)
        keep = compiled.allowed(blocked.get("blocked_places", ()), blocked.get("blocked_modes", ()), ())
        keep = np.ones(len(compiled.tail), dtype=bool) if keep is None else keep
        head = np.concatenate([compiled.head[keep], list(start)])
        cost = np.concatenate([compiled.cost[keep], list(start.values())])
        indptr = np.append(np.searchsorted(compiled.tail[keep], np.arange(n + 1)), len(head))
        expected = dijkstra(scipy.sparse.csr_matrix((cost, head, indptr), shape=(n + 1, n + 1)), indices=n)[:n]
        assert np.array_equal(dist, expected)  # bit for bit: a merged arc adds its leg, then a join's zero
        # every sub-node reached (not a start) is reached through an arc of the compiled graph, at its distance
        inner = np.flatnonzero(via >= 0)
        assert len(inner) > n / 2 or blocked
        assert np.array_equal(compiled.head[via[inner]], inner)
        assert np.array_equal(dist[compiled.tail[via[inner]]] + compiled.cost[via[inner]], dist[inner])
        assert keep[via[inner]].all()
