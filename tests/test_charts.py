"""Time–distance charts: legs slope, stops are vertical steps a reader can see."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import corridors
from corridors.charts import PALETTE, Series, profile_points, save_chart, time_distance_chart


def test_stops_are_vertical_steps(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    km, days, stops = profile_points(route)
    assert len(stops) == len(route.stops)
    for _kind, _place, at_km, start, end in stops:
        assert end >= start
        assert at_km in km
    assert days[-1] == pytest.approx(route.time_days)
    assert km[-1] == pytest.approx(route.distance_km)


def test_the_largest_step_is_visible_in_the_rendered_chart(net: corridors.Network) -> None:
    route = net.route("Xi'an", "Poti")
    figure = time_distance_chart([Series(route)])
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3] / 255.0
    axes = figure.axes[0]
    _, _, stops = profile_points(route)
    _kind, _place, at_km, start, end = max(stops, key=lambda s: s[4] - s[3])
    x, y = axes.transData.transform((at_km, (start + end) / 2))
    row, col = pixels.shape[0] - round(y), round(x)
    patch = pixels[row - 1: row + 2, col - 2: col + 3].reshape(-1, 3)
    colour = np.array(to_rgb(PALETTE[0]))
    assert np.min(np.abs(patch - colour).sum(axis=1)) < 0.15, "no line colour at the middle of the largest step"
    # left of the step at that height there is background: the line reached the step from below
    side = pixels[row, col - 25]
    assert np.abs(side - colour).sum() > 0.5


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_charts_are_written_with_bands_for_several_routes(net: corridors.Network, tmp_path: Path,
                                                         suffix: str) -> None:
    series = [Series(r, r.simulate(n=2000)) for r in (net.route("Xi'an", "Poti", profile=p)
                                                        for p in ("best", "typical"))]
    target = save_chart(time_distance_chart(series), tmp_path / f"chart{suffix}")
    assert target.stat().st_size > 10_000
    if suffix == ".svg":
        assert "<svg" in target.read_text(encoding="utf-8")[:500]
    else:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_chart_paths(net: corridors.Network, tmp_path: Path) -> None:
    figure = time_distance_chart([Series(net.route("Xi'an", "Poti"))])
    with pytest.raises(corridors.CorridorError, match="does not exist"):
        save_chart(figure, tmp_path / "missing" / "chart.png")
    with pytest.raises(corridors.CorridorError, match=r"\.png, \.svg or \.pdf.*ends in \.gif"):
        save_chart(figure, tmp_path / "chart.gif")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(corridors.CorridorError, match="it is a folder"):
        save_chart(figure, tmp_path / "folder.png")
    assert save_chart(figure, tmp_path / "chart.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_cost_distance_chart(net: corridors.Network, tmp_path: Path) -> None:
    route = net.route("Xi'an", "Poti")
    _km, cost, stops = profile_points(route, "cost")
    assert cost[-1] == pytest.approx(route.cost_usd)
    assert all(end >= start for _, _, _, start, end in stops)
    figure = time_distance_chart([Series(route)], measure="cost")
    assert "US$" in figure.axes[0].get_ylabel()
    assert save_chart(figure, tmp_path / "cost.svg").stat().st_size > 5_000
    with pytest.raises(corridors.CorridorError, match="time or cost"):
        profile_points(route, "beauty")


def _label_boxes(figure) -> list[tuple[str, Bbox]]:
    """Return each stop label's text and its box on the drawn page, as the renderer measures it (the text alone:
    a leader line is meant to cross things)."""
    figure.draw_without_rendering()
    return [(t.get_text(), Text.get_window_extent(t)) for t in figure.axes[0].texts]


def _overlaps(boxes: list[tuple[str, Bbox]]) -> list[tuple[str, str]]:
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def test_stop_labels_name_each_place_once_and_do_not_overlap(net: corridors.Network) -> None:
    routes = [net.route("Xi'an", "Poti", profile=p) for p in ("best", "typical", "congested")]
    figure = time_distance_chart([Series(r) for r in routes], label_stops_over_h=0.0)  # every stop named
    boxes = _label_boxes(figure)
    assert "border crossing + gauge change, Dostyk" in {text for text, _ in boxes}
    assert len(boxes) > 10
    assert _overlaps(boxes) == []
    frame = figure.axes[0].get_window_extent()
    for text, box in boxes:  # inside the axes: a label cut off at the edge is lost
        assert frame.x0 <= box.x0, text
        assert box.x1 <= frame.x1, text
        assert frame.y0 <= box.y0, text
        assert box.y1 <= frame.y1, text


def test_the_comparison_chart_labels_do_not_overlap(net: corridors.Network) -> None:
    """The bundled comparison stacks several corridors' stops at the same ports ("gauge change" was drawn over
    "ferry wait, Lianyungang"): every label must stand free of the others and of the legend."""
    comparison = corridors.compare(net, "Xi'an", "Duisburg", profiles=("typical",), n=200)
    figure = comparison.chart()
    boxes = _label_boxes(figure)
    assert boxes, "the comparison chart names no stop"
    assert _overlaps(boxes) == []
    legend = figure.axes[0].get_legend().get_window_extent()
    assert not [text for text, box in boxes if box.overlaps(legend)]
    # the same chart at the report's resolution: the labels were fitted at the chart's own
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=90)
    assert _overlaps([(t.get_text(), Text.get_window_extent(t, dpi=90)) for t in figure.axes[0].texts]) == []


def test_dollar_signs_in_names_are_drawn_as_written(mini_dir: Path, tmp_path: Path) -> None:
    import re

    import matplotlib

    nodes = pd.read_csv(mini_dir / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[nodes["id"] == "urumqi", "name"] = "US$ hub"
    nodes.loc[nodes["id"] == "dostyk", "name"] = r"$x$ \$ $\frac{1}{0"  # mathematics, and a formula that cannot parse
    nodes.to_csv(mini_dir / "nodes.csv", index=False)
    net = corridors.load_network(mini_dir)
    route = net.route("urumqi", "alat_port")
    figure = time_distance_chart([Series(route, route.simulate(n=200))], label_stops_over_h=0.0,
                                 title=f"{net.place_name('urumqi')} → {net.place_name('dostyk')}")
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text in the SVG, so it can be read back
        page = save_chart(figure, tmp_path / "dollars.svg").read_text(encoding="utf-8")
    drawn = " ".join(re.findall(r">([^<]+)<", page)).replace("&amp;", "&")
    assert "US$ hub" in drawn
    assert r"$x$ \$ $\frac{1}{0" in drawn


def test_every_chart_shows_itself_in_jupyter_and_is_still_a_figure(net: corridors.Network, tmp_path: Path) -> None:
    """Jupyter shows a chart as an image with no ``%matplotlib inline``: what a notebook prints otherwise is
    ``<Figure size 1100x660 with 1 Axes>``."""
    from IPython.core.formatters import DisplayFormatter
    from matplotlib.figure import Figure

    from corridors.backtest import load_observations
    from corridors.charts import backtest_chart, context_chart, month_chart
    from corridors.context import load_series
    from corridors.seasons import by_month

    route = net.route("Xi'an", "Poti")
    # a sixth of the observations: how a chart shows itself does not depend on how many rows it draws, and the
    # whole backtest costs seconds (its own tests run it in full)
    observations = load_observations(net)[::6]
    charts = {
        "time_distance": time_distance_chart([Series(route)]),
        "cost_distance": time_distance_chart([Series(route)], measure="cost"),
        "context": context_chart(load_series()),
        "month": month_chart(by_month(route, n=200)),
        "backtest": backtest_chart(corridors.backtest(net, n=200, observations=observations)),
    }
    for name, chart in charts.items():
        assert isinstance(chart, Figure), name
        data, _ = DisplayFormatter().format(chart)  # what IPython sends to the notebook, the inline backend off
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = (chart.get_size_inches() * chart.dpi).round().astype(int)
        assert f"{width}×{height} px" in data["text/plain"], name
        assert save_chart(chart, tmp_path / f"{name}.png").read_bytes() == chart._repr_png_(), name
    assert "Time–distance" in repr(charts["time_distance"])
