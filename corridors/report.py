"""The report: one self-contained HTML page that answers the seed claim and shows the evidence.

It holds the seed claim and its verdict, the corridors compared, the route maps, the time–distance charts, the
transit-time distributions, the bottleneck, two what-if scenarios and every source cited. The maps are drawn in the
page itself, which carries the map library once for all of them, and the charts are palette PNGs inside the page,
so the file works by e-mail and with no internet and stays under 3 MB. Everything that comes from data is
escaped. The page is laid out for a phone as well as a desktop: wide tables scroll inside their own box, and the
page itself never scrolls sideways.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

from .charts import context_chart, month_chart, plain
from .conditions import BEST, CONGESTED, TYPICAL
from .datasets import data_path, dataset_info
from .errors import CorridorError
from .maps import (
    SOURCE_GRADES,
    UNGRADED,
    EmbeddedMap,
    check_page_path,
    embed,
    esc,
    link,
    resources_html,
    source_grades,
    write_text,
)
from .reach import VERDICTS

if TYPE_CHECKING:
    from .network import Network
    from .route import Route
    from .simulation import TransitTime

SEED_CLAIM = "aliyev_2025_black_sea"


@dataclass(frozen=True)
class ReportSettings:
    """What the report looks at; the defaults answer the seed claim for China → Black Sea / Europe."""

    route_origin: str = "Xi'an"
    route_destination: str = "Poti"
    route_via: tuple[str, ...] = ("Alat",)  # the seed claim's journey: across the Caspian ...
    route_avoid: tuple[str, ...] = ("RUS", "IRN")  # ... not via Russia or Iran, as its readings take it
    compare_origin: str = "Xi'an"
    compare_destination: str = "Duisburg"
    bottleneck_origin: str = "Khorgos"
    bottleneck_destination: str = "Poti"
    corridors: tuple[str, ...] = ()  # the corridors to feature in the comparison (default: all); the first's bottleneck
    journeys: int = 5_000
    seed: int = 0


#: Colours in a chart's picture: charts are flat colours and anti-aliased edges, which a palette of 256 keeps
#: looking as drawn at about a third of the bytes of full colour.
CHART_COLOURS = 256
#: Resolution of a chart's picture in the page.
CHART_DPI = 90


def _image(figure: Figure, alt: str) -> str:
    # drawn as raw pixels, not as a PNG to be decoded again: the same pixels without compressing them twice
    drawn = io.BytesIO()
    figure.savefig(drawn, format="rgba", dpi=CHART_DPI)
    width, height = (int(inches * CHART_DPI) for inches in figure.get_size_inches())  # as the renderer sizes it
    packed = io.BytesIO()
    with Image.frombuffer("RGBA", (width, height), drawn.getvalue(), "raw", "RGBA", 0, 1) as picture:
        picture.convert("RGB").quantize(CHART_COLOURS).save(packed, format="PNG", optimize=True)
    data = base64.b64encode(packed.getvalue()).decode("ascii")
    # the size is given so the page does not jump as pictures load; CSS scales it down to a narrow column
    return (f"<img class='chart' alt='{esc(alt)}' width='{width}' height='{height}' "
            f"src='data:image/png;base64,{data}'>")


def _map(m, title: str, maps: list[EmbeddedMap], height_px: int = 520) -> str:
    """Return a map's HTML for the page, and keep it in ``maps`` so the page loads its scripts once."""
    embedded = embed(m, title=title, height_px=height_px)
    maps.append(embedded)
    return embedded.html


def _sid(source: str) -> str:
    """Return a source id that a line may break only between its words (after ``_``), never inside one: the ids
    run to 40 characters, longer than a phone's line, and an id cut mid-word reads as two."""
    return f"<span class='sid'>{esc(source).replace('_', '_<wbr>')}</span>"


def _grade(kind: str) -> str:
    """Return the badge of a kind of source; its meaning is in the badge's tooltip and in the legend."""
    label, meaning = SOURCE_GRADES.get(kind, UNGRADED)
    css = kind if kind in SOURCE_GRADES else "none"
    return f"<span class='grade g-{css}' title='{esc(label)}: {esc(meaning)}'>{esc(label)}</span>"


def _cite(source: str, grades: Mapping[str, str]) -> str:
    """Return a cited source id with its grade beside it."""
    return f"{_sid(source)}&nbsp;{_grade(grades.get(source, ''))}"


def _grades_legend() -> str:
    """Return the legend of the grades, shown once at the top of the page."""
    items = "".join(f"<li>{_grade(kind)} {esc(meaning)}</li>" for kind, (_, meaning) in SOURCE_GRADES.items())
    return ("<div class='grades'><p>Beside every source, what kind of source it is (who stands behind the text, "
            f"not how good the figure is):</p><ul>{items}</ul></div>")


