"""What a journey costs and emits: tariffs per loaded 40-ft container (FEU) and CO2e factors, each sourced.

A leg costs its leg-specific tariff where the data has one (a ferry or sea freight rate per FEU), else its
distance times the running rate of its mode in each end's country (per FEU-km). A stop costs the rate of its kind
at its place (node → country → ``*``). CO2e is counted on legs only: distance times the mode's factor per FEU-km in
each end's country; emissions at terminals are left out.

Air freight is quoted per chargeable kg for a whole flight and its emissions per tonne-km (GLEC). To keep every
figure "per loaded FEU", an air leg is priced for the cargo of one loaded FEU (the reference load of
``conversions.csv``: its tonnes, and its chargeable kg — the greater of its mass and its volume at the IATA
volumetric factor); :mod:`corridors.shipment` scales any route to a shipment of another size.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .timing import _levels_renamed, _or_empty


@dataclass(frozen=True)
class Rate:
    """A sourced cost (low / typical / high) in its unit, and the row it came from."""

    low: float
    typical: float
    high: float
    unit: str
    sources: tuple[str, ...]
    place: str
    price_year: int | None = None


class CostParameters:
    """Costs and emission factors, indexed for constant-time lookup."""

    def __init__(self, costs: pd.DataFrame | None, emissions: pd.DataFrame | None):
        self._tables = {"costs": _levels_renamed(_or_empty(costs, "costs")),
                        "emissions": _or_empty(emissions, "emissions")}
        self._by_leg: dict[tuple[str, str], Rate] = {}
        self._by_place: dict[tuple[str, str, str], Rate] = {}
        for r in self._tables["costs"].itertuples(index=False):
            year = getattr(r, "price_year", None)
            rate = Rate(r.low, r.typical, r.high, r.unit, tuple(r.sources), r.leg or r.place,
                        int(year) if year is not None and year == year else None)
            if r.leg:
                self._by_leg[(r.leg, r.profile)] = rate
            else:
                self._by_place[(r.kind, r.place, r.profile)] = rate
        # an air factor is per tonne of cargo (GLEC); it stays per tonne-km here and the model scales it by the
        # reference load (see corridors.model), so the per-FEU figures of other modes are untouched
        self._factors = {(r.mode, r.country): (_factor(r), tuple(r.sources))
                         for r in self._tables["emissions"].itertuples(index=False)}
        self._per_tonne = {(r.mode, r.country) for r in self._tables["emissions"].itertuples(index=False)
                           if _missing(r.kg_co2e_per_feu_km)}

    @property
    def has_costs(self) -> bool:
        """Return whether any cost is known."""
        return bool(len(self._tables["costs"]))

    @property
    def has_emissions(self) -> bool:
        """Return whether any emission factor is known."""
        return bool(len(self._tables["emissions"]))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the non-empty tables by role (copies)."""
        return {role: t.copy() for role, t in self._tables.items() if len(t)}

    def leg_rate(self, leg: str, profile: str) -> Rate | None:
        """Return the tariff of one leg per FEU under a profile (or for every profile), if the data has one."""
        return self._by_leg.get((leg, profile)) or self._by_leg.get((leg, "*"))

    def rate(self, kind: str, node_or_country: str, country: str, profile: str) -> Rate | None:
        """Return the rate of a mode or a stop kind for a place, looked up node → country → ``*``."""
        for place in (node_or_country, country, "*"):
            for p in (profile, "*"):
                found = self._by_place.get((kind, place, p))
                if found is not None:
                    return found
        return None

    def emission_factor(self, mode: str, country: str) -> tuple[float, tuple[str, ...]] | None:
        """Return kg CO2e per FEU-km of a mode in a country (or the default), with its sources; for a factor
        given per tonne-km (air), see :meth:`per_tonne`."""
        return self._factors.get((mode, country)) or self._factors.get((mode, "*"))

    def per_tonne(self, mode: str, country: str) -> bool:
        """Return whether the emission factor of a mode in a country is per tonne-km (air) rather than per FEU-km."""
        key = (mode, country) if (mode, country) in self._factors else (mode, "*")
        return key in self._per_tonne


def _missing(value: object) -> bool:
    return value is None or value != value


def _factor(row) -> float:
    """Return a row's emission factor: kg CO2e per FEU-km, or per tonne-km for a row that gives that instead."""
    value = row.kg_co2e_per_feu_km
    return float(row.kg_co2e_per_tonne_km if _missing(value) else value)  # validation gives every row one of them
