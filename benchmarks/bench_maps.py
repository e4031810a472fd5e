"""Maps and the report: build times against a plain folium map with the same lines, and the HTML sizes.

The baseline draws the network's legs as bare polylines on a bare folium map and renders it; the ratio is the price
of popups, layers, escaping, the country background and inlining the web resources. The report is timed against
the comparison it contains. Run: ``python benchmarks/bench_maps.py``.
"""

from __future__ import annotations

import folium
from _common import arguments, compare

import corridors
from corridors.compare import compare as compare_corridors
from corridors.maps import render
from corridors.report import ReportSettings, build_report


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    net = corridors.load_network()
    lines = [[(y, x) for x, y in geometry.coords] for geometry in net.legs.geometry]

    def bare() -> str:
        m = folium.Map(tiles=None)
        for line in lines:
            folium.PolyLine(line).add_to(m)
        return m.get_root().render()

    number, repeat = (1, 1) if args.quick else (3, 5)
    compare("network map (offline, rendered)", lambda: render(net.map(offline=True), offline=True), bare,
            baseline_name="bare folium map of the same legs", number=number, repeat=repeat)
    comparison = compare_corridors(net, "Xi'an", "Duisburg", n=500)
    compare("comparison map (offline, rendered)", lambda: render(comparison.map(offline=True), offline=True), bare,
            baseline_name="bare folium map of the same legs", number=number, repeat=repeat)
    journeys = 300 if args.quick else 2000
    compare("report", lambda: build_report(net, ReportSettings(journeys=journeys)),
            lambda: compare_corridors(net, "Xi'an", "Duisburg", profiles=net.profiles, n=journeys // 2),
            baseline_name="the comparison it contains", number=1, repeat=1 if args.quick else 3)
    sizes = {
        "network map, online": len(render(net.map(), offline=False)),
        "network map, offline": len(render(net.map(offline=True), offline=True)),
        "comparison map, offline": len(render(comparison.map(offline=True), offline=True)),
        "report": len(build_report(net, ReportSettings(journeys=journeys))),
        "bare map of the same legs": len(bare()),
    }
    for name, size in sizes.items():
        print(f"HTML size, {name}: {size / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
