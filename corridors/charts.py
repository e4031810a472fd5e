"""Time–distance charts in the UNESCAP style: distance on x, cumulative time on y, stops as vertical steps.

A leg is a sloped segment (its slope is its speed); a stop adds time without distance, so it is a vertical step,
and the taller the step, the more the stop costs. With a simulation, a band shows the 10th to 90th percentile of
the cumulative time at every point of the journey. Several routes (or one route under several profiles) share one
chart. Charts are drawn with matplotlib's object API (no global pyplot state) and saved as PNG, SVG or PDF. Each is a
:class:`Chart`, a matplotlib Figure that also shows itself in Jupyter.

Every text drawn goes through :func:`plain`, so that a place called "US$ hub" or "$x$" is drawn as written: matplotlib
reads a pair of dollar signs as mathematics, and a lone one in the wrong place stops the drawing.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .errors import CorridorError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .backtest import Backtest
    from .route import Route
    from .simulation import TransitTime

PALETTE = ("#1f5fa8", "#d2691e", "#2e8b57", "#8b1a1a", "#6a3d9a", "#b8860b", "#008b8b", "#555555")
#: The formats a chart is written in, told apart by the file's suffix.
FORMATS = (".png", ".svg", ".pdf")
BAND_JOURNEYS = 20_000
MEASURES = ("time", "cost")  # journeys used for the percentile band: plenty for P10/P90 of a chart


class Chart(Figure):
    """A matplotlib Figure that shows itself as a PNG in Jupyter, with no ``%matplotlib inline`` needed.

    A Figure built away from pyplot (as these are, so that no global state is shared) is shown by IPython only
    through a formatter that the inline backend registers when pyplot starts; without it a notebook prints
    ``<Figure size 1100x660 with 1 Axes>``. The PNG is drawn on request by ``savefig``, so a chart that is never
    displayed costs nothing more, and everything a Figure does (``savefig``, ``axes``) is unchanged.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        titles = [t for t in [self.get_suptitle(), *(a.get_title() for a in self.axes)] if t]
        width, height = (self.get_size_inches() * self.dpi).round().astype(int)
        what = f": {titles[0].splitlines()[0].replace(chr(92) + '$', '$')}" if titles else ""  # as drawn: no escapes
        return f"<Chart {width}×{height} px{what}>"


def plain(text: object, width: int = 100) -> str:
    """Return text that matplotlib draws as it is written: every dollar sign escaped, so none starts mathematics.

    Text longer than ``width`` characters is cut with an ellipsis: a very long name would otherwise squeeze the
    plot to nothing.
    """
    text = str(text)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("$", r"\$")


#: Stop labels: their size, the gap between a step and its label, and the free margin kept round each label.
LABEL_FONT_SIZE = 7
LABEL_GAP_PT = 4.0
LABEL_PAD_PX = 2.0
#: A label on a white ground, so that the lines it lies over do not cross out its letters; the ground's margin
#: (in font sizes) stays inside the free margin above.
LABEL_GROUND = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
#: The colour of a label that names a stop on several lines.
SHARED_LABEL_COLOUR = "#333333"


@dataclass(frozen=True)
class StopLabel:
    """A stop's label at the middle of its step: ``step`` (the step's height in the chart's unit) orders who
    chooses a place first."""

    x: float
    y: float
    text: str
    colour: str
    step: float


@dataclass(frozen=True)
class Series:
    """One line of a chart: a route, optionally its simulation, and a label."""

    route: Route
    transit: TransitTime | None = None
    label: str | None = None


def profile_points(route: Route, measure: str = "time"
                   ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, float, float, float]]]:
    """Return cumulative km and days (or US$) at every element boundary, and the stops as (kind, place, km, from, to).

    ``measure`` is ``"time"`` (days) or ``"cost"`` (US$ per FEU).
    """
    if measure not in MEASURES:
        raise CorridorError(f"a chart measures time or cost, not {measure!r}")
    km = [0.0]
    values = [0.0]
    stops = []
    for e in route.elements:
        km.append(km[-1] + e.distance_km)
        step = e.time_h / 24.0 if measure == "time" else (0.0 if math.isnan(e.cost_usd) else e.cost_usd)
        values.append(values[-1] + step)
        if e.element == "stop":
            stops.append((e.kind, e.place, km[-1], values[-2], values[-1]))
    return np.array(km), np.array(values), stops


