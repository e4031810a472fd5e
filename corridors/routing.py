"""Routing on an expanded graph in which stops are arcs, so that the best route accounts for them exactly.

Each place is split into arrival and departure sub-nodes, one per way of travelling (mode and gauge) of its legs.
A *transfer* arc joins an arrival sub-node to a departure sub-node when freight can change between them there, and
carries the stops that change causes (gauge change, port handling). Each direction of a leg is a chain of arcs:
the stops at its start (border formalities, waiting for a ferry), the leg itself, the stops at its end. The
expanded graph is built once per network, profile and weight, and is never changed by a query: constraints are
masks applied while searching.

The graph is built with array operations (numpy), one column per attribute of the arcs, so that a network of a
million legs takes seconds rather than minutes; an :class:`Arc` object is made only when a caller reads one (a
route's own arcs). Its elements are priced in bulk through a :class:`Pricing` (see :mod:`corridors.pricing`),
each distinct element once.

Two engines search it and find paths of the same cost. Small graphs (the bundled network has a few thousand arcs)
are searched in pure Python, which stops as soon as the destination is settled and costs nothing to set up. Large
ones are searched by scipy.sparse.csgraph's compiled Dijkstra over the graph as CSR arrays, built once per graph;
it settles the whole graph, but in C, so past :data:`COMPILED_FROM_ARCS` arcs it is the faster
(``benchmarks/bench_scale.py`` measures both). scipy is already a dependency and its Dijkstra takes a CSR matrix
as it is, with no copy into another library's graph type. Where two paths cost exactly the same, the engines may
pick different ones.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from . import contract
from .errors import CorridorError
from .memory import LARGE, index_dtype, release_unused
from .stops import LegState, arrival_stops, departure_stops, transfer_stops

if TYPE_CHECKING:  # imported where used: a route on a small graph needs neither
    import networkx as nx
    import scipy.sparse

WEIGHTS = ("time", "distance", "cost", "co2")
#: From this many arcs on, searches use the compiled engine. On the synthetic grids (benchmarks/synthetic.py) a
#: search across the network is 4× faster compiled at 9k arcs and 10× at 46k, while a search to a near place
#: stays faster in Python (it stops early); corridor routes cross the network. The bundled network (~1.4k arcs)
#: is searched in Python.
COMPILED_FROM_ARCS = 5_000
ENGINES = ("auto", "python", "compiled")
#: The tie-break added to every weight but time: 1e-6 × the arc's hours, so that of equal paths the faster wins.
TIE_BREAK_PER_H = 1e-6


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
    direction: str | None = None  # a gauge change's way (arriving>departing gauge) or a border's side (out, in)


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


@dataclass(frozen=True, eq=False)
class Prices:
    """The measures of many elements as columns: hours, cost and CO2e, and an index into ``infos`` (each
    element's sources and note, stored once per distinct pair)."""

    time_h: np.ndarray
    cost_usd: np.ndarray
    co2_kg: np.ndarray
    info: np.ndarray
    infos: tuple[tuple[tuple[str, ...], str | None], ...]

    @classmethod
    def of(cls, measures: Sequence[Measure]) -> Prices:
        """Return the columns of a list of measures."""
        codes: dict[tuple[tuple[str, ...], str | None], int] = {}
        info = np.fromiter((codes.setdefault((tuple(m.sources), m.note), len(codes)) for m in measures),
                           dtype=np.int64, count=len(measures))
        return cls(np.array([m.time_h for m in measures], dtype=float).reshape(-1),
                   np.array([m.cost_usd for m in measures], dtype=float).reshape(-1),
                   np.array([m.co2_kg for m in measures], dtype=float).reshape(-1), info, tuple(codes))


class Pricing(Protocol):
    """Prices elements in bulk: every leg of a network, every distinct stop (kind, place, leg or None, and its way:
    a gauge change's ``1435>1520``, a border crossing's side ``out`` or ``in``, or None)."""

    def legs(self, ids: Sequence[str]) -> Prices: ...

    def stops(self, kinds: Sequence[str], places: Sequence[str], legs: Sequence[str | None],
              directions: Sequence[str | None] | None = None) -> Prices: ...


@dataclass(frozen=True)
class MeasurePricing:
    """A :class:`Pricing` that asks one callback per element (for callers that price elements one at a time)."""

    stop_measure: StopMeasure
    leg_measure: LegMeasure

    def legs(self, ids: Sequence[str]) -> Prices:
        return Prices.of([self.leg_measure(i) for i in ids])

    def stops(self, kinds: Sequence[str], places: Sequence[str], legs: Sequence[str | None],
              directions: Sequence[str | None] | None = None) -> Prices:
        # a measure callback is asked per (kind, place, leg): a stop's way is not one of its arguments
        return Prices.of([self.stop_measure(k, p, g) for k, p, g in zip(kinds, places, legs, strict=True)])


class _Arcs(Sequence[Arc]):
    """The arcs of an expanded graph, read as :class:`Arc` objects made on first access and kept (a route reads a
    few hundred of a graph's millions; the same object comes back each time, so equal paths compare equal)."""

    def __init__(self, graph: ExpandedGraph) -> None:
        self._graph = graph
        self._made: dict[int, Arc] = {}

    def __len__(self) -> int:
        return len(self._graph.arc_tail)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._graph._arc(index)
        return made

    def __iter__(self) -> Iterator[Arc]:
        return (self[i] for i in range(len(self)))


class _SubNodes(Mapping[str, tuple[int, ...]]):
    """Place id -> its sub-nodes on one side (arrival or departure), in the order they were made."""

    def __init__(self, codes: _CodeOf, place: np.ndarray, node: np.ndarray, place_count: int) -> None:
        order = np.lexsort((node, place))
        self._node = _compact(node[order])  # 32-bit where they fit, as the graph's own columns
        self._indptr = _compact(np.searchsorted(place[order], np.arange(place_count + 1)))
        self._codes = codes
        self._present = np.diff(self._indptr) > 0

    @property
    def index(self) -> pd.Index:
        """Return the place ids by code (the index the sub-nodes' places are looked up in)."""
        return self._codes.index

    @property
    def nodes(self) -> np.ndarray:
        """Return every place's sub-nodes on this side."""
        return self._node

    def flat(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the sub-nodes of all these places (codes into :attr:`ExpandedGraph.places`; -1: none) as one
        array, and the position in ``codes`` of each one's place (a place with none has no entry)."""
        codes = np.asarray(codes, dtype=np.int64)
        known = codes >= 0
        known[known] = self._present[codes[known]]
        first = np.where(known, self._indptr[np.maximum(codes, 0)], 0).astype(np.int64)
        counts = np.where(known, self._indptr[np.maximum(codes, 0) + 1] - first, 0)
        owner = np.repeat(np.arange(len(codes)), counts)
        within = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        return owner, self._node[np.repeat(first, counts) + within]

    def __getitem__(self, place: str) -> tuple[int, ...]:
        code = self._codes.get(place)
        if code is None or not self._present[code]:
            raise KeyError(place)
        return tuple(self._node[self._indptr[code]:self._indptr[code + 1]].tolist())

    def __iter__(self) -> Iterator[str]:
        names = self._codes.index
        return (names[i] for i in np.flatnonzero(self._present).tolist())

    def __len__(self) -> int:
        return int(self._present.sum())


@dataclass(frozen=True, eq=False)
class ExpandedGraph:
    """The expanded graph as arrays, one entry per arc and per sub-node, with the arcs' payloads.

    Arc ``i`` joins sub-node ``arc_tail[i]`` to ``arc_head[i]``; it is a leg when ``arc_is_leg[i]`` (its kind is
    then the mode), its kind is ``kinds[arc_kind[i]]`` (the empty string for a join, which is no stop), its place
    ``places[arc_place[i]]``, a leg's end ``places[arc_to_place[i]]``, its leg ``leg_ids[arc_leg[i]]`` (-1: none),
    its sources and note ``infos[arc_info[i]]``; ``arc_cost`` is what the search weighs.
    """

    weight: str
    profile: str
    places: tuple[str, ...]  # the place ids, coded by position
    node_place: np.ndarray  # the place code of each sub-node
    kinds: tuple[str, ...]
    leg_ids: tuple[str, ...]
    infos: tuple[tuple[tuple[str, ...], str | None], ...]
    arc_tail: np.ndarray
    arc_head: np.ndarray
    arc_is_leg: np.ndarray
    arc_kind: np.ndarray
    arc_place: np.ndarray
    arc_to_place: np.ndarray
    arc_leg: np.ndarray
    arc_info: np.ndarray
    arc_time_h: np.ndarray
    arc_distance_km: np.ndarray
    arc_cost_usd: np.ndarray
    arc_co2_kg: np.ndarray
    arc_cost: np.ndarray
    departures: _SubNodes  # place -> departure sub-nodes
    arrivals: _SubNodes  # place -> arrival sub-nodes
    leg_passages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # leg -> sea passages it sails
    # arc -> the way of a gauge change (arriving>departing gauge): a few arcs, at gauge-change places only
    arc_directions: dict[int, str] = field(default_factory=dict)

    @cached_property
    def arcs(self) -> Sequence[Arc]:
        """Return the arcs as :class:`Arc` objects, each made when first read."""
        return _Arcs(self)

    @cached_property
    def place_index(self) -> pd.Index:
        """Return the place ids as an index, to code many at once (``get_indexer``)."""
        if isinstance(self.departures, _SubNodes):  # the one the build looked places up in: its hash table made
            return self.departures.index  # once (a second index of half a million places took 21 MB)
        return pd.Index(self.places, dtype=object)

    @cached_property
    def place_of(self) -> tuple[str, ...]:
        """Return the place of each sub-node."""
        return tuple(np.array(self.places, dtype=object)[self.node_place].tolist())

    @cached_property
    def adjacency(self) -> tuple[tuple[tuple[int, float, int], ...], ...]:
        """Return, per sub-node, its arcs as (head, cost, arc index) in the order the arcs were made (what the
        pure-Python engine walks)."""
        order = np.argsort(self.arc_tail, kind="stable")
        bounds = np.searchsorted(self.arc_tail[order], np.arange(len(self.node_place) + 1))
        entries = list(zip(self.arc_head[order].tolist(), self.arc_cost[order].tolist(), order.tolist(),
                           strict=True))
        return tuple(tuple(entries[a:b]) for a, b in itertools.pairwise(bounds.tolist()))

    def _arc(self, i: int) -> Arc:
        to_place, leg = int(self.arc_to_place[i]), int(self.arc_leg[i])
        sources, note = self.infos[int(self.arc_info[i])]
        return Arc(int(self.arc_tail[i]), int(self.arc_head[i]), "leg" if self.arc_is_leg[i] else "stop",
                   self.kinds[int(self.arc_kind[i])], self.places[int(self.arc_place[i])],
                   float(self.arc_time_h[i]), float(self.arc_distance_km[i]), sources,
                   leg=self.leg_ids[leg] if leg >= 0 else None, cost_usd=float(self.arc_cost_usd[i]),
                   co2_kg=float(self.arc_co2_kg[i]), to_place=self.places[to_place] if to_place >= 0 else None,
                   note=note, direction=self.arc_directions.get(i))

    def blocked_arcs(self, blocked_modes: Collection[str] = (), blocked_legs: Collection[str] = ()) -> np.ndarray:
        """Return which arcs are legs of a blocked mode or blocked legs."""
        blocked = np.zeros(len(self.arc_tail), dtype=bool)
        modes = [i for i, k in enumerate(self.kinds) if k in set(blocked_modes)]
        if modes:
            blocked |= self.arc_is_leg & np.isin(self.arc_kind, modes)
        if blocked_legs:
            codes = _codes_of(self.leg_index, blocked_legs)
            if len(codes):
                blocked |= self.arc_is_leg & np.isin(self.arc_leg, codes)
        return blocked

    @cached_property
    def leg_index(self) -> pd.Index:
        """Return the leg ids as an index, to code many at once (``get_indexer``)."""
        return pd.Index(self.leg_ids, dtype=object)

    @cached_property
    def compiled(self) -> CompiledGraph:
        """Return the graph as arrays for the compiled engine, built at its first use and kept."""
        compiled = _compile(self)
        if len(self.arc_tail) >= LARGE:
            release_unused()  # the sort's working arrays, a few times the graph's columns
        return compiled

    def to_networkx(self, *, blocked_modes: Collection[str] = (), blocked_legs: Collection[str] = ()) -> nx.DiGraph:
        """Return the expanded graph as a networkx DiGraph with ``cost`` and ``arc`` edge attributes, leaving out
        the arcs of legs of a blocked mode or a blocked leg."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from((i, {"place": p}) for i, p in enumerate(self.place_of))
        kept = np.flatnonzero(~self.blocked_arcs(blocked_modes, blocked_legs))
        graph.add_edges_from((t, h, {"cost": c, "arc": i}) for t, h, c, i in zip(
            self.arc_tail[kept].tolist(), self.arc_head[kept].tolist(), self.arc_cost[kept].tolist(), kept.tolist(),
            strict=True))
        return graph


@dataclass(frozen=True, eq=False)
class CompiledGraph:
    """The expanded graph as arrays, one entry per arc, sorted by tail then head (what CSR rows need)."""

    order: np.ndarray  # the arc index (into ExpandedGraph.arcs) of each entry
    head: np.ndarray
    indptr: np.ndarray  # entries of sub-node i: indptr[i]:indptr[i + 1]
    places: pd.Index  # place ids by code
    is_join: np.ndarray  # whether each entry is a join (no stop, nothing to add to any total)
    is_end: np.ndarray  # whether each sub-node is a place's arrival or departure sub-node (a search's end)
    graph: ExpandedGraph = field(repr=False)  # what it was compiled from: the columns below are read from it

    # Each entry's tail and cost are read from the graph's columns when asked for, not kept: only the searched
    # graph's build reads them whole (once), a search a few of them; kept, they took 55 MB at a million legs.
    @property
    def tail(self) -> np.ndarray:
        """Return the sub-node each entry leaves (sorted: the rows of :attr:`indptr`)."""
        return self.graph.arc_tail[self.order]

    @property
    def cost(self) -> np.ndarray:
        """Return what the search weighs each entry at."""
        return self.graph.arc_cost[self.order]

    # What a search that blocks places, modes or legs masks by, made the first time one does (most searches block
    # only flights, which a network without them does not have: 18 MB a column at a million legs, never read).
    @cached_property
    def head_place(self) -> np.ndarray:
        """Return the place (a code into :attr:`places`) each entry arrives at."""
        return self.graph.node_place[self.head]

    @cached_property
    def modes(self) -> pd.Index:
        """Return the modes by code: in the order their first arc was made, as the searches' masks expect them."""
        first_seen = pd.unique(self.graph.arc_kind[self.graph.arc_is_leg])  # a few kinds: no sort of every arc
        return pd.Index([self.graph.kinds[k] for k in first_seen.tolist()], dtype=object)

    @cached_property
    def mode(self) -> np.ndarray:
        """Return each entry's mode as a code into :attr:`modes` (-1 for a stop)."""
        _, mode = _first_seen_codes(self.graph.arc_kind, self.graph.arc_is_leg)  # the codes modes is in
        return _compact(np.where(self.graph.arc_is_leg[self.order], mode[self.order], -1))

    @cached_property
    def _legs(self) -> tuple[pd.Index, np.ndarray]:
        codes, leg = _first_seen_codes(self.graph.arc_leg, self.graph.arc_is_leg)
        return (self.graph.leg_index[codes],
                _compact(np.where(self.graph.arc_is_leg[self.order], leg[self.order], -1)))

    @property
    def legs(self) -> pd.Index:
        """Return the leg ids by code."""
        return self._legs[0]

    @property
    def leg(self) -> np.ndarray:
        """Return each leg entry's leg as a code into :attr:`legs` (-1 for a stop)."""
        return self._legs[1]

    def allowed(self, blocked_places: Collection[str], blocked_modes: Collection[str],
                blocked_legs: Collection[str]) -> np.ndarray | None:
        """Return which entries a search may use (None: all of them)."""
        if not (blocked_places or blocked_modes or blocked_legs):
            return None
        keep = None  # what the graph does not have (flights, a leg of another network) blocks nothing
        # codes and columns read by name: each column is made only if something it masks is blocked
        for blocked, codes, column in ((blocked_places, "places", "head_place"), (blocked_modes, "modes", "mode"),
                                       (blocked_legs, "legs", "leg")):
            chosen = _codes_of(getattr(self, codes), blocked) if blocked else ()
            if len(chosen):
                kept = ~np.isin(getattr(self, column), chosen)
                keep = kept if keep is None else keep & kept
        return keep

    @cached_property
    def searched(self) -> Searched:
        """Return the graph the compiled engine searches (see :class:`Searched`), built at its first use."""
        searched = _searched(self)
        if len(self.head) >= LARGE:
            release_unused()  # the merge's working arrays
        return searched

    @cached_property
    def _full(self) -> scipy.sparse.csr_matrix:
        import scipy.sparse

        searched, n = self.searched, len(self.indptr) - 1
        return scipy.sparse.csr_matrix((searched.cost, searched.head, searched.indptr), shape=(n, n))

    def matrix(self, keep: np.ndarray | None, extra: dict[int, float] | None = None) -> scipy.sparse.csr_matrix:
        """Return the searched graph (:attr:`searched`) as a CSR matrix of costs, without the arcs not kept (one
        flag per searched arc); with ``extra``, one more sub-node (the last) with an arc to each key, costing its
        value: a start for a search from several sub-nodes that are not all at distance zero."""
        import scipy.sparse

        if keep is None and not extra:
            return self._full  # the common case, built once: searches do not change it
        n = len(self.indptr) - 1
        tail, head, cost = self.searched.tail, self.searched.head, self.searched.cost
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

    @cached_property
    def sole_entry(self) -> np.ndarray:
        """Return, per sub-node, the entry of its one arc in (-1 where it has none or several)."""
        return _sole_entry(self.head, len(self.indptr) - 1)

    def entry(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Return the entry of the arc from each tail to each head (a pair has one arc: see :func:`_compile`).

        Each tail's row is scanned in step for all pairs at once: rows are short (a sub-node's arcs are those of
        one way of travelling at one place), so a few rounds find them all, faster than a binary search over
        every entry."""
        return _row_entry(self.indptr, self.head, tail, head)


def _row_entry(indptr: np.ndarray, heads: np.ndarray, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Return the entry of the arc from each tail to each head in a CSR graph (see :meth:`CompiledGraph.entry`)."""
    head = np.asarray(head, dtype=np.int64)
    at = indptr[np.asarray(tail, dtype=np.int64)]
    end = indptr[np.asarray(tail, dtype=np.int64) + 1]
    found = np.full(len(at), -1, dtype=np.int64)
    todo = np.arange(len(at))
    while len(todo):
        if (at[todo] >= end[todo]).any():
            raise CorridorError("a predecessor of the compiled search has no arc to its sub-node")
        hit = heads[at[todo]] == head[todo]
        found[todo[hit]] = at[todo[hit]]
        todo = todo[~hit]
        at[todo] += 1
    return found


def _sole_entry(heads: np.ndarray, n: int) -> np.ndarray:
    """Return, per sub-node, the entry of its one arc in (-1 where it has none or several)."""
    arriving = np.bincount(heads, minlength=n)
    sole = np.full(n, -1, dtype=index_dtype(len(heads)))
    one = arriving[heads] == 1
    sole[heads[one]] = np.flatnonzero(one)
    return sole


@dataclass(frozen=True, eq=False)
class Searched:
    """The compiled graph as the compiled engine searches it: each sub-node that only passes freight on merged
    away, its two arcs made one.

    A leg's chain ends in a sub-node of its own, joined to the place's arrival sub-node (so that two legs between
    the same places never join the same pair of sub-nodes). That sub-node has one arc in, the leg, and one out,
    the join, which costs nothing and adds nothing to any total: it is reached exactly when the leg's tail is,
    at the leg's end, and the arrival through it at the same distance (a sum plus zero is the sum). Merging the
    two arcs into one from the leg's tail to the arrival leaves every distance the same, bit for bit, and takes
    about two of every three sub-nodes and two of every five arcs out of a large network's search (a million-leg
    grid: 3.1M sub-nodes, 1.1M searched). Where the merged arc would join a pair already joined, the sub-node is
    kept. :func:`_search_tree` puts the merged sub-nodes back into its answer, so that callers see the compiled
    graph's sub-nodes and arcs.
    """

    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray
    indptr: np.ndarray
    entry: np.ndarray  # per searched arc, the compiled entry of its (first) arc
    join: np.ndarray  # per searched arc, the compiled entry of the join merged into it (-1: none)
    removed: np.ndarray  # the sub-nodes merged away
    removed_in: np.ndarray  # the compiled entry of the one arc into each

    @cached_property
    def sole_entry(self) -> np.ndarray:
        """Return, per sub-node, the searched arc of its one arc in (-1 where it has none or several)."""
        return _sole_entry(self.head, len(self.indptr) - 1)


def _searched(compiled: CompiledGraph) -> Searched:
    n = len(compiled.indptr) - 1
    tail, head, cost = compiled.tail, compiled.head, compiled.cost
    arriving = np.bincount(head, minlength=n)
    leaving = np.diff(compiled.indptr)
    first_out = np.minimum(compiled.indptr[:-1], max(len(head) - 1, 0))
    passing = (arriving == 1) & (leaving == 1) & ~compiled.is_end
    passing[passing] = compiled.is_join[first_out[passing]]
    # a sub-node whose arc in comes from, or whose join goes to, another passing one stays: one merge per arc
    sole_in = compiled.sole_entry
    node = np.flatnonzero(passing)
    node = node[~passing[tail[sole_in[node]]] & ~passing[head[first_out[node]]]]
    into, out = sole_in[node], first_out[node]
    new_head = head.copy()
    new_head[into] = head[out]
    # where a merged arc would join a pair of sub-nodes already joined, keep the sub-node: each tail's row is
    # short (one way of travelling at one place), so it is scanned in step for all merged arcs at once
    clash = np.zeros(len(node), dtype=bool)
    row, end = compiled.indptr[tail[into]], compiled.indptr[tail[into] + 1]
    while True:
        open_ = row < end
        if not open_.any():
            break
        at = row[open_]
        clash[open_] |= (at != into[open_]) & (new_head[at] == head[out][open_])
        row[open_] += 1
    node, into, out = node[~clash], into[~clash], out[~clash]  # two merged arcs that clash: both kept
    new_head = head.copy()
    new_head[into] = head[out]
    kept = np.ones(len(head), dtype=bool)
    kept[out] = False
    join = np.full(len(head), -1, dtype=index_dtype(len(head)))
    join[into] = out
    entry = np.flatnonzero(kept)
    s_tail = tail[entry]
    # codes as 32-bit integers where they fit, the row pointers too, so that scipy takes the arrays as they are
    return Searched(tail=s_tail, head=new_head[entry], cost=cost[entry],
                    indptr=_compact(np.searchsorted(s_tail, np.arange(n + 1))), entry=_compact(entry),
                    join=_compact(join[entry]), removed=_compact(node), removed_in=_compact(into))


def _compile(graph: ExpandedGraph) -> CompiledGraph:
    """Return the arrays of the compiled engine.

    Two arcs never join the same pair of sub-nodes (a leg's chain runs through sub-nodes of its own, and a
    transfer joins one arrival state to one departure state), which a sparse matrix needs: it would add their
    costs. That is checked here rather than trusted.
    """
    tail, head = graph.arc_tail, graph.arc_head
    order = np.lexsort((head, tail))
    n = len(graph.node_place)
    keys = tail[order].astype(np.int64) * n + head[order]
    if len(keys) > 1 and (keys[1:] == keys[:-1]).any():
        raise CorridorError("the expanded graph joins a pair of sub-nodes twice; the compiled search needs one arc "
                            "per pair")
    del keys
    is_leg = graph.arc_is_leg[order]
    return CompiledGraph(order=_compact(order), head=head[order],
                         indptr=_compact(np.searchsorted(tail[order], np.arange(n + 1))), places=graph.place_index,
                         is_join=~is_leg & (graph.arc_kind[order] == 0),
                         is_end=_marked(n, graph.departures.nodes, graph.arrivals.nodes), graph=graph)


def _marked(n: int, *chosen: np.ndarray) -> np.ndarray:
    """Return n flags, set at the chosen positions."""
    flags = np.zeros(n, dtype=bool)
    for positions in chosen:
        flags[positions] = True
    return flags


def _codes_of(index: pd.Index, values: Collection[str]) -> np.ndarray:
    """Return the codes (positions in ``index``) of those of ``values`` it holds."""
    codes = index.get_indexer(pd.Index(list(values), dtype=object))
    return codes[codes >= 0]


def _first_seen_codes(values: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct values among the chosen entries in order of first appearance, and each entry's code
    into them (-1 where not chosen)."""
    codes = np.full(len(values), -1, dtype=np.int64)
    if not chosen.any():
        return np.empty(0, dtype=np.int64), codes
    distinct, first, inverse = np.unique(values[chosen], return_index=True, return_inverse=True)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(distinct))
    codes[chosen] = rank[inverse.reshape(-1)]
    return distinct[np.argsort(first, kind="stable")], codes


def search_from(graph: ExpandedGraph, start: dict[int, float], *, blocked_places: Collection[str] = (),
                blocked_modes: Collection[str] = (), blocked_legs: Collection[str] = (), whole: bool = True
                ) -> tuple[np.ndarray, np.ndarray]:
    """Return, with the compiled engine, the distance of every sub-node from ``start`` (sub-node → distance at
    which it starts) and the entry of :attr:`ExpandedGraph.compiled` that reached it (-1: a start, or
    unreached, where the distance is inf).

    With ``whole=False`` the answer is the search's own, on :attr:`CompiledGraph.searched`: the sub-nodes it
    merged away are left unreached, and each sub-node reached has the searched arc (a position in
    :class:`Searched`'s columns) that reached it: what a skim sums, without the work of putting them back."""
    dist, pred = _search_tree(graph, start, blocked_places, blocked_modes, blocked_legs, whole=whole)
    compiled = graph.compiled
    # entries as 32-bit integers where they fit (as the graph's own columns): 12 MB less a million legs' search
    via = np.full(len(pred), -1, dtype=index_dtype(len(compiled.head)))
    reached = np.flatnonzero(pred >= 0)
    if not whole:
        searched = compiled.searched
        arc = searched.sole_entry[reached]
        shared = arc < 0
        arc[shared] = _row_entry(searched.indptr, searched.head, pred[reached[shared]], reached[shared])
        via[reached] = arc
    else:
        via[reached] = compiled.sole_entry[reached]  # most sub-nodes have one arc in: it is the one
        several = reached[via[reached] < 0]
        via[several] = compiled.entry(pred[several], several)
    return dist, via


def _search_tree(graph: ExpandedGraph, start: dict[int, float], blocked_places: Collection[str],
                 blocked_modes: Collection[str], blocked_legs: Collection[str], *, whole: bool = True
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Return the compiled search's distances and predecessor sub-nodes (negative: a start, or unreached), over
    every sub-node of the compiled graph: the search runs on :attr:`CompiledGraph.searched`, and the sub-nodes it
    merged away are put back as the full graph's search would find them (with ``whole=False``, left out)."""
    from scipy.sparse.csgraph import dijkstra

    compiled = graph.compiled
    searched = compiled.searched
    keep = compiled.allowed(blocked_places, blocked_modes, blocked_legs)
    kept = None if keep is None else keep[searched.entry] & np.where(searched.join >= 0, keep[searched.join], True)
    n = len(graph.node_place)
    if all(d == 0.0 for d in start.values()):
        dist, pred = dijkstra(compiled.matrix(kept), indices=list(start), return_predecessors=True, min_only=True)[:2]
    else:  # starts at different distances: one extra sub-node reaches each at its own
        dist, pred = dijkstra(compiled.matrix(kept, start), indices=n, return_predecessors=True)
        dist, pred = dist[:n], pred[:n]
        pred[pred == n] = -9999
    if not whole:
        return dist, pred
    # a merged sub-node is reached from its one arc's tail, at that tail's distance plus the arc (as the full
    # graph's search reaches it); the head of a merged arc that was used is reached through it
    removed, into = searched.removed, searched.removed_in
    tail = graph.arc_tail[compiled.order[into]]  # compiled.tail[into], without making all of compiled.tail
    reached = np.isfinite(dist[tail]) if keep is None else np.isfinite(dist[tail]) & keep[into]
    merged = np.flatnonzero(searched.join >= 0)
    used = merged[pred[searched.head[merged]] == searched.tail[merged]]
    if kept is not None:
        used = used[kept[used]]
    pred[searched.head[used]] = compiled.head[searched.entry[used]]
    dist[removed] = np.where(reached, dist[tail] + graph.arc_cost[compiled.order[into]], np.inf)
    pred[removed] = np.where(reached, tail, -9999)
    return dist, pred


def build_expanded_graph(
    nodes: pd.DataFrame | Mapping[str, dict],
    legs: pd.DataFrame | Sequence[dict],
    *,
    weight: str,
    profile: str,
    stop_measure: StopMeasure | None = None,
    leg_measure: LegMeasure | None = None,
    pricing: Pricing | None = None,
    ends: tuple[np.ndarray, np.ndarray] | None = None,
) -> ExpandedGraph:
    """Build the expanded graph of a network for one weight (time, distance, cost or co2) and profile.

    ``nodes`` is a table of places indexed by id with ``country``, ``kind`` and ``facilities`` columns (or a
    mapping of place id to a dict of them); ``legs`` a table of legs indexed by id with ``from``, ``to``,
    ``mode``, ``gauge_mm``, ``distance_km``, ``service`` and ``passages`` (or a sequence of dicts with these and
    ``id``), or either as rows that give their ``ids`` and a ``column`` by name (``Network``'s records). The
    elements are priced by ``pricing`` (every leg, and every distinct stop, once), else one at a time by
    ``stop_measure`` and ``leg_measure``. ``ends`` are the positions of each leg's two ends among the places, when
    the caller has them.

    Sub-nodes and arcs are numbered as a walk over the legs makes them: for each leg, each direction's departure
    sub-node (new the first time its place, side and way of travelling is seen), the stops at its start, the leg,
    the stops at its end and its arrival sub-node; then, place by place in the order of their first sub-node,
    each arrival state joined to each departure state it may change to. That walk is done here with array
    operations, each step over all legs at once.
    """
    if weight not in WEIGHTS:
        raise CorridorError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    if pricing is None:
        if stop_measure is None or leg_measure is None:
            raise CorridorError("building an expanded graph needs a pricing, or both a stop and a leg measure")
        pricing = MeasurePricing(stop_measure, leg_measure)
    place_ids, node_column = _columns(nodes, ("country", "kind", "facilities"))
    leg_index, leg_column = _columns(legs, ("from", "to", "mode", "gauge_mm", "distance_km", "service", "passages"))
    places = tuple(place_ids)
    place_index = pd.Index(places, dtype=object)
    place_code = _CodeOf(place_index)
    country = pd.factorize(node_column["country"])[0]
    passage = node_column["kind"] == "passage"
    facilities, facility_list = _facility_codes(node_column["facilities"])

    # the legs' columns
    count = len(leg_index)
    leg_ids = tuple(leg_index)
    if ends is None:
        ends = (place_index.get_indexer(leg_column["from"]), place_index.get_indexer(leg_column["to"]))
    start_leg, end_leg = (np.asarray(e, dtype=np.int64) for e in ends)
    if count and (min(start_leg.min(), end_leg.min()) < 0):
        unknown = np.flatnonzero((start_leg < 0) | (end_leg < 0))[0]
        raise CorridorError(f"leg {leg_ids[unknown]!r} ends at a place that is not among the places")
    modes, services = leg_column["mode"], leg_column["service"]
    # a way of travelling is a (mode, gauge) pair, coded in the order legs first show it
    mode_code, mode_names = pd.factorize(pd.Series(modes, dtype=object))
    gauges = np.where(pd.isna(leg_column["gauge_mm"]), None, leg_column["gauge_mm"])  # type: ignore[call-overload]
    gauge_code, gauge_values = pd.factorize(pd.Series(gauges, dtype=object), use_na_sentinel=False)
    state, pair = pd.factorize(mode_code.astype(np.int64) * (len(gauge_values) + 1) + gauge_code)
    state = state.astype(np.int64)
    states = [LegState(mode_names[p // (len(gauge_values) + 1)], _gauge(gauge_values[p % (len(gauge_values) + 1)]))
              for p in pair.tolist()]
    has_service = np.fromiter(map(bool, services), dtype=bool, count=count)
    distance = np.asarray(leg_column["distance_km"], dtype=float)
    passages = leg_column["passages"]
    sailing = np.flatnonzero(np.fromiter(map(bool, passages), dtype=bool, count=count))
    leg_passages = {leg_ids[i]: tuple(passages[i]) for i in sailing.tolist()}

    # each leg twice, forward then back: direction k is leg k // 2
    leg_of = np.repeat(np.arange(count), 2)
    start = np.column_stack([start_leg, end_leg]).ravel()
    end = np.column_stack([end_leg, start_leg]).ravel()
    dir_state = state[leg_of]
    international = country[start] != country[end]
    serviced = has_service[leg_of] & ~passage[start]
    # the stops of a chain depend on the mode, a service and a border only: ask stops.py once per combination
    combo = (dir_state * 2 + serviced) * 2 + international
    combos, first, combo_of = np.unique(combo, return_index=True, return_inverse=True)
    combo_of = combo_of.reshape(-1)
    kinds: dict[str, int] = {"": 0}
    for s in states:
        kinds.setdefault(s.mode, len(kinds))
    dep_kinds, arr_kinds = [], []
    for k in first:
        leg = int(leg_of[k])
        dep_kinds.append([kinds.setdefault(x, len(kinds)) for x in departure_stops(
            modes[leg], services[leg] if serviced[k] else None, bool(international[k]))])
        arr_kinds.append([kinds.setdefault(x, len(kinds)) for x in arrival_stops(bool(international[k]))])
    n_dep = np.array([len(x) for x in dep_kinds], dtype=np.int64)[combo_of]
    n_arr = np.array([len(x) for x in arr_kinds], dtype=np.int64)[combo_of]
    width = max(1, max(map(len, dep_kinds)), max(map(len, arr_kinds)))
    dep_table = np.zeros((len(combos), width), dtype=np.int64)
    arr_table = np.zeros((len(combos), width), dtype=np.int64)
    for c, (d, a) in enumerate(zip(dep_kinds, arr_kinds, strict=True)):
        dep_table[c, :len(d)], arr_table[c, :len(a)] = d, a

    # the slots of each direction, in the order the walk makes (or finds) their sub-nodes: its departure
    # sub-node, one new sub-node per stop at the start, the leg's end, one per stop at the end, its arrival
    slots = 3 + n_dep + n_arr
    # the arrays per slot hold positions, places and sub-nodes as 32-bit integers where every slot's number fits
    # (a million legs make six million slots: 24 MB an array instead of 48); the keys and sums that mix them
    # widen first, so every value is the one 64-bit arithmetic gives
    small = index_dtype(int(slots.sum()) + len(places))
    direction = np.repeat(np.arange(len(start), dtype=small), slots)
    offset = np.concatenate([[0], np.cumsum(slots)[:-1]]).astype(small)
    pos = np.arange(len(direction), dtype=small) - offset[direction]
    del offset
    last = slots.astype(small)[direction] - 1
    keyed = (pos == 0) | (pos == last)
    slot_place = np.where(pos <= n_dep[direction], start.astype(small)[direction], end.astype(small)[direction])
    side = pos == last  # False: departure, True: arrival
    keyed_at = np.flatnonzero(keyed)
    key = ((slot_place[keyed_at].astype(np.int64) * 2 + side[keyed_at]) * max(1, len(states))
           + dir_state[direction[keyed_at]])
    _, first_slot, key_of = np.unique(key, return_index=True, return_inverse=True)
    del key
    is_new = ~keyed
    is_new[keyed_at[first_slot]] = True
    node_of_slot = np.cumsum(is_new, dtype=small) - 1
    node_of_slot[keyed_at] = node_of_slot[keyed_at[first_slot]][key_of.reshape(-1)]
    leg_nodes = int(is_new.sum())
    node_place = [slot_place[is_new]]
    # what the transfers below need of the keyed slots (each place's arrival and departure sub-nodes), 64-bit
    k_node = node_of_slot[keyed_at[first_slot]].astype(np.int64)
    k_place = slot_place[keyed_at[first_slot]].astype(np.int64)
    k_side = side[keyed_at[first_slot]]
    k_state = dir_state[direction[keyed_at[first_slot]]]

    # a direction's arcs join its consecutive slots
    arc_slot = np.flatnonzero(pos != last).astype(small)
    a_dir, a_pos = direction[arc_slot], pos[arc_slot]
    tail_node, head_node = node_of_slot[arc_slot], node_of_slot[arc_slot + 1]
    # the walk's working arrays (several per slot: a million legs make six million slots, some 50 MB an array)
    # are done with: freed before the arcs' columns, the transfers and the prices are made, so that they do not
    # add to the peak
    del direction, pos, last, keyed, slot_place, side, keyed_at, is_new, node_of_slot, arc_slot, key_of
    a_dep, a_arr = n_dep[a_dir], n_arr[a_dir]
    is_leg = a_pos == a_dep
    is_join = a_pos == a_dep + a_arr + 1
    a_kind = np.where(a_pos < a_dep, dep_table[combo_of[a_dir], np.minimum(a_pos, width - 1)],
                      arr_table[combo_of[a_dir], np.clip(a_pos - a_dep - 1, 0, width - 1)])
    mode_kind = np.array([kinds[s.mode] for s in states], dtype=np.int64)
    a_kind = np.where(is_leg, mode_kind[dir_state[a_dir]], np.where(is_join, 0, a_kind))
    # a border crossing is priced by its side (contract.BORDER_WAYS): 0 before the leg (leaving a country), 1 after
    # it (arriving), -1 for any other arc
    border_kind = kinds.get("border_crossing", -1)
    a_side = np.where(a_kind == border_kind, (a_pos > a_dep).astype(np.int8), np.int8(-1)).astype(np.int8)
    parts = {
        "tail": [tail_node],
        "head": [head_node],
        "is_leg": [is_leg],
        "kind": [a_kind],
        "place": [np.where(a_pos <= a_dep, start[a_dir], end[a_dir])],
        "to_place": [np.where(is_leg, end[a_dir], -1)],
        "leg": [leg_of[a_dir]],
        "side": [a_side],
    }
    del a_dir, a_pos, a_dep, a_arr, is_leg, is_join, a_kind, start, end, leg_of, dir_state, combo_of
    del tail_node, head_node

    # transfers: place by place in the order of their first sub-node, each arrival state to each departure one
    rank = np.full(len(places), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(rank, k_place, k_node)
    arr = np.flatnonzero(k_side == 1)
    arr = arr[np.lexsort((k_node[arr], rank[k_place[arr]]))]
    dep = np.flatnonzero(k_side == 0)
    dep = dep[np.lexsort((k_node[dep], rank[k_place[dep]]))]
    dep_first = np.searchsorted(rank[k_place[dep]], rank[k_place[arr]])
    dep_count = np.searchsorted(rank[k_place[dep]], rank[k_place[arr]], side="right") - dep_first
    pair_arr = np.repeat(arr, dep_count)
    within = np.arange(len(pair_arr)) - np.repeat(np.cumsum(dep_count) - dep_count, dep_count)
    pair_dep = dep[np.repeat(dep_first, dep_count) + within]
    pair_place = k_place[pair_arr]
    n_states = max(1, len(states))
    pair_combo = (facilities[pair_place] * n_states + k_state[pair_arr]) * n_states + k_state[pair_dep]
    distinct, combo_index = np.unique(pair_combo, return_inverse=True)
    transfer: list[tuple[str, ...] | None] = []
    for c in distinct.tolist():
        rest, departing = divmod(c, n_states)
        fac, arriving = divmod(rest, n_states)
        transfer.append(transfer_stops(facility_list[fac], states[arriving], states[departing]))
    possible = np.array([t is not None for t in transfer], dtype=bool)[combo_index.reshape(-1)]
    pair_arr, pair_dep, pair_place = pair_arr[possible], pair_dep[possible], pair_place[possible]
    # each distinct transfer's stops as a row of a table (their names coded locally), read for every pair at once
    pair_transfer = combo_index.reshape(-1)[possible]
    named: dict[str, int] = {}
    stops_of = [t or () for t in transfer]
    table = np.zeros((len(stops_of), max([1, *map(len, stops_of)])), dtype=np.int64)
    for c, stops in enumerate(stops_of):
        table[c, :len(stops)] = [named.setdefault(x, len(named)) for x in stops]
    lengths = np.array([len(x) for x in stops_of], dtype=np.int64)[pair_transfer] if len(pair_transfer) else \
        np.zeros(0, dtype=np.int64)
    arcs_per = np.maximum(lengths, 1)
    t_pair = np.repeat(np.arange(len(pair_transfer)), arcs_per)
    t_pos = np.arange(len(t_pair)) - np.repeat(np.cumsum(arcs_per) - arcs_per, arcs_per)
    fresh = np.maximum(lengths - 1, 0)  # new sub-nodes between the stops of one transfer
    fresh_first = leg_nodes + np.cumsum(fresh) - fresh
    t_last = t_pos == arcs_per[t_pair] - 1
    t_tail = np.where(t_pos == 0, k_node[pair_arr][t_pair], fresh_first[t_pair] + t_pos - 1)
    t_head = np.where(t_last, k_node[pair_dep][t_pair], fresh_first[t_pair] + t_pos)
    has_stop = lengths[t_pair] > 0
    local = table[pair_transfer[t_pair], np.minimum(t_pos, table.shape[1] - 1)]
    names = list(named)
    for code in pd.unique(local[has_stop]).tolist():  # kinds coded in the order the arcs first show them
        kinds.setdefault(names[code], len(kinds))
    kind_of_local = np.array([kinds.get(x, 0) for x in names] or [0], dtype=np.int64)
    t_kind = np.where(has_stop, kind_of_local[local], 0)
    # a gauge change is priced by its way (the row for 1435>1520 may differ from the one for 1520>1435): each
    # transfer arc keeps its arriving and departing state, -1 for any other stop
    gauge_kind = kinds.get("gauge_change", -1)
    t_turn = np.where(t_kind == gauge_kind, (k_state[pair_arr] * n_states + k_state[pair_dep])[t_pair], -1)
    node_place.append(np.repeat(pair_place, fresh))
    for name, values in (("tail", t_tail), ("head", t_head), ("is_leg", np.zeros(len(t_pair), dtype=bool)),
                         ("kind", t_kind), ("place", pair_place[t_pair]), ("to_place", np.full(len(t_pair), -1)),
                         ("leg", np.full(len(t_pair), -1)), ("side", np.full(len(t_pair), -1, dtype=np.int8))):
        parts[name].append(values)
    del t_pair, t_pos, t_tail, t_head, t_kind, local, has_stop, t_last, fresh, fresh_first, lengths, arcs_per
    del pair_arr, pair_dep, pair_place, pair_transfer, pair_combo, combo_index, possible, within, dep_first, dep_count
    chain_arcs = len(parts["tail"][0])  # the transfer arcs follow the chains' arcs
    arc = {}
    for name in list(parts):  # each column's pieces freed as soon as it is joined, its codes made 32-bit
        arc[name] = np.concatenate(parts.pop(name))
        if name in ("tail", "head", "kind", "place", "to_place", "leg"):
            arc[name] = _compact(arc[name])

    # prices: each leg once, each distinct stop (kind, place, leg) once; joins cost nothing
    kind_names = tuple(kinds)
    leg_prices = pricing.legs(leg_ids)
    is_stop = ~arc["is_leg"] & (arc["kind"] != 0)
    stop_at = np.flatnonzero(is_stop)
    # each stop's way: a gauge change's pair of states (below n_turns), a border crossing's side (n_turns + side)
    n_turns = n_states * n_states
    turn_at = np.full(len(stop_at), -1, dtype=np.int64)
    in_transfer = stop_at >= chain_arcs
    turn_at[in_transfer] = t_turn[stop_at[in_transfer] - chain_arcs]
    side_at = arc.pop("side")[stop_at].astype(np.int64)
    turn_at = np.where(side_at >= 0, n_turns + side_at, turn_at)
    stop_key = ((((arc["kind"][stop_at].astype(np.int64) * (len(places) + 1) + arc["place"][stop_at]) * (count + 1)
                 + arc["leg"][stop_at] + 1) * (n_turns + len(contract.BORDER_WAYS) + 1)) + turn_at + 1)
    _, first_stop, stop_of = np.unique(stop_key, return_index=True, return_inverse=True)
    del stop_key, is_stop, _, in_transfer, t_turn, side_at
    at = stop_at[first_stop]
    way = {t: _direction(states[t // n_states], states[t % n_states]) if t < n_turns
           else contract.BORDER_WAYS[t - n_turns] for t in pd.unique(turn_at[turn_at >= 0])}
    stop_prices = pricing.stops([kind_names[k] for k in arc["kind"][at].tolist()],
                                [places[p] for p in arc["place"][at].tolist()],
                                [leg_ids[g] if g >= 0 else None for g in arc["leg"][at].tolist()],
                                [way.get(t) for t in turn_at[first_stop].tolist()])
    turned = np.flatnonzero(turn_at >= 0)
    arc_directions = {a: found for a, t in zip(stop_at[turned].tolist(), turn_at[turned].tolist(), strict=True)
                      if (found := way[t]) is not None}
    del turn_at, turned
    infos: dict[tuple[tuple[str, ...], str | None], int] = {((), None): 0}
    # a leg arc carries its sources; a leg's note (an explicit time's) is read from its estimate by a Route
    leg_info = np.array([infos.setdefault((sources, None), len(infos)) for sources, _ in leg_prices.infos],
                        dtype=np.int64)
    stop_info = np.array([infos.setdefault(x, len(infos)) for x in stop_prices.infos], dtype=np.int64)
    n_arcs = len(arc["tail"])
    time_h, cost_usd, co2_kg = np.zeros(n_arcs), np.zeros(n_arcs), np.zeros(n_arcs)
    info = np.zeros(n_arcs, dtype=index_dtype(len(infos)))
    on_leg = np.flatnonzero(arc["is_leg"])
    of_leg = arc["leg"][on_leg]
    time_h[on_leg], cost_usd[on_leg], co2_kg[on_leg] = (leg_prices.time_h[of_leg], leg_prices.cost_usd[of_leg],
                                                        leg_prices.co2_kg[of_leg])
    info[on_leg] = leg_info[leg_prices.info[of_leg]] if len(leg_info) else 0
    stop_of = stop_of.reshape(-1)
    time_h[stop_at], cost_usd[stop_at], co2_kg[stop_at] = (stop_prices.time_h[stop_of],
                                                           stop_prices.cost_usd[stop_of], stop_prices.co2_kg[stop_of])
    info[stop_at] = stop_info[stop_prices.info[stop_of]] if len(stop_info) else 0
    distance_km = np.where(arc["is_leg"], distance[np.maximum(arc["leg"], 0)], 0.0)
    value = {"time": time_h, "distance": distance_km, "cost": cost_usd, "co2": co2_kg}[weight]
    cost = value if weight == "time" else value + TIE_BREAK_PER_H * time_h  # ties go to the faster
    arc_leg = arc["leg"]
    # the prices' working arrays (several per arc) are done with before the graph's last columns are made
    del stop_at, stop_of, first_stop, at, on_leg, of_leg, leg_prices, stop_prices

    node_place_all = np.concatenate(node_place)
    dep_nodes, arr_nodes = k_side == 0, k_side == 1
    # the graph keeps its codes as 32-bit integers where they fit: half the memory of a large graph's columns
    return ExpandedGraph(
        weight=weight, profile=profile, places=places, node_place=_compact(node_place_all), kinds=kind_names,
        leg_ids=leg_ids, infos=tuple(infos), arc_tail=_compact(arc["tail"]), arc_head=_compact(arc["head"]),
        arc_is_leg=arc["is_leg"], arc_kind=_few(arc["kind"], len(kind_names)), arc_place=_compact(arc["place"]),
        arc_to_place=_compact(arc["to_place"]), arc_leg=_compact(arc_leg), arc_info=_few(info, len(infos)),
        arc_time_h=time_h,
        arc_distance_km=distance_km, arc_cost_usd=cost_usd, arc_co2_kg=co2_kg,
        arc_cost=cost,
        departures=_SubNodes(place_code, k_place[dep_nodes], k_node[dep_nodes], len(places)),
        arrivals=_SubNodes(place_code, k_place[arr_nodes], k_node[arr_nodes], len(places)),
        leg_passages=leg_passages, arc_directions=arc_directions,
    )


def _few(codes: np.ndarray, count: int) -> np.ndarray:
    """Return codes into a list of ``count`` values (kinds of stop, arcs' sources) as the smallest signed integers
    that hold them: a million legs' arcs have a handful of kinds, and 32 bits per arc for them took 18 MB. They are
    only compared and used to index (``int()`` of one, ``np.isin``), never added."""
    for kind in (np.int8, np.int16):
        if count <= np.iinfo(kind).max:
            return codes.astype(kind, copy=False)
    return _compact(codes)


def _compact(codes: np.ndarray) -> np.ndarray:
    """Return integer codes as 32-bit integers when they all fit (arithmetic on them must widen first)."""
    fits = len(codes) == 0 or (codes.min() >= np.iinfo(np.int32).min and codes.max() <= np.iinfo(np.int32).max)
    return codes.astype(np.int32, copy=False) if fits else codes.astype(np.int64, copy=False)


def _columns(table: object, names: Sequence[str]) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Return the ids of a table's rows and the named columns as arrays of Python objects (a missing ``kind`` is
    None, missing ``passages`` are none)."""
    missing = {"kind": None, "passages": ()}
    if hasattr(table, "ids") and hasattr(table, "column"):
        ids, read = table.ids, table.column
    elif isinstance(table, pd.DataFrame):
        ids = table.index
        read = lambda name: table[name].to_numpy(dtype=object) if name in table else None  # noqa: E731
    elif isinstance(table, Mapping):  # place id -> record
        ids, rows = pd.Index(list(table), dtype=object), list(table.values())
        read = lambda name: _objects([r.get(name, missing.get(name)) for r in rows])  # noqa: E731
    else:  # leg records, with their ids
        rows = list(table)  # type: ignore[call-overload]
        ids = pd.Index([r["id"] for r in rows], dtype=object)
        read = lambda name: _objects([r.get(name, missing.get(name)) for r in rows])  # noqa: E731
    columns = {}
    for name in names:
        column = read(name)
        columns[name] = column if column is not None else _objects([missing.get(name)] * len(ids))
    return ids, columns


def _objects(values: Sequence[object]) -> np.ndarray:
    """Return values as a one-dimensional array of objects (tuples stay whole)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


class _CodeOf:
    """A place id's code (its position), looked up one at a time as a dict would be, from an index."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index

    def get(self, place: str, default: int | None = None) -> int | None:
        try:
            at = self.index.get_loc(place)
        except (KeyError, TypeError):
            return default
        return int(at) if isinstance(at, (int, np.integer)) else default


def _facility_codes(values: np.ndarray) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Return each place's facilities as a code, and the distinct sets of facilities in order of first appearance
    (the same set written in another order is the same set)."""
    try:
        written, distinct = pd.factorize(values)
    except TypeError:  # unhashable (lists): as tuples
        as_tuples = np.empty(len(values), dtype=object)
        as_tuples[:] = [tuple(v) for v in values]
        written, distinct = pd.factorize(as_tuples)
    sets: dict[frozenset, int] = {}
    codes: list[int] = []
    for value in distinct:
        codes.append(sets.setdefault(frozenset(value), len(sets)))
    return np.asarray(codes, dtype=np.int64)[written] if len(values) else np.zeros(0, dtype=np.int64), list(sets)


def _direction(arriving: LegState, departing: LegState) -> str | None:
    """Return the way of a gauge change between two states (``1435>1520``), None where either has no gauge."""
    if arriving.gauge_mm is None or departing.gauge_mm is None:
        return None
    return f"{int(arriving.gauge_mm)}>{int(departing.gauge_mm)}"


def _gauge(value: object) -> int | None:
    """Return a leg's gauge as the records hold it (None where it has none)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value  # type: ignore[return-value]


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
    place_of, adjacency = graph.place_of, graph.adjacency
    blocked_arcs = (frozenset(np.flatnonzero(graph.blocked_arcs(blocked_modes, blocked_legs)).tolist())
                    if blocked_modes or blocked_legs else frozenset())
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
            if index in blocked_arcs:
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
    dist, pred = _search_tree(graph, start, blocked_places, blocked_modes, blocked_legs)
    found = {t: float(dist[t]) for t in targets if np.isfinite(dist[t])}
    return found, _ViaArcs(pred, graph.compiled)


class _ViaArcs:
    """The arc that reached each sub-node, read from the compiled search's predecessors as a dict would be: only
    the sub-nodes of the path walked back are looked up."""

    def __init__(self, pred: np.ndarray, compiled: CompiledGraph) -> None:
        self._pred, self._compiled = pred, compiled

    def walk(self, node: int, start: Collection[int]) -> tuple[list[int], int]:
        """Return the arcs (indices, in order) of the path back from ``node`` to the first of ``start`` it meets,
        and that start: the predecessors are followed one by one, their arcs found for the whole path at once."""
        pred, nodes = self._pred, [node]
        while node not in start:
            node = int(pred[node])
            if node < 0:
                raise KeyError(nodes[-1])  # pragma: no cover - a path walked back from a reached node has a start
            nodes.append(node)
        nodes.reverse()
        if len(nodes) < 2:
            return [], node
        path = np.asarray(nodes, dtype=np.int64)
        return self._compiled.order[self._compiled.entry(path[:-1], path[1:])].tolist(), node

    def __getitem__(self, node: int) -> int:
        tail = int(self._pred[node])
        if tail < 0:
            raise KeyError(node)
        compiled = self._compiled
        for entry in range(int(compiled.indptr[tail]), int(compiled.indptr[tail + 1])):  # a short row
            if compiled.head[entry] == node:
                return int(compiled.order[entry])
        raise KeyError(node)  # pragma: no cover - a predecessor always has its arc


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
    paths: list[tuple[dict[int, float], dict[int, int] | _ViaArcs]] = []
    last = len(stages) - 2
    for stage, place in enumerate(stages[1:]):
        targets = graph.arrivals.get(place, ())
        via_arc: dict[int, int] | _ViaArcs
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
        if isinstance(via_arc, _ViaArcs):
            indices, end = via_arc.walk(end, start)
            result[:0] = [graph.arcs[i] for i in indices]
            continue
        node = end
        segment: list[Arc] = []
        while node not in start:
            arc = graph.arcs[via_arc[node]]
            segment.append(arc)
            node = arc.tail
        result[:0] = reversed(segment)
        end = node
    return result


def simple_paths(graph: ExpandedGraph, starts: Collection[int], ends: Collection[int], *,
                 blocked_places: Collection[str] = (), blocked_modes: Collection[str] = (),
                 blocked_legs: Collection[str] = ()) -> Iterator[list[Arc]]:
    """Yield the paths (their arcs) from any of ``starts`` to any of ``ends`` that pass no sub-node twice,
    cheapest first (see :func:`_yen`)."""
    for _cost, arcs in _yen(graph, starts, ends, blocked_places, blocked_modes, blocked_legs):
        yield [graph.arcs[a] for a in arcs]


def _yen(graph: ExpandedGraph, starts: Collection[int], ends: Collection[int], blocked_places: Collection[str],
         blocked_modes: Collection[str], blocked_legs: Collection[str]) -> Iterator[tuple[float, list[int]]]:
    """Yield the cost and arc indices of the paths from any of ``starts`` to any of ``ends`` that pass no sub-node
    twice, cheapest first.

    This is Yen's algorithm (with Lawler's saving: a path's spurs start where it left the path it came from), as
    networkx's ``shortest_simple_paths`` runs it over the graph with a source before the starts and a sink after
    the ends, but over the expanded graph's own adjacency lists and masks: no copy of the graph is made, and each
    spur search is the pure-Python Dijkstra of :func:`_dijkstra`, which stops at the first end it settles.

    Every caller keeps only paths that pass each place once (:func:`passes_twice`), so a spur does not enter a place
    that its root has already left: a place is split into sub-nodes, and without this the enumeration spends most
    of its paths on ways that leave a place and come back to another of its sub-nodes, each of them discarded. The
    paths yielded are still every such path in order of cost; a spur may still move between the sub-nodes of the
    place it starts in (to change gauge there, or mode).
    """
    source, sink = -1, -2
    adjacency, place_of = graph.adjacency, graph.place_of
    blocked_arcs = (frozenset(np.flatnonzero(graph.blocked_arcs(blocked_modes, blocked_legs)).tolist())
                    if blocked_modes or blocked_legs else frozenset())
    blocked = frozenset(blocked_places)
    starts = [n for n in starts if place_of[n] not in blocked]
    end_set = frozenset(n for n in ends if place_of[n] not in blocked)
    cost_of = graph.arc_cost

    def spur(node: int, removed_nodes: set[int], removed_edges: set[tuple[int, int]],
             left: frozenset[str] = frozenset()) -> tuple[float, list[int], list[int]] | None:
        """Return the cheapest way from ``node`` to the sink without the removed nodes and edges, nor the places
        ``left`` behind."""
        excluded = blocked | left
        if node == source:
            dist = {n: 0.0 for n in starts if n not in removed_nodes and (source, n) not in removed_edges}
        else:
            dist = {node: 0.0}
        via: dict[int, int] = {}
        heap = [(d, n) for n, d in dist.items()]
        heapq.heapify(heap)
        while heap:
            d, n = heapq.heappop(heap)
            if d > dist[n]:
                continue
            if n in end_set and (n, sink) not in removed_edges:
                arcs, walk = [], n
                while walk in via:
                    arcs.append(via[walk])
                    walk = int(graph.arc_tail[via[walk]])
                arcs.reverse()
                nodes = [walk, *(int(graph.arc_head[a]) for a in arcs), sink]
                return d, ([source, *nodes] if node == source else nodes), arcs
            for head, cost, index in adjacency[n]:
                if (head in removed_nodes or index in blocked_arcs or place_of[head] in excluded
                        or (n, head) in removed_edges):
                    continue
                candidate = d + cost
                if candidate < dist.get(head, math.inf):
                    dist[head] = candidate
                    via[head] = index
                    heapq.heappush(heap, (candidate, head))
        return None

    first = spur(source, set(), set())
    if first is None:
        return
    counter = itertools.count()
    candidates = [(first[0], next(counter), first[1], first[2], 0)]
    # the paths yielded so far as a trie (node -> the trie of what follows it): the next nodes of every yielded path
    # that shares a root are the children of the root's end, found in one step per node instead of comparing the
    # root with every yielded path (which made a long enumeration quadratic in its paths)
    chosen: dict[int, dict] = {}
    seen = {tuple(first[1])}
    while candidates:
        total, _, nodes, arcs, deviation = heapq.heappop(candidates)
        branch = chosen
        for n in nodes:
            branch = branch.setdefault(n, {})
        yield total, arcs
        prefix = [0.0, 0.0, *itertools.accumulate(float(cost_of[a]) for a in arcs)]  # cost up to node i
        under = chosen
        for n in nodes[:deviation]:
            under = under[n]
        behind = {place_of[n] for n in nodes[:deviation] if n >= 0}  # the places of the root before its end
        before = set(nodes[:deviation])  # the root's nodes before its end, grown one node a step (not copied)
        for i in range(deviation, len(nodes) - 1):
            if i > deviation:
                before.add(nodes[i - 1])
                if nodes[i - 1] >= 0:
                    behind.add(place_of[nodes[i - 1]])
            under = under[nodes[i]]  # the trie below the root: every yielded path that begins with it
            removed_edges = {(nodes[i], following) for following in under}
            here = place_of[nodes[i]] if nodes[i] >= 0 else None
            left = frozenset(behind - {here})
            found = spur(nodes[i], before, removed_edges, left)  # reads the set, keeps nothing of it
            if found is None:
                continue
            path = nodes[:i] + found[1]
            if tuple(path) in seen:
                continue
            seen.add(tuple(path))
            heapq.heappush(candidates, (prefix[i] + found[0], next(counter), path, arcs[:max(0, i - 1)] + found[2],
                                        i))


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
    each other. Here each stage's paths are enumerated in order of cost (Yen's algorithm, :func:`_yen`), keeping
    those that pass each place once and none that another stage already passes; the first ``candidates`` of each
    stage are combined depth first, once from the first stage on and once from the last stage back (a cheap first
    stage may leave no way on, a cheap last stage no way in), and the cheapest whole path wins. The enumeration
    stops after ``max_paths`` paths per stage, so a route that needs a stage's 300th-best path is not found
    (None), which the caller reports.
    """
    last = len(stages) - 2
    best: list = [math.inf, None]

    def segments(stage: int, starts: Collection[int], ends: Collection[int], passed: frozenset[str]):
        here = stages[stage]
        blocked = (set(blocked_places) | passed) - {here, stages[stage + 1]}
        found = 0
        for count, (cost, indices) in enumerate(_yen(graph, starts, ends, blocked, blocked_modes, blocked_legs)):
            if count >= max_paths or found >= candidates:
                return
            arcs = [graph.arcs[a] for a in indices]
            inner = [arcs[0].tail, *(a.head for a in arcs)]
            places = _passed(arcs, graph.leg_passages, here)
            if len(places) != len(set(places)) or passed.intersection(places):
                continue
            found += 1
            yield cost, arcs, inner, frozenset(places)

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
