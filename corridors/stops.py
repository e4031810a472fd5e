"""Which stops happen where: derived from the legs around a node, never typed in per route.

A *stop* is what happens to freight at a node between two legs, or at either end of a leg:

- ``gauge_change``: a rail journey continues on the other gauge (1435/1520 mm); only where the node has a
  gauge-change installation.
- ``port_handling``: freight moves between land and a vessel, or between two vessels; only at ports.
- ``transshipment``: freight moves between rail and road; only at intermodal terminals and ports.
- ``border_crossing``: formalities at each end of a leg that crosses a border (exit at one node, entry at the other).
- ``ferry_wait``: waiting at the departure port for a ferry; from the service pattern (half the headway of a
  scheduled service, a measured wait for an unscheduled one). ``flight_wait`` is the same for a scheduled flight.
- ``air_handling``: an airport accepts, delivers or connects cargo; only at airports.
"""

from __future__ import annotations

from dataclasses import dataclass

from .contract import WATER_MODES

THROUGH: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegState:
    """How freight travels on a leg, as far as stops are concerned: the mode and, for rail, the gauge."""

    mode: str
    gauge_mm: int | None = None


def transfer_stops(facilities: frozenset[str], arriving: LegState, departing: LegState) -> tuple[str, ...] | None:
    """Return the stops between arriving and departing on these states at a node, or None if it is impossible."""
    if arriving.mode == departing.mode == "air":  # a connection between flights at a hub: the cargo is handled
        return ("air_handling",) if "airport" in facilities else None
    if arriving == departing:
        return THROUGH
    land = {arriving.mode, departing.mode} - set(WATER_MODES)
    if "air" in (arriving.mode, departing.mode):  # cargo accepted, delivered or connected at an airport
        return ("air_handling",) if "airport" in facilities else None
    if arriving.mode == departing.mode == "rail":
        return ("gauge_change",) if "gauge_change" in facilities else None
    if arriving.mode in WATER_MODES or departing.mode in WATER_MODES:
        return ("port_handling",) if "port" in facilities else None
    if land == {"rail", "road"}:
        return ("transshipment",) if facilities & {"intermodal", "port"} else None
    return None


def departure_stops(mode: str, service: str | None, international: bool) -> tuple[str, ...]:
    """Return the stops at the start of a leg: formalities if it crosses a border, then waiting for a ferry."""
    stops: list[str] = []
    if international:
        stops.append("border_crossing")
    if mode in WATER_MODES and service:
        stops.append("ferry_wait")
    elif mode == "air":  # every flight is waited for: half the headway of its timetable, else the default wait
        stops.append("flight_wait")
    return tuple(stops)


def arrival_stops(international: bool) -> tuple[str, ...]:
    """Return the stops at the end of a leg: formalities if it crossed a border."""
    return ("border_crossing",) if international else ()