def _band(transit: TransitTime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return cumulative km and the P10 and P90 cumulative days at every element boundary of the simulation."""
    rows = transit.elements
    samples = transit.samples_h[:, : min(transit.n, BAND_JOURNEYS)].astype(np.float64)
    cumulative = np.vstack([np.zeros(samples.shape[1]), np.cumsum(samples, axis=0)]) / 24.0
    low, high = np.percentile(cumulative, [10, 90], axis=1)
    km = np.concatenate([[0.0], np.cumsum(rows["distance_km"].to_numpy(dtype=float))])
    return km, low, high


def time_distance_chart(series: Sequence[Series], *, title: str | None = None, label_stops_over_h: float = 12.0,
                        measure: str = "time") -> Chart:
    """Return a matplotlib Figure with one time–distance line per series (and its P10–P90 band if simulated).

    With ``measure="cost"`` the y axis is the cumulative cost per FEU (a cost–distance chart); stops are steps
    where they cost something, and there is no band.
    """
    if not series:
        raise CorridorError("a chart needs at least one route")
    if measure == "cost" and any(math.isnan(s.route.cost_usd) for s in series):
        raise CorridorError("a cost–distance chart needs cost data, and this network has none")
    figure = Chart(figsize=(10, 6), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    if len(series) > 3:  # with many lines, name only the longest stops
        label_stops_over_h = max(label_stops_over_h, 48.0)
    labels: list[StopLabel] = []
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        km, days, stops = profile_points(s.route, measure)
        label = s.label or f"{s.route.network.place_name(s.route.origin)} → " \
                           f"{s.route.network.place_name(s.route.destination)} ({s.route.profile})"
        if s.transit is not None and measure == "time":
            band_km, low, high = _band(s.transit)
            axes.fill_between(band_km, low, high, color=colour, alpha=0.18, linewidth=0)
        band = f" (band: P10–P90 of {s.transit.n:,} journeys)" if s.transit is not None and measure == "time" else ""
        axes.plot(km, days, color=colour, linewidth=2, label=plain(f"{label}: typical {measure}s{band}", 90))
        for group in _stops_by_place(stops):
            for _, _, at_km, start, end in group:
                axes.plot([at_km, at_km], [start, end], color=colour, linewidth=3.5, solid_capstyle="butt")
            kinds = [kind for kind, _, _, start, end in group
                     if ((end - start) * 24.0 >= label_stops_over_h if measure == "time" else end - start >= 250)]
            if kinds:
                _, place, at_km, _, _ = group[0]
                text = f"{' + '.join(k.replace('_', ' ') for k in kinds)}, {s.route.network.place_name(place)}"
                start, end = group[0][3], group[-1][4]
                labels.append(StopLabel(at_km, (start + end) / 2, text, colour, end - start))
    axes.set_xlabel("distance travelled (km)")
    # one dollar sign is no mathematics, and this text is ours: left as it is, so get_ylabel() reads "US$"
    axes.set_ylabel("time since departure (days)" if measure == "time" else "cost so far (US$ per FEU)")
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    default = "Time–distance" if measure == "time" else "Cost–distance"
    axes.set_title(plain(title or f"{default}: sloped lines are legs, vertical steps are stops"))
    _place_labels(figure, axes, _shared(labels))  # last: fitted round the legend, in the axes as finally laid out
    return figure


def backtest_chart(result: Backtest) -> Chart:
    """Return the backtest's predicted-against-observed chart: each observation's model P50 with its P10–P90 bar
    against the observed days (a range as a horizontal bar), coloured by corridor, with the 1:1 line."""
    rows = result.table()
    rows = rows[rows["available"] & rows["independent"]]  # what the summaries count
    if rows.empty:
        raise CorridorError("the backtest has no observation the model could route")
    figure = Chart(figsize=(8, 7), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    top = float(max(rows["p90_days"].max(), rows["observed_high_days"].max())) * 1.05
    axes.plot([0, top], [0, top], color="#555555", linewidth=1, linestyle="--", label="model = observed")
    for i, (corridor, group) in enumerate(rows.groupby("corridor", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        x, y = group["observed_days"].to_numpy(), group["p50_days"].to_numpy()
        # the bars as lists, not arrays: matplotlib before 3.11 reads a one-row group's first bar, an array of one,
        # as a number, which numpy 1.25 and later deprecate
        axes.errorbar(x, y, yerr=[(y - group["p10_days"].to_numpy()).tolist(),
                                  (group["p90_days"].to_numpy() - y).tolist()],
                      xerr=[(x - group["observed_low_days"].to_numpy()).tolist(),
                            (group["observed_high_days"].to_numpy() - x).tolist()],
                      fmt="o", color=colour, ecolor=colour, alpha=0.8, capsize=2, markersize=5,
                      label=plain(f"{corridor} ({len(group)})", 60))
    summary = result.summary().iloc[0]
    axes.set_xlim(0, top)
    axes.set_ylim(0, top)
    axes.set_xlabel("observed (days; a range is a horizontal bar)")
    axes.set_ylabel("model median (days; bar: P10–P90)")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_title(plain(f"Backtest: {int(summary['observations'])} observed journeys, median absolute error "
                         f"{summary['mdape_pct']:.0f}%, {summary['coverage']:.0%} inside P10–P90"))
    return figure


def context_chart(table, *, mark_year: int | None = None) -> Chart:
    """Return the context series as a chart: one panel per unit (US$, tonnes, TEU, %), one line per series, the
    year a claim was made marked with a vertical line. ``table`` is :func:`corridors.context.load_series`'s."""
    from .context import UNIT_LABELS

    if table.empty:
        raise CorridorError("no series to draw")
    units = list(dict.fromkeys(table["unit"]))
    figure = Chart(figsize=(9, 3.2 * len(units)), dpi=110, layout="constrained")
    panels = figure.subplots(len(units), 1, sharex=True, squeeze=False)[:, 0]
    years = (int(table["year"].min()), int(table["year"].max()))
    for axes, unit in zip(panels, units, strict=True):
        axes.set_xlim(years[0] - 0.5, max(years[1], mark_year or years[1]) + 0.5)
        block = table[table["unit"] == unit]
        scale, suffix = (1e9, " (billion)") if unit == "usd" else (1e6, " (million)") if unit == "tonnes" \
            and block["value"].max() >= 1e6 else (1.0, "")
        for i, (series, rows) in enumerate(block.groupby("series", sort=False)):
            axes.plot(rows["year"], rows["value"] / scale, marker="o", color=PALETTE[i % len(PALETTE)],
                      label=plain(series.replace("_", " "), 60))
        if mark_year is not None:
            axes.axvline(mark_year, color="#8b1a1a", linestyle="--", linewidth=1, label=f"claim made ({mark_year})")
        axes.set_ylabel(plain(f"{UNIT_LABELS.get(unit, unit)}{suffix}"))
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left", fontsize=8)
        axes.xaxis.get_major_locator().set_params(integer=True)
    figure.suptitle("The context: trade and traffic by year (each point sourced; a year no source gives is left out)",
                    fontsize=10)
    return figure


def month_chart(table, *, title: str | None = None) -> Chart:
    """Return a journey's median and P90 by month (:func:`corridors.seasons.by_month`'s table), months the data
    describe on the route drawn solid, the others (the annual figure) hollow."""
    figure = Chart(figsize=(9, 4.5), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    months = table["month"].to_numpy()
    axes.fill_between(months, table["p10_days"], table["p90_days"], color=PALETTE[0], alpha=0.15,
                      label="P10–P90")
    for column, label, colour in (("p50_days", "median", PALETTE[0]), ("p90_days", "P90", PALETTE[3])):
        axes.plot(months, table[column], color=colour, linewidth=1.5, label=label)
        described = table["described"].to_numpy(dtype=bool)
        axes.scatter(months[described], table[column][described], color=colour, zorder=3)
        axes.scatter(months[~described], table[column][~described], facecolors="white", edgecolors=colour, zorder=3)
    axes.set_xticks(months, [plain(n[:3]) for n in table["name"]])
    axes.set_ylabel("door-to-door days")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_title(plain(title or "By month") + "\n(filled: a month the data describe on this route; hollow: the "
                   "annual figure)", fontsize=10)
    return figure


def _stops_by_place(stops: Sequence[tuple[str, str, float, float, float]]
                    ) -> list[list[tuple[str, str, float, float, float]]]:
    """Group consecutive stops at the same place (a border crossing then a gauge change at Dostyk): one label."""
    groups: list[list[tuple[str, str, float, float, float]]] = []
    for stop in stops:
        if groups and groups[-1][-1][1] == stop[1] and groups[-1][-1][2] == stop[2]:
            groups[-1].append(stop)
        else:
            groups.append([stop])
    return groups


def _shared(labels: Sequence[StopLabel]) -> list[StopLabel]:
    """Return the labels with those that name the same stop at the same point of the chart (two sea corridors
    leaving the same port) written once, in a neutral colour since the stop is on both lines."""
    merged: dict[tuple[str, float, float], StopLabel] = {}
    for label in labels:
        key = (label.text, round(label.x), round(label.y, 2))
        first = merged.get(key)
        merged[key] = label if first is None else (
            first if first.colour == label.colour else replace(first, colour=SHARED_LABEL_COLOUR))
    return list(merged.values())


def _place_labels(figure: Figure, axes: Axes, labels: Sequence[StopLabel]) -> None:
    """Write stop labels where no two overlap, nor the legend: each as near its step as it fits, with a leader line
    to the step when it had to move.

    The place is chosen on the drawn page, not in data units: a label's size is its text measured by the renderer
    once the layout is done, so a long place name takes the room it really takes. Longer stops choose first (they
    are what the chart is read for); each label tries the right of its step, then the left, then ever further up or
    down, and keeps the first spot that is free and inside the axes.
    """
    if not labels:
        return
    drawn = [axes.annotate(plain(label.text, 60), (label.x, label.y), fontsize=LABEL_FONT_SIZE, va="center")
             for label in labels]
    for text in drawn:
        text.set_in_layout(False)  # labels are fitted into the axes; they must not move the axes they are fitted to
    _lay_out(figure, axes)  # so that the axes and the legend are where they will be drawn
    frame = axes.get_window_extent()
    legend = axes.get_legend()
    taken = [legend.get_window_extent()] if legend is not None else []
    points_per_px = 72.0 / figure.dpi
    gap_px = LABEL_GAP_PT / points_per_px
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].step, labels[i].x, labels[i].y))
    for i in order:
        label, text = labels[i], drawn[i]
        box = Text.get_window_extent(text)  # the text alone, measured where it stands now
        width, height = box.width + 2 * LABEL_PAD_PX, box.height + 2 * LABEL_PAD_PX
        at_x, at_y = axes.transData.transform((label.x, label.y))
        # (overlap in px², box, shift in px, alignment); ha="left" stands the label right of its step
        best: tuple[float, Bbox, float, str] = (math.inf, Bbox.unit(), 0.0, "left")
        for dy in _offsets(height, frame.height):
            for align in ("left", "right"):
                x0 = at_x + gap_px - LABEL_PAD_PX if align == "left" else at_x - gap_px - width + LABEL_PAD_PX
                spot = Bbox.from_bounds(x0, at_y + dy - height / 2, width, height)
                overlap = _overlap_px2(spot, taken) + _outside_px2(spot, frame)
                if overlap < best[0]:
                    best = (overlap, spot, dy, align)
                if overlap == 0:
                    break
            if best[0] == 0:
                break
        _, spot, dy, align = best
        taken.append(spot)
        text.remove()
        moved = abs(dy) > height / 2  # beside its own step, a label needs no line to say whose it is
        placed = axes.annotate(plain(label.text, 60), (label.x, label.y),
                               xytext=(LABEL_GAP_PT if align == "left" else -LABEL_GAP_PT, dy * points_per_px),
                               textcoords="offset points", fontsize=LABEL_FONT_SIZE, va="center", ha=align,
                               color=label.colour, bbox=LABEL_GROUND,
                               arrowprops={"arrowstyle": "-", "color": label.colour, "linewidth": 0.6, "alpha": 0.8,
                                           "shrinkA": 1, "shrinkB": 2} if moved else None)
        placed.set_in_layout(False)


