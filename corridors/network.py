"""The Network: a validated, immutable multimodal corridor network, and loading, saving and converting it."""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from . import contract, datasets, model
from .conditions import DEFAULT_CONDITIONS, LEVELS, ConditionBook, Conditions
from .costs import CostParameters
from .errors import PASSES_TWICE, CorridorError, MissingTableError, NoRouteError, UnknownPlaceError, ValidationError
from .io import RawTable, write_tables
from .places import PlaceIndex, normalise
from .queues import QueueBook
from .routing import (
    Arc,
    ExpandedGraph,
    Measure,
    build_expanded_graph,
    passes_twice,
    shortest_arcs,
    simple_arcs,
    simple_paths,
)
from .timing import TimeParameters

if TYPE_CHECKING:
    from .route import Route, Routes

NODE_FIELDS = tuple(c.name for c in contract.NODE_COLUMNS)
LEG_FIELDS = tuple(c.name for c in contract.LEG_COLUMNS)
CRS = "EPSG:4326"


class Network:
    """A corridor network: places (nodes) and legs, their sources, and the time parameters per profile.

    A Network is immutable: its tables are returned as copies, and scenarios build new networks. Build one with
    :func:`load_network` or :func:`graph_from_gdfs`; every check of the attribute contract has run by then.
    """

    def __init__(self, nodes: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, sources: pd.DataFrame,
                 parameters: TimeParameters, *, costs: CostParameters | None = None, name: str = "network",
                 condition_book: ConditionBook | None = None, queues: QueueBook | None = None,
                 condition_tables: dict[str, pd.DataFrame] | None = None, queue_files: Sequence[Path] = (),
                 tables: Mapping[str, pd.DataFrame] | None = None, folder: Path | None = None):
        self._nodes = nodes
        self._legs = legs
        self._sources = sources
        self.parameters = parameters
        self.costs = costs if costs is not None else CostParameters(None, None)
        self.condition_book = condition_book if condition_book is not None else ConditionBook(
            None, None, parameters.profiles)
        self.queues = queues if queues is not None else QueueBook()
        # what save() writes beside the tables: the groups and conditions the condition book was built from, and
        # the queue files, copied only while the queues are the ones read from them (a scenario may scale them)
        self._condition_tables = dict(condition_tables or {})
        self._queue_files = tuple(queue_files)
        self._queues_as_read = self.queues
        self.name = name
        self._expanded: dict[tuple[str, Conditions], ExpandedGraph] = {}
        self._priced: dict[tuple, model.Priced] = {}
        self._skim_totals: dict[tuple, Any] = {}  # corridors.skim's per-arc totals, by weight and conditions
        # The dataset's other tables (contract.DATASET_TABLES), as validated at load, and the folder they came from:
        # capacity, registry, claims and context read these, never the bundled files (corridors.loading).
        self._tables: dict[str, pd.DataFrame] = dict(tables or {})  # private, given out as copies; pickles
        self.folder = folder

    # The dataset's other tables --------------------------------------------------------------------------------
    def table(self, role: str) -> pd.DataFrame:
        """Return one of the dataset's other tables (``capacities``, ``corridors``, ``claims``…) as text, as read
        and validated at load; raise MissingTableError naming the file when the dataset has none."""
        if role not in self._tables:
            where = f"the network in {self.folder}" if self.folder else f"the network {self.name!r}"
            raise MissingTableError(role, where, [c.name for c in contract.DATASET_TABLES[role]])
        return self._tables[role].copy()

    def has_table(self, role: str) -> bool:
        """Return whether the dataset has this table (see :meth:`table`)."""
        return role in self._tables

    # Tables ------------------------------------------------------------------------------------------------
    @property
    def nodes(self) -> gpd.GeoDataFrame:
        """Return the places as a GeoDataFrame indexed by id (points, EPSG:4326)."""
        return self._nodes.copy()

    @property
    def legs(self) -> gpd.GeoDataFrame:
        """Return the legs as a GeoDataFrame indexed by id (lines, EPSG:4326), one row per leg."""
        return self._legs.copy()

    @property
    def sources(self) -> pd.DataFrame:
        """Return the sources table indexed by id."""
        return self._sources.copy()

    @property
    def profiles(self) -> tuple[str, ...]:
        """Return the preset condition sets (best, typical, congested): what the old profiles were."""
        return self.presets

    @property
    def condition_names(self) -> tuple[str, ...]:
        """Return the names of the condition sets: the presets (``best``, ``typical``, ``congested``), then periods."""
        return self.condition_book.names

    @property
    def presets(self) -> tuple[str, ...]:
        """Return the preset condition sets this network has, best case first (the levels of its parameters)."""
        return tuple(p for p in dict.fromkeys((*LEVELS, *self.parameters.profiles))
                     if p in self.condition_book.names and p in self.parameters.profiles) or self.parameters.profiles

    def conditions(self, name: str | Conditions = DEFAULT_CONDITIONS, *, congest: Sequence[str] = (),
                   relieve: Sequence[str] = (), month: int | str | None = None) -> Conditions:
        """Return a condition set by name (a preset or a period such as ``"2022"``), with groups overridden.

        ``congest`` puts the named groups (``"caspian"``) at their congested level, ``relieve`` at their best;
        ``month`` (1–12 or a name) takes the set in that month: its weather closures and seasonal peaks
        (:mod:`corridors.seasons`).
        """
        return self.condition_book.get(name, congest=congest, relieve=relieve, month=month)

    def _resolve(self, conditions: str | Conditions | None, profile: str | None = None) -> Conditions:
        """Return the condition set asked for by ``conditions`` or by the deprecated ``profile``."""
        if conditions is not None and profile is not None and str(profile) != str(conditions):
            raise CorridorError("give conditions or profile (its old name), not both")
        return self.conditions(conditions if conditions is not None else (profile or DEFAULT_CONDITIONS))

    def to_gdfs(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        """Return ``(nodes, legs)`` GeoDataFrames; :func:`graph_from_gdfs` turns them back into a network."""
        return self.nodes, self.legs

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """Return the network as a read-only networkx MultiDiGraph: each leg is an edge in both directions.

        Nodes carry ``x``/``y`` (lon/lat) and the node attributes; edges are keyed by leg id and carry the leg
        attributes with ``forward`` telling whether the edge runs the leg's stated direction. The graph carries
        ``crs``. Neither its structure nor its attributes can be changed; ``nx.MultiDiGraph(net.graph)`` is a
        copy that can.
        """
        graph = nx.MultiDiGraph(crs=CRS, name=self.name)
        for node_id, row in self._nodes.iterrows():
            attrs = {k: row[k] for k in NODE_FIELDS if k not in ("id", "lat", "lon")}
            graph.add_node(node_id, x=row.geometry.x, y=row.geometry.y, **attrs)
        for leg_id, row in self._legs.iterrows():
            attrs = {k: row[k] for k in LEG_FIELDS if k not in ("id", "from", "to")}
            graph.add_edge(row["from"], row["to"], key=leg_id, forward=True, geometry=row.geometry, **attrs)
            graph.add_edge(row["to"], row["from"], key=leg_id, forward=False, geometry=row.geometry.reverse(),
                           **attrs)
        return _read_only(graph)

    def map(self, *, offline: bool = False, corridors: bool = True):
        """Return a folium map of the network: legs by mode, places by kind, corridors as switchable layers."""
        from .maps import network_map

        return network_map(self, offline=offline, corridors=corridors)

    # Places ------------------------------------------------------------------------------------------------
    def place(self, name: str) -> str:
        """Return the id of the place with this id, name or alias; raise UnknownPlaceError with close matches."""
        found = self._index.find(name)
        if found is None:
            raise UnknownPlaceError(name, self._index.candidates(name))
        return found

    def place_name(self, place_id: str) -> str:
        """Return the display name of a place id."""
        return str(self._nodes.at[place_id, "name"])

    # Routing -----------------------------------------------------------------------------------------------
    def expanded_graph(self, *, weight: str = "time", conditions: str | Conditions | None = None,
                       profile: str | None = None) -> ExpandedGraph:
        """Return the expanded graph (stops as arcs) for a weight and condition set, built once and reused."""
        chosen = self._resolve(conditions, profile)
        key = (weight, chosen)
        if key not in self._expanded:
            from .pricing import NetworkPricing  # prices alike legs and stops in bulk

            self._expanded[key] = build_expanded_graph(
                self._node_records, self._leg_records, weight=weight, profile=chosen.name,
                pricing=NetworkPricing(self, chosen),
            )
        return self._expanded[key]

    def price_leg(self, leg: str, conditions: Conditions) -> model.Priced:
        """Return a leg's estimate under a condition set (see :mod:`corridors.model`), computed once."""
        key = ("leg", leg, conditions)
        if key not in self._priced:
            self._priced[key] = model.price_leg(self, leg, conditions)
        return self._priced[key]

    def price_stop(self, kind: str, place: str, leg: str | None, conditions: Conditions) -> model.Priced:
        """Return a stop's estimate under a condition set (see :mod:`corridors.model`), computed once."""
        key = ("stop", kind, place, leg, conditions)
        if key not in self._priced:
            self._priced[key] = model.price_stop(self, kind, place, leg, conditions)
        return self._priced[key]

    @staticmethod
    def _measure(priced: model.Priced) -> Measure:
        return Measure(priced.time_h, priced.sources, priced.cost_usd, priced.co2_kg, note=priced.note)

    def route(self, origin: str, destination: str, *, via: Sequence[str] = (), avoid: Iterable[str] = (),
              by: str = "time", conditions: str | Conditions | None = None, reroute: bool = False,
              profile: str | None = None) -> Route:
        """Return the best route from ``origin`` to ``destination`` as a :class:`~corridors.route.Route`.

        A shipper books a route and then lives with its conditions: the route is the best one under ``typical``
        conditions, and its elements are priced under ``conditions``. Only what the conditions close (a sea
        passage) is avoided when booking. With ``reroute`` the route is chosen anew under the conditions.
        A route never passes the same place twice.

        Parameters
        ----------
        origin, destination
            Place ids, names or aliases ("Xi'an", "Poti", "Constanta"); they must differ.
        via
            Places to pass through, in order.
        avoid
            Places, countries (ISO alpha-3 code or name), modes (rail, road, ferry, sea, air) or sea passages not
            to use. Flights are used only when an end or a via place is an airport.
        by
            ``"time"`` (typical hours, stops included), ``"distance"`` (km), ``"cost"`` (US$ per FEU) or ``"co2"``.
        conditions
            A condition set: a preset (``"best"``, ``"typical"``, ``"congested"``), a period (``"2022"``), or a
            :class:`~corridors.conditions.Conditions` from :meth:`conditions`. Default: ``typical``.
        reroute
            Choose the route under ``conditions`` instead of booking it under ``typical``.
        profile
            The old name of ``conditions`` (``scheduled`` is now ``best``).
        """
        chosen = self._resolve(conditions, profile)
        booking = chosen if reroute else self.conditions(DEFAULT_CONDITIONS)
        stages, constraints = self._request(origin, destination, via, avoid)
        graph = self.expanded_graph(weight=by, conditions=booking)
        closed = self._closed_legs(chosen)
        blocked_places = constraints.places(self._nodes)
        blocked_legs = constraints.legs(self._legs) | closed
        arcs = shortest_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=constraints.modes,
                             blocked_legs=blocked_legs)
        if arcs is not None and passes_twice(arcs, graph.leg_passages):
            arcs = simple_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=constraints.modes,
                               blocked_legs=blocked_legs)
            if arcs is None:
                raise NoRouteError(self.place_name(stages[0]), self.place_name(stages[-1]), PASSES_TWICE)
        if arcs is None:
            why = self._why_no_route(graph, stages, constraints)
            if closed and shortest_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=constraints.modes,
                                        blocked_legs=constraints.legs(self._legs)) is not None:
                why = (f"every route needs {', '.join(sorted(chosen.closed_passages))}, closed under the conditions "
                       f"{chosen.name}")
            raise NoRouteError(self.place_name(stages[0]), self.place_name(stages[-1]), why)
        return self._route(stages, arcs, chosen, by, booked_under=booking.name)

    def skim(self, origins: str | Sequence[str], destinations: str | Sequence[str], *, by: str = "time",
             conditions: str | Conditions | None = None, avoid: Iterable[str] = (), journeys: int = 0,
             seed: int | None = 0) -> pd.DataFrame:
        """Return the best route's totals between every origin and destination, and with ``journeys`` its simulated
        P10/P50/P90 (see :func:`corridors.skim.skim`)."""
        from .skim import skim

        return skim(self, origins, destinations, by=by, conditions=conditions, avoid=avoid, journeys=journeys,
                    seed=seed)

    @cached_property
    def _has_air(self) -> bool:
        return bool((self._legs["mode"] == "air").any())

    def _closed_legs(self, conditions: Conditions) -> frozenset[str]:
        closed = conditions.closed_passages
        if not closed:
            return frozenset()
        return frozenset(i for i, through in self._legs["passages"].items() if closed.intersection(through))

    def alternatives(self, origin: str, destination: str, *, k: int = 3, via: Sequence[str] = (),
                     avoid: Iterable[str] = (), by: str = "time", conditions: str | Conditions | None = None,
                     reroute: bool = False, profile: str | None = None, max_paths: int = 400) -> Routes:
        """Return up to ``k`` routes, best first, that differ in where they stop (a list that shows as a table).

        Two routes count as different when the places where something happens to the freight (borders, breaks
        of gauge, ports) differ, so that a detour along the same line is not offered as an alternative. The
        expanded graph's paths are enumerated in order of cost (Yen's algorithm, ``routing.simple_paths``); those
        that repeat an earlier route's stops or miss a ``via`` place are skipped, and the search stops after
        ``max_paths`` paths. The first route is the one :meth:`route` returns; routes that pass a place twice are
        skipped.
        """
        if not isinstance(k, int) or k < 1:
            raise CorridorError(f"the number of alternatives must be a whole number ≥ 1, got {k!r}")
        chosen = self._resolve(conditions, profile)
        booking = chosen if reroute else self.conditions(DEFAULT_CONDITIONS)
        best = self.route(origin, destination, via=via, avoid=avoid, by=by, conditions=chosen, reroute=reroute)
        stages, constraints = self._request(origin, destination, via, avoid)
        expanded = self.expanded_graph(weight=by, conditions=booking)
        paths = simple_paths(expanded, expanded.departures[stages[0]], expanded.arrivals[stages[-1]],
                             blocked_places=constraints.places(self._nodes), blocked_modes=constraints.modes,
                             blocked_legs=constraints.legs(self._legs) | self._closed_legs(chosen))
        found = [best]
        seen = {_stop_places(best)}
        for count, arcs in enumerate(paths):
            if len(found) >= k or count >= max_paths:
                break
            if passes_twice(arcs, expanded.leg_passages):
                continue
            route = self._route(stages, arcs, chosen, by, booked_under=booking.name)
            if _stop_places(route) in seen or not _passes_in_order(route.places, stages[1:-1]):
                continue
            seen.add(_stop_places(route))
            found.append(route)
        from .route import Routes

        return Routes(found)

    def _request(self, origin: str, destination: str, via: Sequence[str], avoid: Iterable[str]
                 ) -> tuple[list[str], _Constraints]:
        stages = [self.place(origin), *(self.place(v) for v in via), self.place(destination)]
        if stages[0] == stages[-1]:
            raise CorridorError(f"{self.place_name(stages[0])} is both the origin and the destination: a route "
                                "needs two different places")
        repeated = [p for p, n in Counter(stages).items() if n > 1]
        if repeated:
            raise CorridorError(f"{self.place_name(repeated[0])} is named twice among the origin, via places and "
                                "destination: a route passes each place once")
        avoid = list(avoid)
        # Freight corridors are surface routes: a flight is used only when the request names an airport (as an end
        # or a via place), so that "the fastest route" of a container is not a freighter it would never board.
        if (not any(self._node_records[p]["kind"] == "airport" for p in stages)
                and "air" not in {str(a).strip().lower() for a in avoid} and self._has_air):
            avoid.append("air")
        constraints = self._constraints(avoid)
        for place in stages:
            for what, blocked in constraints.blocking(place, self._node_records[place]["country"]):
                raise CorridorError(f"{self.place_name(place)} is on the route you asked for but {what} "
                                    f"is avoided ({blocked})")
        return stages, constraints

    def _route(self, stages: Sequence[str], arcs: Sequence[Arc], conditions: Conditions, by: str, *,
               booked_under: str) -> Route:
        from .route import Route

        return Route(network=self, origin=stages[0], destination=stages[-1], via=stages[1:-1],
                     conditions=conditions, weight=by, elements=self._elements(arcs, conditions), names=self._names,
                     countries={k: v["country"] for k, v in self._node_records.items()}, legs=self._legs,
                     places=self._nodes, booked_under=booked_under)

    def _elements(self, arcs: Sequence[Arc], conditions: Conditions) -> list:
        """Return a route's elements, each priced under ``conditions`` (the arcs may come from another set)."""
        from .route import Element

        nodes, legs = self._node_records, self._leg_by_id
        elements = []
        for arc in arcs:
            if arc.element == "stop" and not arc.kind:
                continue  # a join in the expanded graph, not a stop
            if arc.element == "leg":
                end, leg_id = str(arc.to_place), str(arc.leg)  # a leg arc always has both
                priced = self.price_leg(leg_id, conditions)
                elements.append(Element("leg", arc.kind, arc.place, arc.place, end, arc.kind,
                                        legs[leg_id]["gauge_mm"], "/".join(self._leg_countries(leg_id, arc.place)),
                                        arc.distance_km, priced.time_h, priced.sources, leg=arc.leg,
                                        cost_usd=priced.cost_usd, co2_kg=priced.co2_kg, priced=priced))
            else:
                priced = self.price_stop(arc.kind, arc.place, arc.leg, conditions)
                elements.append(Element("stop", arc.kind, arc.place, arc.place, arc.place, None, None,
                                        nodes[arc.place]["country"], 0.0, priced.time_h, priced.sources, leg=arc.leg,
                                        note=priced.note, cost_usd=priced.cost_usd, co2_kg=0.0, priced=priced))
        return elements

    def _leg_countries(self, leg_id: str, start: str | None = None) -> tuple[str, ...]:
        """Return the countries of a leg's ends (one if both lie in the same), from ``start``'s end first."""
        leg = self._leg_by_id[leg_id]
        ends = (leg["from"], leg["to"]) if start in (None, leg["from"]) else (leg["to"], leg["from"])
        return tuple(dict.fromkeys(self._node_records[e]["country"] for e in ends))

    def _weak_sources(self, sources: Iterable[str]) -> bool:
        """Return whether every one of these sources is weak (a blog, a mirror or an aggregator)."""
        ids = [s for s in sources if s]
        return bool(ids) and all(s in self._weak_source_ids for s in ids)

    @cached_property
    def _weak_source_ids(self) -> frozenset[str]:
        if "reliability" not in self._sources:
            return frozenset()
        return frozenset(self._sources.index[self._sources["reliability"] == "weak"])

    def reprice(self, route: Route, conditions: str | Conditions) -> Route:
        """Return the same route (the same legs and stops) with its elements priced under other conditions."""
        from dataclasses import replace as _replace

        chosen = self._resolve(conditions)
        elements = []
        for e in route.elements:
            priced = (self.price_leg(str(e.leg), chosen) if e.element == "leg"
                      else self.price_stop(e.kind, e.place, e.leg, chosen))
            elements.append(_replace(e, time_h=priced.time_h, sources=priced.sources, cost_usd=priced.cost_usd,
                                     co2_kg=priced.co2_kg if e.element == "leg" else 0.0, priced=priced,
                                     note=priced.note if e.element == "stop" else e.note))
        return route._with(elements=elements, conditions=chosen)

    def check_avoid(self, avoid: Iterable[str]) -> None:
        """Raise a CorridorError if an item of an avoid list is not a known place, country, mode or passage."""
        self._constraints(avoid)

    def _constraints(self, avoid: Iterable[str]) -> _Constraints:
        constraints = _Constraints()
        codes = self._countries
        country_names = _country_names()
        for item in avoid:
            text = item.strip()
            passage = _PASSAGE_ALIASES.get(normalise(text))
            if text.lower() in contract.MODES:
                constraints.modes.add(text.lower())
            elif passage is not None:
                constraints.passages.add(passage)
            elif text.upper() in codes:
                constraints.countries.add(text.upper())
            elif text.upper() in _country_codes() and self._index.find(text) is None:
                # a country with no place in the network is a no-op; but a place of the network whose id reads as
                # a code ('mus', Muş, is also Mauritius) is the place the user means
                constraints.countries.add(text.upper())
            elif text.casefold() in country_names and country_names[text.casefold()] in codes:
                constraints.countries.add(country_names[text.casefold()])
            else:
                constraints.place_ids.add(self.place(text))
        return constraints

    def _why_no_route(self, graph: ExpandedGraph, stages: Sequence[str], constraints: _Constraints) -> str:
        if not constraints:
            plain = nx.Graph(self.graph)
            if all(nx.has_path(plain, a, b) for a, b in itertools.pairwise(stages)):
                return ("the legs that join them cannot be chained: the way needs a gauge change or a change of "
                        "mode at a place without the facility for it")
            return "they are not connected in this network"
        cut = []
        for label, relaxed in constraints.relaxations():
            if shortest_arcs(graph, stages, blocked_places=relaxed.places(self._nodes), blocked_modes=relaxed.modes,
                             blocked_legs=relaxed.legs(self._legs)) is not None:
                cut.append(label)
        if cut:
            return "every route needs " + " or ".join(cut) + ", which the request avoids"
        return "the constraints together (" + ", ".join(label for label, _ in constraints.relaxations()) + \
            ") leave no way through"

    # Times -------------------------------------------------------------------------------------------------
    @cached_property
    def _index(self) -> PlaceIndex:
        return _place_index(self._nodes)  # built at the first lookup: a network loaded to be saved needs none

    @cached_property
    def _countries(self) -> frozenset[str]:
        return frozenset(self._nodes["country"])  # once per network, not per query

    @cached_property
    def _names(self) -> dict[str, str]:
        return self._nodes["name"].to_dict()

    @cached_property
    def _node_records(self) -> dict[str, dict]:
        nodes = self._nodes
        return {i: {"country": country, "kind": kind, "facilities": frozenset(facilities)}
                for i, country, kind, facilities in zip(nodes.index, nodes["country"], nodes["kind"],
                                                        nodes["facilities"], strict=True)}

    @cached_property
    def _leg_by_id(self) -> dict[str, dict]:
        return {leg["id"]: leg for leg in self._leg_records}

    @cached_property
    def _leg_records(self) -> list[dict]:
        legs = self._legs
        gauges = [None if pd.isna(g) else int(g) for g in legs["gauge_mm"]]
        times = [None if pd.isna(t) else float(t) for t in legs["time_h"]]
        columns = (legs.index, legs["from"], legs["to"], legs["mode"], gauges, legs["distance_km"].astype(float),
                   legs["service"], legs["distance_source"], legs["service_source"], times, legs["time_source"],
                   legs["passages"])
        return [{"id": i, "from": start, "to": end, "mode": mode, "gauge_mm": gauge, "distance_km": float(km),
                 "service": service or None, "distance_source": distance_source, "service_source": service_source,
                 "time_h": time_h, "time_source": time_source, "passages": tuple(passages)}
                for i, start, end, mode, gauge, km, service, distance_source, service_source, time_h, time_source,
                passages in zip(*columns, strict=True)]

    # Summary and files -------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Return counts of places and legs by kind, mode and country, the length by mode, the presets (``profiles``),
        the condition sets and the groups of elements."""
        legs = self._legs
        rail = legs[legs["mode"] == "rail"]
        return {
            "name": self.name,
            "places": len(self._nodes),
            "legs": len(legs),
            "sources": len(self._sources),
            "places_by_kind": _plain(self._nodes["kind"].value_counts()),
            "places_by_country": _plain(self._nodes["country"].value_counts()),
            "legs_by_mode": _plain(legs["mode"].value_counts()),
            "km_by_mode": _plain(legs.groupby("mode")["distance_km"].sum().round(0)),
            "rail_km_by_gauge": _plain(rail.groupby(rail["gauge_mm"].astype(int))["distance_km"].sum().round(0)),
            "profiles": list(self.profiles),
            "conditions": list(self.condition_names),
            "groups": list(self.condition_book.group_members),
        }

    def save(self, folder: str | os.PathLike[str], *, format: str = "csv") -> list[Path]:
        """Write the network to ``folder`` as a dataset that :func:`load_network` reads back; return the files.

        ``format`` (csv, geojson or gpkg) is that of nodes and legs; the other tables are CSV. Coordinates keep
        every digit and legs keep their waypoints, so saving what was loaded from a save gives the same bytes.
        Raises CorridorError for another format, before anything is written.
        """
        if format not in ("csv", "geojson", "gpkg"):
            raise CorridorError(f"unknown format {format!r}; use csv, geojson or gpkg")
        nodes = self.nodes.reset_index(drop=True)
        nodes["lat"], nodes["lon"] = nodes.geometry.y, nodes.geometry.x
        if format == "csv":
            nodes = pd.DataFrame(nodes.drop(columns="geometry"))
        legs = self.legs.reset_index(drop=True)
        tables = {
            "nodes": nodes[[*NODE_FIELDS, *(["geometry"] if format != "csv" else [])]],
            "legs": legs[[*LEG_FIELDS, "geometry"]],
            "sources": self.sources.reset_index(drop=True),
            **self.parameters.tables(),
            **self.costs.tables(),
            **{role: table.copy() for role, table in self._condition_tables.items()},
        }
        written = write_tables(tables, Path(folder), spatial_format=format)
        if self.queues is self._queues_as_read:
            for path in self._queue_files:
                target = Path(folder) / path.name
                if target.resolve() != path.resolve():
                    shutil.copyfile(path, target)
                written.append(target)
        return written

    def __repr__(self) -> str:
        return (f"<Network {self.name!r}: {len(self._nodes)} places, {len(self._legs)} legs "
                f"({self._legs['distance_km'].sum():,.0f} km), {len(self._sources)} sources, "
                f"profiles {', '.join(self.profiles)}>")

    def _repr_html_(self) -> str:
        from .display import heading, html_fields, html_table

        s = self.summary()
        countries = _country_display_names()
        by_mode = pd.DataFrame({"mode": list(s["legs_by_mode"]), "legs": list(s["legs_by_mode"].values()),
                                "distance_km": [s["km_by_mode"].get(m, 0) for m in s["legs_by_mode"]]})
        by_mode = by_mode.sort_values("distance_km", ascending=False)

        def counted(counts: dict[str, int], name=str) -> str:
            return ", ".join(f"{count} {name(key)}" for key, count in sorted(counts.items(), key=lambda kv: -kv[1]))

        fields = {
            "places": f"{s['places']}: " + ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count
                                                     in sorted(s["places_by_kind"].items(), key=lambda kv: -kv[1])),
            "countries": counted(s["places_by_country"], lambda c: countries.get(c, c)),
            "rail by gauge": "; ".join(f"{int(g):,} mm: {km:,.0f} km" for g, km in s["rail_km_by_gauge"].items()),
            "sources": f"{s['sources']:,}",
            "presets": ", ".join(s["profiles"]),
            "condition sets": ", ".join(s["conditions"]),
            "groups of elements": ", ".join(s["groups"]),
        }
        return (heading(repr(self)) + html_fields(fields)
                + html_table(by_mode, {"mode": "mode", "legs": "legs", "distance_km": "distance (km)"},
                             caption="legs by mode"))


class _ReadOnlyAttributes(dict):
    """An attribute dict of the network graph that refuses every change.

    The graph is built once per network and shared by every caller, so a change would leak into later answers
    (and graph_to_gdfs). nx.freeze stops nodes and edges being added or removed but leaves their attribute dicts
    writable; read-only dicts close that hole at no cost per query, where a fresh copy per access would copy
    the whole graph. Every attribute value is immutable already (text, numbers, tuples, shapely geometries).
    """

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("the network graph is read-only; change a copy (nx.MultiDiGraph(net.graph)) or build a "
                        "new network (a scenario, or graph_from_gdfs)")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[dict], tuple[dict]]:
        return dict, (dict(self),)  # copies (copy.deepcopy, pickle) are plain, changeable dicts


def _read_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return ``graph`` frozen, with read-only attribute dicts for the graph, every node and every edge."""
    graph.graph = _ReadOnlyAttributes(graph.graph)
    for node, data in graph._node.items():
        graph._node[node] = _ReadOnlyAttributes(data)
    for targets in graph._succ.values():
        for keys in targets.values():  # the same dict as the reverse adjacency (_pred) holds
            for key, data in keys.items():
                keys[key] = _ReadOnlyAttributes(data)
    return nx.freeze(graph)


