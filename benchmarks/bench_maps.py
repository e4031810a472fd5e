"""Maps and the report: build times against a plain folium map with the same lines, and the HTML sizes.

The baseline draws the network's legs as bare polylines on a bare folium map and renders it; the ratio is the price
of popups, layers, escaping, the country background and inlining the web resources. The report is timed against
the comparison it contains. Sizes: the report's two maps embedded (the libraries once for the page) against the same
maps written as self-contained pages (each with its own Leaflet and jQuery, as the report's frames once were), and
the report against its 3 MB budget. Run: ``python benchmarks/bench_maps.py``.

``--quick`` runs every step on the tests' small dataset of one's own (tests/data/own: five places, one corridor,
its own claims), whose report builds in seconds rather than a minute: it checks that the script runs and prints its
ratios (tests/test_benchmarks.py); its figures are not the bundled network's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import folium
from _common import arguments, compare

import corridors
from corridors.compare import compare as compare_corridors
from corridors.maps import embed, render, resources_html
from corridors.report import ReportSettings, build_report

#: The report goes by e-mail; tests/test_browser.py holds it to the same figure.
REPORT_BUDGET_BYTES = 3_000_000


@dataclass(frozen=True)
class Journeys:
    """The network measured and the journeys its comparison, route and report follow."""

    folder: Path | None  # None: the bundled dataset
    compare: tuple[str, str]
    route: tuple[str, str]
    via: tuple[str, ...]
    avoid: tuple[str, ...]
    report: ReportSettings


#: The report's own journeys on the bundled network (its defaults), as a reader gets it.
BUNDLED = Journeys(None, ("Xi'an", "Duisburg"), ("Xi'an", "Poti"), ("Alat",), ("RUS", "IRN"), ReportSettings())
OWN = Path(__file__).resolve().parents[1] / "tests" / "data" / "own"
#: --quick: one journey across the small dataset, everywhere (as ``corridors report urumqi alat_port`` sets it).
QUICK = Journeys(OWN, ("urumqi", "alat_port"), ("urumqi", "alat_port"), (), (),
                 ReportSettings(route_origin="urumqi", route_destination="alat_port", route_via=(), route_avoid=(),
                                compare_origin="urumqi", compare_destination="alat_port",
                                bottleneck_origin="urumqi", bottleneck_destination="alat_port"))


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    journeys = QUICK if args.quick else BUNDLED
    net = corridors.load_network() if journeys.folder is None else corridors.load_network(journeys.folder)
    lines = [[(y, x) for x, y in geometry.coords] for geometry in net.legs.geometry]

    def bare() -> str:
        m = folium.Map(tiles=None)
        for line in lines:
            folium.PolyLine(line).add_to(m)
        return m.get_root().render()

    def kept(make, into: list[str]):
        """Return ``make`` keeping what it gives: the page timed is the page measured, rendered once."""
        return lambda: into.append(make())

    number, repeat = (1, 1) if args.quick else (3, 5)
    network_pages: list[str] = []
    compare("network map (offline, rendered)", kept(lambda: render(net.map(offline=True), offline=True),
                                                     network_pages), bare,
            baseline_name="bare folium map of the same legs", number=number, repeat=repeat)
    comparison = compare_corridors(net, *journeys.compare, n=500)
    comparison_pages: list[str] = []
    compare("comparison map (offline, rendered)", kept(lambda: render(comparison.map(offline=True), offline=True),
                                                        comparison_pages), bare,
            baseline_name="bare folium map of the same legs", number=number, repeat=repeat)
    n = 300 if args.quick else 2000
    settings = replace(journeys.report, journeys=n)
    built: list[str] = []  # the report timed is the report measured: it takes a minute to build
    compare("report", kept(lambda: build_report(net, settings), built),
            lambda: compare_corridors(net, settings.compare_origin, settings.compare_destination,
                                      profiles=net.profiles, n=n // 2),
            baseline_name="the comparison it contains", number=1, repeat=1 if args.quick else 3)
    report = len(built[-1].encode("utf-8"))
    sizes = {
        "network map, online": len(render(net.map(), offline=False)),
        "network map, offline": len(network_pages[-1]),
        "comparison map, offline": len(comparison_pages[-1]),
        "report": report,
        "bare map of the same legs": len(bare()),
    }
    for name, size in sizes.items():
        print(f"HTML size, {name}: {size / 2**20:.2f} MiB")
    # the report's two maps: embedded (libraries once for the page) against two self-contained pages
    route = net.route(*journeys.route, via=journeys.via, avoid=journeys.avoid)
    maps = [route.map(offline=True), comparison.map(offline=True)]
    pages = len(render(maps[0], offline=True).encode("utf-8")) + len(comparison_pages[-1].encode("utf-8"))
    embedded = [embed(m, title="map") for m in maps]
    shared = len(resources_html(t for e in embedded for t in e.resources).encode("utf-8"))
    inside = shared + sum(len(e.html.encode("utf-8")) for e in embedded)
    print(f"report maps: {inside / 1e6:.2f} MB embedded (libraries once) vs {pages / 1e6:.2f} MB as self-contained "
          f"pages -> ratio {inside / pages:.2f}")
    print(f"report: {report / 1e6:.2f} MB vs budget {REPORT_BUDGET_BYTES / 1e6:.2f} MB -> ratio "
          f"{report / REPORT_BUDGET_BYTES:.2f}")

if __name__ == "__main__":
    main()
