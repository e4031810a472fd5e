"""Sweeps: every scenario × origin–destination pair × condition set (× month), as one tidy table.

A sweep is described by a grid file (TOML)::

    scenarios = ["base", "suez_closed", "my_scenario.toml"]   # "base" is the network unchanged
    pairs = [["Xi'an", "Duisburg"], ["Chongqing", "Poti"]]
    conditions = ["typical", "congested", "2022"]
    months = [1, 7]          # optional: each condition set is also taken in each of these months
    journeys = 2000          # simulated journeys per row
    seed = 42
    network = "my_dataset"   # optional: a dataset folder (default: the bundled network)
    reroute = false          # optional: choose each route under its conditions instead of booking it under typical

Scenario files and the dataset folder are found relative to the grid file. Each row of the result is one task:
the pair is routed on the scenario's network (:meth:`corridors.Network.route`) and its journeys are simulated
(:func:`corridors.simulate`) under the condition set, giving P10 / P50 / P90 / mean days, distance, cost, CO2e,
the corridors the route belongs to and the countries and sea passages it crosses; a pair with no route is a row
with ``reachable`` false and the reason.

The tasks run on Dask — a local cluster of worker processes by default, or any ``distributed`` scheduler given by
address — or in this process (``scheduler="in-process"``, or when Dask is not installed, which is said with a
:class:`SweepWarning` and in ``frame.attrs["ran"]``). Each task's seed is spawned from the grid's seed with
:class:`numpy.random.SeedSequence` in the tasks' fixed order, so the table does not depend on where or in which
order the tasks ran: one worker, twenty, or none give the same numbers. Each scenario's network is built once, in
the calling process, and sent to each worker once: not loaded per task, and not needed on the workers' disks. A
worker keeps it (:class:`Held`), so the next sweep of the same process on the same cluster sends only its name and
finds its graphs built.

Dask (``pip install 'corridors[dask]'``) is optional; Parquet output needs ``pyarrow`` (in the same extra).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sys
import threading
import types
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import CorridorError, NoRouteError
from .requests import passes_in_order
from .scenarios import Scenario, ScenarioError
from .seasons import month_number

if TYPE_CHECKING:
    from .network import Network
    from .registry import Corridor
    from .route import Route

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

#: The scenario entry that means the network unchanged.
BASE = "base"
#: The ``scheduler`` that runs every task in this process, without Dask.
IN_PROCESS = "in-process"
#: The keys a grid file may have; the first five are required.
KEYS = ("scenarios", "pairs", "conditions", "journeys", "seed", "months", "network", "reroute")
REQUIRED = KEYS[:5]
#: The largest number of journeys per row: a sweep of many rows at more than this is a slip (a row of a million
#: journeys keeps ~100 MB of samples on its worker while it is summarised).
MAX_JOURNEYS = 1_000_000
#: How long to wait for a scheduler given by address before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10.0
#: Runs of tasks sent to each worker: enough to even out the workers' loads, few enough that a round trip to the
#: scheduler per run costs little against the run.
CHUNKS_PER_WORKER = 8
#: Networks a process keeps (one per dataset and scenario); a sweep needs as many as it has scenarios.
NETWORK_CACHE_SIZE = 32
#: The columns of a sweep's table, in order (``month`` only when the grid has months).
COLUMNS = ("scenario", "origin", "destination", "conditions", "month", "journeys", "seed", "reachable", "reason",
           "p10_days", "p50_days", "p90_days", "mean_days", "time_days", "distance_km", "cost_usd", "co2_kg",
           "corridors", "countries", "passages", "border_crossings")


class GridError(CorridorError, ValueError):
    """A grid that cannot be swept; ``problems`` lists every problem found, each naming the file and the field."""

    def __init__(self, origin: str, problems: Sequence[str]):
        self.origin = origin
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{origin}: " + (f"{count} problems: " if count > 1 else "")
        super().__init__(head + "; ".join(self.problems))


class SweepWarning(UserWarning):
    """A sweep ran differently from what was asked (in this process, because Dask is not installed)."""


@dataclass(frozen=True)
class Grid:
    """What a sweep runs: scenarios × pairs × condition sets (× months), ``journeys`` per row from ``seed``.

    ``scenarios`` holds the entries as written (``"base"``, a bundled name or a file) and ``changes`` the scenario
    each one reads as (None for ``base``).
    """

    scenarios: tuple[str, ...]
    changes: tuple[Scenario | None, ...]
    pairs: tuple[tuple[str, str], ...]
    conditions: tuple[str, ...]
    journeys: int
    seed: int
    months: tuple[int, ...] = ()
    network: str | None = None  # a dataset folder; None: the bundled network
    reroute: bool = False
    origin: str = "grid"  # where it was read from, for messages

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "grid", folder: Path | None = None) -> Grid:
        """Return the grid described by a mapping shaped like the TOML file; paths are relative to ``folder``.

        Raises GridError listing every problem: unknown or missing keys, values of the wrong kind, scenarios that
        cannot be read.
        """
        problems = [f"unknown key {key!r}; expected {', '.join(KEYS)}" for key in sorted(set(data) - set(KEYS),
                                                                                       key=str)]
        problems += [f"missing {key} ({_HINTS[key]})" for key in REQUIRED if key not in data]
        # a missing key is said once, above; only the keys given are checked further
        scenarios, changes = _scenarios(data["scenarios"], folder, problems) if "scenarios" in data else ((), ())
        pairs = _pairs(data["pairs"], problems) if "pairs" in data else ()
        conditions = _texts("conditions", data["conditions"], problems) if "conditions" in data else ()
        months = _months(data.get("months", []), problems)
        journeys = _whole("journeys", data.get("journeys", 1), 1, MAX_JOURNEYS, problems)
        seed = _whole("seed", data.get("seed", 0), 0, None, problems)
        network = data.get("network")
        if network is not None and not isinstance(network, str):
            problems.append(f"network must be a dataset folder in quotes, got {network!r}")
            network = None
        if network is not None:
            folder_path = ((folder or Path()) / network).resolve()  # the same folder wherever a task runs
            if not folder_path.exists():
                problems.append(f"network: {folder_path} does not exist; give a dataset folder, or leave network "
                                "out for the bundled network")
            network = str(folder_path)
        reroute = data.get("reroute", False)
        if not isinstance(reroute, bool):
            problems.append(f"reroute must be true or false, got {reroute!r}")
        if problems:
            raise GridError(origin, problems)
        return cls(scenarios, changes, pairs, conditions, journeys, seed, months, network, bool(reroute), origin)

    def tasks(self) -> list[Task]:
        """Return the grid's tasks in their fixed order (scenario, pair, condition set, month), each with its seed.

        The seeds are spawned from ``seed`` in this order, so a task's numbers depend only on the grid.
        """
        keys = [(s, p, cond, m) for s in self.scenarios for p in self.pairs for cond in self.conditions
                for m in (self.months or (None,))]
        children = np.random.SeedSequence(self.seed).spawn(len(keys))
        return [Task(name, pair[0], pair[1], cond, month, self.journeys, self.reroute,
                     # 63 bits: a plain int64 in a table, and the seed a user gives simulate() to redo the row
                     int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)))
                for (name, pair, cond, month), child in zip(keys, children, strict=True)]

    def __len__(self) -> int:
        return len(self.scenarios) * len(self.pairs) * len(self.conditions) * max(1, len(self.months))


@dataclass(frozen=True)
class Task:
    """One row of a sweep: a pair routed on a scenario's network and simulated under a condition set."""

    scenario: str  # the grid's entry, which names the network the task runs on
    origin: str
    destination: str
    conditions: str
    month: int | None
    journeys: int
    reroute: bool
    seed: int