_PASSAGE_ALIASES = {
    **{normalise(p): p for p in contract.PASSAGES},
    "suezcanal": "suez", "cape": "cape_of_good_hope", "capeofgoodhope": "cape_of_good_hope",
    "bosphorus": "bosporus", "babelmandeb": "bab_el_mandeb", "babalmandab": "bab_el_mandeb",
    "straitofhormuz": "hormuz", "straitofmalacca": "malacca", "straitofgibraltar": "gibraltar",
}


class _Constraints:
    """What a route must avoid: places, countries, modes and sea passages."""

    def __init__(self) -> None:
        self.place_ids: set[str] = set()
        self.countries: set[str] = set()
        self.modes: set[str] = set()
        self.passages: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.place_ids or self.countries or self.modes or self.passages)

    def legs(self, legs: gpd.GeoDataFrame) -> frozenset[str]:
        if not self.passages:
            return frozenset()
        return frozenset(i for i, through in legs["passages"].items() if self.passages.intersection(through))

    def places(self, nodes: gpd.GeoDataFrame) -> frozenset[str]:
        if not self.countries:
            return frozenset(self.place_ids)
        return frozenset(self.place_ids).union(nodes.index[nodes["country"].isin(self.countries)])

    def blocking(self, place: str, country: str) -> list[tuple[str, str]]:
        found = []
        if place in self.place_ids:
            found.append(("the place", place))
        if country in self.countries:
            found.append(("its country", country))
        return found

    def relaxations(self) -> list[tuple[str, _Constraints]]:
        """Return each single constraint with the constraints that remain without it."""
        out = []
        for attr, label in (("place_ids", "{}"), ("countries", "{}"), ("modes", "the {} mode"),
                            ("passages", "the {} passage")):
            for value in sorted(getattr(self, attr)):
                relaxed = _Constraints()
                relaxed.place_ids, relaxed.countries, relaxed.modes, relaxed.passages = (
                    set(self.place_ids), set(self.countries), set(self.modes), set(self.passages))
                getattr(relaxed, attr).discard(value)
                out.append((label.format(value), relaxed))
        return out


