"""Transit time as a distribution: Monte Carlo journeys along a route, vectorised across journeys.

Each leg and stop of a route is a random time drawn from its sourced (low, typical, high) parameters at the level
its conditions give it (see :mod:`corridors.model`, which prices every element), with the typical value as the
median (see :func:`corridors.timing.split_triangular`). Ferries
are a service, not a speed: a scheduled service departs every ``168 / N`` hours, so the wait depends on when the
freight reaches the port, which is computed leg by leg for every journey; an unscheduled service ("departs when
full") has a measured waiting-time distribution. A port may be closed by weather: with a sourced probability a
departure meets a closure and waits for its duration. Where capacity binds, a share of journeys waits in a queue
(see :mod:`corridors.queues`). The elements of one group of elements share their draw in a journey; groups are
drawn independently of each other (see ``dependence``). Around the state so drawn, each element of each journey
varies by its own single-journey factor (see :mod:`corridors.spreads`; the rail legs of one train share theirs),
independently in every ``dependence``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .contract import DEPENDENCE
from .errors import CorridorError
from .model import Priced, TimeDraw
from .spreads import shared_factor_keys
from .timing import HOURS_PER_WEEK, Disruption, Estimate, split_triangular

if TYPE_CHECKING:
    from .conditions import Conditions
    from .route import Route

CHUNK = 250_000  # journeys drawn at once; bounds the memory of intermediate arrays
#: Journeys whose every element's time is kept by default; above it a simulation streams (see ``simulate``).
KEEP_ALL = 250_000
HOURS_PER_DAY = 24.0


def _draws(route: Route) -> tuple[list[dict[str, Any]], list[TimeDraw]]:
    """Return the rows of the simulated elements (the route's, plus possible weather closures) and their draws.

    Each element's draw is read from its estimate (:mod:`corridors.model`); nothing is re-derived here.
    """
    rows: list[dict[str, Any]] = []
    draws: list[TimeDraw] = []
    for e in route.elements:
        if e.priced is None:  # pragma: no cover - every route built by a Network carries its estimates
            raise CorridorError(f"the {e.kind} at {e.place} carries no estimate")
        row = {"element": e.element, "kind": e.kind, "place": e.place, "from": e.from_place, "to": e.to_place,
               "leg": e.leg, "distance_km": e.distance_km, "level": e.priced.level, "group": e.priced.group,
               "weak_source": e.priced.weak}
        rows.append(row)
        draws.append(e.priced.time)
        closure = e.priced.closure
        if closure is not None:
            rows.append({**row, "kind": closure.kind, "weak_source": False, "group": None})
            draws.append(_closure_draw(closure))
    return rows, draws


def _closure_draw(closure: Disruption) -> TimeDraw:
    """Return the draw of an element's weather closure, a delay met with its probability: a closure is simulated
    as an element of its own, after the element it holds up, in no group."""
    return TimeDraw("closure", closure.delay, value_h=closure.probability)


def simulate(route: Route, *, n: int = 10_000, conditions: str | Conditions | None = None, seed: int | None = 0,
             start_hour: float | None = None, progress: Callable[[int, int], None] | None = None,
             dependence: str = "group", profile: str | None = None,
             keep_samples: bool | None = None, single_journey: bool = True) -> TransitTime:
    """Return the door-to-door time distribution of ``n`` simulated journeys along ``route``.

    Parameters
    ----------
    route
        A route from :meth:`corridors.Network.route`.
    n
        Number of journeys (> 0).
    conditions
        The condition set the journeys meet (a name such as ``"2022"`` or a Conditions); default: the route's own.
        The route's legs and stops stay as booked; their estimates are read under these conditions.
    profile
        The old name of ``conditions``.
    seed
        Seed of the random generator: the same seed gives the same numbers. ``None`` draws a fresh seed.
    start_hour
        Departure time in hours after Monday 00:00 of the first week (scheduled ferries leave at multiples of
        their headway from then). ``None`` spreads departures uniformly over the week, or over many weeks when a
        service on the route departs less than a whole number of times a week.
    progress
        Called as ``progress(done, n)`` after each chunk of journeys.
    dependence
        ``"group"`` (default): the elements of one group (groups.csv: the Caspian crossing, the China–Kazakhstan
        border, Kazakh rail…) meet the same state in a journey — one draw of the group's quantile serves all its
        elements: a slow Kazakh section is slow on every Kazakh leg, a congested Caspian port is slow to load, to
        board and to clear — while groups stay independent of each other. ``"independent"``: every element is drawn
        on its own (the first version of the model); with some thirty elements the journey's spread then shrinks
        towards its mean, narrower than what a journey meets. ``"journey"``: every element of a journey meets the
        same quantile of its range, all groups together (comonotone). This is the widest spread the element ranges
        allow, a bound rather than an estimate: it holds where one state, such as the corridor's traffic in the
        weeks of the journey, drives every element at once. Waits for a departure, queues and weather closures stay
        drawn per journey under every choice.
    single_journey
        ``True`` (default): each journey also varies around the state of each element by that element's measured
        single-shipment spread (:mod:`corridors.spreads`): the distribution of one journey. ``False``: the
        elements keep their state's spread only, which is the distribution of the average journey of a period
        (what a reported average of many trains is a reading of).
    keep_samples
        Keep every element's time of every journey (``samples_h``). ``None`` (default) keeps them up to
        ``KEEP_ALL`` journeys; above that the simulation streams: it keeps every journey's total, the elements'
        times of the first ``KEEP_ALL`` journeys (a uniform sample, since journeys are independent and identically
        drawn), and running sums for each element's exact mean and covariance with the total. Memory then grows by
        8 bytes a journey instead of 4 bytes per element and journey. ``True`` keeps everything; ``False`` streams
        whatever ``n``.
    """
    route = _checked(route, n, conditions if conditions is not None else profile, start_hour, dependence)
    rows, draws = _draws(route)
    keep = n if (keep_samples or (keep_samples is None and n <= KEEP_ALL)) else min(n, KEEP_ALL)
    samples, total, sums = _sample(rows, draws, n, seed, start_hour, progress, dependence, keep, with_sums=True,
                                   single_journey=single_journey)
    return TransitTime(route=route, profile=route.conditions.name, seed=seed, elements=rows,
                       samples_h=samples, total_h=total, sums=sums, dependence=dependence,
                       single_journey=single_journey)


def journey_totals(route: Route, *, n: int = 10_000, conditions: str | Conditions | None = None,
                   seed: int | None = 0, start_hour: float | None = None, dependence: str = "group",
                   single_journey: bool = True) -> np.ndarray:
    """Return the door-to-door hours of ``n`` simulated journeys along ``route``, and nothing else.

    The same journeys as :func:`simulate` with the same arguments (``simulate(...).total_h``, number for number),
    without the per-element bookkeeping: for many routes at once (skims, sweeps), where only the distribution of
    the total is read.
    """
    route = _checked(route, n, conditions, start_hour, dependence)
    rows, draws = _draws(route)
    return _sample(rows, draws, n, seed, start_hour, None, dependence, 0, with_sums=False,
                   single_journey=single_journey)[1]


def journey_totals_of(elements: Sequence[tuple[str, Priced]], *, n: int, seed: int | None) -> np.ndarray:
    """Return the door-to-door hours of ``n`` journeys through elements given as (kind, estimate), in route order.

    :func:`journey_totals` for a route given as its elements' kinds (a leg's mode or a stop's kind, which say where
    a train ends) and estimates rather than a Route, with groups as dependence and random start times: what a skim
    draws for thousands of routes whose elements it already holds.
    """
    rows: list[dict[str, Any]] = []
    draws: list[TimeDraw] = []
    for kind, p in elements:  # as _draws reads a route's elements: each estimate's draw, then its weather closure
        rows.append({"kind": kind, "group": p.group})
        draws.append(p.time)
        if p.closure is not None:
            rows.append({"kind": p.closure.kind, "group": None})
            draws.append(_closure_draw(p.closure))
    return _sample(rows, draws, n, seed, None, None, "group", 0, with_sums=False)[1]


def _checked(route: Route, n: int, wanted: str | Conditions | None, start_hour: float | None,
             dependence: str) -> Route:
    """Return the route under the wanted conditions, after checking the simulation's arguments."""
    if dependence not in DEPENDENCE:
        raise CorridorError(f"dependence must be one of {', '.join(DEPENDENCE)}, got {dependence!r}")
    if wanted is not None and route.network.conditions(wanted) != route.conditions:
        route = route.under(wanted)
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise CorridorError(f"the number of journeys must be a positive whole number, got {n!r}")
    if start_hour is not None and not 0 <= start_hour < HOURS_PER_WEEK:
        raise CorridorError(f"start_hour must lie in 0..168 (hours after Monday 00:00), got {start_hour}")
    return route


