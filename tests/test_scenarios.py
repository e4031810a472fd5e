"""What-if scenarios: a new network each time, the base untouched, and diffs that add up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corridors
from corridors.scenarios import Scenario, ScenarioError


def _scenario(**changes) -> Scenario:
    return Scenario.from_dict({"name": "test", **changes})


def test_halving_border_times_shortens_the_route_by_half_its_border_hours(net: corridors.Network) -> None:
    before = net.route("Xi'an", "Poti")
    after_net = _scenario(scale=[{"stops": "border_crossing", "factor": 0.5}]).apply(net)
    after = after_net.route("Xi'an", "Poti")
    assert after.places == before.places
    border_h = before.stop_hours()["border_crossing"]
    assert after.time_h == pytest.approx(before.time_h - 0.5 * border_h)
    assert net.route("Xi'an", "Poti").time_h == pytest.approx(before.time_h)  # the base is untouched


def test_scaling_one_place_changes_only_that_place(net: corridors.Network) -> None:
    before = net.route("Xi'an", "Poti")
    dostyk_h = sum(s.time_h for s in before.stops if s.place == "dostyk" and s.kind == "gauge_change")
    after = _scenario(scale=[{"stops": "gauge_change", "place": "Dostyk", "factor": 0.25}]).apply(net).route(
        "Xi'an", "Poti")
    assert after.places == before.places
    assert after.time_h == pytest.approx(before.time_h - 0.75 * dostyk_h)


def test_closing_a_port_reroutes(net: corridors.Network) -> None:
    before = net.route("Xi'an", "Poti", avoid=["RUS"])
    port = next(p for p in ("kuryk_port", "aktau_port") if p in before.places)
    closed = _scenario(close=[{"place": port}]).apply(net)
    after = closed.route("Xi'an", "Poti", avoid=["RUS"])
    assert port not in after.places
    assert after.time_h >= before.time_h
    assert port in net.route("Xi'an", "Poti", avoid=["RUS"]).places


def test_closing_every_caspian_port_cuts_the_middle_corridor(net: corridors.Network) -> None:
    from corridors.registry import load_corridors

    middle = load_corridors(net)["middle_black_sea"]
    closed = _scenario(close=[{"place": ["Aktau", "Kuryk", "Turkmenbashi"]}]).apply(net)
    assert middle.route(net, "Xi'an", "Poti").distance_km > 0
    with pytest.raises(corridors.NoRouteError):
        middle.route(closed, "Xi'an", "Poti")


def test_a_faster_rail_section(net: corridors.Network) -> None:
    before = net.route("Xi'an", "Poti", avoid=["RUS"])
    kaz_rail = sum(e.time_h for e in before.legs if "KAZ" in e.country.split("/") and e.mode == "rail")
    after = _scenario(scale=[{"legs": "rail", "country": "KAZ", "factor": 0.5}]).apply(net).route(
        "Xi'an", "Poti", avoid=["RUS"])
    assert after.time_h == pytest.approx(before.time_h - 0.5 * kaz_rail, rel=1e-6)


def test_a_new_service_pattern_changes_the_wait(net: corridors.Network) -> None:
    route = net.route("Altynkol", "Constanta", via=["Poti"], avoid=["TUR", "RUS"])
    ferry = next(e for e in route.legs if e.mode == "ferry" and e.to_place == "constanta_port")
    faster = _scenario(service=[{"leg": ferry.leg, "service": "7/week"}]).apply(net)
    wait = next(s for s in faster.route("Altynkol", "Constanta", via=["Poti"], avoid=["TUR", "RUS"]).stops
                if s.kind == "ferry_wait" and s.leg == ferry.leg)
    assert wait.time_h == pytest.approx(168 / 7 / 2)


def test_adding_a_link(net: corridors.Network) -> None:
    new = _scenario(add=[{"id": "kuryk__poti_direct", "from": "Kuryk", "to": "Poti", "mode": "road",
                          "distance_km": 1500, "waypoints": "41.0 47.0", "note": "a test road"}]).apply(net)
    assert "kuryk__poti_direct" in new.legs.index
    assert "kuryk__poti_direct" not in net.legs.index
    route = new.route("Kuryk", "Poti", avoid=["ferry"])
    assert [e.leg for e in route.legs] == ["kuryk__poti_direct"]


def test_a_scenario_that_changes_nothing_says_so(net: corridors.Network) -> None:
    from corridors.scenarios import diff

    nothing = _scenario(scale=[{"stops": "border_crossing", "place": "Kapikule", "factor": 0.5}])
    result = diff(net, nothing, "Khorgos", "Aktau", corridors=["middle_black_sea"], n=500)
    assert not result.changes_anything
    assert "changes nothing" in result.summary()


def test_diff_reports_the_change(net: corridors.Network) -> None:
    from corridors.scenarios import diff

    halve = _scenario(scale=[{"stops": "border_crossing", "factor": 0.5}])
    result = diff(net, halve, "Xi'an", "Poti", corridors=["middle_black_sea"], n=500)
    table = result.table()
    best = table[table["corridor"] == "best"].iloc[0]
    assert best["status"] == "changed"
    assert best["delta_days"] < 0
    assert result.changes_anything


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"close": [{"place": "Atlantis"}]}, "unknown place 'Atlantis'"),
        ({"close": [{"leg": "nowhere__else"}]}, "unknown leg 'nowhere__else'"),
        ({"close": [{"passage": "panama_canal"}]}, "unknown passage 'panama_canal'"),
        ({"scale": [{"stops": "border_crossing", "factor": 0}]}, "factor must be a finite number > 0"),
        ({"scale": [{"stops": "border_crossing", "factor": -1}]}, "factor must be a finite number > 0"),
        ({"scale": [{"stops": "siesta", "factor": 0.5}]}, "unknown stop kind 'siesta'"),
        ({"scale": [{"stops": "border_crossing", "fctor": 0.5}]}, "unknown key 'fctor'"),
        ({"service": [{"leg": "aktau_port__alat_port", "service": "often"}]}, "service must be"),
        ({"add": [{"id": "x", "from": "Poti", "to": "Atlantis", "mode": "rail", "gauge_mm": 1520,
                   "distance_km": 10}]}, "unknown place 'Atlantis'"),
        ({"teleport": [{}]}, "unknown key 'teleport'"),
    ],
)
def test_bad_scenarios_name_the_offending_key(net: corridors.Network, changes: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        _scenario(**changes).apply(net)


def test_a_scenario_file_with_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "broken"\n[[scale]]\nstops = border_crossing\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="line 3"):
        Scenario.from_toml(bad)


def test_bundled_example_scenarios_apply(net: corridors.Network) -> None:
    files = sorted((corridors.data_path() / "scenarios").glob("*.toml"))
    assert len(files) >= 4
    for file in files:
        scenario = Scenario.from_toml(file)
        assert scenario.description
        assert isinstance(scenario.apply(net), corridors.Network)


def test_bundled_scenarios_by_name() -> None:
    assert Scenario.from_toml("suez_closed").name == "Suez closed"
    with pytest.raises(ScenarioError, match=r"bundled scenarios: .*suez_closed"):
        Scenario.from_toml("no_such_scenario")


# Each bundled scenario, with a journey it is about: every one must change something there, or it is a dead example.
SCENARIO_QUESTIONS = {
    "suez_closed": ("Shanghai", "Rotterdam"),
    "digital_customs": ("Xian", "Poti"),
    "more_caspian_ferries": ("Xian", "Poti"),
    "middle_corridor_demand_plus_50": ("Xian", "Poti"),
    "caspian_storm": ("Xian", "Poti"),
    "faster_kazakh_rail": ("Khorgos", "Aktau"),
    "rasht_astara_railway": ("Moscow", "Tehran"),
}


@pytest.mark.parametrize(("name", "pair"), SCENARIO_QUESTIONS.items())
def test_every_bundled_scenario_changes_its_own_question(net: corridors.Network, name: str,
                                                        pair: tuple[str, str]) -> None:
    from corridors.scenarios import diff

    result = diff(net, Scenario.from_toml(name), *pair, n=300)
    assert result.changes_anything, result.summary()


#: Scenarios whose question is a journey by rail alone: a new line that shortens the rail route where the road is still
#: faster (the China–Kyrgyzstan–Uzbekistan railway, at today's Kyrgyz and Uzbek rail speeds).
RAIL_QUESTIONS = {"china_kyrgyzstan_uzbekistan_railway": ("Kashgar", "Andijan")}


def test_the_bundled_scenarios_are_all_covered() -> None:
    bundled = {f.stem for f in (corridors.data_path() / "scenarios").glob("*.toml")}
    assert bundled == set(SCENARIO_QUESTIONS) | set(RAIL_QUESTIONS)


@pytest.mark.parametrize(("name", "pair"), RAIL_QUESTIONS.items())
def test_a_new_line_shortens_the_journey_by_rail(net: corridors.Network, name: str, pair: tuple[str, str]) -> None:
    before = net.route(*pair, avoid=["road"])  # today by rail the long way round, through Kazakhstan
    after = Scenario.from_toml(name).apply(net).route(*pair, avoid=["road"])
    assert {leg.mode for leg in after.legs} == {"rail"}
    assert "torugart" in after.places
    assert "torugart" not in before.places
    assert after.distance_km < before.distance_km / 2
    assert after.time_h < before.time_h


def test_the_rasht_astara_railway_replaces_the_road_transfer(net: corridors.Network) -> None:
    scenario = Scenario.from_toml("rasht_astara_railway")
    before = net.route("Moscow", "Tehran")
    after = scenario.apply(net).route("Moscow", "Tehran")
    assert "road" in {leg.mode for leg in before.legs}
    assert "rasht__astara_irn_rail" in [leg.leg for leg in after.legs]
    assert "road" not in {leg.mode for leg in after.legs}
    assert after.stop_hours().get("transshipment", 0.0) == 0.0
    assert after.stop_hours()["gauge_change"] > 0  # 1520 → 1435 mm at Astara
    assert after.time_h < before.time_h


BAD_CHANGES = [
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "rail", "gauge_mm": 1520, "distance_km": 500,
               "time_h": -500}]}, "time_h must be a finite number of hours > 0"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Aktau", "mode": "road", "distance_km": 50}]},
     "a leg needs two different places"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "gauge_mm": 1435, "distance_km": 50}]},
     "only a rail leg has a gauge"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "distance_km": float("nan")}]},
     "distance_km must be a finite number > 0"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "distance_km": float("inf")}]},
     "distance_km must be a finite number > 0"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "distance_km": True}]},
     "distance_km must be a finite number > 0"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "distance_km": 50, "source": "nowhere"}]},
     "unknown source 'nowhere'"),
    ({"add": [{"id": "x", "from": "Aktau", "to": "Baku", "mode": "road", "distance_km": 50,
               "waypoints": "north east"}]}, "waypoints are 'lat lon' pairs"),
    ({"scale": [{"stops": "border_crossing", "factor": float("nan")}]}, "factor must be a finite number > 0"),
    ({"scale": [{"stops": "border_crossing", "factor": float("inf")}]}, "factor must be a finite number > 0"),
    ({"close": [{"passage": 5}]}, "passage must be a name or a list of names"),
]


@pytest.mark.parametrize(("data", "message"), BAD_CHANGES, ids=[m for _, m in BAD_CHANGES])
def test_a_bad_change_is_named_and_never_hangs(net: corridors.Network, data: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        Scenario.from_dict({"name": "bad", **data}).apply(net)


def test_unreadable_scenario_files_say_why(tmp_path: Path) -> None:
    binary = tmp_path / "latin.toml"
    binary.write_bytes("name = \"Kor\xfcp\"".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        Scenario.from_toml(binary)
    with pytest.raises(ScenarioError, match="is a folder, not a scenario file"):
        Scenario.from_toml(tmp_path)


def test_a_corridor_unavailable_before_and_after_is_labelled_so(net: corridors.Network) -> None:
    from corridors.scenarios import diff

    result = diff(net, Scenario.from_toml("suez_closed"), "Shanghai", "Rotterdam", corridors=["north_south"], n=200)
    row = result.table().set_index("corridor").loc["north_south"]
    assert row["status"] == "unavailable"


def test_a_scenario_diff_of_a_place_with_itself_is_an_error(net: corridors.Network) -> None:
    from corridors.scenarios import diff

    with pytest.raises(corridors.CorridorError, match="both the origin and the destination"):
        diff(net, Scenario.from_toml("suez_closed"), "Baku", "Baku", n=100)
    with pytest.raises(corridors.UnknownPlaceError):
        diff(net, Scenario.from_toml("suez_closed"), "Baku", "Atlantis", n=100)