def _stop_places(route: Route) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.place for s in route.stops))


def _passes_in_order(places: Sequence[str], via: Sequence[str]) -> bool:
    position = 0
    for place in places:
        if position < len(via) and place == via[position]:
            position += 1
    return position == len(via)


def _plain(series: pd.Series) -> dict[str, float | int]:
    """Return a Series as a dict of plain Python values keyed by text, sorted by key (JSON-ready)."""
    return {str(k): (int(v) if float(v).is_integer() else float(v)) for k, v in sorted(series.items())}


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _place_index(nodes: gpd.GeoDataFrame) -> PlaceIndex:
    names = dict(zip(nodes.index, nodes["name"], strict=True))
    aliases = dict(zip(nodes.index, nodes["aliases"], strict=True))
    return PlaceIndex({i: (name, *aliases[i]) for i, name in names.items()}, names)


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(datasets.boundaries()["iso_a3"]) - {"-99"}


@lru_cache(maxsize=1)
def _country_display_names() -> dict[str, str]:
    """Return each ISO code's country name, for display."""
    table = datasets.boundaries()
    return {str(c): str(n) for n, c in zip(table["name"], table["iso_a3"], strict=True)}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    table = datasets.boundaries()
    return {str(n).casefold(): c for n, c in zip(table["name"], table["iso_a3"], strict=True)}


