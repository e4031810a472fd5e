"""Reading and writing dataset files (CSV, GeoJSON, GeoPackage), keeping track of where each row came from."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .contract import TABLES
from .errors import Problem, ValidationError

SPATIAL_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")
TABLE_SUFFIXES = (".csv",)
REQUIRED_ROLES = ("nodes", "legs", "sources")


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file: every value as text (blank = missing), one label per row for messages."""

    role: str
    file: str
    frame: pd.DataFrame
    labels: tuple[str, ...]
    geometry: gpd.GeoSeries | None = None


def find_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[str, Path], list[Problem]]:
    """Return the dataset files found in ``paths`` (folders or files) by role, and the problems met."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = sorted(p for p in path.iterdir() if p.is_file())
        elif path.is_file():
            candidates = [path]
        else:
            problems.append(Problem(str(path), "", "", "no such file or folder"))
            continue
        for candidate in candidates:
            role = candidate.stem
            if role not in TABLES:
                if path.is_file():
                    problems.append(Problem(candidate.name, "", "",
                                            f"not a dataset table; expected one of {', '.join(TABLES)}"))
                continue
            allowed = SPATIAL_SUFFIXES if role in ("nodes", "legs") else TABLE_SUFFIXES
            if candidate.suffix.lower() not in allowed:
                if path.is_file():
                    problems.append(Problem(candidate.name, "", "",
                                            f"{role} must be one of {', '.join(allowed)}"))
                continue
            if role in found:
                problems.append(Problem(candidate.name, "", "",
                                        f"a second {role} table (already have {found[role].name})"))
                continue
            found[role] = candidate
    missing = [role for role in REQUIRED_ROLES if role not in found]
    for role in missing if not problems else ():
        problems.append(Problem(f"{role}.csv", "", "", f"the dataset has no {role} table"))
    return found, problems


def read_table(role: str, path: Path) -> RawTable:
    """Read one table as text; raise ValidationError with the file name if it cannot be parsed at all."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            labels = tuple(f"line {i + 2}" for i in range(len(frame)))
            return RawTable(role, path.name, _strip(frame), labels)
        gdf = gpd.read_file(path)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError([Problem(path.name, "", "", f"cannot be read: {exc}")]) from exc
    what = "feature" if suffix in (".geojson", ".json") else "row"
    labels = tuple(f"{what} {i + 1}" for i in range(len(gdf)))
    geometry = gdf.geometry if gdf.geometry.name in gdf.columns else None
    frame = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name], errors="ignore")).reset_index(drop=True)
    frame = frame.map(_as_text)
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        if geometry.crs is not None and not geometry.crs.equals("EPSG:4326"):
            geometry = geometry.to_crs(4326)
    return RawTable(role, path.name, _strip(frame), labels, geometry)


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


def join_list(values: Iterable[str]) -> str:
    """Return a list field as it is written in files."""
    return ";".join(values)


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path, *, spatial_format: str) -> list[Path]:
    """Write tables to ``folder``: nodes and legs as ``spatial_format`` (csv, geojson or gpkg), the rest as CSV."""
    suffix = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg"}.get(spatial_format)
    if suffix is None:
        raise ValueError(f"unknown format {spatial_format!r}; use csv, geojson or gpkg")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for role, frame in tables.items():
        flat = frame.map(lambda v: join_list(v) if isinstance(v, tuple) else v) if len(frame) else frame
        if role in ("nodes", "legs") and suffix != ".csv":
            target = folder / f"{role}{suffix}"
            gpd.GeoDataFrame(flat, geometry="geometry", crs="EPSG:4326").to_file(
                target, driver="GPKG" if suffix == ".gpkg" else "GeoJSON", layer=role if suffix == ".gpkg" else None
            )
        else:
            target = folder / f"{role}.csv"
            out = pd.DataFrame(flat)
            if "geometry" in out.columns:
                out["geometry"] = gpd.GeoSeries(out["geometry"]).to_wkt(rounding_precision=5)
            out.to_csv(target, index=False)
        written.append(target)
    return written


def split_list(text: object) -> tuple[str, ...]:
    """Return the items of a ``;``-separated field, stripped, empty ones left out."""
    return tuple(p.strip() for p in str(text).split(";") if p.strip()) if isinstance(text, str) else ()


def read_checked_csv(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    """Return a registry table (corridors, observations…) as text, or raise ValidationError if the file or one of
    its required ``columns`` is missing."""
    if not path.is_file():
        raise ValidationError([Problem(path.name, "", "", "no such file")])
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = [Problem(path.name, "", c, "required column is missing") for c in columns if c not in table]
    if problems:
        raise ValidationError(problems)
    return table
