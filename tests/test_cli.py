"""The command line as a user runs it: its output, exit codes, and one-line errors for user mistakes.

The cases run in process through ``corridors.cli.main`` (stdout and stderr captured); three smoke tests run the real
``python -m corridors`` in a new process, and one checks that ``import corridors`` loads no heavy library.
"""

from __future__ import annotations

import gc
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA

import corridors
from corridors import cli

MINI = str(DATA / "mini")
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Return a function that runs the command line in process and gives its exit code, stdout and stderr."""
    def invoke(*args: str) -> Result:
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # the parser's own exits (--help, usage errors)
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


def assert_one_line_error(result: Result, expected: str) -> None:
    """A user mistake: exit code 2, one line on stderr that says what is wrong, no traceback."""
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def words(text: str) -> str:
    return " ".join(text.split())


# --- smoke tests: the real entry point in a new process ---------------------------------------------------------------

def subprocess_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridors", *args], capture_output=True, text=True, timeout=300,
                          check=False, cwd=ROOT)


def test_smoke_help() -> None:
    result = subprocess_run("--help")
    assert result.returncode == 0
    assert "usage: corridors" in result.stdout
    assert "--network PATH" in result.stdout


def test_smoke_route() -> None:
    result = subprocess_run("route", "Urumqi", "Alat", "--network", MINI)
    assert result.returncode == 0, result.stderr
    assert "Total: 3,980 km" in result.stdout
    assert "\x1b[" not in result.stdout  # a pipe gets plain text


def test_smoke_error_exits_2_with_one_line() -> None:
    result = subprocess_run("route", "Urumqi", "Alat", "--netwrk", MINI)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"corridors route: unrecognized arguments: --netwrk {MINI}; did you mean "
                                     "--network? (see corridors route --help)")


def test_import_corridors_loads_no_heavy_library() -> None:
    code = ("import corridors, sys\n"
            "heavy = [m for m in ('matplotlib', 'folium', 'pandas', 'networkx', 'geopandas', 'corridors.capacity',"
            " 'corridors.maps', 'corridors.charts', 'rich') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "from corridors import cli\n"
            "cli.build_parser()\n"
            "assert 'pandas' not in sys.modules and 'geopandas' not in sys.modules\n"
            "assert callable(corridors.load_network) and callable(corridors.compare)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_command_freezes_what_its_first_import_of_the_stack_made(tmp_path: Path) -> None:
    # a new process: the stack is imported with the collector off, what it made frozen, the collector on again
    code = ("import gc, sys\n"
            "from corridors import cli\n"
            f"assert cli.main(['route', 'Urumqi', 'Alat', '--network', {MINI!r}]) == 0\n"
            "assert 'geopandas' in sys.modules and gc.isenabled() and gc.get_freeze_count() > 50_000\n")
    env = {**os.environ, "CORRIDORS_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr


def test_a_process_that_had_the_stack_keeps_its_collector(run) -> None:
    import corridors.network  # noqa: F401 (the stack imported, as a notebook or a test module has it)
    from corridors import commands

    frozen = gc.get_freeze_count()
    with commands._stack_imported():
        assert gc.isenabled()
    assert run("route", "Urumqi", "Alat", "--network", MINI).returncode == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_every_public_name_is_there_lazily() -> None:
    for name in corridors.__all__:
        assert getattr(corridors, name) is not None, name
    # a function and the submodule it lives in share a name: the name is the module, and calling it calls the function
    backtest = importlib.import_module("corridors.backtest")
    compare = importlib.import_module("corridors.compare")
    assert corridors.compare is compare
    assert corridors.compare.Comparison.__name__ == "Comparison"  # `import corridors.compare` gives the module
    assert corridors.backtest is backtest
    assert callable(corridors.compare)
    assert callable(corridors.backtest)
    from corridors import compare as imported

    assert imported is compare
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = corridors.nonesuch


# --- routes ---------------------------------------------------------------------------------------------------------

def test_route_on_a_users_network(run) -> None:
    result = run("route", "Urumqi", "Alat", "--network", MINI)
    assert result.returncode == 0, result.stderr
    assert "gauge change" in result.stdout
    assert "ferry wait" in result.stdout
    assert "Total: 3,980 km" in result.stdout
    assert "Indicators (CAREC style)" in result.stdout
    assert "Cost US$" not in result.stdout  # this network has no cost table


def test_route_prints_cost_co2_and_carec_indicators_on_the_bundled_network(run) -> None:
    result = run("route", "Xian", "Poti")
    assert result.returncode == 0, result.stderr
    assert "kg CO2e per loaded 40-ft container" in result.stdout
    assert "km/h with delay" in result.stdout
    data = json.loads(run("route", "Xian", "Poti", "--json").stdout)
    indicators = data["indicators"]
    assert indicators["speed_with_delay_kmh"] < indicators["speed_without_delay_kmh"]
    assert indicators["stopped_share"] == pytest.approx(data["stopped_h"] / data["time_h"], abs=1e-3)
    assert f"Cost US${data['cost_usd']:,.0f}" in result.stdout


@pytest.mark.parametrize(("by", "word"), [("time", "fastest"), ("distance", "shortest"), ("cost", "cheapest"),
                                          ("co2", "lowest-CO2e")])
def test_the_route_header_says_what_was_minimised(run, by: str, word: str) -> None:
    first = run("route", "Xian", "Poti", "--by", by).stdout.splitlines()[0]
    assert f"({word} route," in first


def test_route_json_and_csv_carry_the_same_route(run) -> None:
    as_json = json.loads(run("route", "Urumqi", "Alat", "--network", MINI, "--json").stdout)
    frame = pd.read_csv(io.StringIO(run("route", "Urumqi", "Alat", "--network", MINI, "--csv").stdout))
    assert len(as_json["elements"]) == len(frame)
    assert as_json["distance_km"] == pytest.approx(frame["distance_km"].sum())
    assert as_json["time_h"] == pytest.approx(frame["time_h"].sum(), abs=0.05)
    assert [e["kind"] for e in as_json["elements"]] == frame["kind"].tolist()


def test_csv_is_tidy(run) -> None:
    text = run("route", "Xian", "Poti", "--csv").stdout
    route = pd.read_csv(io.StringIO(text))
    assert route.columns[0] == "step"  # the step is a named column, not an anonymous index
    assert route["step"].tolist() == list(range(1, len(route) + 1))
    assert not re.search(r"\.\d{3,}", text.split("\n", 1)[1].replace(";", ",")), "rounded to the unit's precision"
    compared = run("compare", "Xi'an", "Duisburg", "--csv", "-n", "100", "--conditions", "typical").stdout
    frame = pd.read_csv(io.StringIO(compared))
    assert frame.columns[0] == "corridor"
    assert not any(str(c).startswith("Unnamed") for c in frame.columns)
    for column in ("border_crossings", "gauge_changes", "transshipments", "rank_overall"):
        cells = [row[list(frame.columns).index(column)] for row in
                 (line.split(",") for line in compared.splitlines()[1:]) if len(row) == len(frame.columns)]
        assert not any(cell.endswith(".0") for cell in cells), column  # counts are whole numbers
    assert frame["p50_days"].dropna().map(lambda v: round(v, 2) == v).all()


# --- mistakes ---------------------------------------------------------------------------------------------------------

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
        (("compare", "Xian", "Duisburg", "--corridor", "hyperloop"), "unknown corridor 'hyperloop'"),
        (("compare", "Xian", "Duisburg", "--close", "Atlantis"), "unknown place 'Atlantis'"),
        (("compare", "Xian", "Duisburg", "--scenario", "/nonexistent.toml"), "does not exist"),
        (("bottleneck", "Khorgos", "Poti", "--corridor", "hyperloop"), "unknown corridor 'hyperloop'"),
        (("map", "--out", "/nonexistent/map.html"), "does not exist"),
        (("report", "--out", "/nonexistent/report.html"), "does not exist"),
        (("report", "Shanghai", "--out", "r.html"), "give both ORIGIN and DESTINATION"),
        (("report", "Shanghai", "Atlantis", "--out", "r.html"), "unknown place 'Atlantis'"),
        (("route", "Xian", "Poti", "--map", "/nonexistent/route.html"), "does not exist"),
        (("validate",), "name a dataset"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(run, args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert_one_line_error(result, expected)
    if args[0] != "frobnicate":
        assert result.stderr.startswith(f"corridors {args[0]}: ")  # the message names the command


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("route", "Xian", "Poti", "--foo"), "corridors route: unrecognized arguments: --foo"),
        (("compare", "Xian", "Poti", "--corridorz", "x"), "corridors compare: unrecognized arguments: --corridorz"),
        (("compare", "Xian", "Poti", "--corridorz", "x"), "did you mean --corridor"),
        (("claims", "--jsn"), "corridors claims: unrecognized arguments: --jsn; did you mean --json?"),
        (("report", "--corrdor"), "corridors report: unrecognized arguments: --corrdor; did you mean --corridor?"),
        (("rout", "Xian", "Poti"), "did you mean route?"),
        (("route", "Xian", "Poti", "--by", "cots"), "corridors route: argument --by: invalid choice: 'cots'"),
        (("route", "Xian", "Poti", "--by", "cots"), "did you mean cost?"),
    ],
)
def test_argument_errors_name_the_command_and_suggest_the_closest_option(run, args: tuple[str, ...],
                                                                          expected: str) -> None:
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
def test_bad_scenario_files_get_one_line_and_exit_2(run, tmp_path: Path, text: str, expected: str) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text, encoding="utf-8")
    assert_one_line_error(run("scenario", str(scenario), "Xian", "Poti"), expected)


def test_nothing_half_written_when_the_output_cannot_be_written(run, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.mkdir()  # a folder where the file should go
    assert_one_line_error(run("map", "--out", str(target)), "it is a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --- datasets -------------------------------------------------------------------------------------------------------

def test_validate_lists_every_problem(run, tmp_path: Path) -> None:
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
    for where in ("legs.csv, line 2, field 'to'", "legs.csv, line 4, field 'distance_km'",
                  "legs.csv, line 5, field 'distance_source'", "nodes.csv, line 4, field 'id'",
                  "nodes.csv, line 5, field 'lat'"):
        assert where in result.stderr, where
    assert "swapped" in result.stderr
    as_json = json.loads(run("validate", "--network", str(folder), "--json").stdout)
    assert as_json["valid"] is False
    assert len(as_json["problems"]) >= 5


def test_validate_a_good_dataset(run) -> None:
    for args in ((MINI,), ("--network", MINI)):
        result = run("validate", *args)
        assert result.returncode == 0
        assert "valid" in result.stdout


def test_network_summary_and_sources(run) -> None:
    result = run("network", "--network", MINI, "--sources")
    assert result.returncode == 0
    assert "5 places" in result.stdout
    assert "[silkroute_titr]" in result.stdout
    data = json.loads(run("network", "--network", MINI, "--json", "--sources").stdout)
    assert data["legs_by_mode"] == {"ferry": 1, "rail": 3}
    assert any(s["id"] == "silkroute_titr" and s["url"].startswith("http") for s in data["source_list"])


def test_help_everywhere(run) -> None:
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ((), *((name,) for name in commands)):
        result = run(*command, "--help")
        assert result.returncode == 0
        assert "usage: corridors" in result.stdout
        if command:
            # every command that loads a network takes one's own; `cache` manages the store of loaded networks
            assert ("--network PATH" in result.stdout) is (command != ("cache",)), command
            assert "--quiet" in result.stdout, command


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dataset copied to a folder of its own: a user's network that happens to hold the same data."""
    target = tmp_path_factory.mktemp("users") / "dataset"
    shutil.copytree(corridors.data_path(), target)
    return target


