"""Check a dataset against the attribute contract and return clean tables, or every problem at once.

Validation runs once, when a network is loaded; queries trust what it let through.
"""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from . import contract
from .conditions import LEVEL_ALIASES, LEVELS
from .contract import SEAROUTE, Column
from .errors import Problem
from .io import NO_ROWS, NUMBER, ROWS_REQUIRED, RawTable, parse_number, parse_whole_number
from .lines import Drawing, StraightLines
from .memory import LARGE, index_dtype
from .places import name_collisions as _name_collisions  # the place index's collisions, on columns
from .timing import service_problem, stop_direction

GEOD = Geod(ellps="WGS84")
_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance in km between two points on the WGS84 ellipsoid."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def _geodesic_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Return the geodesic distances in metres between arrays of points, element by element."""
    if len(lon1) == 1:  # pyproj before 3.7.2 reads a one-element array as a point, which numpy 1.25+ deprecates
        return np.array([GEOD.inv(float(lon1[0]), float(lat1[0]), float(lon2[0]), float(lat2[0]))[2]])
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def line_length_km(line: LineString) -> float:
    """Return the geodesic length of a lon/lat LineString in km."""
    return float(GEOD.geometry_length(line)) / 1000.0


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, table: RawTable, index: int | None, column: str, message: str) -> None:
        row = table.labels[index] if index is not None else ""
        self.problems.append(Problem(table.file, row, column, message))

    def add_in_row_order(self, table: RawTable, found: list[tuple[int, int, str, str]]) -> None:
        """Record problems found check by check, column by column, as (row, order, column, message), row by row:
        the order a reader of the file meets them in, whatever order the vectorised checks found them in."""
        for i, _order, column, message in sorted(found, key=lambda f: (f[0], f[1])):
            self.add(table, i, column, message)


def _given_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Return a column's cells as an array of text ("" where the column is absent).

    Equal values share one string object: a million legs name a few modes and sources, and a string per cell
    would cost a gigabyte.
    """
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    if len(frame) < 10_000:
        return frame[name].to_numpy(dtype=object)
    codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
    return np.asarray(uniques, dtype=object)[codes]


def _parse_columns(table: RawTable, columns: tuple[Column, ...], out: _Collector) -> pd.DataFrame:
    """Return the table with typed values (None where missing or unparseable); record each problem.

    Each column is parsed as a whole (a million-row table is parsed in seconds, not minutes); a value that fails is
    then parsed alone, to say why, so the messages are those of :func:`~corridors.io.parse_number`.
    """
    frame = table.frame
    # nodes drawn as points (GeoJSON, GeoPackage) may leave lat/lon out: _check_nodes takes them from the points
    from_points = ("lat", "lon") if table.role == "nodes" and table.geometry is not None else ()
    missing = [c.name for c in columns if c.required and c.name not in frame.columns and c.name not in from_points]
    for name in missing:
        out.add(table, None, name, "required column is missing")
    parsed: dict[str, object] = {}
    for column in columns:
        quiet = column.name in missing or column.name in from_points  # said once already, or checked later
        found: list[tuple[int, int, str, str]] = []
        parsed[column.name] = _parse_column(column, _given_values(frame, column.name), quiet, found)
        out.add_in_row_order(table, found)
    return pd.DataFrame(parsed, index=range(len(frame)), dtype=object)


def _parse_column(column: Column, raw: np.ndarray, reported: bool, found: list[tuple[int, int, str, str]]
                  ) -> list[object] | np.ndarray:
    """Return a column's typed values; add its problems to ``found`` (row, order, column, message)."""
    name = column.name
    blank = raw == ""
    if column.required and not reported:
        found.extend((int(i), 0, name, "a value is required") for i in np.flatnonzero(blank))
    filled = np.flatnonzero(~blank)
    if column.kind in ("list", "refs"):
        values: list[object] = [()] * len(raw)
        for i in filled:
            items = tuple(part.strip() for part in raw[i].split(";") if part.strip())
            values[i] = items
            if column.choices:
                found.extend((int(i), 1, name, f"unknown value {item!r}; expected one of {', '.join(column.choices)}")
                             for item in items if item not in column.choices)
        return values
    result = np.full(len(raw), None, dtype=object)
    if column.kind in ("float", "int"):
        texts = raw[filled]
        shaped = np.fromiter((NUMBER.fullmatch(v) is not None for v in texts), dtype=bool, count=len(texts))
        numbers = np.full(len(filled), np.nan)
        numbers[shaped] = texts[shaped].astype(float)
        good = shaped & np.isfinite(numbers)
        if column.kind == "int":
            good &= np.mod(numbers, 1) == 0
        for j in np.flatnonzero(~good):  # parsed alone, to say why it is not a number
            try:
                parse_number(raw[filled[j]]) if column.kind == "float" else parse_whole_number(raw[filled[j]])
            except ValueError as exc:
                found.append((int(filled[j]), 1, name, str(exc)))
        if column.bounds is not None:
            outside = good & ~((numbers >= column.bounds[0]) & (numbers <= column.bounds[1]))
            found.extend((int(filled[j]), 1, name, f"{raw[filled[j]]} is outside {column.bounds[0]:g}.."
                          f"{column.bounds[1]:g}") for j in np.flatnonzero(outside))
            good &= ~outside
        typed = numbers[good].astype(object)  # plain Python numbers, as a single parse gives
        if column.kind == "int":
            typed = np.fromiter((int(v) for v in typed), dtype=object, count=len(typed))  # exact, however large
        result[filled[good]] = typed
        return result
    texts = raw[filled]
    result[filled] = texts
    if column.kind == "id":
        wrong = np.fromiter((_ID.match(v) is None for v in texts), dtype=bool, count=len(texts))
        found.extend((int(filled[j]), 1, name, f"{raw[filled[j]]!r} is not a valid id (letters, digits, _ . - only)")
                     for j in np.flatnonzero(wrong))
    if column.choices:
        wrong = np.fromiter((v not in column.choices for v in texts), dtype=bool, count=len(texts))
        found.extend((int(filled[j]), 2, name, f"unknown value {raw[filled[j]]!r}; expected one of "
                      f"{', '.join(column.choices)}") for j in np.flatnonzero(wrong))
    return result


