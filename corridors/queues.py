"""Waits where capacity binds: demand against capacity by a standard queueing approximation.

Freight that reaches a Caspian ferry port, a border crossing or a gauge-change yard whose capacity is nearly used
waits in a queue. The wait is Kingman's approximation for a single-server queue with general arrivals and service
(G/G/1; J. F. C. Kingman, "The single server queue in heavy traffic", *Proc. Cambridge Philos. Soc.* 57(4), 1961,
pp. 902–904; see also Hopp & Spearman, *Factory Physics*, 3rd ed., 2008, eq. 8.10)::

    Wq ≈ ρ / (1 − ρ) · (ca² + cs²) / 2 · S

with ρ the utilisation (demand over capacity), ``ca`` and ``cs`` the coefficients of variation of the times between
arrivals and of the service times, and ``S`` the service time of one arriving batch (a train's load of TEU divided
by the element's capacity per hour). In heavy traffic the wait of a G/G/1 queue is close to exponential (Kingman
1961), and a share ρ of arrivals waits at all; so a journey waits with probability ρ, and then an exponential time
of mean ``Wq / ρ``.

The queue elements are data (``queues.csv``): where freight waits, which volume series is its demand and which
share of it passes there, and which capacity row limits it. Demand is the series' volume of the condition set's
year (``volumes.csv``); capacity the element's most recent figure for that year or before (``capacities.csv``). A
user's override that congests the element (``--congest caspian``) reads its worst documented year (the highest
utilisation on record); a ``best`` element has no queue, and neither has a condition set without a year. Scenarios
scale demand and capacity (``[[demand]]``, ``[[capacity]]``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from .conditions import CONGESTED, TYPICAL
from .contract import QUEUE_CAPACITY_UNITS
from .errors import CorridorError, Problem
from .io import split_list

if TYPE_CHECKING:
    from .conditions import Conditions

HOURS_PER_YEAR = 8760.0
#: A queue whose demand reaches its capacity has no steady state: it is reported as saturated and evaluated at
#: this utilisation, so the wait is long but finite (the queue a period of overload builds is bounded by the
#: period; the formula cannot say by how much).
MAX_UTILISATION = 0.95


@dataclass(frozen=True)
class QueueWait:
    """The queueing delay at one element in one year: utilisation, the mean wait and how it was derived."""

    place: str
    year: int
    utilisation: float
    mean_h: float
    service_h: float
    demand_teu: float
    capacity_teu: float
    saturated: bool
    sources: tuple[str, ...]

    @property
    def wait_probability(self) -> float:
        """Return the share of arrivals that wait at all (the utilisation, capped)."""
        return min(self.utilisation, MAX_UTILISATION)

    def describe(self) -> str:
        """Return the derivation in a few words."""
        state = "saturated, taken as " if self.saturated else ""
        return (f"queue {self.year}: {self.demand_teu:,.0f} TEU a year against {self.capacity_teu:,.0f} "
                f"(utilisation {state}{min(self.utilisation, MAX_UTILISATION):.2f}), Kingman mean wait "
                f"{self.mean_h:.1f} h")


def kingman_wait_h(utilisation: float, service_h: float, cv_arrivals: float = 1.0, cv_service: float = 1.0) -> float:
    """Return Kingman's mean waiting time in a G/G/1 queue: ρ/(1−ρ) · (ca² + cs²)/2 · S (see the module)."""
    rho = min(utilisation, MAX_UTILISATION)
    return rho / (1.0 - rho) * (cv_arrivals ** 2 + cv_service ** 2) / 2.0 * service_h


@dataclass(frozen=True)
class QueueElement:
    """One place where freight queues: its demand series and share, the capacity that limits it, its batch."""

    place: str
    leg: str | None
    kind: str
    demand: str
    demand_unit: str
    demand_share: float
    capacity_element: str
    capacity_unit: str
    batch_teu: float
    cv_arrivals: float
    cv_service: float
    sources: tuple[str, ...]


