"""The context of a claim: the trade and traffic series the corridor's story is told with.

A claim such as "the safest, shortest and most attractive route" is made about a trend: China–Azerbaijan trade grew
from US$289 million in 2007 to US$3.744 billion in 2024, and the Middle Corridor's tonnage grew fivefold between
2019 and 2025. ``series.csv`` holds such series, one row per series and year with its source; a year no source
gives
is left out, never interpolated. ``volumes.csv`` (the tonnes and TEU carried on the corridor) is read beside it, so
the two never disagree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import contract, datasets
from .errors import MissingTableError, Problem, ValidationError
from .io import read_table, split_list

if TYPE_CHECKING:
    from .network import Network

COLUMNS = tuple(c.name for c in contract.SERIES_COLUMNS)
UNITS = contract.SERIES_UNITS
#: What each unit is called in a table heading.
UNIT_LABELS = {"usd": "US$", "percent": "%", "tonnes": "tonnes", "teu": "TEU", "trains": "trains", "rank": "rank"}


def load_series(dataset: Network | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return the context series of a network's dataset, or of a dataset folder (default: the bundled data), as a
    tidy table.

    Columns: series, year, value, unit, status, sources (a tuple), note; sorted by series and year. The
    corridor's volumes (``volumes.csv``) are added as the series ``<corridor>_tonnes`` and ``<corridor>_teu``.
    Both tables are read through the contract (``contract.SERIES_COLUMNS``, ``VOLUME_COLUMNS``). Raises
    MissingTableError when the dataset has no series.csv, and ValidationError listing every problem with file, line
    and field.
    """
    from .loading import read_dataset_table
    from .network import Network

    if isinstance(dataset, Network):
        table = dataset.table("series")
        volumes = dataset.table("volumes") if dataset.has_table("volumes") else None
    else:
        base = Path(dataset) if dataset is not None else datasets.data_path()
        if not (base / "series.csv").is_file():
            raise MissingTableError("series", f"the dataset in {base}", COLUMNS)
        sources = read_table("sources", base / "sources.csv").frame.get("id", pd.Series(dtype=str))
        problems: list[Problem] = []
        try:
            table = read_dataset_table("series", base / "series.csv", sources)
        except ValidationError as exc:
            problems.extend(exc.problems)
        volumes = None
        if (base / "volumes.csv").is_file():
            try:
                volumes = read_dataset_table("volumes", base / "volumes.csv", sources)
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
    rows = [{"series": row["series"], "year": int(row["year"]), "value": float(row["value"]), "unit": row["unit"],
             "status": row["status"], "sources": split_list(row["sources"]), "note": row["note"]}
            for _, row in table.iterrows()]
    rows.extend(_volume_rows(volumes))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(["series", "year"], kind="stable").reset_index(drop=True)


def _volume_rows(volumes: pd.DataFrame | None) -> list[dict]:
    if volumes is None:
        return []
    rows = []
    for _, r in volumes.iterrows():
        for unit in ("tonnes", "teu"):
            if r[unit]:
                rows.append({"series": f"{r['corridor']}_{unit}", "year": int(r["year"]), "value": float(r[unit]),
                             "unit": unit, "status": r["status"], "sources": split_list(r["sources"]),
                             "note": "from volumes.csv"})
    return rows


def format_value(value: float, unit: str) -> str:
    """Return a series value as a reader writes it: ``US$289 million``, ``US$3.744 billion``, ``17.69%``."""
    if unit == "usd":
        for size, word in ((1e9, "billion"), (1e6, "million")):
            if value >= size:
                return f"US${_trim(value / size, 3)} {word}"
        return f"US${value:,.0f}"
    if unit == "percent":
        return f"{_trim(value, 2)}%"
    if unit == "rank":
        return f"#{value:.0f}"
    return f"{value:,.0f} {UNIT_LABELS.get(unit, unit)}"


def _trim(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")
