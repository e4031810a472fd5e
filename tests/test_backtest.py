"""The backtest: the model against observed journeys and published through-rates. Its summaries are pinned so that a
change that makes the model worse is seen; the observations never feed a parameter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.backtest import backtest, load_observations, load_rate_observations
from corridors.cli import main
from corridors.errors import ValidationError

DATA = Path(corridors.datasets.data_path())


@pytest.fixture(scope="module")
def result(net: corridors.Network):
    return backtest(net, n=2000, seed=0)


def test_the_observations_cover_corridors_periods_and_kinds(net: corridors.Network) -> None:
    observations = load_observations(net)
    assert len(observations) >= 40
    assert len({o.corridor for o in observations}) >= 5
    assert len({o.period[:4] for o in observations}) >= 5
    assert {o.kind for o in observations} == {"measured_run", "reported_average", "schedule", "quote"}
    assert all(o.source in net.sources.index for o in observations)


def test_every_observation_is_routed_and_read_under_its_period(result) -> None:
    table = result.table()
    assert table["available"].all(), result.unavailable
    assert (table["p10_days"] <= table["p50_days"]).all()
    assert (table["p50_days"] <= table["p90_days"]).all()
    # a journey dated to a month meets its year's set in that month; one dated only to its year, every month of it
    assert set(table.loc[table["period_year"] == "2022", "conditions"]) >= {"2022 in June", "2022, month by month"}
    assert set(table.loc[table["period"] == "2024-11", "conditions"]) == {"2024-11"}
    # no condition set for 2016: typical, with the queues of 2016's traffic (none: no volumes that year), in the
    # observation's month where it names one
    in_2016 = table[table["period_year"] == "2016"]
    assert (in_2016["conditions"].str.fullmatch(r"typical with 2016 traffic( in [A-Z][a-z]+)?")).all()
    inside = (table["p10_days"] <= table["observed_days"]) & (table["observed_days"] <= table["p90_days"])
    assert (inside == table["inside"]).all()


def test_a_period_without_its_own_set_meets_its_own_year_s_traffic(net: corridors.Network) -> None:
    from corridors.backtest import period_conditions

    # 2015 has no condition set: typical, but its queues read 2015's traffic, not the typical preset's 2025
    in_2015 = period_conditions(net, "2015-08", 8)
    assert (in_2015.default, in_2015.year, in_2015.month) == ("typical", 2015, 8)
    assert net.conditions("typical").year == 2025
    # the dataset gives no Caspian container volume for 2015, so the Aktau feeders have no queue then, as in 2019's
    # own set; under the typical preset (2025's traffic) they have one
    route = net.route("Dostyk", "Alat", via=["Aktau"])
    queued = [e for e in route.under(net.conditions("typical")).elements if getattr(e.priced.time, "queue", None)]
    assert queued
    assert not [e for e in route.under(in_2015).elements if getattr(e.priced.time, "queue", None)]
    # a period with its own set keeps it, and its year
    assert period_conditions(net, "2024").year == 2024


def test_observations_that_share_a_source_with_a_parameter_are_left_out(net: corridors.Network, result) -> None:
    cited = {s for t in net.parameters.tables().values() for refs in t["sources"] for s in refs}
    table = result.table()
    assert (table["independent"] == ~table["source"].isin(cited)).all()
    assert not table["independent"].all()  # e.g. the KTZ 2024 train whose Kazakh run gave a running speed
    assert result.summary().iloc[0]["observations"] == table["independent"].sum()


def test_the_backtest_summaries_do_not_get_worse(result) -> None:
    # Pinned on the model as it stands (2,000 journeys, seed 0; measured on data 0.2.3: MdAPE 17.5%, 55% inside
    # P10–P90, bias +1.2%; Middle Corridor via the Black Sea 21.9%, northern route 13.3%). The goals (MdAPE ≤ 20%
    # overall and ≤ 30% per corridor with 5 or more observations, 70% inside) are met but for the coverage. Single
    # journeys' own spread around each element's state (corridors.spreads, measured coefficients of variation) took
    # it from 42% to 56% for runs,
    # schedules and quotes; reported averages are read on the period's average journey, where that spread averages
    # out, and 1 of 8 lies inside: the states themselves miss them (the model is slow for ADY's 2024 averages, fast
    # for the 2025 adviser's and JOC's Cape figure). The rail legs of one train sharing their factor (the rail
    # statistics are of whole runs) took the coverage from 50% to 53% (52% on each of seeds 0-4 with 4,000 journeys).
    # Data 0.2.2 congests in each period only what its sources describe (westbound reloading queues, the Chinese
    # posts typical in 2023, the northern Kazakh line typical in 2022): the same 53%. Data 0.2.3 gives the Burgas
    # and Varna ferries their rail lines inland (before, a train booked Poti → Burgas sailed back to Constanța: KTZ's
    # 25 days to Budapest of 2024 read against 40): 55% (52-55% on seeds 0-2). Data 0.2.5 lets a typical sailing be on
    # the fast weekly services as well as the slow ones (the typical row's low is the scheduled low, as its high was
    # the scheduled high): MdAPE 16.2%, 58% inside. A period without its own condition set reads typical with its
    # own year's traffic in the queues, not 2025's (the Nomad Express of 2015 no longer queues behind 2025's feeders):
    # MdAPE 16.1%, 58%. Data 0.2.6 gives the westbound transfer at Małaszewicze its sourced border wait (two to
    # three days in a regular trip, easily five; an estimate of one day before): MdAPE 16.1%, 65%, the route via
    # Russia 85% inside (65% before) and its bias -6% (-12%). Data 0.2.7 puts the fast loops round the Cape in the
    # Red Sea crisis rows too (every loop sailed at the slow loop's pace before): MdAPE 16.0%, 67%. Data 0.2.8 prices
    # a train leaving Kazakhstan for China by CPMM's outbound border time, no longer by the inbound one (the fixed
    # eastbound schedule of 2023 comes inside): 68%. Data 0.2.9 stops counting the BTK stops twice in the Georgian
    # rail speed (as the Azerbaijani row already did): MdAPE 16.0%, 68%. Data 0.2.10 reads the Kazakh exit at the
    # Caspian ports in a congested period from CPMM's outbound series (11.4 h, the slowest year) instead of a 24-h
    # estimate with no source: 70% (41 or 42 of 60 on seeds 0-4 with 4,000 journeys: Iran's 10 days to Tehran sits
    # at the model's P10 itself, 9.86-10.01 days; with 20,000 journeys its P10 settles at 9.92-9.95 and 42 of 60 lie
    # inside on every seed tried). No parameter is widened to meet the goal, which is pinned here.
    overall = result.summary().iloc[0]
    assert overall["observations"] >= 40
    assert overall["mdape_pct"] <= 17.0
    assert overall["coverage"] >= 0.70
    by_kind = result.summary("kind")
    assert by_kind.loc["measured_run", "coverage"] >= 0.55
    by_corridor = result.summary("corridor")
    assert by_corridor.loc["northern", "mdape_pct"] <= 14.0
    assert by_corridor.loc["northern", "coverage"] >= 0.85
    assert by_corridor.loc["sea_suez", "mdape_pct"] <= 10.0
    assert by_corridor.loc["middle_black_sea", "mdape_pct"] <= 25.0
    assert set(result.summary("period_year").index) >= {"2019", "2022", "2023", "2024", "2025"}


def test_the_scatter_of_the_observations_is_set_against_the_model_s_own_spread(result) -> None:
    from corridors.backtest import Backtest

    # five observations at 0.5, 0.9, 1, 1.1 and 2 times the model's median, each with P10–P90 at 0.8–1.2 times it;
    # one more left out (not independent). Inside as they stand: 0.9, 1 and 1.1 (3 of 5); no one factor brings in
    # a fourth (0.5 and 2 are four times apart, the intervals 1.5), and 1.1 / 1.2 is the first factor at which the
    # three are inside (the sweep's first point of greatest overlap)
    observed = [5.0, 9.0, 10.0, 11.0, 20.0]
    rows = pd.DataFrame({"available": [True] * 6, "independent": [True] * 5 + [False],
                         "observed_days": [*observed, 99.0], "p50_days": [10.0] * 6,
                         "p10_days": [8.0] * 6, "p90_days": [12.0] * 6})
    scatter = Backtest(rows, n=1, seed=0).scatter()
    low, high = np.exp(np.quantile(np.log([0.5, 0.9, 1.0, 1.1, 2.0]), (0.1, 0.9)))
    assert scatter == {"observed_p10": round(low, 2), "observed_p90": round(high, 2), "model_factor": 1.5,
                       "best_shift": round(1.1 / 1.2, 2), "best_shift_coverage": 0.6}
    # shifted off-centre by a factor 1.3, the same observations are found again at the shift that undoes it
    shifted = rows.assign(p10_days=rows["p10_days"] * 1.3, p50_days=rows["p50_days"] * 1.3,
                          p90_days=rows["p90_days"] * 1.3)
    moved = Backtest(shifted, n=1, seed=0).scatter()
    assert moved["best_shift_coverage"] == 0.6
    assert moved["best_shift"] == pytest.approx(1.1 / 1.2 / 1.3, abs=0.01)
    # on the bundled data the model carries no shared bias that one factor on every journey would undo: the best
    # such factor lies within 5% of 1 and gains fewer than ten points of coverage (measured on data 0.2.7, 2,000
    # journeys: 75% at ×0.97, against 70% as the model stands; on data 0.2.4, 62% against 55%). The published
    # figures scatter more widely (0.73–1.27 times the median) than one simulated journey varies (P90/P10 1.57).
    bundled = result.scatter()
    assert bundled["observed_p10"] < 1 < bundled["observed_p90"]
    coverage = result.summary().iloc[0]["coverage"]
    assert 0.95 <= bundled["best_shift"] <= 1.05
    assert coverage <= bundled["best_shift_coverage"] < coverage + 0.1


def test_a_miss_is_read_against_what_each_group_s_documented_states_allow() -> None:
    from corridors.reach import VERDICTS, Reach

    slower = Reach(4.0, "congested", (("northern_borders", 8.4), ("chinese_rail", 5.2), ("europe_rail", 1.0)), 12.0)
    assert slower.verdict == VERDICTS[0]
    assert slower.alone == ("northern_borders", "chinese_rail")
    assert slower.describe() == "alone at its congested state: northern_borders +8.4 d, chinese_rail +5.2 d"
    # with the levels the observation's condition set gives the groups, a one-group verdict says what the model held
    held = Reach(4.0, "congested", (("northern_borders", 8.4),), 8.4, (("northern_borders", "typical"),), "2019")
    assert held.describe() == "alone at its congested state: northern_borders +8.4 d (typical in 2019)"
    faster = Reach(-3.0, "best", (("caspian", -2.8), ("kazakh_rail", -1.0)), -4.7)
    assert faster.verdict == VERDICTS[1]
    assert faster.alone == ()
    assert faster.describe() == ("no group alone (the most one group: caspian -2.8 d); all 2 groups at their best "
                                 "state: -4.7 d")
    # where a few groups reach it together, it names them (added by their single moves, largest first)
    pair = Reach(-3.0, "best", (("caspian", -2.8), ("kazakh_rail", -1.0), ("chinese_rail", -0.5)), -4.7,
                 combined=("caspian", "kazakh_rail"), combined_days=-3.6)
    assert pair.describe() == ("no group alone (the most one group: caspian -2.8 d); together caspian + kazakh_rail: "
                               "-3.6 d (all 3 groups at their best state: -4.7 d)")
    # a move the wrong way never counts, however large
    beyond = Reach(-6.0, "best", (("red_sea", -2.0), ("sea_ports", 0.5)), -2.0)
    assert beyond.verdict == VERDICTS[2]
    assert beyond.describe() == "all 2 groups at their best state give only -2.0 d (the most one group: red_sea -2.0 d)"
    assert Reach(5.0, "congested", (("caspian", -9.0),), -9.0).verdict == VERDICTS[2]
    # a network of one's own may name no groups: then nothing can be moved, and it says so
    nothing = Reach(2.0, "congested", (), 0.0)
    assert nothing.verdict == VERDICTS[2]
    assert nothing.describe().startswith("no group of elements on the route")


def test_every_miss_says_which_group_reaches_it_and_the_moves_are_real(net: corridors.Network, result) -> None:
    from corridors.backtest import conditions_for, period_month, span_days
    from corridors.simulation import simulate

    table = result.table()
    misses = result.misses()
    outside = table[table["available"] & ~table["inside"].astype(bool)]
    assert list(misses["id"]) == list(outside["id"])
    assert misses["reach"].notna().all()
    # the groups that reach a miss, alone or together, are named wherever some do
    assert (misses.loc[misses["reach"] != "beyond the ranges", "reach_groups"].str.len() > 0).all()
    assert table.loc[table["inside"].astype(bool), "reach"].isna().all()
    # observed slower: the groups are congested; observed faster: relieved to their best case
    assert (np.sign(misses["needed_days"]) == np.sign(misses["observed_days"] - misses["p50_days"])).all()
    counts = result.reach_summary()
    assert sum(counts.values()) == int(misses["independent"].sum())
    # pinned on data 0.2.10 (2,000 journeys, seed 0), so that a change to the element ranges is seen: 3 misses are
    # reached by one group alone, 9 only by several, 6 by none (8 one-group misses on data 0.2.5: the route via
    # Russia observed 3-4 days slower in 2019 and 2024, which the westbound Małaszewicze transfer of data 0.2.6 now
    # brings inside; the slow 2020 sea loop, reached by the Red Sea's congested state until data 0.2.7 sailed every
    # loop of the crisis at the slow pace, is now beyond the ranges; the eastbound fixed schedule of 2023, reached
    # by several groups until data 0.2.8 priced its exit from Kazakhstan by the exit side's time, is inside; ADY's
    # 12 days China → Georgian ports of 2024 is reached by the Caspian alone since data 0.2.9's Georgian rail speed;
    # Xi'an → Baku in 11 days of 2025 is inside since data 0.2.10's Kazakh port exit)
    assert counts == {"one group": 3, "several groups": 9, "beyond the ranges": 6}
    # the move a miss reports is the median's move with that group at its state: re-simulated here on its own (ADY's
    # 12 days China → Georgian ports in September 2024, observed faster than the model: the Caspian at its best case)
    row = misses.set_index("id").loc["ady_2024_china_georgia_average"]
    assert row["reach"] == "one group"
    assert row["reach_groups"].split(";")[0] == "caspian"
    observation = next(o for o in load_observations(net) if o.id == "ady_2024_china_georgia_average")
    route = net.route(observation.origin, observation.destination, via=observation.via,
                      avoid=corridors.load_corridors(net)[observation.corridor].avoid)
    base = net.conditions(conditions_for(observation.period, net), month=period_month(observation.period))

    def median(conditions) -> float:
        return float(np.median(span_days(simulate(route.under(conditions), n=1000, seed=0, keep_samples=True),
                                         observation.scope)))

    moved = median(net.conditions(base, relieve=["caspian"])) - median(base)
    assert moved <= row["needed_days"] < 0


def test_costs_are_checked_against_published_through_rates(net: corridors.Network, result) -> None:
    rates = load_rate_observations(net)
    assert len({r.corridor for r in rates}) >= 4
    costs = result.costs()
    assert len(costs) == len(rates)
    available = costs[costs["available"]]
    assert available["model_price_years"].str.match(r"^\d{4}(–\d{4})?$").all()
    assert available["largest_costs"].str.contains("US\\$").all()  # a large gap is explained by its elements
    # under the 2023-12 conditions the Red Sea is closed: the Suez corridor is not available, and says why
    closed = costs[(costs["corridor"] == "sea_suez") & (costs["conditions"] == "2023-12")]
    assert not closed["available"].any()
    assert closed["reason"].str.contains("closed under the conditions 2023-12").all()
    assert set(result.cost_summary().index) >= {"middle_btk", "northern", "sea_suez", "sea_cape"}


def test_backtest_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "backtest.png"
    assert main(["backtest", "-n", "300", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "median absolute error of the model's median" in out
    assert "× the model's median (P10–P90), one simulated journey's P90/P10 is" in out
    assert "by corridor" in out
    assert "Costs:" in out
    assert "The misses, element by element" in out
    assert "northern_borders" in out
    assert chart.stat().st_size > 10_000
    assert main(["backtest", "-n", "300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"summary", "scatter", "reach", "by_corridor", "by_period_year", "by_kind", "rows", "costs"} <= set(data)
    assert set(data["reach"]) == {"one group", "several groups", "beyond the ranges"}
    assert all(row["reach_said"] for row in data["rows"] if row["available"] and not row["inside"])
    assert main(["backtest", "-n", "300", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("id,corridor,origin,destination,period")
    assert main(["backtest", "-n", "0"]) == 2
    assert "journeys must be positive" in capsys.readouterr().err


def test_a_malformed_observations_file_lists_every_problem(tmp_path: Path, net: corridors.Network) -> None:
    table = pd.read_csv(DATA / "observations.csv", dtype=str, keep_default_na=False).head(3)
    table.loc[0, "origin"] = "Atlantis"
    table.loc[1, "kind"] = "rumour"
    table.loc[2, "low_days"] = "12"
    table.loc[2, "high_days"] = "9"
    path = tmp_path / "observations.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValidationError) as caught:
        load_observations(net, path)
    text = str(caught.value)
    assert "observations.csv, line 2, field 'origin': unknown place 'Atlantis'" in text
    assert "line 3, field 'kind': unknown kind 'rumour'" in text
    assert "line 4, field 'high_days'" in text


def test_an_observation_counts_what_its_source_counts(net) -> None:
    """A port-to-port transit time runs from the first sailing to the last arrival: the origin port's clearance and
    the wait for the sailing are left out, as are the destination's stops; a door-to-door figure keeps them."""
    from corridors.backtest import span_days

    sea = corridors.load_corridors(net)["sea_suez"].route(net, "Shanghai", "Rotterdam")
    transit = sea.simulate(n=500, seed=1)
    elements = transit.elements["element"].to_numpy()
    legs = np.flatnonzero(elements == "leg")
    assert legs[0] > 0  # the journey starts with stops at the origin port
    inner = transit.samples_h[legs[0]: legs[-1] + 1].sum(axis=0, dtype=np.float64) / 24.0
    assert np.allclose(span_days(transit, "departure_to_arrival"), inner, rtol=1e-5)
    assert np.array_equal(span_days(transit, "door_to_door"), transit.total_days)
    rail = net.route("Xi'an", "Duisburg").simulate(n=200, seed=1)  # no stop before the first train leaves
    assert np.allclose(span_days(rail), rail.total_days - rail.samples_h[
        np.flatnonzero(rail.elements["element"].to_numpy() == "leg")[-1] + 1:].sum(axis=0) / 24.0, rtol=1e-5)


