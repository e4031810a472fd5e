"""The backtest: the model against observed end-to-end journeys, by corridor, period and kind of figure.

``observations.csv`` holds published journeys — measured train runs, reported averages, operators' schedules and
forwarders' quotes — each with its origin, destination, the corridor it used, its period and the observed days
(a value or a low–high range) with a source. For every observation the backtest books the corridor's route under
typical conditions, simulates it under the conditions of the observation's period (the period's own condition set
where the dataset documents it, else ``typical`` with the queues of the period's own year) — in its month when the
observation names one, spread over the twelve months of its year when it names only the year — and compares:

- the **error of the median**: (P50 − observed) / observed, with the middle of a range as the observed value;
- whether the observation lies **inside P10–P90** of the simulated journeys (the middle of a range);

Each side counts the same thing. Most published figures run from the vehicle's departure to its arrival — a train
"left Xi'an on the 6th and reached Duisburg on the 19th", a liner's "port-to-port transit time" — so for an
observation whose ``scope`` is ``departure_to_arrival`` (the default) the simulated journey is read from its first
moving leg to its last: the stops before the first departure (clearing the origin port, waiting for the first
sailing and any weather closure of it) and after the last arrival (clearing and handling at the destination port)
are left out. ``door_to_door`` observations ("delivery time of goods", a forwarder's door-to-door duration) are
read on the whole journey. The scope is read from each observation's own quote, never chosen by its fit.
Likewise the kind: a measured run, a schedule or a quote is about one journey, and is read on journeys that each
vary around the elements' states by their single-journey spread (:mod:`corridors.spreads`); a ``reported_average``
is the mean of many journeys, in which that spread averages out, and is read on the period's average journey
(``simulate(..., single_journey=False)``).
- per corridor, per period and per kind: the **median absolute percentage error** (MdAPE), the **coverage** of
  P10–P90 and the **bias** (the median signed error: positive when the model is slow);
- for every observation outside P10–P90, **what the elements' documented ranges allow**: which group of elements,
  put at its documented congested or best state, would reach it alone, or only with others, or none at all
  (:mod:`corridors.reach`) — the element and the reason for a miss, never a parameter moved to close it.

An observation whose source is also cited by a time parameter (a train run that gave a running speed) is not an
independent check: it is listed, marked ``independent = False``, and left out of the summaries.

The backtest is a check, never a fitting target: no parameter of the model is read from these observations, and a
change that makes the model worse shows up in the tests that pin its summaries.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import datasets
from .conditions import DEFAULT_CONDITIONS
from .errors import CorridorError, Problem, ValidationError
from .io import read_checked_csv, split_list
from .reach import REACH_JOURNEYS, VERDICTS, Reach, reach
from .registry import load_corridors
from .seasons import month_name
from .spreads import spread_book

if TYPE_CHECKING:
    from .conditions import Conditions
    from .network import Network

COLUMNS = ("id", "origin", "destination", "corridor", "via", "period", "kind", "low_days", "high_days", "quote",
           "source", "status", "note")
KINDS = ("measured_run", "reported_average", "schedule", "quote")
#: The kind that is the mean of many journeys, read on the period's average journey (no single-journey spread).
AVERAGE = "reported_average"
#: What an observed figure counts (the optional ``scope`` column; see the module's docstring).
SCOPES = ("departure_to_arrival", "door_to_door")
GROUPINGS = ("corridor", "period_year", "kind")
#: Simulated journeys per observation, unless asked otherwise: the command's, the report's and the library's default,
#: so that all three give the same figures.
BACKTEST_JOURNEYS = 4_000


@dataclass(frozen=True)
class Observation:
    """One published end-to-end journey time."""

    id: str
    origin: str
    destination: str
    corridor: str
    via: tuple[str, ...]
    period: str
    kind: str
    low_days: float
    high_days: float
    source: str
    quote: str = ""
    note: str = ""
    scope: str = SCOPES[0]

    @property
    def observed_days(self) -> float:
        """Return the observed days (the middle of a range)."""
        return (self.low_days + self.high_days) / 2.0


def load_observations(network: Network, path: str | os.PathLike[str] | None = None) -> list[Observation]:
    """Return the observations in ``path`` (default: the bundled ``observations.csv``), checked against ``network``.

    Raises ValidationError listing every problem with file, line and field.
    """
    file = Path(path) if path is not None else datasets.data_path() / "observations.csv"
    table = read_checked_csv(file, COLUMNS)
    if "scope" not in table:  # optional: a figure counts from departure to arrival unless it says otherwise
        table["scope"] = ""
    problems: list[Problem] = []
    registry = load_corridors(network)
    sources = set(network.sources.index)
    found: list[Observation] = []
    seen: set[str] = set()
    for i, row in table.iterrows():
        where = (file.name, f"line {i + 2}")
        row_problems = _journey_problems(row, where, network, registry, sources)
        if row["id"] in seen:
            row_problems.append(Problem(*where, "id", f"duplicate id {row['id']!r}"))
        seen.add(row["id"])
        for place in split_list(row["via"]):
            try:
                network.place(place)
            except CorridorError as exc:
                row_problems.append(Problem(*where, "via", str(exc)))
        if row["scope"] and row["scope"] not in SCOPES:
            row_problems.append(Problem(*where, "scope", f"unknown scope {row['scope']!r}; expected one of "
                                        f"{', '.join(SCOPES)} (empty: {SCOPES[0]})"))
        if row["kind"] not in KINDS:
            row_problems.append(Problem(*where, "kind", f"unknown kind {row['kind']!r}; expected one of "
                                        f"{', '.join(KINDS)}"))
        try:
            low, high = float(row["low_days"]), float(row["high_days"])
            if not 0 < low <= high < 1000:
                row_problems.append(Problem(*where, "high_days", f"needs 0 < low ≤ high, got {low:g} and {high:g}"))
        except ValueError:
            row_problems.append(Problem(*where, "low_days", "low_days and high_days must be numbers"))
            low = high = float("nan")
        problems.extend(row_problems)
        if not row_problems:
            found.append(Observation(row["id"], network.place(row["origin"]), network.place(row["destination"]),
                                     row["corridor"], tuple(network.place(p) for p in split_list(row["via"])),
                                     row["period"], row["kind"], low, high, row["source"], row["quote"], row["note"],
                                     row["scope"] or SCOPES[0]))
    if problems:
        raise ValidationError(problems)
    return found


def _journey_problems(row: pd.Series, where: tuple[str, str], network: Network, registry: dict,
                      sources: set[str]) -> list[Problem]:
    """Return what is wrong with the places, corridor, period and source of an observation or a rate."""
    problems = []
    for column in ("origin", "destination"):
        try:
            network.place(row[column])
        except CorridorError as exc:
            problems.append(Problem(*where, column, str(exc)))
    if row["corridor"] not in registry:
        problems.append(Problem(*where, "corridor", f"unknown corridor {row['corridor']!r}; known: "
                                f"{', '.join(registry)}"))
    if not (len(row["period"]) in (4, 7) and row["period"][:4].isdigit()):
        problems.append(Problem(*where, "period", f"{row['period']!r} is not YYYY or YYYY-MM"))
    if row["source"] not in sources:
        problems.append(Problem(*where, "source", f"unknown source {row['source']!r}"))
    return problems


def period_month(period: str) -> int | None:
    """Return the month (1–12) a period names (``2024-09``), or None for a whole year (``2024``)."""
    return int(period[5:7]) if len(period) == 7 else None


def conditions_for(period: str, network: Network) -> str:
    """Return the condition set of a period: its month or year where the dataset documents it, else typical."""
    for candidate in (period, period[:4]):
        if candidate in network.condition_names:
            return candidate
    return DEFAULT_CONDITIONS


def period_conditions(network: Network, period: str, month: int | None = None) -> Conditions:
    """Return the conditions a journey of ``period`` met: the period's own set where the dataset documents it (taken
    in ``month`` when given), else ``typical`` with the queues of the period's own year.

    The typical preset's queues read its latest year's traffic (``conditions.csv``: 2025), which a journey of 2015
    never met: its Caspian feeders queued behind that year's volumes, not 2025's. A year whose volumes the dataset
    does not give has no queue, and its waits are the stop rows', as in the period sets of such years (2019).
    """
    name = conditions_for(period, network)
    conditions = network.conditions(name, month=month)
    if name == DEFAULT_CONDITIONS:
        conditions = replace(conditions, year=int(period[:4]))
    return conditions


class Backtest:
    """The model's P10 / P50 / P90 against each observation, and summaries by corridor, period and kind."""

    def __init__(self, rows: pd.DataFrame, n: int, seed: int | None, costs: pd.DataFrame | None = None,
                 dependence: str = "group"):
        self._rows = rows
        self.n = n
        self.seed = seed
        self.dependence = dependence
        self._costs = costs if costs is not None else pd.DataFrame()

    def costs(self) -> pd.DataFrame:
        """Return the model's cost against each published through-rate (see :func:`cost_backtest`)."""
        return self._costs.copy()

    def cost_summary(self) -> pd.DataFrame:
        """Return per corridor the rates checked, the median absolute percentage error and the bias of the cost."""
        return cost_summary(self._costs) if len(self._costs) else pd.DataFrame()

    def table(self) -> pd.DataFrame:
        """Return one row per observation: what was observed, what the model says, the error and coverage."""
        return self._rows.copy()

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Return MdAPE, coverage and bias overall (``by=None``) or per ``corridor``, ``period_year`` or ``kind``,
        over the independent observations the model could route."""
        rows = self._rows[self._rows["available"] & self._rows["independent"]]
        if by is not None and by not in GROUPINGS:
            raise CorridorError(f"summaries are by {', '.join(GROUPINGS)}, not {by!r}")
        groups = [("all", rows)] if by is None else list(rows.groupby(by, sort=True))
        out = []
        for key, group in groups:
            errors = group["error_pct"]
            out.append({"group": str(key), "observations": len(group),
                        "mdape_pct": round(float(errors.abs().median()), 1),
                        "coverage": round(float(group["inside"].mean()), 3),
                        "bias_pct": round(float(errors.median()), 1)})
        return pd.DataFrame(out).set_index("group")

    def scatter(self) -> dict[str, float]:
        """Return how widely the observations scatter around the model's median, against how widely the model lets
        one journey vary, over the independent observations: the 10th and 90th percentiles of observed / P50; the
        median of the model's own P90 / P10; and the most that any one common factor applied to every simulated
        journey could bring inside P10–P90 (``best_shift_coverage``, at the factor ``best_shift``).

        The last answers whether the coverage falls short because the model is off-centre or because its intervals
        are narrower than the observations' scatter: if no common factor brings the coverage near its goal, the
        figures published for one corridor and year disagree among themselves by more than one journey varies
        (express trains and showcase runs against forwarders' door-to-door quotes), and only wider element ranges
        could hold them — which must come from their sources, never from this check."""
        rows = self._rows[self._rows["available"] & self._rows["independent"]]
        if rows.empty:
            return {}
        p50 = rows["p50_days"].to_numpy(dtype=float)
        ratio = np.log(rows["observed_days"].to_numpy(dtype=float) / p50)
        low, high = np.exp(np.quantile(ratio, (0.1, 0.9)))
        # an observation is inside after the shift s (in log) when s lies in [ratio - log P90/P50, ratio - log
        # P10/P50]: the best shift is where most of those intervals overlap (a sweep over their ends, starts first)
        starts = ratio - np.log(rows["p90_days"].to_numpy(dtype=float) / p50)
        ends = ratio - np.log(rows["p10_days"].to_numpy(dtype=float) / p50)
        at = np.concatenate([starts, ends])
        step = np.concatenate([np.ones(len(starts)), -np.ones(len(ends))])
        order = np.lexsort((-step, at))  # by position, a start before an end at the same position (closed ends)
        depth = np.cumsum(step[order])
        best = int(np.argmax(depth))
        return {"observed_p10": round(float(low), 2), "observed_p90": round(float(high), 2),
                "model_factor": round(float((rows["p90_days"] / rows["p10_days"]).median()), 2),
                "best_shift": round(float(np.exp(at[order][best])), 2),
                "best_shift_coverage": round(float(depth[best] / len(rows)), 3)}

    def misses(self) -> pd.DataFrame:
        """Return the observations outside the model's P10–P90 with what the elements' documented ranges allow
        (:mod:`corridors.reach`): the days needed to reach the observation, the verdict (one group, several groups,
        beyond the ranges), the groups that reach it alone, and the whole answer in a sentence."""
        rows = self._rows[self._rows["available"] & ~self._rows["inside"].astype(bool)]
        return rows[["id", "corridor", "period", "kind", "observed_days", "p50_days", "independent", "needed_days",
                     "reach", "reach_groups", "reach_said"]].reset_index(drop=True)

    def reach_summary(self) -> dict[str, int]:
        """Return how many of the independent misses each verdict holds, in the order of VERDICTS."""
        misses = self.misses()
        counts = misses.loc[misses["independent"], "reach"].value_counts()
        return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICTS}

    @property
    def unavailable(self) -> pd.DataFrame:
        """Return the observations the model could not route, with the reason."""
        return self._rows.loc[~self._rows["available"], ["id", "corridor", "origin", "destination", "reason"]]

    def to_dict(self) -> dict[str, Any]:
        """Return the backtest as plain data for JSON: every row and every summary."""
        rows = self._rows.astype(object).where(self._rows.notna(), None).to_dict(orient="records")
        costs = self._costs.astype(object).where(self._costs.notna(), None).to_dict(orient="records")
        return {"journeys": self.n, "seed": self.seed, "dependence": self.dependence,
                "summary": self.summary().reset_index().to_dict(orient="records")[0], "scatter": self.scatter(),
                "reach": self.reach_summary(),
                **{f"by_{g}": self.summary(g).reset_index().to_dict(orient="records") for g in GROUPINGS},
                "rows": rows,
                "costs_by_corridor": self.cost_summary().reset_index().to_dict(orient="records"),
                "costs": costs}

    def chart(self):
        """Return the predicted-against-observed chart (a matplotlib Figure): P50 with P10–P90 bars, 1:1 line."""
        from .charts import backtest_chart

        return backtest_chart(self)

    @property
    def dependent(self) -> pd.DataFrame:
        """Return the observations left out of the summaries because a time parameter cites their source."""
        return self._rows.loc[~self._rows["independent"], ["id", "corridor", "source"]]

    def __repr__(self) -> str:
        s = self.summary().iloc[0]
        return (f"<Backtest: {int(s['observations'])} observations, MdAPE {s['mdape_pct']:.1f}%, "
                f"P10–P90 coverage {s['coverage']:.0%}, bias {s['bias_pct']:+.1f}%>")

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        s = self.summary().iloc[0]
        parts = [heading(f"Backtest: {int(s['observations'])} observed journeys, {self.n:,} simulated for each; "
                         f"median absolute error {s['mdape_pct']:.1f}%, {s['coverage']:.0%} inside the model's "
                         f"P10–P90, median error {s['bias_pct']:+.1f}%")]
        for grouping in GROUPINGS:
            headers = {"group": grouping.replace("period_year", "year").replace("_", " "),
                       "observations": "observations", "mdape_pct": "median absolute error (%)",
                       "coverage": "inside P10–P90", "bias_pct": "median error (%; + the model is slower)"}
            parts.append(html_table(self.summary(grouping).reset_index(), headers, caption=f"by {headers['group']}"))
        return "".join(parts)


def backtest(network: Network, *, observations: Sequence[Observation] | None = None, n: int = BACKTEST_JOURNEYS,
             seed: int | None = 0, rates: Sequence[RateObservation] | None = None, costs: bool = True,
             dependence: str = "group") -> Backtest:
    """Return the backtest of ``network`` against the bundled observations (or those given), with the costs checked
    against the bundled through-rates (or ``rates``) unless ``costs`` is False.

    ``dependence`` is passed to :func:`corridors.simulation.simulate`: ``"journey"`` shows how much of the
    observations' spread the element ranges could hold at the most, every element of a journey at the same quantile.
    """

    chosen = list(observations) if observations is not None else load_observations(network)
    registry = load_corridors(network)
    used = _cited(network.parameters.tables().values()) | spread_book(network).sources
    simulated: dict[tuple, Any] = {}
    rows = []
    for obs in chosen:
        condition = conditions_for(obs.period, network)
        row: dict[str, Any] = {"id": obs.id, "corridor": obs.corridor, "origin": obs.origin,
                               "destination": obs.destination, "period": obs.period,
                               "period_year": obs.period[:4], "kind": obs.kind,
                               "conditions": _period_label(obs.period, condition),
                               "observed_low_days": obs.low_days, "observed_high_days": obs.high_days,
                               "observed_days": obs.observed_days, "source": obs.source,
                               "independent": obs.source not in used}
        key = (obs.corridor, obs.origin, obs.destination, obs.via, obs.period, obs.kind == AVERAGE)
        if key not in simulated:
            simulated[key] = _period_journeys(network, registry[obs.corridor], obs, n, seed, dependence)
        route, days, transit, reason = simulated[key]
        row["available"] = days is not None
        row["reason"] = reason
        if days is not None:
            p10, p50, p90 = (float(v) for v in np.percentile(days, (10, 50, 90)))
            row.update({"p10_days": round(p10, 2), "p50_days": round(p50, 2),
                        "p90_days": round(p90, 2), "distance_km": round(route.distance_km),
                        "error_pct": round(100.0 * (p50 - obs.observed_days) / obs.observed_days, 1),
                        "inside": bool(p10 <= obs.observed_days <= p90),
                        "largest_element": _largest(transit)})
            if not row["inside"]:
                found = _reach(network, route, transit, obs, obs.observed_days - p50, min(n, REACH_JOURNEYS), seed,
                               dependence)
                row.update({"needed_days": found.needed_days, "reach": found.verdict, "reach_said": found.describe(),
                            "reach_groups": ";".join(found.alone or found.combined)})
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("p10_days", "p50_days", "p90_days", "error_pct", "inside", "largest_element", "distance_km",
                   "needed_days", "reach", "reach_said", "reach_groups"):
        if column not in frame:
            frame[column] = np.nan
    cost_rows = cost_backtest(network, observations=rates) if costs else None
    return Backtest(frame, n, seed, cost_rows, dependence)


def _reach(network: Network, route: Any, transit: Any, obs: Observation, needed_days: float, n: int,
           seed: int | None, dependence: str) -> Reach:
    """Return how far the documented states of the route's groups move its median towards ``obs``
    (:mod:`corridors.reach`), under the observation's condition set (in its month when it names one)."""
    from .simulation import simulate

    base = period_conditions(network, obs.period, period_month(obs.period))

    def days_of(priced: Any) -> np.ndarray:
        return span_days(simulate(priced, n=n, seed=seed, keep_samples=True, dependence=dependence,
                                  single_journey=obs.kind != AVERAGE), obs.scope)

    groups = sorted({g for g in transit.elements["group"] if isinstance(g, str)})
    return reach(route, base, needed_days, days_of, groups, network.conditions, obs.period)


def _period_label(period: str, condition: str) -> str:
    month = period_month(period)
    if condition == DEFAULT_CONDITIONS:  # typical, with the queues of the period's own year (period_conditions)
        said = f"{condition} with {period[:4]} traffic"
        return f"{said} in {month_name(month)}" if month is not None else said
    if month is not None:
        return condition if condition == period else f"{condition} in {month_name(month)}"
    return f"{period}, month by month"


def _period_journeys(network: Network, corridor: Any, obs: Observation, n: int, seed: int | None,
                     dependence: str = "group") -> tuple[Any, np.ndarray | None, Any, str]:
    """Return the route, the simulated days, one simulation to explain them and the reason when unavailable.

    A journey dated to a month meets that month: its period's condition set taken in the month (its weather
    closures and seasonal peaks). A journey dated only to a year could have run in any month of it, so its journeys
    are spread evenly over the twelve months, each meeting its month's conditions (a month set such as
    ``2024-11`` where the dataset documents one), and months in which the corridor was closed (the Red Sea from
    mid-December 2023) are left out: the journey cannot have run then.
    """
    from .simulation import simulate

    def journeys(period: str, month: int | None, count: int, part_seed: int | None):
        conditions = period_conditions(network, period, month)
        if obs.via:
            route = network.route(obs.origin, obs.destination, via=obs.via, avoid=corridor.avoid,
                                  conditions=conditions)
        else:
            route = corridor.route(network, obs.origin, obs.destination, conditions=conditions)
        # every journey's elements are kept: a departure-to-arrival reading leaves some of them out
        return route, simulate(route, n=count, seed=part_seed, keep_samples=True, dependence=dependence,
                               single_journey=obs.kind != AVERAGE)

    try:
        month = period_month(obs.period)
        if month is not None or conditions_for(obs.period, network) == DEFAULT_CONDITIONS:
            route, transit = journeys(obs.period, month, n, seed)
            return route, span_days(transit, obs.scope), transit, ""
    except CorridorError as exc:
        return None, None, None, str(exc)
    parts, reasons = [], []
    share = max(1, -(-n // 12))
    for month in range(1, 13):
        try:
            parts.append(journeys(f"{obs.period}-{month:02d}", month, share,
                                  None if seed is None else seed + month))
        except CorridorError as exc:
            reasons.append(str(exc))
    if not parts:
        return None, None, None, reasons[0]
    days = np.concatenate([span_days(transit, obs.scope) for _, transit in parts])
    middle = float(np.median(days))
    route, transit = min(parts, key=lambda part: abs(part[1].median_days - middle))
    return route, days, transit, ""


def span_days(transit: Any, scope: str = SCOPES[0]) -> np.ndarray:
    """Return each simulated journey's days as an observation of ``scope`` counts them: the whole journey
    (``door_to_door``), or from the departure of its first moving leg to the arrival of its last
    (``departure_to_arrival``), without the stops before and after them."""
    if scope == "door_to_door":
        return transit.total_days
    legs = np.flatnonzero(transit.elements["element"].to_numpy() == "leg")
    outside = np.ones(len(transit.elements), dtype=bool)
    if legs.size:
        outside[legs[0]: legs[-1] + 1] = False
    if not outside.any():
        return transit.total_days
    if transit.streamed:
        raise CorridorError("a departure-to-arrival reading needs every journey's elements: simulate with "
                            "keep_samples=True")
    return (transit.total_h - transit.samples_h[outside].sum(axis=0, dtype=np.float64)) / 24.0


def _cited(tables: Any) -> frozenset[str]:
    """Return every source id that the given parameter tables cite."""
    return frozenset(s for table in tables if "sources" in table for refs in table["sources"] for s in refs)


def _largest(transit: Any) -> str:
    """Return the stop or leg kind that takes the most time in the median journey, with its place."""
    frame = transit.contributions()
    top = frame.sort_values("in_median_journey_h", ascending=False).iloc[0]
    where = transit.route.network.place_name(top["place"])
    return f"{top['kind'].replace('_', ' ')} at {where} ({top['in_median_journey_h'] / 24:.1f} d)"


# Costs -----------------------------------------------------------------------------------------------------

RATE_COLUMNS = ("id", "origin", "destination", "corridor", "period", "price_year", "unit", "low", "high", "quote",
                "source", "note")


@dataclass(frozen=True)
class RateObservation:
    """One published through-rate for a container on a corridor (US$ per FEU) in a period."""

    id: str
    origin: str
    destination: str
    corridor: str
    period: str
    price_year: int
    low_usd: float
    high_usd: float
    source: str

    @property
    def observed_usd(self) -> float:
        """Return the observed rate (the middle of a range)."""
        return (self.low_usd + self.high_usd) / 2.0


def load_rate_observations(network: Network, path: str | os.PathLike[str] | None = None) -> list[RateObservation]:
    """Return the through-rates in ``path`` (default: the bundled ``rate_observations.csv``), checked.

    Raises ValidationError listing every problem with file, line and field.
    """
    file = Path(path) if path is not None else datasets.data_path() / "rate_observations.csv"
    table = read_checked_csv(file, RATE_COLUMNS)
    problems: list[Problem] = []
    registry = load_corridors(network)
    sources = set(network.sources.index)
    found = []
    for i, row in table.iterrows():
        where = (file.name, f"line {i + 2}")
        row_problems = _journey_problems(row, where, network, registry, sources)
        if row["unit"] != "usd_per_feu":
            row_problems.append(Problem(*where, "unit", f"unknown unit {row['unit']!r}; expected usd_per_feu"))
        try:
            low, high, year = float(row["low"]), float(row["high"]), int(row["price_year"])
            if not 0 < low <= high:
                row_problems.append(Problem(*where, "high", f"needs 0 < low ≤ high, got {low:g} and {high:g}"))
        except ValueError:
            row_problems.append(Problem(*where, "low", "low, high and price_year must be numbers"))
        problems.extend(row_problems)
        if not row_problems:
            found.append(RateObservation(row["id"], network.place(row["origin"]), network.place(row["destination"]),
                                         row["corridor"], row["period"], year, low, high, row["source"]))
    if problems:
        raise ValidationError(problems)
    return found


def cost_backtest(network: Network, *, observations: Sequence[RateObservation] | None = None) -> pd.DataFrame:
    """Return the model's cost per FEU against each published through-rate, with the largest cost elements.

    The corridor's cheapest route is booked under typical conditions and priced under the conditions of the rate's
    period; the model's cost is the sum of its elements' typical rates, whose price years are listed. The error is
    (model − observed) / observed; where it is large, the three costliest elements say where the gap comes from.
    """
    chosen = list(observations) if observations is not None else load_rate_observations(network)
    registry = load_corridors(network)
    used = _cited(network.costs.tables().values())
    rows = []
    for obs in chosen:
        condition = conditions_for(obs.period, network)
        row: dict[str, Any] = {"id": obs.id, "corridor": obs.corridor, "origin": obs.origin,
                               "destination": obs.destination, "period": obs.period, "conditions": condition,
                               "observed_price_year": obs.price_year, "observed_usd": obs.observed_usd,
                               "source": obs.source, "independent": obs.source not in used}
        try:
            route = registry[obs.corridor].route(network, obs.origin, obs.destination, conditions=condition, by="cost")
        except CorridorError as exc:
            rows.append({**row, "available": False, "reason": str(exc)})
            continue
        costly = sorted((e for e in route.elements if e.cost_usd == e.cost_usd and e.cost_usd > 0),
                        key=lambda e: e.cost_usd, reverse=True)[:3]
        years = route.price_years
        rows.append({**row, "available": True, "reason": "", "model_usd": round(route.cost_usd),
                     "model_price_years": f"{years[0]}–{years[-1]}" if len(years) > 1 else
                     (str(years[0]) if years else ""),
                     "error_pct": round(100.0 * (route.cost_usd - obs.observed_usd) / obs.observed_usd, 1),
                     "largest_costs": "; ".join(
                         f"{e.kind.replace('_', ' ')} {network.place_name(e.from_place)}"
                         + (f"–{network.place_name(e.to_place)}" if e.element == "leg" else "")
                         + f" US${e.cost_usd:,.0f}" for e in costly)})
    return pd.DataFrame(rows)


def cost_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return per corridor: how many rates, the median absolute percentage error and the bias of the model's cost."""
    rows = table[table["available"] & table["independent"]]
    out = []
    for corridor, group in rows.groupby("corridor", sort=True):
        out.append({"group": corridor, "rates": len(group),
                    "mdape_pct": round(float(group["error_pct"].abs().median()), 1),
                    "bias_pct": round(float(group["error_pct"].median()), 1)})
    return pd.DataFrame(out).set_index("group")
