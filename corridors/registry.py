"""Named corridors as data: an itinerary (places to pass, things to avoid), a name, a colour and a description.

A corridor is routed between any origin and destination as the best route that passes its ``via`` places and
avoids its ``avoid`` list (places, countries, modes or sea passages). A network's registry is the
``corridors.csv`` of its own dataset (the bundled one: ``data/corridors.csv``), read through the contract
(``contract.CORRIDOR_COLUMNS``) and checked against the network at load.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import contract
from .errors import PASSES_TWICE, CorridorError, NoRouteError, Problem, ValidationError
from .io import split_list

if TYPE_CHECKING:
    from .conditions import Conditions
    from .network import Network
    from .route import Route

COLUMNS = tuple(c.name for c in contract.CORRIDOR_COLUMNS)


@dataclass(frozen=True)
class Corridor:
    """A named way between regions: the places it passes and what it avoids."""

    id: str
    name: str
    colour: str
    via: tuple[str, ...]
    avoid: tuple[str, ...]
    description: str
    sources: tuple[str, ...] = ()
    note: str = ""
    example_origin: str = ""  # a pair the corridor typically serves, drawn on the network map
    example_destination: str = ""
    # Optional column: what the route must use to be this corridor, a mode (``sea``) or a sea passage
    # (``passage:suez``). A corridor defined by what it avoids would otherwise "serve" an inland journey by road.
    requires: tuple[str, ...] = ()

    def route(self, network: Network, origin: str, destination: str, *, conditions: str | Conditions | None = None,
              by: str = "time", reroute: bool = False, profile: str | None = None) -> Route:
        """Return this corridor's best route between two places (its via places that are not the ends).

        The corridor runs both ways: its required places are passed in their listed order or in the reverse
        order, whichever gives the shorter journey (İstanbul → Khorgos on the Baku–Tbilisi–Kars corridor passes
        Akhalkalaki before Alat). Raises CorridorError when the corridor does not serve the pair: when its
        required places lie so far off the journey that passing them adds more than
        ``contract.MAX_CORRIDOR_DETOUR`` to the shortest route that avoids what the corridor avoids (the
        corridor would go beyond the destination and back).
        """
        ends = {network.place(origin), network.place(destination)}
        via = [v for v in self.via if network.place(v) not in ends]
        def routed(order: list[str], weight: str = by) -> Route:
            return network.route(origin, destination, via=order, avoid=self.avoid, conditions=conditions, by=weight,
                                 reroute=reroute, profile=profile)

        found, errors = self._try_orders(routed, via)
        if not found and errors and isinstance(errors[0], NoRouteError) and errors[0].reason == PASSES_TWICE:
            # A journey that starts or ends inside the corridor does not need the corridor's places beyond its
            # ends: Dostyk → Brest on the northern route stops at Brest, short of Małaszewicze. Retried only when
            # every order passed some place twice, so a journey the corridor serves whole is routed as before.
            inside = self._between(network, origin, destination, via)
            if inside != via and self._on_line(network, origin, destination):
                via = inside
                found, errors = self._try_orders(routed, via)
        if not found:
            if isinstance(errors[0], NoRouteError) and errors[0].reason == PASSES_TWICE:
                names = ", ".join(network.place_name(network.place(v)) for v in via)
                raise CorridorError(f"{self.name} does not serve this journey: passing {names} would mean passing "
                                    "some place twice (going beyond the destination and back)")
            raise errors[0]
        route = min(found, key=lambda r: r.distance_km)
        missing = self._missing(route)
        if missing:
            raise CorridorError(f"{self.name} does not serve this journey: its route would use no "
                                f"{' and no '.join(missing)}")
        if via:
            try:
                direct = routed([], "distance")
            except CorridorError:  # no way without the via places (a flight needs its airport): nothing to compare
                direct = None
            if direct is not None and route.distance_km > contract.MAX_CORRIDOR_DETOUR * direct.distance_km:
                names = ", ".join(network.place_name(network.place(v)) for v in via)
                raise CorridorError(
                    f"{self.name} does not serve this journey: passing {names} makes it "
                    f"{route.distance_km:,.0f} km against {direct.distance_km:,.0f} km without "
                    f"(more than {contract.MAX_CORRIDOR_DETOUR:g}×)")
        return route

    def _missing(self, route: Route) -> list[str]:
        """Return what the corridor requires that the route does not use (a mode, a sea passage)."""
        modes, passages = {leg.mode for leg in route.legs}, set(route.passages)
        missing = []
        for need in self.requires:
            kind, _, name = need.partition(":")
            if kind == "passage" and name not in passages:
                missing.append(f"passage through {name.replace('_', ' ')}")
            elif kind != "passage" and need not in modes:
                missing.append(f"{need} leg")
        return missing

    @staticmethod
    def _try_orders(routed, via: list[str]) -> tuple[list[Route], list[CorridorError]]:
        found, errors = [], []
        for order in ([via, via[::-1]] if len(via) > 1 else [via]):
            try:
                found.append(routed(order))
            except CorridorError as exc:
                errors.append(exc)
        return found, errors

    def _on_line(self, network: Network, origin: str, destination: str) -> bool:
        """Return whether both ends lie on the corridor's own line (its route between its example places), so that
        the journey is a stretch of the corridor rather than some other way that happens to avoid what it avoids."""
        if not (self.example_origin and self.example_destination):
            return False
        a, b = self.example_origin, self.example_destination
        ends = {network.place(a), network.place(b)}
        via = [v for v in self.via if network.place(v) not in ends]
        found, _ = self._try_orders(
            lambda order: network.route(a, b, via=order, avoid=self.avoid, by="distance"), via)
        line = set(found[0].places) if found else set()
        return network.place(origin) in line and network.place(destination) in line

    def _between(self, network: Network, origin: str, destination: str, via: list[str]) -> list[str]:
        """Return the via places that lie between the journey's ends: a place is beyond the destination when the
        shortest way to it (avoiding what the corridor avoids) passes the destination, and before the origin when
        the shortest way from it to the destination passes the origin."""
        start, end = network.place(origin), network.place(destination)
        kept = []
        for v in via:
            try:
                beyond = end in network.route(origin, v, avoid=self.avoid, by="distance").places
                before = start in network.route(v, destination, avoid=self.avoid, by="distance").places
            except CorridorError:
                beyond = before = False
            if not (beyond or before):
                kept.append(v)
        return kept


def load_corridors(network: Network, path: str | os.PathLike[str] | None = None) -> dict[str, Corridor]:
    """Return the corridors in ``path`` (default: the network's own ``corridors.csv``), checked against ``network``.

    Raises MissingTableError when the network's dataset has no corridors, and ValidationError listing every problem
    with file, row and field.
    """
    from .loading import checked_dataset_table, in_file_order

    problems: list[Problem] = []  # the contract's, then those only the network can find
    if path is None:
        table, name = network.table("corridors"), "corridors.csv"
    else:
        (table, problems), name = checked_dataset_table("corridors", path, network.sources.index), Path(path).name
    found: dict[str, Corridor] = {}
    for i, row in table.iterrows():
        where = (name, f"line {i + 2}")
        if not re.match(r"^#[0-9a-fA-F]{6}$", row["colour"]):
            problems.append(Problem(*where, "colour", f"{row['colour']!r} is not a #rrggbb colour"))
        for place in [*split_list(row["via"]), *(p for p in (row["example_origin"], row["example_destination"]) if p)]:
            try:
                network.place(place)
            except CorridorError as exc:
                problems.append(Problem(*where, "via", str(exc)))
        try:
            network.check_avoid(split_list(row["avoid"]))
        except CorridorError as exc:
            problems.append(Problem(*where, "avoid", str(exc)))
        requires = split_list(row.get("requires", ""))
        for need in requires:
            kind, _, name = need.partition(":")
            if (kind == "passage" and name not in contract.PASSAGES) or (kind != "passage" and need not in
                                                                          contract.MODES):
                problems.append(Problem(*where, "requires", f"{need!r} is neither a mode "
                                        f"({', '.join(contract.MODES)}) nor passage:NAME of a known sea passage"))
        found[row["id"]] = Corridor(row["id"], row["name"], row["colour"], split_list(row["via"]),
                                    split_list(row["avoid"]), row["description"], split_list(row["sources"]),
                                    row["note"], row["example_origin"], row["example_destination"], requires)
    if problems:
        raise ValidationError(in_file_order(problems))
    return found


def corridors(network: Network | None = None) -> pd.DataFrame:
    """Return the corridors of ``network`` (default: the bundled one) as a table: id, name, colour, via, avoid,
    description."""
    from .network import load_network

    registry = load_corridors(network if network is not None else load_network())
    return pd.DataFrame([{"id": c.id, "name": c.name, "colour": c.colour, "via": ";".join(c.via),
                          "avoid": ";".join(c.avoid), "description": c.description} for c in registry.values()]
                        ).set_index("id")
