"""How load, validation and routing grow with the network: synthetic grids of 10k, 100k and 1M legs.

Per size, in one run and one process:

- load + validate (``load_network``) against pandas reading the same CSV files as text;
- the first route on a fresh network (which builds the expanded graph), against the same pandas read;
- a warm route and one origin to every place (``Network.skim``) against scipy.sparse.csgraph's one-to-all
  Dijkstra on the same expanded graph, and against networkx ``single_source_dijkstra`` on the plain graph of
  legs (no stops: the cheapest thing a user could call routing);

then the growth curve: each measure's time at each size against the smallest. Peak memory (the process's
maximum resident set) is printed after each size. Run: ``python benchmarks/bench_scale.py`` (``--quick``: 10k
only; ``--sizes 10000 100000``: others).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pandas as pd
import scipy.sparse
from scipy.sparse.csgraph import dijkstra
from synthetic import write_grid

import corridors


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Return the best seconds of ``repeat`` calls of ``fn`` and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def read_csvs(folder: Path) -> None:
    for path in sorted(folder.glob("*.csv")):
        pd.read_csv(path, dtype=str, keep_default_na=False)


def expanded_csr(graph: corridors.routing.ExpandedGraph) -> scipy.sparse.csr_matrix:
    """Return the expanded graph as a sparse matrix, built here from its arc columns (not by corridors)."""
    n = len(graph.node_place)
    return scipy.sparse.csr_matrix((graph.arc_cost, (graph.arc_tail, graph.arc_head)), shape=(n, n))


def plain_graph(net: corridors.Network) -> nx.Graph:
    legs = net.legs
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(legs["from"], legs["to"], legs["distance_km"], strict=True))
    return graph


def measure(legs: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_grid(Path(tmp), legs)
        places = pd.read_csv(folder / "nodes.csv", usecols=["id"])["id"]
        origin, destination = places.iloc[0], places.iloc[-1]
        pandas_s, _ = timed(lambda: read_csvs(folder), repeat)
        load_s, net = timed(lambda: corridors.load_network(folder))
    count = len(net.legs)
    first_s, _ = timed(lambda: net.route(origin, destination))
    warm_s, _ = timed(lambda: net.route(origin, destination), repeat)
    destinations = places.tolist()  # the user's list of places, made before timing
    skim_s, _ = timed(lambda: net.skim([origin], destinations), repeat)
    expanded = net.expanded_graph()
    matrix = expanded_csr(expanded)
    starts = list(expanded.departures[origin])
    scipy_s, _ = timed(lambda: dijkstra(matrix, indices=starts, min_only=True), repeat)
    plain = plain_graph(net)
    networkx_s, _ = timed(lambda: nx.single_source_dijkstra(plain, origin, weight="weight"), repeat)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"\n{count:,} legs, {len(places):,} places, expanded graph of {len(expanded.node_place):,} sub-nodes and "
          f"{len(expanded.arcs):,} arcs")
    for name, subject, baseline, baseline_name in (
        ("load + validate", load_s, pandas_s, "pandas reading the CSV files"),
        ("first route (builds the expanded graph)", first_s, pandas_s, "pandas reading the CSV files"),
        ("warm route", warm_s, scipy_s, "scipy one-to-all on the expanded graph"),
        ("one-to-all skim", skim_s, scipy_s, "scipy one-to-all on the expanded graph"),
        ("warm route", warm_s, networkx_s, "networkx single_source_dijkstra on the plain graph"),
        ("one-to-all skim", skim_s, networkx_s, "networkx single_source_dijkstra on the plain graph"),
    ):
        print(f"{name}: {subject * 1e3:.1f} ms vs {baseline_name} {baseline * 1e3:.1f} ms -> ratio "
              f"{subject / baseline:.2f}")
    print(f"peak memory so far (max RSS): {peak_gb:.2f} GB")
    return {"legs": count, "load + validate": load_s, "first route": first_s, "warm route": warm_s,
            "one-to-all skim": skim_s, "pandas read": pandas_s, "scipy one-to-all": scipy_s,
            "networkx one-to-all": networkx_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k legs only: check that the benchmark runs")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    sizes = [10_000] if args.quick else args.sizes
    corridors.load_network()  # imports and caches warmed before anything is timed
    rows = [measure(size, 1 if args.quick or size > 100_000 else 3) for size in sizes]
    if len(rows) > 1:
        print("\ngrowth against the smallest network (time ratio; legs ratio in brackets)")
        first = rows[0]
        for row in rows[1:]:
            growth = ", ".join(f"{k} {row[k] / first[k]:.1f}" for k in row if k != "legs")
            print(f"{row['legs']:,} legs [{row['legs'] / first['legs']:.0f}×]: {growth} -> ratio")


if __name__ == "__main__":
    main()
