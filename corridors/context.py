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

import pandas as pd

from . import datasets
from .errors import CorridorError, Problem, ValidationError
from .io import parse_number, read_checked_csv, split_list

COLUMNS = ("series", "year", "value", "unit", "status", "sources", "note")
UNITS = ("usd", "percent", "tonnes", "teu", "trains", "rank")
#: What each unit is called in a table heading.
UNIT_LABELS = {"usd": "US$", "percent": "%", "tonnes": "tonnes", "teu": "TEU", "trains": "trains", "rank": "rank"}


def load_series(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return the context series of a dataset folder (default: the bundled data) as a tidy table.

    Columns: series, year, value, unit, status, sources (a tuple), note; sorted by series and year. The
    corridor's volumes (``volumes.csv``) are added as the series ``<corridor>_tonnes`` and ``<corridor>_teu``.
    Raises ValidationError listing every problem with file, line and field.
    """
    base = Path(folder) if folder is not None else datasets.data_path()
    path = base / "series.csv"
    if not path.is_file():
        raise CorridorError(f"{base} has no series.csv: the context series are not part of this dataset")
    table = read_checked_csv(path, COLUMNS)
    sources = set(read_checked_csv(base / "sources.csv", ("id",))["id"])
    problems: list[Problem] = []
    rows, seen = [], set()
    for i, row in table.iterrows():
        where = (path.name, f"line {i + 2}")
        before = len(problems)
        if not row["series"].strip():
            problems.append(Problem(*where, "series", "a value is required"))
        year = _integer(row["year"])
        if year is None or not 1900 <= year <= 2100:
            problems.append(Problem(*where, "year", f"{row['year']!r} is not a year"))
        value = _number(row["value"])
        if value is None:
            problems.append(Problem(*where, "value", f"{row['value']!r} is not a finite number ≥ 0"))
        if row["unit"] not in UNITS:
            problems.append(Problem(*where, "unit", f"{row['unit']!r} is not one of {', '.join(UNITS)}"))
        cited = split_list(row["sources"])
        if not cited:
            problems.append(Problem(*where, "sources", "a value is required"))
        problems.extend(Problem(*where, "sources", f"unknown source {s!r}") for s in cited if s not in sources)
        if (row["series"], year) in seen:
            problems.append(Problem(*where, "year", f"a second row for {row['series']} in {year}"))
        seen.add((row["series"], year))
        if len(problems) == before:
            rows.append({"series": row["series"], "year": year, "value": value, "unit": row["unit"],
                         "status": row["status"], "sources": cited, "note": row["note"]})
    if problems:
        raise ValidationError(problems)
    rows.extend(_volume_rows(base))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(["series", "year"], kind="stable").reset_index(drop=True)


def _volume_rows(base: Path) -> list[dict]:
    path = base / "volumes.csv"
    if not path.is_file():
        return []
    volumes = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = []
    for _, r in volumes.iterrows():
        for unit in ("tonnes", "teu"):
            value = _number(r.get(unit, ""))
            year = _integer(r.get("year", ""))
            if value is not None and year is not None:
                rows.append({"series": f"{r['corridor']}_{unit}", "year": year, "value": value, "unit": unit,
                             "status": r.get("status", ""), "sources": split_list(r.get("sources", "")),
                             "note": "from volumes.csv"})
    return rows


def _integer(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() else None


def _number(text: str) -> float | None:
    """Return a finite number ≥ 0 written in ``text`` (strictly: no '5_11', nan or inf), else None."""
    try:
        value = parse_number(str(text))
    except ValueError:
        return None
    return value if value >= 0 else None


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
