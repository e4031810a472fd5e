"""Corridors side by side between one origin and one destination, under each profile.

For every corridor the comparison routes the pair (the corridor's fastest way), simulates its transit time, and
reports distance, P10 / P50 / P90 days, cost and CO2 per loaded FEU, border crossings, gauge changes,
transshipments and countries. A corridor that cannot serve the pair is listed as not available, with the reason.

What the words mean here: *shortest* is the least distance; *fastest* the lowest median time; *most reliable*
(what "safest" can be measured as) the narrowest spread between the 10th and 90th percentile, in days, and,
given a window, the highest probability of arriving within it; *cheapest* the lowest typical cost; *cleanest* the
lowest CO2e. *Overall* ranks by the mean of the ranks on median time, P90 time, cost and CO2 — a summary, not a
verdict, and the table shows each criterion on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .conditions import DEFAULT_CONDITIONS
from .errors import CorridorError
from .registry import Corridor, load_corridors
from .shipment import Shipment, shipment_totals

if TYPE_CHECKING:
    from .conditions import Conditions
    from .network import Network
    from .route import Route
    from .simulation import TransitTime

RANKED = {"distance_km": "shortest", "p50_days": "fastest", "spread_days": "most reliable",
          "cost_usd": "cheapest", "co2_kg": "cleanest"}
OVERALL = ("p50_days", "p90_days", "cost_usd", "co2_kg")


@dataclass(frozen=True)
class Entry:
    """One corridor under one profile: its route and simulated times, or why it is not available."""

    corridor: Corridor
    profile: str
    route: Route | None
    transit: TransitTime | None
    reason: str = ""


class Comparison:
    """Corridors compared between two places: a table, ranks on each criterion, and the routes for maps."""

    def __init__(self, network: Network, origin: str, destination: str, entries: Sequence[Entry],
                 window_days: float | None, shipment: Shipment | None = None):
        self.network = network
        self.origin = origin
        self.destination = destination
        self.entries = tuple(entries)
        self.window_days = window_days
        self.shipment = shipment

    def table(self) -> pd.DataFrame:
        """Return one row per corridor and profile, with ranks among the available corridors of each profile."""
        rows = []
        for e in self.entries:
            row: dict[str, Any] = {"corridor": e.corridor.id, "name": e.corridor.name, "profile": e.profile,
                                   "available": e.route is not None, "reason": e.reason}
            if e.route is not None and e.transit is not None:
                r, t = e.route, e.transit
                p = t.percentiles((10, 50, 90))
                row.update({
                    "distance_km": round(r.distance_km), "p10_days": round(p["P10"], 1),
                    "p50_days": round(p["P50"], 1), "p90_days": round(p["P90"], 1),
                    "spread_days": round(p["P90"] - p["P10"], 1), "cost_usd": _round(r.cost_usd),
                    "co2_kg": _round(r.co2_kg), "border_crossings": len(r.border_crossings),
                    "gauge_changes": r.count("gauge_change"),
                    "transshipments": r.count("port_handling", "transshipment"),
                    "countries": "–".join(r.countries),
                })
                if self.window_days is not None:
                    row["p_within_window"] = round(t.prob_within(self.window_days), 3)
                if self.shipment is not None:  # what this shipment pays and emits: a container share, or by air
                    totals = shipment_totals(r, self.shipment)
                    row.update({"shipment_cost_usd": _round(totals["cost_usd"]),
                                "shipment_co2_kg": _round(totals["co2_kg"]), "by_air": totals["air"]})
            rows.append(row)
        frame = pd.DataFrame(rows)
        for column in ("distance_km", "p10_days", "p50_days", "p90_days", "spread_days", "cost_usd", "co2_kg"):
            if column not in frame:
                frame[column] = np.nan
        for column in dict.fromkeys((*RANKED, *OVERALL)):  # in this order: a set's order changes between runs
            frame[f"rank_{column}"] = frame.groupby("profile")[column].rank(method="min")
        frame["rank_overall"] = frame[[f"rank_{c}" for c in OVERALL]].mean(axis=1).groupby(frame["profile"]).rank(
            method="min")
        return frame

    def answers(self, profile: str = DEFAULT_CONDITIONS) -> dict[str, str]:
        """Return which corridor is the shortest, fastest, most reliable, cheapest and cleanest under a profile."""
        table = self.table()
        table = table[(table["profile"] == profile) & table["available"]]
        found = {}
        for column, word in RANKED.items():
            values = table[column].dropna()
            if len(values):
                found[word] = str(table.loc[values.idxmin(), "corridor"])
        return found

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data for JSON."""
        table = self.table()
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        return {"origin": self.origin, "destination": self.destination, "window_days": self.window_days,
                "definitions": _DEFINITIONS, "answers": {p: self.answers(p) for p in table["profile"].unique()},
                "rows": records}

    def map(self, *, offline: bool = False, profile: str | None = None):
        """Return a folium map with one colour per corridor and a legend."""
        from .maps import comparison_map

        return comparison_map(self, offline=offline, profile=profile)

    def chart(self, *, profile: str | None = None):
        """Return a time–distance chart (matplotlib Figure) with every available corridor."""
        from .charts import Series, time_distance_chart

        profiles = [e.profile for e in self.entries]
        chosen = profile or (DEFAULT_CONDITIONS if DEFAULT_CONDITIONS in profiles else profiles[0])
        series = [Series(e.route, e.transit, label=e.corridor.name) for e in self.entries
                  if e.profile == chosen and e.route is not None]
        return time_distance_chart(series, title=f"{self.network.place_name(self.origin)} → "
                                                 f"{self.network.place_name(self.destination)} by corridor ({chosen})")

    def __repr__(self) -> str:
        available = sum(1 for e in self.entries if e.route is not None)
        return (f"<Comparison {self.network.place_name(self.origin)} → {self.network.place_name(self.destination)}:"
                f" {available} of {len(self.entries)} corridor-profile pairs available>")

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        table = self.table()
        asked = {profile: i for i, profile in enumerate(dict.fromkeys(table["profile"]))}  # in the order asked
        table = table.assign(asked=table["profile"].map(asked)).sort_values(
            ["asked", "rank_overall", "name"], na_position="last", kind="stable")
        headers = {"name": "corridor", "profile": "conditions", "distance_km": "distance (km)",
                   "p50_days": "median (days)", "p90_days": "P90 (days)", "cost_usd": "cost (US$ per FEU)",
                   "co2_kg": "CO2e (kg per FEU)", "border_crossings": "border crossings",
                   "gauge_changes": "gauge changes"}
        if self.window_days is not None:
            headers["p_within_window"] = f"within {self.window_days:g} days"
        if self.shipment is not None:
            headers |= {"shipment_cost_usd": "shipment cost (US$)", "shipment_co2_kg": "shipment CO2e (kg)"}
        if not table["available"].all():
            headers["reason"] = "why not available"
        sorted_by = ("sorted by overall rank within each condition set: the mean of the ranks on median days, "
                     "P90 days, cost and CO2; corridors that cannot make the journey last")
        available = int(table["available"].sum())
        title = (f"{self.network.place_name(self.origin)} → {self.network.place_name(self.destination)}: "
                 f"{available} of {len(table)} corridor and condition pairs can make the journey")
        return heading(title) + html_table(table, headers, caption=sorted_by)