_HINTS = {"scenarios": 'a list such as ["base", "suez_closed"]', "pairs": 'a list such as [["Xi\'an", "Poti"]]',
          "conditions": 'a list such as ["typical", "2022"]', "journeys": "simulated journeys per row, e.g. 2000",
          "seed": "a whole number ≥ 0, e.g. 42"}


def _scenarios(value: object, folder: Path | None, problems: list[str]) -> tuple[tuple[str, ...],
                                                                              tuple[Scenario | None, ...]]:
    entries = _texts("scenarios", value, problems)
    changes: list[Scenario | None] = []
    for entry in entries:
        if entry == BASE:
            changes.append(None)
            continue
        path = Path(entry)
        if folder is not None and not path.is_absolute() and (path.suffix or (folder / path).exists()):
            path = folder / path
        try:
            changes.append(Scenario.from_toml(path))
        except ScenarioError as exc:
            problems.append(f"scenarios: {exc}")
            changes.append(None)
    return entries, tuple(changes)


def _pairs(value: object, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        problems.append(f"pairs must be a non-empty list of [origin, destination], got {value!r}")
        return ()
    pairs = []
    for number, pair in enumerate(value, start=1):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)):
            problems.append(f"pairs #{number} must be [origin, destination] (two place names in quotes), got {pair!r}")
            continue
        pairs.append((pair[0], pair[1]))
    repeated = sorted({p for p in pairs if pairs.count(p) > 1})
    problems.extend(f"pairs: {a} → {b} is listed twice" for a, b in repeated)
    return tuple(pairs)


