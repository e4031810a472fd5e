"""The attribute contract of a network dataset, written down once.

A dataset is a folder (or a set of files) with these tables. ``nodes`` and ``legs`` may be CSV, GeoJSON or
GeoPackage; the other tables are CSV. Lists inside a field are separated by ``;``. Units are in the column names.

``nodes``: one row per place where something can happen to freight. In GeoJSON or GeoPackage a node may give its
place as a point geometry instead of ``lat``/``lon``.

``legs``: one row per line section; every leg can be travelled in both directions. Rail legs carry their gauge.
A leg's geometry is a drawing and its ``distance_km`` the published figure: in CSV the optional ``geometry``
column holds WKT, and where it is empty the line is drawn through ``waypoints`` (``lat lon`` pairs).

``sources``: one row per published source; every figure in the other tables names one or more of these ids.

``stop_times`` and ``speeds``: time parameters per operating profile (low / typical / high), looked up for a
node, else its country (ISO 3166 alpha-3), else ``*``.

``leg_times`` (optional): an explicit crossing or running time distribution for a leg under a profile, which takes
precedence over the leg's ``time_h`` and over distance / speed.

``costs`` and ``emissions`` (optional): what a loaded 40-ft container (FEU) pays per km of a mode or per stop
(node → country → ``*``, or per leg), and the CO2e it causes per km of a mode.

``groups`` and ``conditions`` (optional): named groups of elements, and condition sets giving each group's level
(best, typical, congested, or closed for a sea passage) in a period or preset (see :mod:`corridors.conditions`).

``disruptions`` (optional): events that may hold freight at a place, such as a port closed by weather, with the
probability that a departure meets one and the delay it then causes.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("rail", "road", "ferry", "sea", "air")
WATER_MODES = ("ferry", "sea")
#: Modes whose legs may follow a timetable (``service`` N/week): ships and flights.
SCHEDULED_MODES = (*WATER_MODES, "air")
GAUGES_MM = (1435, 1520)
NODE_KINDS = ("terminal", "border", "port", "junction", "airport")
FACILITIES = ("gauge_change", "customs", "port", "intermodal", "airport")
#: ``air_handling`` is the airport's acceptance or delivery of cargo (and a connection between flights);
#: ``flight_wait`` the wait for the next departure of a scheduled flight, as ``ferry_wait`` is for a ship.
STOP_KINDS = ("border_crossing", "gauge_change", "port_handling", "transshipment", "ferry_wait", "air_handling",
              "flight_wait")
DISRUPTION_KINDS = ("weather_closure",)
#: Named sea passages a leg can pass through; a scenario can close one, which removes every leg through it.
PASSAGES = ("suez", "bab_el_mandeb", "bosporus", "gibraltar", "malacca", "sunda", "cape_of_good_hope", "hormuz",
            "panama")
#: Other names of the passages, as lookup keys (corridors.places.normalise: lower case, letters and digits), each
#: with the passage it names. One table, so that an avoid list, a scenario's close and the sea-lane tool agree.
PASSAGE_ALIASES = {"suezcanal": "suez", "redsea": "suez", "babelmandeb": "bab_el_mandeb",
                   "babalmandab": "bab_el_mandeb", "bosphorus": "bosporus", "straitofgibraltar": "gibraltar",
                   "straitofmalacca": "malacca", "sundastrait": "sunda", "cape": "cape_of_good_hope",
                   "straitofhormuz": "hormuz", "ormuz": "hormuz", "panamacanal": "panama"}
#: A leg's ``waypoints`` that say this (``searoute``, or ``searoute avoid suez``) are drawn by tools/sealanes.py along a
#: maritime network, not read as points.
SEAROUTE = "searoute"
FIGURE_STATUSES = ("reported", "measured", "derived", "estimate", "approx", "claim", "plan")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, its type, whether a value is required and, for a number, its range."""

    name: str
    kind: str  # "id", "text", "list", "float", "int", "ref", "refs"
    required: bool = False
    choices: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None  # for numbers whose only check is their range


#: Years a price or a condition set may name: figures in the data are from the railway age to a planning horizon.
YEARS = (1900.0, 2100.0)


NODE_COLUMNS = (
    Column("id", "id", required=True),
    Column("name", "text", required=True),
    Column("aliases", "list"),
    Column("country", "text", required=True),
    Column("kind", "text", required=True, choices=NODE_KINDS),
    Column("lat", "float", required=True),
    Column("lon", "float", required=True),
    Column("facilities", "list", choices=FACILITIES),
    Column("coord_status", "text", choices=FIGURE_STATUSES),
    Column("coord_source", "ref", required=True),
    Column("sources", "refs"),
    Column("note", "text"),
)

LEG_COLUMNS = (
    Column("id", "id", required=True),
    Column("from", "text", required=True),
    Column("to", "text", required=True),
    Column("mode", "text", required=True, choices=MODES),
    Column("gauge_mm", "int"),
    Column("distance_km", "float", required=True),
    Column("distance_status", "text", choices=FIGURE_STATUSES),
    Column("distance_source", "ref", required=True),
    Column("distance_note", "text"),
    Column("time_h", "float"),
    Column("time_source", "ref"),
    Column("service", "text"),
    Column("service_source", "ref"),
    Column("waypoints", "text"),
    Column("passages", "list", choices=PASSAGES),
    Column("sources", "refs"),
    Column("note", "text"),
)

#: The kinds of publisher a source can be, from the most to the least direct (the report shows them as grades).
SOURCE_KINDS = ("operator_government", "international_org", "research", "press", "secondary_copy")

