"""Routes on the bundled network, as a user asks for them."""

from __future__ import annotations

import pandas as pd
import pytest

import corridors

CHINA_KAZAKHSTAN_CROSSINGS = {"alashankou", "dostyk", "khorgos", "altynkol"}


def test_xian_to_poti_reads_as_the_middle_corridor(net: corridors.Network) -> None:
    # the fastest route of all crosses the Caspian (README); the overland way via Russia and the Samur crossing is
    # there when asked for
    assert net.route("Xi'an", "Poti").countries == ("CHN", "KAZ", "AZE", "GEO")
    assert net.route("Xi'an", "Poti", via=["Makhachkala"]).countries == ("CHN", "KAZ", "RUS", "AZE", "GEO")
    route = net.route("Xi'an", "Poti", avoid=["RUS"])
    assert route.origin == "xian"
    assert route.destination == "poti_port"
    assert route.countries == ("CHN", "KAZ", "AZE", "GEO")
    gauge_changes = [s.place for s in route.stops if s.kind == "gauge_change"]
    assert len(gauge_changes) == 1
    assert gauge_changes[0] in CHINA_KAZAKHSTAN_CROSSINGS
    ferries = [leg for leg in route.legs if leg.mode == "ferry"]
    assert len(ferries) == 1
    assert ferries[0].to_place == "alat_port"
    assert any(s.kind == "ferry_wait" for s in route.stops)
    assert [(b.from_country, b.to_country) for b in route.border_crossings] == [
        ("CHN", "KAZ"), ("KAZ", "AZE"), ("AZE", "GEO")]
    rail_gauges = {leg.gauge_mm for leg in route.legs if leg.mode == "rail"}
    assert rail_gauges == {1435, 1520}
    frame = route.to_frame()
    assert frame["sources"].str.len().gt(0).all()
    assert route.time_h == pytest.approx(frame["time_h"].sum())


def test_a_routes_records_are_the_rows_of_its_frame(net: corridors.Network) -> None:
    # the command line's route table is made from the records, the CSV from the frame: the same values in both
    route = net.route("Shanghai", "Rotterdam")  # sea legs (no gauge) as well as rail ones
    records, frame = route.records(), route.to_frame()
    assert len(records) == len(frame) == len(route.elements)
    assert list(records[0]) == list(frame.columns)
    for step, record in enumerate(records, start=1):
        for column, value in record.items():
            shown = frame.at[step, column]
            if value is None or value != value:  # no gauge (NA in the frame) or no cost (NaN)
                assert pd.isna(shown), (step, column)
            else:
                assert shown == value, (step, column)
    assert records[-1]["cum_time_h"] == pytest.approx(route.time_h)


def test_route_json_carries_the_same_legs_stops_and_totals(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    data = route.to_dict()
    assert [e["kind"] for e in data["elements"]] == [e.kind for e in route.elements]
    assert data["distance_km"] == pytest.approx(route.distance_km, abs=0.1)
    assert data["time_h"] == pytest.approx(route.time_h, abs=0.01)
    assert data["origin_name"] == "Xi'an"
    assert all(e["sources"] for e in data["elements"])


def test_route_geodataframe_draws_each_leg_in_travel_order(net: corridors.Network) -> None:
    route = net.route("Poti", "Xi'an")
    gdf = route.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    legs = gdf[gdf["element"] == "leg"]
    for _, row in legs.iterrows():
        start = net.nodes.geometry[net.place(row["from"])]
        assert row.geometry.coords[0] == pytest.approx((start.x, start.y), abs=1e-6)


def test_profiles_order_the_expected_time(net: corridors.Network) -> None:
    times = [net.route("Xi'an", "Poti", profile=p).time_h for p in ("best", "typical", "congested")]
    assert times[0] < times[1] < times[2]


@pytest.mark.parametrize(
    ("via", "destination", "expected_places"),
    [
        (["Khorgos"], "Poti", {"khorgos", "altynkol"}),
        (["Alashankou"], "Poti", {"alashankou", "dostyk"}),
        (["Aktau"], "Poti", {"aktau_port"}),
        (["Kuryk"], "Poti", {"kuryk_port"}),
        (["Turkmenbashi"], "Poti", {"turkmenbashi_port", "serhetyaka", "bolashak"}),
        ([], "Batumi", {"batumi_port"}),
        (["Akhalkalaki"], "Kars", {"marabda", "akhalkalaki", "kartsakhi"}),
        ([], "Kapikule", {"kars", "ankara", "istanbul"}),
        ([], "Constanta", {"constanta_port"}),
        ([], "Varna", {"varna_port"}),
        ([], "Burgas", {"burgas_port"}),
        (["Constanta"], "Budapest", {"bucharest", "curtici", "lokoshaza"}),
    ],
)
def test_every_variant_can_be_routed(net: corridors.Network, via: list[str], destination: str,
                                     expected_places: set[str]) -> None:
    route = net.route("Xi'an", destination, via=via)
    assert expected_places <= set(route.places)


def test_btk_has_a_break_of_gauge_at_akhalkalaki(net: corridors.Network) -> None:
    route = net.route("Baku", "Kars")
    assert ("gauge_change", "akhalkalaki") in [(s.kind, s.place) for s in route.stops]
    assert ("border_crossing", "kartsakhi") in [(s.kind, s.place) for s in route.stops]


def test_distance_routes_are_no_longer_than_time_routes(net: corridors.Network) -> None:
    by_time = net.route("Xi'an", "Istanbul")
    by_distance = net.route("Xi'an", "Istanbul", by="distance")
    assert by_distance.distance_km <= by_time.distance_km
    assert by_time.time_h <= by_distance.time_h


def test_avoiding_a_place_and_a_mode(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti", avoid=["Dostyk", "Kuryk"])
    assert not {"dostyk", "kuryk_port"} & set(route.places)
    overland = net.route("Xi'an", "Poti", avoid=["ferry", "sea"])  # round the Caspian through Russia
    assert "RUS" in overland.countries
    assert all(leg.mode not in ("ferry", "sea") for leg in overland.legs)
    with pytest.raises(corridors.NoRouteError) as caught:
        net.route("Xi'an", "Poti", avoid=["ferry", "sea", "Russia", "Iran"])
    assert "Xi'an" in str(caught.value)
    assert "IRN" in caught.value.reason
    assert "RUS" in caught.value.reason


def test_unknown_place_offers_close_matches(net: corridors.Network) -> None:
    with pytest.raises(corridors.UnknownPlaceError) as caught:
        net.route("Xian", "Atlantis")
    assert "Atlantis" in str(caught.value)
    with pytest.raises(corridors.UnknownPlaceError) as caught:
        net.place("Constanza")
    assert any("Constan" in m for m in caught.value.matches)


def test_alternatives_differ_in_where_they_stop(net: corridors.Network) -> None:
    routes = net.alternatives("Xi'an", "Poti", k=4)
    assert len(routes) == 4
    assert routes[0].places == net.route("Xi'an", "Poti").places
    stops = [tuple(dict.fromkeys(s.place for s in r.stops)) for r in routes]
    assert len(set(stops)) == len(stops)
    times = [r.time_h for r in routes]
    assert times == sorted(times)


def test_alternatives_keep_the_constraints(net: corridors.Network) -> None:
    routes = net.alternatives("Xi'an", "Poti", k=3, via=["Aktau"], avoid=["RUS"])
    assert routes
    for route in routes:
        assert "aktau_port" in route.places
        assert "RUS" not in route.countries
    with pytest.raises(corridors.CorridorError, match="whole number"):
        net.alternatives("Xi'an", "Poti", k=0)
