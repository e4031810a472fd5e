"""A sweep of 6 scenarios × 20 pairs × 3 condition sets on a two-worker local Dask cluster against the same sweep
in this process.

Both runs start cold: the in-process run loads the network and applies each scenario once (its cache is emptied
first), and the cluster run does the same, starts its two worker processes, sends them the networks and stops
them — the wall-clock time a user of ``corridors sweep GRID.toml --workers 2`` waits. A second pair of figures runs
the sweep again, in process with the networks kept and on a cluster already up (its workers have imported the
package), the cost of a sweep on a long-lived scheduler. Both tables are checked to be equal. Ratios below 1 mean
the cluster is faster. The machine may be shared: the script first measures how many cores two processes get at
once, which bounds what two workers can gain.
Run: ``python benchmarks/bench_sweep.py`` (``--quick``: a tiny grid on one-worker clusters, which checks that every
step runs; its ratios say nothing of what two workers gain).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from _common import arguments

if TYPE_CHECKING:
    from corridors import sweep as sw

SCENARIOS = ["base", "suez_closed", "caspian_storm", "digital_customs", "faster_kazakh_rail", "rasht_astara_railway"]
ORIGINS = ["Xi'an", "Chongqing", "Urumqi", "Shanghai", "Almaty"]
DESTINATIONS = ["Duisburg", "Poti", "Istanbul", "Budapest"]
CONDITIONS = ["typical", "congested", "2022"]


def grid(quick: bool) -> sw.Grid:
    from corridors import sweep as sw

    pairs = [[o, d] for o in ORIGINS for d in DESTINATIONS]  # 20 pairs
    if quick:
        return sw.Grid.from_dict({"scenarios": SCENARIOS[:2], "pairs": pairs[:2], "conditions": CONDITIONS[:1],
                                  "journeys": 200, "seed": 1}, origin="quick grid")
    return sw.Grid.from_dict({"scenarios": SCENARIOS, "pairs": pairs, "conditions": CONDITIONS, "journeys": 2_000,
                              "seed": 1}, origin="benchmark grid")


def _spin(seconds_of_work: float) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(int(seconds_of_work * 2e7)):
        total += i
    return time.perf_counter() - start


def cores_available(work_s: float) -> float:
    """Return how many cores two processes got at once: the time of one spin alone over two spins side by side.

    The machine is shared: when it is busy, two worker processes cannot run twice as fast as one, and the best
    ratio the cluster can reach is about 1 / this figure.
    """
    import multiprocessing

    alone = _spin(work_s)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [0.01, 0.01])  # the processes are up before the timing
        side_by_side = max(pool.map(_spin, [work_s, work_s]))
    return 2 * alone / side_by_side


def timed(run):
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    # imported here, not at the top: the processes that cores_available() spawns run this file's top level again,
    # and pandas and the package would cost each of them a second of CPU that they never use
    import pandas as pd

    from corridors import sweep as sw

    args = arguments(__doc__.split("\n\n")[0])
    chosen = grid(args.quick)
    # a worker process imports the package, pandas and distributed (seconds of CPU): --quick starts one per cluster
    workers = 1 if args.quick else 2
    cores = cores_available(0.05 if args.quick else 1.0)
    print(f"cores two processes got at once: {cores:.2f} (the best cluster/in-process ratio is about "
          f"{1 / cores:.2f})")
    sw._networks.clear()  # cold, as a fresh process would be
    here_s, here = timed(lambda: sw.sweep(chosen, scheduler=sw.IN_PROCESS))
    cluster_s, on_cluster = timed(lambda: sw.sweep(chosen, workers=workers))
    pd.testing.assert_frame_equal(on_cluster, here, check_exact=True, check_flags=False)
    print(f"sweep of {len(chosen)} rows ({len(chosen.scenarios)} scenarios × {len(chosen.pairs)} pairs × "
          f"{len(chosen.conditions)} conditions, {chosen.journeys:,} journeys each): {workers}-worker local cluster "
          f"{cluster_s:.2f} s (start and stop included) vs in process {here_s:.2f} s -> ratio "
          f"{cluster_s / here_s:.2f}")
    with sw.local_cluster(workers) as cluster:
        sw.sweep(chosen, scheduler=cluster.scheduler_address)  # the workers import the package
        warm_s, warm = timed(lambda: sw.sweep(chosen, scheduler=cluster.scheduler_address))
        here_warm_s, _ = timed(lambda: sw.sweep(chosen, scheduler=sw.IN_PROCESS))
    pd.testing.assert_frame_equal(warm, here, check_exact=True, check_flags=False)
    print(f"same sweep again: on a cluster already up {warm_s:.2f} s vs in process with the networks kept "
          f"{here_warm_s:.2f} s -> ratio {warm_s / here_warm_s:.2f}")


if __name__ == "__main__":
    main()
