"""Shared helpers for the benchmarks: best-of-N timing and a uniform report line.

Every benchmark times the code under test and a baseline in the same process, interleaved, and prints the
ratio; absolute times are printed for information only (these machines are noisy).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], *, number: int, repeat: int) -> float:
    """Return the best mean seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def compare(name: str, subject: Callable[[], object], baseline: Callable[[], object], *, baseline_name: str,
            number: int, repeat: int) -> float:
    """Time ``subject`` and ``baseline`` alternately; print and return subject/baseline."""
    subject_s = baseline_s = float("inf")
    for _ in range(repeat):
        subject_s = min(subject_s, best_time(subject, number=number, repeat=1))
        baseline_s = min(baseline_s, best_time(baseline, number=number, repeat=1))
    ratio = subject_s / baseline_s
    print(f"{name}: {subject_s * 1e3:.3f} ms vs {baseline_name} {baseline_s * 1e3:.3f} ms -> ratio {ratio:.2f}")
    return ratio


def arguments(description: str) -> argparse.Namespace:
    """Parse the common options: ``--quick`` runs few rounds (used by the test that keeps benchmarks working)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="few rounds: check that the benchmark runs")
    return parser.parse_args()


def variates_per_journey(route) -> int:
    """Return the uniform variates one simulated journey along ``route`` consumes: one per simulated element
    (weather closures included), one per single-journey factor (one per train for rail legs, which share theirs;
    corridors.spreads) and one for the departure time."""
    from corridors.spreads import shared_factor_keys

    elements = len(route.simulate(n=1).elements)
    trains = shared_factor_keys([e.kind for e in route.elements])
    factors = len({trains[i] if trains[i] is not None else ("element", i)
                   for i, e in enumerate(route.elements) if e.priced.time.spread > 0})
    return elements + factors + 1
