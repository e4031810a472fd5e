"""Check a dataset against the attribute contract and return clean tables, or every problem at once.

Validation runs once, when a network is loaded; queries trust what it let through.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from . import contract
from .contract import Column
from .errors import Problem
from .io import NO_ROWS, ROWS_REQUIRED, RawTable, parse_number, parse_whole_number
from .sealanes import SEAROUTE
from .timing import service_problem

GEOD = Geod(ellps="WGS84")
_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance in km between two points on the WGS84 ellipsoid."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def line_length_km(line: LineString) -> float:
    """Return the geodesic length of a lon/lat LineString in km."""
    return float(GEOD.geometry_length(line)) / 1000.0


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, table: RawTable, index: int | None, column: str, message: str) -> None:
        row = table.labels[index] if index is not None else ""
        self.problems.append(Problem(table.file, row, column, message))


def _parse_columns(table: RawTable, columns: tuple[Column, ...], out: _Collector) -> pd.DataFrame:
    """Return the table with typed values (None where missing or unparseable); record each problem."""
    frame = table.frame
    # nodes drawn as points (GeoJSON, GeoPackage) may leave lat/lon out: _check_nodes takes them from the points
    from_points = ("lat", "lon") if table.role == "nodes" and table.geometry is not None else ()
    missing = [c.name for c in columns if c.required and c.name not in frame.columns and c.name not in from_points]
    for name in missing:
        out.add(table, None, name, "required column is missing")
    parsed: dict[str, list[object]] = {}
    for column in columns:
        values: list[object] = []
        raw_values = frame[column.name] if column.name in frame.columns else [""] * len(frame)
        quiet = column.name in missing or column.name in from_points  # said once already, or checked later
        for i, raw in enumerate(raw_values):
            values.append(_parse_value(table, i, column, str(raw), out, quiet))
        parsed[column.name] = values
    return pd.DataFrame(parsed, index=range(len(frame)), dtype=object)


def _parse_value(table: RawTable, i: int, column: Column, raw: str, out: _Collector, reported: bool) -> object:
    if raw == "":
        if column.required and not reported:
            out.add(table, i, column.name, "a value is required")
        return () if column.kind in ("list", "refs") else None
    if column.kind in ("list", "refs"):
        items = tuple(part.strip() for part in raw.split(";") if part.strip())
        if column.choices:
            for item in items:
                if item not in column.choices:
                    out.add(table, i, column.name, f"unknown value {item!r}; expected one of "
                            f"{', '.join(column.choices)}")
        return items
    if column.kind in ("float", "int"):
        try:
            value: float = parse_number(raw) if column.kind == "float" else parse_whole_number(raw)
        except ValueError as exc:
            out.add(table, i, column.name, str(exc))
            return None
        if column.bounds is not None and not column.bounds[0] <= value <= column.bounds[1]:
            out.add(table, i, column.name, f"{raw} is outside {column.bounds[0]:g}..{column.bounds[1]:g}")
            return None
        return value
    if column.kind == "id" and not _ID.match(raw):
        out.add(table, i, column.name, f"{raw!r} is not a valid id (letters, digits, _ . - only)")
    if column.choices and raw not in column.choices:
        out.add(table, i, column.name, f"unknown value {raw!r}; expected one of {', '.join(column.choices)}")
    return raw


def _duplicates(table: RawTable, values: pd.Series, column: str, out: _Collector) -> None:
    counts = Counter(v for v in values if v)
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value and counts[value] > 1:
            if value in seen:
                out.add(table, i, column, f"duplicate id {value!r}")
            seen.add(value)


def _check_refs(table: RawTable, frame: pd.DataFrame, columns: tuple[str, ...], source_ids: set[str] | None,
                out: _Collector) -> None:
    if source_ids is None:  # the sources table could not be read: its problem is reported already
        return
    for column in columns:
        for i, value in enumerate(frame[column]):
            refs = value if isinstance(value, tuple) else ((value,) if value else ())
            for ref in refs:
                if ref not in source_ids:
                    out.add(table, i, column, f"unknown source {ref!r} (not in the sources table)")


def validate_tables(raw: Mapping[str, RawTable], countries: gpd.GeoDataFrame
                    ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Parse and cross-check raw tables; return clean tables by role and every problem found.

    A table missing from ``raw`` (one that could not be read, its problem reported by the caller) or without rows
    is left out, and so are the checks of other tables against it, so that each of their own problems is still
    reported and none is a mere follow-on of the missing table.
    """
    out = _Collector()
    for role, table in raw.items():
        if not len(table.frame) and role in ROWS_REQUIRED:
            out.add(table, None, "", NO_ROWS)
    present = {role: table for role, table in raw.items() if len(table.frame)}
    parsed = {role: _parse_columns(table, contract.TABLES[role], out) for role, table in present.items()}
    clean: dict[str, pd.DataFrame] = {}

    source_ids: set[str] | None = None
    if "sources" in parsed:
        sources = parsed["sources"]
        _duplicates(present["sources"], sources["id"], "id", out)
        for i, url in enumerate(sources["url"]):
            if url and not re.match(r"^https?://\S+$", url):
                out.add(present["sources"], i, "url", f"{url!r} is not an http(s) URL")
        source_ids = {s for s in sources["id"] if s} if _keyed(present["sources"]) else None
        clean["sources"] = sources.set_index("id", drop=False)

    nodes = legs = None
    if "nodes" in parsed:
        clean["nodes"] = _check_nodes(present["nodes"], parsed["nodes"], source_ids, countries, out)
        nodes = clean["nodes"] if _keyed(present["nodes"]) else None
    if "legs" in parsed:
        clean["legs"] = _check_legs(present["legs"], parsed["legs"], nodes, source_ids, out)
        legs = clean["legs"] if _keyed(present["legs"]) else None
    for role, key in (("stop_times", "place"), ("speeds", "country"), ("leg_times", "leg"),
                      ("disruptions", "place")):
        if role in parsed:
            clean[role] = _check_parameters(present[role], parsed[role], key, nodes, legs, source_ids, out)
    if "costs" in parsed:
        clean["costs"] = _check_costs(present["costs"], parsed["costs"], nodes, legs, source_ids, out)
    if "emissions" in parsed:
        clean["emissions"] = _check_emissions(present["emissions"], parsed["emissions"], nodes, source_ids, out)
    _check_level_order(present, clean, out)
    if "groups" in parsed:
        clean["groups"] = _check_groups(present["groups"], parsed["groups"], nodes, legs, out)
    if "conditions" in parsed:
        groups = clean.get("groups", pd.DataFrame(columns=["id", "members"]))
        clean["conditions"] = _check_conditions(present["conditions"], parsed["conditions"], groups, source_ids,
                                                out)
    if nodes is not None and legs is not None and {"from", "to"} <= set(present["legs"].frame.columns):
        _check_connected(present["legs"], nodes, legs, out)
    return clean, out.problems


