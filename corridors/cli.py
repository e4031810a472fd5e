"""The command line: it parses and dispatches; ``corridors.views`` writes the text. User mistakes get one line on
stderr, naming the command, and exit code 2.

Nothing heavy is imported at module level: ``corridors --help`` and a mistyped option answer before pandas,
networkx or geopandas would have finished loading. Each command imports what it uses.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .contract import DEPENDENCE
from .errors import CorridorError, ValidationError

EXIT_OK, EXIT_USAGE = 0, 2

_EXAMPLES = """examples:
  corridors report --out report.html          the report: claim, corridors, maps, charts, sources
  corridors report Shanghai Rotterdam --corridor middle_black_sea --corridor suez
  corridors route "Xi'an" Poti                 the fastest route, leg by leg and stop by stop
  corridors claims                             every published claim checked against the network
  corridors compare "Xi'an" Duisburg           every corridor side by side
  corridors scenario suez_closed Shanghai Rotterdam
  corridors COMMAND --help                     the options of a command
Every command takes --network PATH (a dataset folder instead of the bundled one) and --quiet (no progress bars)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)", message)
        if choice:
            message += _suggest(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)))
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _suggest(given: str, known: Sequence[str]) -> str:
    import difflib  # only a mistake needs it: not imported by every command

    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``corridors`` command."""
    parser = _Parser(prog="corridors", description="Freight corridors as sourced, weighted networks.",
                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EXAMPLES)
    parser.add_argument("--version", action="version", version=f"corridors {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_: str, description: str, *, json: bool = True, csv: bool = False,
                network: bool = True) -> Any:
        p = sub.add_parser(name, help=help_, description=description)
        if network:
            p.add_argument("--network", metavar="PATH", help="use this dataset folder instead of the bundled one")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or notes on stderr")
        if json or csv:
            group = p.add_mutually_exclusive_group()
            if json:
                group.add_argument("--json", action="store_true", help="print JSON")
            if csv:
                group.add_argument("--csv", action="store_true", help="print CSV (tidy: one row per record)")
        return p

    route = command("route", "the best route between two places, as legs and stops",
                    "Print the best route between two places, leg by leg and stop by stop.", csv=True)
    _route_arguments(route)
    route.add_argument("--by", choices=("time", "distance", "cost", "co2"), default="time", help="what to minimise")
    route.add_argument("--alternatives", type=int, metavar="K",
                       help="list the K best routes that differ in where they stop")
    _map_options(route)

    network = command("network", "what is in the dataset",
                      "Summarise the network: places, legs, kilometres, conditions, sources.")
    network.add_argument("--sources", action="store_true", help="list every source")

    simulate = command("simulate", "the distribution of door-to-door time (Monte Carlo)",
                       "Simulate many journeys along the best route and print the distribution of door-to-door "
                       "time, and what drives it.")
    _route_arguments(simulate)
    _simulation_options(simulate)
    _dependence_option(simulate)
    simulate.add_argument("--period-average", action="store_true",
                          help="the average journey of the period: each element's state only, without the spread "
                          "of single journeys around it")
    simulate.add_argument("--within", type=float, metavar="DAYS", help="print the probability of arriving within DAYS")
    simulate.add_argument("--window", type=float, nargs=2, metavar=("LOW", "HIGH"),
                          help="print the probability of arriving in LOW–HIGH days, and within HIGH days")
    simulate.add_argument("--start-hour", type=float, metavar="H",
                          help="depart H hours after Monday 00:00 (default: any time of the week)")

    claims = command("claims", "check published transit-time claims against the network",
                     "Check every registered claim (or those named) under each set of conditions: the probability "
                     "of meeting its window, the median and P90, and what explains the answer.")
    claims.add_argument("claim", nargs="*", metavar="ID", help="claim ids (default: all)")
    _condition_list_options(claims, "check under these conditions only")
    _simulation_options(claims, default_n=20_000)
    claims.add_argument("--list", action="store_true", help="list the registered claims without checking them")
    claims.add_argument("--markdown", action="store_true", help="print one Markdown table row per claim (statement, "
                        "who, window, verdict, readings that hold by conditions)")

    chart = command("chart", "a time–distance chart of a route (PNG, SVG or PDF)",
                    "Draw the route as a UNESCAP time–distance chart: distance on x, cumulative time on y, stops as "
                    "vertical steps, with the P10–P90 band of a simulation.", json=False)
    _places(chart)
    _constraints(chart)
    _condition_list_options(chart, "one line per set of conditions")
    _simulation_options(chart, default_n=5_000)
    chart.add_argument("--out", default="chart.png", metavar="FILE", help="output file, .png, .svg or .pdf")
    chart.add_argument("--cost", action="store_true", help="cumulative cost per FEU instead of time")

    compare = command("compare", "every corridor between two places, side by side",
                      "Compare the corridors between two places: distance, P10/P50/P90 days, cost and CO2 per FEU, "
                      "crossings, gauge changes, transshipments, countries, under each set of conditions, sorted by "
                      "rank; corridors that cannot serve the pair say why.", csv=True)
    _places(compare, corridors="compare only this corridor")
    _condition_list_options(compare, "compare under these conditions")
    compare.add_argument("--within", type=float, metavar="DAYS", help="add the probability of arriving within DAYS")
    compare.add_argument("--shipment", metavar="WHAT", help="price a shipment on every corridor: a mass and/or "
                         "volume ('2 t, 12 m3') or containers ('2 FEU'); air is charged by chargeable kg")
    what_if = compare.add_mutually_exclusive_group()
    what_if.add_argument("--scenario", metavar="FILE",
                         help="compare on the network changed by this scenario (a TOML file or a bundled name)")
    what_if.add_argument("--close", action="append", default=[], metavar="X",
                         help="compare with a place, leg, country or passage (e.g. suez) closed (repeatable)")
    _simulation_options(compare, default_n=4_000)
    _map_options(compare)
    compare.add_argument("--chart", metavar="FILE", help="also write a time–distance chart of every corridor "
                                                          "(.png, .svg or .pdf)")

    scenario = command("scenario", "what a scenario changes between two places",
                       "Apply a scenario file (TOML) and show how each corridor's route, time, distance and cost "
                       "change between two places.")
    scenario.add_argument("file", help="scenario file (TOML), or the name of a bundled scenario (e.g. suez_closed)")
    _places(scenario, corridors="show only this corridor")
    _condition_options(scenario)
    _simulation_options(scenario, default_n=2_000)
    _map_options(scenario)

    map_ = command("map", "an interactive map of the whole network (HTML)",
                   "Write an interactive map of the network: legs by mode, places by kind, each corridor as a layer. "
                   "--offline writes a page that needs no internet.", json=False)
    map_.add_argument("--out", default="network.html", metavar="FILE", help="output HTML file (.html)")
    map_.add_argument("--offline", action="store_true", help="inline all scripts and draw countries instead of tiles")

    report = command("report", "the self-contained HTML report (the main job)",
                     "Write one self-contained HTML page: the seed claim and its verdict, the corridors compared, "
                     "route maps, time–distance charts, transit-time distributions, the bottleneck, what-if scenarios "
                     "and every source. It needs no internet to open. ORIGIN and DESTINATION (default: Xi'an → Poti "
                     "across the Caspian for the route, Xi'an → Duisburg for the comparison) set the journey the "
                     "route, comparison and bottleneck sections look at.", json=False)
    report.add_argument("origin", nargs="?", help="place id, name or alias, e.g. Shanghai")
    report.add_argument("destination", nargs="?", help="place id, name or alias, e.g. Rotterdam")
    report.add_argument("--corridor", action="append", default=[], metavar="ID",
                        help="feature this corridor in the comparison (repeatable; the first's bottleneck is shown)")
    report.add_argument("--out", default="report.html", metavar="FILE", help="output HTML file (.html)")
    _simulation_options(report, default_n=5_000)

    neck = command("bottleneck", "the element that limits a corridor's throughput",
                   "Name the element (port, crossing, ferry service, railway) that limits how much a corridor can "
                   "carry between two places, with its capacity and source.")
    _places(neck)
    neck.add_argument("--corridor", metavar="ID", help="a corridor id (default: the fastest corridor for the pair)")

    back = command("backtest", "the model against published journey times, by corridor and period",
                   "Simulate every observed journey of observations.csv on the corridor it used under the conditions "
                   "of its period, and report the error of the median, whether the observation lies inside P10–P90, "
                   "summaries per corridor, period and kind of figure, and for each miss the groups of elements "
                   "whose documented states reach it. The observations are a check, never an input.", csv=True)
    _simulation_options(back, default_n=4_000)  # backtest.BACKTEST_JOURNEYS (the CLI starts without the model)
    _dependence_option(back)
    back.add_argument("--chart", metavar="FILE", help="also write the predicted-against-observed chart "
                      "(.png, .svg or .pdf)")

    context = command("context", "the trade and traffic series behind the corridor's story",
                      "Print the context series by year (China–Azerbaijan trade, the corridor's tonnes and TEU, Baku "
                      "port and the Baku–Tbilisi–Kars railway), each figure with its source; a year no source gives "
                      "is left out.", csv=True)
    context.add_argument("series", nargs="*", metavar="SERIES", help="series ids (default: all)")
    context.add_argument("--chart", metavar="FILE", help="also draw the series as a chart (.png, .svg or .pdf)")

    skim = command("skim", "the best routes' totals between many origins and destinations, as one table",
                   "Route every origin to every destination (one search per origin) and print each pair's distance, "
                   "expected days, cost, CO2e and border crossings, with the simulated P10, P50 and P90 days; an "
                   "unreachable pair has no figures and says why.", csv=True)
    skim.add_argument("origins", metavar="ORIGINS", help="places separated by commas, e.g. \"Xi'an,Chongqing\"")
    skim.add_argument("destinations", metavar="DESTINATIONS", help="places separated by commas")
    skim.add_argument("--by", choices=("time", "distance", "cost", "co2"), default="time", help="what to minimise")
    skim.add_argument("--avoid", action="append", default=[], metavar="X",
                      help="avoid a place, a country (code or name), a mode or a sea passage (repeatable)")
    _condition_options(skim)
    _simulation_options(skim, default_n=2_000)
    skim.add_argument("--parquet", metavar="FILE", help="also write the table as Parquet (needs pyarrow)")

    store = command("cache", "where loaded networks are kept between commands, and how many",
                    "Print the folder that keeps loaded networks (a dataset whose files have not changed is read back "
                    "from it instead of read and checked again; CORRIDORS_CACHE_DIR moves it, CORRIDORS_CACHE=0 turns "
                    "it off) and what it holds; --clear empties it.", json=False, network=False)
    store.add_argument("--clear", action="store_true", help="remove every cached network")

    sweep = command("sweep", "scenarios × pairs × conditions as one table, on Dask or in process",
                    "Route and simulate every scenario × pair × condition set (× month) of a grid file (TOML: "
                    "scenarios, pairs, conditions, journeys, seed; optional months, network, reroute), as tasks on a "
                    "local Dask cluster of worker processes by default, or on a scheduler by address. Seeds are "
                    "derived per task, so the table is the same on one worker or twenty.", json=False)
    sweep.add_argument("grid", metavar="GRID", help="the grid file (.toml)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a running distributed scheduler (tcp://host:8786), "
                       "or in-process (default: a local cluster; in process when Dask is not installed)")
    sweep.add_argument("--workers", type=int, metavar="N", help="worker processes of the local cluster "
                       "(default: one per core)")
    sweep.add_argument("--out", metavar="FILE", help="write the table (.parquet or .csv)")

    validate = command("validate", "check a dataset against the attribute contract",
                       "Check a dataset (folders or files) and list every problem with file, row and field. Exit "
                       "code 2 if there is any.")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="a dataset folder, or its files (or --network)")
    return parser


def _map_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--map", metavar="FILE", help="also write an interactive map (an .html file)")
    parser.add_argument("--offline", action="store_true", help="make the --map page work with no internet")


def _places(parser: argparse.ArgumentParser, *, corridors: str = "") -> None:
    parser.add_argument("origin", help="place id, name or alias, e.g. \"Xi'an\"")
    parser.add_argument("destination", help="place id, name or alias, e.g. Poti")
    if corridors:
        parser.add_argument("--corridor", action="append", default=[], metavar="ID", help=f"{corridors} (repeatable)")
        parser.add_argument("--corridors", metavar="IDS", help="comma-separated corridor ids (default: all)")


def _constraints(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--via", action="append", default=[], metavar="PLACE",
                        help="pass through this place (repeatable, in order)")
    parser.add_argument("--avoid", action="append", default=[], metavar="X",
                        help="avoid a place, a country (code or name), a mode or a sea passage (repeatable)")


def _route_arguments(parser: argparse.ArgumentParser) -> None:
    _places(parser)
    _constraints(parser)
    _condition_options(parser)
    parser.add_argument("--reroute", action="store_true", help="choose the route under the conditions instead "
                        "of booking it under typical ones")


_CONDITIONS_HELP = "a preset (best, typical, congested) or a period (2019, 2022, 2024…)"
_PROFILE_HELP = "deprecated: the old name of --conditions (scheduled is now best)"


def _condition_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conditions", metavar="C", help=f"the conditions the journey meets: {_CONDITIONS_HELP}; "
                        "default: typical")
    parser.add_argument("--profile", dest="profile_alias", metavar="C", help=_PROFILE_HELP)
    parser.add_argument("--congest", action="append", default=[], metavar="GROUP",
                        help="put a group of elements at its congested level (e.g. caspian; repeatable)")
    parser.add_argument("--relieve", action="append", default=[], metavar="GROUP",
                        help="put a group of elements at its best level (repeatable)")
    _month(parser)


def _condition_list_options(parser: argparse.ArgumentParser, purpose: str) -> None:
    parser.add_argument("--conditions", action="append", default=[], metavar="C",
                        help=f"{purpose}: {_CONDITIONS_HELP} (repeatable; default: best, typical and congested)")
    parser.add_argument("--profile", dest="conditions", action="append", metavar="C", help=_PROFILE_HELP)
    _month(parser)


def _month(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", metavar="M", help="take the conditions in a month (1–12 or a name such as Jan): "
                        "its weather closures and seasonal peaks where the data describe them")


def _simulation_options(parser: argparse.ArgumentParser, default_n: int = 10_000) -> None:
    parser.add_argument("-n", "--journeys", type=int, default=default_n, metavar="N",
                        help=f"number of simulated journeys (default: {default_n:,})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0; the same seed, the same numbers)")


def _dependence_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dependence", choices=DEPENDENCE, default="group",
                        help="how the elements of a journey share their state: by group of elements (default), all "
                        "at the same quantile (journey: the widest spread the ranges allow), or each on its own")


def _version() -> str:
    from . import __version__

    return __version__


def _unrecognized(parser: argparse.ArgumentParser, command: str | None, extra: list[str]) -> NoReturn:
    """Refuse arguments no option takes, naming the command and the closest option."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    target: argparse.ArgumentParser = commands.get(command, parser) if command else parser
    known = [s for a in target._actions for s in a.option_strings]
    hint = next((_suggest(e.split("=")[0], known) for e in extra if e.startswith("-") and _suggest(e, known)), "")
    target.error(f"unrecognized arguments: {' '.join(extra)}{hint}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        _unrecognized(parser, args.command, extra)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        _check_outputs(args)
        from . import commands

        return getattr(commands, args.command.replace("-", "_"))(args)
    except ValidationError as exc:
        print(f"corridors {args.command}: invalid dataset: {exc.summary()}", file=sys.stderr)
        return EXIT_USAGE
    except CorridorError as exc:
        print(f"corridors {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
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
    if args.command == "report" and (args.origin is None) != (args.destination is None):
        raise CorridorError("give both ORIGIN and DESTINATION, or neither")
    if args.command == "validate" and not args.paths and not args.network:
        raise CorridorError("name a dataset: a folder or its files, or --network PATH")
    if getattr(args, "journeys", 1) <= 0:
        raise CorridorError(f"the number of journeys must be positive; give a positive whole number (got "
                            f"{args.journeys})")
    pages = [args.map] if getattr(args, "map", None) else []
    charts = [args.chart] if getattr(args, "chart", None) else []
    if getattr(args, "out", None) and args.command != "sweep":  # a sweep writes a table (see corridors.sweep)
        (charts if args.command == "chart" else pages).append(args.out)
    if args.command == "sweep" and args.network:
        raise CorridorError("a sweep's network is the grid file's `network` key; leave out --network")
    if getattr(args, "parquet", None) and Path(args.parquet).suffix.lower() != ".parquet":
        raise CorridorError(f"{Path(args.parquet).name}: --parquet writes a .parquet file")
    if args.command == "sweep" and args.out and Path(args.out).suffix.lower() not in (".parquet", ".csv"):
        raise CorridorError(f"{Path(args.out).name}: write a sweep to a .parquet or a .csv file")
    if pages:
        from .maps import check_page_path

        for path in pages:
            check_page_path(path)
    if charts:
        from .charts import check_chart_path

        for path in charts:
            check_chart_path(path)


def _print_csv(frame: Any) -> None:
    """Print a table as tidy CSV, safe to open in a spreadsheet (see :func:`corridors.views.csv_text`)."""
    from .views import csv_text

    sys.stdout.write(csv_text(frame))


if __name__ == "__main__":
    sys.exit(main())