def _ids(text: str, grades: Mapping[str, str] | None = None) -> str:
    """Return a cell of source ids (``a; b (weak sources only)``), each id broken only between its words and,
    given the sources' ``grades``, graded."""
    parts = []
    for part in text.split("; "):
        source, _, rest = part.partition(" ")  # an id holds no space; a remark may follow it
        shown = _sid(source) if grades is None or not source else _cite(source, grades)
        parts.append(shown + (f" {esc(rest)}" if rest else ""))
    return "; ".join(parts)


def _html_table(frame: pd.DataFrame, columns: Iterable[str], headers: Iterable[str], digits: int = 1,
                ids: Iterable[str] = (), cited: Iterable[str] = (), grades: Mapping[str, str] | None = None) -> str:
    """Return an HTML table in a box that scrolls sideways when the table is wider than the page. Numbers are
    right-aligned and never broken across lines; a column of whole numbers (counts) or of large ones (km, US$, kg)
    is shown without decimals, others with ``digits``; the columns in ``ids`` hold ids, kept whole, and those in
    ``cited`` source ids, kept whole and shown with their grade from ``grades``."""
    columns = list(columns)
    ids = set(ids)
    cited = set(cited)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    places = {}
    for column in columns:
        numbers = [v for v in frame[column] if isinstance(v, float) and not np.isnan(v)] if len(frame) else []
        whole = bool(numbers) and all(v.is_integer() or abs(v) >= 100 for v in numbers)
        places[column] = 0 if whole else digits
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if isinstance(value, float):
                text = "–" if np.isnan(value) else f"{value:,.{places[column]}f}"
                cells.append(f"<td class='num'>{esc(text)}</td>")
                continue
            if isinstance(value, (bool, np.bool_)):
                text = "yes" if value else "no"
            else:
                text = "" if value is None else str(value)
            shown = _ids(text, grades or {}) if column in cited else _ids(text) if column in ids else esc(text)
            cells.append(f"<td>{shown}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "</div>")


def _histograms(transits: Mapping[str, TransitTime]) -> Figure:
    figure = Figure(figsize=(9, 3.6), dpi=90, layout="constrained")
    axes = figure.add_subplot()
    colours = {BEST: "#2e8b57", TYPICAL: "#1f5fa8", CONGESTED: "#8b1a1a"}
    for profile, transit in transits.items():
        axes.hist(transit.total_days, bins=60, alpha=0.55, color=colours.get(profile, "#555"),
                  label=plain(f"{profile}: median {transit.median_days:.1f} d"))
    axes.axvspan(10, 12, color="#f0c419", alpha=0.35, label=plain("the claimed 10–12 days"))
    axes.set_xlabel("door-to-door days")
    axes.set_ylabel("simulated journeys")
    axes.legend(fontsize=8)
    return figure


def _month_route(network: Network, route: Route, s: ReportSettings) -> tuple[Route, str]:
    """Return the journey the month chart follows, and how the page names it.

    It is the report's route when the data describe any month on it. A route where no month is described (the
    overland way via Russia, say) would draw twelve equal months and hide the seasons, which the data document at
    the Caspian and Black Sea ports: the chart then follows, between the same ends, the featured corridor on which
    the data describe the most months (the first listed, on a tie).
    """
    from .registry import load_corridors
    from .seasons import described_months

    via = ", ".join(network.place_name(v) for v in route.via)
    own = f"via {via}" if via else "as routed above"
    if described_months(route):
        return route, own
    registry = load_corridors(network)
    best: tuple[int, Route, str] | None = None
    for corridor_id in s.corridors or tuple(registry):
        corridor = registry[corridor_id]
        try:
            candidate = corridor.route(network, route.origin, route.destination)
        except CorridorError:  # the corridor does not serve these ends
            continue
        count = len(described_months(candidate))
        if count and (best is None or count > best[0]):
            best = (count, candidate, corridor.name)
    if best is None:
        return route, own
    return best[1], f"by the {best[2]}"


def _backtest_section(network: Network, folder: Path, s: ReportSettings, cited: list[str],
                      grades: Mapping[str, str]) -> str:
    """Return the backtest section: the model against observed journeys, its summaries and the predicted chart."""
    from .backtest import BACKTEST_JOURNEYS, GROUPINGS, backtest, load_observations, load_rate_observations

    # the observations of the network's own folder (the caller makes sure it has them), and its rates if it has some
    rates = folder / "rate_observations.csv"
    # as many journeys per observation as `corridors backtest` draws (its default 4,000, fewer only when the report is
    # asked for fewer), so that the report and the command give the same figures: an observation at the model's P10
    # or P90 falls inside or out by sampling when the counts differ
    result = backtest(network, n=max(500, min(s.journeys, BACKTEST_JOURNEYS)), seed=s.seed,
                      observations=load_observations(network, folder / "observations.csv"),
                      rates=load_rate_observations(network, rates) if rates.is_file() else None,
                      costs=rates.is_file())
    table = result.table()
    cited += list(dict.fromkeys(table["source"]))
    overall = result.summary().iloc[0]
    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.reset_index().assign(mdape=frame["mdape_pct"].map("{:.1f}%".format).to_numpy(),
                                          inside=frame["coverage"].map("{:.0%}".format).to_numpy(),
                                          bias=frame["bias_pct"].map("{:+.1f}%".format).to_numpy())

    summaries = "".join(
        f"<h3>By {esc(g.replace('_year', ''))}</h3>"
        + _html_table(shown(result.summary(g)), ["group", "observations", "mdape", "inside", "bias"],
                      [g.replace("_year", ""), "observations", "median abs. error", "inside P10–P90", "bias"])
        for g in GROUPINGS)
    worst = table[table["independent"]].assign(abs_error=table["error_pct"].abs()).nlargest(8, "abs_error")
    return (
        "<section id='backtest'><h2>The backtest: the model against observed journeys</h2>"
        f"<p>{int(overall['observations'])} published journeys (train runs, reported averages, operators' schedules "
        "and forwarders' quotes, 2013–2025) simulated on the corridor they used under the conditions of their period: "
        f"the model's median is off by a median {overall['mdape_pct']:.0f}%, {overall['coverage']:.0%} of the "
        f"observations lie inside its P10–P90, and {_bias_said(overall['bias_pct'])}. A run, a schedule or a quote "
        "is read on single journeys, each varying around the elements' states by their measured single-shipment "
        "spread; a reported average on the period's average journey. No parameter is fitted to these observations; "
        f"{len(result.dependent)} whose source also feeds a parameter are left out."
        f"{_scatter_said(result.scatter())}</p>"
        + _image(result.chart(), "predicted against observed journey times")
        + summaries
        + "<h3>The largest misses, and what the elements' documented ranges allow</h3>"
        + f"<p>{_reach_said(result.reach_summary())}</p>"
        + _html_table(worst.assign(reach_said=worst["reach_said"].fillna("inside P10–P90")),
                      ["id", "corridor", "period", "observed_days", "p50_days", "error_pct", "largest_element",
                       "reach", "reach_said", "source"],
                      ["observation", "corridor", "period", "observed days", "model median days", "error %",
                       "largest element of the median journey", "reached by", "how far the groups move the median",
                       "source"], ids=["id"], cited=["source"], grades=grades)
        + "</section>")


def _reach_said(counts: Mapping[str, int]) -> str:
    """Say how many misses one group's documented state reaches, how many need several, how many none."""
    one, several, beyond = (counts.get(v, 0) for v in VERDICTS)
    return (f"For each observation outside P10–P90, every group of elements on its route is put at the documented "
            f"state that points towards it (congested when the journey was observed slower, best when faster). "
            f"Of the {one + several + beyond} independent misses, {one} are reached by one group alone — an element "
            f"whose state in that period the condition sets may have wrong; {several} only by several groups at "
            f"once; and {beyond} by none: every element at its documented extreme still falls short, so the "
            f"question is what the published figure counts.")


def _bias_said(bias_pct: float) -> str:
    """Say the model's bias in words: how much slower or faster than the observations on balance, or balanced."""
    if abs(bias_pct) < 0.5:  # a rounded "+0% slower" or "-0% faster" says nothing
        return "it is balanced, within 0.5% either way"
    return f"it is on balance {abs(bias_pct):.0f}% {'slower' if bias_pct > 0 else 'faster'}"


def _scatter_said(scatter: Mapping[str, float], goal: float = 0.7) -> str:
    """Say how widely the published figures scatter around the model's median against one journey's spread, and
    whether recentring the model could bring ``goal`` of them inside its P10–P90."""
    if not scatter:
        return ""
    said = (f" The published figures lie between {scatter['observed_p10']:.2f} and {scatter['observed_p90']:.2f} "
            f"times the model's median (10th to 90th percentile), while one simulated journey's P10–P90 spans a "
            f"factor {scatter['model_factor']:.2f}. The best single factor applied to every simulated journey "
            f"(×{scatter['best_shift']:.2f}) brings {scatter['best_shift_coverage']:.0%} of the observations inside")
    if scatter["best_shift_coverage"] >= goal:
        # within reach of one factor, which the model does not apply: it would be fitted to these observations
        return (said + f", {goal:.0%} or more; the model applies no such factor, which would be fitted to these "
                "observations rather than read from an element's source.")
    return (said + f": recentring cannot reach {goal:.0%}. Figures published for the same corridor and year disagree "
            "by more than one journey varies (express trains and showcase runs against forwarders' door-to-door "
            "quotes).")


def build_report(network: Network, settings: ReportSettings | None = None) -> str:
    """Return the report as one self-contained HTML page."""
    from .claims import load_claims

    s = settings or ReportSettings()
    grades = source_grades(network)
    cited: list[str] = []
    sections: list[str] = []
    maps: list[EmbeddedMap] = []

    # 1. The seed claim --------------------------------------------------------------------------------------
    # A network of one's own has its own claims, or none, and no seed claim: those sections say so or are left out.
    registry = load_claims(network) if network.has_table("claims") else {}
    if SEED_CLAIM in registry:
        sections.extend(_seed_sections(network, registry, s, cited, grades))
    else:
        sections.append(_own_claims_section(network, registry, s, cited, grades))
    sections.extend(_route_sections(network, s, cited, maps, grades))
    sections.extend(_dataset_sections(network, s, cited, maps, grades))
    return _page(network, s, sections, cited, maps, grades)


def _own_claims_section(network: Network, registry: dict, s: ReportSettings, cited: list[str],
                        grades: Mapping[str, str]) -> str:
    """Return the claims section of a dataset without the seed claim: its own claims checked, or a note."""
    from .claims import check

    if not registry:
        return ("<section id='claims'><h2>Published claims</h2><p>This dataset has no claims.csv: no claim is "
                "checked.</p></section>")
    checks = [check(c, network, n=max(1000, s.journeys // 4), seed=s.seed) for c in registry.values()]
    rows = pd.DataFrame([{"claim": c.claim.statement, "who": f"{c.claim.who} ({c.claim.said_on})",
                          "window": c.claim.window_text, "verdict": c.verdict, "held": c.holds_summary(),
                          "source": c.claim.source} for c in checks])
    cited += [c.claim.source for c in checks]
    return ("<section id='claims'><h2>Published claims</h2>"
            + _html_table(rows, ["claim", "who", "window", "verdict", "held", "source"],
                          ["claim", "who", "window", "verdict", "readings that hold, by conditions", "source"],
                          cited=["source"], grades=grades)
            + "</section>")


def _seed_sections(network: Network, registry: dict, s: ReportSettings, cited: list[str],
                   grades: Mapping[str, str]) -> list[str]:
    """Return the sections on the seed claim, the other claims, the superlative and the context series."""
    from .claims import check

    sections: list[str] = []
    seed = check(registry[SEED_CLAIM], network, n=s.journeys, seed=s.seed)
    cited.append(seed.claim.source)
    table = seed.table()
    table["p_within"] = table["p_within"].map(lambda p: f"{p:.0%}" if p == p else "–")
    sections.append(
        "<section id='claim'><h2>The claim</h2>"
        f"<blockquote>“{esc(seed.claim.statement)}”<br><small>{esc(seed.claim.who)}, {esc(seed.claim.role)}, "
        f"{esc(seed.claim.said_on)} — source [{_cite(seed.claim.source, grades)}]</small></blockquote>"
        f"<p class='verdict'>Verdict: <b>{esc(seed.verdict)}</b></p>"
        + _html_table(table, ["label", "profile", "p_within", "median", "p90", "holds"],
                      ["reading", "conditions", "P(≤ 12 days)", "median days", "P90 days", "holds"])
        + f"<p>{esc(seed.explanation())}</p>"
        "<p class='method'>A reading holds under a set of conditions when at least half the simulated journeys "
        "arrive within the upper end of the window. Conditions say what state each group of elements (each border, "
        "port, ferry service, railway, sea passage) was in: <i>best</i> = timetables and operators' best cases, "
        "<i>typical</i> = recent measured values, <i>congested</i> = the elements that were congested in 2022–23 "
        "(the Caspian crossing, the China–Kazakhstan border, Kazakh rail, the Caucasus, the Black Sea), and each "
        "documented year (2019, 2021–2025) its own state. The route is booked under typical conditions and meets "
        "each set.</p></section>")
    others = [check(c, network, n=max(1000, s.journeys // 4), seed=s.seed)
              for cid, c in registry.items() if cid != SEED_CLAIM]
    rows = pd.DataFrame([{"claim": c.claim.statement, "who": f"{c.claim.who} ({c.claim.said_on})",
                          "window": c.claim.window_text, "verdict": c.verdict, "held": c.holds_summary(),
                          "source": c.claim.source}
                         for c in others])
    cited += [c.claim.source for c in others]
    sections.append("<section id='claims'><h2>Other published claims</h2>"
                    + _html_table(rows, ["claim", "who", "window", "verdict", "held", "source"],
                                  ["claim", "who", "window", "verdict", "readings that hold, by conditions", "source"],
                                  cited=["source"], grades=grades)
                    + "</section>")

    superlative = next((c for c in others if c.claim.unit == "rank"), None)
    if superlative is not None:
        sections.append(_superlative_section(superlative, grades))
    sections.append(_context_section(network, seed.claim.said_on, cited))
    return sections


def _route_sections(network: Network, s: ReportSettings, cited: list[str], maps: list[EmbeddedMap],
                    grades: Mapping[str, str]) -> list[str]:
    """Return the sections on the route: its table, map, charts, distributions and months."""
    from .charts import Series, time_distance_chart
    from .seasons import by_month
    from .simulation import simulate

    sections: list[str] = []
    # 2. The route, its map, chart and distribution ----------------------------------------------------------
    route = network.route(s.route_origin, s.route_destination, via=s.route_via, avoid=s.route_avoid)
    cited += list(route.sources())
    steps = route.to_frame()
    is_leg = steps["element"] == "leg"
    steps["what"] = [(f"{m} {g:.0f} mm" if m == "rail" else str(m)) if leg else str(k).replace("_", " ")
                     for leg, m, g, k in zip(is_leg, steps["mode"], steps["gauge_mm"], steps["kind"], strict=True)]
    steps["where"] = [f"{f} → {t}" if leg else p
                      for leg, f, t, p in zip(is_leg, steps["from"], steps["to"], steps["place"], strict=True)]
    steps["km"] = steps["distance_km"].where(is_leg)  # a stop has no distance: shown as a dash
    steps["cited"] = steps["sources"].str.replace(";", "; ", regex=False)
    weak = [e.weak for e in route.elements]
    steps["cited"] = [f"{c} (weak sources only)" if w else c for c, w in zip(steps["cited"], weak, strict=True)]
    steps["cum_days"] = steps["cum_time_h"] / 24
    names = (network.place_name(route.origin), network.place_name(route.destination))
    transits = {p: simulate(route, n=s.journeys, conditions=p, seed=s.seed) for p in network.profiles}
    # three lines step at the same places: naming only the stops of a day or more keeps their labels apart
    chart = time_distance_chart([Series(t.route, t) for t in transits.values()], label_stops_over_h=24.0,
                                title=f"{names[0]} → {names[1]}: time–distance by conditions")
    sections.append(
        f"<section id='route'><h2>The route: {esc(names[0])} → {esc(names[1])}</h2>"
        + (f"<p>Booked under typical conditions via {esc(', '.join(network.place_name(v) for v in route.via))}"
           f"{', avoiding ' + esc(', '.join(s.route_avoid)) if s.route_avoid else ''}, as the claim's readings take "
           "the journey.</p>" if s.route_via or s.route_avoid else "")
        + f"<p>{route.distance_km:,.0f} km; {route.time_days:.1f} days with typical times, of which "
        f"{route.stopped_h / 24:.1f} days at {len(route.stops)} stops. Countries: "
        f"{esc(' → '.join(route.countries))}.</p>"
        + _map(route.map(offline=True), f"map of the route {names[0]} to {names[1]}", maps)
        + _html_table(steps, ["what", "where", "km", "time_h", "cum_days", "cited"],
                      ["leg or stop", "where", "km", "hours", "day", "sources"], cited=["cited"], grades=grades)
        + "<h3>Time–distance chart</h3>" + _image(chart, "time-distance chart")
        + "<h3>Transit-time distributions</h3>" + _image(_histograms(transits), "histograms of days")
        + _html_table(pd.DataFrame([{"profile": p, **t.percentiles((10, 50, 90)), "mean": t.mean_days}
                                    for p, t in transits.items()]),
                      ["profile", "P10", "P50", "P90", "mean"], ["conditions", "P10 days", "median days", "P90 days",
                                                                 "mean days"])
        + "</section>")

    month_route, month_journey = _month_route(network, route, s)
    if month_route is not route:
        cited += list(month_route.sources())
    months = by_month(month_route, n=max(500, s.journeys // 5), seed=s.seed)
    described = months.loc[months["described"], "name"].tolist()
    sections.append(
        "<section id='months'><h2>Month by month</h2>"
        + ("<p>The route above passes no port or section whose months the data describe, so its twelve months "
           "would all be the same; this chart follows instead a featured corridor between the same places.</p>"
           if month_route is not route else "")
        + f"<p>The journey {esc(names[0])} → {esc(names[1])} {esc(month_journey)} "
        f"({month_route.distance_km:,.0f} km; {esc(' → '.join(month_route.countries))}), taken in each month of "
        "the year under typical conditions. "
        + (f"The data describe {esc(', '.join(described))} on this route (a port's own closure odds or a seasonal "
           "peak); the other months carry the annual figures, since no source gives them month by month.</p>"
           if described else "No month is described on this route by the data: every month carries the annual "
           "figures.</p>")
        + _image(month_chart(months, title=f"{names[0]} → {names[1]} {month_journey}, by month"),
                 f"median and P90 by month, {names[0]} to {names[1]} {month_journey}")
        + "</section>")

    return sections


def _dataset_sections(network: Network, s: ReportSettings, cited: list[str], maps: list[EmbeddedMap],
                      grades: Mapping[str, str]) -> list[str]:
    """Return the sections that read the dataset's tables: backtest, comparison, bottleneck and scenarios."""
    from .capacity import bottleneck
    from .compare import compare
    from .scenarios import UNCHANGED, Scenario, diff

    sections: list[str] = []
    # 2b. The backtest ----------------------------------------------------------------------------------------
    folder = network.folder
    if folder is not None and (folder / "observations.csv").is_file():
        # a dataset without observations has no backtest
        sections.append(_backtest_section(network, folder, s, cited, grades))

    # 3. Corridors compared -----------------------------------------------------------------------------------
    if not network.has_table("corridors"):
        return [*sections, "<section id='compare'><h2>Corridors compared</h2><p>This dataset has no corridors.csv: "
                "no corridor is compared, and no bottleneck or scenario is shown.</p></section>"]
    comparison = compare(network, s.compare_origin, s.compare_destination, profiles=network.profiles,
                         corridors=s.corridors or None, n=max(1000, s.journeys // 2), seed=s.seed)
    table = comparison.table()
    typical = table[table["profile"] == TYPICAL].sort_values(["available", "rank_overall"],
                                                               ascending=[False, True])
    for entry in comparison.entries:
        if entry.route is not None:
            cited += list(entry.route.sources())
    cnames = (network.place_name(comparison.origin), network.place_name(comparison.destination))
    answers = comparison.answers(TYPICAL)
    by_id = dict(zip(table["corridor"], table["name"], strict=False))
    sections.append(
        f"<section id='compare'><h2>Corridors compared: {esc(cnames[0])} → {esc(cnames[1])}</h2>"
        + "<p>" + esc("; ".join(f"{w}: {by_id[c]}" for w, c in answers.items())) + " (typical conditions).</p>"
        + _map(comparison.map(offline=True), "map of the corridors compared", maps)
        + _html_table(typical, ["name", "available", "distance_km", "p10_days", "p50_days", "p90_days", "cost_usd",
                                "co2_kg", "border_crossings", "gauge_changes", "transshipments", "reason"],
                      ["corridor", "available", "km", "P10 d", "P50 d", "P90 d", "US$/FEU", "kg CO2e/FEU",
                       "borders", "gauge changes", "transshipments", "why not"], digits=1)
        + _image(comparison.chart(), "time-distance chart of the corridors")
        + "<p class='method'>Shortest = least km; fastest = lowest median; most reliable = narrowest P90 − P10; "
          "cheapest and cleanest per loaded 40-ft container. Best-case and congested figures are in the "
          "JSON output of <code>corridors compare</code>.</p></section>")

    # 4. Bottleneck and scenarios -----------------------------------------------------------------------------
    if network.has_table("capacities"):
        neck = bottleneck(network, s.bottleneck_origin, s.bottleneck_destination,
                          corridor=s.corridors[0] if s.corridors else None)
        if neck.binding is not None:
            cited += list(neck.binding.sources)
        sections.append(f"<section id='bottleneck'><h2>The bottleneck</h2><p>{esc(neck.summary())}</p></section>")
    else:
        sections.append("<section id='bottleneck'><h2>The bottleneck</h2><p>This dataset has no capacities.csv: "
                        "no bottleneck can be named.</p></section>")
    scenario_parts = []
    for file, origin, destination in (("suez_closed.toml", "Shanghai", "Rotterdam"),
                                      ("digital_customs.toml", s.route_origin, s.route_destination),
                                      ("more_caspian_ferries.toml", s.route_origin, s.route_destination)):
        scenario = Scenario.from_toml(data_path() / "scenarios" / file)
        try:
            result = diff(network, scenario, origin, destination, n=max(500, s.journeys // 5), seed=s.seed)
        except CorridorError as exc:  # the bundled scenarios name the bundled places and legs
            scenario_parts.append(f"<h3>{esc(scenario.name)}</h3><p>Not applicable to this network: {esc(str(exc))}"
                                  "</p>")
            continue
        changed = result.table()
        changed = changed[~changed["status"].isin(UNCHANGED)]
        scenario_parts.append(
            f"<h3>{esc(scenario.name)}</h3><p>{esc(scenario.description)}</p><p>{esc(result.summary())}</p>"
            + (_html_table(changed, ["name", "status", "before_days", "after_days", "delta_days"],
                           ["corridor", "status", "days before", "days after", "change"]) if len(changed) else ""))
    sections.append("<section id='scenarios'><h2>What if</h2>" + "".join(scenario_parts) + "</section>")
    return sections


def _page(network: Network, s: ReportSettings, sections: list[str], cited: list[str], maps: list[EmbeddedMap],
          grades: Mapping[str, str]) -> str:
    """Return the whole page: the sections, then every source cited, between the header and the footer."""
    from . import __version__

    # 5. Sources -----------------------------------------------------------------------------------------------
    sources = network.sources
    listed = []
    for source in dict.fromkeys(c for c in cited if c in sources.index):
        row = sources.loc[source]
        listed.append(f"<li id='src-{esc(source)}'><b>[{_sid(source)}]</b> {_grade(grades.get(source, ''))} "
                      f"{esc(row['title'])}"
                      f"{', ' + esc(row['publisher']) if row['publisher'] else ''}"
                      f"{' (' + esc(row['year']) + ')' if row['year'] else ''}. "
                      f"{link(row['url'], row['url'])}</li>")
    kinds = Counter(grades.get(c, "") for c in dict.fromkeys(c for c in cited if c in sources.index))
    counts = ", ".join(f"{kinds[kind]} {label}" for kind, (label, _) in [*SOURCE_GRADES.items(), ("", UNGRADED)]
                       if kinds[kind])
    sections.append(f"<section id='sources'><h2>Sources ({len(listed)})</h2>"
                    + (f"<p>By kind: {esc(counts)}.</p>" if counts else "")
                    + f"<ol>{''.join(listed)}</ol></section>")

    generated = dt.date.today().isoformat()
    data = dataset_info(network)
    made = (f"corridors {esc(__version__)}, {esc(data.describe())}; generated {generated}, {s.journeys:,} "
            f"simulated journeys per route, seed {s.seed}.")
    journey, own = report_heading(network, s)
    model = (f"the network “{own}”" if own is not None else "the Middle Corridor and the routes it competes with")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>corridors report: {esc(journey)}{esc(f' ({own})') if own is not None else ''}</title>"
            f"<style>{_CSS}</style>{resources_html(tag for m in maps for tag in m.resources)}</head><body><header>"
            f"<h1>{esc(journey)}: what {esc(f'the network “{own}”' if own is not None else 'the network')} says"
            f"</h1><p>A transparent, sourced model of {esc(model)}. Every "
            "figure names its source; the list is at the end. Times are simulated from sourced low / typical / "
            f"high values; costs and CO2e are per loaded 40-ft container.</p>"
            f"<p class='meta dataset'>{made}</p><nav><a href='#claim'>The claim</a> · <a href='#route'>The route</a> · "
            "<a href='#superlative'>Safest, shortest?</a> · <a href='#context'>Context</a> · "
            "<a href='#months'>By month</a> · "
            "<a href='#backtest'>Backtest</a> · <a href='#compare'>Corridors compared</a> · "
            "<a href='#bottleneck'>Bottleneck</a> · "
            "<a href='#scenarios'>What if</a> · <a href='#sources'>Sources</a></nav>" + _grades_legend() + "</header>"
            + "".join(sections) + f"<footer class='meta dataset'>{made}</footer></body></html>")


def report_heading(network: Network, settings: ReportSettings | None = None) -> tuple[str, str | None]:
    """Return what the report's heading names: the journey it follows (``"Xi'an to Poti port"``, by the network's
    place names) and the network's name, or None for the bundled one (the Middle Corridor dataset)."""
    s = settings or ReportSettings()
    names = []
    for place in (s.route_origin, s.route_destination):
        try:
            names.append(network.place_name(network.place(place)))
        except CorridorError:  # the route section says which place is unknown; the heading keeps what was asked
            names.append(place)
    bundled = network.folder is not None and network.folder.resolve() == data_path().resolve()
    return f"{names[0]} to {names[1]}", None if bundled else network.name


#: The context series the report draws: the trade the claim is about and the traffic on the corridor.
CONTEXT_SERIES = ("china_azerbaijan_trade", "middle_corridor_tonnes", "middle_corridor_teu", "baku_port_tonnes",
                  "btk_tonnes")


def _superlative_section(result, grades: Mapping[str, str]) -> str:
    """Return the section on the superlative claim: a verdict for each word on each journey, typical conditions."""
    rows = pd.DataFrame([{"word": r.reading.word.replace("_", " "), "journey": r.reading.label.split(": ", 1)[-1],
                          "verdict": r.word.describe() if r.word is not None else (r.error or "no route"),
                          "holds": bool(r.word is not None and r.word.holds)}
                         for r in result.results if r.profile == TYPICAL])
    return ("<section id='superlative'><h2>“The safest, shortest and most attractive”?</h2>"
            f"<blockquote>“{esc(result.claim.statement)}”<br><small>{esc(result.claim.who)}, "
            f"{esc(result.claim.said_on)} — source [{_cite(result.claim.source, grades)}]</small></blockquote>"
            f"<p class='verdict'>Verdict: <b>{esc(result.verdict)}</b> ({esc(result.holds_summary())})</p>"
            + _html_table(rows, ["word", "journey", "verdict", "holds"], ["word", "journey", "typical conditions",
                                                                          "holds"])
            + "<p class='method'>Each word is measured against the routes that serve the same journey: "
              "<i>shortest</i> by distance; <i>safest</i> by exposure to sanctions, conflict and war-risk listings "
              "(risks.csv) first, then the share of journeys meeting a weather closure, then the spread of arrival "
              "times; <i>most attractive</i> by the mean rank on median time, spread, cost and CO2e. The best route "
              "through Azerbaijan is ranked against those that avoid it; “one of the” holds in the better half."
              "</p></section>")


def _context_section(network: Network, said_on: str, cited: list[str]) -> str:
    """Return the section on the context series, with the year the seed claim was made marked."""
    from .context import format_value, load_series

    if not network.has_table("series"):
        return ""
    table = load_series(network)
    table = table[table["series"].isin(CONTEXT_SERIES)]
    if table.empty:
        return ""
    cited += [src for refs in table["sources"] for src in refs]
    year = int(said_on[:4]) if said_on[:4].isdigit() else None
    trade = table[table["series"] == "china_azerbaijan_trade"]
    listed = ", ".join(f"{y}: {format_value(v, u)}" for y, v, u in zip(trade["year"], trade["value"],
                                                                        trade["unit"], strict=True))
    return ("<section id='context'><h2>The context</h2>"
            + (f"<p>China–Azerbaijan trade by year: {esc(listed)}.</p>" if listed else "")
            + _image(context_chart(table, mark_year=year), "trade and traffic by year")
            + "<p class='method'>Each point names its source (corridors context); a year that no source gives is "
              "left out, never interpolated. The dashed line marks the year the claim was made.</p></section>")


def write_report(network: Network, path: str | os.PathLike[str], settings: ReportSettings | None = None) -> Path:
    """Write the report to ``path`` (an .html name); the folder must exist, and nothing half-written is left."""
    target = check_page_path(path)  # before the minutes of work, not after
    return write_text(target, build_report(network, settings))


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:16px;
color:#1d1d1d}
h1{font-size:26px;margin-bottom:4px}h2{border-bottom:2px solid #1f5fa8;padding-bottom:3px;margin-top:36px}
p,li,blockquote,h1,h2,h3{overflow-wrap:break-word}
.scroll{overflow-x:auto;margin:10px 0;max-width:100%}
.scroll>table{border-collapse:collapse;width:100%;font-size:13px}
.scroll th,.scroll td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.scroll th{background:#f3f6fa}
.scroll td.num{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}
.sid{overflow-wrap:normal;word-break:normal}
#sources a{overflow-wrap:anywhere}
blockquote{font-size:18px;border-left:4px solid #f0c419;margin:10px 0;padding:6px 14px;background:#fffbea}
.verdict{font-size:18px}.method,.meta{color:#555;font-size:13px}img.chart{max-width:100%;height:auto;margin:8px 0}
.grade{display:inline-block;white-space:nowrap;font-size:11px;line-height:1.3;padding:0 5px;border-radius:8px;
border:1px solid;vertical-align:baseline;font-weight:normal}
.g-operator_government{color:#14532d;background:#e3f4e8;border-color:#7fbf95}
.g-international_org{color:#0c4a6e;background:#e0f0fa;border-color:#7fb5d9}
.g-research{color:#4c1d95;background:#efe8fb;border-color:#b39ddb}
.g-press{color:#713f12;background:#fdf3dc;border-color:#d9b870}
.g-secondary_copy{color:#7f1d1d;background:#fbe7e7;border-color:#dc9a9a}
.g-none{color:#444;background:#f0f0f0;border-color:#bbb}
.grades p{margin:6px 0 2px}.grades ul{list-style:none;padding:0;margin:0 0 8px;font-size:13px;color:#444}
.grades li{margin:2px 0}
footer{border-top:1px solid #ddd;margin-top:36px;padding-top:8px}
.corridors-map{margin:10px 0}
nav a{color:#1f5fa8}code{background:#f3f3f3;padding:1px 3px}
@media (max-width:600px){body{padding:10px;font-size:14px}h1{font-size:21px}ol{padding-left:24px}
blockquote,.verdict{font-size:16px}
.corridors-map{height:auto!important}.corridors-map .folium-map{height:380px!important}
.corridors-map .corridors-legend{position:static!important;max-width:none!important;box-shadow:none!important;
border-bottom:1px solid #ddd}
.corridors-map .leaflet-control-layers{max-height:120px;overflow:auto;font-size:11px}}
"""