SOURCE_COLUMNS = (
    Column("id", "id", required=True),
    Column("title", "text", required=True),
    Column("publisher", "text"),
    Column("url", "text", required=True),
    Column("year", "text"),
    Column("accessed", "text"),
    Column("note", "text"),
    Column("reliability", "text", choices=("primary", "secondary", "weak")),
    # what sort of publisher stands behind the text (reliability says how directly the figure was read there);
    # tools/grade_sources.py fills it from tools/source_kinds.csv
    Column("kind", "text", choices=SOURCE_KINDS),
)

def _triple(suffix: str) -> tuple[Column, ...]:
    """Return the low / typical / high columns of a sourced parameter, e.g. ``low_h`` for suffix ``_h``."""
    return tuple(Column(f"{level}{suffix}", "float", required=True) for level in ("low", "typical", "high"))


PROVENANCE = (
    Column("status", "text", choices=FIGURE_STATUSES),
    Column("sources", "refs", required=True),
    Column("note", "text"),
)

STOP_TIME_COLUMNS = (
    Column("kind", "text", required=True, choices=STOP_KINDS),
    Column("place", "text", required=True),
    Column("profile", "text", required=True),
    *_triple("_h"),
    *PROVENANCE,
)

SPEED_COLUMNS = (
    Column("mode", "text", required=True, choices=MODES),
    Column("country", "text", required=True),
    Column("profile", "text", required=True),
    *_triple("_kmh"),
    *PROVENANCE,
)

LEG_TIME_COLUMNS = (
    Column("leg", "text", required=True),
    Column("profile", "text", required=True),
    *_triple("_h"),
    *PROVENANCE,
)

DISRUPTION_COLUMNS = (
    Column("kind", "text", required=True, choices=DISRUPTION_KINDS),
    Column("place", "text", required=True),
    Column("profile", "text", required=True),
    Column("probability", "float", required=True),
    *_triple("_h"),
    *PROVENANCE,
)

#: ``usd_per_kg`` is an air rate per chargeable kg for the whole leg (the market quotes air freight so).
COST_UNITS = ("usd_per_feu_km", "usd_per_feu", "usd_per_kg")
COST_COLUMNS = (
    Column("kind", "text", required=True, choices=(*MODES, *STOP_KINDS)),
    Column("place", "text", required=True),
    Column("leg", "text"),
    Column("profile", "text", required=True),
    Column("unit", "text", required=True, choices=COST_UNITS),
    Column("price_year", "int", bounds=YEARS),
    *_triple(""),
    *PROVENANCE,
)

EMISSION_COLUMNS = (
    Column("mode", "text", required=True, choices=MODES),
    Column("country", "text", required=True),
    Column("kg_co2e_per_feu_km", "float"),
    Column("kg_co2e_per_tonne_km", "float"),  # air: per tonne of cargo, as GLEC gives it; one of the two per row
    *PROVENANCE,
)

#: A group of elements whose state a condition set names: ``members`` are selectors ``KIND:PLACE`` — ``leg:ID``,
#: ``MODE:COUNTRY`` (legs timed by speed), ``STOP_KIND:NODE|COUNTRY|*`` (stops; ``weather_closure`` too) and
#: ``passage:NAME``.
GROUP_COLUMNS = (
    Column("id", "id", required=True),
    Column("name", "text", required=True),
    Column("members", "list", required=True),
    Column("note", "text"),
)

#: Condition sets: per condition, the level of each group and a default (``*``) row that also names the year
#: whose volumes drive the queues. ``closed`` applies to passage groups only.
CONDITION_LEVELS = ("best", "typical", "congested", "closed")
CONDITION_COLUMNS = (
    Column("condition", "text", required=True),
    Column("group", "text", required=True),
    Column("level", "text", required=True, choices=CONDITION_LEVELS),
    Column("year", "int", bounds=YEARS),
    Column("sources", "refs"),
    Column("note", "text"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "nodes": NODE_COLUMNS,
    "legs": LEG_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "stop_times": STOP_TIME_COLUMNS,
    "speeds": SPEED_COLUMNS,
    "leg_times": LEG_TIME_COLUMNS,
    "disruptions": DISRUPTION_COLUMNS,
    "costs": COST_COLUMNS,
    "emissions": EMISSION_COLUMNS,
    "groups": GROUP_COLUMNS,
    "conditions": CONDITION_COLUMNS,
}

#: Plausibility bounds used by validation, in one place so that they can be read and argued with.
#: A drawn line cuts corners, so it may be shorter than the published distance, but not much longer.
GEOMETRY_TO_DISTANCE_RATIO = (0.55, 1.15)
#: No leg goes once round the Earth (the longest bundled one, Lianyungang → Constanța round the Cape, is 27,844
#: km): a larger distance_km is a typing error, reported on that field rather than as a geometry that misfits it.
MAX_LEG_DISTANCE_KM = 40_075.0
#: A published distance cannot be shorter than the great circle between its ends (small slack for rounding).
MIN_DISTANCE_TO_GREAT_CIRCLE = 0.97
#: How far a leg's drawn ends may lie from its nodes' coordinates.
MAX_ENDPOINT_OFFSET_KM = 15.0
#: How far a node may lie outside its stated country's 1:50m outline (datasets.boundaries()). Ports and border
#: stations stand where outlines are generalised; at 1:50m every bundled place is within 1.8 km of its country
#: (Piraeus port), so 5 km catches a wrong country or swapped coordinates without flagging a quay.
MAX_OUTSIDE_COUNTRY_KM = 5.0
#: A named corridor serves a pair of places only if passing its required places adds at most this share to the
#: shortest route that avoids what the corridor avoids. Past that, the corridor goes beyond the destination and
#: back (the northern route via Poland for Khorgos → Aktau adds 300%; Baku–Tbilisi–Kars for Ürümqi → Baku, 33%),
#: while every corridor between Chinese and European hubs adds at most 12%.
MAX_CORRIDOR_DETOUR = 1.25
