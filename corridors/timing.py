"""Time parameters by operating profile: how long a stop takes at a place, how fast a mode runs in a country.

Each parameter is a (low, typical, high) triple with its sources. A value is looked up for the node itself, else
for its country, else for the default row ``*``. This version of the model uses the typical value as the
expected time; the triples are kept whole for the transit-time distributions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import CorridorError

DEFAULT_PROFILE = "typical"
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


class TimeParameters:
    """Stop times and running speeds per profile, indexed for constant-time lookup."""

    def __init__(self, stop_times: pd.DataFrame, speeds: pd.DataFrame):
        self._stop_times = stop_times.reset_index(drop=True)
        self._speeds = speeds.reset_index(drop=True)
        self._stops = {(r.kind, r.place, r.profile): self._estimate(r, "h")
                       for r in self._stop_times.itertuples(index=False)}
        self._speed = {(r.mode, r.country, r.profile): self._estimate(r, "kmh")
                       for r in self._speeds.itertuples(index=False)}
        self.profiles: tuple[str, ...] = tuple(dict.fromkeys(
            [*self._stop_times["profile"], *self._speeds["profile"]]))

    @staticmethod
    def _estimate(row: object, unit: str) -> Estimate:
        place = getattr(row, "place", None) or getattr(row, "country", "*")
        return Estimate(getattr(row, f"low_{unit}"), getattr(row, f"typical_{unit}"), getattr(row, f"high_{unit}"),
                        tuple(row.sources), place, row.status, row.note)

    @property
    def stop_times(self) -> pd.DataFrame:
        """Return the stop-time table."""
        return self._stop_times.copy()

    @property
    def speeds(self) -> pd.DataFrame:
        """Return the running-speed table."""
        return self._speeds.copy()

    def check_profile(self, profile: str) -> str:
        """Return ``profile`` if the parameters define it, else raise a CorridorError naming the known ones."""
        if profile not in self.profiles:
            raise CorridorError(f"unknown profile {profile!r}; known profiles: {', '.join(self.profiles)}")
        return profile

    def stop_time(self, kind: str, node: str, country: str, profile: str) -> Estimate | None:
        """Return the time a stop of ``kind`` takes at ``node`` (in ``country``), or None if nothing applies."""
        for place in (node, country, "*"):
            found = self._stops.get((kind, place, profile))
            if found is not None:
                return found
        return None

    def speed(self, mode: str, country: str, profile: str) -> Estimate | None:
        """Return the running speed of ``mode`` in ``country`` in km/h, or None if nothing applies."""
        return self._speed.get((mode, country, profile)) or self._speed.get((mode, "*", profile))


def scheduled_wait_h(service: str) -> float | None:
    """Return the expected wait in hours for a service of ``N/week`` departures reached at a random time."""
    if not service or service == "unscheduled":
        return None
    per_week = float(service.split("/")[0])
    return HOURS_PER_WEEK / per_week / 2.0
