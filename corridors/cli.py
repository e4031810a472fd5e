"""The command line: a thin shell over the public API. User mistakes get one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from .errors import CorridorError, ValidationError

EXIT_OK, EXIT_USAGE = 0, 2


_EXAMPLES = """examples:
  corridors report --out report.html          the report: claim, corridors, maps, charts, sources
  corridors route "Xi'an" Poti                 the fastest route, leg by leg and stop by stop
  corridors claims                             every published claim checked against the network
  corridors compare "Xi'an" Duisburg           every corridor side by side
  corridors scenario suez_closed Shanghai Rotterdam
  corridors COMMAND --help                     the options of a command
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``corridors`` command."""
    parser = _Parser(prog="corridors", description="Freight corridors as sourced, weighted networks.",
                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EXAMPLES)
    parser.add_argument("--version", action="version", version=f"corridors {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    route = sub.add_parser("route", help="the best route between two places, as legs and stops",
                           description="Print the best route between two places, leg by leg and stop by stop.")
    _add_route_arguments(route)
    route.add_argument("--by", choices=("time", "distance", "cost", "co2"), default="time", help="what to minimise")
    route.add_argument("--alternatives", type=int, metavar="K",
                       help="list the K best routes that differ in where they stop")
    _add_map_options(route)
    _add_output_options(route, csv=True)
    _add_network_option(route)

    network = sub.add_parser("network", help="what is in the dataset",
                             description="Summarise the network: places, legs, kilometres, profiles, sources.")
    network.add_argument("--sources", action="store_true", help="list every source")
    _add_output_options(network, csv=False)
    _add_network_option(network)

    simulate = sub.add_parser("simulate", help="the distribution of door-to-door time (Monte Carlo)",
                              description="Simulate many journeys along the best route and print the distribution "
                                          "of door-to-door time, and what drives it.")
    _add_route_arguments(simulate)
    _add_simulation_options(simulate)
    simulate.add_argument("--within", type=float, metavar="DAYS", help="print the probability of arriving within DAYS")
    simulate.add_argument("--window", type=float, nargs=2, metavar=("LOW", "HIGH"),
                          help="print the probability of arriving in LOW–HIGH days, and within HIGH days")
    simulate.add_argument("--start-hour", type=float, metavar="H",
                          help="depart H hours after Monday 00:00 (default: any time of the week)")
    _add_output_options(simulate, csv=False)
    _add_network_option(simulate)

    claims = sub.add_parser("claims", help="check published transit-time claims against the network",
                            description="Check every registered claim (or those named) under each profile: the "
                                        "probability of meeting its window, the median and P90, and what explains "
                                        "the answer.")
    claims.add_argument("claim", nargs="*", metavar="ID", help="claim ids (default: all)")
    _add_profiles(claims, "check under this profile only")
    _add_simulation_options(claims, default_n=20_000)
    claims.add_argument("--list", action="store_true", help="list the registered claims without checking them")
    _add_output_options(claims, csv=False)
    claims.add_argument("--markdown", action="store_true",
                        help="print one Markdown table row per claim (statement, who, window, verdict, readings "
                             "that hold by conditions)")

    chart = sub.add_parser("chart", help="a time–distance chart of a route (PNG, SVG or PDF)",
                           description="Draw the route as a UNESCAP time–distance chart: distance on x, cumulative "
                                       "time on y, stops as vertical steps, with the P10–P90 band of a simulation.")
    _add_places(chart)
    _add_constraints(chart)
    _add_profiles(chart, "one line per profile")
    _add_simulation_options(chart, default_n=5_000)
    chart.add_argument("--out", default="chart.png", metavar="FILE", help="output file, .png, .svg or .pdf")
    chart.add_argument("--cost", action="store_true", help="cumulative cost per FEU instead of time")
    _add_network_option(chart)

    compare = sub.add_parser("compare", help="every corridor between two places, side by side",
                             description="Compare the corridors between two places: distance, P10/P50/P90 days, "
                                         "cost and CO2 per FEU, crossings, gauge changes, transshipments, countries, "
                                         "for each profile; corridors that cannot serve the pair say why.")
    _add_places(compare, corridors=True)
    _add_profiles(compare, "compare under this profile")
    compare.add_argument("--within", type=float, metavar="DAYS", help="add the probability of arriving within DAYS")
    compare.add_argument("--shipment", metavar="WHAT", help="price a shipment on every corridor: a mass and/or "
                         "volume ('2 t, 12 m3') or containers ('2 FEU'); air is charged by chargeable kg")
    what_if = compare.add_mutually_exclusive_group()
    what_if.add_argument("--scenario", metavar="FILE",
                         help="compare on the network changed by this scenario (a TOML file or a bundled name)")
    what_if.add_argument("--close", action="append", default=[], metavar="X",
                         help="compare with a place, leg, country or passage (e.g. suez) closed (repeatable)")
    _add_simulation_options(compare, default_n=4_000)
    _add_output_options(compare, csv=True)
    _add_map_options(compare)
    compare.add_argument("--chart", metavar="FILE", help="also write a time–distance chart of every corridor "
                                                          "(.png, .svg or .pdf)")

    scenario = sub.add_parser("scenario", help="what a scenario changes between two places",
                              description="Apply a scenario file (TOML) and show how each corridor's route, time, "
                                          "distance and cost change between two places.")
    scenario.add_argument("file", help="scenario file (TOML), or the name of a bundled scenario (e.g. suez_closed)")
    _add_places(scenario, corridors=True)
    _add_conditions(scenario)
    _add_simulation_options(scenario, default_n=2_000)
    _add_output_options(scenario, csv=False)
    _add_map_options(scenario)

    map_ = sub.add_parser("map", help="an interactive map of the whole network (HTML)",
                          description="Write an interactive map of the network: legs by mode, places by kind, each "
                                      "corridor as a layer. --offline writes a page that needs no internet.")
    map_.add_argument("--out", default="network.html", metavar="FILE", help="output HTML file (.html)")
    map_.add_argument("--offline", action="store_true", help="inline all scripts and draw countries instead of tiles")
    _add_network_option(map_)

    report = sub.add_parser("report", help="the self-contained HTML report (the main job)",
                            description="Write one self-contained HTML page: the seed claim and its verdict, the "
                                        "corridors compared, route maps, time–distance charts, transit-time "
                                        "distributions, the bottleneck, what-if scenarios and every source. It "
                                        "needs no internet to open.")
    report.add_argument("--out", default="report.html", metavar="FILE", help="output HTML file (.html)")
    _add_simulation_options(report, default_n=5_000)

    neck = sub.add_parser("bottleneck", help="the element that limits a corridor's throughput",
                          description="Name the element (port, crossing, ferry service, railway) that limits how "
                                      "much a corridor can carry between two places, with its capacity and source.")
    _add_places(neck)
    neck.add_argument("--corridor", metavar="ID", help="a corridor id (default: the fastest corridor for the pair)")
    _add_output_options(neck, csv=False)

    back = sub.add_parser("backtest", help="the model against published journey times, by corridor and period",
                          description="Simulate every observed journey of data/observations.csv on the corridor it "
                                      "used under the conditions of its period, and report the error of the median, "
                                      "whether the observation lies inside P10–P90, and summaries per corridor, "
                                      "period and kind of figure. The observations are a check, never an input.")
    _add_simulation_options(back, default_n=4_000)
    _add_output_options(back, csv=True)
    back.add_argument("--chart", metavar="FILE", help="also write the predicted-against-observed chart "
                      "(.png, .svg or .pdf)")

    context = sub.add_parser("context", help="the trade and traffic series behind the corridor's story",
                             description="Print the context series by year (China–Azerbaijan trade, the corridor's "
                                         "tonnes and TEU, Baku port and the Baku–Tbilisi–Kars railway), each figure "
                                         "with its source; a year no source gives is left out.")
    context.add_argument("series", nargs="*", metavar="SERIES", help="series ids (default: all)")
    context.add_argument("--chart", metavar="FILE", help="also draw the series as a chart (.png, .svg or .pdf)")
    _add_output_options(context, csv=True)
    _add_network_option(context)

    validate = sub.add_parser("validate", help="check a dataset against the attribute contract",
                              description="Check a dataset (folders or files) and list every problem with file, "
                                          "row and field. Exit code 2 if there is any.")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, or its files")
    validate.add_argument("--json", action="store_true", help="print the problems as JSON")
    return parser


def _add_map_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--map", metavar="FILE", help="also write an interactive map (an .html file)")
    parser.add_argument("--offline", action="store_true",
                        help="make the --map page work with no internet (only with --map)")


def _write_map(args: argparse.Namespace, make_map: Any) -> None:
    """Write the map asked for with --map, and say where (on stderr, so that --json output stays clean)."""
    if not getattr(args, "map", None):
        return
    from .maps import save_map

    written = save_map(make_map(), args.map, offline=args.offline)
    print(f"wrote map {written}", file=sys.stderr)


def _add_places(parser: argparse.ArgumentParser, *, corridors: bool = False) -> None:
    """Add the origin and destination (and, for corridor commands, --corridors)."""
    parser.add_argument("origin", help="place id, name or alias, e.g. \"Xi'an\"")
    parser.add_argument("destination", help="place id, name or alias, e.g. Poti")
    if corridors:
        parser.add_argument("--corridors", metavar="IDS", help="comma-separated corridor ids (default: all)")


def _corridor_ids(args: argparse.Namespace) -> list[str] | None:
    """Return the corridor ids given with --corridors, or None for all."""
    return [c.strip() for c in args.corridors.split(",") if c.strip()] if args.corridors else None


def _add_constraints(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--via", action="append", default=[], metavar="PLACE",
                        help="pass through this place (repeatable, in order)")
    parser.add_argument("--avoid", action="append", default=[], metavar="X",
                        help="avoid a place, a country (code or name), a mode or a sea passage (repeatable)")


def _add_route_arguments(parser: argparse.ArgumentParser) -> None:
    _add_places(parser)
    _add_constraints(parser)
    _add_conditions(parser, reroute=True)


def _add_conditions(parser: argparse.ArgumentParser, *, reroute: bool = False) -> None:
    parser.add_argument("--conditions", metavar="C", help="the conditions the journey meets: a preset (best, typical, "
                        "congested) or a period (2019, 2022, 2024…); default: typical")
    parser.add_argument("--profile", dest="profile_alias", metavar="P",
                        help="deprecated: the old name of --conditions (scheduled is now best)")
    parser.add_argument("--congest", action="append", default=[], metavar="GROUP",
                        help="put a group of elements at its congested level (e.g. caspian; repeatable)")
    parser.add_argument("--relieve", action="append", default=[], metavar="GROUP",
                        help="put a group of elements at its best level (repeatable)")
    _add_month(parser)
    if reroute:
        parser.add_argument("--reroute", action="store_true", help="choose the route under the conditions instead "
                            "of booking it under typical ones")


def _add_profiles(parser: argparse.ArgumentParser, purpose: str) -> None:
    parser.add_argument("--conditions", action="append", default=[], metavar="C",
                        help=f"{purpose} (repeatable; default: the presets best, typical and congested)")
    parser.add_argument("--profile", dest="conditions", action="append",
                        help="deprecated: the old name of --conditions (scheduled is now best)")
    _add_month(parser)


def _add_month(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", metavar="M", help="take the conditions in a month (1–12 or a name such as Jan): "
                        "its weather closures and seasonal peaks where the data describe them")


def _conditions(net: Any, args: argparse.Namespace) -> Any:
    """Return the condition set a single-condition command asks for (``--profile`` is the deprecated name)."""
    name = args.conditions
    if args.profile_alias:
        if name and name != args.profile_alias:
            raise CorridorError("give --conditions or --profile (its old name), not both")
        name = args.profile_alias
    return net.conditions(name or "typical", congest=args.congest, relieve=args.relieve, month=args.month)


def _condition_list(net: Any, args: argparse.Namespace) -> list[Any]:
    """Return the condition sets a multi-condition command compares (default: the presets), in ``--month``."""
    names = list(dict.fromkeys(net.conditions(c).name for c in args.conditions)) or list(net.presets)
    return [net.conditions(name, month=args.month) for name in names]


def _add_simulation_options(parser: argparse.ArgumentParser, default_n: int = 10_000) -> None:
    parser.add_argument("-n", "--journeys", type=int, default=default_n, metavar="N",
                        help=f"number of simulated journeys (default: {default_n:,})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0; the same seed, the same numbers)")


def _add_output_options(parser: argparse.ArgumentParser, *, csv: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print JSON")
    if csv:
        group.add_argument("--csv", action="store_true", help="print CSV")


def _add_network_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--network", metavar="PATH", help="use this dataset folder instead of the bundled one")


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        _check_outputs(args)
        return _COMMANDS[args.command](args)
    except ValidationError as exc:
        print(f"corridors {args.command}: invalid dataset: {exc.summary()}", file=sys.stderr)
        return EXIT_USAGE
    except CorridorError as exc:
        print(f"corridors {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
        return EXIT_OK


def _load(args: argparse.Namespace):
    from .network import load_network

    return load_network(args.network) if args.network else load_network()


def _cmd_route(args: argparse.Namespace) -> int:
    net = _load(args)
    if args.alternatives is not None:
        return _print_alternatives(net, args)
    route = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid, by=args.by,
                      conditions=_conditions(net, args), reroute=args.reroute)
    _write_map(args, lambda: route.map(offline=args.offline))
    if args.json:
        _print_json(route.to_dict())
    elif args.csv:
        _print_csv(route.to_frame())
    else:
        print(format_route(route))
    return EXIT_OK


def _print_alternatives(net: Any, args: argparse.Namespace) -> int:
    import pandas as pd

    conditions = _conditions(net, args)
    routes = net.alternatives(args.origin, args.destination, k=args.alternatives, via=args.via, avoid=args.avoid,
                              by=args.by, conditions=conditions, reroute=args.reroute)
    if args.json:
        _print_json([r.to_dict() for r in routes])
        return EXIT_OK
    if args.csv:
        frames = [r.to_frame().assign(alternative=i) for i, r in enumerate(routes, start=1)]
        _print_csv(pd.concat(frames))
        return EXIT_OK
    first = routes[0]
    print(f"{net.place_name(first.origin)} → {net.place_name(first.destination)}: {len(routes)} routes that differ "
          f"in where they stop (conditions {conditions.name}, best by {args.by})")
    print(f"{'#':>3} {'km':>7} {'days':>6} {'US$/FEU':>8}  stops at")
    for i, r in enumerate(routes, start=1):
        cost = "–" if r.cost_usd != r.cost_usd else f"{r.cost_usd:,.0f}"
        where = ", ".join(net.place_name(p) for p in dict.fromkeys(s.place for s in r.stops))
        print(f"{i:>3} {r.distance_km:>7,.0f} {r.time_days:>6.1f} {cost:>8}  {' → '.join(r.countries)}: {where}")
    return EXIT_OK


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
    if route.conditions.name == "typical":
        return "typical conditions"
    return (f"conditions {route.conditions.name}; the route booked under typical conditions ({countries}); "
            "--reroute chooses it under these conditions")


def format_route(route: Any) -> str:
    """Return a route as a human-readable table with totals."""
    frame = route.to_frame()
    names = f"{route.to_dict()['origin_name']} → {route.to_dict()['destination_name']}"
    best = {"time": "fastest", "distance": "shortest", "cost": "cheapest", "co2": "lowest-CO2e"}[route.weight]
    lines = [f"{names}  ({best} route, {booking_text(route)})", ""]
    header = f"{'#':>3}  {'what':<22} {'where':<44} {'km':>7} {'hours':>7} {'day':>6}  sources"
    lines += [header, "-" * len(header)]
    for step, row in frame.iterrows():
        if row["element"] == "leg":
            what = f"{row['mode']}" + (f" {row['gauge_mm']} mm" if row["mode"] == "rail" else "")
            where = f"{row['from']} → {row['to']}"
            km = f"{row['distance_km']:,.0f}"
        else:
            what = row["kind"].replace("_", " ")
            where = row["place"]
            km = ""
        sources = row["sources"].split(";") if row["sources"] else []
        cited = sources[0] + (f" +{len(sources) - 1}" if len(sources) > 1 else "") if sources else ""
        lines.append(f"{step:>3}  {what:<22} {_clip(where, 44):<44} {km:>7} {row['time_h']:>7.1f} "
                     f"{row['cum_time_h'] / 24:>6.1f}  {cited}")
    summary = route.summary()
    lines += ["", f"Total: {route.distance_km:,.0f} km in {route.time_h:,.1f} h = {route.time_days:.1f} days "
              f"({route.moving_h:,.1f} h moving, {route.stopped_h:,.1f} h at {len(route.stops)} stops)"]
    if summary["stop_hours"]:
        lines.append("At stops: " + ", ".join(f"{k.replace('_', ' ')} {v:,.1f} h"
                                              for k, v in summary["stop_hours"].items()))
    lines.append("Countries: " + " → ".join(route.countries))
    if summary["border_crossings"]:
        lines.append("Borders: " + "; ".join(summary["border_crossings"]))
    if route.cost_usd == route.cost_usd:  # not NaN: the network has costs and emission factors
        years = route.price_years
        prices = (f" (rates of {years[0]}–{years[-1]})" if len(years) > 1 else f" ({years[0]} rates)") if years else ""
        lines.append(f"Cost US${route.cost_usd:,.0f}{prices} and {route.co2_kg:,.0f} kg CO2e per loaded 40-ft "
                     "container")
    ind = summary["indicators"]
    lines.append(f"Indicators (CAREC style): speed {ind['speed_without_delay_kmh']:.1f} km/h without delay, "
                 f"{ind['speed_with_delay_kmh']:.1f} km/h with delay; {ind['border_crossing_h']:.1f} h at border "
                 f"crossings; {ind['stopped_share']:.0%} of the time stopped")
    lines += list(route.end_notes())
    weak = route.weak_elements
    if weak:
        lines.append(f"Weak sources: {len(weak)} of the times above rest only on blogs, mirrors or aggregators ("
                     + ", ".join(f"{e.kind.replace('_', ' ')} at {route.network.place_name(e.place)}" for e in weak[:4])
                     + (", …" if len(weak) > 4 else "") + ").")
    lines.append("Times are typical values (each element's median; a mean for waits) under the conditions. Each row "
                 "names its first "
                 "source (a leg's: its distance); --json lists them all, `corridors network --sources` resolves them.")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cmd_network(args: argparse.Namespace) -> int:
    net = _load(args)
    summary = net.summary()
    sources = net.sources
    if args.json:
        if args.sources:
            summary["source_list"] = sources.drop(columns=["id"]).reset_index(names="id").to_dict(orient="records")
        _print_json(summary)
        return EXIT_OK
    print(repr(net))
    for key in ("places_by_kind", "places_by_country", "legs_by_mode", "km_by_mode", "rail_km_by_gauge"):
        values = ", ".join(f"{k}: {v:,.0f}" if isinstance(v, float) else f"{k}: {v}"
                           for k, v in summary[key].items())
        print(f"{key.replace('_', ' ').capitalize()}: {values}")
    print(f"Conditions: {', '.join(summary['conditions'])} (groups: {', '.join(summary['groups']) or 'none'})")
    if args.sources:
        print()
        for source_id, row in sources.iterrows():
            year = f" ({row['year']})" if row["year"] else ""
            publisher = f", {row['publisher']}" if row["publisher"] else ""
            print(f"[{source_id}] {row['title']}{publisher}{year}. {row['url']}")
    else:
        print(f"Sources: {len(sources)} (list them with --sources)")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from .network import validate

    problems = validate(*args.paths)
    if args.json:
        _print_json({"valid": not problems, "problems": [p.__dict__ for p in problems]})
    elif problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print("valid: no problems found")
    return EXIT_USAGE if problems else EXIT_OK


# A cell that begins with one of these is run as a formula by a spreadsheet that opens the file.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _print_csv(frame: Any, *, index: bool = True) -> None:
    """Print a table as CSV with every text cell that a spreadsheet would run as a formula made plain text.

    Such a cell gets a leading apostrophe, which spreadsheets read as "this is text". Numbers are left as they are,
    in numeric columns and as text ("-12.5" is a number to a spreadsheet, not a formula).
    """
    def text_cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
            return "'" + value
        return value

    from pandas.api.types import is_numeric_dtype

    safe = frame.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(text_cell)
    if index and not is_numeric_dtype(safe.index):
        safe.index = safe.index.map(text_cell)
    sys.stdout.write(safe.to_csv(index=index))


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulation import simulate

    net = _load(args)
    if args.within is not None and args.within < 0:
        raise CorridorError(f"--within must not be negative, got {args.within:g}")
    if args.window is not None and not 0 <= args.window[0] <= args.window[1]:
        raise CorridorError(f"--window needs 0 ≤ LOW ≤ HIGH, got {args.window[0]:g} {args.window[1]:g}")
    route = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid,
                      conditions=_conditions(net, args), reroute=args.reroute)
    progress = _progress_bar() if args.journeys >= 1_000_000 and sys.stderr.isatty() else None
    transit = simulate(route, n=args.journeys, seed=args.seed, start_hour=args.start_hour, progress=progress)
    window = tuple(args.window) if args.window else None
    if args.json:
        _print_json(transit.to_dict(within_days=args.within, window_days=window))
        return EXIT_OK
    print(format_transit(transit, within_days=args.within, window_days=window))
    return EXIT_OK


def _progress_bar():
    def show(done: int, total: int) -> None:
        filled = int(30 * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} journeys")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def format_transit(transit: Any, *, within_days: float | None = None,
                   window_days: tuple[float, float] | None = None) -> str:
    """Return a simulation as text: percentiles, a histogram, and the elements that drive the time."""
    route = transit.route
    names = route.network.place_name
    p = transit.percentiles((10, 50, 90))
    lines = [f"{names(route.origin)} → {names(route.destination)}: {transit.n:,} simulated journeys, seed "
             f"{transit.seed}", f"  {booking_text(route)}", *(f"  {note}" for note in route.end_notes()), "",
             f"P10 {p['P10']:.1f} days   median {p['P50']:.1f} days   P90 {p['P90']:.1f} days   "
             f"mean {transit.mean_days:.1f} days"]
    if within_days is not None:
        lines.append(f"Probability of arriving within {within_days:g} days: {transit.prob_within(within_days):.1%}")
    if window_days is not None:
        low, high = window_days
        lines.append(f"Probability of arriving in {low:g}–{high:g} days: {transit.prob_between(low, high):.1%}; "
                     f"within {high:g} days: {transit.prob_within(high):.1%}")
    counts, edges = transit.histogram(16)
    peak = max(int(counts.max()), 1)
    lines.append("")
    for count, low, high in zip(counts, edges[:-1], edges[1:], strict=True):
        lines.append(f"  {low:6.1f}–{high:<6.1f} d  {'█' * round(28 * count / peak):<28} {count / transit.n:6.1%}")
    frame = transit.contributions()
    frame["what"] = [f"{k.replace('_', ' ')} at {names(pl)}" if el == "stop" else f"{k} {names(f)} → {names(t)}"
                     for el, k, pl, f, t in zip(frame["element"], frame["kind"], frame["place"], frame["from"],
                                                frame["to"], strict=True)]
    top = frame.sort_values("in_median_journey_h", ascending=False).head(8)
    lines += ["", "What the median journey is made of (largest first), and each part's share of the spread:"]
    for row in top.itertuples():
        level = f"  {row.level}" if row.level and row.level != "typical" else ""
        weak = "  (weak source)" if row.weak_source else ""
        lines.append(f"  {_clip(row.what, 52):<52} {row.in_median_journey_h / 24:5.1f} d   "
                     f"spread {row.spread_share:6.1%}{level}{weak}")
    weak_days = frame.loc[frame["weak_source"].astype(bool), "in_median_journey_h"].sum() / 24
    if weak_days > 0:
        lines.append(f"  {weak_days:.1f} days of the median journey rest only on weak sources (blogs, mirrors, "
                     "aggregators): `corridors route --json` names them")
    return "\n".join(lines)


def _cmd_claims(args: argparse.Namespace) -> int:
    from .claims import check, load_claims, markdown_table
    from .network import load_network

    net = load_network()
    registry = load_claims(net)
    for wanted in args.claim:
        if wanted not in registry:
            from .places import PlaceIndex

            close = PlaceIndex(dict.fromkeys(registry, ()), {k: k for k in registry}).candidates(wanted)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known claims: {', '.join(registry)}"
            raise CorridorError(f"unknown claim {wanted!r}{hint}")
    if args.markdown and args.json:
        raise CorridorError("--markdown and --json cannot be combined; choose one")
    selected = [registry[c] for c in dict.fromkeys(args.claim)] if args.claim else list(registry.values())
    if args.list:
        if args.json:
            _print_json([{"id": c.id, "who": c.who, "said_on": c.said_on, "statement": c.statement,
                          "window": c.window_text, "readings": [r.label for r in c.readings]} for c in selected])
        else:
            for c in selected:
                print(f"{c.id}: {c.who} ({c.said_on}): \"{c.statement}\" [{c.window_text}]")
        return EXIT_OK
    profiles = tuple(_condition_list(net, args)) if args.conditions else None
    checks = [check(c, net, profiles=profiles, n=args.journeys, seed=args.seed, month=args.month) for c in selected]
    if args.markdown:
        print(markdown_table(checks))
        return EXIT_OK
    if args.json:
        _print_json([c.to_dict() for c in checks])
        return EXIT_OK
    for i, result in enumerate(checks):
        if i:
            print()
        print(format_claim_check(result))
    return EXIT_OK


def format_claim_check(result: Any) -> str:
    """Return a claim check as text: the statement, the verdict, a table per reading and profile, the explanation."""
    claim = result.claim
    table = result.table()
    lines = [f"{claim.id} — {claim.who}, {claim.role} ({claim.said_on})",
             f"  \"{claim.statement}\"  window: {claim.window_text}; source: {claim.source}",
             f"  Verdict: {result.verdict.upper()}", ""]
    if claim.versus:
        probability = f"P(≥{claim.window_low:g})"
    elif claim.sense == "between":
        probability = f"P({claim.window_low:g}–{claim.window_high:g})"
    elif claim.sense == "schedule":  # the share of journeys that arrive within the promised time
        probability = "on time"
    else:
        probability = f"P(≤{claim.window_high:g})"
    header = f"  {'reading':<58} {'profile':<10} {probability:>8} {'median':>7} {'P90':>7}"
    lines += [header]
    for row in table.itertuples():
        if row.route is None:
            lines.append(f"  {_clip(row.label, 58):<58} {row.profile:<10} not available: {row.note}")
            continue
        mark = "✓" if row.holds else " "
        number = ",.0f" if claim.unit in ("usd", "km") else ".1f"
        lines.append(f"  {_clip(row.label, 58):<58} {row.profile:<10} {row.p_within:>7.0%}{mark} "
                     f"{row.median:>7{number}} {row.p90:>7{number}}")
    lines += ["", *textwrap.wrap(result.explanation(), width=110, initial_indent="  ", subsequent_indent="  ")]
    return "\n".join(lines)


def _cmd_chart(args: argparse.Namespace) -> int:
    from .charts import Series, save_chart, time_distance_chart
    from .simulation import simulate

    if args.journeys <= 0:  # checked here too, since a cost–distance chart simulates nothing
        raise CorridorError(f"the number of journeys must be a positive whole number, got {args.journeys}")
    net = _load(args)
    series = []
    booked = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid)
    for conditions in _condition_list(net, args):
        route = booked.under(conditions)
        # a cost–distance chart has no band, so it needs no simulation
        series.append(Series(route, None if args.cost else simulate(route, n=args.journeys, seed=args.seed)))
    what = "cost–distance" if args.cost else "time–distance"
    title = f"{net.place_name(series[0].route.origin)} → {net.place_name(series[0].route.destination)}: " \
            f"{what} (vertical steps are stops)"
    written = save_chart(time_distance_chart(series, title=title, measure="cost" if args.cost else "time"), args.out)
    print(f"wrote {written}")
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .network import load_network
    from .scenarios import Scenario

    net = load_network()
    title = ""
    if args.scenario:
        scenario = Scenario.from_toml(args.scenario)
        net, title = scenario.apply(net), f"scenario: {scenario.name}"
    elif args.close:
        scenario = Scenario.closing(*args.close, network=net)
        net, title = scenario.apply(net), scenario.name
    chosen = _corridor_ids(args)
    result = compare(net, args.origin, args.destination, corridors=chosen, conditions=_condition_list(net, args),
                     n=args.journeys, seed=args.seed, window_days=args.within, shipment=args.shipment)
    _write_map(args, lambda: result.map(offline=args.offline))
    if args.chart:
        from .charts import save_chart

        written = save_chart(result.chart(), args.chart)
        print(f"wrote chart {written}", file=sys.stderr)
    if args.json:
        _print_json({**result.to_dict(), "scenario": title or None})
    elif args.csv:
        _print_csv(result.table(), index=False)
    else:
        print(format_comparison(result, title=title))
    return EXIT_OK


def format_comparison(result: Any, *, title: str = "") -> str:
    """Return a comparison as text: one block per set of conditions, one line per corridor, ranks and definitions."""
    net = result.network
    table = result.table()
    head = f"{net.place_name(result.origin)} → {net.place_name(result.destination)}: corridors compared"
    lines = [head + (f" ({title})" if title else ""), ""]
    window = result.window_days
    shipment = result.shipment
    sets = {e.profile: e.route.conditions for e in result.entries if e.route is not None}
    money = ("US$" if shipment is not None else "US$/FEU")
    for profile, block in table.groupby("profile", sort=False):
        described = sets[profile].describe() if profile in sets else net.conditions(profile).describe()
        lines.append(f"Conditions {profile}: {described.split(': ', 1)[-1]}")
        header = (f"  {'corridor':<34} {'km':>7} {'P10':>6} {'P50':>6} {'P90':>6} {money:>8} {'kg CO2e':>8} "
                  f"{'borders':>7} {'gauges':>6} {'tranship':>8}" + (f" {'P(≤' + f'{window:g}d)':>8}" if window else "")
                  + "  countries")
        lines.append(header)
        for row in block.sort_values(["available", "rank_overall"], ascending=[False, True]).itertuples():
            if not row.available:
                lines.append(f"  {_clip(row.name, 34):<34} not available: {row.reason}")
                continue
            cost_usd, co2_kg = ((row.shipment_cost_usd, row.shipment_co2_kg) if shipment is not None
                                else (row.cost_usd, row.co2_kg))
            cost = "–" if cost_usd != cost_usd else f"{cost_usd:,.0f}"
            co2 = "–" if co2_kg != co2_kg else f"{co2_kg:,.0f}"
            extra = f" {row.p_within_window:>8.0%}" if window else ""
            lines.append(f"  {_clip(row.name, 34):<34} {row.distance_km:>7,.0f} {row.p10_days:>6.1f} "
                         f"{row.p50_days:>6.1f} {row.p90_days:>6.1f} {cost:>8} {co2:>8} {int(row.border_crossings):>7} "
                         f"{int(row.gauge_changes):>6} {int(row.transshipments):>8}{extra}  {row.countries}")
        answers = result.answers(profile)
        if answers:
            names = dict(zip(block["corridor"], block["name"], strict=True))
            lines.append("  " + "; ".join(f"{word}: {names[c]}" for word, c in answers.items()))
        elif not block["available"].any():
            lines.append("  No named corridor serves this journey; `corridors route` gives the best route on the "
                         "whole network.")
        lines.append("")
    years = sorted({y for e in result.entries if e.route is not None for y in e.route.price_years})
    prices = f" US$ at the rates' own price years ({years[0]}–{years[-1]})." if years else ""
    if shipment is not None:
        lines.append(f"Costs and CO2e are for the shipment ({shipment.describe()}): its share of a 40-ft container on "
                     "rail, road, ferry and sea, its chargeable kg (mass or volume at 166.67 kg/m³) by air.")
    lines.append("Days are simulated door-to-door times (P10/P50/P90) on the routes booked under typical conditions. "
                 "Shortest = least km; fastest = lowest median; most reliable = narrowest P90−P10; cheapest and "
                 "cleanest per loaded 40-ft container." + prices)
    return "\n".join(lines)


def _cmd_scenario(args: argparse.Namespace) -> int:
    from .network import load_network
    from .scenarios import Scenario, diff

    net = load_network()
    net._request(args.origin, args.destination, (), ())  # unknown or identical places: a route's own error
    scenario = Scenario.from_toml(args.file)
    chosen = _corridor_ids(args)
    result = diff(net, scenario, args.origin, args.destination, corridors=chosen,
                  conditions=_conditions(net, args), n=args.journeys, seed=args.seed)
    _write_map(args, lambda: result.map(offline=args.offline))
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    lines = [f"Scenario {scenario.name!r}: {scenario.description}".rstrip(": "),
             "  changes: " + "; ".join(c.describe() for c in scenario.changes), "",
             f"  {'corridor':<34} {'status':<20} {'before d':>8} {'after d':>8} {'Δ days':>7} {'before km':>9} "
             f"{'after km':>9}"]
    for row in result.table().itertuples():
        before = "–" if row.before_days != row.before_days else f"{row.before_days:.1f}"
        after = "–" if row.after_days != row.after_days else f"{row.after_days:.1f}"
        delta = "–" if row.delta_days != row.delta_days else f"{row.delta_days:+.1f}"
        km_before = "–" if row.before_km != row.before_km else f"{row.before_km:,.0f}"
        km_after = "–" if row.after_km != row.after_km else f"{row.after_km:,.0f}"
        lines.append(f"  {_clip(row.name, 34):<34} {row.status:<20} {before:>8} {after:>8} {delta:>7} "
                     f"{km_before:>9} {km_after:>9}")
    lines += ["", *textwrap.wrap(result.summary(), width=110, initial_indent="  ", subsequent_indent="  ")]
    print("\n".join(lines))
    return EXIT_OK


def _cmd_bottleneck(args: argparse.Namespace) -> int:
    from .capacity import bottleneck
    from .network import load_network

    result = bottleneck(load_network(), args.origin, args.destination, corridor=args.corridor)
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    lines = textwrap.wrap(result.summary(), width=110)
    lines += ["", f"  {'element on the route':<44} {'TEU a year':>12}  as published"]
    names = result.names
    for row in result.along_route.itertuples():
        label = names.get(row.element, row.element) if row.kind == "node" else row.element.replace("__", " – ")
        value = "unknown" if row.teu_per_year != row.teu_per_year else f"{row.teu_per_year:,.0f}"
        lines.append(f"  {_clip(label, 44):<44} {value:>12}  {row.stated}")
    print("\n".join(lines))
    return EXIT_OK


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output file that cannot be written (wrong suffix, missing folder) and an option
    that would be silently ignored."""
    if getattr(args, "offline", False) and args.command != "map" and not args.map:
        raise CorridorError("--offline makes the --map page work with no internet; give --map FILE too")
    if getattr(args, "alternatives", None) is not None and args.map:
        raise CorridorError("--map draws one route; leave out --alternatives, or --map")
    if getattr(args, "list", False) and (args.markdown or args.conditions):
        option = "--markdown tables the checks" if args.markdown else "--conditions says what to check under"
        raise CorridorError(f"--list lists the claims without checking them, and {option}; choose one")
    pages = [args.map] if getattr(args, "map", None) else []
    charts = [args.chart] if getattr(args, "chart", None) else []
    if getattr(args, "out", None):
        (charts if args.command == "chart" else pages).append(args.out)
    if pages:
        from .maps import check_page_path

        for path in pages:
            check_page_path(path)
    if charts:
        from .charts import check_chart_path

        for path in charts:
            check_chart_path(path)


