"""Where the bundled data lives, and the reference layers shipped with it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from .contract import FROM_BUNDLED

if TYPE_CHECKING:
    from .network import Network

#: Files that make up a network dataset, by role. Each role may be CSV, GeoJSON or GeoPackage, except the
#: plain tables (sources and the time parameters), which are CSV.
NETWORK_FILES = ("nodes", "legs", "sources")
PARAMETER_FILES = FROM_BUNDLED  # a network without its own uses the bundled ones, and is told so (contract)
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


#: The file beside the bundled tables that names the dataset's version (one line).
VERSION_FILE = "VERSION"


@dataclass(frozen=True)
class DatasetInfo:
    """Which dataset a result comes from: its version and the date it speaks for.

    ``as_of`` is the newest access date among the sources (``sources.csv``'s ``accessed`` column): every figure
    was read on or before that day, so nothing later is in the data. ``version`` is None for a dataset without a
    VERSION file (a network of one's own, or one built in memory).
    """

    version: str | None
    as_of: dt.date | None
    sources: int

    def describe(self) -> str:
        """Return one line for a page or a terminal: ``dataset 2026.11.1, sources accessed to 2026-11-30``."""
        version = f"dataset {self.version}" if self.version else "unversioned dataset"
        as_of = f"as of {self.as_of.isoformat()}" if self.as_of else "no access dates given"
        return f"{version}, {as_of} (newest access date among its {self.sources:,} sources)"


def dataset_info(network: Network | None = None, *, folder: str | os.PathLike[str] | None = None) -> DatasetInfo:
    """Return the version and as-of date of a dataset: the bundled one by default, or ``network``'s.

    The version is read from the VERSION file of ``folder`` (for ``network`` given without a folder, that of the
    folder it was loaded from; none for a network built in memory). The as-of date is the newest access date among
    the network's sources (or the folder's ``sources.csv``).
    """
    if folder is None:
        folder = data_path() if network is None else network.folder
    version = None
    if folder is not None and (Path(folder) / VERSION_FILE).is_file():
        version = (Path(folder) / VERSION_FILE).read_text(encoding="utf-8").strip() or None
    if network is not None:
        accessed = network.sources["accessed"] if "accessed" in network.sources.columns else pd.Series([], dtype=str)
    elif folder is not None and (Path(folder) / "sources.csv").is_file():
        accessed = pd.read_csv(Path(folder) / "sources.csv", dtype=str, keep_default_na=False).get(
            "accessed", pd.Series([], dtype=str))
    else:
        accessed = pd.Series([], dtype=str)
    dates = [_date(value) for value in accessed]
    known = [d for d in dates if d is not None]
    return DatasetInfo(version, max(known) if known else None, len(accessed))


def _date(value: object) -> dt.date | None:
    """Return an ISO date (``2026-11-28``), or None for an empty or unreadable one (``n.d.``)."""
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
