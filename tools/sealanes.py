"""Sea-lane geometry for open-sea legs, derived from a maritime network instead of drawn by hand.

A dataset-maintenance tool, not part of the runtime package: ``python tools/sealanes.py data/legs.csv`` draws
every leg whose ``waypoints`` field says ``searoute`` (or ``searoute avoid suez babalmandab`` to keep the path
out of named passages) along the shortest path of the maritime network shipped by the ``searoute`` package
(install corridors with the ``build-data`` extra). It writes the lines into the ``geometry`` column as WKT and the
named passages they go through into ``passages``. The published ``distance_km`` of a leg stays as it is; the tool
prints the drawn length beside it so that a maintainer can see where they disagree. The Caspian Sea is joined to
the ocean only through the Volga–Don canal in public maritime networks, so Caspian legs keep explicit waypoints.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from shapely.geometry import LineString

if __name__ == "__main__":  # run as a script: draw with the corridors of this checkout, whatever is installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridors.contract import SEAROUTE
from corridors.places import passage_named

#: searoute's name for the Cape route; not an alias of ours, where "South Africa" is the country
SEAROUTE_ONLY = {"south_africa": "cape_of_good_hope"}
ALWAYS_AVOID = ("northwest", "bering")  # Arctic passages are not in use for these trades


def sea_lane(origin: tuple[float, float], destination: tuple[float, float], *,
             avoid: Sequence[str] = ()) -> tuple[LineString, tuple[str, ...]]:
    """Return the maritime-network path between two ``(lon, lat)`` points and the named passages it goes through.

    ``avoid`` names passages in searoute's terms (``suez``, ``babalmandab``, ``panama``…) that the path must not
    use, e.g. to draw the route round the Cape of Good Hope.
    """
    import searoute  # optional: only dataset maintainers need it

    route = searoute.searoute(list(origin), list(destination), units="km",
                              restrictions=[*ALWAYS_AVOID, *avoid], return_passages=True)
    coords = [tuple(c) for c in route.geometry["coordinates"]]
    line = LineString([origin, *coords[1:-1], destination] if len(coords) > 2 else [origin, destination])
    named = [SEAROUTE_ONLY.get(p) or passage_named(p) for p in route.properties.get("traversed_passages", [])]
    passages = tuple(p for p in named if p is not None)  # searoute's Arctic passages are none of ours
    return line, passages


def refresh(legs_csv: Path, nodes_csv: Path) -> pd.DataFrame:
    """Redraw the sea lanes in ``legs_csv`` in place; return a table of stated and drawn lengths."""
    from corridors.validation import line_length_km

    legs = pd.read_csv(legs_csv, dtype=str, keep_default_na=False)
    nodes = pd.read_csv(nodes_csv, dtype=str, keep_default_na=False).set_index("id")
    if "geometry" not in legs.columns:
        legs["geometry"] = ""
    if "passages" not in legs.columns:
        legs["passages"] = ""
    report = []
    for i, leg in legs.iterrows():
        words = leg["waypoints"].split()
        if not words or words[0] != SEAROUTE:
            continue
        avoid = words[2:] if len(words) > 2 and words[1] == "avoid" else []
        ends = [(float(nodes.at[leg[end], "lon"]), float(nodes.at[leg[end], "lat"])) for end in ("from", "to")]
        line, passages = sea_lane(ends[0], ends[1], avoid=avoid)
        legs.at[i, "geometry"] = _wkt(line)
        legs.at[i, "passages"] = ";".join(passages)
        report.append({"leg": leg["id"], "stated_km": float(leg["distance_km"]),
                       "drawn_km": round(line_length_km(line), 1), "passages": ";".join(passages)})
    legs.to_csv(legs_csv, index=False)
    return pd.DataFrame(report)


def _wkt(line: LineString) -> str:
    return "LINESTRING (" + ", ".join(f"{x:.4f} {y:.4f}" for x, y in line.coords) + ")"


def main(argv: Sequence[str] | None = None) -> int:
    """Redraw the sea lanes of a legs table; print stated against drawn lengths."""
    parser = argparse.ArgumentParser(prog="python tools/sealanes.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("legs", type=Path, help="legs.csv to update in place")
    parser.add_argument("--nodes", type=Path, help="nodes.csv (default: beside legs.csv)")
    args = parser.parse_args(argv)
    report = refresh(args.legs, args.nodes or args.legs.with_name("nodes.csv"))
    print(report.to_string(index=False) if len(report) else "no leg has waypoints 'searoute'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
