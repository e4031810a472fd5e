"""Objects show themselves: a short readable repr and an HTML summary in Jupyter, in the user's words and units."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import corridors
from corridors.capacity import bottleneck
from corridors.claims import check, load_claims
from corridors.compare import compare
from corridors.display import cell
from corridors.route import Routes
from corridors.scenarios import Scenario, diff

NAMES = ["network", "route", "transit", "comparison", "diff", "claim", "alternatives", "bottleneck", "scenario",
         "backtest"]
#: Internal column names and place ids that a reader should never meet in a display.
INTERNAL = ("rank_overall", "rank_", "reason_before", "reason_after", "before_p50_days", "route_changed",
            "teu_per_year", "mdape_pct", "bias_pct", "period_year", "poti_port", "alat_port", "aktau_port",
            "middle_black_sea")
#: A header's unit and the digits its cells may carry after the decimal point.
PRECISION = {"(km)": 0, "(US$": 0, "(kg": 0, "(TEU": 0, "(days)": 1, "(h)": 1, "(%": 1}


@pytest.fixture(scope="module")
def objects(net: corridors.Network) -> dict[str, object]:
    route = net.route("Xi'an", "Poti")
    halve = Scenario.from_dict({"name": "halve", "scale": [{"stops": "border_crossing", "factor": 0.5}]})
    return {
        "network": net,
        "route": route,
        "transit": route.simulate(n=1000),
        "comparison": compare(net, "Xi'an", "Duisburg", n=300, window_days=20),
        "diff": diff(net, halve, "Xi'an", "Poti", corridors=["middle_black_sea"], n=300),
        "claim": check(load_claims(net)["aliyev_2025_black_sea"], net, n=500),
        "alternatives": net.alternatives("Xi'an", "Poti", k=3),
        "bottleneck": bottleneck(net, "Khorgos", "Poti", corridor="middle_black_sea"),
        "scenario": halve,
        "backtest": corridors.backtest(net, n=200),
    }


class _Tables(HTMLParser):
    """Read the visible text (leaving out drawings) and every table's header and rows from a display's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._in: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._in.append(tag)
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr" and self.tables and "thead" not in self._in:
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        while self._in and self._in.pop() != tag:
            pass
        if tag in ("th", "td") and self._cell is not None and self.tables:
            text = "".join(self._cell).strip()
            header, rows = self.tables[-1]
            if tag == "th" and "thead" in self._in:
                header.append(text)
            elif rows:
                rows[-1].append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if "svg" in self._in:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _read(page: str) -> _Tables:
    reader = _Tables()
    reader.feed(page)
    return reader


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_short_and_html_is_a_table(objects: dict[str, object], name: str) -> None:
    thing = objects[name]
    text = repr(thing)
    assert text.startswith("<")
    assert text.endswith(">")
    assert len(text) < 400
    page = thing._repr_html_()
    assert "<table" in page
    assert "<script" not in page


@pytest.mark.parametrize("name", NAMES)
def test_html_shows_names_units_and_rounded_numbers_not_internals(objects: dict[str, object], name: str) -> None:
    reader = _read(objects[name]._repr_html_())
    visible = " ".join(reader.text)
    for internal in INTERNAL:
        if name == "route" and internal.endswith("_port"):
            continue  # a route's rows cite their sources by id, some of which name a port (checked below)
        if name == "backtest" and internal == "middle_black_sea":
            continue  # a backtest knows its corridors by id only: it keeps no network to name them
        assert internal not in visible, f"{name} shows {internal!r}"
    # no number is written with more digits than a day's tenth, whatever its column
    assert not re.findall(r"\d\.\d{2,}\b", visible.replace("P10–P90", "")), visible
    for header, rows in reader.tables:
        for column, title in enumerate(header):
            digits = next((d for unit, d in PRECISION.items() if unit in title), None)
            if digits is None:
                continue
            for row in rows:
                value = row[column].replace(",", "")
                if re.fullmatch(r"-?\d+(\.\d+)?", value):
                    decimals = len(value.split(".")[1]) if "." in value else 0
                    assert decimals == digits, f"{name}: {title} shows {row[column]!r}"


@pytest.mark.parametrize("name", ["route", "transit", "comparison", "diff", "alternatives", "bottleneck"])
def test_places_are_named_not_identified(objects: dict[str, object], name: str) -> None:
    thing = objects[name]
    reader = _read(thing._repr_html_())
    cited = {c for header, rows in reader.tables for row in rows
             for title, c in zip(header, row, strict=False) if title == "sources"}  # sources are cited by id
    for text in (repr(thing), " ".join(t for t in reader.text if t.strip() not in cited)):
        assert "Xi'an" in text or "Khorgos" in text
        assert "Poti port" in text or "Duisburg" in text
        assert "xian" not in text
        assert "poti_port" not in text


