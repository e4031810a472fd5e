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
node, else its country (ISO 3166 alpha-3), else ``*``. A gauge change's or a border crossing's row may hold for one
way only (``direction``, see ``DIRECTED_STOPS``).

``leg_times`` (optional): an explicit crossing or running time distribution for a leg under a profile, which takes
precedence over the leg's ``time_h`` and over distance / speed.

``costs`` and ``emissions`` (optional): what a loaded 40-ft container (FEU) pays per km of a mode or per stop
(node → country → ``*``, or per leg), and the CO2e it causes per km of a mode.

``groups`` and ``conditions`` (optional): named groups of elements, and condition sets giving each group's level
(best, typical, congested, or closed for a sea passage) in a period or preset (see :mod:`corridors.conditions`).

``disruptions`` (optional): events that may hold freight at a place, such as a port closed by weather, with the
probability that a departure meets one and the delay it then causes.

The dataset's other tables (``DATASET_TABLES``: capacities, volumes, conversions, corridors, claims and their
readings, risks, context series, queues and months) are CSV too. They are read from the same folder, checked against
the columns below and their sources at load, and belong to that dataset alone: see ``FROM_BUNDLED`` for what a
folder without a table gets.
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

#: The way a stop row holds for. A queue is rarely the same both ways: the reloading queues of 2021–23 at the
#: China–Kazakhstan and Belarus–Poland borders were queues of westbound trains, and a train the other way changed
#: gauge in its usual time. A ``gauge_change`` row's ``direction`` names the gauges a transfer goes between,
#: arriving then departing, in mm (``1435>1520``: from standard to broad gauge); empty, the row holds both ways.
#: At a place, a row for the transfer's own way comes before a row for both ways, then the country's, then ``*``.
STOP_DIRECTION = r"^\d+>\d+$"
#: A border crossing's way: ``out`` is the stop before a train leaves a country (its exit formalities), ``in`` the
#: stop on arriving in one (its entry formalities). CAREC CPMM measures them apart, and they part most when a border
#: is congested: in 2022 a rail shipment spent 78 h entering Kazakhstan and 6.8 h leaving it.
BORDER_WAYS = ("out", "in")
#: The stop kinds whose rows may name a direction, and the ways they may name: the stops whose way the legs around
#: them tell apart (a transfer between two gauges; the exit or the entry side of a border).
DIRECTED_STOPS = {"gauge_change": STOP_DIRECTION, "border_crossing": rf"^({'|'.join(BORDER_WAYS)})$"}

