"""The backtest: the model against observed end-to-end journeys, by corridor, period and kind of figure.

``observations.csv`` holds published journeys — measured train runs, reported averages, operators' schedules and
forwarders' quotes — each with its origin, destination, the corridor it used, its period and the observed days
(a value or a low–high range) with a source. For every observation the backtest books the corridor's route under
typical conditions, simulates it under the conditions of the observation's period (the period's own condition set
where the dataset documents it, else ``typical``), and compares:

- the **error of the median**: (P50 − observed) / observed, with the middle of a range as the observed value;
- whether the observation lies **inside P10–P90** of the simulated journeys (the middle of a range);
- per corridor, per period and per kind: the **median absolute percentage error** (MdAPE), the **coverage** of
  P10–P90 and the **bias** (the median signed error: positive when the model is slow).

The backtest is a check, never a fitting target: no parameter of the model is read from these observations, and a
change that makes the model worse shows up in the tests that pin its summaries.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import datasets
from .errors import CorridorError, Problem, ValidationError
from .registry import load_corridors

if TYPE_CHECKING:
    from .network import Network

COLUMNS = ("id", "origin", "destination", "corridor", "via", "period", "kind", "low_days", "high_days", "quote",
           "source", "status", "note")
KINDS = ("measured_run", "reported_average", "schedule", "quote")
GROUPINGS = ("corridor", "period_year", "kind")


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

    @property
    def observed_days(self) -> float:
        """Return the observed days (the middle of a range)."""
        return (self.low_days + self.high_days) / 2.0


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(text).split(";") if p.strip())


def load_observations(network: Network, path: str | os.PathLike[str] | None = None) -> list[Observation]:
    """Return the observations in ``path`` (default: the bundled ``observations.csv``), checked against ``network``.

    Raises ValidationError listing every problem with file, line and field.
    """
    file = Path(path) if path is not None else datasets.data_path() / "observations.csv"
    if not file.is_file():
        raise ValidationError([Problem(file.name, "", "", "no such file")])
    table = pd.read_csv(file, dtype=str, keep_default_na=False)
    problems = [Problem(file.name, "", c, "required column is missing") for c in COLUMNS if c not in table]
    if problems:
        raise ValidationError(problems)
    registry = load_corridors(network)
    sources = set(network.sources.index)
    found: list[Observation] = []
    seen: set[str] = set()
    for i, row in table.iterrows():
        where = (file.name, f"line {i + 2}")
        row_problems = []
        if row["id"] in seen:
            row_problems.append(Problem(*where, "id", f"duplicate id {row['id']!r}"))
        seen.add(row["id"])
        for column in ("origin", "destination"):
            try:
                network.place(row[column])
            except CorridorError as exc:
                row_problems.append(Problem(*where, column, str(exc)))
        for place in _split(row["via"]):
            try:
                network.place(place)
            except CorridorError as exc:
                row_problems.append(Problem(*where, "via", str(exc)))
        if row["corridor"] not in registry:
            row_problems.append(Problem(*where, "corridor", f"unknown corridor {row['corridor']!r}; known: "
                                        f"{', '.join(registry)}"))
        if row["kind"] not in KINDS:
            row_problems.append(Problem(*where, "kind", f"unknown kind {row['kind']!r}; expected one of "
                                        f"{', '.join(KINDS)}"))
        if not (len(row["period"]) in (4, 7) and row["period"][:4].isdigit()):
            row_problems.append(Problem(*where, "period", f"{row['period']!r} is not YYYY or YYYY-MM"))
        if row["source"] not in sources:
            row_problems.append(Problem(*where, "source", f"unknown source {row['source']!r}"))
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
                                     row["corridor"], tuple(network.place(p) for p in _split(row["via"])),
                                     row["period"], row["kind"], low, high, row["source"], row["quote"], row["note"]))
    if problems:
        raise ValidationError(problems)
    return found


def conditions_for(period: str, network: Network) -> str:
    """Return the condition set of a period: its month or year where the dataset documents it, else typical."""
    for candidate in (period, period[:4]):
        if candidate in network.condition_names:
            return candidate
    return "typical"


class Backtest:
    """The model's P10 / P50 / P90 against each observation, and summaries by corridor, period and kind."""

    def __init__(self, rows: pd.DataFrame, n: int, seed: int | None):
        self._rows = rows
        self.n = n
        self.seed = seed

    def table(self) -> pd.DataFrame:
        """Return one row per observation: what was observed, what the model says, the error and coverage."""
        return self._rows.copy()

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Return MdAPE, coverage and bias overall (``by=None``) or per ``corridor``, ``period_year`` or ``kind``."""
        rows = self._rows[self._rows["available"]]
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

    @property
    def unavailable(self) -> pd.DataFrame:
        """Return the observations the model could not route, with the reason."""
        return self._rows.loc[~self._rows["available"], ["id", "corridor", "origin", "destination", "reason"]]

    def to_dict(self) -> dict[str, Any]:
        """Return the backtest as plain data for JSON: every row and every summary."""
        rows = self._rows.astype(object).where(self._rows.notna(), None).to_dict(orient="records")
        return {"journeys": self.n, "seed": self.seed,
                "summary": self.summary().reset_index().to_dict(orient="records")[0],
                **{f"by_{g}": self.summary(g).reset_index().to_dict(orient="records") for g in GROUPINGS},
                "rows": rows}

    def chart(self):
        """Return the predicted-against-observed chart (a matplotlib Figure): P50 with P10–P90 bars, 1:1 line."""
        from .charts import backtest_chart

        return backtest_chart(self)

    def __repr__(self) -> str:
        s = self.summary().iloc[0]
        return (f"<Backtest: {int(s['observations'])} observations, MdAPE {s['mdape_pct']:.1f}%, "
                f"P10–P90 coverage {s['coverage']:.0%}, bias {s['bias_pct']:+.1f}%>")

    def _repr_html_(self) -> str:
        parts = [f"<p><b>{html.escape(repr(self))}</b></p>"]
        for grouping in GROUPINGS:
            parts.append(self.summary(grouping).to_html(escape=True))
        return "".join(parts)


def backtest(network: Network, *, observations: Sequence[Observation] | None = None, n: int = 4_000,
             seed: int | None = 0) -> Backtest:
    """Return the backtest of ``network`` against the bundled observations (or those given)."""
    from .simulation import simulate

    chosen = list(observations) if observations is not None else load_observations(network)
    registry = load_corridors(network)
    simulated: dict[tuple, Any] = {}
    rows = []
    for obs in chosen:
        condition = conditions_for(obs.period, network)
        row: dict[str, Any] = {"id": obs.id, "corridor": obs.corridor, "origin": obs.origin,
                               "destination": obs.destination, "period": obs.period,
                               "period_year": obs.period[:4], "kind": obs.kind, "conditions": condition,
                               "observed_low_days": obs.low_days, "observed_high_days": obs.high_days,
                               "observed_days": obs.observed_days, "source": obs.source}
        key = (obs.corridor, obs.origin, obs.destination, obs.via, condition)
        if key not in simulated:
            try:
                corridor = registry[obs.corridor]
                if obs.via:
                    route = network.route(obs.origin, obs.destination, via=obs.via, avoid=corridor.avoid,
                                          conditions=condition)
                else:
                    route = corridor.route(network, obs.origin, obs.destination, conditions=condition)
                simulated[key] = (route, simulate(route, n=n, seed=seed), "")
            except CorridorError as exc:
                simulated[key] = (None, None, str(exc))
        route, transit, reason = simulated[key]
        row["available"] = transit is not None
        row["reason"] = reason
        if transit is not None:
            p = transit.percentiles((10, 50, 90))
            row.update({"p10_days": round(p["P10"], 2), "p50_days": round(p["P50"], 2),
                        "p90_days": round(p["P90"], 2), "distance_km": round(route.distance_km),
                        "error_pct": round(100.0 * (p["P50"] - obs.observed_days) / obs.observed_days, 1),
                        "inside": bool(p["P10"] <= obs.observed_days <= p["P90"]),
                        "largest_element": _largest(transit)})
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("p10_days", "p50_days", "p90_days", "error_pct", "inside", "largest_element", "distance_km"):
        if column not in frame:
            frame[column] = np.nan
    return Backtest(frame, n, seed)


def _largest(transit: Any) -> str:
    """Return the stop or leg kind that takes the most time in the median journey, with its place."""
    frame = transit.contributions()
    top = frame.sort_values("in_median_journey_h", ascending=False).iloc[0]
    where = transit.route.network.place_name(top["place"])
    return f"{top['kind'].replace('_', ' ')} at {where} ({top['in_median_journey_h'] / 24:.1f} d)"
