"""A corpus of bad datasets: each planted mutation gives the problem a user needs (file, row, field, message),
or is accepted, and none ends in a traceback, a hang or a silent acceptance.

Grow it whenever a new case is found: add a :class:`Case` to ``CASES``. Nodes and legs come in the three formats a
dataset may use (CSV, GeoJSON, GeoPackage); the spatial ones keep nodes as points without lat/lon, as the README
allows.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

import corridors
from corridors import cli
from corridors.errors import Problem

MINI = Path(__file__).parent / "data" / "mini"
TIME_LIMIT_S = 20
SPATIAL = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg"}


@dataclass(frozen=True)
class Expect:
    """A problem that must be reported: ``file`` and ``message`` (a substring); ``row`` and ``field`` exactly."""

    file: str
    row: str
    field: str
    message: str


@dataclass(frozen=True)
class Case:
    """A mutation of the small dataset (nodes and legs in ``fmt``) and what validation must say about it.

    No ``expect`` means the mutated dataset must be accepted. ``count`` pins the number of problems where a
    flood of follow-on problems is the bug.
    """

    name: str
    fmt: str
    mutate: Callable[[Path], None]
    expect: tuple[Expect, ...] = ()
    count: int | None = None
    tags: tuple[str, ...] = field(default=())


# Mutations -----------------------------------------------------------------------------------------------------

def _table(folder: Path, role: str) -> Path:
    return next(folder / f"{role}{s}" for s in (".csv", ".geojson", ".gpkg") if (folder / f"{role}{s}").exists())


def _row(fmt: str, index: int) -> str:
    """The label of the row at ``index`` in a file of this format, as problems name it."""
    return {"csv": f"line {index + 2}", "geojson": f"feature {index + 1}", "gpkg": f"row {index + 1}"}[fmt]


def set_cell(role: str, index: int, column: str, value: object) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = _table(folder, role)
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame.loc[index, column] = value
            frame.to_csv(path, index=False)
            return
        frame = gpd.read_file(path)
        frame[column] = frame[column].astype(object) if column in frame else None
        frame.loc[index, column] = value
        _write_spatial(frame, path)
    return mutate


def set_geometry(role: str, index: int, geometry: object) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = _table(folder, role)
        frame = gpd.read_file(path)
        geometries = list(frame.geometry)
        geometries[index] = geometry
        _write_spatial(frame.set_geometry(gpd.GeoSeries(geometries, crs=4326)), path)
    return mutate


def header_only(role: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = _table(folder, role)
        if path.suffix == ".csv":
            path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        else:
            _write_spatial(gpd.read_file(path).iloc[:0], path)
    return mutate


def write_bytes(name: str, content: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        role = name.split(".")[0]
        for old in folder.glob(f"{role}.*"):
            old.unlink()
        (folder / name).write_bytes(content)
    return mutate


def replace_text(name: str, old: str, new: str, *, count: int = 1) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}: the mutation would change nothing"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    return mutate


def append_line(name: str, line: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return mutate


def write_text(name: str, text: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")
    return mutate


def latin1(role: str) -> Callable[[Path], None]:
    """Re-encode a CSV table as Latin-1, as an old spreadsheet export would (Ürümqi makes it non-UTF-8)."""
    def mutate(folder: Path) -> None:
        path = folder / f"{role}.csv"
        text = path.read_text(encoding="utf-8")
        path.write_bytes(("Ü" + text if "Ü" not in text else text).encode("latin-1", errors="replace"))
    return mutate


def replace_with(name: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """Remove the table file ``name`` and put what ``make`` creates in its place."""
    def mutate(folder: Path) -> None:
        (folder / name).unlink()
        make(folder / name)
    return mutate


def duplicate_column(role: str, column: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{role}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        first = lines[1].split(",")[lines[0].split(",").index(column)]
        lines = [lines[0] + f",{column}"] + [line + f",{first}" for line in lines[1:]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def drop_column(role: str, column: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{role}.csv"
        pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=[column]).to_csv(path, index=False)
    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)
    return mutate


def unchanged(folder: Path) -> None:
    return None


def _write_spatial(frame: gpd.GeoDataFrame, path: Path) -> None:
    path.unlink()
    frame.to_file(path, driver="GPKG" if path.suffix == ".gpkg" else "GeoJSON",
                  layer=path.stem if path.suffix == ".gpkg" else None)


# The corpus ------------------------------------------------------------------------------------------------------

LONELY = "lonely,Lonely,,KAZ,terminal,43.7,51.3,,reported,eudic_aktau,,"
GROUPS = "id,name,members,note\ncaspian,Caspian ferries,ferry:KAZ,\n"
CONDITIONS = "condition,group,level,year,sources,note\nstorm,caspian,congested,,silkroute_titr,\n"
COSTS_HEAD = "kind,place,leg,profile,unit,price_year,low,typical,high,status,sources,note\n"
EMISSIONS_HEAD = "mode,country,kg_co2e_per_feu_km,status,sources,note\n"
GARBAGE = b"\x00\x01 this is not a GeoPackage " * 40


def _csv_cases() -> list[Case]:
    fmt, n, lg = "csv", "nodes.csv", "legs.csv"
    return [
        Case("the small dataset", fmt, unchanged),
        Case("latitude out of range", fmt, set_cell("nodes", 0, "lat", "430.825"),
             (Expect(n, "line 2", "lat", "latitude 430.825 is outside -90..90"),)),
        Case("bad latitude and a disconnected node: both", fmt,
             both(set_cell("nodes", 0, "lat", "430.825"), append_line(n, LONELY)),
             (Expect(n, "line 2", "lat", "outside -90..90"),
              Expect(lg, "", "", "the network is disconnected: lonely cannot be reached"))),
        Case("non-UTF-8 nodes and a bad mode in legs: both", fmt,
             both(latin1("nodes"), set_cell("legs", 0, "mode", "rial")),
             (Expect(n, "", "", "cannot be read: not UTF-8 text"),
              Expect(lg, "line 2", "mode", "unknown value 'rial'")), count=2),
        Case("bad mode and a condition without its * row: both", fmt,
             both(set_cell("legs", 0, "mode", "rial"), write_text("groups.csv", GROUPS),
                  write_text("conditions.csv", CONDITIONS)),
             (Expect(lg, "line 2", "mode", "unknown value 'rial'"),
              Expect("conditions.csv", "line 2", "group", "condition 'storm' has no * row"))),
        Case("bad mode and a profile without a default stop time: both", fmt,
             both(set_cell("legs", 0, "mode", "rial"),
                  replace_text("stop_times.csv", "ferry_wait,*,typical,12,48,240,estimate,silkroute_titr,test\n", "")),
             (Expect(lg, "line 2", "mode", "unknown value 'rial'"),
              Expect("stop_times.csv", "", "place", "profile 'typical' has no default (*) row for ferry_wait"))),
        Case("digits grouped with _", fmt, set_cell("legs", 0, "distance_km", "4_60"),
             (Expect(lg, "line 2", "distance_km", "'4_60' is not a number"),), count=1),
        Case("a gauge that is not whole", fmt, set_cell("legs", 0, "gauge_mm", "1435.9"),
             (Expect(lg, "line 2", "gauge_mm", "'1435.9' is not a whole number"),), count=1),
        Case("a gauge written 1435.0 is whole", fmt, set_cell("legs", 0, "gauge_mm", "1435.0")),
        Case("a second lat column", fmt, duplicate_column("nodes", "lat"),
             (Expect(n, "line 1", "lat", "this column is named twice"),), count=1),
        Case("a second mode column", fmt, duplicate_column("legs", "mode"),
             (Expect(lg, "line 1", "mode", "this column is named twice"),), count=1),
        Case("a distance of 1e12 km is out of range, not a geometry problem", fmt,
             set_cell("legs", 2, "distance_km", "1e12"),
             (Expect(lg, "line 4", "distance_km", "out of range"),), count=1),
        Case("distance nan", fmt, set_cell("legs", 0, "distance_km", "nan"),
             (Expect(lg, "line 2", "distance_km", "'nan' is not a finite number"),), count=1),
        Case("distance inf", fmt, set_cell("legs", 0, "distance_km", "inf"),
             (Expect(lg, "line 2", "distance_km", "'inf' is not a finite number"),), count=1),
        Case("distance 1e999 overflows", fmt, set_cell("legs", 0, "distance_km", "1e999"),
             (Expect(lg, "line 2", "distance_km", "too large"),), count=1),
        Case("distance in hex", fmt, set_cell("legs", 0, "distance_km", "0x1F"),
             (Expect(lg, "line 2", "distance_km", "'0x1F' is not a number"),), count=1),
        Case("negative distance", fmt, set_cell("legs", 2, "distance_km", "-3000"),
             (Expect(lg, "line 4", "distance_km", "distance must be positive"),)),
        Case("negative leg time", fmt, set_cell("legs", 3, "time_h", "-500"),
             (Expect(lg, "line 5", "time_h", "time must be positive"),), count=1),
        Case("leg time nan", fmt, set_cell("legs", 3, "time_h", "NaN"),
             (Expect(lg, "line 5", "time_h", "not a finite number"),), count=1),
        Case("longitude -inf", fmt, set_cell("nodes", 1, "lon", "-inf"),
             (Expect(n, "line 3", "lon", "not a finite number"),)),
        Case("spaces around a number are fine", fmt, set_cell("legs", 0, "distance_km", " 460 ")),
        Case("a byte-order mark from a spreadsheet is fine", fmt,
             lambda folder: (folder / n).write_bytes(b"\xef\xbb\xbf" + (folder / n).read_bytes())),
        Case("an extra column is fine", fmt, set_cell("nodes", 0, "population", "4000000")),
        Case("header-only nodes: said once", fmt, header_only("nodes"),
             (Expect(n, "", "", "this table has no rows"),), count=1),
        Case("header-only legs: said once", fmt, header_only("legs"),
             (Expect(lg, "", "", "this table has no rows"),), count=1),
        Case("header-only sources: said once", fmt, header_only("sources"),
             (Expect("sources.csv", "", "", "this table has no rows"),), count=1),
        Case("an empty nodes file", fmt, write_bytes(n, b""),
             (Expect(n, "", "", "cannot be read: the file is empty"),), count=1),
        Case("nodes.csv is a folder", fmt, replace_with(n, lambda p: p.mkdir()),
             (Expect(n, "", "", "is a folder, not a file"),), count=1),
        Case("nodes.csv is a link to itself", fmt, replace_with(n, lambda p: os.symlink(p.name, p)),
             (Expect(n, "", "", "loops back on itself"),), count=1),
        Case("legs.csv is a link to nothing", fmt, replace_with(lg, lambda p: os.symlink("gone.csv", p)),
             (Expect(lg, "", "", "a symbolic link to nothing"),), count=1),
        Case("no sources table", fmt, lambda folder: (folder / "sources.csv").unlink(),
             (Expect("sources.csv", "", "", "the dataset has no sources table"),), count=1),
        Case("non-UTF-8 speeds and a bad latitude: both", fmt,
             both(latin1("speeds"), set_cell("nodes", 4, "lat", "-95")),
             (Expect("speeds.csv", "", "", "not UTF-8"), Expect(n, "line 6", "lat", "outside -90..90"))),
        Case("waypoint with three numbers", fmt, set_cell("legs", 0, "waypoints", "44.43 84.9 1"),
             (Expect(lg, "line 2", "waypoints", "is not a 'lat lon' pair"),)),
        Case("waypoint nan", fmt, set_cell("legs", 0, "waypoints", "nan 84.9"),
             (Expect(lg, "line 2", "waypoints", "not a finite number"),)),
        Case("waypoint off the globe", fmt, set_cell("legs", 0, "waypoints", "95 84.9"),
             (Expect(lg, "line 2", "waypoints", "off the globe"),)),
        Case("waypoint with _", fmt, set_cell("legs", 0, "waypoints", "4_4.43 84.9"),
             (Expect(lg, "line 2", "waypoints", "not a number"),)),
        Case("WKT with a NaN coordinate", fmt,
             set_cell("legs", 1, "geometry", "LINESTRING (82.555 45.173, NaN 45.252)"),
             (Expect(lg, "line 3", "geometry", "not a finite number"),)),
        Case("WKT off the globe", fmt,
             set_cell("legs", 1, "geometry", "LINESTRING (82.555 45.173, 82.484 145.252)"),
             (Expect(lg, "line 3", "geometry", "off the globe"),)),
        Case("WKT cut short", fmt, set_cell("legs", 1, "geometry", "LINESTRING (82.555"),
             (Expect(lg, "line 3", "geometry", "not valid WKT"),)),
        Case("speed nan", fmt, set_cell("speeds", 0, "typical_kmh", "nan"),
             (Expect("speeds.csv", "line 2", "typical_kmh", "not a finite number"),)),
        Case("negative speed", fmt, set_cell("speeds", 0, "low_kmh", "-20"),
             (Expect("speeds.csv", "line 2", "low_kmh", "cannot be negative"),)),
        Case("stop time with _", fmt, set_cell("stop_times", 0, "high_h", "2_4"),
             (Expect("stop_times.csv", "line 2", "high_h", "not a number"),)),
        Case("price year not whole", fmt,
             write_text("costs.csv", COSTS_HEAD + "rail,*,,typical,usd_per_feu_km,2024.5,1,2,3,estimate,"
                                                  "silkroute_titr,\n"),
             (Expect("costs.csv", "line 2", "price_year", "not a whole number"),)),
        Case("price year 3000", fmt,
             write_text("costs.csv", COSTS_HEAD + "rail,*,,typical,usd_per_feu_km,3000,1,2,3,estimate,"
                                                  "silkroute_titr,\n"),
             (Expect("costs.csv", "line 2", "price_year", "outside 1900..2100"),)),
        Case("cost inf", fmt,
             write_text("costs.csv", COSTS_HEAD + "rail,*,,typical,usd_per_feu_km,2024,1,2,inf,estimate,"
                                                  "silkroute_titr,\n"),
             (Expect("costs.csv", "line 2", "high", "not a finite number"),)),
        Case("negative emission factor", fmt,
             write_text("emissions.csv", EMISSIONS_HEAD + "rail,*,-1,estimate,silkroute_titr,\n"),
             (Expect("emissions.csv", "line 2", "kg_co2e_per_feu_km", "cannot be negative"),)),
        Case("condition year not whole", fmt,
             both(write_text("groups.csv", GROUPS),
                  write_text("conditions.csv", "condition,group,level,year,sources,note\n"
                                               "storm,*,typical,2022.5,silkroute_titr,\n")),
             (Expect("conditions.csv", "line 2", "year", "not a whole number"),)),
        Case("nodes without an id column: said once", fmt, drop_column("nodes", "id"),
             (Expect(n, "", "id", "required column is missing"),), count=1),
        Case("legs without from and to columns: said once each", fmt,
             both(drop_column("legs", "from"), drop_column("legs", "to")),
             (Expect(lg, "", "from", "required column is missing"), Expect(lg, "", "to", "required column is missing")),
             count=2),
        Case("sources without an id column: said once", fmt, drop_column("sources", "id"),
             (Expect("sources.csv", "", "id", "required column is missing"),), count=1),
        Case("nodes without lat and lon columns in a CSV", fmt,
             both(drop_column("nodes", "lat"), drop_column("nodes", "lon")),
             (Expect(n, "", "lat", "required column is missing"), Expect(n, "", "lon", "required column is missing")),
             count=2),
        Case("a node without its id", fmt, set_cell("nodes", 4, "id", ""),
             (Expect(n, "line 6", "id", "a value is required"),
              Expect(lg, "line 5", "to", "unknown node 'alat_port'"))),
        Case("a stop time without its profile", fmt, set_cell("stop_times", 0, "profile", ""),
             (Expect("stop_times.csv", "line 2", "profile", "a value is required"),)),
        Case("a leg to an unknown node", fmt, set_cell("legs", 1, "to", "atlantis"),
             (Expect(lg, "line 3", "to", "unknown node 'atlantis'"),)),
        Case("a second nodes table", fmt,
             lambda folder: shutil.copyfile(folder / n, folder / "nodes.geojson"),
             (Expect("nodes.geojson", "", "", "a second nodes table"),)),
    ]


def _spatial_cases(fmt: str) -> list[Case]:
    n, lg, suffix = f"nodes{SPATIAL[fmt]}", f"legs{SPATIAL[fmt]}", SPATIAL[fmt]
    cases = [
        Case(f"the small dataset, nodes as points without lat/lon ({fmt})", fmt, unchanged),
        Case(f"nodes with lat/lon as well as points ({fmt})", fmt,
             both(set_cell("nodes", 0, "lat", 43.825), set_cell("nodes", 0, "lon", 87.6))),
        Case(f"a node drawn as a line ({fmt})", fmt, set_geometry("nodes", 0, LineString([(87, 43), (88, 44)])),
             (Expect(n, _row(fmt, 0), "geometry", "a node's geometry must be a point, got a LineString"),)),
        Case(f"a node drawn as a polygon ({fmt})", fmt,
             set_geometry("nodes", 2, Polygon([(82, 45), (83, 45), (83, 46)])),
             (Expect(n, _row(fmt, 2), "geometry", "must be a point, got a Polygon"),)),
        Case(f"a node without geometry or lat/lon ({fmt})", fmt, set_geometry("nodes", 1, None),
             (Expect(n, _row(fmt, 1), "geometry", "a node needs a point geometry or lat and lon"),)),
        Case(f"a node off the globe ({fmt})", fmt, set_geometry("nodes", 1, Point(82.5, 95)),
             (Expect(n, _row(fmt, 1), "geometry", "off the globe"),)),
        Case(f"a distance with _ ({fmt})", fmt, set_cell("legs", 0, "distance_km", "4_60"),
             (Expect(lg, _row(fmt, 0), "distance_km", "'4_60' is not a number"),), count=1),
        Case(f"a gauge that is not whole ({fmt})", fmt, set_cell("legs", 0, "gauge_mm", 1435.9),
             (Expect(lg, _row(fmt, 0), "gauge_mm", "'1435.9' is not a whole number"),), count=1),
        Case(f"a distance of 1e12 km ({fmt})", fmt, set_cell("legs", 2, "distance_km", 1e12),
             (Expect(lg, _row(fmt, 2), "distance_km", "out of range"),), count=1),
        Case(f"a negative distance ({fmt})", fmt, set_cell("legs", 2, "distance_km", -3000.0),
             (Expect(lg, _row(fmt, 2), "distance_km", "distance must be positive"),)),
        Case(f"a distance left empty ({fmt})", fmt, set_cell("legs", 1, "distance_km", None),
             (Expect(lg, _row(fmt, 1), "distance_km", "a value is required"),)),
        Case(f"a leg drawn as a point ({fmt})", fmt, set_geometry("legs", 1, Point(82.5, 45.2)),
             (Expect(lg, _row(fmt, 1), "geometry", "expected a LineString, got a Point"),)),
        Case(f"nodes without rows ({fmt})", fmt, header_only("nodes"),
             (Expect(n, "", "", "this table has no rows"),), count=1),
        Case(f"garbage in nodes{suffix}", fmt, write_bytes(n, GARBAGE),
             (Expect(n, "", "", "cannot be read"),), count=1),
        Case(f"an empty legs{suffix} and a bad country in nodes ({fmt})", fmt,
             both(write_bytes(lg, b""), set_cell("nodes", 0, "country", "kaz")),
             (Expect(lg, "", "", "cannot be read"), Expect(n, _row(fmt, 0), "country", "not an ISO 3166"))),
        Case(f"nodes{suffix} is a folder", fmt, replace_with(n, lambda p: p.mkdir()),
             (Expect(n, "", "", "is a folder, not a file"),), count=1),
    ]
    if fmt == "geojson":
        cases.append(Case("a GeoJSON cut short", fmt, write_bytes(n, b'{"type": "FeatureCollection", "features": [{'),
                          (Expect(n, "", "", "cannot be read"),), count=1))
        cases.append(Case("a GeoJSON that is not JSON", fmt, write_bytes(lg, b"id,from,to\n"),
                          (Expect(lg, "", "", "cannot be read"),), count=1))
    return cases


CASES = [*_csv_cases(), *_spatial_cases("geojson"), *_spatial_cases("gpkg")]


# Running the corpus ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small dataset with nodes and legs as CSV, GeoJSON and GeoPackage (nodes as points, no lat/lon)."""
    root = tmp_path_factory.mktemp("bases")
    found = {"csv": root / "csv"}
    shutil.copytree(MINI, found["csv"])
    mini = corridors.load_network(MINI)
    for fmt in ("geojson", "gpkg"):
        folder = root / fmt
        shutil.copytree(MINI, folder)
        nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
        points = gpd.points_from_xy(nodes["lon"].astype(float), nodes["lat"].astype(float))
        legs = pd.read_csv(folder / "legs.csv", dtype=str, keep_default_na=False)
        legs["gauge_mm"] = pd.to_numeric(legs["gauge_mm"])
        legs["distance_km"] = pd.to_numeric(legs["distance_km"])
        (folder / "nodes.csv").unlink()
        (folder / "legs.csv").unlink()
        _write_new(gpd.GeoDataFrame(nodes.drop(columns=["lat", "lon"]), geometry=points, crs=4326),
                   folder / f"nodes{SPATIAL[fmt]}")
        _write_new(gpd.GeoDataFrame(legs, geometry=list(mini.legs.geometry[legs["id"]]), crs=4326),
                   folder / f"legs{SPATIAL[fmt]}")
        found[fmt] = folder
    return found


