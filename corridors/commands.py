"""The commands of the command line, one function per command: load the network, call the public API, hand the
result to a view. ``corridors.cli`` parses the arguments and calls these; ``corridors.views`` writes the text.

Every command loads the network named by ``--network`` (default: the bundled one) and passes it to the library.
"""

from __future__ import annotations

import gc
import sys
import warnings
from argparse import Namespace
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import views
from .errors import CorridorError

EXIT_OK, EXIT_USAGE = 0, 2


def _load(args: Namespace) -> Any:
    """Return the network of --network (default: the bundled one), saying on stderr, in one line each, which tables
    it took from the bundled dataset (see ``contract.FROM_BUNDLED``)."""
    with _stack_imported():
        from . import network

    with _noting_borrowed(args):
        # looked up on the module at call time, so that a test (or a notebook) can substitute a cached loader
        return network.load_network(args.network) if args.network else network.load_network()


@contextmanager
def _stack_imported() -> Iterator[None]:
    """Import the geospatial stack with the garbage collector held off, then keep what it made out of later
    collections.

    Importing pandas, geopandas, shapely and pyproj makes some 130,000 objects (modules, classes, functions, tables)
    that nearly all live as long as the process: the collections their making sets off free next to nothing, and each
    later one walks them again. A route read back from the cache spent about 50 ms of its half second in such
    collections (about 5 ms since). A command is one short process, so what the imports made is frozen out of the
    collector's sight (gc.freeze) once they are done; what the command itself makes is collected as usual. The cycles
    the imports left behind (about 900 objects, 0.2 MB) stay with them: the full collection that would free them
    costs what the pause saves. Only on a process's first import of the stack: one that has it already (a notebook, a
    test session that loaded a network) keeps its collector as it was.
    """
    if "corridors.network" in sys.modules:
        yield
        return
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


@contextmanager
def _noting_borrowed(args: Namespace) -> Iterator[None]:
    """Say on stderr, one line each, what a dataset took from the bundled one (a BundledDataWarning)."""
    from .loading import BundledDataWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BundledDataWarning)
        yield
    for found in caught:
        if issubclass(found.category, BundledDataWarning):
            print(f"corridors {args.command}: note: {found.message}", file=sys.stderr)
        else:  # not ours to word: passed on as it came
            warnings.warn_explicit(found.message, found.category, found.filename, found.lineno)


def _own_file(args: Namespace, name: str) -> Path | None:
    """Return the --network folder's own copy of a table outside the network's dataset (observations), or None for
    the bundled one.

    The library reads these tables from the bundled data unless given a path; a user's dataset that carries its own
    observations is checked against them instead. (Capacities, corridors, claims and the other tables of the
    dataset are the network's own: see ``Network.table``.)
    """
    if not args.network or not Path(args.network).is_dir():
        return None
    file = Path(args.network) / name
    return file if file.is_file() else None


def _note(args: Namespace, text: str) -> None:
    """Say on stderr what was written (so that --json and --csv output stays clean), unless --quiet."""
    if not args.quiet:
        print(text, file=sys.stderr)


def _write_map(args: Namespace, make_map: Callable[[], Any]) -> None:
    if getattr(args, "map", None):
        from .maps import save_map

        _note(args, f"wrote map {save_map(make_map(), args.map, offline=args.offline)}")


def _write_chart(args: Namespace, make_chart: Callable[[], Any]) -> None:
    if getattr(args, "chart", None):
        from .charts import save_chart

        _note(args, f"wrote chart {save_chart(make_chart(), args.chart)}")


def _output(args: Namespace, blocks: Callable[[], list[views.Block]], data: Callable[[], Any],
            frame: Callable[[], Any] | None = None) -> int:
    """Print JSON (--json), CSV (--csv) or text, computing only the one asked for."""
    if getattr(args, "json", False):
        found = data()
        if isinstance(found, dict):  # every JSON answer says which dataset it comes from
            found = {**found, "dataset": _dataset(args)}
        sys.stdout.write(views.json_text(found))
    elif getattr(args, "csv", False) and frame is not None:
        sys.stdout.write(views.csv_text(frame()))
    else:
        views.show(blocks())
    return EXIT_OK


def _dataset(args: Namespace) -> dict[str, Any]:
    """Return the version and as-of date of the dataset a command read (see :func:`corridors.datasets.dataset_info`)."""
    from .datasets import dataset_info

    folder = args.network if getattr(args, "network", None) and Path(args.network).is_dir() else None
    info = dataset_info(folder=folder)
    return {"version": info.version, "as_of": info.as_of.isoformat() if info.as_of else None,
            "sources": info.sources}


