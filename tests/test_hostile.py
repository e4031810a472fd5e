"""Every text field of a dataset holds script payloads; every page and display made from it stays inert.

The maps (network, route, comparison), the notebook displays and the report are opened in a real headless
Chromium with networking off; any dialog, any element the payloads would create (an ``img`` with ``src=x``, an
``onerror`` or ``onload`` attribute, a script whose text is the payload) fails the test. The charts are drawn from
the same data and must show the text as written. Run with ``CORRIDORS_CHROMIUM=$(command -v chromium)``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from conftest import DATA
from test_browser import ARGS, CHROMIUM, chromium  # noqa: F401  (the fixture that skips without a browser)

import corridors
from corridors.charts import Series, save_chart, time_distance_chart

PAYLOADS = ("$x$", "US$ hub", "{{7*7}}", "=1+1", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
            "'><img src=x onerror=alert(1)>", "`${alert(1)}`", "</textarea><svg onload=alert(1)>")
HOSTILE = " ".join(PAYLOADS)
# Validation lets through an http(s) address without spaces, so this is what a dataset can hold in a URL.
HOSTILE_URL = "https://x.example/\"><img/src=x/onerror=alert(1)>"
JAVASCRIPT_URL = "javascript:alert(1)"

# What a payload would leave in the page had it worked, in every frame.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('img[src="x"], [onerror], [onload], iframe[src^="javascript"]'))
    found.push(el.outerHTML.slice(0, 120));
  for (const s of document.querySelectorAll('script'))
    if (s.textContent.trim() === 'alert(1)') found.push('script: ' + s.outerHTML.slice(0, 120));
  for (const a of document.querySelectorAll('a[href]'))
    if (!/^(https?:|#|about:)/i.test(a.getAttribute('href').trim())) found.push('link: ' + a.outerHTML.slice(0, 120));
  return found;
}"""


def _hostile_tables(folder: Path, *, keep_names: bool) -> None:
    """Put payloads in every free-text field of the dataset in ``folder``; keep_names keeps each name as an alias."""
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    if keep_names:  # the bundled claims and report find their places by name
        nodes["aliases"] = (nodes["name"] + ";" + nodes["aliases"]).str.rstrip(";")
    else:
        nodes["aliases"] = (nodes["aliases"] + ";" + HOSTILE + " " + nodes["id"]).str.lstrip(";")
    nodes["name"] = nodes["name"] + " " + HOSTILE
    nodes["note"] = HOSTILE
    nodes.to_csv(folder / "nodes.csv", index=False)
    legs = pd.read_csv(folder / "legs.csv", dtype=str, keep_default_na=False)
    legs["distance_note"] = HOSTILE
    legs["note"] = HOSTILE
    legs.to_csv(folder / "legs.csv", index=False)
    sources = pd.read_csv(folder / "sources.csv", dtype=str, keep_default_na=False)
    for column in ("title", "publisher", "note"):
        sources[column] = HOSTILE
    sources["url"] = HOSTILE_URL
    sources.to_csv(folder / "sources.csv", index=False)
    for table in ("speeds", "stop_times"):
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        frame["note"] = HOSTILE
        frame.to_csv(folder / f"{table}.csv", index=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> corridors.Network:
    folder = tmp_path_factory.mktemp("hostile") / "mini"
    shutil.copytree(DATA / "mini", folder)
    _hostile_tables(folder, keep_names=False)
    return corridors.load_network(folder)


@pytest.fixture(scope="module")
def comparison(hostile: corridors.Network):
    """A comparison of two corridors whose names, notes and colours are payloads (the registry is bundled data)."""
    from corridors.compare import Comparison, Entry
    from corridors.registry import Corridor

    route = hostile.route("urumqi", "alat_port")
    entries = []
    for i, colour in enumerate(("#1f5fa8", "red'}</style><script>alert(1)</script>")):
        corridor = Corridor(id=f"{HOSTILE} {i}", name=f"{HOSTILE} {i}", colour=colour, via=(), avoid=(),
                            description=HOSTILE, note=HOSTILE)
        entries.append(Entry(corridor, "typical", route, route.simulate(n=200)))
    return Comparison(hostile, route.origin, route.destination, entries, window_days=None)


@pytest.fixture(scope="module")
def browser(chromium: str):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def assert_inert(browser, path: Path, *, open_popups: bool = True) -> str:
    """Open the page, every popup and tooltip on it; fail on a dialog or an injected element. Return its text."""
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 850})
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.resolve().as_uri())
        page.wait_for_selector(".leaflet-container, body", timeout=30_000)
        page.wait_for_timeout(500)
        for frame in page.frames:
            if open_popups:
                shapes = frame.locator("path.leaflet-interactive")
                for i in range(min(shapes.count(), 40)):
                    shapes.nth(i).dispatch_event("click")
                    shapes.nth(i).dispatch_event("mouseover")
            frame.wait_for_timeout(200)
        page.wait_for_timeout(300)
        for frame in page.frames:
            assert frame.evaluate(INJECTED) == [], f"injected in {frame.url[:80]}"
        assert dialogs == [], f"a payload opened a dialog: {dialogs}"
        return page.locator("body").inner_text()
    finally:
        context.close()


