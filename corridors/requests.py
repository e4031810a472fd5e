"""Routing requests on a Network: reading what a user asks for, finding the route, its alternatives and, when there is
none, why.

:mod:`corridors.routing` searches the expanded graph and knows nothing of names, countries or conditions; this
module turns a request ("Xi'an to Poti via Baku, avoiding Russia and the Suez canal") into stages and masks for it,
and the arcs it finds back into a priced :class:`~corridors.route.Route`. :class:`~corridors.network.Network`'s
``route``, ``alternatives`` and ``check_avoid`` delegate here.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd

from . import contract
from .conditions import DEFAULT_CONDITIONS, Conditions
from .errors import PASSES_TWICE, CorridorError, NoRouteError
from .places import passage_named
from .routing import Arc, ExpandedGraph, passes_twice, shortest_arcs, simple_arcs, simple_paths

if TYPE_CHECKING:
    from .network import Network
    from .route import Element, Route, Routes


def route(network: Network, origin: str, destination: str, *, via: Sequence[str] = (), avoid: Iterable[str] = (),
          by: str = "time", conditions: str | Conditions | None = None, reroute: bool = False,
          profile: str | None = None) -> Route:
    """Return the best route from ``origin`` to ``destination`` (see :meth:`corridors.network.Network.route`)."""
    chosen = network._resolve(conditions, profile)
    booking = chosen if reroute else network.conditions(DEFAULT_CONDITIONS)
    stages, constraints = request(network, origin, destination, via, avoid)
    graph = network.expanded_graph(weight=by, conditions=booking)
    closed = closed_legs(network, chosen)
    blocked_places = constraints.places(network._nodes)
    blocked_legs = constraints.legs(network._legs) | closed
    arcs, twice = searched(network, (by, booking), graph, stages, blocked_places, constraints.modes, blocked_legs)
    if twice:
        raise NoRouteError(network.place_name(stages[0]), network.place_name(stages[-1]), PASSES_TWICE)
    if arcs is None:
        why = why_no_route(network, graph, stages, constraints)
        if closed and shortest_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=constraints.modes,
                                    blocked_legs=constraints.legs(network._legs)) is not None:
            why = (f"every route needs {', '.join(sorted(chosen.closed_passages))}, closed under the conditions "
                   f"{chosen.name}")
        raise NoRouteError(network.place_name(stages[0]), network.place_name(stages[-1]), why)
    return build_route(network, stages, arcs, chosen, by, booked_under=booking.name)


#: Searched paths kept per network (see :func:`searched`); the oldest go first beyond this many.
PATHS_KEPT = 4096


def searched(network: Network, graph_key: tuple, graph: ExpandedGraph, stages: Sequence[str],
             blocked_places: Collection[str], blocked_modes: Collection[str], blocked_legs: Collection[str]
             ) -> tuple[list[Arc] | None, bool]:
    """Return the best path through ``stages`` that passes no place twice (None when there is none) and whether
    the only paths there are pass some place twice.

    The search depends on the graph (weight and booking conditions) and on what is blocked, not on the conditions a
    route is priced under, so it is kept on the network and shared: a comparison or a report asks for the same
    corridor journey under several condition sets, and a journey whose best path passes a place twice needs the
    k-shortest-paths search (:func:`corridors.routing.simple_arcs`), the slowest part of routing.
    """
    key = (graph_key, tuple(stages), frozenset(blocked_places), frozenset(blocked_modes), frozenset(blocked_legs))
    kept = network._paths.get(key)
    if kept is not None:
        return (None if kept[0] is None else list(kept[0])), kept[1]  # a copy: the caller may extend its path
    arcs = shortest_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=blocked_modes,
                         blocked_legs=blocked_legs)
    twice = False
    if arcs is not None and passes_twice(arcs, graph.leg_passages):
        arcs = simple_arcs(graph, stages, blocked_places=blocked_places, blocked_modes=blocked_modes,
                           blocked_legs=blocked_legs)
        twice = arcs is None
    if network._paths and len(network._paths) >= PATHS_KEPT:
        del network._paths[next(iter(network._paths))]
    network._paths[key] = (None if arcs is None else tuple(arcs), twice)
    return arcs, twice


def alternatives(network: Network, origin: str, destination: str, *, k: int = 3, via: Sequence[str] = (),
                 avoid: Iterable[str] = (), by: str = "time", conditions: str | Conditions | None = None,
                 reroute: bool = False, profile: str | None = None, max_paths: int = 400) -> Routes:
    """Return up to ``k`` routes, best first, that differ in where they stop (see
    :meth:`corridors.network.Network.alternatives`)."""
    if not isinstance(k, int) or k < 1:
        raise CorridorError(f"the number of alternatives must be a whole number ≥ 1, got {k!r}")
    chosen = network._resolve(conditions, profile)
    booking = chosen if reroute else network.conditions(DEFAULT_CONDITIONS)
    best = route(network, origin, destination, via=via, avoid=avoid, by=by, conditions=chosen, reroute=reroute)
    stages, constraints = request(network, origin, destination, via, avoid)
    expanded = network.expanded_graph(weight=by, conditions=booking)
    paths = simple_paths(expanded, expanded.departures[stages[0]], expanded.arrivals[stages[-1]],
                         blocked_places=constraints.places(network._nodes), blocked_modes=constraints.modes,
                         blocked_legs=constraints.legs(network._legs) | closed_legs(network, chosen))
    found = [best]
    seen = {_stop_places(best)}
    for count, arcs in enumerate(paths):
        if len(found) >= k or count >= max_paths:
            break
        if passes_twice(arcs, expanded.leg_passages):
            continue
        candidate = build_route(network, stages, arcs, chosen, by, booked_under=booking.name)
        if _stop_places(candidate) in seen or not passes_in_order(candidate.places, stages[1:-1]):
            continue
        seen.add(_stop_places(candidate))
        found.append(candidate)
    from .route import Routes

    return Routes(found)


def request(network: Network, origin: str, destination: str, via: Sequence[str], avoid: Iterable[str]
            ) -> tuple[list[str], Constraints]:
    """Return the place ids a route must pass in order (origin, via places, destination) and what it must avoid;
    raise CorridorError for a request no route can answer (the same place twice, an end that is avoided)."""
    stages = [network.place(origin), *(network.place(v) for v in via), network.place(destination)]
    if stages[0] == stages[-1]:
        raise CorridorError(f"{network.place_name(stages[0])} is both the origin and the destination: a route "
                            "needs two different places")
    repeated = [p for p, n in Counter(stages).items() if n > 1]
    if repeated:
        raise CorridorError(f"{network.place_name(repeated[0])} is named twice among the origin, via places and "
                            "destination: a route passes each place once")
    avoid = list(avoid)
    records = network._node_records
    # Freight corridors are surface routes: a flight is used only when the request names an airport (as an end
    # or a via place), so that "the fastest route" of a container is not a freighter it would never board.
    if (not any(records[p]["kind"] == "airport" for p in stages)
            and "air" not in {str(a).strip().lower() for a in avoid} and network._has_air):
        avoid.append("air")
    found = constraints(network, avoid)
    for place in stages:
        for what, blocked in found.blocking(place, records[place]["country"]):
            raise CorridorError(f"{network.place_name(place)} is on the route you asked for but {what} "
                                f"is avoided ({blocked})")
    return stages, found


def constraints(network: Network, avoid: Iterable[str]) -> Constraints:
    """Return what an avoid list names; raise a CorridorError for an item that is not a known place, country (code
    or name), mode or sea passage."""
    from .places import country_codes, country_names  # read once from the bundled boundaries

    found = Constraints()
    codes = network._countries
    for item in avoid:
        text = item.strip()
        passage = passage_named(text)
        if text.lower() in contract.MODES:
            found.modes.add(text.lower())
        elif passage is not None:
            found.passages.add(passage)
        elif text.upper() in codes:
            found.countries.add(text.upper())
        elif text.upper() in country_codes() and network._index.find(text) is None:
            # a country with no place in the network is a no-op; but a place of the network whose id reads as
            # a code ('mus', Muş, is also Mauritius) is the place the user means
            found.countries.add(text.upper())
        elif text.casefold() in (names := country_names()) and names[text.casefold()] in codes:
            found.countries.add(names[text.casefold()])
        else:
            found.place_ids.add(network.place(text))
    return found


def closed_legs(network: Network, conditions: Conditions) -> frozenset[str]:
    """Return the legs through a sea passage that ``conditions`` close."""
    return legs_through(network._legs, conditions.closed_passages)


def legs_through(legs: gpd.GeoDataFrame, passages: set[str] | frozenset[str]) -> frozenset[str]:
    """Return the ids of the legs that pass any of these sea passages."""
    if not passages:
        return frozenset()
    return frozenset(i for i, through in legs["passages"].items() if not passages.isdisjoint(through))


def why_no_route(network: Network, graph: ExpandedGraph, stages: Sequence[str], constraints: Constraints) -> str:
    """Return why no route passes ``stages``: the one constraint every route needs lifted, or the network itself."""
    if not constraints:
        import networkx as nx  # only to say why no route exists

        plain = nx.Graph(network.graph)
        if all(nx.has_path(plain, a, b) for a, b in itertools.pairwise(stages)):
            return ("the legs that join them cannot be chained: the way needs a gauge change or a change of "
                    "mode at a place without the facility for it")
        return "they are not connected in this network"
    cut = []
    for label, relaxed in constraints.relaxations():
        if shortest_arcs(graph, stages, blocked_places=relaxed.places(network._nodes), blocked_modes=relaxed.modes,
                         blocked_legs=relaxed.legs(network._legs)) is not None:
            cut.append(label)
    if cut:
        return "every route needs " + " or ".join(cut) + ", which the request avoids"
    return "the constraints together (" + ", ".join(label for label, _ in constraints.relaxations()) + \
        ") leave no way through"


def build_route(network: Network, stages: Sequence[str], arcs: Sequence[Arc], conditions: Conditions, by: str, *,
                booked_under: str) -> Route:
    """Return the Route along ``arcs``, its elements priced under ``conditions``."""
    from .route import Route

    # the names and countries of the places the route shows (its own, and across the border from an end that is
    # a border station: Route.end_notes names them), not the whole network's, which a route would copy
    records = network._node_records
    shown = {*stages, *(a.place for a in arcs), *(a.to_place for a in arcs if a.to_place is not None)}
    for end in (stages[0], stages[-1]):
        if records.field(end, "kind") == "border":
            shown.update(_neighbours(network, end))
    return Route(network=network, origin=stages[0], destination=stages[-1], via=stages[1:-1],
                 conditions=conditions, weight=by, elements=elements(network, arcs, conditions),
                 names={p: network._names[p] for p in shown}, countries={p: records.field(p, "country") for p in shown},
                 legs=network._legs, places=network._nodes, booked_under=booked_under)


def _neighbours(network: Network, place: str) -> set[str]:
    """Return the places that a leg joins to ``place``."""
    legs = network._legs
    start, end = legs["from"].to_numpy(dtype=object), legs["to"].to_numpy(dtype=object)
    return {*end[start == place].tolist(), *start[end == place].tolist()}


def elements(network: Network, arcs: Sequence[Arc], conditions: Conditions) -> list[Element]:
    """Return a route's elements, each priced under ``conditions`` (the arcs may come from another set)."""
    from .route import Element

    shown = [arc for arc in arcs if arc.element == "leg" or arc.kind]  # a join in the expanded graph is no stop
    legs = [arc for arc in shown if arc.element == "leg"]
    leg_ids = [str(arc.leg) for arc in legs]  # a leg arc always has its leg and its end
    # what the elements show of their legs and places, looked up for the whole route at once
    gauges = iter(network._leg_by_id.fields(leg_ids, "gauge_mm").tolist())
    countries = iter(network._legs_countries(leg_ids, [arc.place for arc in legs]))
    stop_countries = iter(network._node_records.fields([a.place for a in shown if a.element != "leg"],
                                                       "country").tolist())
    found = []
    for arc in shown:
        if arc.element == "leg":
            leg_id = str(arc.leg)
            priced = network.price_leg(leg_id, conditions)
            found.append(Element("leg", arc.kind, arc.place, arc.place, str(arc.to_place), arc.kind, next(gauges),
                                 "/".join(next(countries)), arc.distance_km, priced.time_h, priced.sources,
                                 leg=arc.leg, cost_usd=priced.cost_usd, co2_kg=priced.co2_kg, priced=priced))
        else:
            priced = network.price_stop(arc.kind, arc.place, arc.leg, conditions, arc.direction)
            found.append(Element("stop", arc.kind, arc.place, arc.place, arc.place, None, None, next(stop_countries),
                                 0.0, priced.time_h, priced.sources, leg=arc.leg, note=priced.note,
                                 cost_usd=priced.cost_usd, co2_kg=0.0, priced=priced, direction=arc.direction))
    return found