def _texts(key: str, value: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{key} must be a non-empty list of names in quotes, got {value!r}")
        return ()
    repeated = sorted({v for v in value if value.count(v) > 1})
    problems.extend(f"{key}: {v!r} is listed twice" for v in repeated)
    return tuple(value)


def _months(value: object, problems: list[str]) -> tuple[int, ...]:
    if not isinstance(value, list):
        problems.append(f"months must be a list such as [1, 7] or [\"Jan\", \"Jul\"], got {value!r}")
        return ()
    months = []
    for item in value:
        try:
            months.append(month_number(item))
        except CorridorError as exc:
            problems.append(f"months: {exc}")
    problems.extend(f"months: {m} is listed twice" for m in sorted({m for m in months if months.count(m) > 1}))
    return tuple(months)


def _whole(key: str, value: object, low: int, high: int | None, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        limit = f"between {low:,} and {high:,}" if high is not None else f"≥ {low}"
        problems.append(f"{key} must be a whole number {limit}, got {value!r}")
        return low
    return value


def load_grid(path: str | os.PathLike[str]) -> Grid:
    """Return the grid in a TOML file; scenario files and the dataset folder are found relative to it.

    Raises GridError naming the file and listing every problem at once.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise GridError(str(file), ["the grid file does not exist"]) from exc
    except IsADirectoryError as exc:
        raise GridError(str(file), ["a folder, not a grid file"]) from exc
    except UnicodeDecodeError as exc:
        raise GridError(file.name, [f"not UTF-8 text (byte {exc.start}); save the grid as UTF-8"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise GridError(file.name, [f"not valid TOML: {exc}"]) from exc
    return Grid.from_dict(data, origin=file.name, folder=file.parent)


# --- The networks, built once in the client --------------------------------------------------------------------

_networks: OrderedDict[tuple[str | None, tuple, str], Network] = OrderedDict()
_networks_lock = threading.Lock()


def _network(dataset: str | None, change: Scenario | None) -> Network:
    """Return the dataset's network with the scenario applied, loaded once per process and kept.

    A Network is immutable and the key holds everything that made it (the dataset and the scenario's changes), so
    a kept network is the one a fresh load would give; the scenario's name is left out of the key on purpose.
    """
    from .network import load_network

    key = (dataset, _fingerprint(dataset),
           "" if change is None else json.dumps([(c.action, c.settings) for c in change.changes], sort_keys=True,
                                                default=str))
    with _networks_lock:
        if key in _networks:
            _networks.move_to_end(key)
            return _networks[key]
    if change is None:
        network = load_network(dataset) if dataset is not None else load_network()
    else:
        network = change.apply(_network(dataset, None))
    with _networks_lock:
        _networks[key] = network
        while len(_networks) > NETWORK_CACHE_SIZE:
            _networks.popitem(last=False)
    return network


def _fingerprint(dataset: str | None) -> tuple[tuple[str, int, int], ...]:
    """Return the name, size and modification time of each file of the dataset: a kept network whose files have
    changed since (a notebook that edits a CSV between two sweeps) is not used again."""
    from .datasets import data_path

    folder = Path(dataset) if dataset is not None else data_path()
    files = sorted(folder.iterdir()) if folder.is_dir() else [folder]
    return tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file())


def _prepare(grid: Grid) -> tuple[dict[str, Network], dict[str, Corridor]]:
    """Return each scenario's network and the corridors, or raise GridError listing every place, condition set,
    scenario change and corridor the network does not know."""
    from .registry import load_corridors

    problems = []
    try:
        base = _network(grid.network, None)
    except CorridorError as exc:
        raise GridError(grid.origin, [f"network: {exc}"]) from exc
    for number, (origin, destination) in enumerate(grid.pairs, start=1):
        found = []
        for end in (origin, destination):
            try:
                found.append(base.place(end))
            except CorridorError as exc:
                problems.append(f"pairs #{number}: {exc}")
        if len(found) == 2 and found[0] == found[1]:
            problems.append(f"pairs #{number}: {origin} and {destination} are the same place")
    for name in grid.conditions:
        try:
            base.conditions(name)
        except CorridorError as exc:
            problems.append(f"conditions: {exc}")
    networks = {}
    for name, change in zip(grid.scenarios, grid.changes, strict=True):
        try:
            networks[name] = _network(grid.network, change)
        except CorridorError as exc:
            problems.append(f"scenarios: {name}: {exc}")
    # the bundled corridors for the bundled network; a dataset folder's own corridors.csv, or none
    own = Path(grid.network) / "corridors.csv" if grid.network is not None else None
    try:
        registry = {} if own is not None and not own.is_file() else load_corridors(base, own)
    except CorridorError as exc:
        problems.append(f"network: {exc}")
    if problems:
        raise GridError(grid.origin, problems)
    return networks, registry


# --- The work of the tasks: this runs on the workers -----------------------------------------------------------

def run_tasks(tasks: Sequence[Task], networks: Mapping[str, Network | Held], registry: Mapping[str, Corridor]
              ) -> list[dict[str, Any]]:
    """Return the rows of several tasks, in their order (one Dask task for a run of neighbours). A network may come
    as :class:`Held`: a worker's own copy of it, kept from an earlier sweep or from this one's first task."""
    return [run_task(task, _held_network(networks[task.scenario]), registry) for task in tasks]


@dataclass(frozen=True, eq=False)
class Held:
    """A scenario's network as a sweep sends it to a worker: a token naming it, and the network itself unless every
    worker already holds it.

    A network is worth keeping on the worker: the first tasks on a fresh copy build its expanded graphs and price
    its elements under each condition set, about half of what a sweep's tasks cost, and the next sweep on the same
    cluster finds them built. Sending it again would also cost the client about a second (six scenario networks
    pickled for two workers). The token names the network's dataset files and scenario changes, as the client's
    own cache does, and the client process: only sweeps from the same process share what a worker kept.
    """

    token: str
    network: Network | None = None


#: This process's part of every token: a worker keeps networks for the sweeps of one client process only.
_PROCESS = uuid.uuid4().hex[:12]
#: On a worker: the networks of this and earlier sweeps, by token, their graphs and prices built (most recent last).
_held: OrderedDict[str, Network] = OrderedDict()


def _token(network: Network) -> str:
    """Return the token of a network the client built (see :class:`Held`); a network not in the client's cache gets
    a token of its own, never reused."""
    with _networks_lock:
        key = next((k for k, v in _networks.items() if v is network), None)
    named = hashlib.sha256(repr(key).encode()).hexdigest()[:24] if key is not None else uuid.uuid4().hex
    return f"{_PROCESS}:{named}"


def _held_tokens() -> list[str]:
    """Return the tokens of the networks this worker holds (run on every worker by the client)."""
    with _networks_lock:
        return list(_held)


def _held_network(value: Network | Held) -> Network:
    """Return the network a task is to use: a Held network is the worker's kept copy (the first that arrived)."""
    if not isinstance(value, Held):
        return value
    with _networks_lock:
        kept = _held.get(value.token)
        if kept is None:
            if value.network is None:  # the client was told this worker holds it; it has since been dropped
                raise CorridorError("a Dask worker no longer holds a network the sweep expected it to keep; "
                                    "run the sweep again")
            kept = _held[value.token] = value.network
        _held.move_to_end(value.token)
        while len(_held) > NETWORK_CACHE_SIZE:
            _held.popitem(last=False)
        return kept


def run_task(task: Task, network: Network, registry: Mapping[str, Corridor]) -> dict[str, Any]:
    """Return one row of a sweep: the task's pair routed on its scenario's network and simulated, with the
    corridors of ``registry`` its route is a way of."""
    from .simulation import simulate

    conditions = network.conditions(task.conditions, month=task.month)
    row: dict[str, Any] = {"scenario": task.scenario, "origin": network.place(task.origin),
                           "destination": network.place(task.destination), "conditions": task.conditions,
                           "month": task.month, "journeys": task.journeys, "seed": task.seed}
    try:
        route = network.route(task.origin, task.destination, conditions=conditions, reroute=task.reroute)
    except NoRouteError as exc:
        return {**row, "reachable": False, "reason": exc.reason}
    transit = simulate(route, n=task.journeys, seed=task.seed)
    p = transit.percentiles((10, 50, 90))
    return {**row, "reachable": True, "reason": "", "p10_days": p["P10"], "p50_days": p["P50"],
            "p90_days": p["P90"], "mean_days": transit.mean_days, "time_days": route.time_days,
            "distance_km": route.distance_km, "cost_usd": route.cost_usd, "co2_kg": route.co2_kg,
            "corridors": ";".join(_corridors_of(route, network, registry)), "countries": "–".join(route.countries),
            "passages": ";".join(route.passages), "border_crossings": len(route.border_crossings)}


def _corridors_of(route: Route, network: Network, registry: Mapping[str, Corridor]) -> list[str]:
    """Return the ids of the corridors the route is a way of: it passes their places and nothing they avoid.

    The avoid lists are read by the network's own reader and the requirements by the corridor's own check, so a
    route counts as a corridor's by the rules that route it.
    """
    places = set(route.places)
    modes = {leg.mode for leg in route.legs}
    legs = {leg.leg for leg in route.legs if leg.leg}
    found = []
    for rule in _corridor_rules(network, registry):
        via = [v for v in rule.via if v not in (route.origin, route.destination)]
        if not (passes_in_order(route.places, via) or passes_in_order(route.places, via[::-1])):
            continue
        if rule.places & places or rule.modes & modes or rule.legs & legs or rule.corridor._missing(route):
            continue
        found.append(rule.corridor.id)
    return found


@dataclass(frozen=True)
class _CorridorRule:
    """A corridor's places and what it avoids, resolved once per network (not once per row)."""

    corridor: Corridor
    via: tuple[str, ...]
    places: frozenset[str]
    modes: frozenset[str]
    legs: frozenset[str]


_rules: dict[tuple[int, int], tuple[Network, Mapping, tuple[_CorridorRule, ...]]] = {}


def _corridor_rules(network: Network, registry: Mapping[str, Corridor]) -> tuple[_CorridorRule, ...]:
    # keyed by identity, holding both objects so that their ids are not reused while the entry lives; a worker
    # holds one network per scenario and one registry for the whole sweep
    kept = _rules.get((id(network), id(registry)))
    if kept is not None and kept[0] is network and kept[1] is registry:
        return kept[2]
    rules = []
    for corridor in registry.values():
        avoided = network._constraints(corridor.avoid)
        rules.append(_CorridorRule(corridor, tuple(network.place(v) for v in corridor.via),
                                   frozenset(avoided.places(network.nodes)), frozenset(avoided.modes),
                                   avoided.legs(network.legs)))
    with _networks_lock:
        if len(_rules) >= NETWORK_CACHE_SIZE:
            _rules.clear()
        _rules[(id(network), id(registry))] = (network, registry, tuple(rules))
    return tuple(rules)


# --- Running a sweep -----------------------------------------------------------------------------------------

def sweep(grid: Grid | str | os.PathLike[str], *, scheduler: str | None = None, workers: int | None = None,
          progress: Callable[[int, int], None] | None = None,
          connect_timeout_s: float = CONNECT_TIMEOUT_S) -> pd.DataFrame:
    """Return one row per scenario × pair × condition set (× month) of a grid, as a tidy DataFrame.

    Parameters
    ----------
    grid
        A :class:`Grid` or the path of a grid file (see :func:`load_grid`).
    scheduler
        ``None`` (default): a local Dask cluster of worker processes, started and stopped here (in this process
        with a :class:`SweepWarning` when Dask is not installed). ``"in-process"``: every task here, without Dask.
        Anything else: the address of a running ``distributed`` scheduler (``tcp://10.0.0.5:8786``); its workers
        need ``corridors`` installed (the same version), not the dataset: the networks are sent to them.
    workers
        The number of worker processes of the local cluster (default: one per core, at most one per task).
    progress
        Called as ``progress(done, total)`` as tasks finish.
    connect_timeout_s
        How long to wait for a scheduler given by address.

    Returns
    -------
    DataFrame
        The columns of :data:`COLUMNS` (``month`` only when the grid has months), rows in the grid's order;
        ``attrs["ran"]`` says where the tasks ran. Unreachable pairs have NaN figures, ``reachable`` false and the
        reason. Names of places, condition sets and scenario changes are checked before any task runs: a
        GridError lists every problem.
    """
    grid = grid if isinstance(grid, Grid) else load_grid(grid)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise CorridorError(f"the number of workers must be a whole number ≥ 1, got {workers!r}")
    if workers is not None and scheduler not in (None, IN_PROCESS):
        raise CorridorError("workers sizes the local cluster; a scheduler given by address has its own workers")
    tasks = grid.tasks()
    networks, registry = _prepare(grid)
    if scheduler is None and not _has_dask():
        warnings.warn("Dask is not installed (pip install 'corridors[dask]'): the sweep runs in this process",
                      SweepWarning, stacklevel=2)
        scheduler = IN_PROCESS
    if scheduler == IN_PROCESS:
        rows, ran = _run_here(tasks, networks, registry, progress), "in this process"
    else:
        rows, ran = _run_on_dask(tasks, networks, registry, scheduler, workers, progress, connect_timeout_s)
    return _table(rows, grid, ran)


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _run_here(tasks: Sequence[Task], networks: Mapping[str, Network], registry: Mapping[str, Corridor],
              progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    rows = []
    for done, task in enumerate(tasks, start=1):
        rows.append(run_task(task, networks[task.scenario], registry))
        if progress is not None:
            progress(done, len(tasks))
    return rows


def _run_on_dask(tasks: Sequence[Task], networks: Mapping[str, Network], registry: Mapping[str, Corridor],
                 scheduler: str | None, workers: int | None,
                 progress: Callable[[int, int], None] | None, connect_timeout_s: float
                 ) -> tuple[list[dict[str, Any]], str]:
    try:
        import distributed
    except ImportError as exc:
        raise CorridorError(f"a sweep on the scheduler {scheduler} needs Dask: pip install 'corridors[dask]'") from exc
    if scheduler is None:
        count = workers or max(1, min(os.cpu_count() or 1, len(tasks)))
        with local_cluster(count) as cluster, distributed.Client(cluster) as client:
            plural = "es" if count > 1 else ""
            rows = _gather(client, tasks, networks, registry, count, progress)
            return rows, f"on a local Dask cluster of {count} worker process{plural}"
    client = _connect(distributed, scheduler, connect_timeout_s)
    with client:
        count = len(client.scheduler_info().get("workers", {}))
        rows = _gather(client, tasks, networks, registry, count, progress)
        return rows, f"on the Dask scheduler at {scheduler} ({count} workers)"


def local_cluster(workers: int | None = None) -> Any:
    """Return a local Dask cluster of ``workers`` processes (default: one per core) of one thread each, set up for
    sweeps; pass its ``scheduler_address`` as ``scheduler`` to run several sweeps on it, and close it after.

    Its workers are quiet (their start and stop are not the user's business; a task's error still reaches the
    caller); its dashboard, if bokeh is installed, takes a free port (``cluster.dashboard_link``) so that two
    clusters can run side by side.
    """
    import dask
    import distributed

    # The nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 so that their freed memory shows as freed; a
    # simulation allocates and frees arrays of a few hundred kB per task, which then go back to the system and are
    # faulted in again each time: tasks ran 3-4× slower than in process. The setting is read when workers start.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                        processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL)


def _connect(distributed: Any, address: str, timeout_s: float) -> Any:
    """Return a client of the scheduler at ``address``, or raise CorridorError saying why it cannot be reached."""
    try:
        return distributed.Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # refused, unreachable, timed out, an unknown protocol
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CorridorError(f"cannot reach a Dask scheduler at {address!r} within {timeout_s:g} s ({reason}); "
                            "start one (`dask scheduler`) and give its address such as tcp://host:8786, or leave "
                            "the scheduler out to run on a local cluster") from exc


def _gather(client: Any, tasks: Sequence[Task], networks: Mapping[str, Network], registry: Mapping[str, Corridor],
            workers: int, progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    """Return the tasks' rows in the tasks' order, whatever order they finish in.

    The client's networks are sent to every worker once (a pickled network is about 1 MB and is read back in
    milliseconds, where loading and checking the dataset takes seconds), so a worker needs neither the dataset
    nor the scenario files, and every worker routes on the very network the client checked.

    The tasks go out in runs of neighbours, ``CHUNKS_PER_WORKER`` runs per worker: a task takes tens of
    milliseconds, about what a round trip to the scheduler costs on a busy machine, and neighbours share their
    scenario's network. A run's rows are still those of its tasks, so the table does not depend on the runs.
    """
    from distributed import as_completed

    count = max(1, min(len(tasks), CHUNKS_PER_WORKER * max(1, workers)))
    bounds = np.linspace(0, len(tasks), count + 1).round().astype(int)
    runs = [list(tasks[a:b]) for a, b in itertools.pairwise(bounds) if b > a]
    # a network every worker kept from an earlier sweep of this process goes by its token alone (see Held); the
    # runs go to those workers only, so that a worker that joins meanwhile is never asked for one it lacks
    tokens = {name: _token(network) for name, network in networks.items()}
    held = client.run(_held_tokens)
    everywhere = set.intersection(*map(set, held.values())) if held else set()
    payload = {name: Held(tokens[name], None if tokens[name] in everywhere else network)
               for name, network in networks.items()}
    # pure=False: the keys need not hash the Scenario objects, and a run is never taken for another
    sent = client.scatter(payload, broadcast=True, hash=False)  # a dict: one future per network
    corridors = client.scatter([dict(registry)], broadcast=True, hash=False)[0]  # one object, so that a worker
    # resolves each corridor's rules once per network, not once per run
    futures = client.map(run_tasks, runs, networks=sent, registry=corridors, pure=False,
                         workers=list(held) or None)
    position = {future.key: i for i, future in enumerate(futures)}
    results: list[list[dict[str, Any]]] = [[] for _ in runs]
    done = 0
    for future in as_completed(futures, loop=client.loop):
        results[position[future.key]] = future.result()
        done += len(results[position[future.key]])
        if progress is not None:
            progress(done, len(tasks))
    return [row for rows in results for row in rows]


def _table(rows: Sequence[Mapping[str, Any]], grid: Grid, ran: str) -> pd.DataFrame:
    columns = [c for c in COLUMNS if c != "month" or grid.months]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for column in ("p10_days", "p50_days", "p90_days", "mean_days", "time_days", "distance_km", "cost_usd",
                   "co2_kg"):
        frame[column] = frame[column].astype(float)
    for column in ("corridors", "countries", "passages"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["border_crossings"] = frame["border_crossings"].astype("Int64")  # none where there is no route
    frame["reachable"] = frame["reachable"].astype(bool)
    frame["reason"] = frame["reason"].fillna("").astype(str)
    frame["seed"] = frame["seed"].astype("int64")
    frame["journeys"] = frame["journeys"].astype("int64")
    if grid.months:
        frame["month"] = frame["month"].astype("int64")
    frame.attrs.update({"ran": ran, "grid": grid.origin, "seed": grid.seed})
    return frame


def write(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a sweep's table as Parquet (``.parquet``) or CSV (``.csv``); return the path written."""
    target = Path(path)
    if target.suffix.lower() not in (".parquet", ".csv"):
        raise CorridorError(f"{target.name}: write a sweep to a .parquet or a .csv file")
    if target.suffix.lower() == ".csv":  # tidy as every CSV of the command line; Parquet keeps full precision
        from .views import csv_text

        target.write_text(csv_text(frame), encoding="utf-8")
        return target
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise CorridorError("writing Parquet needs pyarrow: pip install 'corridors[dask]', or write a .csv") from exc
    frame.to_parquet(target, index=False)
    return target


def run_sweep_cli(grid_path: str | os.PathLike[str], scheduler: str | None = None, workers: int | None = None,
                  out: str | os.PathLike[str] | None = None, quiet: bool = False) -> int:
    """Run ``corridors sweep``: sweep a grid file, write the table when ``out`` is given, print one line; return
    the exit code (0, or 2 with a one-line reason on stderr for a bad grid, scheduler or output)."""
    bar = _progress_bar if not quiet and sys.stderr.isatty() else None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SweepWarning)
            frame = sweep(grid_path, scheduler=scheduler, workers=workers, progress=bar)
        written = write(frame, out) if out is not None else None
    except CorridorError as exc:
        print(f"corridors sweep: {exc}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"corridors sweep: {warning.message}", file=sys.stderr)
    if not quiet:
        reachable = int(frame["reachable"].sum())
        where = f"; wrote {written}" if written is not None else ""
        print(f"swept {len(frame)} rows ({reachable} reachable) {frame.attrs['ran']}{where}")
    return 0


def _progress_bar(done: int, total: int) -> None:
    filled = 30 * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} tasks")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class _CallableModule(types.ModuleType):
    """This module, callable: ``corridors.sweep(grid)`` runs :func:`sweep`, and ``corridors.sweep.load_grid`` and the
    rest stay where they are (a package-level function of the same name would hide the module)."""

    def __call__(self, grid: Grid | str | os.PathLike[str], **options: Any) -> pd.DataFrame:
        return sweep(grid, **options)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["BASE", "COLUMNS", "IN_PROCESS", "Grid", "GridError", "Held", "SweepWarning", "Task", "load_grid",
           "local_cluster", "run_sweep_cli", "run_task", "run_tasks", "sweep", "write"]
