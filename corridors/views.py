"""Terminal views: the text, tables, CSV and JSON the command line prints, and its progress bars.

A view reads model objects and returns text; it never changes them, and the model never imports it. Tables come
from ``rich`` and wrap long cells (corridor names, claim readings) onto further lines instead of cutting them. The
text is plain — no colour or control codes — unless stdout is a terminal, so pipes, files and tests see clean text.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: A block of output: a line of prose (never hard-wrapped, so that it can be searched for) or a table.
Block = str | Table

NAN_TEXT = "–"


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def width() -> int:
    """Return the width to lay tables out in: $COLUMNS, else the terminal's, else 100 columns."""
    return max(shutil.get_terminal_size(fallback=(100, 24)).columns, 40)


#: A word longer than this may be broken inside a table cell (a long source id) rather than widen the table further.
LONGEST_WORD = 24


def _fit(grid: Table, columns: int) -> int:
    """Fix each column's width so that no cell is cut, within ``columns`` if the table can fit; return its width.

    Rich shrinks an over-wide table by squeezing every column, which folds words and, with minimum widths set, crops
    the last column. So the widths are chosen here: a number column gets its widest cell (a number never breaks);
    a text column at least its longest word (up to LONGEST_WORD), and the room left is shared in proportion to what
    each text column would need to fit its cells on one line.
    """
    def texts(column: Any) -> list[str]:
        return [c.plain if isinstance(c, Text) else str(c) for c in column.cells]

    gaps = 2 * (len(grid.columns) - 1)  # the padding and the space between two columns
    least: list[int] = []
    most: list[int] = []
    widest: list[int] = []  # each column's widest cell or header line
    for column in grid.columns:
        cells, header = texts(column), str(column.header).split("\n")
        widest.append(max(_shown(text) for text in (*cells, *header)))
        if column.no_wrap:
            least.append(widest[-1])
            most.append(widest[-1])
        else:
            word = max([cell_len(w) for text in (*cells, *header) for w in text.split()] + [1])
            least.append(min(word, LONGEST_WORD))
            most.append(max(widest[-1], least[-1]))
    if sum(most) + gaps <= columns:
        # it fits as it is: each column as wide as its widest cell, as rich's layout makes it; fixed here, since the
        # cells are measured already (left open, rich measures every cell again: a quarter of a wide table's layout)
        for column, width in zip(grid.columns, widest, strict=True):
            column.width = max(width, column.min_width or 0)
        return sum(most) + gaps
    room = columns - gaps - sum(least)
    spare = [m - n for m, n in zip(most, least, strict=True)]
    total_spare: int = sum(spare)
    widths = list(least)
    if room > 0 and total_spare:
        shares = [room * extra // total_spare for extra in spare]
        widths = [n + share for n, share in zip(least, shares, strict=True)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    return sum(widths) + gaps


def _shown(text: str) -> int:
    """Return the columns a cell's text takes on a terminal: its longest line's, as rich measures it."""
    return max((cell_len(line) for line in text.splitlines()), default=0)


def render(blocks: Iterable[Block], *, columns: int | None = None, colour: bool = False) -> str:
    """Return blocks of prose and tables as text, tables laid out in ``columns`` (default: :func:`width`)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=columns or width(), force_terminal=colour, color_system="standard" if colour
                      else None, highlight=False, markup=False, emoji=False, no_color=not colour, legacy_windows=False)
    for block in blocks:
        if isinstance(block, Table):
            need = _fit(block, console.width)
            if need > console.width:  # narrower, rich would cut cells: let the terminal wrap the long lines
                wide = Console(file=buffer, width=need, force_terminal=colour, color_system="standard" if colour
                               else None, highlight=False, markup=False, emoji=False, no_color=not colour)
                wide.print(block)
            else:
                console.print(block)
        else:  # prose goes out as it is: rich would only copy it, slowly
            buffer.write(block + "\n")
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def show(blocks: Iterable[Block]) -> None:
    """Print blocks on stdout, in colour only where stdout is a terminal (and NO_COLOR is not set)."""
    colour = _is_terminal(sys.stdout) and "NO_COLOR" not in os.environ
    print(render(blocks, colour=colour))


def table(*columns: str, indent: int = 2) -> Table:
    """Return an empty table; a column named with a leading ``>`` holds numbers (right-aligned, never broken)."""
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold",
                 collapse_padding=True)
    for i, name in enumerate(columns):
        number = name.startswith(">")
        grid.add_column(name.lstrip(">"), justify="right" if number else "left", overflow="fold",
                        no_wrap=number, min_width=indent if i == 0 else None)
    return grid


def row(grid: Table, *cells: Any) -> None:
    """Add a row of cells, each shown as plain text (never read as markup)."""
    grid.add_row(*(Text("" if c is None else str(c)) for c in cells))


def number(value: float, spec: str = ",.0f") -> str:
    """Return a number formatted, or a dash for a missing one (NaN)."""
    return NAN_TEXT if value is None or value != value else format(value, spec)


def humanise(identifier: str) -> str:
    """Return an identifier (``border_crossing``) as words (``border crossing``)."""
    return identifier.replace("_", " ")


# --- CSV and JSON ---------------------------------------------------------------------------------------------------

# A cell that begins with one of these is run as a formula by a spreadsheet that opens the file.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

#: Decimals a column keeps in CSV, by the unit its name ends in: what the data can tell apart, not float noise.
DECIMALS = {"_km": 1, "_h": 2, "_days": 2, "_usd": 0, "_kg": 1, "_pct": 1, "_kmh": 1, "_mm": 0, "_teu": 0,
            "_tonnes": 0}
#: Columns of probabilities and shares, by name.
FRACTIONS = re.compile(r"^(p_|prob_)|(coverage|share)$")


def tidy(frame: Any) -> Any:
    """Return a table ready for CSV: numbers rounded to their unit's precision, whole-number columns as integers, a
    meaningful index (a step, an id) made a column and a default one left out."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_float_dtype

    named = any(name is not None for name in frame.index.names)
    out = frame.reset_index() if named else frame.reset_index(drop=True)
    for column in out.columns:
        values = out[column]
        if not is_float_dtype(values) or is_bool_dtype(values):
            continue
        name = str(column)
        digits = next((d for suffix, d in DECIMALS.items() if name.endswith(suffix)), None)
        if digits is None:
            digits = 3 if FRACTIONS.search(name) else 2
        values = values.round(digits)
        present = values.dropna()
        if len(present) and (present == present.round()).all() and present.abs().max() < 2**53:
            values = values.astype(pd.Int64Dtype())
        out[column] = values
    return out


def csv_text(frame: Any) -> str:
    """Return a table as tidy CSV with every text cell that a spreadsheet would run as a formula made plain text.

    Such a cell gets a leading apostrophe, which spreadsheets read as "this is text". Numbers are left as they are,
    in numeric columns and as text ("-12.5" is a number to a spreadsheet, not a formula).
    """
    from pandas.api.types import is_numeric_dtype

    def text_cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
            return "'" + value
        return value

    safe = tidy(frame)
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(text_cell)
    return safe.to_csv(index=False)


def json_text(data: Any) -> str:
    """Return data as indented JSON, non-ASCII kept as it is (place names)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


# --- progress -------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def progress(description: str, *, total: int | None = None, quiet: bool = False
             ) -> Iterator[Callable[[int, int], None]]:
    """Show a progress bar on stderr while the block runs; yield ``update(done, total)``.

    Silent (``update`` does nothing) with ``quiet`` or when stderr is not a terminal: pipes and logs get no
    control codes. Without a total the bar pulses until the block ends.
    """
    if quiet or not _is_terminal(sys.stderr):
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, of: int) -> None:
            bar.update(task, completed=done, total=of)

        yield update


# --- routes ---------------------------------------------------------------------------------------------------------

#: What "best" means for each routing weight, in the words of a route's header.
BEST = {"time": "fastest", "distance": "shortest", "cost": "cheapest", "co2": "lowest-CO2e"}


def booking_text(route: Any) -> str:
    """Return which conditions a route meets and under which it was chosen, in a few words."""
    net = route.network
    countries = " – ".join(route.countries)
    if route.rerouted:
        typical = net.route(route.origin, route.destination, via=route.via, by=route.weight)
        same = typical.places == route.places
        return (f"conditions {route.conditions.name}, rerouted under them"
                + ("; the route is the one booked under typical conditions" if same else
                   f"; booked under typical conditions it would run {' – '.join(typical.countries)}, "
                   f"rerouted it runs {countries}"))
    if route.conditions.name == route.booked_under:
        return f"{route.booked_under} conditions"
    return (f"conditions {route.conditions.name}; the route booked under typical conditions ({countries}); "
            "--reroute chooses it under these conditions")


def route_view(route: Any) -> list[Block]:
    """Return a route as a table of legs and stops with totals."""
    net = route.network
    blocks: list[Block] = [f"{net.place_name(route.origin)} → {net.place_name(route.destination)}  "
                           f"({BEST.get(route.weight, 'best')} route, {booking_text(route)})"]
    grid = table(">#", "what", "where", ">km", ">hours", ">day", "sources")
    # from the route's records, not its frame: the same values, without building a pandas table to read back
    for step, r in enumerate(route.records(), start=1):
        if r["element"] == "leg":
            what = f"{r['mode']}" + (f" {r['gauge_mm']} mm" if r["mode"] == "rail" else "")
            where, km = f"{r['from']} → {r['to']}", number(r["distance_km"])
        else:
            what, where, km = humanise(r["kind"]), r["place"], ""
        sources = r["sources"].split(";") if r["sources"] else []
        cited = sources[0] + (f" +{len(sources) - 1}" if len(sources) > 1 else "") if sources else ""
        row(grid, step, what, where, km, f"{r['time_h']:.1f}", f"{r['cum_time_h'] / 24:.1f}", cited)
    blocks += [grid]
    summary = route.summary()
    blocks.append(f"Total: {route.distance_km:,.0f} km in {route.time_h:,.1f} h = {route.time_days:.1f} days "
                  f"({route.moving_h:,.1f} h moving, {route.stopped_h:,.1f} h at {len(route.stops)} stops)")
    if summary["stop_hours"]:
        blocks.append("At stops: " + ", ".join(f"{humanise(k)} {v:,.1f} h" for k, v in summary["stop_hours"].items()))
    blocks.append("Countries: " + " → ".join(route.countries))
    if summary["border_crossings"]:
        blocks.append("Borders: " + "; ".join(summary["border_crossings"]))
    if route.cost_usd == route.cost_usd:  # not NaN: the network has costs and emission factors
        years = route.price_years
        prices = (f" (rates of {years[0]}–{years[-1]})" if len(years) > 1 else f" ({years[0]} rates)") if years else ""
        blocks.append(f"Cost US${route.cost_usd:,.0f}{prices} and {route.co2_kg:,.0f} kg CO2e per loaded 40-ft "
                      "container")
    ind = summary["indicators"]
    blocks.append(f"Indicators (CAREC style): speed {ind['speed_without_delay_kmh']:.1f} km/h without delay, "
                  f"{ind['speed_with_delay_kmh']:.1f} km/h with delay; {ind['border_crossing_h']:.1f} h at border "
                  f"crossings; {ind['stopped_share']:.0%} of the time stopped")
    blocks += list(route.end_notes())
    weak = route.weak_elements
    if weak:
        blocks.append(f"Weak sources: {len(weak)} of the times above rest only on blogs, mirrors or aggregators ("
                      + ", ".join(f"{humanise(e.kind)} at {net.place_name(e.place)}" for e in weak[:4])
                      + (", …" if len(weak) > 4 else "") + ").")
    blocks.append("Times are typical values (each element's median; a mean for waits) under the conditions. Each row "
                  "names its first source (a leg's: its distance); --json lists them all, `corridors network "
                  "--sources` resolves them.")
    return blocks


def alternatives_view(routes: Sequence[Any], conditions: Any, by: str) -> list[Block]:
    """Return the K best routes, one line each: length, time, cost and where they stop."""
    first = routes[0]
    net = first.network
    grid = table(">#", ">km", ">days", ">US$/FEU", "stops at")
    for i, r in enumerate(routes, start=1):
        where = ", ".join(net.place_name(p) for p in dict.fromkeys(s.place for s in r.stops))
        row(grid, i, number(r.distance_km), f"{r.time_days:.1f}", number(r.cost_usd),
            f"{' → '.join(r.countries)}: {where}")
    return [f"{net.place_name(first.origin)} → {net.place_name(first.destination)}: {len(routes)} routes that differ "
            f"in where they stop (conditions {conditions.name}, {BEST.get(by, by)} first)", grid]


def network_view(net: Any, *, sources: bool) -> list[Block]:
    """Return what is in a dataset: places, legs and kilometres by kind, conditions, and the sources."""
    summary = net.summary()
    blocks: list[Block] = [repr(net)]
    for key in ("places_by_kind", "places_by_country", "legs_by_mode", "km_by_mode", "rail_km_by_gauge"):
        values = ", ".join(f"{k}: {v:,.0f}" if isinstance(v, float) else f"{k}: {v}" for k, v in summary[key].items())
        blocks.append(f"{humanise(key).capitalize()}: {values}")
    blocks.append(f"Conditions: {', '.join(summary['conditions'])} (groups: {', '.join(summary['groups']) or 'none'})")
    table_ = net.sources
    if not sources:
        return [*blocks, f"Sources: {len(table_)} (list them with --sources)"]
    blocks.append("")
    for source_id, r in table_.iterrows():
        year = f" ({r['year']})" if r["year"] else ""
        publisher = f", {r['publisher']}" if r["publisher"] else ""
        kind = f"{humanise(r['kind'])}: " if isinstance(r.get("kind"), str) and r["kind"] else ""  # who published it
        blocks.append(f"[{source_id}] {kind}{r['title']}{publisher}{year}. {r['url']}")
    return blocks


# --- simulations ----------------------------------------------------------------------------------------------------

def transit_view(transit: Any, *, within_days: float | None = None,
                 window_days: tuple[float, float] | None = None) -> list[Block]:
    """Return a simulation: percentiles, a histogram, and the elements that drive the time."""
    from .conditions import TYPICAL  # pandas is loaded by now: a simulation is made of it

    route = transit.route
    names = route.network.place_name
    p = transit.percentiles((10, 50, 90))
    blocks: list[Block] = [f"{names(route.origin)} → {names(route.destination)}: {transit.n:,} simulated journeys, "
                           f"seed {transit.seed}{_dependence_said(transit)}", f"  {booking_text(route)}",
                           *(f"  {n}" for n in route.end_notes()),
                           "", f"P10 {p['P10']:.1f} days   median {p['P50']:.1f} days   P90 {p['P90']:.1f} days   "
                           f"mean {transit.mean_days:.1f} days"]
    if within_days is not None:
        blocks.append(f"Probability of arriving within {within_days:g} days: {transit.prob_within(within_days):.1%}")
    if window_days is not None:
        low, high = window_days
        blocks.append(f"Probability of arriving in {low:g}–{high:g} days: {transit.prob_between(low, high):.1%}; "
                      f"within {high:g} days: {transit.prob_within(high):.1%}")
    counts, edges = transit.histogram(16)
    peak = max(int(counts.max()), 1)
    blocks.append("")
    for count, low, high in zip(counts, edges[:-1], edges[1:], strict=True):
        blocks.append(f"  {low:6.1f}–{high:<6.1f} d  {'█' * round(28 * count / peak):<28} {count / transit.n:6.1%}")
    frame = transit.contributions()
    frame["what"] = [f"{humanise(k)} at {names(pl)}" if el == "stop" else f"{k} {names(f)} → {names(t)}"
                     for el, k, pl, f, t in zip(frame["element"], frame["kind"], frame["place"], frame["from"],
                                                frame["to"], strict=True)]
    top = frame.sort_values("in_median_journey_h", ascending=False).head(8)
    grid = table("element", ">days in median", ">share of spread", "note")
    for r in top.itertuples():
        note = "; ".join(n for n in ((r.level if r.level and r.level != TYPICAL else ""),
                                     "weak source" if r.weak_source else "") if n)
        row(grid, r.what, f"{r.in_median_journey_h / 24:.1f}", f"{r.spread_share:.1%}", note)
    blocks += ["", "What the median journey is made of (largest first), and each part's share of the spread:", grid]
    weak_days = frame.loc[frame["weak_source"].astype(bool), "in_median_journey_h"].sum() / 24
    if weak_days > 0:
        blocks.append(f"  {weak_days:.1f} days of the median journey rest only on weak sources (blogs, mirrors, "
                      "aggregators): `corridors route --json` names them")
    return blocks


# --- claims ---------------------------------------------------------------------------------------------------------

def claims_list_view(claims: Iterable[Any]) -> list[Block]:
    """Return the registered claims, one a row, without checking them."""
    grid = table("claim", "who", "statement", "window")
    for c in claims:
        row(grid, c.id, f"{c.who} ({c.said_on})", f"“{c.statement}”", c.window_text)
    return [grid]


def claim_check_view(result: Any) -> list[Block]:
    """Return a claim check: the statement, the verdict, a row per reading and conditions, the explanation."""
    claim = result.claim
    if claim.versus:
        probability = f"P(≥{claim.window_low:g})"
    elif claim.sense == "between":
        probability = f"P({claim.window_low:g}–{claim.window_high:g})"
    elif claim.sense == "schedule":  # the share of journeys that arrive within the promised time
        probability = "on time"
    else:
        probability = f"P(≤{claim.window_high:g})"
    frame = result.table()
    missing = bool(frame["route"].isna().any())  # a column for why a reading is not available, only if one is not
    grid = table("reading", "conditions", f">{probability}", "", ">median", ">P90", *(["note"] if missing else []))
    spec = ",.0f" if claim.unit in ("usd", "km") else ".1f"
    for r in frame.itertuples():
        if r.route is None:
            row(grid, r.label, r.profile, "", "", "", "", f"not available: {r.note}")
            continue
        row(grid, r.label, r.profile, f"{r.p_within:.0%}", "✓" if r.holds else "", number(r.median, spec),
            number(r.p90, spec), *([""] if missing else []))
    return [f"{claim.id} — {claim.who}, {claim.role} ({claim.said_on})",
            f"  “{claim.statement}”  window: {claim.window_text}; source: {claim.source}",
            f"  Verdict: {result.verdict.upper()}", grid, "  " + result.explanation()]


# --- comparisons and scenarios ----------------------------------------------------------------------------------------

#: What the rows of a comparison are sorted by, in the words of its header.
COMPARE_ORDER = ("sorted by rank: the mean of each corridor's ranks by median days, P90 days, cost and CO2e (1 = best; "
                 "corridors that cannot serve the journey last)")


def comparison_view(result: Any, *, title: str = "") -> list[Block]:
    """Return a comparison: one table per set of conditions, one row per corridor, ranks and definitions."""
    net = result.network
    frame = result.table()
    head = f"{net.place_name(result.origin)} → {net.place_name(result.destination)}: corridors compared"
    blocks: list[Block] = [head + (f" ({title})" if title else ""), COMPARE_ORDER, ""]
    window, shipment = result.window_days, result.shipment
    sets = {e.profile: e.route.conditions for e in result.entries if e.route is not None}
    money = "US$" if shipment is not None else "US$/FEU"
    for profile, block in frame.groupby("profile", sort=False):
        described = sets[profile].describe() if profile in sets else net.conditions(profile).describe()
        blocks.append(f"Conditions {profile}: {described.split(': ', 1)[-1]}")
        columns = [">rank", "corridor", ">km", ">P10\ndays", ">P50\ndays", ">P90\ndays", f">{money}", ">kg\nCO2e",
                   ">borders", ">gauge\nchanges", ">trans-\nshipments"]
        grid = table(*columns, *([f">P(≤{window:g}d)"] if window else []), "countries")
        for r in block.sort_values(["available", "rank_overall"], ascending=[False, True]).itertuples():
            if not r.available:
                row(grid, "", r.name, *[""] * (len(columns) - 2 + bool(window)), f"not available: {r.reason}")
                continue
            cost, co2 = ((r.shipment_cost_usd, r.shipment_co2_kg) if shipment is not None else (r.cost_usd, r.co2_kg))
            row(grid, number(r.rank_overall), r.name, number(r.distance_km), f"{r.p10_days:.1f}",
                f"{r.p50_days:.1f}", f"{r.p90_days:.1f}", number(cost), number(co2), int(r.border_crossings),
                int(r.gauge_changes), int(r.transshipments), *([f"{r.p_within_window:.0%}"] if window else []),
                r.countries.replace("–", ", "))
        blocks.append(grid)
        answers = result.answers(profile)
        if answers:
            names = dict(zip(block["corridor"], block["name"], strict=True))
            blocks.append("  " + "; ".join(f"{word}: {names[c]}" for word, c in answers.items()))
        elif not block["available"].any():
            blocks.append("  No named corridor serves this journey; `corridors route` gives the best route on the "
                          "whole network.")
        blocks.append("")
    years = sorted({y for e in result.entries if e.route is not None for y in e.route.price_years})
    prices = f" US$ at the rates' own price years ({years[0]}–{years[-1]})." if years else ""
    if shipment is not None:
        blocks.append(f"Costs and CO2e are for the shipment ({shipment.describe()}): its share of a 40-ft container "
                      "on rail, road, ferry and sea, its chargeable kg (mass or volume at 166.67 kg/m³) by air.")
    blocks.append("Days are simulated door-to-door times (P10/P50/P90) on the routes booked under typical conditions. "
                  "Shortest = least km; fastest = lowest median; most reliable = narrowest P90−P10; cheapest and "
                  "cleanest per loaded 40-ft container." + prices)
    return blocks


def passage_name(passage: str) -> str:
    """Return a sea passage id (``bab_el_mandeb``) as its name (``Bab el Mandeb``)."""
    small = {"el", "of", "al"}
    return " ".join(w if w in small else w.capitalize() for w in passage.split("_"))


def leg_name(net: Any, leg: str) -> str:
    """Return a leg id (``alashankou__dostyk``) as its ends' names (``Alashankou – Dostyk``) where they are known."""
    ends = leg.split("__")
    if len(ends) == 2 and all(e in net.graph for e in ends):
        return " – ".join(net.place_name(e) for e in ends)
    for u, v, key in net.graph.edges(keys=True):  # ids of parallel legs carry a suffix
        if key == leg:
            return f"{net.place_name(u)} – {net.place_name(v)}"
    return leg


def _names(net: Any, key: str, value: Any) -> str:
    values = [value] if isinstance(value, str) else list(value)
    if key in ("place", "from", "to", "element"):
        named = [net.place_name(v) if v in net.graph else leg_name(net, v) for v in values]
    elif key == "leg":
        named = [leg_name(net, v) for v in values]
    elif key == "passage":
        named = [passage_name(v) for v in values]
    else:
        named = [humanise(str(v)) for v in values]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def change_text(change: Any, net: Any) -> str:
    """Return one change of a scenario in words, with place names: "close the Suez and Bab el Mandeb passages"."""
    s = dict(change.settings)
    if change.action == "close":
        return "; ".join(f"close the {key}{'s' if not isinstance(v, str) and len(v) > 1 else ''} {_names(net, key, v)}"
                         for key, v in s.items())
    if change.action == "scale":
        factor = s.pop("factor")
        what = (f"{humanise(s.pop('stops'))} stops" if "stops" in s else
                f"{s.pop('legs')} running times" if "legs" in s else "times")
        where = " ".join(f"{'in' if k == 'country' else 'at'} {_names(net, k, v)}" for k, v in s.items())
        return f"{what}{' ' + where if where else ''} × {factor:g}"
    if change.action == "service":
        return f"{leg_name(net, s['leg'])}: service {s['service']}"
    if change.action == "demand":
        return f"traffic on {humanise(s['series'])} × {s['factor']:g}"
    if change.action == "capacity":
        return f"capacity of {_names(net, 'element', s['element'])} × {s['factor']:g}"
    if change.action == "add":
        ends = " – ".join(net.place_name(s[k]) if s[k] in net.graph else s[k] for k in ("from", "to"))
        gauge = f" {s['gauge_mm']} mm" if s.get("gauge_mm") else ""
        return f"a new {s['mode']}{gauge} leg {ends}, {s['distance_km']:,g} km" + (f" ({s['note']})" if s.get("note")
                                                                                  else "")
    return f"{change.action} " + ", ".join(f"{humanise(k)} {_names(net, k, v)}" for k, v in s.items())


def scenario_view(result: Any, scenario: Any, net: Any) -> list[Block]:
    """Return what a scenario changes for each corridor between two places."""
    grid = table("corridor", "status", ">before d", ">after d", ">Δ days", ">before km", ">after km")
    for r in result.table().itertuples():
        row(grid, r.name, humanise(r.status), number(r.before_days, ".1f"), number(r.after_days, ".1f"),
            number(r.delta_days, "+.1f"), number(r.before_km), number(r.after_km))
    return [f"Scenario {scenario.name!r}: {scenario.description}".rstrip(": "),
            "  changes: " + "; ".join(change_text(c, net) for c in scenario.changes), grid, "  " + result.summary()]


def bottleneck_view(result: Any, net: Any) -> list[Block]:
    """Return the element that limits a corridor and the capacity of each element on its route."""
    grid = table("element on the route", ">TEU a year", "as published")
    names = result.names
    for r in result.along_route.itertuples():
        label = names.get(r.element, net.place_name(r.element) if r.element in net.graph else r.element) \
            if r.kind == "node" else leg_name(net, r.element)
        row(grid, label, "unknown" if r.teu_per_year != r.teu_per_year else f"{r.teu_per_year:,.0f}", r.stated)
    return [_leg_ids_named(result.summary(), net), grid]


_LEG_ID = re.compile(r"\b[a-z0-9_]+__[a-z0-9_]+\b")


def _leg_ids_named(text: str, net: Any) -> str:
    """Return text with any raw leg id in it replaced by the names of the leg's ends."""
    return _LEG_ID.sub(lambda m: leg_name(net, m.group(0)), text)


# --- skims ---------------------------------------------------------------------------------------------------------

def skim_view(net: Any, frame: Any, by: str) -> list[Block]:
    """Return a skim: one row per pair with its totals and simulated days, or why it has none."""
    simulated = "p50_days" in frame.columns
    grid = table("from", "to", ">km", ">days", *((">P10", ">P50", ">P90") if simulated else ()), ">US$", ">kg CO2e",
                 ">borders")
    missing: list[str] = []
    for (origin, destination), r in frame.iterrows():
        if not r["reachable"]:
            missing.append(f"  {net.place_name(origin)} → {net.place_name(destination)}: {r['reason']}")
            continue
        days = (number(r["p10_days"], ".1f"), number(r["p50_days"], ".1f"), number(r["p90_days"], ".1f")) \
            if simulated else ()
        row(grid, net.place_name(origin), net.place_name(destination), number(r["distance_km"]),
            number(r["time_days"], ".1f"), *days, number(r["cost_usd"]), number(r["co2_kg"]),
            "–" if r["border_crossings"] is None or r["border_crossings"] != r["border_crossings"]
            else int(r["border_crossings"]))
    reachable = int(frame["reachable"].sum())
    head = (f"{len(frame)} pairs, {reachable} reachable; the {BEST[by]} route of each (days: expected"
            f"{'; P10/P50/P90: simulated journeys' if simulated else ''}; US$ and CO2e per loaded FEU)")
    return [head, grid, *(["Unreachable:", *missing] if missing else [])]


def records(frame: Any) -> list[dict[str, Any]]:
    """Return a table as JSON-ready records: NaN as null, numbers as numbers."""
    import numpy as np

    out = []
    for record in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and np.isnan(v) else v.item() if hasattr(v, "item") else v)
                    for k, v in record.items()})
    return out


