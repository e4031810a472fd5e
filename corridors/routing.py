"""Routing on an expanded graph in which stops are arcs, so that the best route accounts for them exactly.

Each place is split into arrival and departure sub-nodes, one per way of travelling (mode and gauge) of its legs.
A *transfer* arc joins an arrival sub-node to a departure sub-node when freight can change between them there, and
carries the stops that change causes (gauge change, port handling). Each direction of a leg is a chain of arcs:
the stops at its start (border formalities, waiting for a ferry), the leg itself, the stops at its end. The
expanded graph is built once per network, profile and weight, and is never changed by a query: constraints are
masks applied while searching.

Two engines search it and find paths of the same cost. Small graphs (the bundled network has a few thousand arcs)
are searched in pure Python, which stops as soon as the destination is settled and costs nothing to set up. Large
ones are searched by scipy.sparse.csgraph's compiled Dijkstra over the graph as CSR arrays, built once per graph;
it settles the whole graph, but in C, so past :data:`COMPILED_FROM_ARCS` arcs it is the faster
(``benchmarks/bench_scale.py`` measures both). Where two paths cost exactly the same, the engines may pick
different ones.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import dijkstra

from .errors import CorridorError
from .stops import LegState, arrival_stops, departure_stops, transfer_stops

WEIGHTS = ("time", "distance", "cost", "co2")
#: From this many arcs on, searches use the compiled engine. On the synthetic grids (benchmarks/synthetic.py) a
#: search across the network is 4× faster compiled at 9k arcs and 10× at 46k, while a search to a near place
#: stays faster in Python (it stops early); corridor routes cross the network. The bundled network (~1.4k arcs)
#: is searched in Python.
COMPILED_FROM_ARCS = 5_000
ENGINES = ("auto", "python", "compiled")


@dataclass(frozen=True)
class Arc:
    """One arc of the expanded graph: a leg in one direction, or one stop at a place."""

    tail: int
    head: int
    element: str  # "leg" or "stop"
    kind: str  # the mode of a leg, or the kind of a stop
    place: str  # a stop's place; a leg's start
    time_h: float
    distance_km: float
    sources: tuple[str, ...]
    leg: str | None = None  # the leg id (for legs and for the stops attached to a leg)
    cost_usd: float = 0.0
    co2_kg: float = 0.0
    to_place: str | None = None  # a leg's end
    note: str | None = None


@dataclass(frozen=True)
class ExpandedGraph:
    """The expanded graph as compact adjacency lists, with the arcs' payloads."""

    weight: str
    profile: str
    place_of: tuple[str, ...]  # the place of each sub-node
    arcs: tuple[Arc, ...]
    adjacency: tuple[tuple[tuple[int, float, int], ...], ...]  # per sub-node: (head, cost, arc index)
    departures: dict[str, tuple[int, ...]]  # place -> departure sub-nodes
    arrivals: dict[str, tuple[int, ...]]  # place -> arrival sub-nodes
    leg_passages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # leg -> sea passages it sails

    @cached_property
    def compiled(self) -> CompiledGraph:
        """Return the graph as arrays for the compiled engine, built at its first use and kept."""
        return _compile(self)

    def to_networkx(self, *, blocked_modes: Collection[str] = (), blocked_legs: Collection[str] = ()) -> nx.DiGraph:
        """Return the expanded graph as a networkx DiGraph with ``cost`` and ``arc`` edge attributes, leaving out
        the arcs of legs of a blocked mode or a blocked leg."""
        graph = nx.DiGraph()
        graph.add_nodes_from((i, {"place": p}) for i, p in enumerate(self.place_of))
        arcs = self.arcs
        for tail, edges in enumerate(self.adjacency):
            for head, cost, index in edges:
                arc = arcs[index]
                if arc.element == "leg" and (arc.kind in blocked_modes or arc.leg in blocked_legs):
                    continue
                graph.add_edge(tail, head, cost=cost, arc=index)
        return graph


