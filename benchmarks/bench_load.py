"""``load_network()`` (read, validate every row, build the Network) against reading the same files with pandas.

The baseline reads the bundled CSV files and the country outlines without any checks: the ratio is the price of
validation and of building the network. Run: ``python benchmarks/bench_load.py``.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from _common import arguments, compare

import corridors
from corridors.datasets import data_path


def read_only() -> None:
    folder = data_path()
    for name in ("nodes", "legs", "sources", "stop_times", "speeds"):
        pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    gpd.read_file(folder / "countries_110m.geojson")


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    corridors.load_network()  # imports and caches warmed alike for both sides
    number, repeat = (1, 2) if args.quick else (3, 5)
    compare("load_network()", corridors.load_network, read_only, baseline_name="reading the files",
            number=number, repeat=repeat)
    net = corridors.load_network()
    compare("first route on a fresh network (builds the expanded graph)",
            lambda: corridors.load_network().route("Xi'an", "Poti"), corridors.load_network,
            baseline_name="load_network() alone", number=number, repeat=repeat)
    del net


if __name__ == "__main__":
    main()