def _save(m, path: Path) -> Path:
    from corridors.maps import save_map

    return save_map(m, path, offline=True)


def test_network_map(browser, hostile: corridors.Network, tmp_path: Path) -> None:
    text = assert_inert(browser, _save(hostile.map(offline=True), tmp_path / "network.html"))
    assert "Network" in text


def test_route_map(browser, hostile: corridors.Network, tmp_path: Path) -> None:
    route = hostile.route("urumqi", "alat_port")
    text = assert_inert(browser, _save(route.map(offline=True), tmp_path / "route.html"))
    assert "<script>alert(1)</script>" in text  # the legend names the places, drawn as text
    assert "{{7*7}}" in text  # and is no template: folium renders a legend's HTML with Jinja


def test_comparison_map(browser, comparison, tmp_path: Path) -> None:
    text = assert_inert(browser, _save(comparison.map(offline=True), tmp_path / "compare.html"))
    assert f"{HOSTILE} 0" in text  # the legend, with {{7*7}} as written


def test_notebook_displays(browser, hostile: corridors.Network, comparison, tmp_path: Path) -> None:
    route = hostile.route("urumqi", "alat_port")
    shown = [hostile, route, route.simulate(n=200), comparison]
    body = "".join(f"<section>{thing._repr_html_()}</section>" for thing in shown)
    page = tmp_path / "notebook.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
                    encoding="utf-8")
    text = assert_inert(browser, page, open_popups=False)
    assert "<script>alert(1)</script>" in text
    assert "{{7*7}}" in text


def test_links_in_a_network_built_in_memory(browser, hostile: corridors.Network, tmp_path: Path) -> None:
    """Validation refuses javascript: URLs in files; a page must refuse them too, where it renders the link."""
    from corridors.maps import _sources_html

    class InMemory:
        sources = hostile.sources.assign(url=JAVASCRIPT_URL)

    links = _sources_html(InMemory(), list(hostile.sources.index))  # type: ignore[arg-type]
    page = tmp_path / "links.html"
    page.write_text(f"<!DOCTYPE html><html><body>{links}</body></html>", encoding="utf-8")
    assert_inert(browser, page, open_popups=False)


def test_charts_draw_the_text_as_written(hostile: corridors.Network, comparison, tmp_path: Path) -> None:
    route = hostile.route("urumqi", "alat_port")
    figures = [time_distance_chart([Series(route, route.simulate(n=200))], label_stops_over_h=0.0,
                                   title=hostile.place_name("urumqi")), comparison.chart()]
    for i, figure in enumerate(figures):
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            page = save_chart(figure, tmp_path / f"chart{i}.svg").read_text(encoding="utf-8")
        save_chart(figure, tmp_path / f"chart{i}.png")
        drawn = " ".join(re.findall(r">([^<]+)<", page))
        for payload in ("$x$", "US$ hub", "{{7*7}}", "=1+1"):
            assert payload in drawn, payload


def test_the_report(browser, tmp_path: Path) -> None:
    """The report, built from a copy of the bundled dataset whose names, notes and sources are payloads."""
    from corridors.report import ReportSettings, write_report

    folder = tmp_path / "data"
    shutil.copytree(corridors.data_path(), folder)
    _hostile_tables(folder, keep_names=True)
    target = write_report(corridors.load_network(folder), tmp_path / "report.html", ReportSettings(journeys=200))
    text = assert_inert(browser, target, open_popups=False)
    assert "<script>alert(1)</script>" in text
