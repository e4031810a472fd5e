"""The context series: read with their sources, volumes beside them, written as a reader writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridors.context import format_value, load_series
from corridors.datasets import data_path
from corridors.errors import ValidationError

HEADER = "series,year,value,unit,status,sources,note\n"


def _folder(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "ctx"
    folder.mkdir()
    for name in ("sources.csv", "volumes.csv"):
        shutil.copy(data_path() / name, folder / name)
    (folder / "series.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


def test_series_are_read_sorted_with_the_corridor_volumes(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "trade,2024,3744000000,usd,reported,trend_2025_baku_port,\n"
                               "trade,2007,289000000,usd,reported,trend_2025_baku_port,\n")
    table = load_series(folder)
    trade = table[table["series"] == "trade"]
    assert trade["year"].tolist() == [2007, 2024]
    assert trade["sources"].iloc[0] == ("trend_2025_baku_port",)
    volumes = table[table["series"] == "middle_corridor_tonnes"]
    assert volumes["year"].min() == 2019  # volumes.csv's TITR series, read beside the context series
    assert (volumes["value"] > 0).all()


def test_a_bad_series_file_lists_every_problem(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "trade,20x4,1,usd,reported,trend_2025_baku_port,\n"
                               "trade,2024,-1,usd,reported,trend_2025_baku_port,\n"
                               "trade,2023,1,euro,reported,trend_2025_baku_port,\n"
                               "trade,2022,1,usd,reported,nobody,\n"
                               "trade,2022,1,usd,reported,trend_2025_baku_port,\n"
                               "trade,2021,1_000,usd,reported,trend_2025_baku_port,\n")
    with pytest.raises(ValidationError) as caught:
        load_series(folder)
    assert [(p.row, p.field) for p in caught.value.problems] == [
        ("line 2", "year"), ("line 3", "value"), ("line 4", "unit"), ("line 5", "sources"), ("line 6", "year"),
        ("line 7", "value")]


@pytest.mark.parametrize(("value", "unit", "text"), [
    (289e6, "usd", "US$289 million"), (1.3e9, "usd", "US$1.3 billion"), (3.744e9, "usd", "US$3.744 billion"),
    (2.5, "percent", "2.5%"), (17.69, "percent", "17.69%"), (4_500_000, "tonnes", "4,500,000 tonnes"),
    (4, "rank", "#4")])
def test_values_are_written_as_a_reader_writes_them(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