def _sample(rows: list[dict[str, Any]], draws: list[TimeDraw], n: int, seed: int | None, start_hour: float | None,
            progress: Callable[[int, int], None] | None, dependence: str, keep: int, *, with_sums: bool,
            single_journey: bool = True) -> tuple[np.ndarray, np.ndarray, _Sums | None]:
    """Draw ``n`` journeys chunk by chunk: the element times of the first ``keep``, every total, and (when asked)
    the running sums of every element."""
    spread_h = _start_spread_h([d.value_h for d in draws if d.way == "headway"])
    tables = [_quantile_tables(draw) for draw in draws]
    # the time already spent matters only up to the last scheduled departure; after it, totals are column sums
    last_headway = max((i for i, d in enumerate(draws) if d.way == "headway"), default=-1)
    rng = np.random.default_rng(seed)
    samples = np.empty((len(draws), keep), dtype=np.float32)
    chunk = np.empty((len(draws), min(n, CHUNK)), dtype=np.float32) if keep < n else None
    total = np.empty(n, dtype=np.float64)
    sums = _Sums(len(draws)) if with_sums else None
    # the key by which elements share their quantile: one key for the whole journey, the group, or none
    groups = [{"group": row["group"], "journey": "journey"}.get(dependence) for row in rows]
    # the rail legs of one train share their single-journey factor (corridors.spreads), whatever the dependence
    trains = shared_factor_keys([row["kind"] for row in rows]) if single_journey else [None] * len(rows)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        size = stop - start
        # a kept chunk is drawn straight into the kept samples; the others into one reused buffer
        block = samples[:, start:stop] if stop <= keep else chunk[:, :size]  # type: ignore[index]
        clock = (np.full(size, float(start_hour)) if start_hour is not None
                 else rng.random(size) * spread_h)
        elapsed = np.zeros(size)
        shared: dict[str, np.ndarray] = {}
        factors: dict[int, np.ndarray] = {}
        for i, draw in enumerate(draws):
            out = block[i]
            strata = None
            group = groups[i]
            if group is not None and draw.way in ("split", "speed"):
                if group not in shared:
                    shared[group] = _strata(rng, size)
                strata = shared[group]
            factor, train = None, trains[i]
            if train is not None and draw.spread > 0.0:
                if train not in factors:
                    factors[train] = _strata(rng, size)
                factor = factors[train]
            _draw_into(out, draw, tables[i], rng, clock + elapsed if draw.way == "headway" else clock, strata,
                       single_journey, factor)
            if i < last_headway:
                elapsed += out
        if start < keep < stop:  # a chunk across the end of the kept journeys: keep its first part
            samples[:, start:keep] = block[:, : keep - start]
        # float32 sums of a few dozen times of at most thousands of hours err by well under a minute
        total[start:stop] = block.sum(axis=0, dtype=np.float32)
        if sums is not None:
            sums.add(block, total[start:stop])
        if progress is not None:
            progress(stop, n)
    return samples, total, sums


