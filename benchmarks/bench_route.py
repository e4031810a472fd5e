"""Warm route query against a plain networkx Dijkstra on the same expanded graph; alternatives against networkx's
first three simple paths.

Both answer the same question, Xi'an → Poti by expected time under the typical profile, on the same
expanded graph (stops as arcs). The networkx graph is built before timing, so the ratio compares the searches;
ours also assembles the Route (legs, stops, names, totals). ``net.alternatives(k=3)`` (target: ratio ≤ 2) is timed
against networkx's first three ``shortest_simple_paths`` on that same prebuilt graph.
Run: ``python benchmarks/bench_route.py``.
"""

from __future__ import annotations

import itertools

import networkx as nx
from _common import arguments, compare

import corridors


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    net = corridors.load_network()
    origin, destination = net.place("Xi'an"), net.place("Poti")
    expanded = net.expanded_graph()
    plain = expanded.to_networkx(blocked_modes=("air",))  # a container's route does not fly unless asked to
    for n in expanded.departures[origin]:
        plain.add_edge("source", n, cost=0.0)
    for n in expanded.arrivals[destination]:
        plain.add_edge(n, "sink", cost=0.0)
    route = net.route("Xi'an", "Poti")  # warm: the expanded graph is built once per network and profile
    assert abs(route.time_h - nx.dijkstra_path_length(plain, "source", "sink", weight="cost")) < 1e-6
    number, repeat = (5, 2) if args.quick else (200, 7)
    compare("warm route Xi'an → Poti (Route included)", lambda: net.route("Xi'an", "Poti"),
            lambda: nx.dijkstra_path(plain, "source", "sink", weight="cost"),
            baseline_name="networkx dijkstra_path", number=number, repeat=repeat)
    from corridors.routing import shortest_arcs

    stages = [origin, destination]
    compare("warm search alone (expanded graph, no Route)", lambda: shortest_arcs(expanded, stages),
            lambda: nx.dijkstra_path(plain, "source", "sink", weight="cost"),
            baseline_name="networkx dijkstra_path", number=number, repeat=repeat)
    compare("net.alternatives(k=3) Xi'an → Poti", lambda: net.alternatives("Xi'an", "Poti", k=3),
            lambda: list(itertools.islice(nx.shortest_simple_paths(plain, "source", "sink", weight="cost"), 3)),
            baseline_name="networkx's first three shortest_simple_paths", number=max(1, number // 10),
            repeat=repeat)
    compare("warm route with via and avoid", lambda: net.route("Xi'an", "Kars", via=["Tbilisi"], avoid=["TKM"]),
            lambda: nx.dijkstra_path(plain, "source", "sink", weight="cost"),
            baseline_name="networkx dijkstra_path", number=number, repeat=repeat)


if __name__ == "__main__":
    main()