def _write_new(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_file(path, driver="GPKG" if path.suffix == ".gpkg" else "GeoJSON",
                  layer=path.stem if path.suffix == ".gpkg" else None)


class HangError(Exception):
    pass


def _time_limit(signum: int, frame: object) -> None:
    raise HangError(f"still running after {TIME_LIMIT_S} s")


@pytest.fixture
def time_limit() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _time_limit)
    signal.alarm(TIME_LIMIT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _planted(case: Case, bases: dict[str, Path], tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    shutil.copytree(bases[case.fmt], folder, symlinks=True)
    case.mutate(folder)
    return folder


def _matches(problem: Problem, expect: Expect) -> bool:
    return ((problem.file, problem.row, problem.field) == (expect.file, expect.row, expect.field)
            and expect.message in problem.message)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, bases: dict[str, Path], tmp_path: Path, time_limit: None) -> None:
    folder = _planted(case, bases, tmp_path)
    problems = corridors.validate(folder)  # any exception but a CorridorError fails the test with its traceback
    listing = "\n".join(f"  {p}" for p in problems) or "  (none: accepted)"
    for expect in case.expect:
        assert any(_matches(p, expect) for p in problems), f"missing {expect}; got:\n{listing}"
    if not case.expect:
        assert problems == [], f"a valid dataset was rejected:\n{listing}"
    if case.count is not None:
        assert len(problems) == case.count, f"expected {case.count} problem(s), got:\n{listing}"
    if case.expect:
        with pytest.raises(corridors.ValidationError) as caught:  # the loader says the same, never less
            corridors.load_network(folder)
        assert set(caught.value.problems) == set(problems)
    else:
        assert isinstance(corridors.load_network(folder), corridors.Network)


def test_the_corpus_is_large_and_covers_every_format() -> None:
    assert len(CASES) >= 45
    assert {c.fmt for c in CASES} == set(SPATIAL)
    assert len({c.name for c in CASES}) == len(CASES), "case names must be unique (they are the test ids)"


# The command line on a few cases -------------------------------------------------------------------------------

CLI_CASES = [c for c in CASES if c.name in (
    "non-UTF-8 nodes and a bad mode in legs: both", "header-only legs: said once", "garbage in nodes.gpkg",
    "a GeoJSON cut short", "nodes.csv is a link to itself")]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_validate_lists_the_problems_and_exits_2(case: Case, bases: dict[str, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str], time_limit: None) -> None:
    folder = _planted(case, bases, tmp_path)
    assert cli.main(["validate", str(folder)]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == ""
    assert lines[0] == f"{len(case.expect)} problem{'s' if len(case.expect) != 1 else ''}:"
    assert len(lines) == 1 + len(case.expect)  # one line per problem, no traceback
    for expect in case.expect:
        assert any(expect.file in line and expect.message in line for line in lines[1:]), err


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_loading_a_bad_dataset_prints_one_line_and_exits_2(case: Case, bases: dict[str, Path],
                                                                tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                time_limit: None) -> None:
    folder = _planted(case, bases, tmp_path)
    assert cli.main(["route", "Urumqi", "Alat", "--network", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("corridors route: invalid dataset: ")
    assert case.expect[0].message in err
