"""The whole story on the command line (in process): months, the context series, shipments by air, the new
variants and the superlative claim."""

from __future__ import annotations

import json

import pytest

from corridors.cli import main

CASPIAN = ["--via", "Alat", "--avoid", "RUS", "--avoid", "IRN"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_stormy_month_and_a_calm_one_differ_where_the_sources_say_so(capsys) -> None:
    results = {}
    for month in ("11", "July"):
        code, out, err = _run(capsys, "simulate", "Xi'an", "Poti", *CASPIAN, "--month", month, "-n", "2000",
                              "--json")
        assert code == 0, err
        results[month] = json.loads(out)
    assert results["11"]["P90"] > results["July"]["P90"]  # Aktau's November closures (months.csv)
    assert "November" in results["11"]["profile"]


def test_a_month_that_is_not_one_is_a_one_line_error(capsys) -> None:
    code, _out, err = _run(capsys, "simulate", "Xi'an", "Poti", "--month", "13", "-n", "100")
    assert code == 2
    assert err.count("\n") == 1
    assert "not a month" in err


def test_the_context_prints_the_trade_series_with_its_sources(capsys) -> None:
    code, out, err = _run(capsys, "context", "china_azerbaijan_trade")
    assert code == 0, err
    assert "US$3.744 billion" in out
    assert "US$1.3 billion" in out
    code, out, err = _run(capsys, "context", "--json")
    rows = json.loads(out)
    assert {"china_azerbaijan_trade", "middle_corridor_tonnes"} <= {r["series"] for r in rows}
    assert all(r["sources"] for r in rows)  # every figure names its source
    code, out, err = _run(capsys, "context", "no_such_series")
    assert code == 2
    assert "unknown series" in err


def test_a_shipment_compares_sea_rail_the_caspian_and_air_through_baku(capsys) -> None:
    code, out, err = _run(capsys, "compare", "Zhengzhou", "Liège", "--shipment", "2 t, 12 m3", "--conditions",
                          "typical", "-n", "300", "--json")
    assert code == 0, err
    rows = {r["corridor"]: r for r in json.loads(out)["rows"]}
    for corridor in ("air_baku", "sea_suez", "northern", "middle_black_sea"):
        assert rows[corridor]["available"], rows[corridor]["reason"]
    air, sea = rows["air_baku"], rows["sea_suez"]
    assert air["by_air"]
    assert not sea["by_air"]
    assert air["p50_days"] < sea["p50_days"] / 5  # days by air, weeks by sea
    assert air["shipment_cost_usd"] > sea["shipment_cost_usd"]
    assert air["shipment_cost_usd"] < air["cost_usd"]  # 2 t, not a full container's cargo
    code, out, err = _run(capsys, "compare", "Zhengzhou", "Liège", "--shipment", "heavy", "-n", "100")
    assert code == 2
    assert "is not a shipment" in err


@pytest.mark.parametrize(("origin", "destination", "passes"), [("Xi'an", "Mersin", "MERSIN"),
                                                                ("Kashgar", "Tashkent", "TASHKENT")])
def test_the_new_places_are_routed(capsys, origin: str, destination: str, passes: str) -> None:
    code, out, err = _run(capsys, "route", origin, destination)
    assert code == 0, err
    assert "Total:" in out


def test_the_central_asian_variant_is_compared(capsys) -> None:
    code, out, err = _run(capsys, "compare", "Xi'an", "Baku", "--conditions", "typical", "-n", "300", "--json")
    assert code == 0, err
    rows = {r["corridor"]: r for r in json.loads(out)["rows"]}
    assert rows["middle_central_asia"]["available"]
    assert "UZB" in rows["middle_central_asia"]["countries"]
