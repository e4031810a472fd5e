"""The command line as a user runs it: real processes, real exit codes, no tracebacks for user mistakes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA

MINI = str(DATA / "mini")


ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line of the package under test (the installed entry point is tested in test_install)."""
    return subprocess.run([sys.executable, "-m", "corridors", *args], capture_output=True, text=True, timeout=300,
                          check=False, cwd=ROOT)


def test_route_on_a_users_network() -> None:
    result = run("route", "Urumqi", "Alat", "--network", MINI)
    assert result.returncode == 0, result.stderr
    assert "gauge change" in result.stdout
    assert "ferry wait" in result.stdout
    assert "Total: 3,980 km" in result.stdout
    assert "Indicators (CAREC style)" in result.stdout
    assert "Cost US$" not in result.stdout  # this network has no cost table


def test_route_prints_cost_co2_and_carec_indicators_on_the_bundled_network() -> None:
    result = run("route", "Xian", "Poti")
    assert result.returncode == 0, result.stderr
    assert "kg CO2e per loaded 40-ft container" in result.stdout
    assert "km/h with delay" in result.stdout
    data = json.loads(run("route", "Xian", "Poti", "--json").stdout)
    indicators = data["indicators"]
    assert indicators["speed_with_delay_kmh"] < indicators["speed_without_delay_kmh"]
    assert indicators["stopped_share"] == pytest.approx(data["stopped_h"] / data["time_h"], abs=1e-3)
    assert f"Cost US${data['cost_usd']:,.0f}" in result.stdout


def test_route_json_and_csv_carry_the_same_route() -> None:
    as_json = json.loads(run("route", "Urumqi", "Alat", "--network", MINI, "--json").stdout)
    as_csv = run("route", "Urumqi", "Alat", "--network", MINI, "--csv").stdout
    frame = pd.read_csv(pd.io.common.StringIO(as_csv))
    assert len(as_json["elements"]) == len(frame)
    assert as_json["distance_km"] == pytest.approx(frame["distance_km"].sum())
    assert as_json["time_h"] == pytest.approx(frame["time_h"].sum(), abs=0.01)
    assert [e["kind"] for e in as_json["elements"]] == frame["kind"].tolist()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("route", "Urumqi", "Atlantis", "--network", MINI), "unknown place 'Atlantis'"),
        (("route", "Urumqi", "Aktauu", "--network", MINI), "did you mean 'Aktau port'"),
        (("route", "Urumqi", "Alat", "--avoid", "ferry", "--network", MINI), "every route needs the ferry mode"),
        (("route", "Urumqi", "Alat", "--profile", "rosy", "--network", MINI), "unknown conditions 'rosy'"),
        (("route", "Urumqi", "Alat", "--by", "beauty", "--network", MINI), "invalid choice"),
        (("route", "Urumqi", "--network", MINI), "required"),
        (("route", "Urumqi", "Alat", "--network", "/nonexistent"), "no such file or folder"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    assert_one_line_error(run(*args), expected)


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    """A user mistake: exit code 2, one line on stderr that says what is wrong, no traceback."""
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "mini", folder)
    legs = pd.read_csv(folder / "legs.csv", dtype=str, keep_default_na=False)
    legs.loc[0, "to"] = "atlantis"  # an unknown endpoint
    legs.loc[2, "distance_km"] = "-3000"  # a negative distance
    legs.loc[3, "distance_source"] = ""  # a leg without a source
    legs.to_csv(folder / "legs.csv", index=False)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[2, "id"] = "alashankou"  # a duplicate id
    nodes.loc[3, "lat"], nodes.loc[3, "lon"] = nodes.loc[3, "lon"], nodes.loc[3, "lat"]  # swapped
    nodes.to_csv(folder / "nodes.csv", index=False)
    result = run("validate", str(folder))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for where in ("legs.csv, line 2, field 'to'", "legs.csv, line 4, field 'distance_km'",
                  "legs.csv, line 5, field 'distance_source'", "nodes.csv, line 4, field 'id'",
                  "nodes.csv, line 5, field 'lat'"):
        assert where in result.stderr, where
    assert "swapped" in result.stderr
    as_json = json.loads(run("validate", str(folder), "--json").stdout)
    assert as_json["valid"] is False
    assert len(as_json["problems"]) >= 5


def test_validate_a_good_dataset() -> None:
    result = run("validate", MINI)
    assert result.returncode == 0
    assert "valid" in result.stdout


def test_network_summary_and_sources() -> None:
    result = run("network", "--network", MINI, "--sources")
    assert result.returncode == 0
    assert "5 places" in result.stdout
    assert "[silkroute_titr]" in result.stdout
    data = json.loads(run("network", "--network", MINI, "--json", "--sources").stdout)
    assert data["legs_by_mode"] == {"ferry": 1, "rail": 3}
    assert any(s["id"] == "silkroute_titr" and s["url"].startswith("http") for s in data["source_list"])


def test_help_everywhere() -> None:
    for args in ((), ("route",), ("network",), ("validate",)):
        result = run(*args, "--help")
        assert result.returncode == 0
        assert "usage: corridors" in result.stdout


