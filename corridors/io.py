"""Reading and writing dataset files (CSV, GeoJSON, GeoPackage), keeping track of where each row came from."""

from __future__ import annotations

import csv
import errno
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .contract import DATASET_TABLES, TABLES
from .errors import Problem, ValidationError

SPATIAL_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")
TABLE_SUFFIXES = (".csv",)
REQUIRED_ROLES = ("nodes", "legs", "sources")
#: Every table a dataset may hold, by role: the network's and the others (capacities, corridors, claims…).
ROLES = (*TABLES, *DATASET_TABLES)
#: What a table without rows is told: said once for the table, instead of a flood of follow-on problems.
NO_ROWS = "this table has no rows"
#: The tables that must have rows. An optional table with a header and no rows says "none here" (no disruptions,
#: no leg times), which is a valid statement, and is read as the table being absent.
ROWS_REQUIRED = ("nodes", "legs", "sources", "stop_times", "speeds")
# A decimal number as people write it in a data file; float() also reads "5_11" (as 511), "nan" and "inf".
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file: every value as text (blank = missing), one label per row for messages."""

    role: str
    file: str
    frame: pd.DataFrame
    labels: tuple[str, ...]
    geometry: gpd.GeoSeries | None = None


def find_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[str, Path], list[Problem]]:
    """Return the dataset files found in ``paths`` (folders or files) by role, and the problems met.

    An entry named like a table (``nodes.csv``) that is not a readable file — a folder, a broken link, a link
    loop — is reported as what it is, so the user is not told the table is missing when it is there.
    """
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        what = _not_a_file(path)
        if path.is_dir():
            candidates = sorted(path.iterdir())
        elif what is None:
            candidates = [path]
        else:
            problems.append(Problem(str(path), "", "", what))
            continue
        for candidate in candidates:
            role = candidate.stem
            if role not in ROLES:
                if candidate == path:
                    problems.append(Problem(candidate.name, "", "",
                                            f"not a dataset table; expected one of {', '.join(ROLES)}"))
                continue
            allowed = SPATIAL_SUFFIXES if role in ("nodes", "legs") else TABLE_SUFFIXES
            if candidate.suffix.lower() not in allowed:
                if candidate == path:
                    problems.append(Problem(candidate.name, "", "",
                                            f"{role} must be one of {', '.join(allowed)}"))
                continue
            if (what := _not_a_file(candidate)) is not None:
                problems.append(Problem(candidate.name, "", "", f"{what}; the {role} table must be a file"))
                found.setdefault(role, candidate)  # present but unreadable: not "missing" as well
                continue
            if role in found:
                problems.append(Problem(candidate.name, "", "",
                                        f"a second {role} table (already have {found[role].name})"))
                continue
            found[role] = candidate
    for role in REQUIRED_ROLES:
        if role not in found:
            problems.append(Problem(f"{role}.csv", "", "", f"the dataset has no {role} table"))
    found = {role: p for role, p in found.items() if _not_a_file(p) is None}
    return found, problems


def _not_a_file(path: Path) -> str | None:
    """Return what ``path`` is when it is not a regular file that can be opened (None when it is one)."""
    try:
        if path.is_file():
            return None
        if path.is_dir():
            return "is a folder, not a file"
        if path.is_symlink():
            try:
                path.resolve(strict=True)
            except RuntimeError:  # Python < 3.13 reports a loop this way
                return "is a symbolic link that loops back on itself"
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return "is a symbolic link that loops back on itself"
                return "is a symbolic link to nothing (its target does not exist)"
        if path.exists():
            return "is not a regular file"
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    return "no such file or folder"


def read_table(role: str, path: Path) -> RawTable:
    """Read one table as text; raise ValidationError with the file name if it cannot be read as a table at all.

    A table without rows is such a failure too: every check after it would either pass vacuously or flood the
    user with follow-on errors, so it is reported once, here.
    """
    import pyogrio.errors  # here, not above: a network read back from the cache reads no file

    suffix = path.suffix.lower()
    try:
        table = _read_csv(role, path) if suffix == ".csv" else _read_spatial(role, path, suffix)
    except ValidationError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, pyogrio.errors.CRSError) as exc:
        raise ValidationError([Problem(path.name, "", "", f"cannot be read: {_reason(exc, path)}")]) from exc
    if not len(table.frame) and role in ROWS_REQUIRED:
        raise ValidationError([Problem(path.name, "", "", NO_ROWS)])
    return table


def _read_csv(role: str, path: Path) -> RawTable:
    # utf-8-sig: spreadsheet programs start a UTF-8 CSV with a byte-order mark that is not part of the first name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header or not any(h.strip() for h in header):
        raise ValueError("the file is empty; the first line must name the columns")
    # pandas renames a repeated column to "lat.1" and reads only the first: which one the user meant is unknown
    repeated = [name for name, n in Counter(h.strip() for h in header).items() if n > 1]
    if repeated:
        raise ValidationError([Problem(path.name, "line 1", name, "this column is named twice")
                               for name in repeated])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    labels = tuple(f"line {i + 2}" for i in range(len(frame)))
    return RawTable(role, path.name, _strip(frame), labels)


def _read_spatial(role: str, path: Path, suffix: str) -> RawTable:
    gdf = gpd.read_file(path)
    what = "feature" if suffix in (".geojson", ".json") else "row"
    labels = tuple(f"{what} {i + 1}" for i in range(len(gdf)))
    geometry = gdf.geometry if gdf.geometry.name in gdf.columns else None
    frame = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name], errors="ignore")).reset_index(drop=True)
    frame = frame.map(_as_text)
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        if geometry.crs is not None and not geometry.crs.equals("EPSG:4326"):
            geometry = geometry.to_crs(4326)
        if role == "nodes":
            # The point is where the place is: a node moved in a GIS keeps its old lat/lon attributes, which must
            # not win. Blank, they are taken from the point by validation (which also checks the point itself).
            drawn = (geometry.geom_type == "Point").to_numpy(dtype=bool) & ~geometry.is_empty.to_numpy(dtype=bool)
            for column in ("lat", "lon"):
                if column in frame.columns:
                    frame.loc[drawn, column] = ""
    return RawTable(role, path.name, _strip(frame), labels, geometry)


def _reason(exc: BaseException, path: Path) -> str:
    """Return why a file could not be read, in one line, without the path the message is already headed with."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start})"
    text = " ".join(str(exc).split()).replace(f"'{path}'", "this file").replace(str(path), "this file")
    # GDAL appends advice about driver prefixes, which a user of corridors cannot act on
    text = text.split("; It might help")[0]
    return text.strip(" :;") or type(exc).__name__