class _Sums:
    """Running sums of each element's time and of its product with the journey's total, in float64: with the
    total's own sums they give each element's exact mean and covariance with the total over every journey, however
    many were drawn, without keeping the journeys."""

    def __init__(self, elements: int):
        self.n = 0
        self.x = np.zeros(elements)
        self.xt = np.zeros(elements)
        self.t = 0.0
        self.tt = 0.0

    def add(self, block: np.ndarray, total: np.ndarray) -> None:
        # raw float64 sums suffice: totals of hundreds of hours square to ~1e5, and the variances taken from them
        # (tens to thousands of h²) keep eleven significant digits
        self.n += total.size
        self.x += block.sum(axis=1, dtype=np.float64)
        row64 = np.empty(total.size)  # row by row: a float64 copy of one row at a time, not of the whole chunk
        for i, row in enumerate(block):
            np.copyto(row64, row)
            # einsum, not BLAS's dot: a multithreaded dot on a loaded machine spins for milliseconds per call, which
            # was half of a million journeys' time; einsum's single-threaded loop takes a fraction of a millisecond
            self.xt[i] += np.einsum("i,i->", row64, total)
        self.t += float(total.sum())
        self.tt += float(np.einsum("i,i->", total, total))

    def means(self) -> np.ndarray:
        return self.x / self.n

    def covariances(self) -> tuple[np.ndarray, float]:
        """Return each element's covariance with the total, and the total's variance (population)."""
        mean_t = self.t / self.n
        return self.xt / self.n - self.means() * mean_t, self.tt / self.n - mean_t**2