@pytest.mark.parametrize("args", [
    ("route", "Xian", "Poti"),
    ("network",),
    ("simulate", "Xian", "Poti", "-n", "200"),
    ("claims", "aliyev_2025_black_sea", "-n", "100"),
    ("chart", "Xian", "Poti", "-n", "100", "--out", "{tmp}/c.svg"),
    ("compare", "Xian", "Poti", "-n", "50", "--conditions", "typical"),
    ("scenario", "suez_closed", "Shanghai", "Rotterdam", "-n", "50"),
    ("map", "--out", "{tmp}/m.html"),
    ("bottleneck", "Khorgos", "Poti"),
    ("backtest", "-n", "50", "--json"),
    ("context", "--csv"),
    ("validate",),
])
def test_every_command_uses_the_network_it_is_given(run, bundled_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    from corridors import network

    asked: list[str | None] = []
    loader = network.load_network

    def spy(path=None):
        asked.append(None if path is None else str(path))
        return loader(path)

    monkeypatch.setattr(network, "load_network", spy)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run(*argv, "--network", str(bundled_copy))
    assert result.returncode == 0, result.stderr
    if args[0] not in ("validate", "context"):  # these read the folder's files, not a loaded network
        assert set(asked) == {str(bundled_copy)}, asked
    if args[0] == "context":
        (bundled_copy / "series.csv").rename(bundled_copy / "series.bak")
        try:
            assert_one_line_error(run(*argv, "--network", str(bundled_copy)), "has no series.csv")
        finally:
            (bundled_copy / "series.bak").rename(bundled_copy / "series.csv")


def test_report_takes_places_and_corridors(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors import report

    written = {}

    def fake_write(network, path, settings):
        written.update(network=network, path=path, settings=settings)
        return Path(path)

    monkeypatch.setattr(report, "write_report", fake_write)
    out = str(tmp_path / "r.html")
    result = run("report", "Shanghai", "Rotterdam", "--corridor", "sea_suez", "--corridor", "sea_cape", "-n", "300",
                 "--out", out, "--network", MINI)
    assert result.returncode == 2  # the small network has no Shanghai: refused before any work
    assert "unknown place 'Shanghai'" in result.stderr
    assert not written
    result = run("report", "Shanghai", "Rotterdam", "--corridor", "sea_suez", "--corridor", "sea_cape", "-n", "300",
                 "--out", out)
    assert result.returncode == 0, result.stderr
    s = written["settings"]
    assert (s.route_origin, s.route_destination) == ("Shanghai", "Rotterdam")
    assert (s.compare_origin, s.compare_destination) == ("Shanghai", "Rotterdam")
    assert (s.bottleneck_origin, s.bottleneck_destination) == ("Shanghai", "Rotterdam")
    assert s.route_via == ()
    assert s.route_avoid == ()
    assert s.corridors == ("sea_suez", "sea_cape")
    assert (s.journeys, s.seed) == (300, 0)
    run("report", "--out", out)
    assert written["settings"] == report.ReportSettings()  # no places: the report's own defaults


# --- what the commands print ------------------------------------------------------------------------------------------

def test_simulate_prints_the_distribution(run) -> None:
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


def test_claims_prints_every_claim_with_verdict_and_probabilities(run) -> None:
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


def test_a_delivery_schedule_is_printed_with_its_on_time_rate(run) -> None:
    result = run("claims", "titr_altynkol_poti_12", "-n", "1000")
    assert result.returncode == 0, result.stderr
    assert "on time" in result.stdout.splitlines()[3]  # the header of the readings' table
    assert "of journeys arrive within the schedule" in words(result.stdout)


def test_claims_checks_several_ids_and_prints_markdown(run) -> None:
    result = run("claims", "ady_2015_alashankou_tbilisi_8", "aliyev_2025_black_sea", "-n", "500", "--markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["| claim | who | window | verdict | readings that hold, by conditions |",
                         "|---|---|---|---|---|"]
    assert len(lines) == 4
    assert "Alashankou" in lines[2]
    assert "Ilham Aliyev" in lines[3]


def test_compare_says_when_no_corridor_serves_the_journey(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # the reason stays on one line
    result = run("compare", "Khorgos", "Aktau", "-n", "100", "--profile", "typical")
    assert result.returncode == 0, result.stderr
    assert "does not serve this journey" in words(result.stdout)
    assert "No named corridor serves this journey; `corridors route` gives the best route" in result.stdout


def test_compare_says_what_it_sorts_by_and_shows_it(run) -> None:
    out = run("compare", "Xi'an", "Duisburg", "-n", "100", "--conditions", "typical").stdout
    assert "sorted by rank: the mean of each corridor's ranks by median days, P90 days, cost and CO2e" in out
    header = next(line for line in out.splitlines() if line.startswith("rank"))
    assert "corridor" in header
    ranks = [int(line.split()[0]) for line in out.splitlines() if re.match(r"\s+\d+\s", line)]
    assert ranks
    assert ranks == sorted(ranks)
    assert ranks[0] == 1


def test_chart_writes_a_png(run, tmp_path: Path) -> None:
    target = tmp_path / "chart.png"
    result = run("chart", "Xi'an", "Poti", "--out", str(target), "-n", "1000")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("columns", ["80", "150"])
def test_tables_wrap_and_never_cut(run, net: corridors.Network, monkeypatch: pytest.MonkeyPatch,
                                   columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    out = run("compare", "Xi'an", "Duisburg", "-n", "100", "--conditions", "typical").stdout
    assert "…" not in out
    text = words(out)
    names = corridors.load_corridors(net)
    for corridor in names.values():
        for word in corridor.name.split():
            assert word in text, (corridor.name, word)
    assert "Northern route via Russia and Belarus" in words(out) or columns == "80"
    claims = run("claims", "aliyev_2025_black_sea", "-n", "100").stdout
    assert "…" not in claims
    claim = corridors.load_claims(net)["aliyev_2025_black_sea"]
    for reading in claim.readings:
        for word in reading.label.split():
            assert word in claims, (reading.label, word)
    assert "\x1b[" not in out + claims  # not a terminal: no colour codes


def test_leaks_of_internals_are_gone(run) -> None:
    neck = run("bottleneck", "Khorgos", "Poti").stdout
    assert not re.search(r"\b[a-z0-9_]+__[a-z0-9_]+\b", neck), "a raw leg id"
    scenario = run("scenario", "suez_closed", "Shanghai", "Rotterdam", "-n", "50").stdout
    assert "passage=" not in scenario
    assert "['suez'" not in scenario
    assert "close the passages Suez and Bab el Mandeb" in scenario
    added = run("scenario", "rasht_astara_railway", "Xian", "Istanbul", "-n", "50").stdout
    assert "waypoints" not in added
    assert "37.8 49.0" not in added
    assert "a new rail 1435 mm leg Rasht" in added
    closed = run("compare", "Shanghai", "Rotterdam", "--close", "suez", "-n", "50", "--conditions", "typical").stdout
    assert "closed: the passage Suez" in closed.splitlines()[0]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_and_silence_with_quiet(run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["simulate", "Urumqi", "Alat", "--network", MINI, "-n", "2000"]) == 0
    assert "simulating journeys" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert cli.main(["simulate", "Urumqi", "Alat", "--network", MINI, "-n", "2000", "--quiet"]) == 0
    assert quiet.getvalue() == ""
    monkeypatch.undo()
    # not a terminal: no progress bar; --quiet also silences the notes of what was written
    noted = run("route", "Urumqi", "Alat", "--network", MINI, "--map", str(tmp_path / "r.html"))
    assert noted.stderr.startswith("wrote map ")
    assert run("route", "Urumqi", "Alat", "--network", MINI, "--map", str(tmp_path / "r.html"), "-q").stderr == ""


def test_a_users_dataset_is_checked_against_its_own_claims(run, tmp_path: Path) -> None:
    folder = tmp_path / "dataset"
    shutil.copytree(corridors.data_path(), folder)
    claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
    claims[claims["id"] == "aliyev_2025_black_sea"].to_csv(folder / "claims.csv", index=False)
    readings = pd.read_csv(folder / "claim_readings.csv", dtype=str, keep_default_na=False)
    readings[readings["claim"] == "aliyev_2025_black_sea"].to_csv(folder / "claim_readings.csv", index=False)
    listed = json.loads(run("claims", "--list", "--json", "--network", str(folder)).stdout)
    assert [c["id"] for c in listed] == ["aliyev_2025_black_sea"]
    bundled = json.loads(run("claims", "--list", "--json").stdout)
    assert len(bundled) > 1


def test_every_answer_says_which_dataset_it_comes_from(run, tmp_path) -> None:
    from corridors.datasets import dataset_info

    info = dataset_info()
    shown = run("network")
    assert f"Dataset {info.version}, as of {info.as_of.isoformat()}" in shown.stdout
    for command in (["route", "Xi'an", "Poti"], ["simulate", "Xi'an", "Poti", "-n", "200"], ["network"]):
        data = json.loads(run(*command, "--json").stdout)
        assert data["dataset"] == {"version": info.version, "as_of": info.as_of.isoformat(),
                                   "sources": info.sources}
    own = tmp_path / "mine"
    shutil.copytree(corridors.data_path(), own)
    (own / "VERSION").unlink()
    data = json.loads(run("route", "Xi'an", "Poti", "--json", "--network", str(own)).stdout)
    assert data["dataset"]["version"] is None