def _truthy(values: pd.Series) -> np.ndarray:
    """Return where a column of text or None holds a non-empty value."""
    return (values.notna() & (values != "")).to_numpy(dtype=bool)


def _duplicates(table: RawTable, values: pd.Series, column: str, out: _Collector) -> None:
    values = pd.Series(values.to_numpy(dtype=object))
    repeated = values.duplicated(keep="first").to_numpy(dtype=bool) & _truthy(values)
    for i in np.flatnonzero(repeated):
        out.add(table, int(i), column, f"duplicate id {values[i]!r}")


def _check_refs(table: RawTable, frame: pd.DataFrame, columns: tuple[str, ...], source_ids: set[str] | None,
                out: _Collector) -> None:
    if source_ids is None:  # the sources table could not be read: its problem is reported already
        return
    for column in columns:
        values = frame[column].to_numpy(dtype=object)  # an id or None; a tuple of ids in a list column
        unknown = np.fromiter((bool(v) and (v not in source_ids if isinstance(v, str) else
                                            not source_ids.issuperset(v)) for v in values),
                              dtype=bool, count=len(values))
        for i in np.flatnonzero(unknown):
            refs = values[i] if isinstance(values[i], tuple) else (values[i],)
            for ref in refs:
                if ref not in source_ids:
                    out.add(table, int(i), column, f"unknown source {ref!r} (not in the sources table)")


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
    for i in np.flatnonzero((frame["lat"].isna() | frame["lon"].isna()).to_numpy(dtype=bool)).tolist():
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
    found: list[tuple[int, int, str, str]] = []
    country = pd.Series(frame["country"].to_numpy(dtype=object))
    given = _truthy(country)
    coded = given & (country.str.len() == 3).to_numpy(dtype=bool) & country.str.isupper().to_numpy(dtype=bool)
    known = coded & country.isin(list(by_code)).to_numpy(dtype=bool)
    found.extend((int(i), 0, "country", f"{country[i]!r} is not an ISO 3166 alpha-3 code (e.g. KAZ)")
                 for i in np.flatnonzero(given & ~coded))
    found.extend((int(i), 0, "country", f"unknown country code {country[i]!r}") for i in np.flatnonzero(coded & ~known))
    lat = np.array(frame["lat"].to_numpy(dtype=object), dtype=float)  # None: NaN
    lon = np.array(frame["lon"].to_numpy(dtype=object), dtype=float)
    placed = ~np.isnan(lat) & ~np.isnan(lon)
    lat_off = placed & ~((lat >= -90) & (lat <= 90))
    lon_off = placed & ~((lon >= -180) & (lon <= 180))
    found.extend((int(i), 1, "lat", f"latitude {float(lat[i])} is outside -90..90") for i in np.flatnonzero(lat_off))
    found.extend((int(i), 2, "lon", f"longitude {float(lon[i])} is outside -180..180")
                 for i in np.flatnonzero(lon_off))
    placed &= ~lat_off & ~lon_off
    points = np.full(len(frame), None, dtype=object)
    points[placed] = shapely.points(lon[placed], lat[placed])
    # a point inside its country's outline is fine; only the others are measured, one by one
    for code, rows in pd.Series(np.flatnonzero(placed & known)).groupby(country[placed & known].to_numpy()):
        outline = by_code[code]
        shapely.prepare(outline)
        inside = shapely.contains_xy(outline, lon[rows.to_numpy()], lat[rows.to_numpy()])
        for i in rows.to_numpy()[~inside]:
            if (problem := _outside_problem(float(lat[i]), float(lon[i]), code, by_code)) is not None:
                found.append((int(i), 3, "lat", problem))
    out.add_in_row_order(table, found)
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
    return gdf.drop_duplicates("id").set_index("id", drop=False)


