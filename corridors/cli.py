"""The command line: a thin shell over the public API. User mistakes get one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .errors import CorridorError, ValidationError

EXIT_OK, EXIT_USAGE = 0, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``corridors`` command."""
    parser = _Parser(prog="corridors", description="Freight corridors as sourced, weighted networks.")
    parser.add_argument("--version", action="version", version=f"corridors {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    route = sub.add_parser("route", help="the best route between two places, as legs and stops",
                           description="Print the best route between two places, leg by leg and stop by stop.")
    route.add_argument("origin", help="place id, name or alias, e.g. \"Xi'an\"")
    route.add_argument("destination", help="place id, name or alias, e.g. Poti")
    route.add_argument("--via", action="append", default=[], metavar="PLACE",
                       help="pass through this place (repeatable, in order)")
    route.add_argument("--avoid", action="append", default=[], metavar="X",
                       help="avoid a place, a country (code or name) or a mode (repeatable)")
    route.add_argument("--by", choices=("time", "distance"), default="time", help="what to minimise")
    route.add_argument("--profile", default="typical", help="operating profile (default: typical)")
    _add_output_options(route, csv=True)
    _add_network_option(route)

    network = sub.add_parser("network", help="what is in the dataset",
                             description="Summarise the network: places, legs, kilometres, profiles, sources.")
    network.add_argument("--sources", action="store_true", help="list every source")
    _add_output_options(network, csv=False)
    _add_network_option(network)

    validate = sub.add_parser("validate", help="check a dataset against the attribute contract",
                              description="Check a dataset (folders or files) and list every problem with file, "
                                          "row and field. Exit code 2 if there is any.")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, or its files")
    validate.add_argument("--json", action="store_true", help="print the problems as JSON")
    return parser


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
    route = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid, by=args.by,
                      profile=args.profile)
    if args.json:
        _print_json(route.to_dict())
    elif args.csv:
        sys.stdout.write(route.to_frame().to_csv())
    else:
        print(format_route(route))
    return EXIT_OK


def format_route(route: Any) -> str:
    """Return a route as a human-readable table with totals."""
    frame = route.to_frame()
    names = f"{route.to_dict()['origin_name']} → {route.to_dict()['destination_name']}"
    lines = [f"{names}  ({'fastest' if route.weight == 'time' else 'shortest'} route, profile {route.profile})", ""]
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
    lines.append("Times are expected values under the profile. Each row names its first source (a leg's: its "
                 "distance); --json lists them all, `corridors network --sources` resolves them.")
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
    print(f"Profiles: {', '.join(summary['profiles'])}")
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


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


_COMMANDS = {"route": _cmd_route, "network": _cmd_network, "validate": _cmd_validate}


if __name__ == "__main__":
    sys.exit(main())
