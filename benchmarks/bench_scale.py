"""How load, validation and routing grow with the network: synthetic grids of 10k, 100k and 1M legs.

Per size, in one run and one process:

- load + validate (``load_network``) against pandas reading the same CSV files as text;
- the first route on a fresh network (which builds the expanded graph), against the same pandas read;
- a warm route and one origin to every place (``Network.skim``) against scipy.sparse.csgraph's one-to-all
  Dijkstra on the same expanded graph, and against networkx ``single_source_dijkstra`` on the plain graph of
  legs (no stops: the cheapest thing a user could call routing); the skim twice, as a route is: its first call
  also makes each arc's totals, once per network and condition set, and the next is timed as the warm route is
  (the product searches a graph with pass-through sub-nodes merged away, see ``corridors.routing.Searched``;
  scipy searches the expanded graph as it is);

then the growth curve: each measure's time at each size against the smallest. Peak memory is printed twice per
size: the product's own (the maximum resident set of a child process that imports corridors, loads the network,
routes and skims as above, and builds nothing else) and this process's (which also holds the baselines: the
CSV read, the scipy matrix and the networkx graph). Run: ``python benchmarks/bench_scale.py`` (``--quick``: 10k
only; ``--sizes 10000 100000``: others).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
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


def product_only(folder: Path, origin: str, destination: str) -> None:
    """Load, route and skim as :func:`measure` does, nothing else; print this process's peak memory as JSON."""
    net = corridors.load_network(folder)
    net.route(origin, destination)
    net.route(origin, destination)
    net.skim([origin], pd.read_csv(folder / "nodes.csv", usecols=["id"])["id"].tolist())
    print(json.dumps({"peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))


def product_peak_gb(folder: Path, origin: str, destination: str) -> float:
    """Return the peak memory of a child process that runs :func:`product_only`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(corridors.__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, __file__, "--product-only", str(folder), origin, destination],
                          capture_output=True, text=True, check=True, env=env)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_gb"])


def measure(legs: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_grid(Path(tmp), legs)
        places = pd.read_csv(folder / "nodes.csv", usecols=["id"])["id"]
        origin, destination = places.iloc[0], places.iloc[-1]
        product_gb = product_peak_gb(folder, origin, destination)  # first, alone, while this process is small
        pandas_s, _ = timed(lambda: read_csvs(folder), repeat)
        load_s, net = timed(lambda: corridors.load_network(folder))
    count = len(net.legs)
    first_s, _ = timed(lambda: net.route(origin, destination))
    warm_s, _ = timed(lambda: net.route(origin, destination), repeat)
    destinations = places.tolist()  # the user's list of places, made before timing
    first_skim_s, _ = timed(lambda: net.skim([origin], destinations))  # sums each arc's totals once per network
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
        ("first one-to-all skim (each arc's totals made)", first_skim_s, scipy_s,
         "scipy one-to-all on the expanded graph"),
        ("one-to-all skim", skim_s, scipy_s, "scipy one-to-all on the expanded graph"),
        ("warm route", warm_s, networkx_s, "networkx single_source_dijkstra on the plain graph"),
        ("one-to-all skim", skim_s, networkx_s, "networkx single_source_dijkstra on the plain graph"),
    ):
        print(f"{name}: {subject * 1e3:.1f} ms vs {baseline_name} {baseline * 1e3:.1f} ms -> ratio "
              f"{subject / baseline:.2f}")
    print(f"peak memory of the product alone (max RSS of a child process that loads, routes and skims): "
          f"{product_gb:.2f} GB")
    print(f"peak memory of this process so far, baselines included (max RSS): {peak_gb:.2f} GB")
    return {"legs": count, "load + validate": load_s, "first route": first_s, "warm route": warm_s,
            "first one-to-all skim": first_skim_s, "one-to-all skim": skim_s, "pandas read": pandas_s,
            "scipy one-to-all": scipy_s, "networkx one-to-all": networkx_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k legs only: check that the benchmark runs")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--product-only", nargs=3, metavar=("FOLDER", "ORIGIN", "DESTINATION"),
                        help=argparse.SUPPRESS)  # the child process of product_peak_gb
    args = parser.parse_args()
    if args.product_only:
        folder, origin, destination = args.product_only
        product_only(Path(folder), origin, destination)
        return
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
