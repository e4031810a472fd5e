"""Maps and the report: build times against a plain folium map with the same lines, and the HTML sizes.

The baseline draws the network's legs as bare polylines on a bare folium map and renders it; the ratio is the price
of popups, layers, escaping, the country background and inlining the web resources. The report is timed against
the comparison it contains. Sizes: the report's two maps embedded (the libraries once for the page) against the same
maps written as self-contained pages (each with its own Leaflet and jQuery, as the report's frames once were), and
the report against its 3 MB budget. Run: ``python benchmarks/bench_maps.py``.
"""

from __future__ import annotations

import folium
from _common import arguments, compare

import corridors
from corridors.compare import compare as compare_corridors
from corridors.maps import embed, render, resources_html
from corridors.report import ReportSettings, build_report

#: The report goes by e-mail; tests/test_browser.py holds it to the same figure.
REPORT_BUDGET_BYTES = 3_000_000


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
    built: list[str] = []  # the report timed is the report measured: it takes a minute to build
    compare("report", lambda: built.append(build_report(net, ReportSettings(journeys=journeys))),
            lambda: compare_corridors(net, "Xi'an", "Duisburg", profiles=net.profiles, n=journeys // 2),
            baseline_name="the comparison it contains", number=1, repeat=1 if args.quick else 3)
    report = len(built[-1].encode("utf-8"))
    sizes = {
        "network map, online": len(render(net.map(), offline=False)),
        "network map, offline": len(render(net.map(offline=True), offline=True)),
        "comparison map, offline": len(render(comparison.map(offline=True), offline=True)),
        "report": report,
        "bare map of the same legs": len(bare()),
    }
    for name, size in sizes.items():
        print(f"HTML size, {name}: {size / 2**20:.2f} MiB")
    # the report's two maps: embedded (libraries once for the page) against two self-contained pages
    route = net.route("Xi'an", "Poti", via=("Alat",), avoid=("RUS", "IRN"))
    maps = [route.map(offline=True), comparison.map(offline=True)]
    pages = sum(len(render(m, offline=True).encode("utf-8")) for m in maps)
    embedded = [embed(m, title="map") for m in maps]
    shared = len(resources_html(t for e in embedded for t in e.resources).encode("utf-8"))
    inside = shared + sum(len(e.html.encode("utf-8")) for e in embedded)
    print(f"report maps: {inside / 1e6:.2f} MB embedded (libraries once) vs {pages / 1e6:.2f} MB as self-contained "
          f"pages -> ratio {inside / pages:.2f}")
    print(f"report: {report / 1e6:.2f} MB vs budget {REPORT_BUDGET_BYTES / 1e6:.2f} MB -> ratio "
          f"{report / REPORT_BUDGET_BYTES:.2f}")


if __name__ == "__main__":
    main()