def _keyed(table: RawTable) -> bool:
    """Return whether other tables can be checked against this one: without its id column (reported once) every
    reference to it would be reported as unknown, a flood of follow-on problems."""
    return "id" in table.frame.columns


def _check_nodes(table: RawTable, frame: pd.DataFrame, source_ids: set[str] | None, countries: gpd.GeoDataFrame,
                 out: _Collector) -> gpd.GeoDataFrame:
    _duplicates(table, frame["id"], "id", out)
    _check_refs(table, frame, ("coord_source", "sources"), source_ids, out)
    for i in range(len(frame)):
        if frame.at[i, "lat"] is not None and frame.at[i, "lon"] is not None:
            continue
        geom = table.geometry.iloc[i] if table.geometry is not None else None
        if isinstance(geom, Point) and not geom.is_empty and (wrong := off_the_globe(geom)) is not None:
            out.add(table, i, "geometry", wrong)
        elif isinstance(geom, Point) and not geom.is_empty:
            frame.at[i, "lon"], frame.at[i, "lat"] = geom.x, geom.y
        elif table.geometry is None:
            continue  # no lat or lon, and no point to take them from: _parse_value said so
        elif geom is None or geom.is_empty:
            out.add(table, i, "geometry", "a node needs a point geometry or lat and lon")
        else:
            out.add(table, i, "geometry", f"a node's geometry must be a point, got a {geom.geom_type}")
    by_code = dict(zip(countries["iso_a3"], countries.geometry, strict=True))
    points: list[Point | None] = []
    for i, row in frame.iterrows():
        lat, lon, country = row["lat"], row["lon"], row["country"]
        if country and not (len(country) == 3 and country.isupper()):
            out.add(table, i, "country", f"{country!r} is not an ISO 3166 alpha-3 code (e.g. KAZ)")
        elif country and country not in by_code:
            out.add(table, i, "country", f"unknown country code {country!r}")
        if lat is None or lon is None:
            points.append(None)
            continue
        bad = False
        if not -90 <= lat <= 90:
            out.add(table, i, "lat", f"latitude {lat} is outside -90..90")
            bad = True
        if not -180 <= lon <= 180:
            out.add(table, i, "lon", f"longitude {lon} is outside -180..180")
            bad = True
        if bad:
            points.append(None)
            continue
        point = Point(lon, lat)
        points.append(point)
        outline = by_code.get(country)
        if outline is None:
            continue
        off_km = _outside_km(point, outline)
        if off_km > contract.MAX_OUTSIDE_COUNTRY_KM:
            swapped = -90 <= lon <= 90 and _outside_km(Point(lat, lon), outline) <= contract.MAX_OUTSIDE_COUNTRY_KM
            if swapped:
                hint = "; latitude and longitude look swapped"
            else:
                inside = next((c for c, shape in by_code.items() if c != "-99" and shape.contains(point)), None)
                hint = f", in {inside}" if inside else ", at sea or on an island the 1:50m outlines do not draw"
            out.add(table, i, "lat", f"({lat}, {lon}) lies {off_km:.0f} km outside {country}{hint}")
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
    return gdf.drop_duplicates("id").set_index("id", drop=False)


