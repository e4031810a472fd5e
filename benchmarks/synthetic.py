"""Write a synthetic grid network of about N legs as a dataset folder that ``corridors.load_network`` reads.

The grid lies inside Russia between 65–105°E and 56–64°N, so that every place passes the country check and
every leg the distance and geometry checks. Rows of the grid are rail lines (1520 mm); every seventh row is a
road, and every fifth place is an intermodal terminal where freight changes between them, so that routes carry
transshipment stops as well as legs. The figures are invented: the dataset exists to measure scale, and its one
source says so. Run: ``python benchmarks/synthetic.py FOLDER --legs 100000``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

BOX = (65.0, 56.0, 105.0, 64.0)  # lon/lat; inside the 1:50m outline of RUS everywhere (checked at 20,000 points)
SOURCE = "synthetic_grid"
ROAD_EVERY = 7  # every seventh row of the grid is a road
INTERMODAL_EVERY = 5  # every fifth place can move freight between road and rail


def grid_side(legs: int) -> int:
    """Return the side of a square grid with about ``legs`` legs (a side of n has 2·n·(n−1))."""
    return max(2, round((1 + math.sqrt(1 + 2 * legs)) / 2))


def write_grid(folder: str | Path, legs: int) -> Path:
    """Write the dataset (nodes, legs, sources, stop_times, speeds) to ``folder`` and return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n = grid_side(legs)
    rows, cols = np.divmod(np.arange(n * n), n)
    lon = BOX[0] + (BOX[2] - BOX[0]) * cols / (n - 1)
    lat = BOX[1] + (BOX[3] - BOX[1]) * rows / (n - 1)
    ids = np.char.add("p", np.arange(n * n).astype(str))
    intermodal = np.arange(n * n) % INTERMODAL_EVERY == 0
    pd.DataFrame({
        "id": ids, "name": np.char.add("Place ", np.arange(n * n).astype(str)), "aliases": "", "country": "RUS",
        "kind": "terminal", "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "facilities": np.where(intermodal, "intermodal", ""), "coord_status": "estimate", "coord_source": SOURCE,
        "sources": "", "note": "",
    }).to_csv(folder / "nodes.csv", index=False)

    index = np.arange(n * n).reshape(n, n)
    across = (index[:, :-1].ravel(), index[:, 1:].ravel(), np.repeat(np.arange(n), n - 1))
    down = (index[:-1, :].ravel(), index[1:, :].ravel(), np.repeat(np.arange(n - 1), n))
    start = np.concatenate([across[0], down[0]])
    end = np.concatenate([across[1], down[1]])
    road = np.concatenate([across[2] % ROAD_EVERY == ROAD_EVERY - 1, np.zeros(len(down[0]), dtype=bool)])
    direct_km = Geod(ellps="WGS84").inv(lon[start], lat[start], lon[end], lat[end])[2] / 1000.0
    pd.DataFrame({
        "id": np.char.add(np.char.add(ids[start], "__"), ids[end]), "from": ids[start], "to": ids[end],
        "mode": np.where(road, "road", "rail"), "gauge_mm": np.where(road, "", "1520"),
        "distance_km": np.ceil(direct_km * 10.5) / 10,  # 5% longer than the great circle: lines bend
        "distance_status": "estimate", "distance_source": SOURCE, "distance_note": "", "time_h": "",
        "time_source": "", "service": "", "service_source": "", "waypoints": "", "passages": "", "sources": "",
        "note": "",
    }).to_csv(folder / "legs.csv", index=False)

    pd.DataFrame([{"id": SOURCE, "title": "Synthetic grid for scale benchmarks (invented figures)",
                   "publisher": "corridors benchmarks", "url": "https://example.org/synthetic", "year": "2026",
                   "accessed": "", "note": "not real data"}]).to_csv(folder / "sources.csv", index=False)
    stops = [("border_crossing", 2, 6, 24), ("gauge_change", 3, 5, 24), ("port_handling", 6, 12, 30),
             ("transshipment", 2, 4, 12), ("ferry_wait", 12, 48, 240)]
    pd.DataFrame([{"kind": k, "place": "*", "profile": "typical", "low_h": lo, "typical_h": mid, "high_h": hi,
                   "status": "estimate", "sources": SOURCE, "note": ""} for k, lo, mid, hi in stops]
                 ).to_csv(folder / "stop_times.csv", index=False)
    speeds = [("rail", 20, 35, 50), ("road", 30, 45, 60), ("ferry", 15, 20, 25), ("sea", 25, 30, 35)]
    pd.DataFrame([{"mode": m, "country": "*", "profile": "typical", "low_kmh": lo, "typical_kmh": mid,
                   "high_kmh": hi, "status": "estimate", "sources": SOURCE, "note": ""} for m, lo, mid, hi in speeds]
                 ).to_csv(folder / "speeds.csv", index=False)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--legs", type=int, default=10_000)
    args = parser.parse_args()
    write_grid(args.folder, args.legs)


if __name__ == "__main__":
    main()
