"""Capacity and the binding bottleneck: which element limits how much a corridor can carry.

Capacities of ports, border crossings, ferry services and railways come from the network's own ``capacities.csv``
with their sources; volumes carried from its ``volumes.csv`` (both validated at load; a network without
capacities has no bottleneck to name, and says so). Everything is compared in TEU a year: a capacity stated in
tonnes is converted at the dataset's ``tonnes_per_teu`` (the bundled data: the IMO default of 10 t per loaded
TEU), one stated in trains at its ``teu_per_train`` (bundled: 86 TEU per train), from ``conversions.csv``.
Where an element has several figures, the most recent one that is not a plan is used, and a figure in TEU is
preferred over a converted one. An element without a figure is treated as unlimited, and the answer says how many
elements on the way have none.

Two answers are given: the smallest capacity **along the best route**, and the **maximum flow** through the
whole network between the two places (allowing parallel ports and crossings), with the minimum cut that limits
it. Each leg's capacity is taken to hold in each direction.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from .conditions import DEFAULT_CONDITIONS
from .errors import CorridorError

if TYPE_CHECKING:
    from .network import Network
    from .route import Route

PREFERRED_UNIT = "teu_per_year"


@dataclass(frozen=True)
class Capacity:
    """An element's capacity in TEU a year, and the figure it came from."""

    element: str
    kind: str  # "node" or "leg"
    teu_per_year: float
    stated: str  # the figure as published, e.g. "6,500,000 tonnes_per_year (2017)"
    status: str
    sources: tuple[str, ...]
    converted: bool
    note: str = ""


def _conversions(network: Network) -> dict[str, float]:
    """Return the network's conversion factors by name (none without a conversions table: the load made sure that
    every capacity needing one has it)."""
    if not network.has_table("conversions"):
        return {}
    table = network.table("conversions")
    return {name: float(value) for name, value in zip(table["name"], table["value"], strict=True)}


def to_teu_per_year(value: float, unit: str, factors: dict[str, float]) -> float:
    """Return a capacity or volume in TEU a year."""
    if unit == "teu_per_year":
        return value
    if unit == "tonnes_per_year":
        return value / factors["tonnes_per_teu"]
    if unit == "trains_per_day":
        return value * factors["teu_per_train"] * 365.0
    if unit == "trains_per_week":
        return value * factors["teu_per_train"] * 52.0
    raise CorridorError(f"unknown capacity unit {unit!r}")


def current_capacities(network: Network) -> dict[str, Capacity]:
    """Return the capacity in force for each element that has one (most recent non-plan figure, TEU preferred)."""
    table = network.table("capacities")  # the network's own: MissingTableError names the file when it has none
    factors = _conversions(network)
    known = set(network.nodes.index) | set(network.legs.index)
    table = table[(table["status"] != "plan") & table["element"].isin(known)].copy()
    table["year_n"] = pd.to_numeric(table["year"], errors="coerce").fillna(0)
    table["teu_first"] = (table["unit"] == PREFERRED_UNIT).astype(int)
    found: dict[str, Capacity] = {}
    for element, rows in table.sort_values(["teu_first", "year_n"], ascending=False).groupby("element", sort=False):
        row = rows.iloc[0]
        value = float(row["capacity"])
        year = f" ({row['year']})" if row["year"] else ""
        found[element] = Capacity(
            element, row["kind"], to_teu_per_year(value, row["unit"], factors),
            f"{value:,.0f} {row['unit'].replace('_', ' ')}{year}", row["status"],
            tuple(s for s in row["sources"].split(";") if s), row["unit"] != PREFERRED_UNIT, row["note"])
    return found


