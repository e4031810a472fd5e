"""Bulk pricing gives, for every leg and stop, exactly the numbers corridors.model gives one element at a time."""

from __future__ import annotations

import math

import pytest

import corridors
from corridors import model
from corridors.pricing import NetworkPricing


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _assert_prices_match_the_model(network: corridors.Network, conditions: str) -> None:
    chosen = network.conditions(conditions)
    pricing = NetworkPricing(network, chosen)
    legs = list(network.legs.index)
    prices = pricing.legs(legs)
    for i, leg in enumerate(legs):
        priced = model.price_leg(network, leg, chosen)
        got = (prices.time_h[i], prices.cost_usd[i], prices.co2_kg[i])
        assert all(_same(float(x), float(y)) for x, y in zip(got, (priced.time_h, priced.cost_usd, priced.co2_kg),
                                                             strict=True)), (leg, got, priced)
        assert prices.infos[prices.info[i]] == (priced.sources, priced.note), leg
    graph = network.expanded_graph()
    stops = sorted({(a.kind, a.place, a.leg) for a in graph.arcs if a.element == "stop" and a.kind})
    prices = pricing.stops(*zip(*stops, strict=True))
    for i, (kind, place, leg) in enumerate(stops):
        priced = model.price_stop(network, kind, place, leg, chosen)
        got = (prices.time_h[i], prices.cost_usd[i], prices.co2_kg[i])
        assert all(_same(float(x), float(y)) for x, y in zip(got, (priced.time_h, priced.cost_usd, priced.co2_kg),
                                                             strict=True)), (kind, place, leg, got, priced)
        assert prices.infos[prices.info[i]] == (priced.sources, priced.note), (kind, place, leg)


@pytest.mark.parametrize("conditions", ["typical", "best", "congested", "2022"])
def test_every_element_of_the_bundled_network_is_priced_as_the_model_prices_it(net: corridors.Network,
                                                                               conditions: str) -> None:
    _assert_prices_match_the_model(net, conditions)


def test_a_synthetic_grid_is_priced_as_the_model_prices_it(tmp_path) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_grid

    _assert_prices_match_the_model(corridors.load_network(write_grid(tmp_path / "grid", 800)), "typical")


def test_a_class_whose_arithmetic_disagrees_with_the_model_is_priced_leg_by_leg(net: corridors.Network,
                                                                                 monkeypatch) -> None:
    from corridors import pricing

    def wrong(*args, **kwargs):
        numbers = real(*args, **kwargs)
        return None if numbers is None else tuple(values * 1.5 for values in numbers)

    real = pricing._leg_numbers
    monkeypatch.setattr(pricing, "_leg_numbers", wrong)
    chosen = net.conditions("typical")
    legs = list(net.legs.index)
    prices = NetworkPricing(net, chosen).legs(legs)
    assert [float(t) for t in prices.time_h] == [model.price_leg(net, leg, chosen).time_h for leg in legs]