@dataclass
class QueueBook:
    """The queue elements of a network with the volumes and capacities they read; scaled by scenarios."""

    elements: tuple[QueueElement, ...] = ()
    volumes: pd.DataFrame = field(default_factory=pd.DataFrame)
    capacities: pd.DataFrame = field(default_factory=pd.DataFrame)
    conversions: Mapping[str, float] = field(default_factory=dict)
    demand_factors: Mapping[str, float] = field(default_factory=dict)
    capacity_factors: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_key = {(e.place, e.leg, e.kind): e for e in self.elements}
        self._cache: dict[tuple, QueueWait | None] = {}

    def scaled(self, *, demand: Mapping[str, float] | None = None, capacity: Mapping[str, float] | None = None
               ) -> QueueBook:
        """Return a copy with demand series and capacities multiplied by factors (compounding earlier ones)."""
        d, c = dict(self.demand_factors), dict(self.capacity_factors)
        for key, factor in (demand or {}).items():
            d[key] = d.get(key, 1.0) * factor
        for key, factor in (capacity or {}).items():
            c[key] = c.get(key, 1.0) * factor
        return replace(self, demand_factors=d, capacity_factors=c)

    @property
    def demand_series(self) -> tuple[str, ...]:
        """Return the volume series that drive queues."""
        return tuple(dict.fromkeys(e.demand for e in self.elements))

    @property
    def capacity_elements(self) -> tuple[str, ...]:
        """Return the capacity rows that limit queues."""
        return tuple(dict.fromkeys(e.capacity_element for e in self.elements))

    def element(self, place: str, leg: str | None, kind: str) -> QueueElement | None:
        """Return the queue element at a place (before a leg, for a wait), if there is one."""
        return self._by_key.get((place, leg, kind)) or self._by_key.get((place, None, kind))

    def wait(self, place: str, leg: str | None, kind: str, conditions: Conditions, level: str, *,
             forced: bool = False) -> QueueWait | None:
        """Return the queueing delay at a place under a condition set, or None where no queue applies.

        The queue follows the volumes of the set's year, whatever level the set gives the element: a period's
        congestion comes from its traffic. Only a user's override to ``congested`` (``forced``) reads the worst
        documented year instead, and a set without a year has no queue.
        """
        element = self.element(place, leg, kind)
        if element is None:
            return None
        if level == CONGESTED and forced:
            waits = [w for w in (self._wait(element, year) for year in self._years(element)) if w is not None]
            return max(waits, key=lambda w: w.utilisation) if waits else None
        if conditions.year is None:
            return None
        return self._wait(element, conditions.year)

    def _years(self, element: QueueElement) -> list[int]:
        rows = self.volumes[(self.volumes["corridor"] == element.demand) & self.volumes[element.demand_unit].notna()]
        return sorted(int(y) for y in rows["year"])

    def _wait(self, element: QueueElement, year: int) -> QueueWait | None:
        key = (element, year)
        if key not in self._cache:
            self._cache[key] = self._compute(element, year)
        return self._cache[key]

    def _compute(self, element: QueueElement, year: int) -> QueueWait | None:
        demand, demand_sources = self._demand_teu(element, year)
        capacity, capacity_sources = self._capacity_teu(element, year)
        if demand is None or capacity is None or capacity <= 0:
            return None
        rho = demand / capacity
        if math.isnan(element.batch_teu):
            conversion(self.conversions, "teu_per_train", f"the queue at {element.place}")
            conversion(self.conversions, "tonnes_per_teu", f"the queue at {element.place}")
        service_h = element.batch_teu / (capacity / HOURS_PER_YEAR)
        mean = kingman_wait_h(rho, service_h, element.cv_arrivals, element.cv_service)
        return QueueWait(element.place, year, rho, mean, service_h, demand, capacity, rho >= MAX_UTILISATION,
                         tuple(dict.fromkeys((*element.sources, *demand_sources, *capacity_sources))))

    def _demand_teu(self, element: QueueElement, year: int) -> tuple[float | None, tuple[str, ...]]:
        rows = self.volumes[(self.volumes["corridor"] == element.demand) & (self.volumes["year"] == year)]
        rows = rows[rows[element.demand_unit].notna()]
        if rows.empty:
            return None, ()
        row = rows.iloc[0]
        value = float(row[element.demand_unit]) * element.demand_share * self.demand_factors.get(element.demand, 1.0)
        if element.demand_unit != "teu":
            value /= conversion(self.conversions, "tonnes_per_teu", f"the queue at {element.place}")
        return value, split_list(row.get("sources"))

    def _capacity_teu(self, element: QueueElement, year: int) -> tuple[float | None, tuple[str, ...]]:
        table = self.capacities
        rows = table[(table["element"] == element.capacity_element) & (table["unit"] == element.capacity_unit)
                     & (table["status"] != "plan")]
        dated = rows[rows["year"].notna() & (rows["year"] <= year)]
        if dated.empty:  # no figure for that year or before: the earliest later one
            dated = rows[rows["year"].notna()].sort_values("year").head(1)
        if dated.empty:
            return None, ()
        row = dated.sort_values("year").iloc[-1]
        value = float(row["capacity"]) * self.capacity_factors.get(element.capacity_element, 1.0)
        if element.capacity_unit not in QUEUE_CAPACITY_UNITS:
            return None, ()
        if element.capacity_unit in _NEEDS:
            factor = conversion(self.conversions, _NEEDS[element.capacity_unit], f"the queue at {element.place}")
            value = value / factor if element.capacity_unit == "tonnes_per_year" else value * factor * 365.0
        return value, split_list(row.get("sources"))


