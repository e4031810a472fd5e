"""Time parameters by level: how long a stop takes at a place, how fast a mode runs in a country.

Each parameter is a (low, typical, high) triple with its sources, given for each level (``best``, ``typical``,
``congested``; the tables' ``profile`` column names it, and the old name ``scheduled`` reads as ``best``). A value is
looked up for the node itself, else for its country, else for the default row ``*``. Which level an element is at
is the business of the condition set (:mod:`corridors.conditions`); how an element is priced, of
:mod:`corridors.model`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

HOURS_PER_WEEK = 168.0


@dataclass(frozen=True)
class Estimate:
    """A sourced low / typical / high value and the row it came from (``place`` is a node, a country or ``*``)."""

    low: float
    typical: float
    high: float
    sources: tuple[str, ...]
    place: str
    status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Disruption:
    """An event that may hold freight at a place: its probability per departure and the delay it causes."""

    kind: str
    probability: float
    delay: Estimate


class TimeParameters:
    """Stop times, running speeds, leg times and disruptions per profile, indexed for constant-time lookup."""

    def __init__(self, stop_times: pd.DataFrame, speeds: pd.DataFrame, leg_times: pd.DataFrame | None = None,
                 disruptions: pd.DataFrame | None = None):
        self._tables = {
            "stop_times": _levels_renamed(stop_times.reset_index(drop=True)),
            "speeds": _levels_renamed(speeds.reset_index(drop=True)),
            "leg_times": _levels_renamed(_or_empty(leg_times, "leg_times")),
            "disruptions": _levels_renamed(_or_empty(disruptions, "disruptions")),
        }
        stops = self._tables["stop_times"]
        ways = stops["direction"] if "direction" in stops else pd.Series("", index=stops.index)
        self._stops = {(r.kind, r.place, r.profile, stop_direction(way)): self._estimate(r, "h", r.place)
                       for r, way in zip(stops.itertuples(index=False), ways.tolist(), strict=True)}
        # the ways a place's own rows name, per kind and level (what a map shows of a gauge change)
        self._ways: dict[tuple[str, str, str], tuple[str, ...]] = {}
        for kind, place, profile, way in sorted(self._stops):
            if way:
                self._ways[kind, place, profile] = (*self._ways.get((kind, place, profile), ()), way)
        self._speed = {(r.mode, r.country, r.profile): self._estimate(r, "kmh", r.country)
                       for r in self._tables["speeds"].itertuples(index=False)}
        self._legs = {(r.leg, r.profile): self._estimate(r, "h", r.leg)
                      for r in self._tables["leg_times"].itertuples(index=False)}
        self._disruptions = {(r.place, r.profile): Disruption(r.kind, r.probability, self._estimate(r, "h", r.place))
                             for r in self._tables["disruptions"].itertuples(index=False)}
        self.profiles: tuple[str, ...] = tuple(dict.fromkeys(
            [*self._tables["stop_times"]["profile"], *self._tables["speeds"]["profile"]]))

    @staticmethod
    def _estimate(row: Any, unit: str, place: str) -> Estimate:
        return Estimate(getattr(row, f"low_{unit}"), getattr(row, f"typical_{unit}"), getattr(row, f"high_{unit}"),
                        tuple(row.sources), place, row.status, row.note)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the parameter tables by role (copies), leaving out optional ones that are empty."""
        return {role: t.copy() for role, t in self._tables.items() if len(t) or role in ("stop_times", "speeds")}

    @property
    def leg_times(self) -> pd.DataFrame:
        """Return the explicit leg-time table (may be empty)."""
        return self._tables["leg_times"].copy()

    @property
    def disruptions(self) -> pd.DataFrame:
        """Return the disruption table (may be empty)."""
        return self._tables["disruptions"].copy()

    def leg_time(self, leg: str, profile: str) -> Estimate | None:
        """Return the explicit time distribution of a leg under a profile, or None if it has none."""
        return self._legs.get((leg, profile))

    def disruption(self, node: str, country: str, profile: str) -> Disruption | None:
        """Return the disruption that may hold a departure from ``node`` under a profile, or None."""
        for place in (node, country, "*"):
            found = self._disruptions.get((place, profile))
            if found is not None:
                return found
        return None

    @property
    def stop_times(self) -> pd.DataFrame:
        """Return the stop-time table."""
        return self._tables["stop_times"].copy()

    @property
    def speeds(self) -> pd.DataFrame:
        """Return the running-speed table."""
        return self._tables["speeds"].copy()

    def stop_time(self, kind: str, node: str, country: str, profile: str, direction: str | None = None
                  ) -> Estimate | None:
        """Return the time a stop of ``kind`` takes at ``node`` (in ``country``), or None if nothing applies.

        ``direction`` is the way of a stop (a gauge change's ``1435>1520``, a border's ``out`` or ``in``; see
        ``contract.DIRECTED_STOPS``): at each of the node, its country and ``*``, a row for that way comes before a
        row for both ways."""
        ways = (direction, "") if direction else ("",)
        for place in (node, country, "*"):
            for way in ways:
                found = self._stops.get((kind, place, profile, way))
                if found is not None:
                    return found
        return None

    def stop_directions(self, kind: str, place: str, profile: str) -> tuple[str, ...]:
        """Return the ways (``1435>1520``) for which ``place`` itself has a row of ``kind`` under a profile."""
        return self._ways.get((kind, place, profile), ())

    def speed(self, mode: str, country: str, profile: str) -> Estimate | None:
        """Return the running speed of ``mode`` in ``country`` in km/h, or None if nothing applies."""
        return self._speed.get((mode, country, profile)) or self._speed.get((mode, "*", profile))