def graph_to_gdfs(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return ``(nodes, legs)`` GeoDataFrames from a network graph (one leg row per forward edge)."""
    node_rows = []
    for node_id, data in graph.nodes(data=True):
        row = {k: v for k, v in data.items() if k not in ("x", "y")}
        row["id"] = node_id
        row["geometry"] = gpd.points_from_xy([data["x"]], [data["y"]])[0]
        node_rows.append(row)
    leg_rows = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data.get("forward", True):
            leg_rows.append({**{k: val for k, val in data.items() if k != "forward"}, "id": key, "from": u,
                             "to": v})
    nodes = gpd.GeoDataFrame(node_rows, geometry="geometry", crs=graph.graph.get("crs", CRS))
    legs = gpd.GeoDataFrame(leg_rows, geometry="geometry", crs=graph.graph.get("crs", CRS))
    return nodes.set_index("id", drop=False).rename_axis(None), legs.set_index("id", drop=False).rename_axis(None)


def graph_from_gdfs(nodes: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, *, sources: pd.DataFrame | None = None,
                    parameters: TimeParameters | None = None, costs: CostParameters | None = None,
                    name: str = "network") -> Network:
    """Return a validated Network from node and leg GeoDataFrames (as :meth:`Network.to_gdfs` gives them).

    Without ``sources`` or ``parameters``, the bundled sources and the bundled stop times and speeds are used
    (the bundled leg times, disruptions and costs name the bundled legs and places, so they are not). The tables
    pass through the same checks as files do, so a GeoDataFrame that breaks the contract raises a
    ValidationError listing every problem.
    """
    tables: dict[str, pd.DataFrame] = {}
    if sources is None or parameters is None:
        bundled = load_network()
        sources = sources if sources is not None else bundled.sources
        if parameters is None:
            tables = {"stop_times": bundled.parameters.stop_times, "speeds": bundled.parameters.speeds}
    if parameters is not None:
        tables = parameters.tables()
    if costs is not None:
        tables.update(costs.tables())
    raw = {
        "nodes": _raw_from_frame("nodes", nodes.assign(lat=nodes.geometry.y, lon=nodes.geometry.x)),
        "legs": _raw_from_frame("legs", legs, geometry=gpd.GeoSeries(legs.geometry, crs=legs.crs)),
        "sources": _raw_from_frame("sources", sources),
        **{role: _raw_from_frame(role, table) for role, table in tables.items()},
    }
    clean, problems = _validated(raw)
    if problems:
        raise ValidationError(problems)
    return _network_from_clean(clean, name)


def _raw_from_frame(role: str, frame: pd.DataFrame, geometry: gpd.GeoSeries | None = None) -> RawTable:
    table = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
    text = table.map(_to_text)
    labels = tuple(f"row {i + 1}" for i in range(len(text)))
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        if geometry.crs is not None and not geometry.crs.equals(CRS):
            geometry = geometry.to_crs(CRS)
    return RawTable(role, f"{role} (GeoDataFrame)", text, labels, geometry)


def _to_text(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return ";".join(str(v) for v in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Loading lives in corridors.loading: its public names stay importable from here, and graph_from_gdfs uses it.
from .loading import _network_from_clean, _validated, load_network, validate  # noqa: E402, F401