#: Up to this many rows a column is stripped value by value: pandas' string methods cost about a millisecond a column
#: whatever its length, which was a third of the load of a small dataset (a few rows in a dozen files).
STRIP_BY_VALUE_ROWS = 5_000


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in range(frame.shape[1]):  # by position: a column name may repeat in a spatial file
        values = frame.iloc[:, column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        # a value that is not text stays as it is
        if len(values) <= STRIP_BY_VALUE_ROWS:
            given = values.tolist()
            stripped = [v.strip() if isinstance(v, str) else v for v in given]
            if stripped != given:
                frame.isetitem(column, pd.Series(stripped, index=values.index, dtype=values.dtype))
        else:
            stripped = values.str.strip()  # a value that is not text comes back NaN here, and is put back
            frame.isetitem(column, stripped.where(stripped.notna(), values))
    return frame


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
            target.unlink(missing_ok=True)  # GDAL would add a layer to an old GeoPackage rather than replace it
            with _fixed_gdal_date():
                gpd.GeoDataFrame(flat, geometry="geometry", crs="EPSG:4326").to_file(
                    target, driver="GPKG" if suffix == ".gpkg" else "GeoJSON",
                    layer=role if suffix == ".gpkg" else None)
        else:
            target = folder / f"{role}.csv"
            out = pd.DataFrame(flat)
            if "geometry" in out.columns:
                out["geometry"] = gpd.GeoSeries(out["geometry"]).to_wkt(rounding_precision=-1)  # all digits: lossless
            out.to_csv(target, index=False)
        written.append(target)
    return written


def parse_number(text: str) -> float:
    """Return the finite number written in ``text``; raise ValueError saying why it is not one."""
    stripped = text.strip()
    if not NUMBER.fullmatch(stripped):
        try:
            float(stripped)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        # float() took it but a data file does not mean it: "nan", "inf" or digits grouped with "_"
        if "_" in stripped:
            raise ValueError(f"{text!r} is not a number (write digits without '_')")
        raise ValueError(f"{text!r} is not a finite number")
    value = float(stripped)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large to be a number")
    return value


def parse_whole_number(text: str) -> int:
    """Return the whole number written in ``text`` ("1435" or "1435.0"); raise ValueError saying why not."""
    try:
        value = parse_number(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


@contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """Stamp GeoPackages with a fixed date instead of now, so that the same network gives the same bytes."""
    import pyogrio

    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


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