def stop_direction(value: object) -> str:
    """Return a stop row's ``direction`` as the lookups key it: the text, or '' where the row holds both ways."""
    return value.strip() if isinstance(value, str) else ""


def _levels_renamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the table with old level names in its ``profile`` column replaced (``scheduled`` → ``best``)."""
    from .conditions import LEVEL_ALIASES

    if "profile" in frame and frame["profile"].isin(list(LEVEL_ALIASES)).any():
        frame = frame.assign(profile=frame["profile"].replace(LEVEL_ALIASES))
    return frame


def _or_empty(frame: pd.DataFrame | None, role: str) -> pd.DataFrame:
    from .contract import TABLES

    if frame is None:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in TABLES[role]})
    return frame.reset_index(drop=True)


SERVICE_PATTERN = re.compile(r"^(unscheduled|(\d+(\.\d+)?)/week)$")


def service_problem(service: str) -> str | None:
    """Return what is wrong with a service pattern (``unscheduled`` or ``N/week`` with N > 0), or None."""
    if not SERVICE_PATTERN.match(service):
        return f"{service!r} is not 'unscheduled' or 'N/week'"
    if service != "unscheduled" and float(service.split("/")[0]) <= 0:
        return "departures per week must be positive"
    return None


def headway_h(service: str | None) -> float | None:
    """Return the hours between departures of an ``N/week`` service, or None for an unscheduled one."""
    if not service or service == "unscheduled":
        return None
    return HOURS_PER_WEEK / float(service.split("/")[0])


def split_triangular(low: float, typical: float, high: float, u: np.ndarray) -> np.ndarray:
    """Return draws from the split triangular distribution for uniform draws ``u`` in [0, 1).

    Half the probability lies on each side of ``typical``, which is therefore the median: below it the density
    rises linearly from ``low``, above it falls linearly to ``high``. This keeps the meaning of a sourced
    "typical" value (half the journeys faster, half slower) while letting the low and high values set the spread,
    which is often lopsided (a border crossing can take days longer than typical, never days shorter).
    """
    lower_half = u < 0.5
    root = np.sqrt(np.where(lower_half, u, 1.0 - u) * 2.0)
    return np.where(lower_half, low + (typical - low) * root, high - (high - typical) * root)


def split_triangular_mean(low: float, typical: float, high: float) -> float:
    """Return the mean of the split triangular distribution."""
    return 0.5 * (low + 2.0 * typical) / 3.0 + 0.5 * (high + 2.0 * typical) / 3.0
