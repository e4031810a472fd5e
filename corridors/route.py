"""A Route: the ordered legs and stops of one journey, with totals and tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from .conditions import DEFAULT_CONDITIONS

if TYPE_CHECKING:
    from .conditions import Conditions
    from .model import Priced
    from .network import Network
    from .simulation import TransitTime

ELEMENT_COLUMNS = ("element", "kind", "place", "from", "to", "mode", "gauge_mm", "country", "distance_km",
                   "time_h", "cost_usd", "co2_kg", "cum_distance_km", "cum_time_h", "cum_cost_usd", "sources", "leg")


@dataclass(frozen=True)
class Element:
    """One leg or one stop of a route."""

    element: str  # "leg" or "stop"
    kind: str  # a leg's mode, or a stop's kind
    place: str  # a stop's place id; a leg's start
    from_place: str
    to_place: str
    mode: str | None
    gauge_mm: int | None
    country: str
    distance_km: float
    time_h: float
    sources: tuple[str, ...]
    leg: str | None = None
    note: str | None = None
    cost_usd: float = float("nan")
    co2_kg: float = float("nan")
    priced: Priced | None = None  # the element's estimate under the route's conditions (corridors.model)
    direction: str | None = None  # a gauge change's way (arriving>departing gauge) or a border's side (out, in)

    @property
    def weak(self) -> bool:
        """Return whether every source of this element's time is weak (a blog, a mirror or an aggregator)."""
        return bool(self.priced is not None and self.priced.weak)

    @property
    def level(self) -> str:
        """Return the level (best, typical, congested) the route's conditions put this element at."""
        return self.priced.level if self.priced is not None else ""


@dataclass(frozen=True)
class BorderCrossing:
    """A border crossed on the way: the leg that crosses it, its two places and their countries."""

    leg: str
    from_place: str
    to_place: str
    from_country: str
    to_country: str


