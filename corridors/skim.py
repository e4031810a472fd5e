"""Skims: the best route's distance, time, cost, CO2e and border crossings between many origins and destinations.

One compiled search per origin (see :mod:`corridors.routing`) settles every place at once; the totals of each
destination's path are then summed along the search's tree for all destinations together, by pointer jumping
(each round adds the sums of the path's upper half, so a path of n arcs takes log2(n) rounds of array work).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .conditions import DEFAULT_CONDITIONS, Conditions
from .errors import CorridorError
from .routing import ExpandedGraph, search_from

if TYPE_CHECKING:
    from .network import Network

#: The columns of a skim, in order: the route's totals as :class:`~corridors.route.Route` gives them.
COLUMNS = ("distance_km", "time_h", "time_days", "cost_usd", "co2_kg", "border_crossings", "reachable", "reason")
_TOTALS = ("distance_km", "time_h", "cost_usd", "co2_kg", "border_crossings")


#: The simulated columns a skim adds when it is asked for journeys.
SIMULATED = ("p10_days", "p50_days", "p90_days", "mean_days")


def skim(network: Network, origins: str | Sequence[str], destinations: str | Sequence[str], *, by: str = "time",
         conditions: str | Conditions | None = None, avoid: Iterable[str] = (), journeys: int = 0,
         seed: int | None = 0) -> pd.DataFrame:
    """Return the best route's totals for every origin and destination, one row per pair.

    The frame is indexed by ``(origin, destination)`` place ids and has ``distance_km``, ``time_h`` and
    ``time_days`` (expected, stops included), ``cost_usd`` and ``co2_kg`` (per loaded FEU; NaN without cost or
    emission data), ``border_crossings``, ``reachable`` and, for a pair that is not, the ``reason`` (its totals
    are NaN). A place paired with itself is reachable at zero.

    Routes are chosen as :meth:`Network.route` chooses them: booked under ``typical`` conditions (what
    ``conditions`` closes avoided) and priced under ``conditions``, by ``by``, flights only from or to an airport.
    Unlike :meth:`~corridors.network.Network.route`, a skim does not search again when the best path passes a
    place twice (a rare detour through a yard and back), so for such a pair it gives that path's totals.

    With ``journeys`` > 0 every reachable pair's route is also simulated (:func:`corridors.simulation.journey_totals`,
    the journeys :func:`corridors.simulate` draws) and the skim gains ``p10_days``, ``p50_days``, ``p90_days`` and
    ``mean_days``. Each pair's route is read off its origin's search tree, not searched again; each pair draws
    from its own seed, spawned from ``seed`` in the frame's order (``numpy.random.SeedSequence``), so the same
    request gives the same numbers.
    """
    origin_ids = _places(network, origins)
    destination_ids = _places(network, destinations)
    chosen = network._resolve(conditions)
    booking = network.conditions(DEFAULT_CONDITIONS)
    graph = network.expanded_graph(weight=by, conditions=booking)
    # the graph priced under the conditions has the same arcs in the same order: only their figures differ
    key = (by, booking, chosen)
    if key not in network._skim_totals:  # once per network, weight and conditions, as the graphs are
        network._skim_totals[key] = _arc_totals(network, network.expanded_graph(weight=by, conditions=chosen), graph)
    totals = network._skim_totals[key]
    constraints = network._constraints(list(avoid))
    blocked_places = constraints.places(network._nodes)
    blocked_legs = constraints.legs(network._legs) | network._closed_legs(chosen)
    airports = {p for p in (*origin_ids, *destination_ids) if network._node_records[p]["kind"] == "airport"}
    # every destination's arrival sub-nodes as one array, so that each origin's answers are read at once
    owner, flat = graph.arrivals.flat(destination_ids)
    ends_avoided = (np.fromiter((d in blocked_places for d in destination_ids), dtype=bool,
                                count=len(destination_ids)) if blocked_places else np.zeros(len(destination_ids), bool))
    to_airport = np.fromiter((d in airports for d in destination_ids), dtype=bool, count=len(destination_ids))
    position = {d: j for j, d in enumerate(destination_ids)}
    if not isinstance(journeys, (int, np.integer)) or journeys < 0:
        raise CorridorError(f"journeys must be a whole number ≥ 0, got {journeys!r}")
    no_route = "no route without what is avoided" if constraints else "no route joins them in this network"
    frames = []
    paths: dict[tuple[str, str], list] = {}  # (origin, destination) -> the arcs of its route, when simulating
    for origin in origin_ids:
        # flights are used only when an end of the route is an airport (as Network.route does): a second search
        # when some destinations are airports and others not
        flights = to_airport | (origin in airports)
        values = np.full((len(destination_ids), len(_TOTALS)), np.nan)
        for flying in np.unique(flights):
            modes = set(constraints.modes) | (set() if flying else {"air"})
            dist, sums, via = _tree_totals(graph, totals, origin, blocked_places, modes, blocked_legs)
            best = _nearest(dist[flat], owner, len(destination_ids))
            found = (best >= 0) & (flights == flying)
            values[found] = sums[flat[best[found]]]
            if journeys:
                for j in np.flatnonzero(found):
                    if destination_ids[j] != origin:
                        paths[origin, destination_ids[j]] = _path(graph, via, int(flat[best[j]]))
        reachable = ~np.isnan(values[:, 0])
        reason = np.where(reachable, None, no_route).astype(object)
        if origin in blocked_places:
            values[:], reachable[:], reason[:] = np.nan, False, "an end of the route is avoided"
        values[ends_avoided], reachable[ends_avoided] = np.nan, False
        reason[ends_avoided] = "an end of the route is avoided"
        if origin in position:
            j = position[origin]
            values[j], reachable[j], reason[j] = 0.0, True, None
        frame = pd.DataFrame(values, columns=list(_TOTALS),
                             index=pd.MultiIndex.from_product([[origin], destination_ids],
                                                              names=["origin", "destination"]))
        frame["reachable"] = reachable
        frame["reason"] = reason
        frames.append(frame)
    frame = pd.concat(frames)
    frame["time_days"] = frame["time_h"] / 24.0
    frame["border_crossings"] = frame["border_crossings"].astype("Int64")
    frame["reachable"] = frame["reachable"].astype(bool)
    frame = frame[list(COLUMNS)]
    if journeys:
        frame = _simulated(network, frame, paths, chosen, by, journeys, seed)
    return frame


def _path(graph: ExpandedGraph, via: np.ndarray, node: int) -> list:
    """Return the arcs of the search tree's path to sub-node ``node``, from the origin on."""
    compiled, arcs = graph.compiled, []
    while via[node] >= 0:
        entry = int(via[node])
        arcs.append(graph.arcs[int(compiled.order[entry])])
        node = int(compiled.tail[entry])
    return arcs[::-1]


