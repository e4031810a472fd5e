"""A 30 × 40 skim with 10,000 simulated journeys per pair against a raw numpy draw of the same number of variates
(target: ratio ≤ 3; the searches being one per origin).

The skim routes every pair on its origin's one search tree and simulates each reachable pair's route
(:func:`corridors.simulation.journey_totals`). The baseline draws as many uniform float32 variates as those
simulations consume (one per element and journey, one per single-journey factor, plus each journey's departure
time) with the same generator, and nothing else. Origins and destinations are the first 30 and the next 40 places
of the bundled network in id order that are not airports (a mixed set of Chinese, Central Asian, Caucasian and
European places and ports).
Run: ``python benchmarks/bench_skim.py``.
"""

from __future__ import annotations

import numpy as np
from _common import arguments, compare, variates_per_journey

import corridors


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    net = corridors.load_network()
    places = [p for p in sorted(net.nodes.index) if net.nodes.loc[p, "kind"] != "airport"]
    origins, destinations = (places[:6], places[6:14]) if args.quick else (places[:30], places[30:70])
    journeys = 1_000 if args.quick else 10_000
    plain = net.skim(origins, destinations)
    reachable = plain[plain["reachable"] & (plain.index.get_level_values(0) != plain.index.get_level_values(1))]
    sampled = sum(variates_per_journey(net.route(o, d)) for o, d in reachable.index[:20])
    variates = int(journeys * len(reachable) * sampled / min(20, len(reachable)))  # mean variates per journey

    def raw() -> None:
        np.random.default_rng(0).random(variates, dtype=np.float32)

    net.skim(origins, destinations, journeys=10)  # warm: the graphs and the arc totals are built once per network
    compare(f"skim {len(origins)} × {len(destinations)} ({len(reachable)} reachable pairs) with {journeys:,} "
            f"journeys each", lambda: net.skim(origins, destinations, journeys=journeys), raw,
            baseline_name=f"numpy draw of {variates:,} variates", number=1, repeat=1 if args.quick else 3)


if __name__ == "__main__":
    main()
