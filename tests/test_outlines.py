"""The 1:50m country outlines: the maintainer's converter on a hand-made topology, and the bundled layer."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, shape

import corridors
from corridors.outlines import convert, decode_arcs

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