@dataclass(frozen=True, eq=False)
class CompiledGraph:
    """The expanded graph as arrays, one entry per arc, sorted by tail then head (what CSR rows need)."""

    order: np.ndarray  # the arc index (into ExpandedGraph.arcs) of each entry
    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray
    indptr: np.ndarray  # entries of sub-node i: indptr[i]:indptr[i + 1]
    head_place: np.ndarray  # the place (a code into places) each entry arrives at
    mode: np.ndarray  # a leg's mode as a code into modes; -1 for a stop
    leg: np.ndarray  # a leg arc's leg as a code into legs; -1 for a stop
    places: dict[str, int]
    modes: dict[str, int]
    legs: dict[str, int]

    def allowed(self, blocked_places: Collection[str], blocked_modes: Collection[str],
                blocked_legs: Collection[str]) -> np.ndarray | None:
        """Return which entries a search may use (None: all of them)."""
        if not (blocked_places or blocked_modes or blocked_legs):
            return None
        keep = np.ones(len(self.order), dtype=bool)
        for codes, blocked, column in ((self.places, blocked_places, self.head_place), (self.modes, blocked_modes,
                                       self.mode), (self.legs, blocked_legs, self.leg)):
            chosen = [codes[b] for b in blocked if b in codes]
            if chosen:
                keep &= ~np.isin(column, chosen)
        return keep

    def matrix(self, keep: np.ndarray | None, extra: dict[int, float] | None = None) -> scipy.sparse.csr_matrix:
        """Return the graph as a CSR matrix of costs, without the entries not kept; with ``extra``, one more
        sub-node (the last) with an arc to each key, costing its value: a start for a search from several
        sub-nodes that are not all at distance zero."""
        n = len(self.indptr) - 1
        tail, head, cost = self.tail, self.head, self.cost
        if keep is not None:
            tail, head, cost = tail[keep], head[keep], cost[keep]
        indptr = np.searchsorted(tail, np.arange(n + 1))  # tails are sorted
        if extra:
            starts = np.fromiter(extra, dtype=np.int64, count=len(extra))
            head = np.concatenate([head, starts])
            cost = np.concatenate([cost, np.fromiter(extra.values(), dtype=float, count=len(extra))])
            indptr = np.append(indptr, len(head))
            n += 1
        return scipy.sparse.csr_matrix((cost, head, indptr), shape=(n, n))

    def entry(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Return the entry of the arc from each tail to each head (a pair has one arc: see :func:`_compile`)."""
        keys = self.tail.astype(np.int64) * (len(self.indptr) - 1) + self.head
        return np.searchsorted(keys, tail.astype(np.int64) * (len(self.indptr) - 1) + head)


def _compile(graph: ExpandedGraph) -> CompiledGraph:
    """Return the arrays of the compiled engine.

    Two arcs never join the same pair of sub-nodes (a leg's chain runs through sub-nodes of its own, and a
    transfer joins one arrival state to one departure state), which a sparse matrix needs: it would add their
    costs. That is checked here rather than trusted.
    """
    arcs = graph.arcs
    count = len(arcs)
    tail = np.fromiter((a.tail for a in arcs), dtype=np.int64, count=count)
    head = np.fromiter((a.head for a in arcs), dtype=np.int64, count=count)
    cost = np.empty(count)
    for edges in graph.adjacency:
        for _head, value, index in edges:
            cost[index] = value
    order = np.lexsort((head, tail))
    n = len(graph.place_of)
    keys = tail[order] * n + head[order]
    if len(keys) > 1 and (keys[1:] == keys[:-1]).any():
        raise CorridorError("the expanded graph joins a pair of sub-nodes twice; the compiled search needs one arc "
                            "per pair")
    places = {p: i for i, p in enumerate(dict.fromkeys(graph.place_of))}
    place_code = np.fromiter((places[p] for p in graph.place_of), dtype=np.int64, count=n)
    is_leg = [a.element == "leg" for a in arcs]
    modes = {m: i for i, m in enumerate(dict.fromkeys(a.kind for a, leg in zip(arcs, is_leg, strict=True) if leg))}
    legs = {g: i for i, g in enumerate(dict.fromkeys(a.leg for a, leg in zip(arcs, is_leg, strict=True) if leg))}
    mode = np.fromiter((modes[a.kind] if leg else -1 for a, leg in zip(arcs, is_leg, strict=True)), dtype=np.int64,
                       count=count)
    leg = np.fromiter((legs[a.leg] if is_ else -1 for a, is_ in zip(arcs, is_leg, strict=True)), dtype=np.int64,
                      count=count)
    return CompiledGraph(order=order, tail=tail[order], head=head[order], cost=cost[order],
                         indptr=np.searchsorted(tail[order], np.arange(n + 1)), head_place=place_code[head[order]],
                         mode=mode[order], leg=leg[order], places=places, modes=modes, legs=legs)


def search_from(graph: ExpandedGraph, start: dict[int, float], *, blocked_places: Collection[str] = (),
                blocked_modes: Collection[str] = (), blocked_legs: Collection[str] = ()
                ) -> tuple[np.ndarray, np.ndarray]:
    """Return, with the compiled engine, the distance of every sub-node from ``start`` (sub-node → distance at
    which it starts) and the entry of :attr:`ExpandedGraph.compiled` that reached it (-1: a start, or
    unreached, where the distance is inf)."""
    compiled = graph.compiled
    keep = compiled.allowed(blocked_places, blocked_modes, blocked_legs)
    n = len(graph.place_of)
    if all(d == 0.0 for d in start.values()):
        dist, pred = dijkstra(compiled.matrix(keep), indices=list(start), return_predecessors=True, min_only=True)[:2]
    else:  # starts at different distances: one extra sub-node reaches each at its own
        dist, pred = dijkstra(compiled.matrix(keep, start), indices=n, return_predecessors=True)
        dist, pred = dist[:n], pred[:n]
        pred[pred == n] = -9999
    via = np.full(n, -1, dtype=np.int64)
    reached = np.flatnonzero(pred >= 0)
    via[reached] = compiled.entry(pred[reached], reached)
    return dist, via


@dataclass(frozen=True)
class Measure:
    """What one leg or stop takes: time, cost per FEU and CO2e per FEU, with the sources of the figures."""

    time_h: float
    sources: tuple[str, ...]
    cost_usd: float = 0.0
    co2_kg: float = 0.0
    note: str | None = None


#: Resolves one stop: (kind, place, leg or None) -> Measure
StopMeasure = Callable[[str, str, "str | None"], Measure]
#: Resolves one leg: leg id -> Measure
LegMeasure = Callable[[str], Measure]


def build_expanded_graph(
    nodes: dict[str, dict],
    legs: Sequence[dict],
    *,
    weight: str,
    profile: str,
    stop_measure: StopMeasure,
    leg_measure: LegMeasure,
) -> ExpandedGraph:
    """Build the expanded graph of a network for one weight (time, distance, cost or co2) and profile.

    ``nodes`` maps a place id to a dict with ``country`` and ``facilities``; each leg is a dict with ``id``,
    ``from``, ``to``, ``mode``, ``gauge_mm``, ``distance_km`` and ``service``.
    """
    if weight not in WEIGHTS:
        raise CorridorError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    place_of: list[str] = []
    arcs: list[Arc] = []
    sub: dict[tuple[str, str, LegState], int] = {}

    def new_node(place: str) -> int:
        place_of.append(place)
        return len(place_of) - 1

    def sub_node(place: str, side: str, state: LegState) -> int:
        key = (place, side, state)
        if key not in sub:
            sub[key] = new_node(place)
        return sub[key]

    def stop_arc(tail: int, head: int, kind: str, place: str, leg: str | None) -> None:
        m = stop_measure(kind, place, leg)
        arcs.append(Arc(tail, head, "stop", kind, place, m.time_h, 0.0, m.sources, leg=leg, note=m.note,
                        cost_usd=m.cost_usd, co2_kg=m.co2_kg))

    for leg in legs:
        state = LegState(leg["mode"], leg["gauge_mm"])
        m = leg_measure(leg["id"])
        for start, end in ((leg["from"], leg["to"]), (leg["to"], leg["from"])):
            international = nodes[start]["country"] != nodes[end]["country"]
            tail = sub_node(start, "dep", state)
            service = leg["service"] if nodes[start].get("kind") != "passage" else None
            for kind in departure_stops(leg["mode"], service, international):
                head = new_node(start)
                stop_arc(tail, head, kind, start, leg["id"])
                tail = head
            head = new_node(end)
            arcs.append(Arc(tail, head, "leg", leg["mode"], start, m.time_h, leg["distance_km"], m.sources,
                            leg=leg["id"], to_place=end, cost_usd=m.cost_usd, co2_kg=m.co2_kg))
            tail = head
            for kind in arrival_stops(international):
                head = new_node(end)
                stop_arc(tail, head, kind, end, leg["id"])
                tail = head
            arrival = sub_node(end, "arr", state)
            arcs.append(Arc(tail, arrival, "stop", "", end, 0.0, 0.0, (), leg=leg["id"]))  # joins the chain

    states_at: dict[str, dict[str, list[LegState]]] = {}
    for place, side, state in sub:
        states_at.setdefault(place, {"arr": [], "dep": []})[side].append(state)
    for place, sides in states_at.items():
        facilities = nodes[place]["facilities"]
        for arriving in sides["arr"]:
            for departing in sides["dep"]:
                kinds = transfer_stops(facilities, arriving, departing)
                if kinds is None:
                    continue
                tail = sub[(place, "arr", arriving)]
                final = sub[(place, "dep", departing)]
                for n, kind in enumerate(kinds):
                    head = final if n == len(kinds) - 1 else new_node(place)
                    stop_arc(tail, head, kind, place, None)
                    tail = head
                if not kinds:
                    arcs.append(Arc(tail, final, "stop", "", place, 0.0, 0.0, ()))

    adjacency: list[list[tuple[int, float, int]]] = [[] for _ in place_of]
    for index, arc in enumerate(arcs):
        value = {"time": arc.time_h, "distance": arc.distance_km, "cost": arc.cost_usd, "co2": arc.co2_kg}[weight]
        cost = value if weight == "time" else value + 1e-6 * arc.time_h  # ties go to the faster
        adjacency[arc.tail].append((arc.head, cost, index))
    departures: dict[str, list[int]] = {}
    arrivals: dict[str, list[int]] = {}
    for (place, side, _state), index in sub.items():
        (departures if side == "dep" else arrivals).setdefault(place, []).append(index)
    return ExpandedGraph(
        weight=weight,
        profile=profile,
        place_of=tuple(place_of),
        arcs=tuple(arcs),
        adjacency=tuple(tuple(a) for a in adjacency),
        departures={k: tuple(v) for k, v in departures.items()},
        arrivals={k: tuple(v) for k, v in arrivals.items()},
        leg_passages={leg["id"]: tuple(leg.get("passages", ())) for leg in legs if leg.get("passages")},
    )


def _dijkstra(graph: ExpandedGraph, start: dict[int, float], targets: Collection[int],
              blocked_places: Collection[str], blocked_modes: Collection[str], blocked_legs: Collection[str],
              any_target: bool = False) -> tuple[dict[int, float], dict[int, int]]:
    """Return distances and the arc that reached each sub-node, searching until every target is settled.

    With ``any_target`` the search stops at the first target settled: for the destination, any arrival
    sub-node will do, and the first one settled is the nearest.
    """
    dist: dict[int, float] = dict(start)
    via_arc: dict[int, int] = {}
    heap = [(d, n) for n, d in start.items()]
    heapq.heapify(heap)
    remaining = set(targets)
    place_of, adjacency, arcs = graph.place_of, graph.adjacency, graph.arcs
    filtered = bool(blocked_modes or blocked_legs)
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        d, node = pop(heap)
        if d > dist[node]:
            continue  # a stale entry: the node was settled at a shorter distance
        if node in remaining:
            remaining.discard(node)
            if not remaining or any_target:
                break
        for head, cost, index in adjacency[node]:
            if blocked_places and place_of[head] in blocked_places:
                continue
            if filtered:
                arc = arcs[index]
                if arc.element == "leg" and (arc.kind in blocked_modes or arc.leg in blocked_legs):
                    continue
            candidate = d + cost
            if candidate < dist.get(head, math.inf):
                dist[head] = candidate
                via_arc[head] = index
                push(heap, (candidate, head))
    return dist, via_arc


def _compiled_dijkstra(graph: ExpandedGraph, start: dict[int, float], targets: Collection[int],
                       blocked_places: Collection[str], blocked_modes: Collection[str],
                       blocked_legs: Collection[str]) -> tuple[dict[int, float], _ViaArcs]:
    """Return what :func:`_dijkstra` returns, from the compiled engine: the targets' distances, and the arc that
    reached each sub-node (looked up as a path is walked back, not for every sub-node)."""
    dist, via = search_from(graph, start, blocked_places=blocked_places, blocked_modes=blocked_modes,
                            blocked_legs=blocked_legs)
    found = {t: float(dist[t]) for t in targets if np.isfinite(dist[t])}
    return found, _ViaArcs(via, graph.compiled.order)


class _ViaArcs:
    """The arc that reached each sub-node, read from the compiled search's entries as a dict would be."""

    def __init__(self, via: np.ndarray, order: np.ndarray) -> None:
        self._via, self._order = via, order

    def __getitem__(self, node: int) -> int:
        entry = self._via[node]
        if entry < 0:
            raise KeyError(node)
        return int(self._order[entry])


def shortest_arcs(
    graph: ExpandedGraph,
    stages: Sequence[str],
    *,
    blocked_places: Collection[str] = (),
    blocked_modes: Collection[str] = (),
    blocked_legs: Collection[str] = (),
    engine: str = "auto",
) -> list[Arc] | None:
    """Return the arcs of the best path through ``stages`` (origin, vias…, destination) in order, or None.

    ``engine`` is ``"python"``, ``"compiled"`` or ``"auto"`` (compiled from :data:`COMPILED_FROM_ARCS` arcs on).
    """
    if engine not in ENGINES:
        raise CorridorError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    compiled = engine == "compiled" or (engine == "auto" and len(graph.arcs) >= COMPILED_FROM_ARCS)
    frontier = dict.fromkeys(graph.departures.get(stages[0], ()), 0.0)
    paths: list[tuple[dict[int, float], dict[int, int]]] = []
    last = len(stages) - 2
    for stage, place in enumerate(stages[1:]):
        targets = graph.arrivals.get(place, ())
        if compiled:
            dist, via_arc = _compiled_dijkstra(graph, frontier, targets, blocked_places, blocked_modes, blocked_legs)
        else:
            dist, via_arc = _dijkstra(graph, frontier, targets, blocked_places, blocked_modes, blocked_legs,
                                      any_target=stage == last)
        if stage == last:  # only settled targets are final; an unsettled one may still hold a longer tentative
            reached = {t: dist[t] for t in targets if t in dist}
            best = min(reached.values(), default=None)
            reached = {t: d for t, d in reached.items() if d == best}
        else:
            reached = {t: dist[t] for t in targets if t in dist}
        if not reached:
            return None
        paths.append((frontier, via_arc))
        frontier = reached
    end = min(frontier, key=frontier.__getitem__)
    result: list[Arc] = []
    for start, via_arc in reversed(paths):
        node = end
        segment: list[Arc] = []
        while node not in start:
            arc = graph.arcs[via_arc[node]]
            segment.append(arc)
            node = arc.tail
        result[:0] = reversed(segment)
        end = node
    return result


def passes_twice(arcs: Sequence[Arc], leg_passages: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Return whether a path passes some place twice (its legs' ends, the start included) or sails a sea passage
    twice (a ship that sails through Suez and back has gone beyond its destination and returned)."""
    places = _passed(arcs, leg_passages or {})
    return len(places) != len(set(places))


def _passed(arcs: Sequence[Arc], leg_passages: dict[str, tuple[str, ...]], start: str | None = None) -> list[str]:
    """Return the places a path passes, in order, with the sea passages it sails as ``passage:NAME``."""
    legs = [arc for arc in arcs if arc.element == "leg"]
    passed = [start] if start is not None else [arc.place for arc in legs[:1]]
    for arc in legs:
        passed.extend(f"passage:{p}" for p in leg_passages.get(str(arc.leg), ()))
        passed.append(str(arc.to_place))
    return passed


def simple_arcs(
    graph: ExpandedGraph,
    stages: Sequence[str],
    *,
    blocked_places: Collection[str] = (),
    blocked_modes: Collection[str] = (),
    blocked_legs: Collection[str] = (),
    candidates: int = 6,
    max_paths: int = 300,
) -> list[Arc] | None:
    """Return the best path through ``stages`` that passes each place once, or None if none is found.

    The expanded graph splits a place into sub-nodes, so a shortest path may enter a place twice (to reach a
    gauge-change yard and come back or, by cost, to sail on and return), and the stages of a via route may cross
    each other. Here each stage's paths are enumerated in order of cost (Yen's algorithm, via networkx), keeping
    those that pass each place once and none that another stage already passes; the first ``candidates`` of each
    stage are combined depth first, once from the first stage on and once from the last stage back (a cheap first
    stage may leave no way on, a cheap last stage no way in), and the cheapest whole path wins. The enumeration
    stops after ``max_paths`` paths per stage, so a route that needs a stage's 300th-best path is not found
    (None), which the caller reports.
    """
    nxgraph = graph.to_networkx(blocked_modes=blocked_modes, blocked_legs=blocked_legs)
    last = len(stages) - 2
    best: list = [math.inf, None]

    def segments(stage: int, starts: Collection[int], ends: Collection[int], passed: frozenset[str]):
        here = stages[stage]
        blocked = (set(blocked_places) | passed) - {here, stages[stage + 1]}
        sub = nx.DiGraph(nxgraph.subgraph(n for n in nxgraph if graph.place_of[n] not in blocked))
        sub.add_edges_from((("source", n) for n in starts if n in sub), cost=0.0)
        sub.add_edges_from(((n, "sink") for n in ends if n in sub), cost=0.0)
        if "source" not in sub or "sink" not in sub or not nx.has_path(sub, "source", "sink"):
            return
        found = 0
        for count, path in enumerate(nx.shortest_simple_paths(sub, "source", "sink", weight="cost")):
            if count >= max_paths or found >= candidates:
                return
            inner = path[1:-1]
            arcs = [graph.arcs[sub.edges[a, b]["arc"]] for a, b in itertools.pairwise(inner)]
            places = _passed(arcs, graph.leg_passages, here)
            if len(places) != len(set(places)) or passed.intersection(places):
                continue
            found += 1
            yield sum(sub.edges[a, b]["cost"] for a, b in itertools.pairwise(inner)), arcs, inner, frozenset(places)

    def keep(cost: float, arcs: list[Arc]) -> None:
        if cost < best[0]:
            best[0], best[1] = cost, arcs

    def forward(stage: int, starts: Collection[int], passed: frozenset[str], cost: float, arcs: list[Arc]) -> None:
        if stage > last:
            keep(cost, arcs)
            return
        ends = graph.arrivals.get(stages[stage + 1], ())
        for more, segment, inner, places in segments(stage, starts, ends, passed - {stages[stage]}):
            if cost + more >= best[0]:
                return  # segments come cheapest first: no later one can do better
            forward(stage + 1, (inner[-1],), passed | places, cost + more, arcs + segment)

    def backward(stage: int, ends: Collection[int], passed: frozenset[str], cost: float, arcs: list[Arc]) -> None:
        if stage < 0:
            keep(cost, arcs)
            return
        # a later stage leaves from a departure sub-node; the stage before ends there, transfer included
        starts = graph.departures.get(stages[stage], ())
        for more, segment, inner, places in segments(stage, starts, ends, passed - {stages[stage + 1]}):
            if cost + more >= best[0]:
                return
            backward(stage - 1, (inner[0],), passed | places, cost + more, segment + arcs)

    forward(0, graph.departures.get(stages[0], ()), frozenset(), 0.0, [])
    if last > 0:
        backward(last, graph.arrivals.get(stages[-1], ()), frozenset(), 0.0, [])
    return best[1]