def _outside_problem(lat: float, lon: float, country: str, by_code: dict[str, shapely.Geometry]) -> str | None:
    """Return what is wrong with a place that lies outside its country's outline (None if it is near enough)."""
    point, outline = Point(lon, lat), by_code[country]
    off_km = _outside_km(point, outline)
    if off_km <= contract.MAX_OUTSIDE_COUNTRY_KM:
        return None
    swapped = -90 <= lon <= 90 and _outside_km(Point(lat, lon), outline) <= contract.MAX_OUTSIDE_COUNTRY_KM
    if swapped:
        hint = "; latitude and longitude look swapped"
    else:
        inside = next((c for c, shape in by_code.items() if c != "-99" and shape.contains(point)), None)
        hint = f", in {inside}" if inside else ", at sea or on an island the 1:50m outlines do not draw"
    return f"({lat}, {lon}) lies {off_km:.0f} km outside {country}{hint}"


def _outside_km(point: Point, outline: shapely.Geometry) -> float:
    if outline.contains(point):
        return 0.0
    nearest = nearest_points(outline, point)[0]
    return great_circle_km(point.x, point.y, nearest.x, nearest.y)


def _check_legs(table: RawTable, frame: pd.DataFrame, nodes: gpd.GeoDataFrame | None, source_ids: set[str] | None,
                out: _Collector) -> gpd.GeoDataFrame:
    """Check every leg; the checks run column by column (a million legs in seconds), and the problems are
    reported row by row, each with its file, row and field."""
    _duplicates(table, frame["id"], "id", out)
    _check_refs(table, frame, ("distance_source", "time_source", "service_source", "sources"), source_ids, out)
    found: list[tuple[int, int, str, str]] = []
    n = len(frame)
    ends = {end: pd.Series(frame[end].to_numpy(dtype=object)) for end in ("from", "to")}
    ends_known = np.full(n, nodes is not None)  # else the nodes table's own problem is reported, not one per leg
    position: dict[str, np.ndarray] = {}
    for order, (end, values) in enumerate(ends.items()):
        named = _truthy(values)
        if nodes is not None:
            position[end] = nodes.index.get_indexer(values.where(named, None))
            unknown = named & (position[end] < 0)
            found.extend((int(i), order, end, f"unknown node {values[i]!r}") for i in np.flatnonzero(unknown))
            ends_known &= ~unknown
    same = _truthy(ends["from"]) & (ends["from"] == ends["to"]).to_numpy(dtype=bool)
    found.extend((int(i), 2, "to", "a leg must join two different nodes") for i in np.flatnonzero(same))
    _check_leg_values(table, frame, found)
    geometries = _leg_geometries(table, found)

    # the ends of each leg, where both are places with coordinates
    first = np.full((n, 2), np.nan)
    last = np.full((n, 2), np.nan)
    if nodes is not None:
        xy = np.column_stack([shapely.get_x(nodes.geometry.array), shapely.get_y(nodes.geometry.array)])
        for coords, end in ((first, "from"), (last, "to")):
            at = ends_known & _truthy(ends[end])
            coords[at] = xy[position[end][at]]
    placed = ~np.isnan(first[:, 0]) & ~np.isnan(last[:, 0])

    inner: dict[int, list[tuple[float, float]]] = {}
    waypoints = frame["waypoints"].to_numpy(dtype=object)
    for i in np.flatnonzero(_truthy(frame["waypoints"])).tolist():
        text = waypoints[i]
        if text.split()[:1] == [SEAROUTE]:  # a note for the tool that drew the geometry, not points
            if geometries[i] is None:
                found.append((int(i), 10, "waypoints", f"{text!r} asks for a sea lane but the leg has no geometry; "
                              "draw it with python tools/sealanes.py or give 'lat lon' pairs"))
            continue
        try:
            inner[int(i)] = parse_waypoints(text)
        except ValueError as exc:
            found.append((int(i), 10, "waypoints", str(exc)))
    drawn = placed & shapely.is_missing(geometries)
    straight = drawn.copy()
    for i, points in inner.items():
        if drawn[i] and points:
            straight[i] = False
            geometries[i] = LineString([tuple(first[i]), *points, tuple(last[i])])
    # a large network's straight lines are not made here (corridors.lines: 0.26 GB a million legs), once every
    # leg has a line: each is the segment between its places, so it starts and ends on them (no gap) and its
    # length is the great circle between them, checked below from the coordinates as the line would be
    held = n >= LARGE and nodes is not None and bool((straight | ~shapely.is_missing(geometries)).all())
    if not held:
        geometries[straight] = shapely.linestrings(np.stack([first[straight], last[straight]], axis=1))

    distance = np.array(frame["distance_km"].to_numpy(dtype=object), dtype=float)  # None: NaN
    measured = placed & ~(distance > contract.MAX_LEG_DISTANCE_KM)  # else reported as out of range already
    direct = np.full(n, np.nan)
    direct[measured] = _geodesic_m(first[measured, 0], first[measured, 1], last[measured, 0], last[measured, 1]) / 1e3
    short = measured & (distance > 0) & (distance < contract.MIN_DISTANCE_TO_GREAT_CIRCLE * direct - 1)
    found.extend((int(i), 11, "distance_km", f"{float(distance[i]):g} km is shorter than the {direct[i]:.0f} km great "
                  "circle between its nodes") for i in np.flatnonzero(short))
    lined = measured & ~shapely.is_missing(geometries)
    coords, owner = shapely.get_coordinates(geometries[lined], return_index=True)
    starts = np.searchsorted(owner, np.arange(lined.sum()))  # every line has two vertices or more
    finals = np.append(starts[1:], len(owner))[: len(starts)] - 1
    for order, (label, vertex, node) in enumerate((("start", starts, first), ("end", finals, last))):
        gap = np.full(n, np.nan)
        gap[lined] = _geodesic_m(coords[vertex, 0], coords[vertex, 1], node[lined, 0], node[lined, 1]) / 1e3
        for i in np.flatnonzero(lined & (gap > contract.MAX_ENDPOINT_OFFSET_KM)):
            found.append((int(i), 12 + order, "geometry", f"the line's {label} is {gap[i]:.0f} km from its node"))
    judged = lined & (distance > 0)
    ratio = np.full(n, np.nan)
    ratio[judged] = _length_km(coords, owner, lined.sum())[judged[lined]] / distance[judged]
    if held:  # a straight line's length: its one segment's, the great circle (what _length_km sums for it)
        level = measured & straight & (distance > 0)
        ratio[level] = direct[level] / distance[level]
        judged |= level
    low, high = contract.GEOMETRY_TO_DISTANCE_RATIO
    for i in np.flatnonzero(judged & ~((ratio >= low) & (ratio <= high))):
        found.append((int(i), 14, "geometry", f"drawn length is {ratio[i]:.2f}× the stated {float(distance[i]):g} km "
                      f"(plausible: {low}–{high}×)"))
    _warn_short_rail_drawings(table, frame, ratio, distance)
    out.add_in_row_order(table, found)
    if held and nodes is not None:
        xy = np.column_stack([shapely.get_x(nodes.geometry.array), shapely.get_y(nodes.geometry.array)])
        positions = index_dtype(len(nodes))
        column = StraightLines.of(Drawing(xy, position["from"].astype(positions), position["to"].astype(positions),
                                          geometries), crs="EPSG:4326")
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(column, index=frame.index, crs="EPSG:4326"))
    else:
        gdf = gpd.GeoDataFrame(frame, geometry=geometries, crs="EPSG:4326")
    repeated = gdf["id"].duplicated().to_numpy()
    if repeated.any():  # reported above; a mask of every row would make every held line
        gdf = gdf[~repeated]
    return gdf.set_index("id", drop=False)


