"""Sweeps: a grid's table is the same in process and on a cluster, grid mistakes are listed at once."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors import sweep as sw

GRID = """
scenarios = ["base", "caspian_storm"]
pairs = [["Xi'an", "Poti"], ["Aktau", "Baku"]]
conditions = ["typical", "congested"]
journeys = 300
seed = 11
"""


@pytest.fixture
def grid_file(tmp_path: Path) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(GRID, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("grid") / "grid.toml"
    path.write_text(GRID, encoding="utf-8")
    return sw.sweep(path, scheduler=sw.IN_PROCESS)


@pytest.fixture(scope="module")
def scheduler_address():
    distributed = pytest.importorskip("distributed")
    # started by the test as a user's own cluster would be, and given to the sweep by its address
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster:
        yield cluster.scheduler_address


def test_the_module_is_the_function(grid_file: Path, in_process: pd.DataFrame) -> None:
    # corridors.sweep(...) runs a sweep and corridors.sweep.load_grid(...) reads a grid
    pd.testing.assert_frame_equal(corridors.sweep(grid_file, scheduler=sw.IN_PROCESS), in_process, check_exact=True)
    assert corridors.sweep.load_grid(grid_file).journeys == 300


def test_a_row_per_scenario_pair_and_condition_in_the_grids_order(in_process: pd.DataFrame) -> None:
    assert len(in_process) == 2 * 2 * 2
    assert list(in_process.columns) == [c for c in sw.COLUMNS if c != "month"]
    keys = list(in_process[["scenario", "origin", "destination", "conditions"]].itertuples(index=False, name=None))
    assert keys[:4] == [("base", "xian", "poti_port", "typical"), ("base", "xian", "poti_port", "congested"),
                        ("base", "aktau_port", "baku", "typical"), ("base", "aktau_port", "baku", "congested")]
    assert in_process.attrs["ran"] == "in this process"


def test_figures_are_those_of_route_and_simulate(in_process: pd.DataFrame, net: corridors.Network) -> None:
    row = in_process.iloc[1]  # base, Xi'an → Poti, congested
    route = net.route("Xi'an", "Poti", conditions="congested")
    transit = corridors.simulate(route, n=int(row["journeys"]), seed=int(row["seed"]))
    assert row["p50_days"] == pytest.approx(transit.percentiles()["P50"])
    assert row["mean_days"] == pytest.approx(transit.mean_days)
    assert row["distance_km"] == pytest.approx(route.distance_km)
    assert row["cost_usd"] == pytest.approx(route.cost_usd)
    assert row["countries"] == "–".join(route.countries)
    assert row["p10_days"] < row["p50_days"] < row["p90_days"]
    # the congested set is slower than the typical one on the same booked route
    assert in_process.iloc[1]["p50_days"] > in_process.iloc[0]["p50_days"]


def test_a_row_names_the_corridors_whose_own_route_it_is(in_process: pd.DataFrame, net: corridors.Network) -> None:
    registry = corridors.load_corridors(net)
    base = in_process[(in_process["scenario"] == "base") & (in_process["conditions"] == "typical")]
    named = [(row.origin, row.destination, c) for row in base.itertuples() for c in row.corridors.split(";") if c]
    assert named  # the grid has a pair that is a stretch of a corridor
    for origin, destination, corridor in named:
        assert registry[corridor].route(net, origin, destination).places == net.route(origin, destination).places


def test_a_scenario_that_cuts_a_pair_gives_an_unreachable_row_with_the_reason(in_process: pd.DataFrame) -> None:
    storm = in_process[(in_process["scenario"] == "caspian_storm") & (in_process["origin"] == "aktau_port")]
    assert len(storm) == 2
    assert not storm["reachable"].any()
    assert storm["reason"].str.len().gt(0).all()
    assert storm["p50_days"].isna().all()
    assert storm["border_crossings"].isna().all()
    base = in_process[(in_process["scenario"] == "base") & (in_process["origin"] == "aktau_port")]
    assert base["reachable"].all()
    assert (base["reason"] == "").all()


def test_every_task_has_its_own_seed_spawned_from_the_grids(in_process: pd.DataFrame, grid_file: Path) -> None:
    assert in_process["seed"].is_unique
    again = sw.load_grid(grid_file).tasks()
    assert [t.seed for t in again] == in_process["seed"].tolist()
    other = sw.Grid.from_dict({**_grid_dict(), "seed": 12}).tasks()
    assert {t.seed for t in other}.isdisjoint(in_process["seed"])


def test_two_worker_cluster_gives_the_same_table_as_in_process(in_process: pd.DataFrame, grid_file: Path,
                                                              scheduler_address: str) -> None:
    on_cluster = sw.sweep(grid_file, scheduler=scheduler_address)
    assert "2 workers" in on_cluster.attrs["ran"]
    pd.testing.assert_frame_equal(on_cluster, in_process, check_exact=True, check_flags=False)


def test_workers_keep_the_networks_and_a_second_sweep_sends_their_names_only(
        in_process: pd.DataFrame, grid_file: Path, scheduler_address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    sw.sweep(grid_file, scheduler=scheduler_address)
    with distributed.Client(scheduler_address, set_as_default=False) as client:
        held = client.run(sw._held_tokens)
    networks, _ = sw._prepare(sw.load_grid(grid_file))
    tokens = {sw._token(n) for n in networks.values()}
    assert len(held) == 2
    assert all(tokens <= set(kept) for kept in held.values())
    sent: list[object] = []
    scatter = distributed.Client.scatter

    def watched(self, data, *args, **kwargs):
        sent.append(data)
        return scatter(self, data, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "scatter", watched)
    again = sw.sweep(grid_file, scheduler=scheduler_address)
    payload = next(d for d in sent if isinstance(d, dict))
    assert all(isinstance(h, sw.Held) and h.network is None for h in payload.values())  # names only
    pd.testing.assert_frame_equal(again, in_process, check_exact=True, check_flags=False)


def test_the_default_local_cluster_gives_the_same_table(in_process: pd.DataFrame, grid_file: Path) -> None:
    pytest.importorskip("distributed")
    started = sw.sweep(grid_file, workers=1)
    assert started.attrs["ran"] == "on a local Dask cluster of 1 worker process"
    pd.testing.assert_frame_equal(started, in_process, check_exact=True, check_flags=False)


def test_progress_counts_every_task_on_the_cluster(grid_file: Path, scheduler_address: str) -> None:
    seen: list[tuple[int, int]] = []
    sw.sweep(grid_file, scheduler=scheduler_address, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 8) for i in range(1, 9)]


def test_months_multiply_the_rows_and_name_the_month(tmp_path: Path, net: corridors.Network) -> None:
    grid = sw.Grid.from_dict({**_grid_dict(), "scenarios": ["base"], "pairs": [["Xi'an", "Poti"]],
                              "conditions": ["typical"], "months": ["Jan", 7]})
    frame = sw.sweep(grid, scheduler=sw.IN_PROCESS)
    assert frame["month"].tolist() == [1, 7]
    route = net.route("Xi'an", "Poti", conditions=net.conditions("typical", month=1))
    expected = corridors.simulate(route, n=300, seed=int(frame["seed"].iloc[0])).percentiles()["P90"]
    assert frame["p90_days"].iloc[0] == pytest.approx(expected)


def test_grid_problems_are_reported_all_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('scenarios = ["base", "no_such_scenario"]\npairs = [["Xi\'an"], ["Xi\'an", "Poti"]]\n'
                    'months = [13]\njourneys = 0\nseed = -1\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(sw.GridError) as caught:
        sw.load_grid(path)
    error = caught.value
    assert str(error).startswith("bad.toml: 7 problems")
    text = " | ".join(error.problems)
    for expected in ("unknown key 'colour'", "missing conditions", "no_such_scenario", "pairs #1", "month 13",
                     "journeys must be", "seed must be"):
        assert expected in text


def test_unknown_places_and_conditions_are_listed_before_any_task_runs(tmp_path: Path) -> None:
    grid = sw.Grid.from_dict({**_grid_dict(), "pairs": [["Xain", "Poti"], ["Poti", "Poti"]],
                              "conditions": ["typical", "2031"]}, origin="g.toml")
    with pytest.raises(sw.GridError) as caught:
        sw.sweep(grid, scheduler=sw.IN_PROCESS)
    problems = caught.value.problems
    assert len(problems) == 3
    assert "Xain" in problems[0]
    assert "did you mean" in problems[0]
    assert "same place" in problems[1]
    assert "2031" in problems[2]


def test_a_missing_or_broken_grid_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(sw.GridError, match="does not exist"):
        sw.load_grid(tmp_path / "nowhere.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("pairs = [[", encoding="utf-8")
    with pytest.raises(sw.GridError, match=r"broken\.toml: not valid TOML"):
        sw.load_grid(broken)


def test_a_scenario_file_is_found_beside_the_grid(tmp_path: Path) -> None:
    (tmp_path / "slow.toml").write_text('name = "Slow Kazakh rail"\n[[scale]]\nlegs = "rail"\ncountry = "KAZ"\n'
                                        "factor = 2.0\n", encoding="utf-8")
    (tmp_path / "grid.toml").write_text('scenarios = ["base", "slow.toml"]\npairs = [["Xi\'an", "Poti"]]\n'
                                        'conditions = ["typical"]\njourneys = 200\nseed = 1\n', encoding="utf-8")
    frame = sw.sweep(tmp_path / "grid.toml", scheduler=sw.IN_PROCESS)
    assert frame["scenario"].tolist() == ["base", "slow.toml"]
    assert frame["time_days"].iloc[1] > frame["time_days"].iloc[0]


def test_a_grid_sweeps_its_own_dataset_and_sees_its_changes(mini_dir: Path, tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(f'network = "{mini_dir.name}"\nscenarios = ["base"]\npairs = [["urumqi", "alat_port"]]\n'
                    'conditions = ["typical"]\njourneys = 100\nseed = 3\n', encoding="utf-8")
    shutil.move(mini_dir, tmp_path / mini_dir.name)
    assert sw.sweep(grid, scheduler=sw.IN_PROCESS)["distance_km"].tolist() == [3980.0]
    legs = tmp_path / mini_dir.name / "legs.csv"
    legs.write_text(legs.read_text(encoding="utf-8").replace(",3000,", ",3100,"), encoding="utf-8")
    # the edited file is read again, not the network kept from the first sweep
    assert sw.sweep(grid, scheduler=sw.IN_PROCESS)["distance_km"].tolist() == [4080.0]


def test_an_unreachable_scheduler_is_a_clear_corridor_error(grid_file: Path) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(corridors.CorridorError, match=r"cannot reach a Dask scheduler at 'tcp://127\.0\.0\.1:9'"):
        sw.sweep(grid_file, scheduler="tcp://127.0.0.1:9", connect_timeout_s=2)
    with pytest.raises(corridors.CorridorError, match="cannot reach a Dask scheduler at 'nonsense://x'"):
        sw.sweep(grid_file, scheduler="nonsense://x", connect_timeout_s=2)


def test_workers_size_only_a_local_cluster(grid_file: Path) -> None:
    with pytest.raises(corridors.CorridorError, match="local cluster"):
        sw.sweep(grid_file, scheduler="tcp://127.0.0.1:9", workers=2)
    with pytest.raises(corridors.CorridorError, match="whole number"):
        sw.sweep(grid_file, workers=0)


def test_without_dask_the_sweep_runs_in_process_and_says_so(grid_file: Path, in_process: pd.DataFrame,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.warns(sw.SweepWarning, match="Dask is not installed"):
        frame = sw.sweep(grid_file)
    assert frame.attrs["ran"] == "in this process"
    pd.testing.assert_frame_equal(frame, in_process, check_exact=True, check_flags=False)
    with pytest.raises(corridors.CorridorError, match="needs Dask"):
        sw.sweep(grid_file, scheduler="tcp://127.0.0.1:9")


def test_cli_entry_writes_parquet_and_prints_one_line(grid_file: Path, tmp_path: Path, in_process: pd.DataFrame,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "sweep.parquet"
    assert sw.run_sweep_cli(grid_file, scheduler=sw.IN_PROCESS, out=out) == 0
    printed = capsys.readouterr()
    assert printed.out.count("\n") == 1
    assert "8 rows (6 reachable)" in printed.out
    assert str(out) in printed.out
    assert printed.err == ""  # not a terminal: no progress bar
    pd.testing.assert_frame_equal(pd.read_parquet(out), in_process, check_exact=True, check_flags=False)


def test_cli_entry_turns_mistakes_into_one_line_and_exit_2(tmp_path: Path, grid_file: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert sw.run_sweep_cli(tmp_path / "missing.toml") == 2
    assert sw.run_sweep_cli(grid_file, scheduler=sw.IN_PROCESS, out=tmp_path / "table.xlsx") == 2
    printed = capsys.readouterr()
    lines = printed.err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("corridors sweep: ") for line in lines)
    assert "does not exist" in lines[0]
    assert ".parquet or a .csv" in lines[1]
    assert printed.out == ""


def test_a_process_keeps_one_network_per_dataset_and_scenario() -> None:
    storm = corridors.Scenario.from_toml("caspian_storm")
    assert sw._network(None, storm) is sw._network(None, corridors.Scenario.from_toml("caspian_storm"))
    assert sw._network(None, None) is sw._network(None, None)
    assert sw._network(None, storm) is not sw._network(None, None)


def _grid_dict() -> dict:
    return {"scenarios": ["base", "caspian_storm"], "pairs": [["Xi'an", "Poti"], ["Aktau", "Baku"]],
            "conditions": ["typical", "congested"], "journeys": 300, "seed": 11}


def test_the_command_line_sweeps_a_grid_in_process(tmp_path, capsys) -> None:
    from corridors.cli import main

    grid = tmp_path / "grid.toml"
    grid.write_text('scenarios = ["base"]\npairs = [["Xi\'an", "Duisburg"]]\nconditions = ["typical"]\n'
                    "journeys = 200\nseed = 3\n", encoding="utf-8")
    out = tmp_path / "sweep.csv"
    assert main(["sweep", str(grid), "--scheduler", "in-process", "--out", str(out)]) == 0
    assert "swept 1 rows (1 reachable) in this process" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert table.loc[0, "p50_days"] == round(table.loc[0, "p50_days"], 2)  # tidy: rounded to its unit
    assert main(["sweep", str(grid), "--out", str(tmp_path / "sweep.txt")]) == 2
    assert capsys.readouterr().err.strip() == "corridors sweep: sweep.txt: write a sweep to a .parquet or a .csv file"
    assert main(["sweep", str(grid), "--network", str(tmp_path)]) == 2
    assert "leave out --network" in capsys.readouterr().err
