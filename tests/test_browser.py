"""Maps and the report opened in a real headless Chromium with networking off, as a reader would see them."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA

import corridors

CHROMIUM = os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def chromium() -> str:
    """Return the path of Debian's Chromium; in CI its absence is a failure, elsewhere a skip."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install '.[test]')")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


class Page:
    """An offline page with its console errors and every request it tried to make to the network."""

    def __init__(self, browser, path: Path, viewport: tuple[int, int] = (1200, 850)):
        self.context = browser.new_context(offline=True, viewport={"width": viewport[0], "height": viewport[1]})
        self.requests: list[str] = []
        self.context.route("**/*", self._block)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector(".leaflet-container, h1", timeout=30_000)
        self.page.wait_for_timeout(500)

    def _block(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def _not_blank(png: bytes) -> int:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB").resize((200, 140))).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def _cli(*args: str) -> None:
    """Run the command line in process (its entry point's function; tests/test_cli.py holds the subprocess smoke
    tests): a new process would import the package and load the network again for each page."""
    from corridors import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    assert code == 0, err.getvalue()


def test_network_map_offline(browser, net: corridors.Network, tmp_path: Path) -> None:
    _cli("map", "--out", str(tmp_path / "network.html"), "--offline")
    html = (tmp_path / "network.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net/npm/leaflet" not in html.split("<script>")[0]
    page = Page(browser, tmp_path / "network.html")
    try:
        p = page.page
        assert p.locator("path.corridors-leg").count() == len(net.legs)
        assert p.locator("path.corridors-place").count() == len(net.nodes)
        # a popup opens with the leg's names and its published distance
        leg_id = "dostyk__aktogay"
        index = list(net.legs[net.legs["mode"] == "rail"].index).index(leg_id)
        p.locator("path.corridors-mode-rail").nth(index).dispatch_event("click")
        popup = p.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        assert "Dostyk – Aktogay" in popup.inner_text()
        assert "304 km" in popup.inner_text()
        # the layer control hides the rail layer
        rail_before = p.locator("path.corridors-mode-rail").count()
        assert rail_before > 0
        p.get_by_role("checkbox", name="Rail", exact=True).click()
        assert p.locator("path.corridors-mode-rail").count() == 0
        assert p.locator("path.corridors-mode-ferry").count() > 0
        assert _not_blank(p.screenshot()) > 20
        assert page.errors == []
        assert page.requests == []
    finally:
        page.close()


def test_route_map_offline_from_python(browser, net: corridors.Network, tmp_path: Path) -> None:
    from corridors.maps import save_map

    route = net.route("Xi'an", "Poti")
    save_map(route.map(offline=True), tmp_path / "route.html", offline=True)
    page = Page(browser, tmp_path / "route.html")
    try:
        p = page.page
        assert p.locator("path.corridors-route-leg").count() == len(route.legs)
        assert p.locator("path.corridors-stop").count() == len({s.place for s in route.stops})
        p.locator("path.corridors-stop").first.dispatch_event("click")
        popup = p.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        assert " h" in popup.inner_text()
        assert page.errors == []
        assert page.requests == []
    finally:
        page.close()


def test_comparison_map_offline(browser, net: corridors.Network, tmp_path: Path) -> None:
    _cli("compare", "Xi'an", "Duisburg", "--profile", "typical", "-n", "300", "--map", str(tmp_path / "c.html"),
         "--offline")
    from corridors.compare import compare

    result = compare(net, "Xi'an", "Duisburg", n=300)
    page = Page(browser, tmp_path / "c.html")
    try:
        p = page.page
        drawn = sum(len(e.route.legs) for e in result.entries if e.route is not None)
        assert p.locator("path.corridors-route-leg").count() == drawn
        legend = p.locator(".corridors-legend").inner_text()
        for entry in result.entries:
            assert entry.corridor.name in legend
        assert page.errors == []
    finally:
        page.close()


def test_scenario_map_marks_what_is_closed(browser, net: corridors.Network, tmp_path: Path) -> None:
    from corridors.maps import save_map
    from corridors.scenarios import Scenario, diff

    scenario = Scenario.from_toml(corridors.data_path() / "scenarios" / "suez_closed.toml")
    result = diff(net, scenario, "Shanghai", "Rotterdam", corridors=["sea_suez", "sea_cape"], n=300)
    save_map(result.map(offline=True), tmp_path / "s.html", offline=True)
    closed = len(net.legs) - len(result.changed.legs)
    assert closed > 0
    page = Page(browser, tmp_path / "s.html")
    try:
        assert page.page.locator("path.corridors-closed").count() == closed
        assert page.errors == []
    finally:
        page.close()


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report as the CLI writes it (built once: it takes a minute or more). Session-scoped: a worker that runs
    another module's tests in between would otherwise tear a module fixture down and build the report again (seen
    in a full run: two builds of about 45 s)."""
    folder = tmp_path_factory.mktemp("report")
    _cli("report", "--out", str(folder / "report.html"), "-n", "800")
    return folder / "report.html"


#: The report is sent by e-mail: it must stay under what mail servers and readers take without complaint.
REPORT_MAX_BYTES = 3_000_000


@pytest.fixture(scope="module")
def report_page(browser, report: Path):
    """The report opened once at a desktop window's size, for the tests that read it there without changing its
    layout: each load of its three megabytes and two maps costs Chromium seconds. Their console errors and attempted
    requests are those of every test that has used the page so far."""
    page = Page(browser, report)
    yield page
    page.close()


def test_the_report_is_at_most_3_mb(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert report.stat().st_size <= REPORT_MAX_BYTES, f"the report is {report.stat().st_size / 1e6:.2f} MB"
    # the map library is in the page once, however many maps it holds
    assert html.count("Leaflet 1.9.3, a JS library for interactive maps") == 1
    assert html.count("<div class='corridors-map'") >= 2
    assert "Bootstrap v5" not in html


def test_the_report_offline(report_page: Page) -> None:
    page = report_page
    p = page.page
    text = p.locator("body").inner_text()
    assert "10 to 12 days" in text
    assert "Verdict:" in text
    assert "Sources (" in text
    # the backtest says why its coverage is what it is: how widely the published figures scatter, and what one
    # factor on every journey would bring (which the model never applies)
    backtest_text = p.locator("#backtest").inner_text()
    assert "times the model's median (10th to 90th percentile)" in backtest_text
    assert "the model applies no such factor" in backtest_text or "recentring cannot reach 70%" in backtest_text
    # the route table names every leg and stop as a reader would: "rail 1435 mm", "gauge change", "ferry wait"
    route_rows = p.locator("#route table tbody tr")
    first_cells = route_rows.evaluate_all("rows => rows.map(r => r.querySelector('td').innerText)")
    assert first_cells[0] == "rail 1435 mm"
    assert {"gauge change", "border crossing", "ferry wait", "ferry"} <= set(first_cells)
    assert "–" not in first_cells
    maps = p.locator(".corridors-map")
    assert maps.count() >= 2
    for i in range(maps.count()):
        assert maps.nth(i).locator("path.corridors-route-leg").count() > 0
        assert maps.nth(i).locator("path.corridors-leg").count() > 0
        assert maps.nth(i).locator(".leaflet-container").bounding_box()["height"] > 300
    # a popup opens on a map in the page (folium builds it with jQuery, loaded once for all maps)
    maps.nth(1).locator("path.corridors-route-leg").first.dispatch_event("click")
    popup = maps.nth(1).locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert "km" in popup.inner_text()
    widths = p.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 3
    assert all(w > 100 for w in widths)
    assert page.errors == []
    assert page.requests == []


# The elements wider than the window, outside the boxes that are meant to scroll or clip: what a reader would
# have to scroll sideways for.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.scroll, .corridors-map'))
  .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60))"""


@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_report_never_scrolls_sideways(browser, report: Path, viewport: tuple[int, int]) -> None:
    page = Page(browser, report, viewport=viewport)
    try:
        p = page.page
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), p.evaluate(OVERFLOWING)
        assert p.evaluate(OVERFLOWING) == []
        # a wide table scrolls inside its own box rather than widening the page
        boxes = p.locator(".scroll")
        assert boxes.count() >= 5
        assert set(boxes.evaluate_all("bs => bs.map(b => getComputedStyle(b).overflowX)")) == {"auto"}
        if viewport[0] < 500:
            assert p.evaluate("[...document.querySelectorAll('.scroll')].some(b => b.scrollWidth > b.clientWidth)")
        # a source id is broken only between its words: every line of it ends at an underscore or the id's end
        ids = p.locator("#sources .sid")
        assert ids.count() > 100
        texts = ids.all_inner_texts()  # one call to the page, not one per id
        longest = ids.nth(max(range(len(texts)), key=lambda i: len(texts[i])))
        assert "_" in longest.inner_text()
        pieces = p.evaluate("""e => { const r = document.createRange(); const t = e.textContent; const tops = [];
            const lines = []; let line = '';
            for (const node of e.childNodes) { if (node.nodeType !== 3) continue;
              for (let i = 0; i < node.length; i++) { r.setStart(node, i); r.setEnd(node, i + 1);
                const top = Math.round(r.getBoundingClientRect().top);
                if (tops.length && top !== tops[tops.length - 1]) { lines.push(line); line = ''; }
                if (!tops.length || top !== tops[tops.length - 1]) tops.push(top);
                line += node.data[i]; } }
            lines.push(line); return lines; }""", longest.element_handle())
        assert "".join(pieces) == longest.inner_text()
        assert all(piece.endswith("_") for piece in pieces[:-1]), pieces
        assert page.errors == []
        assert page.requests == []
    finally:
        page.close()


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _apart(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5


def test_the_route_map_tells_the_route_from_its_stops(report_page: Page) -> None:
    page = report_page
    route_map = page.page.locator("#route .corridors-map")
    swatches = route_map.locator(".corridors-legend .corridors-swatch")
    labels = route_map.locator(".corridors-legend > div")
    legend = {labels.nth(i).inner_text().strip(): swatches.nth(i).get_attribute("data-colour")
              for i in range(labels.count())}
    route = legend.pop("route")
    stops = {label: colour for label, colour in legend.items() if "(stop)" in label}
    assert {"border crossing (stop)", "ferry wait (stop)"} <= set(stops)
    # distinct to the eye, not merely as strings: #e31a1c and #d62728 are two names for one red
    colours = [route, *legend.values()]
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            assert _apart(a, b) > 60, (a, b, legend)
    # and the map draws what the legend says: the route's lines in its colour, each stop in a stop colour
    assert set(route_map.locator("path.corridors-route-leg").evaluate_all(
        "ps => ps.map(p => p.getAttribute('stroke'))")) == {route}
    drawn = set(route_map.locator("path.corridors-stop").evaluate_all(
        "ps => ps.map(p => p.getAttribute('stroke'))"))
    assert drawn
    assert drawn <= set(stops.values())


def test_the_report_names_its_dataset(report_page: Page) -> None:
    from corridors.datasets import dataset_info

    info = dataset_info()
    assert info.version
    assert info.as_of is not None
    page = report_page
    for where in ("header .dataset", "footer.dataset"):
        text = page.page.locator(where).inner_text()
        assert f"dataset {info.version}" in text
        assert f"as of {info.as_of.isoformat()}" in text


#: For every source id shown in the page: its text, and the classes of the badge beside it ("" where none is).
#: The backtest's first column holds observations' own ids (one is spelt as its source's), not citations.
CITED_GRADES = """() => [...document.querySelectorAll('.sid')].filter(e => !e.closest('#backtest td:first-child'))
  .map(e => {
  const next = e.closest('li[id^="src-"]') ? e.closest('li').querySelector(':scope > .grade') : e.nextElementSibling;
  return [e.textContent, next && next.classList.contains('grade') ? next.className : ''];
})"""


def test_every_cited_source_shows_its_grade(net: corridors.Network, report_page: Page) -> None:
    from corridors.maps import SOURCE_GRADES

    page = report_page
    p = page.page
    kinds = net.sources["kind"]
    shown = [(text, badge) for text, badge in p.evaluate(CITED_GRADES) if text in kinds.index]
    assert len(shown) > 200  # the claims, the route's legs and stops, the backtest's misses and the list
    for text, badge in shown:
        assert f"g-{kinds[text]}" in badge.split(), (text, badge)
    listed = p.locator("#sources li[id^='src-']")
    assert p.locator("#sources li[id^='src-'] > .grade").count() == listed.count()
    # the claim's own source, in its quotation, carries its grade where a reader sees it
    claim_grade = p.locator("#claim blockquote .grade")
    assert claim_grade.count() == 1
    assert claim_grade.bounding_box()["width"] > 10
    # the five kinds are explained once, near the top
    legend = p.locator(".grades")
    assert legend.count() == 1
    assert legend.locator(".grade").all_inner_texts() == [label for label, _ in SOURCE_GRADES.values()]
    assert page.errors == []


def test_the_month_chart_names_its_journey(report_page: Page) -> None:
    """The month chart follows a journey across the Caspian, whose ports' winter closures the data describe, and
    says which journey it is."""
    page = report_page
    text = page.page.locator("#months p").first.inner_text()
    assert "via Baku port (Alat)" in text
    assert "AZE" in text
    assert "November, December" in text
    assert "Baku port (Alat)" in page.page.locator("#months img.chart").get_attribute("alt")


def test_a_hostile_place_name_shows_as_text(browser, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    shutil.copytree(DATA / "mini", folder)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    hostile = "<img src=x onerror=\"window.__pwned=1\">`${window.__pwned=2}`"
    nodes.loc[nodes["id"] == "dostyk", "name"] = hostile
    nodes.loc[nodes["id"] == "dostyk", "note"] = "<script>window.__pwned=3</script>"
    nodes.to_csv(folder / "nodes.csv", index=False)
    _cli("map", "--network", str(folder), "--offline", "--out", str(tmp_path / "hostile.html"))
    page = Page(browser, tmp_path / "hostile.html")
    try:
        p = page.page
        index = list(corridors.load_network(folder).nodes.index).index("dostyk")
        p.locator("path.corridors-place").nth(index).dispatch_event("click")
        popup = p.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        assert hostile in popup.inner_text()
        assert "<script>window.__pwned=3</script>" in popup.inner_text()
        p.locator("path.corridors-place").nth(index).hover()
        p.wait_for_timeout(300)
        assert p.evaluate("window.__pwned") is None
        assert p.locator(".leaflet-popup-content img").count() == 0
    finally:
        page.close()


def test_the_readme_gallery_is_made_by_its_script(chromium: str, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    stored = (root / "README.md").read_text(encoding="utf-8")  # as committed: the script rewrites its claims table
    result = subprocess.run([sys.executable, str(root / "notebooks" / "make_gallery.py"), str(tmp_path)],
                            capture_output=True, text=True, timeout=600, check=False,
                            env={**os.environ, "PYTHONPATH": str(root), "CORRIDORS_CHROMIUM": chromium})
    assert result.returncode == 0, result.stderr
    for name in ("route_map.png", "time_distance.png"):
        png = (tmp_path / name).read_bytes()
        assert png[:4] == b"\x89PNG"
        assert _not_blank(png) > 20
    table = (tmp_path / "claims.md").read_text(encoding="utf-8")
    assert "10 to 12 days" in table
    # every registered claim checked (2,000 journeys, the default seed) is the table the README holds: a claim or
    # parameter change must regenerate it (this run has; commit README.md)
    assert table.strip() in stored, "README's claims table was stale: make_gallery.py has rewritten it"


def test_written_pages_are_ordinary_files(tmp_path: Path) -> None:
    from corridors.maps import write_text

    target = write_text(tmp_path / "page.html", "<p>x</p>")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