#: A rail leg drawn shorter than this share of its distance_km cuts corners the track does not: on a map it crosses
#: mountains and deserts the line goes round. It is still plausible (contract.GEOMETRY_TO_DISTANCE_RATIO), so this is
#: a warning for whoever maintains the drawing, not a problem that stops a load.
RAIL_DRAWN_SHORT_RATIO = 0.9
#: Below this distance_km the warning is not given: rail nodes are stations, towns or estimated points placed to
#: about 1 km, so the two ends alone can move the drawn length by about 2 km, 10% of 20 km; on a shorter leg the rule
#: would judge the node coordinates, not the drawing.
SHORT_RAIL_LINK_KM = 20.0
#: The logger the warning goes to: a warning about a drawing must not stop a load, nor turn into an exception
#: where Python warnings are errors (the test suite's setting).
LOG = logging.getLogger("corridors.validation")  # silent unless its user listens: see corridors/__init__.py


def _short_rail_drawings(table: RawTable, frame: pd.DataFrame, ratio: np.ndarray, distance: np.ndarray
                         ) -> list[Problem]:
    """Return a warning (file, row, field) for every rail leg of SHORT_RAIL_LINK_KM or more whose drawn line is
    shorter than RAIL_DRAWN_SHORT_RATIO times its distance_km but still plausible (else it is a problem already).

    ``ratio`` and ``distance`` are the drawn length over distance_km and distance_km per row (NaN where unknown).
    """
    low = contract.GEOMETRY_TO_DISTANCE_RATIO[0]
    rail = frame["mode"].to_numpy(dtype=object) == "rail"
    with np.errstate(invalid="ignore"):
        short = rail & (distance >= SHORT_RAIL_LINK_KM) & (ratio >= low) & (ratio < RAIL_DRAWN_SHORT_RATIO)
    return [Problem(table.file, table.labels[i], "geometry",
                    f"rail leg drawn {ratio[i] * distance[i]:,.0f} km, {ratio[i]:.3f}× its stated {distance[i]:g} km "
                    f"(at least {RAIL_DRAWN_SHORT_RATIO:g}× expected): add waypoints along the line, or correct "
                    "distance_km from its source")
            for i in np.flatnonzero(short)]


