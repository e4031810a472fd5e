"""One million simulated journeys of Xi'an → Poti against a raw numpy draw of the same number of variates, and the
peak memory of five million (targets: ratio ≤ 3; five million journeys within 500 MB).

The baseline draws as many uniform variates as the simulation consumes (one per element and journey, one more for
each single-journey factor, plus the departure times) with the same generator, and nothing else: the
ratio is the price of turning them into times.
Peak memory of the simulation is measured with tracemalloc (numpy reports its buffers to it). Above
``simulation.KEEP_ALL`` journeys a simulation streams: it keeps the totals and running sums, not every element's
time of every journey, so five million journeys cost about what their totals weigh (40 MB) plus a few chunks.
Run: ``python benchmarks/bench_simulate.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
from _common import arguments, compare, variates_per_journey

import corridors


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    net = corridors.load_network()
    route = net.route("Xi'an", "Poti")
    n = 50_000 if args.quick else 1_000_000
    elements = len(route.simulate(n=10).elements)
    # an element with a single-journey spread (corridors.spreads) draws its factor too: one more variate, one per
    # train for the rail legs of a train, which share theirs
    variates = n * variates_per_journey(route)

    def raw() -> None:
        np.random.default_rng(0).random(variates, dtype=np.float32)

    repeat = 1 if args.quick else 5
    compare(f"simulate {n:,} journeys ({elements} elements)", lambda: route.simulate(n=n), raw,
            baseline_name=f"numpy draw of {variates:,} variates", number=1, repeat=repeat)
    tracemalloc.start()
    start = time.perf_counter()
    transit = route.simulate(n=n)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory {peak / 2**20:.0f} MiB for {n:,} journeys (samples kept: {transit.samples_h.nbytes / 2**20:.0f}"
          f" MiB); {elapsed:.2f} s under tracemalloc; median {transit.median_days:.2f} days")
    del transit
    many = 500_000 if args.quick else 5_000_000
    tracemalloc.start()
    transit = route.simulate(n=many)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    verdict = "met" if peak <= 500 * 10**6 else "MISSED"
    print(f"peak memory {peak / 10**6:.0f} MB for {many:,} journeys, streamed={transit.streamed} "
          f"(target ≤ 500 MB for 5,000,000: {verdict}); median {transit.median_days:.2f} days")


if __name__ == "__main__":
    main()
