"""Country outlines at 1:50m for validation, converted from Natural Earth's TopoJSON redistribution.

A dataset-maintenance tool, not part of the runtime package::

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python tools/outlines.py package/countries-50m.json data/countries_50m.fgb

``world-atlas`` redistributes Natural Earth's Admin 0 countries (version 4.1.0, public domain) as quantized TopoJSON,
with the ISO 3166-1 *numeric* code as each country's id. This tool decodes the topology (delta-encoded, quantized
arcs shared between neighbours) into plain GeoJSON polygons and gives each country its ISO alpha-3 code (from the
``pycountry`` package, in the ``build-data`` extra). Natural Earth gives no code to a few disputed areas; Kosovo
gets ``XKX`` as in the 1:110m file, and the others ``-99``.

Why 1:50m: at 1:110m the outlines are generalised by up to 30 km at borders and coasts, which is where border
stations and ports stand, so "is this node in its country?" could only be checked to within 35 km. At 1:50m the
bundled nodes lie within a few km of their country (the check in ``corridors.contract``). The 1:110m file stays the
background of offline maps, where it is small enough to inline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Areas Natural Earth leaves without an ISO numeric code, by its name for them.
UNCODED = {"Kosovo": "XKX"}
DECIMALS = 4  # ~10 m, well below the ~200-400 m quantization step of the 1:50m topology


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Return the topology's arcs as lists of (lon, lat), undoing quantization and delta encoding."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]  # a negative index is an arc walked backwards
        ring.extend(points if not ring else points[1:])  # consecutive arcs share their joining point
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring]


def to_feature(geometry: dict[str, Any], arcs: list[list[tuple[float, float]]], iso_a3: str) -> dict[str, Any] | None:
    """Return one country as a GeoJSON feature, or None for a geometry without area."""
    kind = geometry.get("type")
    if kind == "Polygon":
        shape = {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geometry["arcs"]]}
    elif kind == "MultiPolygon":
        shape = {"type": "MultiPolygon", "coordinates": [[_ring(r, arcs) for r in p] for p in geometry["arcs"]]}
    else:
        return None
    name = geometry.get("properties", {}).get("name", "")
    return {"type": "Feature", "properties": {"name": name, "iso_a3": iso_a3}, "geometry": shape}


def iso_alpha3(numeric: str | None, name: str) -> str:
    """Return the ISO 3166-1 alpha-3 code for a numeric code (``-99`` where there is none)."""
    if not numeric:
        return UNCODED.get(name, "-99")
    import pycountry  # optional: only dataset maintainers need it

    country = pycountry.countries.get(numeric=numeric.zfill(3))
    return country.alpha_3 if country is not None else "-99"


def convert(topology: dict[str, Any]) -> dict[str, Any]:
    """Return the topology's ``countries`` object as a GeoJSON FeatureCollection, one valid feature per ISO code.

    Natural Earth splits a few countries into several features (Australia and its Ashmore and Cartier Islands): they
    are joined under the first one's name. Rings that touch themselves after quantization (Russia, Fiji and
    Antarctica) are repaired with ``shapely.make_valid``. Areas without a code (``-99``) stay separate.
    """
    from shapely import make_valid
    from shapely.geometry import MultiPolygon, mapping, shape

    arcs = decode_arcs(topology)
    by_code: dict[str, tuple[str, list[Any]]] = {}
    uncoded = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        feature = to_feature(geometry, arcs, iso_alpha3(geometry.get("id"), name))
        if feature is None:
            continue
        code = feature["properties"]["iso_a3"]
        if code == "-99":
            uncoded.append((name, code, [shape(feature["geometry"])]))
        else:
            by_code.setdefault(code, (name, []))[1].append(shape(feature["geometry"]))
    features = []
    for name, code, parts in [(n, c, g) for c, (n, g) in by_code.items()] + uncoded:
        polygons = [p for part in parts for p in getattr(part, "geoms", [part])]
        geometry = make_valid(MultiPolygon(polygons) if len(polygons) > 1 else polygons[0])
        # make_valid may return a collection with stray lines where a ring touched itself: keep the areas
        areas = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type in ("Polygon", "MultiPolygon")]
        flat = [p for a in areas for p in getattr(a, "geoms", [a])]
        geometry = flat[0] if len(flat) == 1 else MultiPolygon(flat)
        features.append({"type": "Feature", "properties": {"name": name, "iso_a3": code},
                         "geometry": _rounded(mapping(geometry))})
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/outlines.py", description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("out", type=Path, help="file to write: .fgb (FlatGeobuf, what the package reads) or .geojson")
    args = parser.parse_args(argv)
    collection = convert(json.loads(args.topojson.read_text(encoding="utf-8")))
    if args.out.suffix == ".geojson":
        args.out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
                            encoding="utf-8")
    else:  # FlatGeobuf reads ten times faster than GeoJSON, and this layer is read whenever a network is loaded
        import geopandas as gpd

        frame = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")[["name", "iso_a3", "geometry"]]
        frame.to_file(args.out, driver="FlatGeobuf")
    codes = [f["properties"]["iso_a3"] for f in collection["features"]]
    print(f"wrote {len(codes)} countries to {args.out} ({codes.count('-99')} without an ISO code)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
