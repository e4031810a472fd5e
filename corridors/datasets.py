"""Where the bundled data lives, and the reference layers shipped with it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

#: Files that make up a network dataset, by role. Each role may be CSV, GeoJSON or GeoPackage, except the
#: plain tables (sources and the time parameters), which are CSV.
NETWORK_FILES = ("nodes", "legs", "sources")
PARAMETER_FILES = ("stop_times", "speeds")  # a network without its own uses the bundled ones
OPTIONAL_FILES = ("leg_times", "disruptions", "costs", "emissions", "groups", "conditions")  # none if absent
#: The files a dataset folder's queues are read from (corridors.queues), which save() copies as they are.
QUEUE_FILES = ("queues.csv", "conversions.csv", "volumes.csv", "capacities.csv")
COUNTRIES_FILE = "countries_110m.geojson"  # light: the background of offline maps
BOUNDARIES_FILE = "countries_50m.fgb"  # detailed: where places are checked against their country


def data_path() -> Path:
    """Return the folder of the bundled dataset.

    In an installed wheel the data sits inside the package (``corridors/_data``); in a source checkout it is the
    repository's top-level ``data/`` folder.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "nodes.csv").is_file():
            return candidate
    raise FileNotFoundError(
        "the bundled dataset was not found next to the corridors package; reinstall corridors"
    )


@lru_cache(maxsize=2)
def _layer(filename: str) -> gpd.GeoDataFrame:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / filename).is_file():
            return gpd.read_file(candidate / filename)
    raise FileNotFoundError(f"{filename} was not found next to the corridors package; reinstall corridors")


def countries() -> gpd.GeoDataFrame:
    """Return Natural Earth admin-0 countries at 1:110m (public domain) as a GeoDataFrame in EPSG:4326.

    Columns: ``name``, ``iso_a3``, ``continent``, ``geometry``. The copy is shared, so it is returned as a copy.
    """
    return _layer(COUNTRIES_FILE).copy()


def boundaries() -> gpd.GeoDataFrame:
    """Return Natural Earth admin-0 countries at 1:50m (public domain), one row per ISO code, in EPSG:4326.

    Columns: ``name``, ``iso_a3``, ``geometry``. Validation checks places against these outlines, which lie within
    a few km of the real borders and coasts (the 1:110m ones of :func:`countries` are off by up to 30 km). Areas
    without an ISO code have ``iso_a3`` ``-99``.
    """
    return _layer(BOUNDARIES_FILE).copy()
