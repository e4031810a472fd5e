"""A month is a condition: a port's own closure odds in that month, and the groups a seasonal peak congests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import corridors
from corridors.datasets import data_path
from corridors.errors import CorridorError, ValidationError
from corridors.seasons import by_month, month_number

HEADER = "month,kind,place,probability,low_h,typical_h,high_h,status,sources,note\n"


def _dataset(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "data"
    if not folder.exists():
        shutil.copytree(data_path(), folder)
    (folder / "months.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


def _caspian_journey(net: corridors.Network, conditions) -> corridors.Route:
    return net.route("Xi'an", "Baku", via=["Aktau"], avoid=["RUS", "IRN"], conditions=conditions)


def test_a_month_uses_the_ports_own_closure_row(tmp_path: Path) -> None:
    source = "trend_2025_baku_port"  # any known source id: the test is about the mechanics
    folder = _dataset(tmp_path, f"1,weather_closure,aktau_port,0.5,24,48,96,estimate,{source},winter\n"
                                f"7,weather_closure,aktau_port,0,0,0,0,estimate,{source},calm summer\n")
    net = corridors.load_network(folder)
    annual = net.conditions("typical")
    january, july = net.conditions("typical", month=1), net.conditions("typical", month="July")
    assert january.name == "typical in January"
    assert july.month == 7

    def closure(conditions):
        wait = next(e for e in _caspian_journey(net, conditions).elements
                    if e.kind == "ferry_wait" and e.place == "aktau_port")
        return wait.priced.closure

    assert closure(january).probability == 0.5
    assert closure(january).delay.typical == 48
    assert closure(july) is None  # a month the source calls calm: no closure at all
    assert closure(annual).probability != 0.5  # the annual row where no month is asked for
    # a month without a row keeps the annual row
    assert closure(net.conditions("typical", month=4)) == closure(annual)
    # the best case is a timetable: no closures in any month
    assert closure(net.conditions("best", month=1)) is None

    winter = _caspian_journey(net, january).simulate(n=4000, seed=1).summary()
    summer = _caspian_journey(net, july).simulate(n=4000, seed=1).summary()
    assert winter["P90"] > summer["P90"]
    assert winter["P50"] >= summer["P50"]


def test_a_peak_congests_its_group_in_its_month(tmp_path: Path) -> None:
    folder = _dataset(tmp_path, "10,peak,caspian,,,,,reported,trend_2025_baku_port,grain season\n")
    net = corridors.load_network(folder)
    october = net.conditions("typical", month=10)
    assert october.groups["caspian"] == "congested"
    assert october.level(["leg:aktau_port__alat_port"]) == "congested"
    assert net.conditions("typical", month=3).level(["leg:aktau_port__alat_port"]) == "typical"
    # the user's override still has the last word
    relieved = net.conditions("typical", month=10, relieve=["caspian"])
    assert relieved.level(["leg:aktau_port__alat_port"]) == "best"


def test_a_bad_months_file_lists_every_problem(tmp_path: Path) -> None:
    folder = _dataset(tmp_path, "13,weather_closure,aktau_port,0.1,1,2,3,estimate,trend_2025_baku_port,\n"
                                "1,weather_closure,atlantis,0.1,1,2,3,estimate,trend_2025_baku_port,\n"
                                "2,weather_closure,aktau_port,1.5,1,2,3,estimate,trend_2025_baku_port,\n"
                                "3,weather_closure,aktau_port,0.1,5,2,3,estimate,trend_2025_baku_port,\n"
                                "4,weather_closure,aktau_port,0.1,1,2,3,estimate,nobody,\n"
                                "5,storm,aktau_port,0.1,1,2,3,estimate,trend_2025_baku_port,\n"
                                "6,peak,no_such_group,,,,,reported,trend_2025_baku_port,\n"
                                "8,weather_closure,aktau_port,5_0,1,2,3,estimate,trend_2025_baku_port,\n")
    with pytest.raises(ValidationError) as caught:
        corridors.load_network(folder)
    fields = [(p.row, p.field) for p in caught.value.problems]
    assert fields == [("line 2", "month"), ("line 3", "place"), ("line 4", "probability"), ("line 5", "typical_h"),
                      ("line 6", "sources"), ("line 7", "kind"), ("line 8", "place"), ("line 9", "probability")]
    assert all(p.file == "months.csv" for p in caught.value.problems)


@pytest.mark.parametrize(("text", "month"), [("1", 1), ("01", 1), ("Jan", 1), ("january", 1), ("12", 12),
                                             ("Sep", 9)])
def test_months_by_number_or_name(text: str, month: int) -> None:
    assert month_number(text) == month


@pytest.mark.parametrize("text", ["0", "13", "Janvier", "", "1.5", "-1"])
def test_a_month_that_is_not_a_month(text: str) -> None:
    with pytest.raises(CorridorError, match="not a month"):
        month_number(text)


def test_a_journey_month_by_month_changes_only_where_the_data_describe_the_month(net: corridors.Network) -> None:
    route = _caspian_journey(net, "typical")
    table = by_month(route, n=2000, seed=0)
    assert table["month"].tolist() == list(range(1, 13))
    annual = route.simulate(n=2000, seed=0).percentiles((10, 50, 90))
    quiet = table[~table["described"]]
    assert (quiet["p50_days"] == round(annual["P50"], 2)).all()
    assert (quiet["p90_days"] == round(annual["P90"], 2)).all()
    described = set(table.loc[table["described"], "name"])
    assert described >= {"November", "December"}  # Aktau's winter closures (months.csv)
    # November-December (closed ~50% of the time) are the stormy months; the other described months (January-March
    # at 0.10, June-August at 0.03, months.csv) are below the annual row, which November-December push up
    stormy = table[table["name"].isin(["November", "December"])]
    assert (stormy["p90_days"] > quiet["p90_days"].max()).all()
    assert (stormy["closure_share"] > quiet["closure_share"].max()).all()
    calm = table[table["name"].isin(["June", "July", "August"])]
    assert (calm["closure_share"] < quiet["closure_share"].min()).all()


def test_the_bundled_months_describe_winter_and_summer_at_the_caspian_ports(net: corridors.Network) -> None:
    book = net.condition_book.months
    for port in ("aktau_port", "kuryk_port", "alat_port", "turkmenbashi_port"):
        assert book.closure(port, 1).probability == 0.1
        assert book.closure(port, 2).probability == 0.1
        assert book.closure(port, 3).probability == 0.1
        assert book.closure(port, 7).probability == 0.03
        assert book.closure(port, 1).delay.high == 120
        assert book.closure(port, 4) is None  # no source read describes April: the annual row
    assert "trend_asco_jan_storm" in book.closure("kuryk_port", 1).delay.sources
    assert "azernews_2025_asco_storm" in book.closure("kuryk_port", 2).delay.sources
    assert "esimo_caspian_wind" in book.closure("kuryk_port", 7).delay.sources
    assert book.months_described("kuryk_port") == (1, 2, 3, 6, 7, 8, 11, 12)


def test_xian_to_poti_across_the_caspian_is_slower_in_january_than_in_july(net: corridors.Network) -> None:
    # The booked Xi'an -> Poti route runs overland through Russia (Makhachkala - Baku) and meets no ferry, so no
    # month changes it; the Middle Corridor journey (avoiding Russia) crosses the Caspian from Aktau or Kuryk.
    def journey(month: int) -> corridors.Route:
        return net.route("Xi'an", "Poti", avoid=["RUS", "IRN"], conditions=net.conditions("typical", month=month))

    january = journey(1).simulate(n=4000, seed=0)
    july = journey(7).simulate(n=4000, seed=0)
    assert january.summary()["P50"] > july.summary()["P50"]
    assert january.summary()["P90"] > july.summary()["P90"]


def test_the_bundled_months_describe_the_black_sea_winter(net: corridors.Network) -> None:
    book = net.condition_book.months
    assert book.closure("poti_port", 1).probability == 0.15
    assert book.closure("batumi_port", 11).probability == 0.06
    assert book.closure("constanta_port", 1).probability == 0.12
    assert book.closure("poti_port", 7) is None  # Poti also closes in summer storms: no calm-season row
    assert "portnews_2016_georgia_ports" in book.closure("poti_port", 1).delay.sources
