"""Objects show themselves: a readable repr and an HTML table in Jupyter."""

from __future__ import annotations

import pytest

import corridors
from corridors.claims import check, load_claims
from corridors.compare import compare
from corridors.scenarios import Scenario, diff


@pytest.fixture(scope="module")
def objects(net: corridors.Network) -> dict[str, object]:
    route = net.route("Xi'an", "Poti")
    halve = Scenario.from_dict({"name": "halve", "scale": [{"stops": "border_crossing", "factor": 0.5}]})
    return {
        "network": net,
        "route": route,
        "transit": route.simulate(n=1000),
        "comparison": compare(net, "Xi'an", "Duisburg", n=300),
        "diff": diff(net, halve, "Xi'an", "Poti", corridors=["middle_black_sea"], n=300),
        "claim": check(load_claims(net)["aliyev_2025_black_sea"], net, n=500),
    }


@pytest.mark.parametrize("name", ["network", "route", "transit", "comparison", "diff", "claim"])
def test_repr_and_html(objects: dict[str, object], name: str) -> None:
    thing = objects[name]
    text = repr(thing)
    assert text.startswith("<")
    assert len(text) < 400
    page = thing._repr_html_()
    assert "<table" in page
    assert "<script" not in page


def test_route_html_lists_every_leg_and_stop(objects: dict[str, object]) -> None:
    route = objects["route"]
    assert route._repr_html_().count("<tr") >= len(route.elements)


def test_transit_html_has_a_histogram(objects: dict[str, object]) -> None:
    assert "<svg" in objects["transit"]._repr_html_()