def _warn_short_rail_drawings(table: RawTable, frame: pd.DataFrame, ratio: np.ndarray, distance: np.ndarray) -> None:
    """Log one warning listing every rail leg drawn short, each with file, row and field (nothing if none is)."""
    found = _short_rail_drawings(table, frame, ratio, distance)
    if found:
        LOG.warning("%d rail leg%s drawn more than %d%% shorter than %s distance:\n%s", len(found),
                    "s" if len(found) != 1 else "", round(100 * (1 - RAIL_DRAWN_SHORT_RATIO)),
                    "their stated" if len(found) != 1 else "its stated", "\n".join(f"  - {p}" for p in found))


def lines_length_km(lines: np.ndarray) -> np.ndarray:
    """Return the geodesic length in km of each lon/lat LineString of an array, computed for all at once."""
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    return _length_km(coords, owner, len(lines))


def _length_km(coords: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    inside = owner[:-1] == owner[1:]  # consecutive vertices of the same line make a segment
    segment_m = _geodesic_m(coords[:-1][inside, 0], coords[:-1][inside, 1], coords[1:][inside, 0],
                            coords[1:][inside, 1])
    return np.bincount(owner[:-1][inside], weights=segment_m, minlength=count) / 1e3


def _check_leg_values(table: RawTable, frame: pd.DataFrame, found: list[tuple[int, int, str, str]]) -> None:
    mode = frame["mode"].to_numpy(dtype=object)
    gauge = frame["gauge_mm"].to_numpy(dtype=object)
    has_gauge = pd.notna(gauge)
    rail = mode == "rail"
    given = _given_values(table.frame, "gauge_mm") != ""  # written, even if not a whole number
    found.extend((int(i), 3, "gauge_mm", "a rail leg needs its gauge (1435 or 1520)")
                 for i in np.flatnonzero(rail & ~has_gauge & ~given))
    known_gauge = np.fromiter((g in contract.GAUGES_MM for g in gauge), dtype=bool, count=len(gauge))
    found.extend((int(i), 3, "gauge_mm", f"unknown gauge {gauge[i]}; expected 1435 or 1520")
                 for i in np.flatnonzero(rail & has_gauge & ~known_gauge))
    a_mode = np.fromiter((m in contract.MODES for m in mode), dtype=bool, count=len(mode))
    found.extend((int(i), 3, "gauge_mm", f"a {mode[i]} leg has no gauge")
                 for i in np.flatnonzero(~rail & has_gauge & a_mode))
    distance = np.array(frame["distance_km"].to_numpy(dtype=object), dtype=float)
    found.extend((int(i), 4, "distance_km", f"distance must be positive, got {float(distance[i]):g}")
                 for i in np.flatnonzero(distance <= 0))
    found.extend((int(i), 4, "distance_km", f"{float(distance[i]):g} km is out of range: no leg is longer than "
                  f"{contract.MAX_LEG_DISTANCE_KM:,.0f} km, once round the Earth")
                 for i in np.flatnonzero(distance > contract.MAX_LEG_DISTANCE_KM))
    time_h = np.array(frame["time_h"].to_numpy(dtype=object), dtype=float)
    found.extend((int(i), 5, "time_h", f"time must be positive, got {float(time_h[i]):g}")
                 for i in np.flatnonzero(time_h <= 0))
    found.extend((int(i), 6, "time_source", "a leg time needs its source")
                 for i in np.flatnonzero(~np.isnan(time_h) & ~_truthy(frame["time_source"])))
    service = frame["service"].to_numpy(dtype=object)
    scheduled = _truthy(frame["service"])
    for i in np.flatnonzero(scheduled):
        if mode[i] not in contract.SCHEDULED_MODES:
            found.append((int(i), 7, "service", "only ferry, sea and air legs have a service pattern"))
        elif (wrong := service_problem(service[i])) is not None:
            found.append((int(i), 7, "service", wrong))
    found.extend((int(i), 8, "service_source", "a service pattern needs its source")
                 for i in np.flatnonzero(scheduled & ~_truthy(frame["service_source"])))
    found.extend((int(i), 7, "service", "a ferry leg needs its service pattern ('unscheduled' or 'N/week')")
                 for i in np.flatnonzero(~scheduled & (mode == "ferry")))


def _leg_geometries(table: RawTable, found: list[tuple[int, int, str, str]]) -> np.ndarray:
    """Return each leg's drawn line (None where there is none, or it is wrong: then ``found`` says why)."""
    n = len(table.frame)
    geometries = (np.array(table.geometry.array, dtype=object) if table.geometry is not None
                  else np.full(n, None, dtype=object))
    geometries[shapely.is_empty(geometries)] = None
    wkt = _given_values(table.frame, "geometry")
    wanted = shapely.is_missing(geometries) & (wkt != "")
    if wanted.any():
        with warnings.catch_warnings():  # a NaN coordinate warns; off_the_globe reports it below
            warnings.simplefilter("ignore", RuntimeWarning)
            parsed = shapely.from_wkt(wkt[wanted], on_invalid="ignore")
        for i in np.flatnonzero(wanted)[shapely.is_missing(parsed)]:
            found.append((int(i), 9, "geometry", "not valid WKT"))
        geometries[wanted] = parsed
        geometries[shapely.is_empty(geometries)] = None
    drawn = ~shapely.is_missing(geometries)
    other = drawn & (shapely.get_type_id(geometries) != shapely.GeometryType.LINESTRING)
    for i in np.flatnonzero(other):
        found.append((int(i), 9, "geometry", f"expected a LineString, got a {geometries[i].geom_type}"))
    geometries[other] = None
    lines = np.flatnonzero(drawn & ~other)
    coords, owner = shapely.get_coordinates(geometries[lines], return_index=True)
    not_finite = np.bincount(owner[~np.isfinite(coords).all(axis=1)], minlength=len(lines)) > 0
    off = np.bincount(owner[~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))],
                      minlength=len(lines)) > 0
    for j in np.flatnonzero(not_finite | off):
        message = ("a coordinate is not a finite number" if not_finite[j]
                   else "a coordinate is off the globe (lon -180..180, lat -90..90)")
        found.append((int(lines[j]), 9, "geometry", message))
    geometries[lines[not_finite | off]] = None
    return geometries


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
    seen: set[tuple[str, str, str, str]] = set()
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
        way = _direction_of(row)
        if way:
            pattern = contract.DIRECTED_STOPS.get(row[what])
            if pattern is None:
                out.add(table, i, "direction", f"a {row[what]} row holds both ways; only "
                        f"{' and '.join(contract.DIRECTED_STOPS)} rows may name a direction")
            elif not re.match(pattern, way):
                expected = ("a way ARRIVING>DEPARTING in mm, e.g. 1435>1520" if row[what] == "gauge_change"
                            else f"a side of the border, {' or '.join(contract.BORDER_WAYS)}")
                out.add(table, i, "direction", f"{way!r} is not {expected}")
        ident = (row[what], place, row["profile"], way)
        if ident in seen:
            label = f"{ident[0]} at {place}" if what != key else str(place)
            label += f" ({way})" if way else ""
            out.add(table, i, what, f"a second row for {label} under profile {ident[2]}")
        seen.add(ident)
    return frame


