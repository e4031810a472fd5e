"""Corridors side by side, costs and emissions, and the binding bottleneck."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import corridors
from corridors.capacity import bottleneck, current_capacities
from corridors.compare import compare
from corridors.registry import load_corridors


@pytest.fixture(scope="module")
def xian_duisburg(net: corridors.Network):
    return compare(net, "Xi'an", "Duisburg", profiles=("best", "typical", "congested"), n=1500)


def test_the_registry_lists_the_corridors(net: corridors.Network) -> None:
    from corridors.registry import corridors as corridor_table

    table = corridor_table(net)
    assert {"middle_black_sea", "middle_btk", "northern", "sea_suez", "sea_cape", "southern"} <= set(table.index)
    assert table["colour"].str.match(r"^#[0-9a-f]{6}$", case=False).all()


def test_xian_to_duisburg_compares_every_corridor_that_can_serve_it(xian_duisburg) -> None:
    table = xian_duisburg.table()
    assert set(table["profile"]) == {"best", "typical", "congested"}
    available = table[table["available"]]
    assert {"northern", "sea_suez", "sea_cape", "middle_black_sea", "middle_btk"} <= set(available["corridor"])
    for column in ("p50_days", "p90_days", "cost_usd", "co2_kg", "distance_km"):
        assert available[column].notna().all(), column
    assert (available["p10_days"] <= available["p50_days"]).all()
    assert (available["p50_days"] <= available["p90_days"]).all()
    unavailable = table[~table["available"]]
    assert (unavailable["reason"].str.len() > 0).all()


def test_a_corridor_that_would_go_beyond_the_destination_and_back_is_not_available(net: corridors.Network) -> None:
    from corridors import contract

    registry = load_corridors(net)
    with pytest.raises(corridors.CorridorError, match="does not serve this journey: passing Małaszewicze"):
        registry["northern"].route(net, "Khorgos", "Aktau")
    with pytest.raises(corridors.CorridorError, match="Akhalkalaki"):  # Baku–Tbilisi–Kars for a journey to Baku
        registry["middle_btk"].route(net, "Urumqi", "Baku")
    route = registry["middle_black_sea"].route(net, "Urumqi", "Baku")  # the Caspian crossing is on the way
    direct = net.route("Urumqi", "Baku", avoid=registry["middle_black_sea"].avoid, by="distance")
    assert route.distance_km <= contract.MAX_CORRIDOR_DETOUR * direct.distance_km
    table = compare(net, "Khorgos", "Aktau", profiles=("typical",), n=200).table().set_index("corridor")
    assert not table.loc["northern", "available"]
    assert "does not serve this journey" in table.loc["northern", "reason"]


def test_every_corridor_keeps_to_its_itinerary(net: corridors.Network, xian_duisburg) -> None:
    registry = load_corridors(net)
    for entry in xian_duisburg.entries:
        if entry.route is None:
            continue
        countries = set(entry.route.countries)
        avoided = {a for a in entry.corridor.avoid if a.isupper() and len(a) == 3}
        assert not countries & avoided, (entry.corridor.id, countries & avoided)
        assert set(registry[entry.corridor.id].via) <= set(entry.route.places) | {entry.route.origin}
    modes = {e.corridor.id: {leg.mode for leg in e.route.legs} for e in xian_duisburg.entries if e.route}
    assert "sea" in modes["sea_suez"]
    assert "ferry" not in modes["northern"]


def test_shanghai_to_rotterdam(net: corridors.Network) -> None:
    result = compare(net, "Shanghai", "Rotterdam", corridors=["sea_suez", "sea_cape"], n=1000)
    table = result.table().set_index("corridor")
    assert table.loc["sea_cape", "distance_km"] > table.loc["sea_suez", "distance_km"]
    assert table.loc["sea_cape", "p50_days"] > table.loc["sea_suez", "p50_days"]


def test_closing_suez_sends_the_sea_route_round_the_cape(net: corridors.Network) -> None:
    from corridors.scenarios import Scenario

    before = net.route("Shanghai", "Rotterdam", avoid=["KAZ", "RUS", "IRN", "TKM"])
    assert "suez" in net.legs.at[before.legs[0].leg, "passages"]
    closed = Scenario.closing("suez", network=net).apply(net)
    after = closed.route("Shanghai", "Rotterdam", avoid=["KAZ", "RUS", "IRN", "TKM"])
    assert "cape_of_good_hope" in closed.legs.at[after.legs[0].leg, "passages"]
    assert after.time_h > before.time_h
    assert after.distance_km > before.distance_km


def test_avoiding_russia_removes_the_northern_route_and_says_why(net: corridors.Network) -> None:
    from corridors.scenarios import Scenario

    closed = Scenario.closing("RUS", network=net).apply(net)
    result = compare(closed, "Xi'an", "Duisburg", corridors=["northern", "middle_black_sea"], n=500)
    table = result.table().set_index("corridor")
    assert not table.loc["northern", "available"]
    assert "no route" in table.loc["northern", "reason"]
    assert table.loc["middle_black_sea", "available"]


def test_answers_name_a_corridor_per_criterion(xian_duisburg) -> None:
    answers = xian_duisburg.answers("typical")
    assert set(answers) == {"shortest", "fastest", "most reliable", "cheapest", "cleanest"}
    table = xian_duisburg.table()
    typical = table[(table["profile"] == "typical") & table["available"]].set_index("corridor")
    assert typical.loc[answers["shortest"], "distance_km"] == typical["distance_km"].min()
    assert typical.loc[answers["cheapest"], "cost_usd"] == typical["cost_usd"].min()


def test_costs_and_emissions_add_up(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    frame = route.to_frame()
    assert route.cost_usd == pytest.approx(frame["cost_usd"].sum())
    assert route.co2_kg == pytest.approx(frame["co2_kg"].sum())
    assert route.cost_usd > 0
    assert route.co2_kg > 0
    by_cost = net.route("Xi'an", "Poti", by="cost")
    by_co2 = net.route("Xi'an", "Poti", by="co2")
    assert by_cost.cost_usd <= route.cost_usd + 1e-6
    assert by_co2.co2_kg <= route.co2_kg + 1e-6


def test_the_bottleneck_of_the_middle_corridor(net: corridors.Network) -> None:
    result = bottleneck(net, "Khorgos", "Poti")
    assert result.binding is not None
    capacities = current_capacities(net)
    on_route = result.along_route.dropna(subset=["teu_per_year"])
    assert result.binding.teu_per_year == on_route["teu_per_year"].min()
    assert result.binding.sources
    assert math.isfinite(result.max_flow_teu)
    assert result.max_flow_teu <= sum(c.teu_per_year for c in result.cut) + 1e-6
    assert all(c.element in capacities for c in result.cut)
    assert result.binding.element in result.summary() or net.place_name(result.binding.element) in result.summary()


def test_capacity_and_volume_tables_are_sourced(net: corridors.Network) -> None:
    sources = set(net.sources.index)
    known = set(net.nodes.index) | set(net.legs.index)
    for name in ("capacities", "volumes", "conversions"):
        table = pd.read_csv(corridors.data_path() / f"{name}.csv", dtype=str, keep_default_na=False)
        for cited in table["sources"]:
            assert cited
            assert set(cited.split(";")) <= sources, (name, cited)
    capacities = pd.read_csv(corridors.data_path() / "capacities.csv", dtype=str, keep_default_na=False)
    assert set(capacities["element"]) <= known
    assert (capacities["capacity"].astype(float) > 0).all()


def test_the_top_level_api(net: corridors.Network) -> None:
    assert "middle_black_sea" in corridors.corridors().index
    assert corridors.compare(net, "Xi'an", "Poti", corridors=["middle_btk"], n=100).entries
    assert corridors.bottleneck(net, "Khorgos", "Poti").binding is not None
    seed = corridors.load_claims(net)["aliyev_2025_black_sea"]
    assert corridors.check_claim(seed, net, profiles=("typical",), n=200).verdict
