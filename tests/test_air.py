"""Air as a mode: airports, flights with a timetable, rates per chargeable kg, and shipments on every mode."""

from __future__ import annotations

from pathlib import Path

import pytest

import corridors
from corridors.errors import CorridorError
from corridors.shipment import Shipment, shipment_totals
from corridors.validation import great_circle_km

URC, GYD = (43.907, 87.474), (40.467, 50.047)


def _with_air(folder: Path, *, conversions: bool = True) -> Path:
    def add(name: str, text: str) -> None:
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(text)

    add("nodes.csv", f"urumqi_airport,Ürümqi Diwopu airport,URC,CHN,airport,{URC[0]},{URC[1]},airport;customs,"
                     "reported,piglix_urumqi,,\n"
                     f"gyd_airport,Heydar Aliyev airport,GYD,AZE,airport,{GYD[0]},{GYD[1]},airport;customs,"
                     "reported,ipfs_alyat,,\n")
    flight_km = round(great_circle_km(URC[1], URC[0], GYD[1], GYD[0]) + 1)
    add("legs.csv", "urumqi__urumqi_airport,urumqi,urumqi_airport,road,,20,estimate,piglix_urumqi,,,,,,,,\n"
                    f"urumqi_airport__gyd_airport,urumqi_airport,gyd_airport,air,,{flight_km},derived,piglix_urumqi,,"
                    "6,silkroute_titr,3/week,silkroute_titr,,,\n"
                    "gyd_airport__alat_port,gyd_airport,alat_port,road,,85,estimate,ipfs_alyat,,,,,,,,\n")
    add("stop_times.csv", "air_handling,*,typical,4,8,24,estimate,silkroute_titr,test\n"
                          "flight_wait,*,typical,0,12,48,estimate,silkroute_titr,test\n")
    (folder / "costs.csv").write_text(
        "kind,place,leg,profile,unit,price_year,low,typical,high,status,sources,note\n"
        "air,*,,*,usd_per_kg,2024,2.5,3.0,4.0,estimate,silkroute_titr,test\n"
        "road,*,,*,usd_per_feu_km,2024,1.5,2.0,2.5,estimate,silkroute_titr,test\n"
        "rail,*,,*,usd_per_feu_km,2024,0.5,1.0,1.5,estimate,silkroute_titr,test\n", encoding="utf-8")
    (folder / "emissions.csv").write_text(
        "mode,country,kg_co2e_per_feu_km,kg_co2e_per_tonne_km,status,sources,note\n"
        "air,*,,0.6,estimate,silkroute_titr,test\n"
        "road,*,1.2,,estimate,silkroute_titr,test\n"
        "rail,*,0.4,,estimate,silkroute_titr,test\n", encoding="utf-8")
    if conversions:
        (folder / "conversions.csv").write_text(
            "name,value,unit,status,sources,note\n"
            "tonnes_per_feu_load,20,t,derived,silkroute_titr,test\n"
            "m3_per_feu,67.7,m3,reported,silkroute_titr,test\n"
            "air_volumetric_kg_per_m3,166.67,kg per m3,reported,silkroute_titr,test\n", encoding="utf-8")
    return folder


def test_a_flight_has_its_airport_stops_and_is_priced_per_kg(mini_dir: Path) -> None:
    net = corridors.load_network(_with_air(mini_dir))
    route = net.route("Urumqi", "Alat", via=["URC"], avoid=["rail", "ferry"])
    kinds = [(e.kind, e.place) for e in route.elements]
    assert ("air", "urumqi_airport") in kinds
    # cargo is accepted at the departure airport, waits for the next of three flights a week, and is delivered
    assert kinds.index(("air_handling", "urumqi_airport")) < kinds.index(("flight_wait", "urumqi_airport")) \
        < kinds.index(("air", "urumqi_airport")) < kinds.index(("air_handling", "gyd_airport"))
    wait = next(e for e in route.elements if e.kind == "flight_wait")
    assert wait.time_h == pytest.approx(168 / 3 / 2)  # half the headway
    flight = next(e for e in route.legs if e.mode == "air")
    assert flight.time_h == 6
    assert flight.cost_usd == pytest.approx(3.0 * 20_000)  # per chargeable kg of one loaded FEU's cargo
    assert flight.co2_kg == pytest.approx(0.6 * 20 * flight.distance_km)  # per tonne-km of that cargo


