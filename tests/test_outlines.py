"""The maintainers' tools in tools/ (the 1:50m outline converter on a hand-made topology, the sea-lane drawer on a
stand-in maritime network), and the bundled outline layer."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

import corridors

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _tool(name: str) -> types.ModuleType:
    """Return a tool of tools/ imported by its path (the folder is not a package, and is not installed)."""
    spec = importlib.util.spec_from_file_location(f"corridors_tool_{name}", TOOLS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


outlines = _tool("outlines")
convert, decode_arcs = outlines.convert, outlines.decode_arcs

# Two unit squares side by side sharing the arc x=1 (arc 1), quantized with scale 0.5 and translate (10, 20):
# integer steps of 2 are one degree. Country "010" is the left square, "020" the right one and also a second,
# separate square (a second feature with the same code, as Natural Earth does for Australia).
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [-2, 0], [0, 2], [2, 0]],  # (11,20) -> (10,20) -> (10,21) -> (11,21)
        [[2, 2], [0, -2]],  # the shared edge (11,21) -> (11,20)
        [[2, 2], [2, 0], [0, -2], [-2, 0]],  # (11,21) -> (12,21) -> (12,20) -> (11,20)
        [[10, 0], [2, 0], [0, 2], [-2, 0], [0, -2]],  # a separate square (15,20)-(16,21)
    ],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "398", "properties": {"name": "Kazakhstan"}},
        {"type": "Polygon", "arcs": [[2, -2]], "id": "031", "properties": {"name": "Azerbaijan"}},
        {"type": "Polygon", "arcs": [[3]], "id": "031", "properties": {"name": "Azerbaijan islands"}},
        {"type": "Polygon", "arcs": [[3]], "properties": {"name": "Kosovo"}},
        {"type": "Polygon", "arcs": [[3]], "properties": {"name": "Somewhere disputed"}},
    ]}},
}


def test_arcs_are_dequantized_and_delta_decoded() -> None:
    arcs = decode_arcs(TOPOLOGY)
    assert arcs[0] == [(11.0, 20.0), (10.0, 20.0), (10.0, 21.0), (11.0, 21.0)]
    assert arcs[1] == [(11.0, 21.0), (11.0, 20.0)]


def test_countries_get_iso_codes_and_closed_valid_outlines() -> None:
    features = {f["properties"]["iso_a3"] + ":" + f["properties"]["name"]: f for f in convert(TOPOLOGY)["features"]}
    assert set(features) == {"KAZ:Kazakhstan", "AZE:Azerbaijan", "XKX:Kosovo", "-99:Somewhere disputed"}
    kaz = shape(features["KAZ:Kazakhstan"]["geometry"])
    aze = shape(features["AZE:Azerbaijan"]["geometry"])
    assert kaz.is_valid
    assert kaz.area == pytest.approx(1.0)
    assert kaz.contains(Point(10.5, 20.5))
    assert aze.geom_type == "MultiPolygon"  # the shared arc walked backwards, and the second feature joined
    assert aze.area == pytest.approx(2.0)
    assert aze.contains(Point(11.5, 20.5))
    assert aze.contains(Point(15.5, 20.5))
    assert kaz.touches(aze)


def test_the_bundled_outlines_have_one_valid_row_per_code() -> None:
    layer = corridors.boundaries()
    coded = layer[layer["iso_a3"] != "-99"]
    assert coded["iso_a3"].is_unique
    assert layer.geometry.is_valid.all()
    for code in ("KAZ", "AZE", "GEO", "TUR", "CHN", "RUS", "SGP", "MLT", "XKX"):  # SGP and MLT are not in 1:110m
        assert code in set(coded["iso_a3"]), code
    kaz = coded.set_index("iso_a3").geometry["KAZ"]
    assert kaz.contains(Point(71.43, 51.13))  # Astana
    assert not kaz.contains(Point(49.87, 40.41))  # Baku


def test_the_sea_lane_tool_names_passages_as_the_package_does(monkeypatch: pytest.MonkeyPatch) -> None:
    sealanes = _tool("sealanes")
    asked = {}

    def searoute(origin, destination, *, units, restrictions, return_passages):  # stands in for the package
        asked["restrictions"] = restrictions
        line = {"coordinates": [origin, [32.5, 30.0], [43.4, 12.6], [56.3, 26.5], destination]}
        passages = ["suez", "babalmandab", "ormuz", "south_africa", "northwest"]
        return types.SimpleNamespace(geometry=line, properties={"traversed_passages": passages})

    monkeypatch.setitem(sys.modules, "searoute", types.SimpleNamespace(searoute=searoute))
    line, passages = sealanes.sea_lane((121.5, 31.2), (4.1, 51.9), avoid=["panama"])
    assert passages == ("suez", "bab_el_mandeb", "hormuz", "cape_of_good_hope")  # searoute's Arctic ones are not ours
    assert set(passages) <= set(corridors.contract.PASSAGES)
    assert asked["restrictions"] == ["northwest", "bering", "panama"]
    assert line.coords[0] == (121.5, 31.2)
    assert line.coords[-1] == (4.1, 51.9)


@pytest.mark.parametrize("name", ["outlines", "sealanes"])
def test_the_tools_run_from_a_checkout_and_are_not_in_the_package(name: str) -> None:
    result = subprocess.run([sys.executable, str(TOOLS / f"{name}.py"), "--help"], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"python tools/{name}.py" in result.stdout
    assert importlib.util.find_spec(f"corridors.{name}") is None