def _outside_km(point: Point, outline: shapely.Geometry) -> float:
    if outline.contains(point):
        return 0.0
    nearest = nearest_points(outline, point)[0]
    return great_circle_km(point.x, point.y, nearest.x, nearest.y)


def _check_legs(table: RawTable, frame: pd.DataFrame, nodes: gpd.GeoDataFrame | None, source_ids: set[str] | None,
                out: _Collector) -> gpd.GeoDataFrame:
    _duplicates(table, frame["id"], "id", out)
    _check_refs(table, frame, ("distance_source", "time_source", "service_source", "sources"), source_ids, out)
    wkt = table.frame["geometry"] if "geometry" in table.frame.columns else None
    geometries: list[LineString | None] = []
    for i, row in frame.iterrows():
        ends_known = nodes is not None  # else the nodes table's own problem is reported, not one per leg
        for end in ("from", "to"):
            if nodes is not None and row[end] and row[end] not in nodes.index:
                out.add(table, i, end, f"unknown node {row[end]!r}")
                ends_known = False
        if row["from"] and row["from"] == row["to"]:
            out.add(table, i, "to", "a leg must join two different nodes")
        _check_leg_values(table, i, row, out)
        geometry = _leg_geometry(table, i, row, wkt, out)
        waypoints = row["waypoints"] or ""
        inner: list[tuple[float, float]] = []
        if waypoints.split()[:1] == [SEAROUTE]:  # a note for the tool that drew the geometry, not points
            if geometry is None:
                out.add(table, i, "waypoints", f"{waypoints!r} asks for a sea lane but the leg has no geometry; "
                        "draw it with python -m corridors.sealanes or give 'lat lon' pairs")
        else:
            try:
                inner = parse_waypoints(waypoints)
            except ValueError as exc:
                out.add(table, i, "waypoints", str(exc))
        first = nodes.geometry[row["from"]] if nodes is not None and ends_known and row["from"] else None
        last = nodes.geometry[row["to"]] if nodes is not None and ends_known and row["to"] else None
        if geometry is None and first is not None and last is not None:
            geometry = LineString([(first.x, first.y), *inner, (last.x, last.y)])
        geometries.append(geometry)
        distance = row["distance_km"]
        if first is None or last is None or (distance is not None and distance > contract.MAX_LEG_DISTANCE_KM):
            continue  # nothing to measure the leg against, or a distance already reported as out of range
        direct = great_circle_km(first.x, first.y, last.x, last.y)
        if distance is not None and distance > 0 and distance < contract.MIN_DISTANCE_TO_GREAT_CIRCLE * direct - 1:
            out.add(table, i, "distance_km", f"{distance:g} km is shorter than the {direct:.0f} km great circle "
                    "between its nodes")
        if geometry is None:
            continue
        for label, point, node in (("start", Point(geometry.coords[0]), first),
                                   ("end", Point(geometry.coords[-1]), last)):
            gap = great_circle_km(point.x, point.y, node.x, node.y)
            if gap > contract.MAX_ENDPOINT_OFFSET_KM:
                out.add(table, i, "geometry", f"the line's {label} is {gap:.0f} km from its node")
        if distance is not None and distance > 0:
            ratio = line_length_km(geometry) / distance
            low, high = contract.GEOMETRY_TO_DISTANCE_RATIO
            if not low <= ratio <= high:
                out.add(table, i, "geometry", f"drawn length is {ratio:.2f}× the stated {distance:g} km "
                        f"(plausible: {low}–{high}×)")
    gdf = gpd.GeoDataFrame(frame, geometry=geometries, crs="EPSG:4326")
    return gdf.drop_duplicates("id").set_index("id", drop=False)


