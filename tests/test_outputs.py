"""What the command line and the pages write is safe for the medium and the same on every run."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors import cli
from corridors.maps import link

ROOT = Path(__file__).resolve().parents[1]


def test_compare_csv_is_the_same_bytes_whatever_the_hash_seed() -> None:
    """Sets are ordered by string hashes, which change from one process to the next: nothing written may depend on
    them. Two processes with different hash seeds must write the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        command = [sys.executable, "-m", "corridors", "compare", "Xi'an", "Duisburg", "--csv", "-n", "100"]
        result = subprocess.run(command, capture_output=True, check=False, cwd=ROOT, timeout=300,
                                env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


def test_compare_columns_come_in_a_fixed_order(net: corridors.Network) -> None:
    columns = list(corridors.compare(net, "Xi'an", "Poti", n=50).table().columns)
    ranks = [c for c in columns if c.startswith("rank_")]
    assert ranks == ["rank_distance_km", "rank_p50_days", "rank_spread_days", "rank_cost_usd", "rank_co2_kg",
                     "rank_p90_days", "rank_overall"]


@pytest.mark.parametrize("args", [
    ("route", "Xian", "Poti", "--alternatives", "2", "--csv"),
    ("claims", "aliyev_2025_black_sea", "-n", "100", "--json"),
    ("scenario", "suez_closed", "Shanghai", "Rotterdam", "-n", "50", "--json"),
])
def test_two_runs_give_the_same_bytes(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    outputs = []
    for _ in range(2):
        assert cli.main(list(args)) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"name": ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tx", "-12.5", "plain", None],
                          "delta_days": [-12.5, 1.0, -0.25, 2.0, 3.0, 4.0, 5.0, 6.0]},
                         index=pd.Index(["=a", "b", "c", "d", "e", "f", "g", "h"], name="id"))
    cli._print_csv(frame)
    cells = _cells(capsys.readouterr().out)
    assert "'=1+1" in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(A1)" in cells
    assert "'-2+3" in cells
    assert "'\tx" in cells
    assert "'=a" in cells
    assert "-12.5" in cells  # a number, in a numeric column or written as text, stays a number
    assert "-0.25" in cells
    assert not any(c.startswith(("=", "+", "@", "\t")) for c in cells)


def test_route_csv_of_a_network_with_formula_names(mini_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = pd.read_csv(mini_dir / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[nodes["id"] == "dostyk", "name"] = "=HYPERLINK(\"http://x\")"
    nodes.loc[nodes["id"] == "urumqi", "name"] = "@urumqi"
    nodes.to_csv(mini_dir / "nodes.csv", index=False)
    assert cli.main(["route", "urumqi", "alat_port", "--network", str(mini_dir), "--csv"]) == 0
    cells = _cells(capsys.readouterr().out)
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert "'@urumqi" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd",
                                 "//evil.example", ""])
def test_links_other_than_http_are_shown_as_text(url: str) -> None:
    shown = link(url, "<b>source</b>")
    assert "<a" not in shown
    assert shown == "&lt;b&gt;source&lt;/b&gt;"


def test_http_links_are_links_with_the_address_escaped() -> None:
    shown = link("https://example.org/a?b=1&c='><img src=x>", "s", new_tab=True)
    assert shown.startswith("<a href='https://example.org/a?b=1&amp;c=&#x27;&gt;&lt;img src=x&gt;'")
    assert "target='_blank'" in shown
    assert "noopener" in shown


def test_pages_check_link_schemes_where_they_render_them(mini: corridors.Network) -> None:
    """A network built in memory bypasses validation; its javascript: URL must still not become a link."""
    from corridors.maps import _sources_html

    class Hostile:
        sources = mini.sources.assign(url="javascript:alert(1)")

    shown = _sources_html(Hostile(), list(mini.sources.index[:2]))  # type: ignore[arg-type]
    assert "javascript" not in shown
    assert "<a" not in shown