def _start_spread_h(headways: list[float]) -> float:
    """Return the span over which random start times are spread so that every service is met at a random phase.

    A week is enough when each service departs a whole number of times a week (its departures repeat every week).
    A service that departs, say, three times a month repeats only over many weeks: starts are then spread over a
    long span (about 20 years), where the uneven remainder is negligible.
    """
    if all(abs(HOURS_PER_WEEK / h - round(HOURS_PER_WEEK / h)) < 1e-9 for h in headways):
        return HOURS_PER_WEEK
    return HOURS_PER_WEEK * 52 * 20


def _estimate(draw: TimeDraw) -> Estimate:
    if draw.estimate is None:  # pragma: no cover - the model always sets it for these ways
        raise ValueError(f"a {draw.way} draw needs an estimate")
    return draw.estimate


#: Points of the quantile table an element's time is drawn from. Each draw picks one of this many equally likely
#: strata of the distribution, at its middle: the discretisation error (a quantile off by at most 1 / 131,072) is far
#: below the sampling error of a million journeys, and a table lookup costs a fraction of computing the inverse
#: distribution function for every journey.
QUANTILE_POINTS = 65_536
_STRATA = (np.arange(QUANTILE_POINTS, dtype=np.float64) + 0.5) / QUANTILE_POINTS


def _quantile_tables(draw: TimeDraw) -> tuple[tuple[float, np.ndarray], ...]:
    """Return the quantile tables of an element's time, one per independent part, each as ``(scale, table)``:
    the part's hours are ``scale × table[stratum]`` (float32)."""
    if draw.way in ("split", "closure"):
        e = _estimate(draw)
        return ((1.0, _table32(e.low, e.typical, e.high, False)),)
    if draw.way == "speed":  # hours = km × 1/speed; a faster speed is a shorter time: quantile p is the speed's 1 - p
        return tuple((km, _table32(s.low, s.typical, s.high, True)) for km, s in draw.parts)
    return ()


@lru_cache(maxsize=256)
def _table32(low: float, typical: float, high: float, speed: bool) -> np.ndarray:
    """Return a float32 quantile table (read-only), once per parameters: of hours, or of hours per km for a speed.
    Tables depend on an element's parameters only, not on its length, so that the legs of a large network share a
    few hundred tables at most (256 KiB each)."""
    table = 1.0 / _split_table(low, typical, high, True) if speed else _split_table(low, typical, high, False)
    table = table.astype(np.float32)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=256)
def _split_table(low: float, typical: float, high: float, reverse: bool) -> np.ndarray:
    """Return the split triangular's quantile table (float64, read-only), computed once per parameters: a route's
    elements share a few dozen parameter sets, and computing the table is most of a small simulation's time."""
    table = split_triangular(low, typical, high, _STRATA[::-1] if reverse else _STRATA)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _factor_table(cv: float) -> np.ndarray:
    """Return the quantile table (float32, read-only) of a single journey's factor (corridors.spreads): gamma with
    mean 1 and coefficient of variation ``cv``, that is shape 1/cv² and scale cv², on the strata of every table."""
    from scipy.special import gammaincinv  # the inverse of the regularised lower incomplete gamma function

    table = (gammaincinv(1.0 / (cv * cv), _STRATA) * (cv * cv)).astype(np.float32)
    table.flags.writeable = False
    return table