def _conditions(net: Any, args: Namespace) -> Any:
    """Return the condition set a single-condition command asks for (``--profile`` is the deprecated name)."""
    name = args.conditions
    if args.profile_alias:
        if name and name != args.profile_alias:
            raise CorridorError("give --conditions or --profile (its old name), not both")
        name = args.profile_alias
    from .conditions import DEFAULT_CONDITIONS

    return net.conditions(name or DEFAULT_CONDITIONS, congest=args.congest, relieve=args.relieve, month=args.month)


def _condition_list(net: Any, args: Namespace) -> list[Any]:
    """Return the condition sets a multi-condition command compares (default: the presets), in ``--month``."""
    names = list(dict.fromkeys(net.conditions(c).name for c in args.conditions)) or list(net.presets)
    return [net.conditions(name, month=args.month) for name in names]


def _corridor_ids(args: Namespace) -> list[str] | None:
    """Return the corridor ids given with --corridor and --corridors, in order, or None for all."""
    listed = [c.strip() for c in (args.corridors or "").split(",") if c.strip()]
    return list(dict.fromkeys([*args.corridor, *listed])) or None


def route(args: Namespace) -> int:
    net = _load(args)
    if args.alternatives is not None:
        import pandas as pd

        conditions = _conditions(net, args)
        routes = net.alternatives(args.origin, args.destination, k=args.alternatives, via=args.via, avoid=args.avoid,
                                  by=args.by, conditions=conditions, reroute=args.reroute)
        return _output(args, lambda: views.alternatives_view(routes, conditions, args.by),
                       lambda: [r.to_dict() for r in routes],
                       lambda: pd.concat([r.to_frame().assign(alternative=i) for i, r in enumerate(routes, 1)]))
    found = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid, by=args.by,
                      conditions=_conditions(net, args), reroute=args.reroute)
    _write_map(args, lambda: found.map(offline=args.offline))
    return _output(args, lambda: views.route_view(found), found.to_dict, found.to_frame)


def network(args: Namespace) -> int:
    net = _load(args)

    def data() -> dict[str, Any]:
        summary = net.summary()
        if args.sources:
            summary["source_list"] = net.sources.drop(columns=["id"]).reset_index(names="id").to_dict(orient="records")
        return summary

    def blocks() -> list[views.Block]:
        from .datasets import dataset_info

        folder = args.network if args.network and Path(args.network).is_dir() else None
        shown = views.network_view(net, sources=args.sources)
        return [shown[0], dataset_info(folder=folder).describe().capitalize(), *shown[1:]]

    return _output(args, blocks, data)


def validate(args: Namespace) -> int:
    import logging

    from .network import validate as check
    from .validation import LOG

    # the warnings validation logs (drawings to improve, which do not stop a load) are this command's to show
    warned: list[str] = []
    catcher = logging.Handler(logging.WARNING)
    catcher.emit = lambda record: warned.append(record.getMessage())  # type: ignore[method-assign]
    LOG.addHandler(catcher)
    try:
        with _noting_borrowed(args):
            problems = check(*args.paths, *([args.network] if args.network else []))
    finally:
        LOG.removeHandler(catcher)
    if args.json:
        sys.stdout.write(views.json_text({"valid": not problems, "problems": [p.__dict__ for p in problems],
                                          "warnings": warned}))
        return EXIT_USAGE if problems else EXIT_OK
    for message in warned:
        print(f"warning: {message}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print("valid: no problems found" + (" (warnings above)" if warned else ""))
    return EXIT_USAGE if problems else EXIT_OK


def simulate(args: Namespace) -> int:
    from .simulation import simulate as run

    if args.within is not None and args.within < 0:
        raise CorridorError(f"--within must not be negative, got {args.within:g}")
    if args.window is not None and not 0 <= args.window[0] <= args.window[1]:
        raise CorridorError(f"--window needs 0 ≤ LOW ≤ HIGH, got {args.window[0]:g} {args.window[1]:g}")
    net = _load(args)
    found = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid,
                      conditions=_conditions(net, args), reroute=args.reroute)
    with views.progress("simulating journeys", total=args.journeys, quiet=args.quiet) as update:
        transit = run(found, n=args.journeys, seed=args.seed, start_hour=args.start_hour, progress=update,
                      dependence=args.dependence, single_journey=not args.period_average)
    window = tuple(args.window) if args.window else None
    return _output(args, lambda: views.transit_view(transit, within_days=args.within, window_days=window),
                   lambda: transit.to_dict(within_days=args.within, window_days=window))