def test_transit_repr_names_places_as_route_does(objects: dict[str, object]) -> None:
    route, transit = objects["route"], objects["transit"]
    assert repr(route).split(":")[0].removeprefix("<Route ") == repr(transit).split(" (")[0].removeprefix(
        "<TransitTime ")


def test_comparison_hides_ranks_and_says_how_it_is_sorted(objects: dict[str, object]) -> None:
    comparison = objects["comparison"]
    page = comparison._repr_html_()
    assert "sorted by overall rank" in page
    header, rows = _read(page).tables[0]
    assert "within 20 days" in header
    table = comparison.table()
    ordered = table.sort_values(["rank_overall", "name"], na_position="last", kind="stable")
    assert [r[0] for r in rows] == list(ordered["name"])  # best first, as the caption says
    fastest = table.loc[table["p50_days"].idxmin()]
    shown = dict(zip(header, next(r for r in rows if r[0] == fastest["name"]), strict=True))
    assert shown["median (days)"] == f"{fastest['p50_days']:.1f}"


def test_scenario_diff_rounds_days(objects: dict[str, object]) -> None:
    scenario_diff = objects["diff"]
    header, rows = _read(scenario_diff._repr_html_()).tables[0]
    before = header.index("before (days)")
    table = scenario_diff.table()
    assert [r[before] for r in rows] == [f"{v:.1f}" for v in table["before_days"]]
    assert all(len(r[before].split(".")[1]) == 1 for r in rows)


def test_alternatives_are_still_a_list_of_routes(objects: dict[str, object], net: corridors.Network) -> None:
    routes = objects["alternatives"]
    assert isinstance(routes, Routes)
    assert isinstance(routes, list)
    assert routes[0].places == net.route("Xi'an", "Poti").places
    assert routes == list(routes)
    header, rows = _read(routes._repr_html_()).tables[0]
    assert len(rows) == len(routes)
    assert header[:3] == ["option", "typical time (days)", "distance (km)"]
    assert [r[1] for r in rows] == [f"{r.time_days:.1f}" for r in routes]


def test_bottleneck_lists_the_binding_element_first_by_name(objects: dict[str, object]) -> None:
    neck = objects["bottleneck"]
    header, rows = _read(neck._repr_html_()).tables[0]
    assert rows[0][0] == neck.names[neck.binding.element]
    assert rows[0][header.index("capacity (TEU a year)")] == f"{neck.binding.teu_per_year:,.0f}"
    assert neck.names[neck.binding.element] in repr(neck)


def test_network_html_reads_as_a_summary(objects: dict[str, object]) -> None:
    page = objects["network"]._repr_html_()
    visible = " ".join(_read(page).text)
    assert "{" not in visible  # no dict or list printed raw
    assert "[" not in visible
    assert "Kazakhstan" in visible  # countries by name
    assert re.search(r"1,520 mm: \d[\d,]* km", visible)  # whole kilometres, with the gauge in mm


def test_cells_round_by_unit() -> None:
    assert cell("p50_days", 21.104535) == "21.1"
    assert cell("distance_km", 10823.7) == "10,824"
    assert cell("cost_usd", float("nan")) == "–"
    assert cell("p_within_window", 0.4567) == "46%"
    assert cell("route_changed", True) == "yes"
    assert cell("coverage", 0.3636) == "36%"
    assert cell("mdape_pct", 32.04) == "32.0"


def test_route_html_lists_every_leg_and_stop(objects: dict[str, object]) -> None:
    route = objects["route"]
    assert route._repr_html_().count("<tr") >= len(route.elements)


def test_transit_html_has_a_histogram(objects: dict[str, object]) -> None:
    assert "<svg" in objects["transit"]._repr_html_()


def test_comparison_keeps_the_conditions_in_the_order_asked(net: corridors.Network) -> None:
    comparison = compare(net, "Xi'an", "Poti", n=200, profiles=("typical", "best"),
                         corridors=["middle_black_sea", "middle_btk"])
    header, rows = _read(comparison._repr_html_()).tables[0]
    shown = [r[header.index("conditions")] for r in rows]
    assert shown == ["typical", "typical", "best", "best"]