def _check_leg_values(table: RawTable, i: int, row: pd.Series, out: _Collector) -> None:
    mode, gauge = row["mode"], row["gauge_mm"]
    if mode == "rail":
        if gauge is None and _given(table, i, "gauge_mm"):
            pass  # written but not a whole number: reported as such
        elif gauge is None:
            out.add(table, i, "gauge_mm", "a rail leg needs its gauge (1435 or 1520)")
        elif gauge not in contract.GAUGES_MM:
            out.add(table, i, "gauge_mm", f"unknown gauge {gauge}; expected 1435 or 1520")
    elif gauge is not None and mode in contract.MODES:
        out.add(table, i, "gauge_mm", f"a {mode} leg has no gauge")
    if row["distance_km"] is not None and row["distance_km"] <= 0:
        out.add(table, i, "distance_km", f"distance must be positive, got {row['distance_km']:g}")
    elif row["distance_km"] is not None and row["distance_km"] > contract.MAX_LEG_DISTANCE_KM:
        out.add(table, i, "distance_km", f"{row['distance_km']:g} km is out of range: no leg is longer than "
                f"{contract.MAX_LEG_DISTANCE_KM:,.0f} km, once round the Earth")
    if row["time_h"] is not None:
        if row["time_h"] <= 0:
            out.add(table, i, "time_h", f"time must be positive, got {row['time_h']:g}")
        if not row["time_source"]:
            out.add(table, i, "time_source", "a leg time needs its source")
    service = row["service"]
    if service:
        if mode not in contract.SCHEDULED_MODES:
            out.add(table, i, "service", "only ferry, sea and air legs have a service pattern")
        elif (wrong := service_problem(service)) is not None:
            out.add(table, i, "service", wrong)
        if not row["service_source"]:
            out.add(table, i, "service_source", "a service pattern needs its source")
    elif mode == "ferry":
        out.add(table, i, "service", "a ferry leg needs its service pattern ('unscheduled' or 'N/week')")


def _given(table: RawTable, i: int, column: str) -> bool:
    """Return whether a value was written in a cell, even one that could not be parsed."""
    return column in table.frame.columns and table.frame[column].iloc[i] != ""


def _leg_geometry(table: RawTable, i: int, row: pd.Series, wkt: pd.Series | None,
                  out: _Collector) -> LineString | None:
    geometry = None
    if table.geometry is not None:
        geometry = table.geometry.iloc[i]
    if (geometry is None or geometry.is_empty) and wkt is not None and wkt.iloc[i]:
        try:
            with warnings.catch_warnings():  # a NaN coordinate warns; off_the_globe reports it below
                warnings.simplefilter("ignore", RuntimeWarning)
                geometry = shapely.from_wkt(wkt.iloc[i])
        except shapely.errors.GEOSException:
            out.add(table, i, "geometry", "not valid WKT")
            return None
    if geometry is None or geometry.is_empty:
        return None  # drawn through the waypoints by the caller, once the nodes are known
    if geometry.geom_type != "LineString":
        out.add(table, i, "geometry", f"expected a LineString, got a {geometry.geom_type}")
        return None
    if (wrong := off_the_globe(geometry)) is not None:
        out.add(table, i, "geometry", wrong)
        return None
    return geometry


