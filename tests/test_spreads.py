"""The spread of single journeys around an element's state (corridors.spreads, dispersion.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.errors import ValidationError
from corridors.simulation import _factor_table
from corridors.spreads import shared_factor_keys


def _with_dispersion(folder: Path, rows: list[dict[str, object]]) -> None:
    pd.DataFrame([{"period": "", "quote": "", "status": "measured", "sources": "silkroute_titr", "note": "test",
                   **row} for row in rows]).to_csv(folder / "dispersion.csv", index=False)


@pytest.mark.parametrize("cv", [0.1, 0.6, 1.5])
def test_a_factor_has_mean_one_and_the_stated_spread(cv: float) -> None:
    table = _factor_table(cv).astype(np.float64)
    assert table.mean() == pytest.approx(1.0, abs=1e-4)
    assert table.std() / table.mean() == pytest.approx(cv, rel=1e-3)
    assert (table > 0).all()


def test_a_spread_keeps_an_elements_mean_and_widens_it(mini_dir: Path, mini: corridors.Network) -> None:
    _with_dispersion(mini_dir, [{"element": "border_crossing:*", "cv": 0.8}])
    spread = corridors.load_network(mini_dir)
    before = mini.route("Ürümqi", "Dostyk").simulate(n=200_000, seed=1)
    after = spread.route("Ürümqi", "Dostyk").simulate(n=200_000, seed=1)
    crossings = [i for i, e in enumerate(after.route.elements) if e.kind == "border_crossing"]
    assert crossings
    for i in crossings:
        old, new = before.samples_h[i].astype(float), after.samples_h[i].astype(float)
        assert new.mean() == pytest.approx(old.mean(), rel=0.01)
        # independent factor of cv c on a time of cv v: (1 + v²)(1 + c²) − 1
        v = old.std() / old.mean()
        assert new.std() / new.mean() == pytest.approx(np.sqrt((1 + v * v) * (1 + 0.8 ** 2) - 1), rel=0.02)
    others = [i for i, e in enumerate(after.route.elements) if e.kind != "border_crossing"]
    for i in others:  # rail running and the gauge change have no row: drawn as before
        assert after.samples_h[i].std() == pytest.approx(before.samples_h[i].std(), rel=0.02)
    p10, _, p90 = after.percentiles().values()
    q10, _, q90 = before.percentiles().values()
    assert p90 - p10 > q90 - q10


def test_the_rail_legs_of_one_train_share_a_factor() -> None:
    # a border without a gauge change keeps the train; a gauge change, a port or a ship ends it
    kinds = ["rail", "rail", "border_crossing", "weather_closure", "rail", "gauge_change", "rail", "port_handling",
             "ferry_wait", "ferry", "port_handling", "rail", "transshipment", "road", "rail"]
    assert shared_factor_keys(kinds) == [0, 0, None, None, 0, None, 1, None, None, None, None, 2, None, None, 3]
    assert shared_factor_keys(["ferry_wait", "ferry", "rail"]) == [None, None, 0]  # no train before: none ended
    assert shared_factor_keys([]) == []


def test_a_trains_run_varies_as_much_as_one_leg(net: corridors.Network) -> None:
    # The rail statistics measure whole runs, and 0.17 holds for a 6-hour run and for an 8.8-day trip alike: a
    # train's legs share one factor, so its run keeps the leg's spread instead of averaging it away.
    route = net.route("Xi'an", "Alashankou")
    rail = [i for i, e in enumerate(route.elements) if e.kind == "rail"]
    assert len(rail) >= 3
    keys = shared_factor_keys([e.kind for e in route.elements])
    assert {keys[i] for i in rail} == {0}  # one train
    (c,) = {route.elements[i].priced.time.spread for i in rail}
    assert c > 0
    one = route.simulate(n=100_000, seed=1).samples_h[rail].astype(float).sum(axis=0)
    state = route.simulate(n=100_000, seed=2, single_journey=False).samples_h[rail].astype(float).sum(axis=0)
    v = state.std() / state.mean()
    assert one.mean() == pytest.approx(state.mean(), rel=0.01)
    # one factor of cv c on the run: (1 + v²)(1 + c²) − 1; a factor per leg would give the run less than that
    assert one.std() / one.mean() == pytest.approx(np.sqrt((1 + v * v) * (1 + c * c) - 1), rel=0.02)


def test_the_most_specific_selector_gives_the_spread(mini_dir: Path) -> None:
    _with_dispersion(mini_dir, [{"element": "border_crossing:*", "cv": 0.2},
                                {"element": "border_crossing:dostyk", "cv": 1.2},
                                {"element": "rail:CHN", "cv": 0.3}])
    net = corridors.load_network(mini_dir)
    route = net.route("Ürümqi", "Dostyk")
    spreads = {(e.kind, e.place): e.priced.time.spread for e in route.elements}
    assert spreads[("border_crossing", "dostyk")] == 1.2
    assert spreads[("border_crossing", "alashankou")] == 0.2
    leg = next(e for e in route.legs if e.leg == "urumqi__alashankou")
    assert leg.priced.time.spread == pytest.approx(0.3)  # both ends in China
    across = next(e for e in route.legs if e.leg == "alashankou__dostyk")
    assert across.priced.time.spread == pytest.approx(0.15)  # half its km in China, half in Kazakhstan (no row)
    assert "silkroute_titr" in leg.priced.sources


def test_the_best_case_and_scheduled_waits_have_no_spread(net: corridors.Network) -> None:
    best = net.route("Xi'an", "Poti", conditions="best")
    assert all(e.priced.time.spread == 0.0 for e in best.elements)
    typical = net.route("Xi'an", "Poti")
    assert any(e.priced.time.spread > 0 for e in typical.elements)
    for e in typical.elements:
        if e.priced.time.way in ("headway", "fixed"):
            assert e.priced.time.spread == 0.0


def test_a_bad_selector_is_named_with_file_line_and_field(mini_dir: Path) -> None:
    _with_dispersion(mini_dir, [{"element": "border_crossing:*", "cv": 0.5},
                                {"element": "border_crossing:atlantis", "cv": 0.5},
                                {"element": "teleport:*", "cv": 0.5},
                                {"element": "border_crossing:*", "cv": 0.7},
                                {"element": "rail:KAZ", "cv": 7}])
    with pytest.raises(ValidationError) as caught:
        corridors.load_network(mini_dir)
    said = [(p.file, p.row, p.field) for p in caught.value.problems]
    assert ("dispersion.csv", "line 3", "element") in said  # unknown place
    assert ("dispersion.csv", "line 4", "element") in said  # unknown kind
    assert any(p.file == "dispersion.csv" and p.row == "line 5" for p in caught.value.problems)  # given twice
    assert ("dispersion.csv", "line 6", "cv") in said  # past the contract's bound
    message = str(caught.value)
    assert "atlantis" in message
    assert "teleport" in message


def test_a_spread_source_is_a_parameter_for_the_backtest(mini_dir: Path) -> None:
    from corridors.spreads import spread_book

    _with_dispersion(mini_dir, [{"element": "border_crossing:*", "cv": 0.5, "sources": "sr_center_caspian"}])
    assert spread_book(corridors.load_network(mini_dir)).sources == {"sr_center_caspian"}


def test_the_period_average_journey_has_the_states_spread_only(net: corridors.Network,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    route = net.route("Xi'an", "Poti")
    one = route.simulate(n=40_000, seed=5)
    average = route.simulate(n=40_000, seed=5, single_journey=False)
    assert one.single_journey
    assert not average.single_journey
    assert one.mean_days == pytest.approx(average.mean_days, rel=0.01)  # the factors have mean 1
    width = {t.single_journey: t.percentiles((10, 90))["P90"] - t.percentiles((10, 90))["P10"] for t in (one, average)}
    assert width[True] > width[False]
    assert main(["simulate", "Xi'an", "Poti", "-n", "500", "--period-average"]) == 0
    assert "the period's average journey" in capsys.readouterr().out.splitlines()[0]
    assert main(["simulate", "Xi'an", "Poti", "-n", "500", "--json", "--period-average"]) == 0
    assert '"single_journey": false' in capsys.readouterr().out


def test_the_backtest_reads_a_reported_average_on_the_average_journey(net: corridors.Network) -> None:
    from dataclasses import replace

    from corridors.backtest import backtest, load_observations

    run = next(o for o in load_observations(net) if o.id == "trend_2024_xian_baku_jan_run")
    as_average = replace(run, id="as_average", kind="reported_average")
    table = backtest(net, observations=[run, as_average], n=4000, seed=0, costs=False).table().set_index("id")
    spread = table["p90_days"] - table["p10_days"]
    assert spread["as_average"] < spread[run.id]
