"""Transit time as a distribution: reproducible, faithful to the data, ferries as a service."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.timing import split_triangular


def _fixed_times(folder: Path, *, service: str, disruption: tuple[float, float] | None = None) -> None:
    """Make every time in the small dataset a fixed value, and give the ferry a service pattern."""
    for table, unit in (("stop_times", "h"), ("speeds", "kmh")):
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        frame[f"low_{unit}"] = frame[f"typical_{unit}"]
        frame[f"high_{unit}"] = frame[f"typical_{unit}"]
        frame.to_csv(folder / f"{table}.csv", index=False)
    legs = pd.read_csv(folder / "legs.csv", dtype=str, keep_default_na=False)
    legs.loc[legs["mode"] == "ferry", "service"] = service
    legs.to_csv(folder / "legs.csv", index=False)
    if disruption is not None:
        probability, hours = disruption
        pd.DataFrame([{"kind": "weather_closure", "place": "aktau_port", "profile": "typical",
                       "probability": probability, "low_h": hours, "typical_h": hours, "high_h": hours,
                       "status": "estimate", "sources": "sr_center_caspian", "note": "test"}]).to_csv(
            folder / "disruptions.csv", index=False)


def test_split_triangular_has_its_typical_value_as_median() -> None:
    u = np.random.default_rng(3).random(400_000)
    x = split_triangular(2.0, 5.0, 20.0, u)
    assert np.median(x) == pytest.approx(5.0, rel=0.01)
    assert x.min() >= 2.0
    assert x.max() <= 20.0
    assert np.mean(x < 5.0) == pytest.approx(0.5, abs=0.005)


def test_same_seed_same_numbers(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    a, b = route.simulate(n=3000, seed=7), route.simulate(n=3000, seed=7)
    assert np.array_equal(a.total_h, b.total_h)
    assert np.array_equal(a.samples_h, b.samples_h)
    assert not np.array_equal(a.total_h, route.simulate(n=3000, seed=8).total_h)


def test_a_scheduled_ferry_waits_for_its_next_departure(mini_dir: Path) -> None:
    _fixed_times(mini_dir, service="2/week")
    net = corridors.load_network(mini_dir)
    route = net.route("Urumqi", "Alat")
    transit = route.simulate(n=50, start_hour=0.0)
    rows = transit.elements
    wait = int(np.flatnonzero(rows["kind"] == "ferry_wait")[0])
    # by hand: everything before the wait is fixed, so the ferry port is reached at the same hour every time
    reached_h = float(transit.samples_h[:wait, 0].astype(np.float64).sum())
    expected = (84.0 - reached_h % 84.0) % 84.0  # departures every 168 / 2 = 84 h from Monday 00:00
    assert transit.samples_h[wait] == pytest.approx(np.full(50, expected), abs=1e-3)
    # departing 10 hours later shifts the arrival at the port, and the wait shortens by as much (mod 84)
    later = route.simulate(n=5, start_hour=10.0)
    assert later.samples_h[wait, 0] == pytest.approx((expected - 10.0) % 84.0, abs=1e-3)
    # from a random time of the week the wait is uniform on 0..84 h: mean 42 h
    spread = route.simulate(n=40_000, seed=1)
    assert float(spread.samples_h[wait].mean()) == pytest.approx(42.0, rel=0.02)


def test_a_service_rarer_than_weekly_is_met_at_a_random_phase(mini_dir: Path) -> None:
    # three departures a month (0.7 a week, every 240 h): a journey started at a random time waits uniformly on
    # 0..240 h, mean 120 h. Spreading starts over one week only would make every wait at least 72 h.
    _fixed_times(mini_dir, service="0.7/week")
    route = corridors.load_network(mini_dir).route("Urumqi", "Alat")
    transit = route.simulate(n=40_000, seed=4)
    wait = transit.samples_h[int(np.flatnonzero(transit.elements["kind"] == "ferry_wait")[0])]
    assert float(wait.mean()) == pytest.approx(120.0, rel=0.02)
    assert np.mean(wait < 72.0) == pytest.approx(72.0 / 240.0, abs=0.01)
    assert wait.max() <= 240.0 + 1e-3


def test_weather_closures_hold_the_share_of_departures_they_hit(mini_dir: Path) -> None:
    _fixed_times(mini_dir, service="unscheduled", disruption=(0.25, 36.0))
    route = corridors.load_network(mini_dir).route("Urumqi", "Alat")
    transit = route.simulate(n=40_000, seed=2)
    closure = transit.samples_h[np.flatnonzero(transit.elements["kind"] == "weather_closure")[0]]
    assert np.mean(closure > 0) == pytest.approx(0.25, abs=0.01)
    assert set(np.unique(closure)) == {0.0, 36.0}
    baseline = route.simulate(n=10, seed=2).total_h.min()
    assert transit.total_h.max() == pytest.approx(baseline + 36.0)


def test_sampled_medians_reproduce_the_typical_values(net: corridors.Network) -> None:
    # the state of each element, without the spread of single journeys around it (test_spreads checks that)
    route = net.route("Xi'an", "Poti")
    transit = route.simulate(n=60_000, seed=11, single_journey=False)
    contributions = transit.contributions()
    stops = contributions[contributions["element"] == "stop"]
    queued = {e.place for e in route.stops if e.priced is not None and e.priced.time.queue is not None}
    for kind, place, leg, median in zip(stops["kind"], stops["place"], stops["leg"], stops["median_h"], strict=True):
        if kind == "weather_closure" or (kind == "ferry_wait" and net.legs.at[leg, "service"] != "unscheduled"):
            continue  # drawn from a disruption or from a scheduled service's departures, not from stop times
        if kind == "ferry_wait" and place in queued:
            continue  # a queue adds an exponential delay to the best-case wait (tested in test_conditions)
        expected = net.parameters.stop_time(kind, place, net.nodes.at[place, "country"], "typical").typical
        assert median == pytest.approx(expected, rel=0.03, abs=0.05), (kind, place)
    # a leg run at a drawn speed has its median at distance / typical speed (the route's typical time)
    route_legs = [e for e in route.elements if e.element == "leg"]
    leg_rows = contributions[contributions["element"] == "leg"]
    for element, median in zip(route_legs, leg_rows["median_h"], strict=True):
        if net.parameters.leg_time(element.leg, "typical") is None and net.nodes.at[element.from_place, "country"] \
                == net.nodes.at[element.to_place, "country"]:
            assert median == pytest.approx(element.time_h, rel=0.03), element.leg


def test_profiles_order_the_median_on_every_checked_route(net: corridors.Network) -> None:
    from corridors.claims import load_claims

    pairs = {(r.origin, r.destination, r.via, r.avoid) for c in load_claims(net).values() for r in c.readings}
    pairs.add(("Xi'an", "Poti", (), ()))
    for origin, destination, via, avoid in sorted(pairs):
        medians = []
        for profile in ("best", "typical", "congested"):
            route = net.route(origin, destination, via=via, avoid=avoid, profile=profile)
            medians.append(route.simulate(n=4000, seed=5).median_days)
        assert medians[0] <= medians[1] <= medians[2], (origin, destination, medians)


def test_contributions_add_up(net: corridors.Network) -> None:
    transit = net.route("Xi'an", "Poti").simulate(n=20_000, seed=3)
    frame = transit.contributions()
    assert frame["spread_share"].sum() == pytest.approx(1.0, abs=1e-6)
    assert frame["in_median_journey_h"].sum() / 24 == pytest.approx(transit.median_days, rel=0.01)
    counts, edges = transit.histogram(20)
    assert counts.sum() == transit.n
    assert edges[0] <= transit.percentiles()["P10"] <= edges[-1]


def test_probabilities(net: corridors.Network) -> None:
    transit = net.route("Xi'an", "Poti").simulate(n=5000)
    p = transit.percentiles((10, 50, 90))
    assert transit.prob_within(p["P50"]) == pytest.approx(0.5, abs=0.01)
    assert transit.prob_within(p["P90"]) == pytest.approx(0.9, abs=0.01)
    assert transit.prob_between(p["P10"], p["P90"]) == pytest.approx(0.8, abs=0.01)
    assert transit.prob_within(0) == 0.0
    with pytest.raises(corridors.CorridorError, match="low ≤ high"):
        transit.prob_between(12, 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 0}, "positive whole number"), ({"n": -5}, "positive whole number"),
     ({"profile": "rosy"}, "unknown conditions 'rosy'"), ({"start_hour": 200.0}, "start_hour")],
)
def test_bad_simulation_requests(net: corridors.Network, kwargs: dict, message: str) -> None:
    with pytest.raises(corridors.CorridorError, match=message):
        net.route("Xi'an", "Poti").simulate(**kwargs)


def test_progress_is_reported(net: corridors.Network) -> None:
    from corridors.simulation import CHUNK

    calls: list[tuple[int, int]] = []
    n = CHUNK + 1  # the fewest journeys drawn in two chunks
    corridors.simulate(net.route("Xi'an", "Poti"), n=n, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (n, n)
    assert len(calls) >= 2


def test_indicators(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    ind = route.indicators()
    assert ind["speed_without_delay_kmh"] > ind["speed_with_delay_kmh"] > 0
    assert ind["border_crossing_h"] == pytest.approx(route.stop_hours()["border_crossing"], abs=0.1)
    assert 0 < ind["stopped_share"] < 1


def test_a_large_simulation_streams_and_keeps_its_answers(net: corridors.Network, monkeypatch) -> None:
    """Above KEEP_ALL journeys only the totals, the first journeys' elements and running sums are kept; the totals,
    each element's mean and its share of the spread are exactly those of keeping everything."""
    from corridors import simulation

    monkeypatch.setattr(simulation, "KEEP_ALL", 2_000)
    monkeypatch.setattr(simulation, "CHUNK", 1_500)
    route = net.route("Xi'an", "Poti")
    full = corridors.simulate(route, n=6_000, seed=4, keep_samples=True)
    streamed = corridors.simulate(route, n=6_000, seed=4)
    assert streamed.streamed
    assert not full.streamed
    assert streamed.samples_h.shape == (len(streamed.elements), 2_000)
    assert np.array_equal(streamed.total_h, full.total_h)
    assert np.array_equal(streamed.samples_h, full.samples_h[:, :2_000])
    assert streamed.sampled_total_h.size == 2_000
    a, b = full.contributions(), streamed.contributions()
    assert np.allclose(a["mean_h"], b["mean_h"], rtol=1e-9, atol=1e-9)
    assert np.allclose(a["spread_share"], b["spread_share"], atol=1e-9)
    assert b["spread_share"].sum() == pytest.approx(1.0, abs=1e-6)
    # the medians come from the kept journeys: close to, not equal to, those of all journeys
    assert b["in_median_journey_h"].sum() / 24 == pytest.approx(full.median_days, rel=0.03)
    assert corridors.simulate(route, n=1_000, seed=4, keep_samples=False).streamed is False  # fewer than KEEP_ALL