def _direction_of(row: pd.Series) -> str:
    """Return a stop row's direction ('' where it holds both ways, or the table has no such column)."""
    return stop_direction(row.get("direction"))


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
    import scipy.sparse  # here: a network read back from the cache (corridors.cache) is not checked again
    from scipy.sparse.csgraph import connected_components

    ids = nodes.index[_truthy(pd.Series(nodes.index.to_numpy(dtype=object)))]  # a node without its id: reported
    # a leg to an unknown node is reported on its own; it must not add that node here as a second problem
    start, end = ids.get_indexer(legs["from"]), ids.get_indexer(legs["to"])
    joined = (start >= 0) & (end >= 0)
    adjacency = scipy.sparse.coo_matrix((np.ones(joined.sum()), (start[joined], end[joined])),
                                        shape=(len(ids), len(ids)))
    count, label = connected_components(adjacency, directed=False)
    if count < 2:
        return
    # components numbered in the order of their first place, largest first (ties: first numbered first)
    sizes = np.bincount(label, minlength=count)
    order = sorted(range(count), key=lambda c: -sizes[c])
    members = pd.Series(ids.to_numpy(dtype=object)).groupby(label).agg(sorted)
    for component in order[1:]:
        names = members[component]
        listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
        out.problems.append(Problem(table.file, "", "", f"the network is disconnected: {listed} cannot be reached "
                                    f"from {members[order[0]][0]}"))