def _strata(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.integers(0, QUANTILE_POINTS, size, dtype=np.uint16)


def _draw_into(out: np.ndarray, draw: TimeDraw, tables: tuple[tuple[float, np.ndarray], ...], rng: np.random.Generator,
               clock: np.ndarray, strata: np.ndarray | None = None, single_journey: bool = True,
               factor: np.ndarray | None = None) -> None:
    """Draw one element's hours for every journey of a chunk into ``out`` (from ``strata`` when they are shared),
    with each journey's own factor around the state (from ``factor``'s strata when it is shared with other elements)
    unless ``single_journey`` is off."""
    size = out.size
    # strata index tables of QUANTILE_POINTS entries, so every lookup is in range: mode="clip" skips numpy's
    # bounds check, and lookups into a scratch row avoid a temporary array per lookup (the same float32 results)
    scratch = np.empty(size, dtype=np.float32) if len(tables) > 1 or (single_journey and draw.spread > 0.0) else None
    if draw.way == "fixed":
        out.fill(draw.value_h)
    elif draw.way in ("split", "speed"):
        scale, table = tables[0]
        np.take(table, strata if strata is not None else _strata(rng, size), out=out, mode="clip")
        if scale != 1.0:
            out *= np.float32(scale)
        for scale, table in tables[1:]:
            np.take(table, strata if strata is not None else _strata(rng, size), out=scratch, mode="clip")
            scratch *= np.float32(scale)
            out += scratch
    elif draw.way == "headway":  # the next departure after the clock; departures at multiples of the headway
        out[:] = np.mod(-clock, draw.value_h)
    elif draw.way == "closure":  # value_h holds the probability that a departure meets a closure
        out.fill(0.0)
        hit = np.flatnonzero(rng.random(size, dtype=np.float32) < draw.value_h)
        out[hit] = tables[0][1][_strata(rng, hit.size)]
    else:
        raise ValueError(draw.way)
    if single_journey and draw.spread > 0.0 and draw.way in ("split", "speed"):  # a journey's own, around the state
        np.take(_factor_table(draw.spread), factor if factor is not None else _strata(rng, size), out=scratch,
                mode="clip")
        out *= scratch
    if draw.queue is not None:  # a share ρ of arrivals waits, an exponential time of mean Wq / ρ
        p = draw.queue.wait_probability
        waits = np.flatnonzero(rng.random(size, dtype=np.float32) < p)
        out[waits] += rng.standard_exponential(waits.size, dtype=np.float32) * np.float32(draw.queue.mean_h / p)


class TransitTime:
    """Simulated door-to-door times of one route under one condition set, with every element's samples.

    Times are in hours in the arrays and in days in the summaries. ``samples_h`` has one row per element
    (``elements`` describes them, in route order) and one column per journey.
    """

    def __init__(self, *, route: Route, profile: str, seed: int | None, elements: pd.DataFrame | Sequence[dict],
                 samples_h: np.ndarray, total_h: np.ndarray, sums: _Sums | None = None,
                 dependence: str = "group", single_journey: bool = True):
        self.route = route
        self.dependence = dependence  # how the elements shared their state (simulate's ``dependence``)
        self.single_journey = single_journey  # one journey (True) or a period's average journey (False)
        self.profile = profile
        self.seed = seed
        self._elements = elements  # the rows, made a table when first read: most callers read only percentiles
        self.samples_h = samples_h
        self.total_h = total_h
        if sums is None:
            sums = _Sums(samples_h.shape[0])
            sums.add(samples_h, total_h[: samples_h.shape[1]])
        self._sums = sums

    @property
    def elements(self) -> pd.DataFrame:
        """Return the simulated elements, one row each in route order (what ``samples_h``'s rows are)."""
        if not isinstance(self._elements, pd.DataFrame):
            self._elements = pd.DataFrame(list(self._elements))
        return self._elements

    @property
    def streamed(self) -> bool:
        """Return True when only the first journeys' element times were kept (``samples_h`` is a sample)."""
        return self.samples_h.shape[1] < self.total_h.size

    @property
    def sampled_total_h(self) -> np.ndarray:
        """Return the totals of the journeys whose element times are kept (column by column with ``samples_h``)."""
        return self.total_h[: self.samples_h.shape[1]]

    @property
    def conditions(self):
        """Return the condition set the journeys met (the route's)."""
        return self.route.conditions

    @property
    def n(self) -> int:
        """Return the number of simulated journeys."""
        return int(self.total_h.size)

    @property
    def total_days(self) -> np.ndarray:
        """Return every journey's total time in days."""
        return self.total_h / HOURS_PER_DAY

    def percentiles(self, q: tuple[float, ...] = (10, 50, 90)) -> dict[str, float]:
        """Return percentiles of the total time in days, keyed ``P10``, ``P50``…"""
        values = np.percentile(self.total_days, q)
        return {f"P{q_:g}": float(v) for q_, v in zip(q, values, strict=True)}

    @property
    def median_days(self) -> float:
        """Return the median total time in days."""
        return float(np.median(self.total_days))

    @property
    def mean_days(self) -> float:
        """Return the mean total time in days."""
        return float(self.total_days.mean())

    def prob_within(self, days: float) -> float:
        """Return the share of journeys that take ``days`` or less."""
        if days < 0:
            raise CorridorError(f"a time window cannot be negative, got {days}")
        return float(np.mean(self.total_h <= days * HOURS_PER_DAY))

    def prob_between(self, low_days: float, high_days: float) -> float:
        """Return the share of journeys that take between ``low_days`` and ``high_days`` (inclusive)."""
        if not 0 <= low_days <= high_days:
            raise CorridorError(f"a time window needs 0 ≤ low ≤ high, got {low_days:g} and {high_days:g}")
        days = self.total_days
        return float(np.mean((days >= low_days) & (days <= high_days)))

    def histogram(self, bins: int | np.ndarray = 40) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(counts, edges)`` of the total time in days."""
        return np.histogram(self.total_days, bins=bins)

    def contributions(self) -> pd.DataFrame:
        """Return each element's part in the answer: its median, its mean in the median journeys, its share of spread.

        ``in_median_journey_h`` is the element's mean over the journeys whose total lies within ±2.5 percentiles
        of the median total: these add up to the median. ``spread_share`` is the element's covariance with the
        total divided by the total's variance: these add up to 1, and a large share names what makes the journey
        unpredictable. ``mean_h`` and ``spread_share`` count every journey; when the simulation streamed,
        ``median_h`` and ``in_median_journey_h`` are read on the kept journeys (see ``simulate``).
        """
        total = self.sampled_total_h
        low, high = np.percentile(total, [47.5, 52.5])
        central = (total >= low) & (total <= high)
        covariance, variance = self._sums.covariances()
        frame = self.elements.copy()
        frame["median_h"] = np.median(self.samples_h, axis=1)
        frame["mean_h"] = self._sums.means()
        frame["in_median_journey_h"] = self.samples_h[:, central].mean(axis=1, dtype=np.float64)
        frame["spread_share"] = covariance / variance if variance > 0 else 0.0
        return frame

    def summary(self) -> dict[str, Any]:
        """Return the headline figures as plain data."""
        return {
            "origin": self.route.origin, "destination": self.route.destination, "profile": self.profile,
            "journeys": self.n, "seed": self.seed, "mean_days": round(self.mean_days, 2),
            **{k: round(v, 2) for k, v in self.percentiles((10, 50, 90)).items()},
        }

    def to_dict(self, *, within_days: float | None = None,
                window_days: tuple[float, float] | None = None) -> dict[str, Any]:
        """Return the summary, the histogram and each element's contribution as plain data for JSON."""
        counts, edges = self.histogram()
        contributions = self.contributions()
        data = {
            **self.summary(),
            "dependence": self.dependence,
            "single_journey": self.single_journey,
            "histogram": {"days_edges": [round(float(x), 3) for x in edges], "counts": counts.tolist()},
            "elements": [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in contributions.round(3).astype(object).to_dict(orient="records")
            ],
        }
        if within_days is not None:
            data["within_days"] = within_days
            data["prob_within"] = round(self.prob_within(within_days), 4)
        if window_days is not None:
            data["window_days"] = list(window_days)
            data["prob_in_window"] = round(self.prob_between(*window_days), 4)
            data["prob_within_window_high"] = round(self.prob_within(window_days[1]), 4)
        return data

    def _journey(self) -> str:
        names = self.route.network.place_name
        return f"{names(self.route.origin)} → {names(self.route.destination)}"

    def __repr__(self) -> str:
        p = self.percentiles()
        return (f"<TransitTime {self._journey()} ({self.profile}, {self.n:,} journeys): "
                f"P10 {p['P10']:.1f}, median {p['P50']:.1f}, P90 {p['P90']:.1f} days>")

    def _repr_html_(self) -> str:
        from .display import heading, html_fields

        counts, edges = self.histogram(30)
        peak = max(int(counts.max()), 1)
        width, height = 300, 60
        bar = width / len(counts)
        bars = "".join(
            f'<rect x="{i * bar:.1f}" y="{height - c / peak * height:.1f}" width="{bar - 1:.1f}" '
            f'height="{c / peak * height:.1f}" fill="#4a7ab7"/>' for i, c in enumerate(counts))
        svg = (f'<svg width="{width}" height="{height + 14}" role="img"><title>histogram of days</title>{bars}'
               f'<text x="0" y="{height + 12}" font-size="10">{edges[0]:.1f} d</text>'
               f'<text x="{width}" y="{height + 12}" font-size="10" text-anchor="end">{edges[-1]:.1f} d</text></svg>')
        p = self.percentiles()
        fields = {"journey": f"{self._journey()}, {self.route.distance_km:,.0f} km",
                  "conditions": self.profile, "journeys simulated": f"{self.n:,} (seed {self.seed})",
                  **{("median" if k == "P50" else k): f"{v:.1f} days" for k, v in p.items()},
                  "mean": f"{self.mean_days:.1f} days"}
        return heading(f"Simulated journeys, {self._journey()}") + html_fields(fields) + svg