def _lay_out(figure: Figure, axes: Axes) -> None:
    """Put the axes where the figure will draw them: the layout engine's pass, and the view limits autoscaled.

    What a draw does before it draws anything; drawing every artist as well (``draw_without_rendering``) took two
    thirds of the time a chart took to make, for positions that this pass alone sets.
    """
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
    axes.get_xlim(), axes.get_ylim()  # reading the limits autoscales them, as a draw would


def _offsets(height_px: float, span_px: float) -> Iterator[float]:
    """Yield vertical shifts (pixels) for a label: none first, then alternately up and down in steps of about half
    a label's height, as far as the axes are tall."""
    yield 0.0
    step = max(height_px * 0.5, 1.0)
    for k in range(1, int(span_px / step) + 1):
        yield k * step
        yield -k * step


def _overlap_px2(box: Bbox, others: Sequence[Bbox]) -> float:
    """Return the area (px²) ``box`` shares with the other boxes."""
    total = 0.0
    for other in others:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


def _outside_px2(box: Bbox, frame: Bbox) -> float:
    """Return the area (px²) of ``box`` outside ``frame``: a label cut off at the axes' edge is a label lost."""
    w = min(box.x1, frame.x1) - max(box.x0, frame.x0)
    h = min(box.y1, frame.y1) - max(box.y0, frame.y0)
    return box.width * box.height - max(w, 0.0) * max(h, 0.0)


def check_chart_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` if a chart can be written there (a known suffix, an existing folder), else raise.

    The command line calls this before any work, so that a bad name does not cost a simulation first.
    """
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise CorridorError(f"cannot write {target}: a chart is written as {', '.join(FORMATS[:-1])} or "
                            f"{FORMATS[-1]}, so its name must end in one of them (it ends in "
                            f"{target.suffix or 'no suffix'})")
    if not target.parent.is_dir():
        raise CorridorError(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise CorridorError(f"cannot write {target}: it is a folder")
    return target


def save_chart(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write a chart to ``path`` (.png, .svg or .pdf, by its suffix); the folder must exist."""
    target = check_chart_path(path)
    try:
        figure.savefig(target)
    except OSError as exc:
        raise CorridorError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