#: The order of the levels of an element: its best case is never slower than its typical state, which is never
#: slower than its congested one. Old level names read as their new ones.
LEVEL_ORDER = {**{level: LEVELS.index(level) for level in LEVELS},
               **{old: LEVELS.index(new) for old, new in LEVEL_ALIASES.items()}}


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
        reported: set[tuple[int, str]] = set()
        for _, group in ranked.groupby(list(key), sort=False):
            for rows in _level_sets(group, role):
                ordered = sorted(rows, key=lambda i: LEVEL_ORDER[group.at[i, "profile"]])
                for earlier, later in itertools.pairwise(ordered):
                    for column in columns:
                        a, b = group.at[earlier, column], group.at[later, column]
                        if a is None or b is None or (later, column) in reported:
                            continue
                        slower_first = a < b if unit == "kmh" else a > b
                        if slower_first:
                            reported.add((later, column))
                            what = "slower" if unit == "kmh" else "larger"
                            out.add(raw[role], later, column,
                                    f"{group.at[earlier, 'profile']} has {column} {a:g}, {what} than "
                                    f"{group.at[later, 'profile']}'s {b:g}: levels must run best ≤ typical ≤ "
                                    "congested")


def _level_sets(group: pd.DataFrame, role: str) -> list[list[int]]:
    """Return the sets of rows whose levels must be ordered: an element's rows, and for a stop with rows for one
    way (``direction``), the rows that way reads at each level (its own where it has one, else the both-ways row)."""
    if role != "stop_times" or "direction" not in group.columns:
        return [[int(i) for i in group.index]]
    ways = {int(i): _direction_of(group.loc[i]) for i in group.index}
    both = {group.at[i, "profile"]: i for i, way in ways.items() if not way}
    sets = [list(both.values())]
    for way in sorted({w for w in ways.values() if w}):
        own = {group.at[i, "profile"]: i for i, w in ways.items() if w == way}
        sets.append(list({**both, **own}.values()))
    return sets


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