def test_a_shipment_pays_its_share_of_a_container_and_its_chargeable_kg_in_the_air(mini_dir: Path) -> None:
    net = corridors.load_network(_with_air(mini_dir))
    flying = net.route("Urumqi", "Alat", via=["URC"], avoid=["rail", "ferry"])
    shipment = Shipment.parse("2 t, 12 m3")
    totals = shipment_totals(flying, shipment)
    assert totals["chargeable_kg"] == pytest.approx(12 * 166.67, rel=1e-4)  # its volume weighs more than its mass
    assert totals["feu_share"] == pytest.approx(12 / 67.7, abs=1e-4)
    flight = next(e for e in flying.legs if e.mode == "air")
    road = sum(e.cost_usd for e in flying.legs if e.mode == "road")
    assert totals["cost_usd"] == pytest.approx(flight.cost_usd * 12 * 166.67 / 20_000 + road * 12 / 67.7, rel=1e-4)
    assert totals["air"]
    # whole containers scale every element alike
    two = shipment_totals(flying, Shipment.parse("2 FEU"))
    assert two["cost_usd"] == pytest.approx(2 * flying.cost_usd)


def test_per_kg_rates_need_the_reference_load(mini_dir: Path) -> None:
    # found when the dataset is loaded (and by validate), not at the first route that flies
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(_with_air(mini_dir, conversions=False))
    assert {p.message.split(":")[0] for p in caught.value.problems} == {
        "a row 'tonnes_per_feu_load' is needed", "a row 'm3_per_feu' is needed",
        "a row 'air_volumetric_kg_per_m3' is needed"}
    assert corridors.validate(mini_dir)  # validate lists them too


@pytest.mark.parametrize(("text", "tonnes", "m3", "feu"), [
    ("2 t, 12 m3", 2, 12, None), ("800 kg", 0.8, 0, None), ("12 m³; 3.5 tonnes", 3.5, 12, None),
    ("2 FEU", 0, 0, 2), ("1 x 40ft", 0, 0, 1)])
def test_shipments_are_read_as_written(text: str, tonnes: float, m3: float, feu: float | None) -> None:
    shipment = Shipment.parse(text)
    assert (shipment.tonnes, shipment.m3, shipment.feu) == (pytest.approx(tonnes), m3, feu)


@pytest.mark.parametrize("text", ["", "heavy", "2 tons of bricks", "-2 t", "0 t", "2 t, nan m3"])
def test_a_shipment_that_is_not_one(text: str) -> None:
    with pytest.raises(CorridorError, match="shipment"):
        Shipment.parse(text)


def test_a_through_rate_is_shared_by_distance_among_the_flights_of_a_routing(mini_dir: Path) -> None:
    folder = _with_air(mini_dir)
    flight_km = round(great_circle_km(URC[1], URC[0], GYD[1], GYD[0]) + 1)
    with (folder / "conversions.csv").open("a", encoding="utf-8") as f:
        f.write(f"air_rate_reference_km,{2 * flight_km},km,derived,silkroute_titr,test\n")
    net = corridors.load_network(folder)
    flight = next(e for e in net.route("Urumqi", "Alat", via=["URC"], avoid=["rail", "ferry"]).legs if e.mode == "air")
    assert flight.cost_usd == pytest.approx(3.0 * 20_000 / 2)  # half the reference distance, half the rate


def test_a_route_flies_only_when_the_request_names_an_airport(mini_dir: Path) -> None:
    net = corridors.load_network(_with_air(mini_dir))
    ground = net.route("Urumqi", "Alat")  # a container's route: rail and the Caspian ferry, though flying is faster
    assert "air" not in {leg.mode for leg in ground.legs}
    flying = net.route("Urumqi", "Alat", via=["URC"])
    assert "air" in {leg.mode for leg in flying.legs}
    assert flying.time_h < ground.time_h