def claims(args: Namespace) -> int:
    from .claims import check, load_claims, markdown_table

    if args.markdown and args.json:
        raise CorridorError("--markdown and --json cannot be combined; choose one")
    net = _load(args)
    registry = load_claims(net)  # the network's own claims: MissingTableError names the file when it has none
    for wanted in args.claim:
        if wanted not in registry:
            from .places import PlaceIndex

            close = PlaceIndex(dict.fromkeys(registry, ()), {k: k for k in registry}).candidates(wanted)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known claims: {', '.join(registry)}"
            raise CorridorError(f"unknown claim {wanted!r}{hint}")
    selected = [registry[c] for c in dict.fromkeys(args.claim)] if args.claim else list(registry.values())
    if args.list:
        return _output(args, lambda: views.claims_list_view(selected),
                       lambda: [{"id": c.id, "who": c.who, "said_on": c.said_on, "statement": c.statement,
                                 "window": c.window_text, "readings": [r.label for r in c.readings]}
                                for c in selected])
    profiles = tuple(_condition_list(net, args)) if args.conditions else None
    checks = []
    with views.progress("checking claims", total=len(selected), quiet=args.quiet) as update:
        for i, claim in enumerate(selected):
            checks.append(check(claim, net, profiles=profiles, n=args.journeys, seed=args.seed, month=args.month))
            update(i + 1, len(selected))
    if args.markdown:
        print(markdown_table(checks))
        return EXIT_OK
    def blocks() -> list[views.Block]:
        return [b for i, c in enumerate(checks) for b in ([""] if i else []) + views.claim_check_view(c)]

    return _output(args, blocks, lambda: [c.to_dict() for c in checks])


def chart(args: Namespace) -> int:
    from .charts import Series, save_chart, time_distance_chart
    from .simulation import simulate as run

    net = _load(args)
    booked = net.route(args.origin, args.destination, via=args.via, avoid=args.avoid)
    series = []
    for conditions in _condition_list(net, args):
        found = booked.under(conditions)
        # a cost–distance chart has no band, so it needs no simulation
        series.append(Series(found, None if args.cost else run(found, n=args.journeys, seed=args.seed)))
    what = "cost–distance" if args.cost else "time–distance"
    title = (f"{net.place_name(booked.origin)} → {net.place_name(booked.destination)}: {what} (vertical steps are "
             "stops)")
    written = save_chart(time_distance_chart(series, title=title, measure="cost" if args.cost else "time"), args.out)
    print(f"wrote {written}")
    return EXIT_OK


def compare(args: Namespace) -> int:
    from .compare import compare as run
    from .scenarios import Scenario

    net = _load(args)
    title = ""
    if args.scenario:
        scenario = Scenario.from_toml(args.scenario)
        net, title = scenario.apply(net), f"scenario: {scenario.name}"
    elif args.close:
        scenario = Scenario.closing(*args.close, network=net)
        title = "closed: " + "; ".join(views.change_text(c, net).removeprefix("close ") for c in scenario.changes)
        net = scenario.apply(net)
    with views.progress("comparing corridors", quiet=args.quiet):
        result = run(net, args.origin, args.destination, corridors=_corridor_ids(args),
                     conditions=_condition_list(net, args), n=args.journeys, seed=args.seed, window_days=args.within,
                     shipment=args.shipment)
    _write_map(args, lambda: result.map(offline=args.offline))
    _write_chart(args, result.chart)
    return _output(args, lambda: views.comparison_view(result, title=title),
                   lambda: {**result.to_dict(), "scenario": title or None}, result.table)


def scenario(args: Namespace) -> int:
    from .scenarios import Scenario, diff

    net = _load(args)
    net._request(args.origin, args.destination, (), ())  # unknown or identical places: a route's own error
    what_if = Scenario.from_toml(args.file)
    # a network without corridors of its own is compared on its best route alone (asking for one still says why not)
    chosen = _corridor_ids(args)
    if chosen is None and not net.has_table("corridors"):
        chosen = []
    with views.progress("routing before and after", quiet=args.quiet):
        result = diff(net, what_if, args.origin, args.destination, corridors=chosen,
                      conditions=_conditions(net, args), n=args.journeys, seed=args.seed)
    _write_map(args, lambda: result.map(offline=args.offline))
    return _output(args, lambda: views.scenario_view(result, what_if, net), result.to_dict)


def map(args: Namespace) -> int:
    from .maps import save_map

    net = _load(args)
    print(f"wrote {save_map(net.map(offline=args.offline), args.out, offline=args.offline)}")
    return EXIT_OK


def report(args: Namespace) -> int:
    from .report import ReportSettings, write_report

    net = _load(args)
    places: dict[str, Any] = {}
    if args.origin is not None:
        net._request(args.origin, args.destination, (), ())  # unknown or identical places, before the long work
        places = {f"{part}_{end}": getattr(args, end) for part in ("route", "compare", "bottleneck")
                  for end in ("origin", "destination")}
        places.update(route_via=(), route_avoid=())  # the default's via and avoid belong to the seed claim's journey
    else:
        _default_journeys_exist(net, ReportSettings())
    settings = ReportSettings(**places, corridors=tuple(args.corridor), journeys=args.journeys, seed=args.seed)
    with views.progress("writing the report", quiet=args.quiet):
        written = write_report(net, args.out, settings)
    print(f"wrote {written} — open it in a browser; it needs no internet")
    return EXIT_OK


