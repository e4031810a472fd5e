"""Skims: the best route's distance, time, cost, CO2e and border crossings between many origins and destinations.

One compiled search per origin (see :mod:`corridors.routing`) settles every place at once; the totals of each
destination's path are then summed down the search's tree for all destinations together, one level of the tree
(the sub-nodes as many arcs from the origin) per array operation. Simulated journeys are drawn through each
pair's elements as :func:`corridors.simulation.journey_totals_of` draws them, each pair from its own seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse
from scipy.sparse.csgraph import breadth_first_order

from .conditions import DEFAULT_CONDITIONS, Conditions
from .errors import CorridorError
from .memory import LARGE, index_dtype, release_unused
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
    chosen = network._resolve(conditions)
    booking = network.conditions(DEFAULT_CONDITIONS)
    graph = network.expanded_graph(weight=by, conditions=booking)
    origin_ids, origin_codes = _places(network, graph, origins)
    destination_ids, destination_codes = _places(network, graph, destinations)
    # the graph priced under the conditions has the same arcs in the same order: only their figures differ
    key = (by, booking, chosen)
    if key not in network._skim_totals:  # once per network, weight and conditions, as the graphs are
        network._skim_totals[key] = _summed(network, network.expanded_graph(weight=by, conditions=chosen), graph,
                                            time_is_cost=by == "time" and chosen == booking)
        if len(graph.arc_tail) >= LARGE:
            release_unused()  # the columns it summed from (a few per arc), before the first search's own arrays
    totals, live, constant, time_is_cost = network._skim_totals[key]
    constraints = network._constraints(list(avoid))
    blocked_places = constraints.places(network._nodes)
    blocked_legs = constraints.legs(network._legs) | network._closed_legs(chosen)
    if ("airports", by) not in network._skim_totals:  # which places are airports, in the graph's codes
        network._skim_totals["airports", by] = (network._nodes["kind"] == "airport").to_numpy()[
            network._nodes.index.get_indexer(graph.place_index)]
    airport = network._skim_totals["airports", by]
    # every destination's arrival sub-nodes as one array, so that each origin's answers are read at once
    owner, flat = graph.arrivals.flat(destination_codes)
    blocked_codes = graph.place_index.get_indexer(pd.Index(list(blocked_places), dtype=object))
    ends_avoided = np.isin(destination_codes, blocked_codes)
    to_airport = airport[destination_codes]
    if not isinstance(journeys, (int, np.integer)) or journeys < 0:
        raise CorridorError(f"journeys must be a whole number ≥ 0, got {journeys!r}")
    no_route = "no route without what is avoided" if constraints else "no route joins them in this network"
    values = np.full((len(origin_ids), len(destination_ids), len(_TOTALS)), np.nan)
    reachable = np.zeros((len(origin_ids), len(destination_ids)), dtype=bool)
    reason = np.full((len(origin_ids), len(destination_ids)), None, dtype=object)
    paths: dict[tuple[str, str], list] = {}  # (origin, destination) -> the arcs of its route, when simulating
    for i, (origin, origin_code) in enumerate(zip(origin_ids, origin_codes.tolist(), strict=True)):
        # flights are used only when an end of the route is an airport (as Network.route does): a second search
        # when some destinations are airports and others not
        flights = to_airport | airport[origin_code]
        for flying in np.unique(flights):
            modes = set(constraints.modes) | (set() if flying else {"air"})
            _fill(values[i], graph, totals, origin, (blocked_places, modes, blocked_legs), live, constant,
                  time_is_cost, flat, owner, flights == flying,
                  paths=(paths, destination_ids) if journeys else None)
        reachable[i] = ~np.isnan(values[i, :, 0])
        reason[i, ~reachable[i]] = no_route
        if origin in blocked_places:
            values[i], reachable[i], reason[i] = np.nan, False, "an end of the route is avoided"
        values[i, ends_avoided], reachable[i, ends_avoided] = np.nan, False
        reason[i, ends_avoided] = "an end of the route is avoided"
        for j in np.flatnonzero(destination_codes == origin_code):
            values[i, j], reachable[i, j], reason[i, j] = 0.0, True, None
    if len(graph.arc_tail) >= LARGE:
        release_unused()  # the searches' and tree walks' working arrays, freed by now, before the frame is made
    # one frame for all pairs, its index made from its levels and codes (nothing to factorise again)
    pairs = values.reshape(-1, len(_TOTALS))
    labels = _labels(network, graph, by)
    index = pd.MultiIndex(levels=[_level(labels, origin_ids, origin_codes),
                                  _level(labels, destination_ids, destination_codes)],
                          codes=[np.repeat(np.arange(len(origin_ids)), len(destination_ids)),
                                 np.tile(np.arange(len(destination_ids)), len(origin_ids))],
                          names=["origin", "destination"], verify_integrity=False)
    crossings = pairs[:, _TOTALS.index("border_crossings")]
    columns = {name: pairs[:, k] for k, name in enumerate(_TOTALS)}
    columns["time_days"] = columns["time_h"] / 24.0
    columns["border_crossings"] = pd.arrays.IntegerArray(np.nan_to_num(crossings).astype(np.int64),
                                                         np.isnan(crossings))
    columns["reachable"] = reachable.reshape(-1)
    columns["reason"] = reason.reshape(-1)
    frame = pd.DataFrame({name: columns[name] for name in COLUMNS}, index=index)
    if journeys:
        frame = _simulated(network, graph, frame, paths, chosen, journeys, seed)
    return frame


def _fill(row: np.ndarray, graph: ExpandedGraph, totals: np.ndarray, origin: str,
          blocked: tuple[frozenset[str], set[str], frozenset[str]], live: list[int], constant: dict[int, float],
          time_is_cost: bool, flat: np.ndarray, owner: np.ndarray, asked: np.ndarray, *,
          paths: tuple[dict[tuple[str, str], list], list[str]] | None) -> None:
    """Fill ``row`` (one origin's totals, a row per destination) for the destinations ``asked`` from one search
    from ``origin``, and with ``paths`` (the dict to fill and the destinations' ids) each pair's arcs.

    A function of its own so that the search's arrays (a million legs' tree walk holds hundreds of megabytes)
    are freed when it returns, not kept until the next origin's search replaces them.
    """
    dist, totals_at, via = _tree_totals(graph, totals, origin, *blocked)
    best = _nearest(dist[flat], owner, len(row))
    found = (best >= 0) & asked
    ends = flat[best[found]]
    row[np.ix_(np.flatnonzero(found), np.asarray(live, dtype=np.intp))] = totals_at(ends)
    for column, value in constant.items():
        row[found, column] = value
    if time_is_cost:
        row[found, _TOTALS.index("time_h")] = dist[ends]
    if paths is not None:
        kept, destination_ids = paths
        for j in np.flatnonzero(found):
            if destination_ids[j] != origin:
                kept[origin, destination_ids[j]] = _path(graph, via, int(flat[best[j]]))


def _path(graph: ExpandedGraph, via: np.ndarray, node: int) -> list[int]:
    """Return the arcs (indices) of the search tree's path to sub-node ``node``, from the origin on (``via`` as
    :func:`corridors.routing.search_from` gives it with ``whole=False``)."""
    compiled, arcs = graph.compiled, []
    searched, order = compiled.searched, compiled.order
    while via[node] >= 0:
        arc = int(via[node])
        if searched.join[arc] >= 0:  # a leg into a sub-node the search merged away, and the join out of it
            arcs.append(int(order[searched.join[arc]]))
        arcs.append(int(order[searched.entry[arc]]))
        node = int(searched.tail[arc])
    return arcs[::-1]


def _simulated(network: Network, graph: ExpandedGraph, frame: pd.DataFrame, paths: dict[tuple[str, str], list[int]],
               chosen: Conditions, journeys: int, seed: int | None) -> pd.DataFrame:
    """Return the skim with each reachable pair's simulated P10, P50, P90 and mean days (NaN where unreachable;
    zero for a place with itself).

    Each pair's journeys are drawn through its route's elements priced under ``chosen``, as a Route built on the
    same arcs carries them (joins are not elements); an arc shared by many pairs' routes is priced once.
    """
    from .simulation import HOURS_PER_DAY, journey_totals_of

    priced: dict[int, object] = {}

    def estimate(arc: int):
        if arc not in priced:
            leg = int(graph.arc_leg[arc])
            leg_id = graph.leg_ids[leg] if leg >= 0 else None
            if graph.arc_is_leg[arc]:  # (kind, estimate): a leg's kind is its mode
                priced[arc] = (network._leg_by_id[str(leg_id)]["mode"], network.price_leg(str(leg_id), chosen))
            elif graph.arc_kind[arc] == 0:
                priced[arc] = None  # a join in the expanded graph, not a stop
            else:
                kind = graph.kinds[int(graph.arc_kind[arc])]
                place = graph.places[int(graph.arc_place[arc])]
                priced[arc] = (kind, network.price_stop(kind, place, leg_id, chosen, graph.arc_directions.get(arc)))
        return priced[arc]

    seeds = np.random.SeedSequence(seed).spawn(len(frame))
    values = np.full((len(frame), len(SIMULATED)), np.nan)
    for i, (pair, reachable) in enumerate(zip(frame.index, frame["reachable"], strict=True)):
        if not reachable:
            continue
        if pair not in paths:  # a place with itself
            values[i] = 0.0
            continue
        elements = [p for p in map(estimate, paths[pair]) if p is not None]
        hours = journey_totals_of(elements, n=journeys, seed=int(np.random.default_rng(seeds[i]).integers(2**63)))
        days = hours / HOURS_PER_DAY
        values[i, :3] = np.percentile(days, (10, 50, 90))
        values[i, 3] = days.mean()
    frame = frame.copy()
    frame[list(SIMULATED)] = values
    return frame


def _nearest(dist: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    """Return, per destination, the position in ``dist`` of its nearest arrival (the first of equally near ones,
    as a route takes it), or -1 where none is reached. ``owner`` (the destination of each position) is sorted, as
    :meth:`~corridors.routing._SubNodes.flat` gives it: each destination's positions are one run."""
    best = np.full(count, -1, dtype=np.int64)
    if not len(owner):
        return best
    run = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    nearest = np.minimum.reduceat(dist, run)[np.searchsorted(run, np.arange(len(owner)), side="right") - 1]
    at = np.flatnonzero((dist == nearest) & np.isfinite(dist))
    first = np.r_[True, owner[at][1:] != owner[at][:-1]] if len(at) else np.zeros(0, dtype=bool)
    best[owner[at[first]]] = at[first]
    return best


