"""Time–distance charts: legs slope, stops are vertical steps a reader can see."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

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


def test_stop_labels_name_each_place_once_and_do_not_overlap(net: corridors.Network) -> None:
    routes = [net.route("Xi'an", "Poti", profile=p) for p in ("best", "typical", "congested")]
    figure = time_distance_chart([Series(r) for r in routes])
    axes = figure.axes[0]
    texts = list(axes.texts)
    assert "border crossing + gauge change, Dostyk" in {t.get_text() for t in texts}
    points = sorted((t.xy[0], t.xy[1]) for t in texts)
    x_span = max(x for x, _ in points)
    y_span = max(y for _, y in points)
    for i, (x, y) in enumerate(points):  # labels near the same distance are at least 3% of the height apart
        for x2, y2 in points[i + 1:]:
            if abs(x2 - x) < 0.08 * x_span:
                assert abs(y2 - y) >= 0.03 * y_span, (x, y, x2, y2)


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

    from corridors.charts import backtest_chart, context_chart, month_chart
    from corridors.context import load_series
    from corridors.seasons import by_month

    route = net.route("Xi'an", "Poti")
    charts = {
        "time_distance": time_distance_chart([Series(route)]),
        "cost_distance": time_distance_chart([Series(route)], measure="cost"),
        "context": context_chart(load_series()),
        "month": month_chart(by_month(route, n=200)),
        "backtest": backtest_chart(corridors.backtest(net, n=200)),
    }
    for name, chart in charts.items():
        assert isinstance(chart, Figure), name
        data, _ = DisplayFormatter().format(chart)  # what IPython sends to the notebook, the inline backend off
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = (chart.get_size_inches() * chart.dpi).round().astype(int)
        assert f"{width}×{height} px" in data["text/plain"], name
        assert save_chart(chart, tmp_path / f"{name}.png").read_bytes() == chart._repr_png_(), name
    assert "Time–distance" in repr(charts["time_distance"])