def _rounded(value: object, digits: int = 1) -> float | None:
    """Return a number rounded for display, or None where it is unknown (NaN), which JSON cannot carry."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else round(number, digits)


class Route:
    """The ordered legs and stops of one journey between two places, priced under one condition set.

    Build one with :meth:`corridors.Network.route`. Times are typical values in hours (each element's median, a
    mean for waits); distances are the published distances of the legs in km. ``booked_under`` names the
    conditions the route was chosen under (``typical`` unless it was rerouted).
    """

    def __init__(self, *, network: Network, origin: str, destination: str, via: Sequence[str],
                 conditions: Conditions, weight: str, elements: Sequence[Element], names: Mapping[str, str],
                 countries: Mapping[str, str], legs: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 booked_under: str = DEFAULT_CONDITIONS):
        self.network = network
        self.origin = origin
        self.destination = destination
        self.via = tuple(via)
        self.conditions = conditions
        self.booked_under = booked_under
        self.weight = weight
        self.elements: tuple[Element, ...] = tuple(elements)
        self._names = dict(names)
        self._countries = dict(countries)
        self._leg_geometry = legs
        self._place_geometry = places

    @property
    def profile(self) -> str:
        """Return the name of the route's condition set (the old name of ``conditions.name``)."""
        return self.conditions.name

    @property
    def rerouted(self) -> bool:
        """Return whether the route was chosen under its own conditions rather than booked under typical ones."""
        return self.booked_under == self.conditions.name and self.booked_under != DEFAULT_CONDITIONS

    def _with(self, *, elements: Sequence[Element], conditions: Conditions) -> Route:
        """Return a copy with other elements and conditions (the same path, priced anew)."""
        return Route(network=self.network, origin=self.origin, destination=self.destination, via=self.via,
                     conditions=conditions, weight=self.weight, elements=elements, names=self._names,
                     countries=self._countries, legs=self._leg_geometry, places=self._place_geometry,
                     booked_under=self.booked_under)

    def under(self, conditions: str | Conditions) -> Route:
        """Return the same legs and stops priced under other conditions (what the booked route meets then)."""
        return self.network.reprice(self, conditions)

    def end_notes(self) -> tuple[str, ...]:
        """Return what a journey that starts or ends at a border station counts and leaves out, in words.

        A border station is one side of a crossing. A journey that starts there begins after that side's
        formalities (and gauge change): the crossing from the other side is not part of it. One that ends there
        ends on arrival, before any change of gauge onward. To count a crossing, start on its other side.
        """
        notes = []
        places, legs = self._place_geometry, self._leg_geometry
        for end, word in ((self.origin, "starts"), (self.destination, "ends")):
            if places.at[end, "kind"] != "border":
                continue
            country = self._countries[end]
            across = sorted({other for a, b in zip(legs["from"], legs["to"], strict=True) if end in (a, b)
                             for other in (a, b) if other != end and self._countries[other] != country})
            other = " or ".join(self._names[p] for p in across) or "the other side"
            if word == "starts":
                notes.append(f"{self._names[end]} is the {country} side of a border crossing: the journey starts after "
                             f"it, so the crossing from {other} (its formalities and any change of gauge) is not "
                             f"counted; start at {other} to count it.")
            else:
                notes.append(f"{self._names[end]} is the {country} side of a border crossing: the journey ends on "
                             f"arrival there, before any onward change of gauge or formalities towards {other}.")
        return tuple(notes)

    @property
    def price_years(self) -> tuple[int, ...]:
        """Return the price years of the rates behind the route's cost, oldest first (a free element has none)."""
        return tuple(sorted({e.priced.price_year for e in self.elements
                             if e.priced is not None and e.priced.price_year and e.cost_usd > 0}))

    @property
    def weak_elements(self) -> tuple[Element, ...]:
        """Return the elements whose time rests only on weak sources (blogs, mirrors, aggregators)."""
        return tuple(e for e in self.elements if e.weak)

    # Totals -------------------------------------------------------------------------------------------------
    @property
    def distance_km(self) -> float:
        """Return the total distance in km (the sum of the legs' published distances)."""
        return float(sum(e.distance_km for e in self.elements))

    @property
    def time_h(self) -> float:
        """Return the expected door-to-door time in hours, legs and stops together."""
        return float(sum(e.time_h for e in self.elements))

    @property
    def time_days(self) -> float:
        """Return the expected time in days."""
        return self.time_h / 24.0

    @property
    def cost_usd(self) -> float:
        """Return the typical cost per loaded FEU in US$ (NaN if the network has no cost data)."""
        return float(sum(e.cost_usd for e in self.elements))

    @property
    def co2_kg(self) -> float:
        """Return the CO2e per loaded FEU in kg (NaN if the network has no emission factors)."""
        return float(sum(e.co2_kg for e in self.elements if e.element == "leg"))

    def count(self, *kinds: str) -> int:
        """Return how many stops of these kinds the route makes."""
        return sum(1 for e in self.elements if e.element == "stop" and e.kind in kinds)

    @property
    def moving_h(self) -> float:
        """Return the expected hours spent on legs."""
        return float(sum(e.time_h for e in self.elements if e.element == "leg"))

    @property
    def stopped_h(self) -> float:
        """Return the expected hours spent at stops."""
        return float(sum(e.time_h for e in self.elements if e.element == "stop"))

    @property
    def legs(self) -> tuple[Element, ...]:
        """Return the legs in order."""
        return tuple(e for e in self.elements if e.element == "leg")

    @property
    def stops(self) -> tuple[Element, ...]:
        """Return the stops in order."""
        return tuple(e for e in self.elements if e.element == "stop")

    @property
    def places(self) -> tuple[str, ...]:
        """Return the place ids passed, from origin to destination."""
        ids = [self.origin]
        ids.extend(leg.to_place for leg in self.legs)
        return tuple(ids)

    @property
    def passages(self) -> tuple[str, ...]:
        """Return the sea passages the route sails through (suez, bab_el_mandeb…), in order."""
        legs = self.network._leg_by_id
        return tuple(dict.fromkeys(p for leg in self.legs if leg.leg for p in (legs[leg.leg]["passages"] or ())))

    @property
    def countries(self) -> tuple[str, ...]:
        """Return the ISO 3166 alpha-3 codes of the countries crossed, in order."""
        return tuple(dict.fromkeys(self._countries[p] for p in self.places))

    @property
    def border_crossings(self) -> tuple[BorderCrossing, ...]:
        """Return the borders crossed, in order."""
        return tuple(
            BorderCrossing(leg.leg or "", leg.from_place, leg.to_place, self._countries[leg.from_place],
                           self._countries[leg.to_place])
            for leg in self.legs
            if self._countries[leg.from_place] != self._countries[leg.to_place]
        )

    def stop_hours(self) -> dict[str, float]:
        """Return the expected hours spent at stops, by kind of stop."""
        hours: dict[str, float] = {}
        for stop in self.stops:
            hours[stop.kind] = hours.get(stop.kind, 0.0) + stop.time_h
        return hours

    def sources(self) -> tuple[str, ...]:
        """Return every source id behind the route's figures, in order of first use."""
        return tuple(dict.fromkeys(s for e in self.elements for s in e.sources))

    def simulate(self, *, n: int = 10_000, conditions: str | Conditions | None = None, seed: int | None = 0,
                 start_hour: float | None = None, profile: str | None = None, dependence: str = "group",
                 single_journey: bool = True) -> TransitTime:
        """Return the distribution of door-to-door times over ``n`` simulated journeys (see corridors.simulate)."""
        from .simulation import simulate

        return simulate(self, n=n, conditions=conditions, seed=seed, start_hour=start_hour, profile=profile,
                        dependence=dependence, single_journey=single_journey)

    def map(self, *, offline: bool = False):
        """Return a folium map of the route over the network, with a popup per leg and a marker per stop."""
        from .maps import route_map

        return route_map(self, offline=offline)

    def indicators(self) -> dict[str, float]:
        """Return CAREC-style corridor indicators from the typical times.

        ``speed_without_delay_kmh`` is distance over time on legs; ``speed_with_delay_kmh`` distance over the whole
        time, stops included; ``border_crossing_h`` the hours at border formalities; ``stopped_share`` the share of
        the journey spent at stops.
        """
        return {
            "distance_km": round(self.distance_km, 1),
            "speed_without_delay_kmh": round(self.distance_km / self.moving_h, 1) if self.moving_h else float("nan"),
            "speed_with_delay_kmh": round(self.distance_km / self.time_h, 1) if self.time_h else float("nan"),
            "border_crossing_h": round(self.stop_hours().get("border_crossing", 0.0), 1),
            "stopped_share": round(self.stopped_h / self.time_h, 3) if self.time_h else 0.0,
        }

    # Tables ------------------------------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Return one record per leg and stop, in order, with cumulative distance and time: the rows of
        :meth:`to_frame`, without pandas (the route table of the command line is made from these)."""
        rows = []
        cum_km = cum_h = cum_cost = 0.0
        for e in self.elements:
            cum_km += e.distance_km
            cum_h += e.time_h
            cum_cost += e.cost_usd
            rows.append({
                "element": e.element, "kind": e.kind, "place": self._names[e.place] if e.element == "stop" else "",
                "from": self._names[e.from_place], "to": self._names[e.to_place], "mode": e.mode,
                "gauge_mm": e.gauge_mm, "country": e.country, "distance_km": e.distance_km, "time_h": e.time_h,
                "cost_usd": e.cost_usd, "co2_kg": e.co2_kg if e.element == "leg" else 0.0,
                "cum_distance_km": cum_km, "cum_time_h": cum_h, "cum_cost_usd": cum_cost,
                "sources": ";".join(e.sources), "leg": e.leg,
            })
        return rows

    def to_frame(self) -> pd.DataFrame:
        """Return one row per leg and stop, in order, with cumulative distance and time (see :meth:`records`)."""
        frame = pd.DataFrame(self.records(), columns=list(ELEMENT_COLUMNS))
        frame["gauge_mm"] = frame["gauge_mm"].astype("Int64")
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="step")
        return frame

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Return the same rows as :meth:`to_frame` with geometry: lines for legs, points for stops (EPSG:4326)."""
        frame = self.to_frame()
        geometry = []
        for e in self.elements:
            if e.element == "leg":
                line = self._leg_geometry.geometry[e.leg]
                forward = self._leg_geometry.at[e.leg, "from"] == e.from_place
                geometry.append(line if forward else line.reverse())
            else:
                geometry.append(self._place_geometry.geometry[e.place])
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

    def summary(self) -> dict[str, Any]:
        """Return the totals as a plain dict."""
        return {
            "origin": self.origin, "destination": self.destination, "via": list(self.via),
            "profile": self.profile, "conditions": self.conditions.name, "booked_under": self.booked_under,
            "optimised_for": self.weight, "price_years": list(self.price_years),
            "distance_km": round(self.distance_km, 1), "time_h": round(self.time_h, 2),
            "time_days": round(self.time_days, 2), "moving_h": round(self.moving_h, 2),
            "stopped_h": round(self.stopped_h, 2), "legs": len(self.legs), "stops": len(self.stops),
            "cost_usd": _rounded(self.cost_usd), "co2_kg": _rounded(self.co2_kg),
            "stop_hours": {k: round(v, 2) for k, v in self.stop_hours().items()},
            "countries": list(self.countries),
            "border_crossings": [f"{b.from_country}→{b.to_country} ({self._names[b.from_place]} – "
                                 f"{self._names[b.to_place]})" for b in self.border_crossings],
            "indicators": self.indicators(),
            "notes": list(self.end_notes()),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the route as plain data for JSON: names, totals, and every leg and stop in order."""
        frame = self.to_frame().reset_index()
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        for record in records:
            record["sources"] = record["sources"].split(";") if record["sources"] else []
            for key in ("distance_km", "time_h", "cum_distance_km", "cum_time_h", "cost_usd", "co2_kg", "cum_cost_usd"):
                record[key] = _rounded(record[key], 3)
        return {
            "origin_name": self._names[self.origin], "destination_name": self._names[self.destination],
            **self.summary(), "sources": list(self.sources()), "elements": records,
        }

    # Display -----------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"<Route {self._names[self.origin]} → {self._names[self.destination]}: {self.distance_km:,.0f} km, "
                f"{self.time_days:.1f} days ({self.profile}), {len(self.legs)} legs, {len(self.stops)} stops>")

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        frame = self.to_frame().reset_index()
        frame["sources"] = frame["sources"].str.replace(";", ", ")
        headers = {"step": "step", "element": "element", "kind": "kind", "place": "place", "from": "from", "to": "to",
                   "distance_km": "distance (km)", "time_h": "time (h)", "cum_time_h": "time so far (h)",
                   "sources": "sources"}
        title = (f"{self._names[self.origin]} → {self._names[self.destination]}: {self.distance_km:,.0f} km, "
                 f"{self.time_days:.1f} days under {self.profile} conditions, {len(self.legs)} legs and "
                 f"{len(self.stops)} stops")
        return heading(title) + html_table(frame, headers)


class Routes(list):
    """A list of routes between the same two places, best first, that shows itself as one table in Jupyter.

    :meth:`corridors.Network.alternatives` returns one. It is a plain ``list`` in every other way (indexing,
    iteration, equality, ``len``), so code written for a list of routes keeps working.
    """

    def _journey(self) -> str:
        first: Route = self[0]
        return f"{first._names[first.origin]} → {first._names[first.destination]}"

    def __repr__(self) -> str:
        if not self:
            return "<Routes: none>"
        days = ", ".join(f"{r.time_days:.1f}" for r in self[:6]) + (", …" if len(self) > 6 else "")
        return f"<Routes {self._journey()}: {len(self)} route{'s' if len(self) != 1 else ''}, {days} days>"

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        if not self:
            return heading("no routes")
        rows = pd.DataFrame([{
            "option": i, "stops_at": ", ".join(dict.fromkeys(r._names[s.place] for s in r.stops)),
            "countries": " → ".join(r.countries), "distance_km": r.distance_km, "time_days": r.time_days,
            "cost_usd": r.cost_usd, "conditions": r.profile} for i, r in enumerate(self, start=1)])
        headers = {"option": "option", "time_days": "typical time (days)", "distance_km": "distance (km)",
                   "cost_usd": "cost (US$ per FEU)", "countries": "countries", "stops_at": "stops at",
                   "conditions": "conditions"}
        return heading(f"{len(self)} routes {self._journey()}, best first") + html_table(rows, headers)