def test_every_kind_of_source_has_a_grade_in_the_report() -> None:
    from corridors.contract import SOURCE_KINDS
    from corridors.maps import SOURCE_GRADES
    from corridors.report import _cite, _grades_legend

    assert tuple(SOURCE_GRADES) == SOURCE_KINDS
    labels = [label for label, _ in SOURCE_GRADES.values()]
    assert len(set(labels)) == len(labels)
    legend = _grades_legend()
    assert all(f">{label}</span>" in legend for label in labels)
    assert "g-press" in _cite("some_source", {"some_source": "press"})
    assert ">ungraded</span>" in _cite("unknown_source", {})  # a user's network need not grade its sources


def test_the_terminal_lists_sources_with_their_kind(net: corridors.Network) -> None:
    from corridors.views import network_view

    lines = [b for b in network_view(net, sources=True) if isinstance(b, str)]
    kind = net.sources.at["wiki_longhai", "kind"].replace("_", " ")
    assert any(line.startswith(f"[wiki_longhai] {kind}: ") for line in lines)


def test_the_month_chart_follows_a_journey_whose_months_differ(net: corridors.Network) -> None:
    """The overland Xi'an → Poti route (via Russia and Makhachkala) meets no port whose months the data describe, so
    its twelve months are the same: the report's month chart then follows the featured Middle Corridor route, which
    crosses the Caspian, where the winter closures are."""
    from corridors.report import ReportSettings, _month_route
    from corridors.seasons import described_months

    overland = net.route("Xi'an", "Poti", via=("Makhachkala",))
    assert described_months(overland) == ()
    chosen, named = _month_route(net, overland, ReportSettings())
    assert chosen is not overland
    assert named.startswith("by the Middle Corridor")
    assert "caspian" in {e.priced.group for e in chosen.elements if e.priced is not None}
    assert {11, 12} <= set(described_months(chosen))  # the winter closures of the Caspian ports
    assert (chosen.origin, chosen.destination) == (overland.origin, overland.destination)
    # the report's own route is kept where the data describe its months
    caspian = net.route("Xi'an", "Poti", via=("Alat",), avoid=("RUS", "IRN"))
    assert _month_route(net, caspian, ReportSettings())[0] is caspian


def test_map_popups_grade_their_sources(net: corridors.Network, mini: corridors.Network) -> None:
    from corridors.maps import SOURCE_GRADES, UNGRADED, _sources_html

    source = "wiki_longhai"
    label = SOURCE_GRADES[net.sources.at[source, "kind"]][0]
    assert f">{source}</a> ({label})" in _sources_html(net, [source])

    class Ungraded:  # a user's network whose sources say nothing of their kind
        sources = mini.sources.drop(columns="kind", errors="ignore")

    first = str(mini.sources.index[0])
    assert f"({UNGRADED[0]})" in _sources_html(Ungraded(), [first])  # type: ignore[arg-type]


@pytest.mark.parametrize("colour", [False, True])
def test_a_table_that_fits_is_laid_out_as_rich_lays_it_out(colour: bool) -> None:
    # the view fixes the widths of a table that fits (so that rich does not measure every cell again): they must be
    # the widths rich gives it, with wide characters, an empty column, a header of two lines and a minimum width
    import io as text_io

    from rich.console import Console

    from corridors import views

    def made() -> views.Table:
        grid = views.table(">#", "place", "", "note", ">P90\ndays")
        views.row(grid, 1, "西安 Xi'an", "", "a note that runs on", "12.5")
        views.row(grid, 22, "Ürümqi", "", "", "3.0")
        views.row(grid, 3, "Poti", "", "ok", "")
        return grid

    ours = views.render([made()], columns=120, colour=colour)
    buffer = text_io.StringIO()
    Console(file=buffer, width=120, force_terminal=colour, color_system="standard" if colour else None,
            highlight=False, markup=False, emoji=False, no_color=not colour, legacy_windows=False).print(made())
    theirs = "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))
    assert ours == theirs
    assert "西安 Xi'an" in ours