def off_the_globe(geometry: shapely.Geometry) -> str | None:
    """Return what is wrong with a lon/lat geometry's coordinates (not finite, or off the globe), or None."""
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return "a coordinate is not a finite number"
    if not ((np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()):
        return "a coordinate is off the globe (lon -180..180, lat -90..90)"
    return None


    return None  # drawn through the waypoints by the caller, once the nodes are known


def parse_waypoints(text: str) -> list[tuple[float, float]]:
    """Return ``(lon, lat)`` pairs from a waypoints field of ``lat lon`` pairs separated by ``;``.

    Raise ValueError saying which pair is wrong: not two numbers, not finite, or off the globe.
    """
    points = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        pair = part.replace(",", " ").split()
        if len(pair) != 2:
            raise ValueError(f"{part!r} is not a 'lat lon' pair; write pairs separated by ';'")
        try:
            lat, lon = parse_number(pair[0]), parse_number(pair[1])
        except ValueError as exc:
            raise ValueError(f"in the waypoint {part!r}: {exc}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"the waypoint {part!r} is off the globe (lat -90..90, lon -180..180)")
        points.append((lon, lat))
    return points


def _check_parameters(table: RawTable, frame: pd.DataFrame, key: str, nodes: gpd.GeoDataFrame | None,
                      legs: gpd.GeoDataFrame | None, source_ids: set[str] | None, out: _Collector) -> pd.DataFrame:
    _check_refs(table, frame, ("sources",), source_ids, out)
    unit = "h" if "low_h" in frame.columns else "kmh"
    low, typical, high = (f"{n}_{unit}" for n in ("low", "typical", "high"))
    what = next((c for c in ("kind", "mode") if c in frame.columns), key)
    places = _Places.of(nodes)
    seen: set[tuple[str, str, str]] = set()
    for i, row in frame.iterrows():
        place = row[key]
        if key == "leg":
            if legs is not None and place and place not in legs.index:
                out.add(table, i, key, f"unknown leg {place!r}")
        elif place and place != "*" and not places.known(place, countries_only=key == "country"):
            expected = "a node id, " if key == "place" else ""
            out.add(table, i, key, f"unknown place {place!r}; expected {expected}a country code of the network "
                    "or *")
        values = [row[low], row[typical], row[high]]
        if any(v is not None and v < 0 for v in values):
            out.add(table, i, low, "times and speeds cannot be negative")
        if unit == "kmh" and any(v is not None and v == 0 for v in values):
            out.add(table, i, low, "a speed must be positive")
        if None not in values and not values[0] <= values[1] <= values[2]:
            out.add(table, i, high, f"needs low ≤ typical ≤ high, got {values[0]:g} / {values[1]:g} / "
                    f"{values[2]:g}")
        if "probability" in frame.columns and row["probability"] is not None and not 0 <= row["probability"] <= 1:
            out.add(table, i, "probability", f"a probability must lie in 0..1, got {row['probability']:g}")
        ident = (row[what], place, row["profile"])
        if ident in seen:
            label = f"{ident[0]} at {place}" if what != key else str(place)
            out.add(table, i, what, f"a second row for {label} under profile {ident[2]}")
        seen.add(ident)
    return frame


@dataclass(frozen=True)
class _Places:
    """The countries and node ids a parameter may name; with no nodes table every name passes, because that
    table's own problem is reported instead of one per parameter row."""

    countries: frozenset[str] | None
    ids: frozenset[str] | None

    @classmethod
    def of(cls, nodes: gpd.GeoDataFrame | None) -> _Places:
        if nodes is None:
            return cls(None, None)
        return cls(frozenset(nodes["country"]), frozenset(nodes.index))

    def known(self, place: str, *, countries_only: bool = False) -> bool:
        if self.countries is None or self.ids is None:
            return True
        return place in self.countries or (not countries_only and place in self.ids)


def _check_costs(table: RawTable, frame: pd.DataFrame, nodes: gpd.GeoDataFrame | None,
                 legs: gpd.GeoDataFrame | None, source_ids: set[str] | None, out: _Collector) -> pd.DataFrame:
    _check_refs(table, frame, ("sources",), source_ids, out)
    places = _Places.of(nodes)
    seen: set[tuple] = set()
    for i, row in frame.iterrows():
        place, leg = row["place"], row["leg"]
        if legs is not None and leg and leg not in legs.index:
            out.add(table, i, "leg", f"unknown leg {leg!r}")
        if place and place != "*" and not places.known(place):
            out.add(table, i, "place", f"unknown place {place!r}; expected a node id, a country code or *")
        if leg and row["unit"] == "usd_per_feu_km" and row["kind"] not in contract.MODES:
            out.add(table, i, "unit", "a stop is priced per FEU, not per km")
        values = [row["low"], row["typical"], row["high"]]
        if any(v is not None and v < 0 for v in values):
            out.add(table, i, "low", "a cost cannot be negative")
        if None not in values and not values[0] <= values[1] <= values[2]:
            out.add(table, i, "high", f"needs low ≤ typical ≤ high, got {values[0]:g} / {values[1]:g} / "
                    f"{values[2]:g}")
        ident = (row["kind"], place, leg, row["profile"])
        if ident in seen:
            out.add(table, i, "kind", f"a second row for {row['kind']} at {leg or place} under {row['profile']}")
        seen.add(ident)
    return frame


def _check_emissions(table: RawTable, frame: pd.DataFrame, nodes: gpd.GeoDataFrame | None,
                     source_ids: set[str] | None, out: _Collector) -> pd.DataFrame:
    _check_refs(table, frame, ("sources",), source_ids, out)
    places = _Places.of(nodes)
    seen: set[tuple] = set()
    for i, row in frame.iterrows():
        if row["country"] and row["country"] != "*" and not places.known(row["country"], countries_only=True):
            out.add(table, i, "country", f"unknown country {row['country']!r}; expected a country of the network or *")
        per_feu, per_tonne = row["kg_co2e_per_feu_km"], row.get("kg_co2e_per_tonne_km")
        for column, value in (("kg_co2e_per_feu_km", per_feu), ("kg_co2e_per_tonne_km", per_tonne)):
            if value is not None and value < 0:
                out.add(table, i, column, "an emission factor cannot be negative")
        if (per_feu is None) == (per_tonne is None):
            out.add(table, i, "kg_co2e_per_feu_km", "give one factor: kg_co2e_per_feu_km, or kg_co2e_per_tonne_km "
                    "(air)")
        ident = (row["mode"], row["country"])
        if ident in seen:
            out.add(table, i, "mode", f"a second row for {ident[0]} in {ident[1]}")
        seen.add(ident)
    return frame


def _check_connected(table: RawTable, nodes: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, out: _Collector) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(n for n in nodes.index if n)  # a node without its id is reported on its own
    # a leg to an unknown node is reported on its own; it must not add that node here as a second problem
    graph.add_edges_from((a, b) for a, b in zip(legs["from"], legs["to"], strict=True)
                         if a in nodes.index and b in nodes.index)
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    for component in components[1:]:
        names = ", ".join(sorted(component)[:6]) + (" …" if len(component) > 6 else "")
        out.problems.append(Problem(table.file, "", "", f"the network is disconnected: {names} cannot be reached "
                                    f"from {sorted(components[0])[0]}"))


#: The order of the levels of an element: its best case is never slower than its typical state, which is never
#: slower than its congested one. Old level names read as their new ones.
LEVEL_ORDER = {"best": 0, "scheduled": 0, "typical": 1, "congested": 2}


def _check_level_order(raw: Mapping[str, RawTable], clean: Mapping[str, pd.DataFrame], out: _Collector) -> None:
    """Record every element whose levels break best ≤ typical ≤ congested (for speeds: ≥), value by value."""
    keys = {"stop_times": ("kind", "place"), "speeds": ("mode", "country"), "leg_times": ("leg",),
            "disruptions": ("kind", "place")}
    for role, key in keys.items():
        if role not in clean:
            continue
        frame = clean[role]
        unit = "kmh" if role == "speeds" else "h"
        columns = [f"{n}_{unit}" for n in ("low", "typical", "high")]
        if role == "disruptions":
            columns.append("probability")
        ranked = frame[frame["profile"].isin(list(LEVEL_ORDER))]
        for _, group in ranked.groupby(list(key), sort=False):
            ordered = sorted(group.index, key=lambda i: LEVEL_ORDER[group.at[i, "profile"]])
            for earlier, later in itertools.pairwise(ordered):
                for column in columns:
                    a, b = group.at[earlier, column], group.at[later, column]
                    if a is None or b is None:
                        continue
                    slower_first = a < b if unit == "kmh" else a > b
                    if slower_first:
                        what = "slower" if unit == "kmh" else "larger"
                        out.add(raw[role], later, column,
                                f"{group.at[earlier, 'profile']} has {column} {a:g}, {what} than "
                                f"{group.at[later, 'profile']}'s {b:g}: levels must run best ≤ typical ≤ congested")


SELECTOR_KINDS = ("leg", "passage", *contract.MODES, *contract.STOP_KINDS, *contract.DISRUPTION_KINDS)


def _check_groups(table: RawTable, frame: pd.DataFrame, nodes: gpd.GeoDataFrame | None,
                  legs: gpd.GeoDataFrame | None, out: _Collector) -> pd.DataFrame:
    _duplicates(table, frame["id"], "id", out)
    places = _Places.of(nodes)
    owner: dict[str, str] = {}
    for i, row in frame.iterrows():
        for selector in row["members"]:
            kind, _, place = selector.partition(":")
            if kind not in SELECTOR_KINDS or not place:
                out.add(table, i, "members", f"{selector!r} is not KIND:PLACE with KIND one of "
                        f"{', '.join(SELECTOR_KINDS)}")
                continue
            if kind == "leg":
                known = legs is None or place in legs.index
            elif kind == "passage":
                known = place in contract.PASSAGES
            else:
                known = place == "*" or places.known(place, countries_only=kind in contract.MODES)
            if not known:
                out.add(table, i, "members", f"{selector!r}: unknown {kind if kind in ('leg', 'passage') else 'place'} "
                        f"{place!r}")
            if selector in owner and owner[selector] != row["id"]:
                out.add(table, i, "members", f"{selector!r} belongs to group {owner[selector]!r} already")
            owner.setdefault(selector, row["id"])
    return frame


def _check_conditions(table: RawTable, frame: pd.DataFrame, groups: pd.DataFrame, source_ids: set[str],
                      out: _Collector) -> pd.DataFrame:
    _check_refs(table, frame, ("sources",), source_ids, out)
    members = dict(zip(groups["id"], groups["members"], strict=True))
    defaults: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for i, row in frame.iterrows():
        condition, group = row["condition"], row["group"]
        if (condition, group) in seen:
            out.add(table, i, "group", f"a second row for {group} under {condition}")
        seen.add((condition, group))
        if group == "*":
            defaults[condition] += 1
            if row["level"] == "closed":
                out.add(table, i, "level", "only a group of sea passages can be closed, not every element")
            continue
        if group not in members:
            out.add(table, i, "group", f"unknown group {group!r}; expected an id of the groups table or *")
        elif row["level"] == "closed" and not all(m.startswith("passage:") for m in members[group]):
            out.add(table, i, "level", f"only a group of sea passages can be closed; {group!r} has other elements")
        if row["year"] is not None:
            out.add(table, i, "year", "the year goes on the condition's * row only")
    for i, condition in enumerate(frame["condition"]):
        if condition and defaults[condition] == 0 and condition not in set(frame["condition"][:i]):
            out.add(table, i, "group", f"condition {condition!r} has no * row (the level of every other element)")
    return frame