@dataclass(frozen=True)
class Bottleneck:
    """The binding element between two places, along the best route and across the network."""

    origin: str
    destination: str
    corridor: str
    route: Route
    along_route: pd.DataFrame  # every element passed, with its capacity (NaN where unknown)
    binding: Capacity | None
    max_flow_teu: float
    cut: tuple[Capacity, ...]
    utilisation: dict[str, Any]
    names: dict[str, str]

    def summary(self) -> str:
        """Return the answer in plain language."""
        if self.binding is None:
            return (f"No element between {self.origin} and {self.destination} has a sourced capacity, so no "
                    "bottleneck can be named.")
        b = self.binding
        unknown = int(self.along_route["teu_per_year"].isna().sum())
        text = (f"{self.corridor}, {self.origin} → {self.destination}: along its route the binding element is "
                f"{self._label(b)}: {b.teu_per_year:,.0f} TEU a year ({b.stated}"
                f"{', converted' if b.converted else ''}; source {', '.join(b.sources)}). "
                f"{unknown} of the {len(self.along_route)} elements on the way have no published capacity.")
        if math.isfinite(self.max_flow_teu):
            cut = ", ".join(self._label(c) for c in self.cut)
            text += (f" Using every parallel port and crossing the corridor allows, at most "
                     f"{self.max_flow_teu:,.0f} TEU a year can pass; the limit is {cut}.")
        if self.utilisation:
            u = self.utilisation
            approx = f" ≈ {u['teu']:,.0f} TEU" if "Mt" in u["volume_stated"] else ""
            text += (f" The Middle Corridor carried {u['volume_stated']} in {u['year']}{approx}, "
                     f"{u['share']:.0%} of that binding capacity.")
        return text

    def _label(self, c: Capacity) -> str:
        if c.kind == "leg":
            a, b = c.element.split("__")[:2]
            return f"the {self.names.get(a, a)} – {self.names.get(b, b)} link"
        return self.names.get(c.element, c.element)

    def to_dict(self) -> dict[str, Any]:
        """Return the answer as plain data for JSON."""
        def cap(c: Capacity) -> dict[str, Any]:
            return {"element": c.element, "name": self._label(c), "kind": c.kind,
                    "teu_per_year": round(c.teu_per_year), "stated": c.stated, "converted": c.converted,
                    "status": c.status, "sources": list(c.sources)}

        along = self.along_route
        return {
            "origin": self.origin, "destination": self.destination, "corridor": self.corridor,
            "summary": self.summary(),
            "binding": cap(self.binding) if self.binding else None,
            "max_flow_teu_per_year": round(self.max_flow_teu) if math.isfinite(self.max_flow_teu) else None,
            "cut": [cap(c) for c in self.cut], "utilisation": self.utilisation,
            "along_route": along.astype(object).where(along.notna(), None).to_dict(orient="records"),
        }

    def _name(self, element: str, kind: str) -> str:
        if kind == "leg":
            a, b = element.split("__")[:2]
            return f"{self.names.get(a, a)} – {self.names.get(b, b)}"
        return self.names.get(element, element)

    def __repr__(self) -> str:
        if self.binding is None:
            return f"<Bottleneck {self.origin} → {self.destination} ({self.corridor}): no sourced capacity on the way>"
        return (f"<Bottleneck {self.origin} → {self.destination} ({self.corridor}): "
                f"{self._name(self.binding.element, self.binding.kind)}, "
                f"{self.binding.teu_per_year:,.0f} TEU a year>")

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        known = self.along_route.dropna(subset=["teu_per_year"]).sort_values("teu_per_year", kind="stable")
        known = known.assign(name=[self._name(e, k) for e, k in zip(known["element"], known["kind"], strict=True)],
                             what=known["kind"].map({"leg": "link", "node": "place"}),
                             sources=known["sources"].str.replace(";", ", "))
        caption = (f"the {len(known)} of {len(self.along_route)} elements along the route with a published capacity, "
                   "smallest first")
        table = html_table(known, {"name": "element", "what": "kind", "teu_per_year": "capacity (TEU a year)",
                                   "stated": "as published", "sources": "sources"}, caption=caption)
        return (heading(f"Bottleneck, {self.origin} → {self.destination} ({self.corridor})")
                + f"<p>{html.escape(self.summary())}</p>" + table)