def _cmd_map(args: argparse.Namespace) -> int:
    from .maps import save_map

    net = _load(args)
    written = save_map(net.map(offline=args.offline), args.out, offline=args.offline)
    print(f"wrote {written}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .network import load_network
    from .report import ReportSettings, write_report

    if args.journeys <= 0:
        raise CorridorError(f"the number of journeys must be a positive whole number, got {args.journeys}")
    written = write_report(load_network(), args.out, ReportSettings(journeys=args.journeys, seed=args.seed))
    print(f"wrote {written} — open it in a browser; it needs no internet")
    return EXIT_OK


def _cmd_backtest(args: argparse.Namespace) -> int:
    from .backtest import GROUPINGS, backtest
    from .charts import save_chart
    from .network import load_network

    if args.journeys <= 0:
        raise CorridorError(f"the number of journeys must be positive, got {args.journeys}")
    result = backtest(load_network(), n=args.journeys, seed=args.seed)
    if args.chart:
        written = save_chart(result.chart(), args.chart)
        print(f"wrote {written}", file=sys.stderr if args.json or args.csv else sys.stdout)
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    if args.csv:
        _print_csv(result.table(), index=False)
        return EXIT_OK
    print(format_backtest(result, GROUPINGS))
    return EXIT_OK


def format_backtest(result: Any, groupings: Sequence[str]) -> str:
    """Return a backtest as text: the overall summary, the summaries by group, and every observation."""
    overall = result.summary().iloc[0]
    lines = [f"Backtest: {int(overall['observations'])} observed journeys, {result.n:,} simulated journeys each "
             f"(seed {result.seed})",
             f"  median absolute error of the model's median {overall['mdape_pct']:.1f}%, "
             f"{overall['coverage']:.0%} of observations inside the model's P10–P90, bias {overall['bias_pct']:+.1f}%"
             " (positive: the model is slower)"]
    dependent = result.dependent
    if len(dependent):
        lines.append(f"  left out of the summaries ({len(dependent)}): a time parameter cites their source: "
                     + ", ".join(dependent["id"]))
    lines.append("")
    for grouping in groupings:
        frame = result.summary(grouping)
        lines.append(f"{'by ' + grouping.replace('_year', ''):<20} {'obs':>4} {'MdAPE':>7} {'inside':>7} {'bias':>7}")
        for key, row in frame.iterrows():
            lines.append(f"  {key:<18} {int(row['observations']):>4} {row['mdape_pct']:>6.1f}% "
                         f"{row['coverage']:>6.0%} {row['bias_pct']:>+6.1f}%")
        lines.append("")
    table = result.table()
    lines.append(f"{'observation':<44} {'corridor':<17} {'period':<8} {'observed':>10} {'P10':>6} {'P50':>6} "
                 f"{'P90':>6} {'error':>7}  largest element of the median journey")
    for row in table.itertuples():
        observed = (f"{row.observed_low_days:g}" if row.observed_low_days == row.observed_high_days
                    else f"{row.observed_low_days:g}–{row.observed_high_days:g}")
        if not row.available:
            lines.append(f"{_clip(row.id, 44):<44} {row.corridor:<17} {row.period:<8} {observed:>10}  not available: "
                         f"{row.reason}")
            continue
        mark = ("†" if not row.independent else "") + (" " if row.inside else "*")
        lines.append(f"{_clip(row.id, 44):<44} {row.corridor:<17} {row.period:<8} {observed:>10} {row.p10_days:>6.1f} "
                     f"{row.p50_days:>6.1f} {row.p90_days:>6.1f} {row.error_pct:>+6.0f}%{mark} {row.largest_element}")
    lines.append("")
    lines.append("* the observation lies outside the model's P10–P90; † not independent (left out of the summaries). "
                 "Conditions: the period's own where the dataset documents it, else typical.")
    costs = result.costs()
    if len(costs):
        summary = result.cost_summary()
        lines += ["", f"Costs: the model's cost per FEU on each corridor's cheapest route against {len(costs)} "
                  "published through-rates (US$, each rate in the prices of its year; the model's rates carry their "
                  "own years)",
                  f"{'by corridor':<20} {'rates':>5} {'MdAPE':>7} {'bias':>7}"]
        for key, row in summary.iterrows():
            lines.append(f"  {key:<18} {int(row['rates']):>5} {row['mdape_pct']:>6.0f}% {row['bias_pct']:>+6.0f}%")
        lines += ["", f"{'rate':<36} {'period':<8} {'observed':>9} {'model':>7} {'error':>7}  model's price years; "
                  "its largest costs"]
        for row in costs.itertuples():
            if not row.available:
                lines.append(f"{_clip(row.id, 36):<36} {row.period:<8} {row.observed_usd:>9,.0f}  not available: "
                             f"{row.reason}")
                continue
            lines.append(f"{_clip(row.id, 36):<36} {row.period:<8} {row.observed_usd:>9,.0f} {row.model_usd:>7,.0f} "
                         f"{row.error_pct:>+6.0f}%  {row.model_price_years}; {row.largest_costs}")
    return "\n".join(lines)


def _cmd_context(args: argparse.Namespace) -> int:
    from .context import format_value, load_series

    table = load_series(args.network)
    known = list(dict.fromkeys(table["series"]))
    for wanted in args.series:
        if wanted not in known:
            raise CorridorError(f"unknown series {wanted!r}; known: {', '.join(known)}")
    if args.series:
        table = table[table["series"].isin(args.series)]
    if args.chart:
        from .charts import context_chart, save_chart

        print(f"wrote chart {save_chart(context_chart(table), args.chart)}", file=sys.stderr)
    if args.json:
        _print_json(table.assign(sources=table["sources"].map(list)).to_dict(orient="records"))
    elif args.csv:
        _print_csv(table.assign(sources=table["sources"].map(";".join)), index=False)
    else:
        for series, rows in table.groupby("series", sort=False):
            print(series)
            for r in rows.itertuples():
                print(f"  {r.year}  {format_value(r.value, r.unit):>22}  {'; '.join(r.sources)}")
    return EXIT_OK


_COMMANDS = {
    "backtest": _cmd_backtest, "context": _cmd_context,
    "map": _cmd_map, "report": _cmd_report,
    "bottleneck": _cmd_bottleneck,
    "route": _cmd_route, "compare": _cmd_compare, "scenario": _cmd_scenario, "network": _cmd_network,
    "validate": _cmd_validate, "simulate": _cmd_simulate, "claims": _cmd_claims, "chart": _cmd_chart,
}


if __name__ == "__main__":
    sys.exit(main())