def test_an_unknown_scope_is_reported_with_its_line(net, tmp_path) -> None:
    from corridors.backtest import load_observations

    frame = pd.read_csv(corridors.data_path() / "observations.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "scope"] = "gate_to_gate"
    path = tmp_path / "observations.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(corridors.ValidationError, match=r"line 5.*scope.*gate_to_gate"):
        load_observations(net, path)
    frame.drop(columns="scope").to_csv(path, index=False)  # optional: without it, departure to arrival
    assert {o.scope for o in load_observations(net, path)} == {"departure_to_arrival"}


def test_the_report_says_what_one_factor_would_bring_and_that_it_is_not_applied() -> None:
    from corridors.report import _scatter_said

    scatter = {"observed_p10": 0.7, "observed_p90": 1.3, "model_factor": 1.5, "best_shift": 0.97}
    short = _scatter_said({**scatter, "best_shift_coverage": 0.6})
    assert "brings 60% of the observations inside: recentring cannot reach 70%" in short
    within = _scatter_said({**scatter, "best_shift_coverage": 0.73})
    assert "brings 73% of the observations inside, 70% or more; the model applies no such factor" in within
    assert _scatter_said({}) == ""


def test_the_command_the_report_and_the_library_draw_the_same_journeys() -> None:
    # an observation at the model's P10 or P90 falls inside or out by sampling when the counts differ, so the three
    # share one default: `corridors backtest`, the report's backtest section and corridors.backtest()
    import inspect

    from corridors.backtest import BACKTEST_JOURNEYS
    from corridors.cli import build_parser
    from corridors.report import ReportSettings

    parser = build_parser()
    command = parser.parse_args(["backtest"])
    assert command.journeys == BACKTEST_JOURNEYS
    assert inspect.signature(backtest).parameters["n"].default == BACKTEST_JOURNEYS
    assert ReportSettings().journeys >= BACKTEST_JOURNEYS  # the report draws min(its journeys, the default)


def test_the_report_says_the_bias_in_words() -> None:
    from corridors.report import _bias_said

    assert _bias_said(0.6) == "it is on balance 1% slower"
    assert _bias_said(-6.3) == "it is on balance 6% faster"
    assert _bias_said(-0.2) == "it is balanced, within 0.5% either way"