def queue_book(tables: Mapping[str, pd.DataFrame]) -> QueueBook:
    """Return the queue elements of a dataset with the volumes and capacities they read (empty without a
    ``queues`` table), from its tables as read and checked against the contract at load (corridors.loading), as
    text. The conversions come along whether or not there are queues: one loaded FEU's cargo prices air freight."""
    def numbers(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        frame = frame.copy()
        for column in columns:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")  # blank: NaN
        return frame

    conversions = conversion_factors(tables)
    if "queues" not in tables or not len(tables["queues"]):
        return QueueBook(conversions=conversions)
    elements = []
    for r in tables["queues"].to_dict("records"):
        # a batch in the demand's unit (tonnes), or a train's TEU; a conversion the dataset lacks leaves it unknown
        # (NaN), which the load reports as a problem of the table (queue_problems) and a wait refuses to use
        batch = float(r["batch"]) if r["batch"] else conversions.get("teu_per_train", math.nan)
        if r["demand_unit"] == "tonnes" and r["batch"]:
            batch /= conversions.get("tonnes_per_teu", math.nan)
        elements.append(QueueElement(
            r["place"], r["leg"] or None, r["kind"], r["demand"], r["demand_unit"], float(r["demand_share"]),
            r["capacity_element"], r["capacity_unit"], batch, float(r["cv_arrivals"] or 1.0),
            float(r["cv_service"] or 1.0), split_list(r["sources"])))
    volumes = (numbers(tables["volumes"], ("year", "tonnes", "teu", "trains")) if "volumes" in tables
               else pd.DataFrame(columns=["year", "corridor", "tonnes", "teu", "trains", "sources"]))
    capacities = (numbers(tables["capacities"], ("capacity", "year")) if "capacities" in tables
                  else pd.DataFrame(columns=["element", "kind", "capacity", "unit", "year", "status", "sources"]))
    return QueueBook(tuple(elements), volumes, capacities, conversions)


def conversion(conversions: Mapping[str, float], name: str, who: str) -> float:
    """Return a named conversion factor; raise CorridorError naming the row to add when the dataset lacks it (a load
    refuses such a queue first: this is for a book built from tables of one's own)."""
    if name not in conversions:
        raise CorridorError(f"{who} needs the conversion {name!r}: add it to conversions.csv (name, value, unit, "
                            "sources)")
    return conversions[name]


def conversion_factors(tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """Return a dataset's named conversion factors (``conversions``, as text) as numbers; none without the table.
    A value that is no number is left out: the contract has said so."""
    if "conversions" not in tables:
        return {}
    table = tables["conversions"]
    values = pd.to_numeric(table["value"], errors="coerce")
    return {str(name): float(value) for name, value in zip(table["name"], values, strict=True) if pd.notna(value)}


#: The conversion each way of counting a queue needs to be read in TEU.
_NEEDS = {"tonnes": "tonnes_per_teu", "tonnes_per_year": "tonnes_per_teu", "trains_per_day": "teu_per_train"}


def queue_problems(tables: Mapping[str, pd.DataFrame], nodes: Iterable[str], legs: Iterable[str]) -> list[Problem]:
    """Return the problems of a dataset's ``queues`` table that only the network and its other tables can find:
    an unknown place or leg, a demand series without volumes, a capacity element without a row in the queue's
    unit, a conversion the queue needs and the dataset lacks. Each with its file, row and field."""
    if "queues" not in tables:
        return []
    nodes, legs = set(nodes), set(legs)
    volumes, capacities = tables.get("volumes"), tables.get("capacities")
    series = set(volumes["corridor"]) if volumes is not None else set()
    rated = set(zip(capacities["element"], capacities["unit"], strict=True)) if capacities is not None else set()
    conversions = set(tables["conversions"]["name"]) if "conversions" in tables else set()
    found = []
    for i, r in enumerate(tables["queues"].to_dict("records")):
        row: list[tuple[str, str]] = []  # (field, message)
        if r["place"] not in nodes:
            row.append(("place", f"unknown place {r['place']!r}: not a node id of the network"))
        if r["leg"] and r["leg"] not in legs:
            row.append(("leg", f"unknown leg {r['leg']!r}: not a leg id of the network"))
        if r["demand"] not in series:
            row.append(("demand", f"no volumes for {r['demand']!r}: volumes.csv has no row of that corridor"
                        if volumes is not None else "the dataset has no volumes.csv to read the demand from"))
        if (r["capacity_element"], r["capacity_unit"]) not in rated:
            row.append(("capacity_element", f"no capacity of {r['capacity_element']!r} in {r['capacity_unit']}: "
                        "capacities.csv has no such row" if capacities is not None
                        else "the dataset has no capacities.csv to read the capacity from"))
        # a blank batch is one train's load
        needs = [(f, _NEEDS[r[f]]) for f in ("demand_unit", "capacity_unit") if r[f] in _NEEDS]
        needs += [("batch", "teu_per_train")] if not r["batch"] else []
        for name in dict.fromkeys(name for _, name in needs if name not in conversions):  # said once, at its first
            f = next(f for f, n in needs if n == name)
            row.append((f, f"a row {name!r} is needed in conversions.csv to read this queue in TEU"))
        found += [Problem("queues.csv", f"line {i + 2}", f, message) for f, message in row]
    return found


def queue_summary(book: QueueBook, conditions: Conditions) -> list[dict[str, object]]:
    """Return every queue element's wait under a condition set (plain data)."""
    rows = []
    for e in book.elements:
        wait = book.wait(e.place, e.leg, e.kind, conditions, TYPICAL)
        if wait is not None:
            rows.append({"place": e.place, "leg": e.leg or "", "year": wait.year,
                         "utilisation": round(wait.utilisation, 3), "mean_wait_h": round(wait.mean_h, 1),
                         "saturated": wait.saturated})
    return rows