def _simulated(network: Network, frame: pd.DataFrame, paths: dict[tuple[str, str], list], chosen: Conditions,
               by: str, journeys: int, seed: int | None) -> pd.DataFrame:
    """Return the skim with each reachable pair's simulated P10, P50, P90 and mean days (NaN where unreachable;
    zero for a place with itself)."""
    from .simulation import HOURS_PER_DAY, journey_totals

    seeds = np.random.SeedSequence(seed).spawn(len(frame))
    values = np.full((len(frame), len(SIMULATED)), np.nan)
    for i, (pair, reachable) in enumerate(zip(frame.index, frame["reachable"], strict=True)):
        if not reachable:
            continue
        if pair not in paths:  # a place with itself
            values[i] = 0.0
            continue
        route = network._route(list(pair), paths[pair], chosen, by, booked_under=DEFAULT_CONDITIONS)
        days = journey_totals(route, n=journeys, seed=np.random.default_rng(seeds[i]).integers(2**63)) / HOURS_PER_DAY
        values[i, :3] = np.percentile(days, (10, 50, 90))
        values[i, 3] = days.mean()
    frame = frame.copy()
    frame[list(SIMULATED)] = values
    return frame


def _nearest(dist: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    """Return, per destination, the position in ``dist`` of its nearest arrival (the first of equally near ones,
    as a route takes it), or -1 where none is reached."""
    best = np.full(count, -1, dtype=np.int64)
    reached = np.flatnonzero(np.isfinite(dist))
    order = reached[np.lexsort((reached, dist[reached], owner[reached]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    best[owner[order][first]] = order[first]
    return best


def _places(network: Network, given: str | Sequence[str]) -> list[str]:
    names = [given] if isinstance(given, str) else list(given)
    ids = network._node_records  # an id is its own place (validation refuses a name shared with another place)
    return list(dict.fromkeys(name if name in ids else network.place(name) for name in names))


def _arc_totals(network: Network, priced: ExpandedGraph, graph: ExpandedGraph) -> np.ndarray:
    """Return, per entry of the compiled graph, what its arc adds to each total (columns as in ``_TOTALS``)."""
    countries = {place: record["country"] for place, record in network._node_records.items()}
    country = pd.factorize(pd.Series([countries[p] for p in priced.places], dtype=object))[0]
    is_leg = priced.arc_is_leg
    border = is_leg & (country[priced.arc_place] != country[np.where(is_leg, priced.arc_to_place, priced.arc_place)])
    values = np.column_stack([priced.arc_distance_km, priced.arc_time_h, priced.arc_cost_usd,
                              np.where(is_leg, priced.arc_co2_kg, 0.0), border.astype(float)])
    return values[graph.compiled.order]


def _tree_totals(graph: ExpandedGraph, totals: np.ndarray, origin: str, blocked_places: frozenset[str],
                 blocked_modes: set[str], blocked_legs: frozenset[str]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distance of every sub-node from ``origin``, the totals of the path that reaches it and the entry
    of the compiled graph that reached it (see :func:`corridors.routing.search_from`).

    The totals are summed down the search tree level by level: a sub-node's level (its number of arcs from the
    origin) comes from pointer jumping over the predecessors (log2 of the deepest path rounds over one integer
    column); sorted by level, each level adds its arcs' totals to its parents' sums at once.
    """
    start = dict.fromkeys(graph.departures.get(origin, ()), 0.0)
    dist, via = search_from(graph, start, blocked_places=blocked_places, blocked_modes=blocked_modes,
                            blocked_legs=blocked_legs)
    n = len(via)
    reached = np.flatnonzero(via >= 0)
    parent = np.full(n + 1, n, dtype=np.int64)  # n: a sentinel above every start and unreached sub-node
    parent[reached] = graph.compiled.tail[via[reached]]
    level = np.zeros(n + 1, dtype=np.int64)
    level[reached] = 1
    up = parent.copy()
    while True:  # each round adds the levels counted above, then looks twice as far up
        going = np.flatnonzero(up[:n] < n)
        if not len(going):
            break
        level[going] += level[up[going]]
        up[going] = up[up[going]]
    sums = np.zeros((n + 1, totals.shape[1]))
    order = reached[np.argsort(level[reached], kind="stable")]
    bounds = np.searchsorted(level[order], np.arange(1, int(level[order[-1]]) + 2)) if len(order) else [0]
    added = totals[via[order]]
    for a, b in itertools.pairwise(bounds):
        nodes = order[a:b]
        sums[nodes] = sums[parent[nodes]] + added[a:b]
    return dist, sums[:n], via
