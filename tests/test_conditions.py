"""Conditions instead of one global profile, queues where capacity binds, and the route a shipper books."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors.conditions import Conditions
from corridors.errors import CorridorError, ValidationError
from corridors.queues import kingman_wait_h
from corridors.scenarios import Scenario, diff
from corridors.timing import split_triangular_mean


def _with_best_level(folder: Path) -> None:
    """Give the small dataset a best level: every row again, at its low value."""
    for table, unit in (("stop_times", "h"), ("speeds", "kmh")):
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        best = frame.copy()
        best["profile"] = "best"
        column = f"low_{unit}" if unit == "h" else f"high_{unit}"
        best[f"typical_{unit}"] = best[column]
        pd.concat([frame, best]).to_csv(folder / f"{table}.csv", index=False)


def _with_queue(folder: Path, *, teu_2024: float, capacity_teu: float) -> None:
    """Give the small dataset a Caspian queue at Aktau driven by a volume series, and a 2024 condition set."""
    _with_best_level(folder)
    pd.DataFrame([{"place": "aktau_port", "leg": "aktau_port__alat_port", "kind": "ferry_wait",
                   "demand": "middle_corridor", "demand_unit": "teu", "demand_share": 1.0,
                   "capacity_element": "aktau_port__alat_port", "capacity_unit": "teu_per_year", "batch": 86,
                   "cv_arrivals": 1.0, "cv_service": 1.0, "sources": "silkroute_titr", "note": "test"}]).to_csv(
        folder / "queues.csv", index=False)
    pd.DataFrame([{"year": 2024, "corridor": "middle_corridor", "tonnes": "", "teu": teu_2024, "trains": "",
                   "status": "reported", "sources": "silkroute_titr", "note": "test"}]).to_csv(
        folder / "volumes.csv", index=False)
    pd.DataFrame([{"element": "aktau_port__alat_port", "kind": "leg", "capacity": capacity_teu,
                   "unit": "teu_per_year", "year": 2022, "status": "reported", "sources": "silkroute_titr",
                   "note": "test"}]).to_csv(folder / "capacities.csv", index=False)
    pd.DataFrame([{"condition": "2024", "group": "*", "level": "typical", "year": 2024, "sources": "",
                   "note": "test"}]).to_csv(folder / "conditions.csv", index=False)


def _wait_h(net: corridors.Network, conditions: str = "2024") -> float:
    route = net.route("Dostyk", "Alat", conditions=conditions)
    return sum(e.time_h for e in route.stops if e.kind == "ferry_wait")


def test_scheduled_is_the_old_name_of_best(net: corridors.Network) -> None:
    assert net.conditions("scheduled").name == "best"
    assert net.route("Xi'an", "Poti", profile="scheduled").profile == "best"
    assert net.presets[:3] == ("best", "typical", "congested")


def test_unknown_conditions_and_groups_name_the_known_ones(net: corridors.Network) -> None:
    with pytest.raises(CorridorError, match=r"unknown conditions 'rainy'.*typical"):
        net.conditions("rainy")
    with pytest.raises(CorridorError, match="unknown group 'atlantis'"):
        net.conditions("typical", congest=["atlantis"])


def test_a_condition_that_congests_kazakh_rail_leaves_the_sea_and_europe_alone(net: corridors.Network) -> None:
    kazakh = Conditions("Kazakh rail congested", "typical", {"rail:KAZ": "congested"})
    suez = corridors.load_corridors(net)["sea_suez"]
    sea_typical = suez.route(net, "Shanghai", "Rotterdam")
    sea = suez.route(net, "Shanghai", "Rotterdam", conditions=kazakh)
    assert sea.time_h == pytest.approx(sea_typical.time_h)
    middle_typical = net.route("Xi'an", "Poti")
    middle = net.route("Xi'an", "Poti", conditions=kazakh)
    assert middle.places == middle_typical.places  # booked under typical conditions
    assert middle.time_h > middle_typical.time_h
    slower = {e.leg for e, t in zip(middle.elements, middle_typical.elements, strict=True) if e.time_h > t.time_h}
    countries = net.nodes["country"]
    assert slower, "some Kazakh leg must be slower"
    for leg in slower:
        assert "KAZ" in {countries[net.legs.at[leg, "from"]], countries[net.legs.at[leg, "to"]]}


def test_the_route_a_shipper_books_stays_and_reroute_says_when_it_leaves(net: corridors.Network) -> None:
    booked = net.route("Xi'an", "Poti", conditions="congested", avoid=["RUS"])
    assert booked.places == net.route("Xi'an", "Poti", avoid=["RUS"]).places
    assert booked.booked_under == "typical"
    assert not booked.rerouted
    assert "alat_port" in booked.places  # across the Caspian, as booked
    transit = booked.simulate(n=2000)
    assert transit.route.places == booked.places
    rerouted = net.route("Xi'an", "Poti", conditions="congested", avoid=["RUS"], reroute=True)
    assert rerouted.rerouted
    assert rerouted.booked_under == "congested"
    assert net.route("Xi'an", "Poti", conditions="congested").places == net.route("Xi'an", "Poti").places


def test_simulate_under_other_conditions_keeps_the_route_and_reprices_it(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Duisburg")
    typical = route.simulate(n=3000)
    congested = route.simulate(n=3000, conditions="congested")
    assert congested.route.places == route.places
    assert congested.conditions.name == "congested"
    assert congested.median_days >= typical.median_days
    assert {e.level for e in congested.route.elements} >= {"congested"} or congested.route.conditions.levels


def test_a_route_from_a_place_to_itself_is_an_error(net: corridors.Network) -> None:
    with pytest.raises(CorridorError, match="both the origin and the destination"):
        net.route("Baku", "Baku")
    with pytest.raises(CorridorError, match="named twice"):
        net.route("Xi'an", "Poti", via=["Alat", "Alat"])


def test_no_route_passes_a_place_twice(net: corridors.Network) -> None:
    """Every pair of bundled places under every weight: the shortest path of the search tree is what ``route``
    returns unless it passes a place twice; those pairs are routed in full and must pass each place once."""
    from corridors.routing import Arc, _dijkstra, passes_twice

    places = list(net.nodes.index)
    checked = repaired = 0
    for by in ("time", "distance", "cost", "co2"):
        graph = net.expanded_graph(weight=by)
        arc_of: dict[int, Arc] = {}  # graph.arcs[i], read once per arc: the walks below read 3 million
        for origin in places:
            start = dict.fromkeys(graph.departures.get(origin, ()), 0.0)
            targets = [n for p in places if p != origin for n in graph.arrivals.get(p, ())]
            dist, via_arc = _dijkstra(graph, start, targets, (), (), ())
            for destination in places:
                reached = [n for n in graph.arrivals.get(destination, ()) if n in dist]
                if destination == origin or not reached:
                    continue
                node, arcs = min(reached, key=dist.__getitem__), []
                while node not in start:
                    index = via_arc[node]
                    arc = arc_of.get(index)
                    if arc is None:
                        arc = arc_of[index] = graph.arcs[index]
                    arcs.append(arc)
                    node = arc.tail
                checked += 1
                if passes_twice(arcs[::-1], graph.leg_passages):
                    repaired += 1
                    try:
                        route = net.route(origin, destination, by=by)
                    except CorridorError:
                        continue
                    assert len(set(route.places)) == len(route.places), (by, origin, destination, route.places)
    assert checked > 40_000
    assert repaired > 0  # the search tree does pass places twice somewhere: the repair is exercised
    # the 55,162 km route went Piraeus → Poti → Alat and back through Poti and Piraeus: impossible now
    cheap = net.route("Xi'an", "Duisburg", via=["Alat"], avoid=["RUS", "IRN"], by="cost")
    assert len(set(cheap.places)) == len(cheap.places)
    assert cheap.places.index("alat_port") < cheap.places.index("poti_port")
    assert not passes_twice([])


def test_named_corridors_run_both_ways(net: corridors.Network) -> None:
    registry = corridors.load_corridors(net)
    pairs = [(c.id, c.example_origin, c.example_destination) for c in registry.values()]
    for corridor, a, b in (*pairs, ("middle_btk", "Istanbul", "Khorgos"), ("northern", "Dostyk", "Duisburg"),
                           ("middle_black_sea", "Constanta", "Xi'an")):
        for origin, destination in ((a, b), (b, a)):
            route = registry[corridor].route(net, origin, destination)
            assert len(set(route.places)) == len(route.places), (corridor, origin, destination)
        there = registry[corridor].route(net, a, b).distance_km
        back = registry[corridor].route(net, b, a).distance_km
        assert back == pytest.approx(there, rel=0.02)
    # Małaszewicze, the northern corridor's required place, lies beyond Brest: a journey that ends at Brest does
    # not need it (it used to loop Brest → Małaszewicze → Brest, then was refused), in either direction
    for origin, destination in (("Dostyk", "Brest"), ("Brest", "Dostyk")):
        route = registry["northern"].route(net, origin, destination)
        assert route.places[0] == net.place(origin)
        assert route.places[-1] == net.place(destination)
        assert "malaszewicze" not in route.places
        assert len(set(route.places)) == len(route.places)
    # ... but a journey that runs through the corridor still passes it
    assert "malaszewicze" in registry["northern"].route(net, "Dostyk", "Duisburg").places
    # a journey off the corridor's line is not made a stretch of it by dropping its places, and a corridor defined
    # by what it avoids must still use what makes it that corridor (sea via Suez: a sea leg through Suez)
    for corridor in ("northern", "sea_suez", "sea_cape", "southern"):
        with pytest.raises(CorridorError, match="does not serve"):
            registry[corridor].route(net, "Kashgar", "Andijan")


def test_the_caspian_wait_follows_kingmans_formula(mini_dir: Path) -> None:
    _with_queue(mini_dir, teu_2024=40_000, capacity_teu=50_000)
    net = corridors.load_network(mini_dir)
    rho, service_h = 40_000 / 50_000, 86 / (50_000 / 8760)
    expected_queue = kingman_wait_h(rho, service_h)
    assert expected_queue == pytest.approx(rho / (1 - rho) * service_h)
    best_wait = 12.0  # the best row of the small dataset: its low value, the median of 12 / 12 / 240 h
    assert _wait_h(net) == pytest.approx(best_wait + expected_queue)
    transit = net.route("Dostyk", "Alat", conditions="2024").simulate(n=60_000, seed=4)
    waits = transit.samples_h[(transit.elements["kind"] == "ferry_wait").to_numpy()].sum(axis=0)
    assert waits.mean() == pytest.approx(split_triangular_mean(12, 12, 240) + expected_queue, rel=0.03)


def test_more_demand_lengthens_the_caspian_wait_and_more_capacity_shortens_it(mini_dir: Path) -> None:
    _with_queue(mini_dir, teu_2024=40_000, capacity_teu=60_000)
    net = corridors.load_network(mini_dir)
    base = _wait_h(net)
    busier = Scenario.from_dict({"name": "+50% demand", "demand": [{"series": "middle_corridor", "factor": 1.5}]})
    ferries = Scenario.from_dict({"name": "more ferries",
                                  "capacity": [{"element": "aktau_port__alat_port", "factor": 1.4}]})
    service_h = 86 / (60_000 / 8760)
    assert _wait_h(busier.apply(net)) == pytest.approx(12.0 + kingman_wait_h(1.0 * 60_000 / 60_000, service_h))
    assert _wait_h(busier.apply(net)) > base
    assert _wait_h(ferries.apply(net)) == pytest.approx(
        12.0 + kingman_wait_h(40_000 / 84_000, 86 / (84_000 / 8760)))
    assert _wait_h(ferries.apply(net)) < base
    with pytest.raises(CorridorError, match="unknown demand series 'nowhere'"):
        Scenario.from_dict({"name": "x", "demand": [{"series": "nowhere", "factor": 2}]}).apply(net)
    with pytest.raises(CorridorError, match="finite number > 0"):
        Scenario.from_dict({"name": "x", "capacity": [{"element": "aktau_port__alat_port",
                                                       "factor": float("nan")}]}).apply(net)
    result = diff(net, busier, "Dostyk", "Alat", conditions="2024", corridors=[], n=500)
    assert result.table().iloc[0]["delta_days"] > 0


def test_levels_out_of_order_are_listed_with_file_row_and_field(mini_dir: Path) -> None:
    _with_best_level(mini_dir)
    frame = pd.read_csv(mini_dir / "stop_times.csv", dtype=str, keep_default_na=False)
    frame.loc[(frame["kind"] == "border_crossing") & (frame["profile"] == "best"), "typical_h"] = "7"
    frame.to_csv(mini_dir / "stop_times.csv", index=False)
    problems = corridors.validate(mini_dir)
    assert any(p.file == "stop_times.csv" and p.field == "typical_h" and "best ≤ typical ≤ congested" in p.message
               for p in problems), problems


def test_groups_and_conditions_are_checked(mini_dir: Path) -> None:
    pd.DataFrame([{"id": "caspian", "name": "Caspian", "members": "ferry_wait:aktau_port;leg:nowhere;fly:KAZ",
                   "note": ""}]).to_csv(mini_dir / "groups.csv", index=False)
    pd.DataFrame([{"condition": "2022", "group": "caspian", "level": "congested", "year": "", "sources": "",
                   "note": ""},
                  {"condition": "2023", "group": "*", "level": "closed", "year": 2023, "sources": "", "note": ""},
                  ]).to_csv(mini_dir / "conditions.csv", index=False)
    with pytest.raises(ValidationError) as caught:
        corridors.load_network(mini_dir)
    text = str(caught.value)
    assert "unknown leg 'nowhere'" in text
    assert "'fly:KAZ' is not KIND:PLACE" in text
    assert "condition '2022' has no * row" in text
    assert "only a group of sea passages can be closed" in text


# The bundled dataset ------------------------------------------------------------------------------------------

MIDDLE_ONLY = ("caspian", "caucasus_rail_borders", "black_sea")  # groups only the Middle Corridor passes


def test_congesting_only_the_middle_corridor_leaves_the_northern_and_sea_routes_as_they_are(
        net: corridors.Network) -> None:
    registry = corridors.load_corridors(net)
    middle_only = net.conditions("typical", congest=MIDDLE_ONLY)
    for corridor, origin, destination in (("northern", "Xi'an", "Duisburg"), ("sea_suez", "Shanghai", "Rotterdam"),
                                          ("sea_cape", "Shanghai", "Rotterdam")):
        typical = registry[corridor].route(net, origin, destination)
        congested = registry[corridor].route(net, origin, destination, conditions=middle_only)
        assert congested.time_h == pytest.approx(typical.time_h), corridor
        assert congested.simulate(n=2000).median_days == pytest.approx(typical.simulate(n=2000).median_days)
    middle = registry["middle_black_sea"]
    assert middle.route(net, "Xi'an", "Poti", conditions=middle_only).time_h > middle.route(net, "Xi'an", "Poti").time_h


def test_with_the_red_sea_closed_suez_is_unavailable_and_the_cape_route_carries_its_own_figures(
        net: corridors.Network) -> None:
    result = corridors.compare(net, "Shanghai", "Rotterdam", corridors=["sea_suez", "sea_cape"],
                               conditions=["typical", "2024"], n=1000)
    table = result.table().set_index(["corridor", "profile"])
    assert table.loc[("sea_suez", "typical"), "available"]
    assert not table.loc[("sea_suez", "2024"), "available"]
    assert "closed under the conditions 2024" in table.loc[("sea_suez", "2024"), "reason"]
    cape, suez = table.loc[("sea_cape", "2024")], table.loc[("sea_suez", "typical")]
    assert cape["distance_km"] > suez["distance_km"] + 5000
    assert cape["co2_kg"] > suez["co2_kg"]
    assert cape["p50_days"] > suez["p50_days"]
    cape_route = corridors.load_corridors(net)["sea_cape"].route(net, "Shanghai", "Rotterdam", conditions="2024")
    assert all("cape_of_good_hope" in net.legs.at[e.leg, "passages"] for e in cape_route.legs if e.mode == "sea")


def _caspian_waits(net: corridors.Network, conditions: str = "typical") -> dict[str, float]:
    """Return the queueing delay (mean hours) at each Caspian queue element under a condition set."""
    c = net.conditions(conditions)
    return {e.place: net.queues.wait(e.place, e.leg, e.kind, c, "typical").mean_h for e in net.queues.elements}


def test_bundled_scenarios_move_the_caspian_queues_by_kingmans_formula(net: corridors.Network) -> None:
    base = net.conditions("typical")
    busier = Scenario.from_toml("middle_corridor_demand_plus_50").apply(net)
    ferries = Scenario.from_toml("more_caspian_ferries").apply(net)
    for element in net.queues.elements:
        before = net.queues.wait(element.place, element.leg, element.kind, base, "typical")
        after_demand = busier.queues.wait(element.place, element.leg, element.kind, base, "typical")
        after_ferries = ferries.queues.wait(element.place, element.leg, element.kind, base, "typical")
        expected_rho = before.utilisation * 1.5
        assert after_demand.utilisation == pytest.approx(expected_rho)
        assert after_demand.mean_h == pytest.approx(kingman_wait_h(expected_rho, before.service_h, element.cv_arrivals,
                                                                   element.cv_service))
        assert after_demand.mean_h >= before.mean_h
        assert after_ferries.utilisation == pytest.approx(before.utilisation / 1.4)
        assert after_ferries.mean_h == pytest.approx(kingman_wait_h(before.utilisation / 1.4, before.service_h / 1.4,
                                                                    element.cv_arrivals, element.cv_service))
        assert after_ferries.mean_h < before.mean_h
    # on a journey across the Caspian: the wait grows with demand and shrinks with ferries
    route = net.route("Xi'an", "Poti", avoid=["RUS"])
    wait = sum(e.time_h for e in route.stops if e.kind == "ferry_wait")
    assert sum(e.time_h for e in busier.reprice(route, "typical").stops if e.kind == "ferry_wait") > wait
    assert sum(e.time_h for e in ferries.reprice(route, "typical").stops if e.kind == "ferry_wait") < wait


def test_a_period_s_congestion_follows_its_volumes(net: corridors.Network) -> None:
    waits = {year: _caspian_waits(net, year) for year in ("2022", "2024", "2025")}
    assert waits["2025"]["aktau_port"] > waits["2024"]["aktau_port"]  # 77,000 TEU in 2025 against 56,500 in 2024
    saturated = net.queues.wait("kuryk_port", "kuryk_port__alat_port", "ferry_wait", net.conditions("2025"),
                                "typical")
    assert saturated.saturated
    assert "saturated" in saturated.describe()


def test_simulate_stays_on_the_booked_route_and_says_so(capsys: pytest.CaptureFixture[str],
                                                      net: corridors.Network) -> None:
    from corridors.cli import main

    booked = " – ".join(net.route("Xi'an", "Poti").countries)
    assert main(["simulate", "Xi'an", "Poti", "--conditions", "congested", "-n", "2000"]) == 0
    out = capsys.readouterr().out
    assert f"the route booked under typical conditions ({booked})" in out
    assert main(["simulate", "Xi'an", "Poti", "--avoid", "RUS", "--conditions", "congested", "-n", "2000"]) == 0
    assert "the route booked under typical conditions (CHN – KAZ – AZE – GEO)" in capsys.readouterr().out
    assert main(["simulate", "Xi'an", "Poti", "--conditions", "congested", "--reroute", "-n", "2000"]) == 0
    out = capsys.readouterr().out
    assert "rerouted under them" in out
    assert main(["route", "Xi'an", "Poti", "--profile", "scheduled"]) == 0  # the old flag and name still work
    assert "conditions best" in capsys.readouterr().out
    assert main(["simulate", "Xi'an", "Poti", "--conditions", "typical", "--congest", "caspian", "-n", "500"]) == 0
    assert "typical + congest caspian" in capsys.readouterr().out
    assert main(["simulate", "Xi'an", "Poti", "--congest", "atlantis"]) == 2
    assert "unknown group 'atlantis'" in capsys.readouterr().err


def test_no_large_part_of_a_corridor_journey_rests_on_a_weak_source(net: corridors.Network) -> None:
    # every element that makes up more than 5% of the median of a corridor's example journey cites at least one
    # source that is not a blog, a mirror or an aggregator (sources.csv: reliability)
    assert net.sources["reliability"].eq("weak").sum() > 100  # the classification is there, and finds some
    # the container corridors; the freighters through Baku (air_baku) still rest on forwarders' pages for the
    # airports' handling times, which the route and the report mark as weak
    for corridor in (c for c in corridors.load_corridors(net).values() if "air" not in c.requires):
        transit = corridor.route(net, corridor.example_origin, corridor.example_destination).simulate(n=3000)
        parts = transit.contributions()
        large = parts[parts["in_median_journey_h"] > 0.05 * transit.median_days * 24]
        assert not large["weak_source"].any(), (corridor.id, large[large["weak_source"]][["kind", "place"]])