def _labels(network: Network, graph: ExpandedGraph, by: str) -> pd.Index:
    """Return the graph's place ids as the index a list of them makes (``pd.Index(ids)``: text, not objects), made
    once per network and weight."""
    if ("labels", by) not in network._skim_totals:
        network._skim_totals["labels", by] = pd.Index(list(graph.places))
    return network._skim_totals["labels", by]


def _level(labels: pd.Index, ids: list[str], codes: np.ndarray) -> pd.Index:
    """Return ``pd.Index(ids)`` for place ids and their codes in the graph, taken from ``labels`` (see :func:`_labels`):
    making an index of half a million ids from their Python strings takes five times as long as taking it."""
    if not len(ids) or (codes < 0).any():
        return pd.Index(ids)
    if len(codes) == len(labels) and (codes == np.arange(len(codes))).all():  # every place, in the graph's order
        return labels
    return labels.take(codes)


def _places(network: Network, graph: ExpandedGraph, given: str | Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Return the place ids of names, ids or aliases (each once, in the order given) and their codes in the
    graph; ids are matched all at once, anything else through :meth:`Network.place`."""
    names = [given] if isinstance(given, str) else list(given)
    codes = graph.place_index.get_indexer(pd.Index(names, dtype=object))
    if (codes >= 0).all():  # all ids (a long list usually is): each kept once, in the order first given
        seen = np.zeros(len(graph.place_index), dtype=bool)
        seen[codes] = True
        if np.count_nonzero(seen) == len(names):  # none twice (told by marks: a sort of half a million is slower)
            return names, codes
        _, first = np.unique(codes, return_index=True)
        first.sort()
        return [names[i] for i in first.tolist()], codes[first]
    ids = np.array(names, dtype=object)
    for i in np.flatnonzero(codes < 0):  # an id is its own place (validation refuses a name shared with another)
        ids[i] = network.place(str(names[i]))
    ids = pd.unique(ids)
    return ids.tolist(), graph.place_index.get_indexer(pd.Index(ids, dtype=object))


def _arc_totals(network: Network, priced: ExpandedGraph) -> Iterator[np.ndarray]:
    """Yield, one column at a time (as in ``_TOTALS``), what each arc of ``priced`` adds to each total."""
    is_leg = priced.arc_is_leg
    yield priced.arc_distance_km
    yield priced.arc_time_h
    yield priced.arc_cost_usd
    yield np.where(is_leg, priced.arc_co2_kg, 0.0)
    # a leg crosses a border when its ends lie in different countries: found per leg (a network's graphs have
    # its legs and places in its own order), then read by each leg's arcs
    country = pd.factorize(network._node_records.column("country"))[0]
    first, last = network._leg_ends
    crosses = country[first] != country[last]
    yield (is_leg & crosses[np.maximum(priced.arc_leg, 0)]).astype(float) if crosses.any() else \
        np.zeros(len(is_leg))


def _summed(network: Network, priced: ExpandedGraph, graph: ExpandedGraph, *, time_is_cost: bool
            ) -> tuple[np.ndarray, list[int], dict[int, float], bool]:
    """Return what a skim sums down its search trees: per arc of the searched graph (:class:`routing.Searched`),
    what it adds to the totals that need summing, and a last row of zeros (for -1: no arc); which totals they
    are (columns as in ``_TOTALS``), the others' value on every path of one arc or more, and whether the time is
    the search's own distance.

    A column that is NaN on every arc (a network without costs) is NaN on every such path, one that is zero on
    every arc (no border) is zero; and when the search weighs typical hours, the distance it reaches a sub-node
    at is the time summed arc by arc in the path's order, as the tree would sum it. Those are not summed again.
    A merged arc adds what its leg adds (its join adds nothing). The table is filled a column at a time: a
    million legs make 4.6M arcs, and each column of them is 37 MB.
    """
    order = graph.compiled.order[graph.compiled.searched.entry]  # each searched arc's first arc (a join adds 0)
    constant: dict[int, float] = {}
    live: list[int] = []
    kept: list[np.ndarray] = []
    for c, column in enumerate(_arc_totals(network, priced)):
        if np.isnan(column).all() or not column.any():
            constant[c] = math.nan if np.isnan(column).all() else 0.0
        elif not (time_is_cost and c == _TOTALS.index("time_h")):
            live.append(c)
            kept.append(column)
    totals = np.zeros((len(order) + 1, len(live)))
    for j, column in enumerate(kept):
        totals[:-1, j] = column[order]
    return totals, live, constant, time_is_cost


def _tree_totals(graph: ExpandedGraph, totals: np.ndarray, origin: str, blocked_places: frozenset[str],
                 blocked_modes: set[str], blocked_legs: frozenset[str]
                 ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], np.ndarray]:
    """Return the distance of every sub-node from ``origin``, a function that gives the totals of the paths that
    reach some sub-nodes (reached ones), and the searched arc that reached each sub-node (see
    :func:`corridors.routing.search_from`).

    The totals are summed down the search tree level by level (a level: the sub-nodes as many arcs from the
    origin), each level's sub-nodes adding their arcs' totals to their parents' sums at once, so that each sum
    is made in the order a route adds its elements. The levels come from a breadth-first walk of the tree in C
    (scipy): its order lists them one after the other, and each level ends where the children of the one before
    it do. The sums stay in that order; only the sub-nodes asked for are looked up in it (arrivals: a sub-node
    the search merged away has no sum).
    """
    start = dict.fromkeys(graph.departures.get(origin, ()), 0.0)
    # the sub-nodes the search merges away stay out of the tree (whole=False): the sub-node after one hangs from
    # the one before, adding the leg into it (the join out of it adds nothing to any total)
    dist, via = search_from(graph, start, blocked_places=blocked_places, blocked_modes=blocked_modes,
                            blocked_legs=blocked_legs, whole=False)
    if not totals.shape[1]:
        return dist, lambda nodes: np.zeros((len(nodes), 0)), via
    reached = np.flatnonzero(via >= 0)
    starts = np.fromiter(start, dtype=np.int64, count=len(start))
    # the tree's own numbering: 0 the root above the starts, then the sub-nodes reached and the starts (a third
    # of all sub-nodes at most, with the merged ones left out), so that the walk's arrays are the tree's size
    members = np.concatenate([reached, starts])
    size = len(members) + 1
    # positions in the tree and arcs of the graph as 32-bit integers where they fit (they index, never add up)
    small = index_dtype(max(len(via), len(totals)))
    local = np.zeros(len(via), dtype=small)
    local[members] = np.arange(1, size)
    parent = np.zeros(size, dtype=small)
    parent[1:len(reached) + 1] = local[graph.compiled.searched.tail[via[reached]]]
    arc = np.full(size, -1, dtype=small)  # what each adds: a start and the root nothing (arc -1)
    arc[1:len(reached) + 1] = via[reached]
    tree = scipy.sparse.csr_matrix((np.ones(size - 1), (parent[1:], np.arange(1, size))), shape=(size, size))
    order = breadth_first_order(tree, 0, directed=True, return_predecessors=False)
    # in breadth-first positions, each level is one slice and its parents' rows come before it
    position = np.empty(size, dtype=small)
    position[order] = np.arange(size)
    # as the platform's index type: a level's take would otherwise convert its slice of 32-bit positions on every
    # call (a fifth of the walk's time, over thousands of levels at a million legs)
    above = position[parent[order]].astype(np.intp)
    # rows are gathered with take (several times faster than fancy indexing of a 2-d array)
    added = np.take(totals, arc[order], axis=0)
    sums = np.zeros((size, totals.shape[1]))  # position 0 is the root, at zero
    ends = np.cumsum(np.diff(tree.indptr)[order]) + 1  # where the children of the nodes up to each position end
    begin, end = 1, int(ends[0])
    while begin < end:
        np.add(np.take(sums, above[begin:end], axis=0), added[begin:end], out=sums[begin:end])
        begin, end = end, int(ends[end - 1])
    return dist, lambda nodes: np.take(sums, position[local[nodes]], axis=0), via