def _check_conditions(table: RawTable, frame: pd.DataFrame, groups: pd.DataFrame, source_ids: set[str] | None,
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


def _reference_load_problems(clean: dict[str, pd.DataFrame], conversions: Mapping[str, float]) -> list[Problem]:
    """Return a problem when rates per kg or emissions per tonne-km are given without the reference load that
    turns them into per-FEU figures (found at load, not at the first route that flies)."""
    costs, emissions = clean.get("costs"), clean.get("emissions")
    per_kg = costs is not None and "unit" in costs and (costs["unit"] == "usd_per_kg").any()
    per_tonne = (emissions is not None and "kg_co2e_per_tonne_km" in emissions
                 and emissions["kg_co2e_per_tonne_km"].notna().any())
    if not (per_kg or per_tonne):
        return []
    from .shipment import REFERENCE_LOAD

    return [Problem("conversions.csv", "", "name", f"a row {name!r} is needed: "
                    f"{'costs.csv has rates per kg' if per_kg else 'emissions.csv has factors per tonne-km'}")
            for name in REFERENCE_LOAD if name not in conversions]


def _check_names_and_coverage(raw: dict[str, RawTable], clean: dict[str, pd.DataFrame]) -> list[Problem]:
    """Return the problems of a dataset as a whole: a name that points at several places, and a profile without
    the default (*) stop time or speed that times every stop and leg no row of its own covers."""
    problems = []
    if "nodes" in clean:
        nodes = clean["nodes"]
        named = nodes[nodes["name"].notna() & nodes["id"].notna()]  # a missing one is a problem of its own
        for key, ids in _name_collisions(named):
            problems.append(Problem(raw["nodes"].file, "", "aliases",
                                    f"the name {key!r} points at several places: {', '.join(ids)}"))
    if "stop_times" not in clean or "speeds" not in clean:
        return problems  # an unreadable parameter table: its own problem says so
    stop_times, speeds = clean["stop_times"], clean["speeds"]
    profiles = sorted({p for p in (*stop_times["profile"], *speeds["profile"]) if p})  # blank: reported already
    # a network without flights has no airport stops, so it needs no default rows for them
    modes = set(clean["legs"]["mode"]) if "legs" in clean else set()
    needed = [k for k in contract.STOP_KINDS if "air" in modes or k not in ("air_handling", "flight_wait")]
    for profile in profiles:
        have = set(stop_times.loc[(stop_times["profile"] == profile) & (stop_times["place"] == "*"), "kind"])
        for kind in needed:
            if kind not in have:
                problems.append(Problem(raw["stop_times"].file, "", "place",
                                        f"profile {profile!r} has no default (*) row for {kind}"))
        legs = clean.get("legs", pd.DataFrame(columns=["time_h", "mode"]))
        timed_by_speed = set(legs.loc[legs["time_h"].isna(), "mode"]) & set(contract.MODES)
        have_speed = set(speeds.loc[(speeds["profile"] == profile) & (speeds["country"] == "*"), "mode"])
        for mode in sorted(timed_by_speed - have_speed):
            problems.append(Problem(raw["speeds"].file, "", "country",
                                    f"profile {profile!r} has no default (*) speed for {mode}"))
    return problems