def test_simulate_prints_the_distribution() -> None:
    result = run("simulate", "Xi'an", "Poti", "-n", "3000", "--within", "12")
    assert result.returncode == 0, result.stderr
    assert "median" in result.stdout
    assert "Probability of arriving within 12 days" in result.stdout
    data = json.loads(run("simulate", "Xi'an", "Poti", "-n", "3000", "--json", "--window", "10", "12").stdout)
    assert data["journeys"] == 3000
    assert 0 <= data["prob_in_window"] <= data["prob_within_window_high"] <= 1
    assert sum(data["histogram"]["counts"]) == 3000
    again = json.loads(run("simulate", "Xi'an", "Poti", "-n", "3000", "--json", "--window", "10", "12").stdout)
    assert again["P50"] == data["P50"]


def test_claims_prints_every_claim_with_verdict_and_probabilities() -> None:
    result = run("claims", "-n", "1500")
    assert result.returncode == 0, result.stderr
    for claim_id in ("aliyev_2025_black_sea", "titr_altynkol_poti_12", "kz_2023_kazakh_section"):
        assert claim_id in result.stdout
    assert result.stdout.count("Verdict:") >= 8
    data = json.loads(run("claims", "aliyev_2025_black_sea", "-n", "1500", "--json").stdout)
    (seed,) = data
    assert seed["verdict"] in ("holds", "holds only under some readings or conditions", "does not hold")
    readings = {r["reading"] for r in seed["results"]}
    assert {"border_to_port", "xian_to_port", "border_across_sea", "xian_across_sea"} <= readings


def test_a_delivery_schedule_is_printed_with_its_on_time_rate() -> None:
    result = run("claims", "titr_altynkol_poti_12", "-n", "1000")
    assert result.returncode == 0, result.stderr
    assert "on time" in result.stdout.splitlines()[4]
    assert "of journeys arrive within the schedule" in " ".join(result.stdout.split())


def test_claims_checks_several_ids_and_prints_markdown() -> None:
    result = run("claims", "ady_2015_alashankou_tbilisi_8", "aliyev_2025_black_sea", "-n", "500", "--markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["| claim | who | window | verdict | readings that hold, by conditions |",
                         "|---|---|---|---|---|"]
    assert len(lines) == 4
    assert "Alashankou" in lines[2]
    assert "Ilham Aliyev" in lines[3]


def test_compare_says_when_no_corridor_serves_the_journey() -> None:
    result = run("compare", "Khorgos", "Aktau", "-n", "100", "--profile", "typical")
    assert result.returncode == 0, result.stderr
    assert "does not serve this journey" in result.stdout
    assert "No named corridor serves this journey; `corridors route` gives the best route" in result.stdout


def test_chart_writes_a_png(tmp_path: Path) -> None:
    target = tmp_path / "chart.png"
    result = run("chart", "Xi'an", "Poti", "--out", str(target), "-n", "1000")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("simulate", "Xian", "Poti", "--profile", "rosy"), "unknown conditions 'rosy'"),
        (("simulate", "Xian", "Poti", "-n", "0"), "positive whole number"),
        (("simulate", "Xian", "Poti", "--window", "12", "10"), "LOW ≤ HIGH"),
        (("simulate", "Xian", "Poti", "-n", "many"), "invalid int value"),
        (("claims", "aliyev"), "unknown claim 'aliyev'"),
        (("claims", "--profile", "rosy", "-n", "100"), "unknown conditions 'rosy'"),
        (("claims", "aliyev_2025_black_sea", "ktz_2015_nomad"), "unknown claim 'ktz_2015_nomad'"),
        (("claims", "--markdown", "--json"), "cannot be combined"),
        (("chart", "Xian", "Poti", "--out", "/nonexistent/chart.png", "-n", "100"), "does not exist"),
        (("chart", "Xian", "Poti", "--out", "chart.gif", "-n", "100"), ".png, .svg or .pdf"),
        (("compare", "Xian", "Atlantis"), "unknown place 'Atlantis'"),
        (("compare", "Xian", "Duisburg", "--corridors", "hyperloop"), "unknown corridor 'hyperloop'"),
        (("compare", "Xian", "Duisburg", "--close", "Atlantis"), "unknown place 'Atlantis'"),
        (("compare", "Xian", "Duisburg", "--scenario", "/nonexistent.toml"), "does not exist"),
        (("bottleneck", "Khorgos", "Poti", "--corridor", "hyperloop"), "unknown corridor 'hyperloop'"),
        (("map", "--out", "/nonexistent/map.html"), "does not exist"),
        (("report", "--out", "/nonexistent/report.html"), "does not exist"),
        (("route", "Xian", "Poti", "--map", "/nonexistent/route.html"), "does not exist"),
    ],
)
def test_more_mistakes_get_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    assert_one_line_error(run(*args), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\n[[scale]]\nstops = border_crossing\n', "line 3"),
        ('name = "x"\n[[scale]]\nstops = "border_crossing"\nfactor = 0\n', "factor must be a finite number > 0"),
        ('name = "x"\n[[close]]\npassage = "kiel"\n', "unknown passage 'kiel'"),
        ('name = "x"\n[[scale]]\nstops = "border_crossing"\nfactr = 0.5\n', "unknown key 'factr'"),
    ],
)
def test_bad_scenario_files_get_one_line_and_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text, encoding="utf-8")
    assert_one_line_error(run("scenario", str(scenario), "Xian", "Poti"), expected)


def test_nothing_half_written_when_the_output_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.mkdir()  # a folder where the file should go
    assert_one_line_error(run("map", "--out", str(target)), "it is a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