STOP_TIME_COLUMNS = (
    Column("kind", "text", required=True, choices=STOP_KINDS),
    Column("place", "text", required=True),
    Column("profile", "text", required=True),
    *_triple("_h"),
    *PROVENANCE,
    Column("direction", "text"),  # see DIRECTED_STOPS
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
#: How the elements of one simulated journey share their state (see corridors.simulation.simulate): by group of
#: elements (the default: a group meets one state, groups are independent), all at one quantile, or each alone.
DEPENDENCE = ("group", "journey", "independent")
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

# The dataset's other tables -------------------------------------------------------------------------------------
# Read from the network's own folder and checked at load as the tables above are (types, choices, sources); the
# checks that need the network itself (a corridor's places, a claim's readings) run once the network is built.

#: How a capacity is published. A figure in tonnes or trains is turned into TEU by the ``conversions`` table.
CAPACITY_UNITS = ("teu_per_year", "tonnes_per_year", "trains_per_day", "trains_per_week")
CAPACITY_COLUMNS = (
    Column("element", "text", required=True),  # a node or leg id of the network
    Column("kind", "text", required=True, choices=("node", "leg")),
    # a capacity of nothing is a closure, which a scenario states; past a billion TEU a year is a typing error
    Column("capacity", "float", required=True, bounds=(0.0, 1e9)),
    Column("unit", "text", required=True, choices=CAPACITY_UNITS),
    Column("year", "int", bounds=YEARS),
    *PROVENANCE,
)

#: Volumes carried, one row per series (``corridor``: a corridor, a port or a crossing) and year; a row gives
#: tonnes, TEU or trains, whichever the source does.
VOLUME_COLUMNS = (
    Column("year", "int", required=True, bounds=YEARS),
    Column("corridor", "text", required=True),
    Column("tonnes", "float", bounds=(0.0, 1e12)),
    Column("teu", "float", bounds=(0.0, 1e10)),
    Column("trains", "float", bounds=(0.0, 1e8)),
    *PROVENANCE,
)

#: Named factors (tonnes per TEU, TEU per train, a loaded FEU's cargo): each is a sourced figure, and none is zero.
CONVERSION_COLUMNS = (
    Column("name", "id", required=True),
    Column("value", "float", required=True, bounds=(1e-9, 1e9)),
    Column("unit", "text"),
    *PROVENANCE,
)

#: Named corridors (corridors.registry): places to pass and what to avoid; their places are checked on the network.
CORRIDOR_COLUMNS = (
    Column("id", "id", required=True),
    Column("name", "text", required=True),
    Column("colour", "text", required=True),  # #rrggbb, checked by the registry
    Column("via", "list"),
    Column("avoid", "list"),
    Column("example_origin", "text"),
    Column("example_destination", "text"),
    Column("description", "text"),
    Column("sources", "refs"),
    Column("note", "text"),
    Column("requires", "list"),  # a mode or passage:NAME the corridor's route must use
)

#: What a claim's window counts: time (days, hours), distance, a price per FEU, a ratio to another corridor's time,
#: or a rank among the corridors (a superlative).
CLAIM_UNITS = ("days", "hours", "km", "usd", "times", "rank")
#: How a window is read (corridors.claims): a bound (the default, blank), a range, a schedule kept for nine journeys
#: in ten, or a place among the better half of the routes.
CLAIM_SENSES = ("at_most", "between", "schedule", "among_best")
CLAIM_COLUMNS = (
    Column("id", "id", required=True),
    Column("who", "text", required=True),
    Column("role", "text"),
    Column("said_on", "text", required=True),
    Column("statement", "text", required=True),
    Column("quoted", "text", choices=("yes", "no")),
    Column("source", "ref", required=True),
    Column("window_low", "float", required=True),
    Column("window_high", "float", required=True),
    Column("unit", "text", required=True, choices=CLAIM_UNITS),
    Column("sense", "text", choices=CLAIM_SENSES),
    Column("versus", "text"),  # a corridor id, checked against the corridors table
    Column("note", "text"),
)

CLAIM_READING_COLUMNS = (
    Column("claim", "text", required=True),
    Column("reading", "text", required=True),
    Column("label", "text", required=True),
    Column("origin", "text", required=True),
    Column("destination", "text", required=True),
    Column("via", "list"),
    Column("avoid", "list"),
    Column("exclude", "list", choices=STOP_KINDS),  # stop kinds the claim does not count
    Column("note", "text"),
    Column("word", "text"),  # a superlative's word (corridors.superlatives.WORDS)
)

RISK_KINDS = ("sanctions", "conflict", "war_risk")
#: ``place`` is a country code, ``passage:NAME`` or ``group:ID``; ``since``/``until`` are YYYY-MM (checked with the
#: network, by corridors.superlatives).
RISK_COLUMNS = (
    Column("id", "id", required=True),
    Column("place", "text", required=True),
    Column("kind", "text", required=True, choices=RISK_KINDS),
    Column("since", "text", required=True),
    Column("until", "text"),
    Column("description", "text", required=True),
    Column("sources", "refs", required=True),
    Column("note", "text"),
)

SERIES_UNITS = ("usd", "percent", "tonnes", "teu", "trains", "rank")
#: Context series (corridors.context): one row per series and year a source gives; a value is never negative.
SERIES_COLUMNS = (
    Column("series", "text", required=True),
    Column("year", "int", required=True, bounds=YEARS),
    Column("value", "float", required=True, bounds=(0.0, 1e15)),
    Column("unit", "text", required=True, choices=SERIES_UNITS),
    *PROVENANCE,
)

#: How a queue's demand is counted: a column of ``volumes.csv`` (corridors.queues turns tonnes into TEU).
QUEUE_DEMAND_UNITS = ("teu", "tonnes")
#: The capacity units a queue can turn into TEU a year (a weekly train count has no queue reading yet).
QUEUE_CAPACITY_UNITS = ("teu_per_year", "tonnes_per_year", "trains_per_day")
#: Where freight waits because capacity binds (corridors.queues): the element (a node, and the leg its wait is
#: before), the volume series that is its demand and the share of it that passes there, the capacity row that
#: limits it, one arrival's batch (in the demand's unit; blank: a train, ``teu_per_train``) and the coefficients
#: of variation of arrivals and service (blank: 1, the Poisson and exponential defaults). Its places, legs, series,
#: capacity rows and conversions are checked with the network.
QUEUE_COLUMNS = (
    Column("place", "text", required=True),
    Column("leg", "text"),
    Column("kind", "text", required=True, choices=STOP_KINDS),
    Column("demand", "text", required=True),
    Column("demand_unit", "text", required=True, choices=QUEUE_DEMAND_UNITS),
    Column("demand_share", "float", required=True, bounds=(0.0, 1.0)),
    Column("capacity_element", "text", required=True),
    Column("capacity_unit", "text", required=True, choices=QUEUE_CAPACITY_UNITS),
    Column("batch", "float", bounds=(1e-9, 1e9)),  # an arrival of nothing has no service time
    # a spread ten times the mean is no queue that Kingman's heavy-traffic reading describes: a typing error
    Column("cv_arrivals", "float", bounds=(0.0, 10.0)),
    Column("cv_service", "float", bounds=(0.0, 10.0)),
    *PROVENANCE,
)

#: What a row of ``months.csv`` says (corridors.seasons): a port's own weather closures in a month, or a group of
#: elements a seasonal peak congests.
MONTH_KINDS = ("weather_closure", "peak")
#: The months a source describes. ``month`` is 1–12 or an English name and ``place`` a node id (a closure) or a
#: group id (a peak), both checked with the network; a closure row needs its probability and delay, a peak none.
MONTH_COLUMNS = (
    Column("month", "text", required=True),
    Column("kind", "text", required=True, choices=MONTH_KINDS),
    Column("place", "text", required=True),
    Column("probability", "float", bounds=(0.0, 1.0)),  # a share of departures
    # a closure that outlasts a year is no month's weather: a typing error
    *(Column(f"{level}_h", "float", bounds=(0.0, 8760.0)) for level in ("low", "typical", "high")),
    *PROVENANCE,
)

#: The spread of single journeys around an element's state (corridors.spreads): per element selector (as a group's
#: members), the coefficient of variation of single shipments' time there as a publisher measured it, the period it
#: describes and the sentence that states it. Past 3 (a standard deviation three times the mean) no measured dwell
#: or passage time is meant: a typing error. Its selectors are checked with the network.
DISPERSION_COLUMNS = (
    Column("element", "text", required=True),
    Column("cv", "float", required=True, bounds=(0.0, 3.0)),
    Column("period", "text"),
    Column("quote", "text"),
    *PROVENANCE,
)

DATASET_TABLES: dict[str, tuple[Column, ...]] = {
    "capacities": CAPACITY_COLUMNS,
    "volumes": VOLUME_COLUMNS,
    "conversions": CONVERSION_COLUMNS,
    "corridors": CORRIDOR_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "claim_readings": CLAIM_READING_COLUMNS,
    "risks": RISK_COLUMNS,
    "series": SERIES_COLUMNS,
    "queues": QUEUE_COLUMNS,
    "months": MONTH_COLUMNS,
    "dispersion": DISPERSION_COLUMNS,
}

#: The columns that name a row, where no id column does: a second row with the same values is a problem (which of
#: two figures for the same series and year would be meant is unknown).
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "volumes": ("corridor", "year"),
    "claim_readings": ("claim", "reading"),
    "series": ("series", "year"),
    "queues": ("place", "leg", "kind"),
    "dispersion": ("element",),
}

#: What a dataset folder without a table gets, written once. Stop times and speeds time every stop and leg, and a
#: network without them answers nothing: a folder without its own takes the bundled rows that can apply to it (the
#: defaults, ``*``, and the rows of its own countries) with the bundled sources they cite, and the loader says so
#: in a warning that names the files. Every other table belongs to its dataset alone: a folder without one has
#: none (no capacities, no corridors, no claims), because bundled rows about the Middle Corridor would be
#: silently wrong about another network; a command that needs the table says which file is missing, and where.
FROM_BUNDLED = ("stop_times", "speeds")

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