def reprice(network: Network, route: Route, conditions: str | Conditions) -> Route:
    """Return the same route (the same legs and stops) with its elements priced under other conditions."""
    chosen = network._resolve(conditions)
    found = []
    for e in route.elements:
        priced = (network.price_leg(str(e.leg), chosen) if e.element == "leg"
                  else network.price_stop(e.kind, e.place, e.leg, chosen, e.direction))
        found.append(replace(e, time_h=priced.time_h, sources=priced.sources, cost_usd=priced.cost_usd,
                             co2_kg=priced.co2_kg if e.element == "leg" else 0.0, priced=priced,
                             note=priced.note if e.element == "stop" else e.note))
    return route._with(elements=found, conditions=chosen)


class Constraints:
    """What a route must avoid: places, countries, modes and sea passages."""

    def __init__(self) -> None:
        self.place_ids: set[str] = set()
        self.countries: set[str] = set()
        self.modes: set[str] = set()
        self.passages: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.place_ids or self.countries or self.modes or self.passages)

    def legs(self, legs: gpd.GeoDataFrame) -> frozenset[str]:
        return legs_through(legs, self.passages)

    def places(self, nodes: gpd.GeoDataFrame) -> frozenset[str]:
        if not self.countries:
            return frozenset(self.place_ids)
        return frozenset(self.place_ids).union(nodes.index[nodes["country"].isin(self.countries)])

    def blocking(self, place: str, country: str) -> list[tuple[str, str]]:
        found = []
        if place in self.place_ids:
            found.append(("the place", place))
        if country in self.countries:
            found.append(("its country", country))
        return found

    def relaxations(self) -> list[tuple[str, Constraints]]:
        """Return each single constraint with the constraints that remain without it."""
        out = []
        for attr, label in (("place_ids", "{}"), ("countries", "{}"), ("modes", "the {} mode"),
                            ("passages", "the {} passage")):
            for value in sorted(getattr(self, attr)):
                relaxed = Constraints()
                relaxed.place_ids, relaxed.countries, relaxed.modes, relaxed.passages = (
                    set(self.place_ids), set(self.countries), set(self.modes), set(self.passages))
                getattr(relaxed, attr).discard(value)
                out.append((label.format(value), relaxed))
        return out


def _stop_places(route: Route) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.place for s in route.stops))


def passes_in_order(places: Sequence[str], via: Sequence[str]) -> bool:
    """Return whether ``places`` pass every ``via`` place in its order (other places may come between)."""
    position = 0
    for place in places:
        if position < len(via) and place == via[position]:
            position += 1
    return position == len(via)