def bottleneck(network: Network, origin: str, destination: str, *, corridor: str | None = None,
               profile: str = DEFAULT_CONDITIONS) -> Bottleneck:
    """Return the element that limits a corridor's throughput between two places, with its capacity and source.

    ``corridor`` names a corridor of the registry; by default the corridor whose route between the two places
    is the fastest. The route and the maximum flow both keep to that corridor's places and avoid list (an
    unrestricted network would let flow escape over sea lanes whose capacity no source states).
    """
    from .registry import load_corridors

    # The same checks as a route (an unknown place with close matches, the same place at both ends) come first,
    # so that they are not mistaken below for corridors that cannot serve the pair.
    (origin, *_, destination), _ = network._request(origin, destination, (), ())
    registry = load_corridors(network)
    if corridor is not None and corridor not in registry:
        raise CorridorError(f"unknown corridor {corridor!r}; known corridors: {', '.join(registry)}")
    candidates = [registry[corridor]] if corridor else list(registry.values())
    best = None
    for c in candidates:
        try:
            r = c.route(network, origin, destination, profile=profile)
        except CorridorError as exc:
            if corridor:
                raise
            del exc
            continue
        if best is None or r.time_h < best[1].time_h:
            best = (c, r)
    if best is None:
        raise CorridorError(f"no corridor of the registry joins {network.place_name(origin)} and "
                            f"{network.place_name(destination)}")
    chosen, route = best
    avoid = chosen.avoid
    capacities = current_capacities(network)
    rows = []
    for place in dict.fromkeys(route.places):
        rows.append(_row(place, "node", capacities.get(place)))
    for leg in route.legs:
        leg_id = str(leg.leg)
        rows.append(_row(leg_id, "leg", capacities.get(leg_id)))
    along = pd.DataFrame(rows)
    limited = along.dropna(subset=["teu_per_year"])
    binding = capacities[limited.sort_values("teu_per_year").iloc[0]["element"]] if len(limited) else None
    flow, cut = _max_flow(network, route, capacities, avoid)
    names = network.nodes["name"].to_dict()
    return Bottleneck(names[route.origin], names[route.destination], chosen.name, route, along, binding, flow, cut,
                      _utilisation(binding, network) if chosen.id.startswith("middle") else {}, names)


def _row(element: str, kind: str, c: Capacity | None) -> dict[str, Any]:
    return {"element": element, "kind": kind, "teu_per_year": c.teu_per_year if c else math.nan,
            "stated": c.stated if c else "", "sources": ";".join(c.sources) if c else ""}


def _max_flow(network: Network, route: Route, capacities: dict[str, Capacity], avoid: Iterable[str]
              ) -> tuple[float, tuple[Capacity, ...]]:
    blocked = network._constraints(avoid)  # the same constraints as the route
    blocked_places = blocked.places(network.nodes)
    blocked_legs = blocked.legs(network.legs)
    graph = nx.DiGraph()
    for place in network.nodes.index:
        if place in blocked_places:
            continue
        c = capacities.get(place)
        graph.add_edge(("in", place), ("out", place), **({"capacity": c.teu_per_year} if c else {}), element=place)
    for leg_id, leg in network.legs.iterrows():
        if leg["mode"] in blocked.modes or leg_id in blocked_legs:
            continue
        if leg["from"] in blocked_places or leg["to"] in blocked_places:
            continue
        c = capacities.get(leg_id)
        attrs = {"capacity": c.teu_per_year} if c else {}
        for a, b in ((leg["from"], leg["to"]), (leg["to"], leg["from"])):
            if graph.has_edge(("out", a), ("in", b)):  # parallel legs: add their capacities
                old = graph.edges[("out", a), ("in", b)]
                if "capacity" in old and "capacity" in attrs:
                    old["capacity"] += attrs["capacity"]
                else:
                    old.pop("capacity", None)
                continue
            graph.add_edge(("out", a), ("in", b), element=leg_id, **attrs)
    source, sink = ("out", route.origin), ("in", route.destination)
    try:
        value, (reachable, _) = nx.minimum_cut(graph, source, sink)
    except nx.NetworkXUnbounded:
        return math.inf, ()
    cut = []
    for u, v, data in graph.edges(data=True):
        if u in reachable and v not in reachable and data.get("element") in capacities:
            cut.append(capacities[data["element"]])
    return float(value), tuple(cut)


def _utilisation(binding: Capacity | None, network: Network) -> dict[str, Any]:
    """Return the Middle Corridor's latest volume against the binding capacity, on the same basis (TEU or t);
    nothing for a network without volumes."""
    if binding is None or not network.has_table("volumes"):
        return {}
    factors = _conversions(network)
    volumes = network.table("volumes")
    column = "tonnes" if binding.converted and "tonnes" in binding.stated else "teu"
    volumes = volumes[(volumes["corridor"] == "middle_corridor") & (volumes[column] != "")]
    if not len(volumes):
        return {}
    latest = volumes.assign(y=volumes["year"].astype(int)).sort_values("y").iloc[-1]
    value = float(latest[column])
    teu = to_teu_per_year(value, "tonnes_per_year", factors) if column == "tonnes" else value
    stated = f"{value / 1e6:.2f} Mt" if column == "tonnes" else f"{value:,.0f} TEU"
    return {"year": int(latest["year"]), "volume_stated": stated, "teu": round(teu),
            "share": round(teu / binding.teu_per_year, 3), "sources": latest["sources"].split(";")}