_DEFINITIONS = {
    "shortest": "least distance (km, published leg lengths)",
    "fastest": "lowest median door-to-door time (days) over the simulated journeys",
    "most reliable": "narrowest P90 − P10 spread (days); with a window, also the probability of arriving within it",
    "cheapest": "lowest typical cost per loaded 40-ft container (US$)",
    "cleanest": "lowest CO2e per loaded 40-ft container (kg, well-to-wheel, legs only)",
    "overall": "mean of the ranks on median days, P90 days, cost and CO2",
}


def _round(value: float) -> float:
    return float("nan") if value != value else round(value)


def compare(network: Network, origin: str, destination: str, *, corridors: Sequence[str] | None = None,
            profiles: Sequence[str | Conditions] = (DEFAULT_CONDITIONS,), n: int = 5_000, seed: int | None = 0,
            window_days: float | None = None, conditions: Sequence[str | Conditions] | None = None,
            reroute: bool = False, shipment: Shipment | str | None = None) -> Comparison:
    """Compare the named corridors (default: all) between two places under each condition set.

    ``conditions`` (``profiles`` is its old name) lists the condition sets; each corridor's route is booked under
    typical conditions and meets each set, unless ``reroute`` chooses it anew under the set. ``shipment``
    (a :class:`~corridors.shipment.Shipment` or text such as ``"2 t, 12 m3"``) adds what that shipment pays and
    emits on each corridor: its share of a container, or its chargeable kg where the route flies.
    """
    from .simulation import simulate

    # a route's own checks first: an unknown place with close matches, the same place at both ends (which every
    # corridor would otherwise report as "not available", as if the request were sound)
    (origin_id, *_, destination_id), _ = network._request(origin, destination, (), ())
    registry = load_corridors(network)
    chosen = list(corridors) if corridors else list(registry)
    unknown = [c for c in chosen if c not in registry]
    if unknown:
        raise CorridorError(f"unknown corridor {unknown[0]!r}; known corridors: {', '.join(registry)}")
    if window_days is not None and window_days < 0:
        raise CorridorError(f"a time window cannot be negative, got {window_days:g}")
    sets = [network.conditions(c) for c in (conditions if conditions is not None else profiles)]
    entries = []
    for corridor_id in chosen:
        corridor = registry[corridor_id]
        for chosen_set in sets:
            try:
                route = corridor.route(network, origin_id, destination_id, conditions=chosen_set, reroute=reroute)
            except CorridorError as exc:  # no route, or an end lies in a country the corridor avoids
                entries.append(Entry(corridor, chosen_set.name, None, None, reason=str(exc)))
                continue
            entries.append(Entry(corridor, chosen_set.name, route, simulate(route, n=n, seed=seed)))
    if isinstance(shipment, str):
        shipment = Shipment.parse(shipment)
    return Comparison(network, origin_id, destination_id, entries, window_days, shipment)
