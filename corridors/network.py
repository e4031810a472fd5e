"""The Network: a validated, immutable multimodal corridor network, its tables and lookups, and loading it.

Routing requests live in :mod:`corridors.requests`, conversion and export in :mod:`corridors.convert`; the
methods here that ask for them delegate in a line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import contract, convert, model, requests
from .conditions import DEFAULT_CONDITIONS, LEVELS, ConditionBook, Conditions
from .convert import CRS, LEG_FIELDS, NODE_FIELDS, graph_from_gdfs, graph_to_gdfs
from .costs import CostParameters
from .errors import CorridorError, MissingTableError, UnknownPlaceError
from .lines import with_lines_made
from .memory import LARGE, index_dtype, release_unused
from .places import PlaceIndex, normalise, place_index
from .queues import QueueBook
from .routing import ExpandedGraph, Measure, build_expanded_graph
from .rows import Rows, end_countries, leg_rows, place_rows
from .timing import TimeParameters

if TYPE_CHECKING:
    import networkx as nx

    from .requests import Constraints
    from .route import Route, Routes

__all__ = ["CRS", "LEG_FIELDS", "NODE_FIELDS", "Network", "graph_from_gdfs", "graph_to_gdfs", "load_network",
           "validate"]


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
        self._paths: dict[tuple, Any] = {}  # corridors.requests' searched paths, by graph, stages and what is blocked
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
        return with_lines_made(self._legs.copy())  # a large network's straight lines are made when first asked for

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
        """Return ``(nodes, legs)`` GeoDataFrames; ``graph_from_gdfs(nodes, legs, like=net)`` turns them back."""
        return self.nodes, self.legs

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """Return the network as a read-only networkx MultiDiGraph: each leg is an edge in both directions.

        Nodes carry ``x``/``y`` (lon/lat) and the node attributes; edges are keyed by leg id and carry the leg
        attributes with ``forward`` telling whether the edge runs the leg's stated direction. The graph carries
        ``crs``. Neither its structure nor its attributes can be changed; ``nx.MultiDiGraph(net.graph)`` is a
        copy that can.
        """
        return convert.to_graph(self)

    def map(self, *, offline: bool = False, corridors: bool = True):
        """Return a folium map of the network: legs by mode, places by kind, corridors as switchable layers."""
        from .maps import network_map

        return network_map(self, offline=offline, corridors=corridors)

    # Places ------------------------------------------------------------------------------------------------
    def place(self, name: str) -> str:
        """Return the id of the place with this id, name or alias; raise UnknownPlaceError with close matches."""
        if isinstance(name, str) and name in self._nodes.index and normalise(name):
            return name  # validation refuses a name shared by two places, so an id finds its own place alone
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
                self._node_records, self._leg_by_id, weight=weight, profile=chosen.name, ends=self._leg_ends,
                pricing=NetworkPricing(self, chosen),
            )
            if len(self._legs) >= LARGE:
                release_unused()  # the build's working arrays, several times the graph's own
        return self._expanded[key]

    def price_leg(self, leg: str, conditions: Conditions) -> model.Priced:
        """Return a leg's estimate under a condition set (see :mod:`corridors.model`), computed once."""
        key = ("leg", leg, conditions)
        if key not in self._priced:
            self._priced[key] = model.price_leg(self, leg, conditions)
        return self._priced[key]

    def price_stop(self, kind: str, place: str, leg: str | None, conditions: Conditions,
                   direction: str | None = None) -> model.Priced:
        """Return a stop's estimate under a condition set (see :mod:`corridors.model`), computed once; ``direction``
        is a gauge change's way (``1435>1520``)."""
        key = ("stop", kind, place, leg, conditions, direction)
        if key not in self._priced:
            self._priced[key] = model.price_stop(self, kind, place, leg, conditions, direction)
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
        return requests.route(self, origin, destination, via=via, avoid=avoid, by=by, conditions=conditions,
                              reroute=reroute, profile=profile)

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
        return requests.closed_legs(self, conditions)

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
        return requests.alternatives(self, origin, destination, k=k, via=via, avoid=avoid, by=by,
                                     conditions=conditions, reroute=reroute, profile=profile, max_paths=max_paths)

    def _request(self, origin: str, destination: str, via: Sequence[str], avoid: Iterable[str]
                 ) -> tuple[list[str], Constraints]:
        return requests.request(self, origin, destination, via, avoid)

    def _route(self, stages: Sequence[str], arcs: Sequence, conditions: Conditions, by: str, *,
               booked_under: str) -> Route:
        return requests.build_route(self, stages, arcs, conditions, by, booked_under=booked_under)

    def _leg_countries(self, leg_id: str, start: str | None = None) -> tuple[str, ...]:
        """Return the countries of a leg's ends (one if both lie in the same), from ``start``'s end first."""
        legs, nodes = self._leg_by_id, self._node_records
        first, last = legs.field(leg_id, "from"), legs.field(leg_id, "to")
        return end_countries(start, first, nodes.field(first, "country"), nodes.field(last, "country"))

    def _legs_countries(self, leg_ids: Sequence[str], starts: Sequence[str | None]) -> list[tuple[str, ...]]:
        """Return :meth:`_leg_countries` of many legs at once (each from its start's end first)."""
        first, last = self._leg_by_id.fields(leg_ids, "from"), self._leg_by_id.fields(leg_ids, "to")
        countries = self._node_records.fields(np.concatenate([first, last]), "country").tolist()
        return [end_countries(s, f, a, b) for s, f, a, b in zip(starts, first.tolist(), countries[:len(first)],
                                                                  countries[len(first):], strict=True)]

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
        return requests.reprice(self, route, conditions)

    def check_avoid(self, avoid: Iterable[str]) -> None:
        """Raise a CorridorError if an item of an avoid list is not a known place, country, mode or passage."""
        self._constraints(avoid)

    def _constraints(self, avoid: Iterable[str]) -> Constraints:
        return requests.constraints(self, avoid)

    # Lookups, built once per network -------------------------------------------------------------------------
    @cached_property
    def _index(self) -> PlaceIndex:
        return place_index(self._nodes)  # built at the first lookup: a network loaded to be saved needs none

    @cached_property
    def _countries(self) -> frozenset[str]:
        return frozenset(pd.unique(self._nodes["country"].to_numpy(dtype=object)))  # once per network, not per query

    @cached_property
    def _names(self) -> Rows:
        # read from the table's own column (pandas' strings): a Python string per place held as well took 35 MB
        # for half a million places, for the few names a route shows
        return Rows(self._nodes.index, {"name": self._nodes["name"].array}, field="name")

    # A place's and a leg's record (what routing and pricing read of one element) are made when asked for, from
    # the tables' columns (corridors.rows): a dict per row held for a million legs took gigabytes.
    @cached_property
    def _node_records(self) -> Rows:
        return place_rows(self._nodes)

    @cached_property
    def _leg_by_id(self) -> Rows:
        return leg_rows(self._legs)

    @cached_property
    def _leg_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the position among the places of each leg's first and second end (looked up once)."""
        ids, dtype = self._nodes.index, index_dtype(len(self._nodes))  # 32-bit where they fit: 8 MB less a 1M legs
        first, last = (ids.get_indexer(self._leg_by_id.column(end)).astype(dtype, copy=False) for end in ("from", "to"))
        return first, last

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
        return convert.save(self, folder, format=format)

    def __repr__(self) -> str:
        return (f"<Network {self.name!r}: {len(self._nodes)} places, {len(self._legs)} legs "
                f"({self._legs['distance_km'].sum():,.0f} km), {len(self._sources)} sources, "
                f"profiles {', '.join(self.profiles)}>")

    def _repr_html_(self) -> str:
        from .display import network_html
        from .places import country_display_names

        return network_html(repr(self), self.summary(), country_display_names())


def _plain(series: pd.Series) -> dict[str, float | int]:
    """Return a Series as a dict of plain Python values keyed by text, sorted by key (JSON-ready)."""
    return {str(k): (int(v) if float(v).is_integer() else float(v)) for k, v in sorted(series.items())}


# Loading lives in corridors.loading: its public names stay importable from here, and graph_from_gdfs uses it.
from .loading import _network_from_clean, _validated, load_network, validate  # noqa: E402, F401
