"""Make the README gallery from the bundled data: a map screenshot, a time–distance chart and the claims table.

Run from the repository root: ``python notebooks/make_gallery.py`` (needs Chromium for the map screenshot, found at
``$CORRIDORS_CHROMIUM`` or ``/usr/bin/chromium``, and the ``test`` extra for playwright). Writes into
``notebooks/gallery/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import corridors
from corridors.charts import Series, save_chart, time_distance_chart
from corridors.claims import check, load_claims, markdown_table
from corridors.maps import save_map

CHROMIUM = os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
CLAIMS_START, CLAIMS_END = "<!-- claims table: start -->", "<!-- claims table: end -->"


def screenshot(html: Path, png: Path) -> None:
    """Take a screenshot of an offline page in headless Chromium, with networking off."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 620})
        page = context.new_page()
        page.goto(html.resolve().as_uri())
        page.wait_for_selector("path.corridors-route-leg")
        page.wait_for_timeout(400)
        page.screenshot(path=str(png))
        browser.close()


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    net = corridors.load_network()
    # the journey the seed claim is about: across the Caspian, as its readings take it (via Alat, not Russia or Iran)
    route = net.route("Xi'an", "Poti", via=["Alat"], avoid=["RUS", "IRN"])
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "route.html"
        save_map(route.map(offline=True), page, offline=True)
        screenshot(page, folder / "route_map.png")
    series = [Series(route.under(p), route.simulate(n=5000, conditions=p)) for p in net.presets]
    save_chart(time_distance_chart(series, title="Xi'an → Poti across the Caspian: time–distance by conditions"),
               folder / "time_distance.png")
    table = claims_table(net)
    (folder / "claims.md").write_text(table + "\n", encoding="utf-8")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(CLAIMS_START) + len(CLAIMS_START), text.index(CLAIMS_END)
    readme.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")
    print(f"wrote {folder}/route_map.png, time_distance.png and claims.md, and the claims table in README.md")


def claims_table(net: corridors.Network) -> str:
    """Return the README's claims table: every registered claim checked (2,000 journeys, the default seed)."""
    return markdown_table([check(claim, net, n=2000) for claim in load_claims(net).values()])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "gallery")