# --- backtest and context -------------------------------------------------------------------------------------------

def _dependence_said(result: Any) -> str:
    """Say how the journeys' elements shared their state when it is not the default (by group)."""
    said = {"journey": "every element of a journey at the same quantile of its range, the widest spread",
            "independent": "every element drawn on its own"}
    average = ("" if getattr(result, "single_journey", True)
               else "; the period's average journey (no single-journey spread)")
    dependence = getattr(result, "dependence", "group")
    return (f"; {said[dependence]}" if dependence in said else "") + average


def backtest_view(result: Any, groupings: Sequence[str]) -> list[Block]:
    """Return a backtest: the overall summary, the summaries by group, and every observation."""
    overall = result.summary().iloc[0]
    blocks: list[Block] = [
        f"Backtest: {int(overall['observations'])} observed journeys, {result.n:,} simulated journeys each "
        f"(seed {result.seed}{_dependence_said(result)})",
        f"  median absolute error of the model's median {overall['mdape_pct']:.1f}%, {overall['coverage']:.0%} of "
        f"observations inside the model's P10–P90, bias {overall['bias_pct']:+.1f}% (positive: the model is slower)"]
    scatter = result.scatter()
    if scatter:
        blocks.append(f"  the observations lie between {scatter['observed_p10']:.2f} and {scatter['observed_p90']:.2f}"
                      f"× the model's median (P10–P90), one simulated journey's P90/P10 is "
                      f"{scatter['model_factor']:.2f} (median); the best one factor on every journey "
                      f"(×{scatter['best_shift']:.2f}) brings {scatter['best_shift_coverage']:.0%} inside")
    dependent = result.dependent
    if len(dependent):
        blocks.append(f"  left out of the summaries ({len(dependent)}): a time parameter cites their source: "
                      + ", ".join(dependent["id"]))
    for grouping in groupings:
        grid = table(f"by {grouping.replace('_year', '')}", ">obs", ">MdAPE", ">inside", ">bias")
        for key, r in result.summary(grouping).iterrows():
            row(grid, key, int(r["observations"]), f"{r['mdape_pct']:.1f}%", f"{r['coverage']:.0%}",
                f"{r['bias_pct']:+.1f}%")
        blocks += ["", grid]
    grid = table("observation", "corridor", "period", ">observed", ">P10", ">P50", ">P90", ">error", "",
                 "largest element of the median journey")
    for r in result.table().itertuples():
        observed = (f"{r.observed_low_days:g}" if r.observed_low_days == r.observed_high_days
                    else f"{r.observed_low_days:g}–{r.observed_high_days:g}")
        if not r.available:
            row(grid, r.id, r.corridor, r.period, observed, "", "", "", "", "", f"not available: {r.reason}")
            continue
        mark = ("†" if not r.independent else "") + ("" if r.inside else "*")
        row(grid, r.id, r.corridor, r.period, observed, f"{r.p10_days:.1f}", f"{r.p50_days:.1f}", f"{r.p90_days:.1f}",
            f"{r.error_pct:+.0f}%", mark, r.largest_element)
    blocks += ["", grid, "* the observation lies outside the model's P10–P90; † not independent (left out of the "
               "summaries). Conditions: the period's own where the dataset documents it, else typical with the "
               "period's own traffic in the queues."]
    misses = result.misses()
    if len(misses):
        counts = result.reach_summary()
        blocks += ["", f"The misses, element by element: how far the median journey moves when a group of elements "
                   f"(groups.csv; --congest and --relieve take their ids) is at its documented congested state "
                   f"(observed slower) or best state (observed faster). Of {sum(counts.values())} independent "
                   "misses: " + ", ".join(f"{verdict} {count}" for verdict, count in counts.items()) + "."]
        grid = table("observation", ">observed", ">P50", ">needs", "reached by", "how")
        for r in misses.itertuples():
            row(grid, r.id + ("" if r.independent else "†"), f"{r.observed_days:g}", f"{r.p50_days:.1f}",
                f"{r.needed_days:+.1f} d", r.reach, r.reach_said)
        blocks.append(grid)
    costs = result.costs()
    if len(costs):
        blocks += ["", f"Costs: the model's cost per FEU on each corridor's cheapest route against {len(costs)} "
                   "published through-rates (US$, each rate in the prices of its year; the model's rates carry their "
                   "own years)"]
        grid = table("by corridor", ">rates", ">MdAPE", ">bias")
        for key, r in result.cost_summary().iterrows():
            row(grid, key, int(r["rates"]), f"{r['mdape_pct']:.0f}%", f"{r['bias_pct']:+.0f}%")
        blocks.append(grid)
        grid = table("rate", "period", ">observed", ">model", ">error", "model's price years; its largest costs")
        for r in costs.itertuples():
            if not r.available:
                row(grid, r.id, r.period, number(r.observed_usd), "", "", f"not available: {r.reason}")
                continue
            row(grid, r.id, r.period, number(r.observed_usd), number(r.model_usd), f"{r.error_pct:+.0f}%",
                f"{r.model_price_years}; {r.largest_costs}")
        blocks.append(grid)
    return blocks


def context_view(frame: Any) -> list[Block]:
    """Return the context series by year, each figure with its sources."""
    from .context import format_value

    blocks: list[Block] = []
    for series, rows in frame.groupby("series", sort=False):
        grid = table(series, ">value", "sources")
        for r in rows.itertuples():
            row(grid, r.year, format_value(r.value, r.unit), "; ".join(r.sources))
        blocks.append(grid)
    return blocks
