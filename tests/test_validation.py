"""Validation lists every problem in a dataset with its file, row and field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors.errors import Problem


def _edit(path: Path, edit) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def _plant_faults(folder: Path) -> None:
    def legs(frame: pd.DataFrame) -> None:
        frame.loc[0, "to"] = "atlantis"  # unknown endpoint (line 2)
        frame.loc[2, "distance_km"] = "-3000"  # negative distance (line 4)
        frame.loc[3, "distance_source"] = ""  # a leg without a source (line 5)

    def nodes(frame: pd.DataFrame) -> None:
        frame.loc[2, "id"] = "alashankou"  # duplicate id (line 4)
        lat, lon = frame.loc[3, "lat"], frame.loc[3, "lon"]
        frame.loc[3, "lat"], frame.loc[3, "lon"] = lon, lat  # Aktau with latitude and longitude swapped (line 5)

    _edit(folder / "legs.csv", legs)
    _edit(folder / "nodes.csv", nodes)


def _find(problems: list[Problem], file: str, row: str, field: str) -> Problem:
    matches = [p for p in problems if (p.file, p.row, p.field) == (file, row, field)]
    assert matches, f"no problem reported at {file} {row} {field}; got:\n" + "\n".join(map(str, problems))
    return matches[0]


def test_the_small_dataset_is_valid(mini_dir: Path) -> None:
    assert corridors.validate(mini_dir) == []


def test_every_planted_fault_is_reported_with_file_row_and_field(mini_dir: Path) -> None:
    _plant_faults(mini_dir)
    problems = corridors.validate(mini_dir)
    assert "atlantis" in _find(problems, "legs.csv", "line 2", "to").message
    assert "positive" in _find(problems, "legs.csv", "line 4", "distance_km").message
    assert "required" in _find(problems, "legs.csv", "line 5", "distance_source").message
    assert "duplicate id 'alashankou'" in _find(problems, "nodes.csv", "line 4", "id").message
    assert "swapped" in _find(problems, "nodes.csv", "line 5", "lat").message


def test_load_raises_one_error_carrying_every_problem(mini_dir: Path) -> None:
    _plant_faults(mini_dir)
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(mini_dir)
    assert len(caught.value.problems) >= 5
    assert "legs.csv, line 2, field 'to'" in str(caught.value)


@pytest.mark.parametrize(
    ("table", "column", "value", "field", "expected"),
    [
        ("legs", "gauge_mm", "1000", "gauge_mm", "unknown gauge"),
        ("legs", "mode", "zeppelin", "mode", "unknown value 'zeppelin'"),
        ("legs", "distance_km", "ten", "distance_km", "not a number"),
        ("legs", "distance_km", "100", "distance_km", "shorter than"),
        ("legs", "sources", "nowhere_2020", "sources", "unknown source 'nowhere_2020'"),
        ("nodes", "lat", "95", "lat", "outside -90..90"),
        ("nodes", "country", "Kazakhstan", "country", "not an ISO 3166 alpha-3"),
        ("nodes", "kind", "castle", "kind", "unknown value 'castle'"),
        ("nodes", "facilities", "customs;teleport", "facilities", "unknown value 'teleport'"),
        ("sources", "url", "see the library", "url", "not an http(s) URL"),
    ],
)
def test_single_faults(mini_dir: Path, table: str, column: str, value: str, field: str, expected: str) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[2, column] = value

    _edit(mini_dir / f"{table}.csv", edit)
    problem = _find(corridors.validate(mini_dir), f"{table}.csv", "line 4", field)
    assert expected in problem.message


def test_a_drawn_line_far_from_its_stated_distance_is_reported(mini_dir: Path) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[0, "waypoints"] = "30.0 100.0"  # a detour through southern China

    _edit(mini_dir / "legs.csv", edit)
    problems = corridors.validate(mini_dir)
    assert "drawn length" in _find(problems, "legs.csv", "line 2", "geometry").message


def test_a_geometry_whose_end_is_far_from_its_node_is_reported(mini_dir: Path) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame["geometry"] = ""
        frame.loc[1, "geometry"] = "LINESTRING (82.555 45.173, 82.0 45.6)"

    _edit(mini_dir / "legs.csv", edit)
    problems = corridors.validate(mini_dir)
    assert "end is" in _find(problems, "legs.csv", "line 3", "geometry").message


def test_a_disconnected_network_is_reported(mini_dir: Path) -> None:
    with (mini_dir / "nodes.csv").open("a", encoding="utf-8") as f:
        f.write("baku,Baku,,AZE,junction,40.378,49.892,,reported,ipfs_alyat,,\n")
    problems = corridors.validate(mini_dir)
    assert any("disconnected" in p.message and "baku" in p.message for p in problems)


def test_impossible_time_parameters_are_reported(mini_dir: Path) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[1, "high_h"] = "1"  # below low

    _edit(mini_dir / "stop_times.csv", edit)
    problem = _find(corridors.validate(mini_dir), "stop_times.csv", "line 3", "high_h")
    assert "low ≤ typical ≤ high" in problem.message


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    problems = corridors.validate(tmp_path)
    assert {p.file for p in problems} >= {"nodes.csv", "legs.csv", "sources.csv"}


def test_ambiguous_names_are_reported(mini_dir: Path) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[4, "aliases"] = "Alat;Aktau"  # Aktau is already the name of another place

    _edit(mini_dir / "nodes.csv", edit)
    problems = corridors.validate(mini_dir)
    assert any("several places" in p.message for p in problems)


def test_a_node_in_the_wrong_country_names_the_country_it_is_in(mini_dir: Path) -> None:
    def nodes(frame: pd.DataFrame) -> None:
        frame.loc[0, "country"] = "RUS"  # a Chinese place said to be in Russia (line 2)

    _edit(mini_dir / "nodes.csv", nodes)
    message = _find(corridors.validate(mini_dir), "nodes.csv", "line 2", "lat").message
    assert "outside RUS, in CHN" in message


def test_a_node_a_few_km_off_shore_is_reported_as_at_sea(mini_dir: Path) -> None:
    def nodes(frame: pd.DataFrame) -> None:
        row = frame.index[frame["id"] == "aktau_port"][0]
        frame.loc[row, "lon"] = str(float(frame.loc[row, "lon"]) - 0.3)  # ~25 km west, into the Caspian

    _edit(mini_dir / "nodes.csv", nodes)
    problems = [p for p in corridors.validate(mini_dir) if p.file == "nodes.csv" and p.field == "lat"]
    assert len(problems) == 1
    assert "at sea or on an island" in problems[0].message


def test_spaces_around_values_are_not_part_of_them(mini_dir: Path) -> None:
    def nodes(frame: pd.DataFrame) -> None:
        frame.loc[2, "country"] = "  KAZ "
        frame.loc[2, "lat"] = " 45.252"

    def legs(frame: pd.DataFrame) -> None:
        frame.loc[1, "mode"] = "rail "
        frame.loc[1, "to"] = " dostyk"

    _edit(mini_dir / "nodes.csv", nodes)
    _edit(mini_dir / "legs.csv", legs)
    net = corridors.load_network(mini_dir)
    assert net.nodes.at["dostyk", "country"] == "KAZ"
    assert net.legs.iloc[1]["to"] == "dostyk"
    assert net.legs.iloc[1]["mode"] == "rail"


def test_a_large_dataset_reports_each_fault_once_in_the_usual_order(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_grid

    folder = write_grid(tmp_path / "grid", 20_000)  # past the size where values are parsed as shared columns

    def legs(frame: pd.DataFrame) -> None:
        frame.loc[12_000, "gauge_mm"] = "1000"  # a rail leg (the grid's columns are rail)
        frame.loc[5, "distance_km"] = "ten"
        frame.loc[15_000, "to"] = "atlantis"
        frame.loc[15_000, "mode"] = "rial"

    _edit(folder / "legs.csv", legs)
    problems = corridors.validate(folder)
    # values are parsed column by column (the contract's order), then each leg is checked, row by row
    assert [(p.row, p.field) for p in problems] == [("line 15002", "mode"), ("line 7", "distance_km"),
                                                   ("line 12002", "gauge_mm"), ("line 15002", "to")]
    assert problems[1].message == "'ten' is not a number"
    assert problems[2].message == "unknown gauge 1000; expected 1435 or 1520"
    assert problems[3].message == "unknown node 'atlantis'"


def test_a_rail_leg_drawn_more_than_10_percent_short_is_warned_about_with_file_row_and_field(
        mini_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    def legs(frame: pd.DataFrame) -> None:
        frame.loc[0, "distance_km"] = "600"  # Ürümqi–Alashankou drawn 429 km: 0.72× (line 2)
        frame.loc[1, "distance_km"] = "14"  # drawn 0.74×, but a link under 20 km is spared: its ends decide
        frame.loc[2, "distance_km"] = "2600"  # Dostyk–Aktau drawn 2,538 km: 0.98×, no longer short (line 4)
        frame.loc[3, "distance_km"] = "600"  # a ferry leg drawn 0.73× is not a rail drawing

    _edit(mini_dir / "legs.csv", legs)
    with caplog.at_level("WARNING", logger="corridors.validation"):
        assert corridors.validate(mini_dir) == []  # a warning, not a problem: the dataset still loads
    warned = [line for record in caplog.records for line in record.getMessage().splitlines()[1:]]
    assert len(warned) == 1, warned
    assert warned[0].startswith("  - legs.csv, line 2, field 'geometry': rail leg drawn 429 km, 0.716× its stated "
                                "600 km")


def test_the_drawing_warning_is_shown_by_validate_and_nowhere_else(mini_dir: Path, capsys) -> None:
    from corridors.cli import main

    _edit(mini_dir / "legs.csv", lambda frame: frame.__setitem__("distance_km", frame["distance_km"].where(
        frame.index != 0, "600")))  # Ürümqi–Alashankou drawn 429 km: 0.72×
    assert main(["validate", str(mini_dir)]) == 0
    captured = capsys.readouterr()
    assert "valid: no problems found (warnings above)" in captured.out
    assert "warning: 2 rail legs drawn more than 10% shorter" in captured.err  # with the fixture's Dostyk–Aktau (0.85×)
    assert "legs.csv, line 2, field 'geometry'" in captured.err
    # a command that only loads the network answers without it (nothing configured logging: the library is silent)
    assert main(["network", "--network", str(mini_dir)]) == 0
    assert "rail leg drawn" not in capsys.readouterr().err