def _default_journeys_exist(net: Any, settings: Any) -> None:
    """Raise a CorridorError, before the long work, when the report's default journeys (the bundled data's Xi'an →
    Poti and the like) name places the network lacks: a network of one's own names its journey."""
    from .errors import UnknownPlaceError

    for place in (settings.route_origin, settings.route_destination, settings.compare_origin,
                  settings.compare_destination, settings.bottleneck_origin, settings.bottleneck_destination):
        try:
            net.place(place)
        except UnknownPlaceError:
            raise CorridorError(f"this network has no {place}, a place of the default report's journeys: name the "
                                "journey, as in corridors report ORIGIN DESTINATION --network FOLDER") from None


def bottleneck(args: Namespace) -> int:
    from .capacity import bottleneck as find

    net = _load(args)
    result = find(net, args.origin, args.destination, corridor=args.corridor)
    return _output(args, lambda: views.bottleneck_view(result, net), result.to_dict)


def backtest(args: Namespace) -> int:
    from .backtest import GROUPINGS, load_observations, load_rate_observations
    from .backtest import backtest as run

    net = _load(args)
    journeys, rates = _own_file(args, "observations.csv"), _own_file(args, "rate_observations.csv")
    with views.progress("simulating the observed journeys", quiet=args.quiet):
        result = run(net, n=args.journeys, seed=args.seed,
                     observations=load_observations(net, journeys) if journeys else None,
                     rates=load_rate_observations(net, rates) if rates else None, dependence=args.dependence)
    _write_chart(args, result.chart)
    return _output(args, lambda: views.backtest_view(result, GROUPINGS), result.to_dict, result.table)


def cache(args: Namespace) -> int:
    from . import cache as store

    where = store.folder()
    if where is None:
        print("the cache of loaded networks is off (CORRIDORS_CACHE=0)")
        return EXIT_OK
    if args.clear:
        removed = store.clear()
        print(f"removed {removed} cached network{'s' if removed != 1 else ''} from {where}")
        return EXIT_OK
    entries = store.entries()
    size = sum(entry.stat().st_size for entry in entries) / 2**20
    print(f"{where}: {len(entries)} cached network{'s' if len(entries) != 1 else ''}, {size:.1f} MB "
          f"(at most {store.MAX_ENTRIES}; the least recently used go first)")
    return EXIT_OK


def context(args: Namespace) -> int:
    from .context import load_series

    table = load_series(args.network)
    known = list(dict.fromkeys(table["series"]))
    for wanted in args.series:
        if wanted not in known:
            raise CorridorError(f"unknown series {wanted!r}; known: {', '.join(known)}")
    if args.series:
        table = table[table["series"].isin(args.series)]
    if args.chart:
        from .charts import context_chart

        _write_chart(args, lambda: context_chart(table))
    return _output(args, lambda: views.context_view(table),
                   lambda: table.assign(sources=table["sources"].map(list)).to_dict(orient="records"),
                   lambda: table.assign(sources=table["sources"].map(";".join)))


def sweep(args: Namespace) -> int:
    from . import sweep as sweeps

    return sweeps.run_sweep_cli(args.grid, scheduler=args.scheduler, workers=args.workers, out=args.out,
                                quiet=args.quiet)


def skim(args: Namespace) -> int:
    net = _load(args)
    origins, destinations = (_listed(args.origins, "ORIGINS"), _listed(args.destinations, "DESTINATIONS"))
    with views.progress("skimming", quiet=args.quiet):
        frame = net.skim(origins, destinations, by=args.by, conditions=_conditions(net, args), avoid=args.avoid,
                         journeys=args.journeys, seed=args.seed)
    if args.parquet:
        try:
            frame.reset_index().to_parquet(args.parquet, index=False)
        except ImportError as exc:
            raise CorridorError("writing Parquet needs pyarrow: pip install 'corridors[dask]', or use --csv") from exc
        _note(args, f"wrote {args.parquet}")
    return _output(args, lambda: views.skim_view(net, frame, args.by),
                   lambda: {"by": args.by, "journeys": args.journeys, "pairs": views.records(frame.reset_index())},
                   frame.reset_index)


def _listed(text: str, what: str) -> list[str]:
    places = [p.strip() for p in text.split(",") if p.strip()]
    if not places:
        raise CorridorError(f"{what} names no place; give places separated by commas, e.g. \"Xi'an,Chongqing\"")
    return places
