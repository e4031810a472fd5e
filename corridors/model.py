"""The time, cost and CO2 model of one element (a leg or a stop) under a condition set: its one home.

Every answer the package gives reads an element's estimate from here: routing weighs arcs by it, a Route's elements
carry it, ``simulate`` draws from it and scenarios scale it. The rules, once:

- **A leg's time**: an explicit leg-time row (ferries, sea legs, published running times) at the leg's level, else
  the leg's fixed ``time_h``, else its distance over the running speed of its mode, half the distance in the
  country of each end, each half at the level of that country's group.
- **A stop's time**: a scheduled service's wait is half its headway (drawn from the timetable); a stop at an
  element whose capacity binds is the ``best`` row (the wait with no queue) plus a queueing delay from demand against
  capacity (:mod:`corridors.queues`); any other stop is the row of its kind at its place (node → country → ``*``) at
  its level, a row for the stop's own way first (a gauge change's ``1435>1520``, a border's ``out`` or ``in``;
  ``contract.DIRECTED_STOPS``). A ferry departure also meets the place's weather closures at its level.
- **A single journey's spread**: an element's row is the state of a period (mostly an average); a journey varies
  around it by the element's measured single-shipment spread (:mod:`corridors.spreads`), except at the best case.
- **Cost** is the leg's own tariff, else distance × the mode's rate in each end's country; a stop costs the rate of
  its kind at its place. Each rate carries its price year. **CO2e** is distance × the mode's factor per FEU-km.

An element's level comes from the condition set (:mod:`corridors.conditions`), so a condition that congests the
Caspian leaves the northern route's elements as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .conditions import BEST, CONGESTED, LEVELS, Conditions, leg_selectors, stop_selectors
from .errors import CorridorError
from .shipment import reference_load
from .spreads import spread_book, weighted_cv
from .timing import Disruption, Estimate, headway_h

if TYPE_CHECKING:
    from .costs import Rate
    from .network import Network
    from .queues import QueueWait


@dataclass(frozen=True)
class TimeDraw:
    """How an element's time is drawn in a simulation.

    ``way`` is ``split`` (a split triangular from ``estimate``), ``speed`` (``parts``: km over a drawn speed),
    ``fixed`` (``value_h``) or ``headway`` (the wait for the next departure of a service every ``value_h`` hours).
    ``queue`` adds a queueing delay to any of them. ``spread`` is the coefficient of variation of a single
    journey around a ``split`` or ``speed`` draw (corridors.spreads): 0 where none applies.
    """

    way: str
    estimate: Estimate | None = None
    parts: tuple[tuple[float, Estimate], ...] = ()
    value_h: float = 0.0
    queue: QueueWait | None = None
    spread: float = 0.0

    @property
    def typical_h(self) -> float:
        """Return the element's typical hours: the median of its distribution, a mean for waits and queues."""
        return time_range(self)[1] + (self.queue.mean_h if self.queue is not None else 0.0)


def time_range(draw: TimeDraw) -> tuple[float, float, float]:
    """Return the low, typical and high hours of an element's time, without any queue (a speed's high gives the
    low time; a wait for a scheduled departure runs from none to one headway, half of it on average)."""
    if draw.way == "split" and draw.estimate is not None:
        e = draw.estimate
        return e.low, e.typical, e.high
    if draw.way == "speed":
        return (sum(km / s.high for km, s in draw.parts), sum(km / s.typical for km, s in draw.parts),
                sum(km / s.low for km, s in draw.parts))
    if draw.way == "headway":
        return 0.0, draw.value_h / 2.0, draw.value_h
    return draw.value_h, draw.value_h, draw.value_h


@dataclass(frozen=True)
class Priced:
    """One element under one condition set: how its time is drawn, its cost, its CO2e, and where they come from."""

    time: TimeDraw
    level: str
    sources: tuple[str, ...]
    cost_usd: float = math.nan
    price_year: int | None = None
    co2_kg: float = math.nan
    closure: Disruption | None = None
    note: str | None = None
    weak: bool = False  # every source of its time is a blog, a mirror or an aggregator
    group: str | None = None  # the group of elements it belongs to (groups.csv), which shares its state

    @property
    def time_h(self) -> float:
        """Return the typical hours (the median of the element's time, a mean for waits)."""
        return self.time.typical_h


def _unique(values: list[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def price_leg(network: Network, leg_id: str, conditions: Conditions) -> Priced:
    """Return the estimate of one leg (its running or crossing time, cost and CO2e) under ``conditions``."""
    params, leg = network.parameters, network._leg_by_id[leg_id]
    countries = network._leg_countries(leg_id)
    share_km = leg["distance_km"] / len(countries)
    mode = leg["mode"]
    levels = [conditions.level(leg_selectors(leg_id, mode, c, leg["passages"])) for c in countries]
    sources: list[str | None] = [leg["distance_source"]]
    first = leg_selectors(leg_id, mode, countries[0], leg["passages"])  # the leg in its first country
    spreads = spread_book(network)
    explicit = params.leg_time(leg_id, levels[0])
    spread_sources: tuple[str, ...] = ()
    if explicit is not None:
        found = spreads.of(first) if levels[0] != BEST else None
        draw = TimeDraw("split", explicit, spread=found.cv if found is not None else 0.0)
        spread_sources = found.sources if found is not None else ()
        sources.extend(explicit.sources)
        note = explicit.note
    elif leg["time_h"] is not None:
        draw = TimeDraw("fixed", value_h=leg["time_h"])
        sources.append(leg["time_source"])
        note = None
    else:
        parts = []
        for country, level in zip(countries, levels, strict=True):
            speed = params.speed(mode, country, level)
            if speed is None:
                raise CorridorError(f"no {mode} speed for {country} at level {level!r}")
            parts.append((share_km, speed))
            sources.extend(speed.sources)
        cv, spread_sources = weighted_cv([
            (share_km, spreads.of(leg_selectors(leg_id, mode, c, leg["passages"])) if level != BEST else None)
            for c, level in zip(countries, levels, strict=True)])
        draw = TimeDraw("speed", parts=tuple(parts), spread=cv)
        note = None
    cost, year = math.nan, None
    costs = network.costs
    if costs.has_costs:
        tariff = costs.leg_rate(leg_id, levels[0])
        if tariff is not None:
            cost, year = _leg_cost(network, tariff, leg["distance_km"]), tariff.price_year
        else:
            rates = [costs.rate(mode, c, c, level) for c, level in zip(countries, levels, strict=True)]
            per_kg = [r for r in rates if r is not None and r.unit == "usd_per_kg"]
            if per_kg:  # an air rate is for the whole flight: once, not once per country
                cost = _leg_cost(network, per_kg[0], leg["distance_km"])
            else:
                cost = sum(share_km * r.typical for r in rates if r is not None)
            years = [r.price_year for r in rates if r is not None and r.price_year]
            year = max(years) if years else None
    co2 = math.nan
    if costs.has_emissions:
        factors = [costs.emission_factor(mode, c) for c in countries]
        scale = [reference_load(network).tonnes if costs.per_tonne(mode, c) else 1.0 for c in countries]
        co2 = sum(share_km * f[0] * k for f, k in zip(factors, scale, strict=True) if f is not None)
    level = max(levels, key=lambda v: _LEVEL_ORDER.get(v, 1)) if levels else conditions.default
    time_sources = _unique(sources[1:]) or _unique(sources)
    group = network.condition_book.group_of(first)
    return Priced(draw, level, _unique([*sources, *spread_sources]), cost, year, co2, note=note,
                  weak=network._weak_sources(time_sources), group=group)


def price_stop(network: Network, kind: str, place: str, leg: str | None, conditions: Conditions,
               direction: str | None = None) -> Priced:
    """Return the estimate of one stop (``kind`` at ``place``, before ``leg`` for a wait) under ``conditions``;
    ``direction`` is the stop's way (a gauge change's ``1435>1520``, a border's ``out`` or ``in``), which picks the
    place's row for that way if it has one."""
    params = network.parameters
    country = network._node_records[place]["country"]
    selectors = stop_selectors(kind, place, country)
    level = conditions.level(selectors)
    group = network.condition_book.group_of(selectors)
    cost, year = _stop_cost(network, kind, place, country, level)
    closure = None
    if kind == "ferry_wait":
        weather = stop_selectors("weather_closure", place, country)
        weather_level = conditions.level(weather)
        found = None
        # a month's own row where a source describes it, unless the best case (no closures by definition) or a
        # user's override of the weather group asks for the annual level
        if conditions.month is not None and weather_level != BEST and not conditions.forced_level(weather):
            found = network.condition_book.months.closure(place, conditions.month)
        if found is None:
            found = params.disruption(place, country, weather_level)
        closure = found if found is not None and found.probability > 0 else None
    if kind in ("ferry_wait", "flight_wait") and leg is not None:
        service = network._leg_by_id[leg]["service"]
        headway = headway_h(service)
        if headway is not None:
            sources = _unique([network._leg_by_id[leg]["service_source"]])
            return Priced(TimeDraw("headway", value_h=headway), level, sources, cost, year, 0.0, closure,
                          note=f"half the headway of {service}", group=group)
    # The congested preset is a state, not a period: a queue it congests reads the worst documented year, as a
    # user's --congest does, so that congested is never shorter than typical (whose year may be the busier one).
    worst = conditions.forced_level(selectors) or conditions.name.split(" ")[0] == CONGESTED
    queue = network.queues.wait(place, leg, kind, conditions, level, forced=worst) if level != BEST else None
    row_level = BEST if queue is not None else level
    row = params.stop_time(kind, place, country, row_level, direction)
    if row is None:  # validation guarantees a default row; keep the message useful all the same
        raise CorridorError(f"no {kind} time for {place} at level {row_level!r}")
    # the best row under a queue is the time with no queue: a floor, not a state a journey varies around
    spread = spread_book(network).of(selectors) if row_level != BEST else None
    sources = _unique([*row.sources, *(queue.sources if queue is not None else ()),
                       *(spread.sources if spread is not None else ())])
    note = row.note if queue is None else f"{queue.describe()}; with no queue: {row.typical:g} h"
    draw = TimeDraw("split", row, queue=queue, spread=spread.cv if spread is not None else 0.0)
    return Priced(draw, level, sources, cost, year, 0.0, closure, note=note,
                  weak=queue is None and network._weak_sources(row.sources), group=group)


def _leg_cost(network: Network, rate: Rate, distance_km: float) -> float:
    """Return a leg's cost per loaded FEU from a rate in any unit: per FEU, per FEU-km, or per chargeable kg of
    one loaded FEU's cargo (air)."""
    if rate.unit == "usd_per_kg":  # a rate for a whole China-Europe flight: each leg pays its share by distance
        reference_km = network.queues.conversions.get("air_rate_reference_km")
        share = distance_km / reference_km if reference_km else 1.0
        return rate.typical * reference_load(network).chargeable_kg * share
    if rate.unit == "usd_per_feu_km":
        return rate.typical * distance_km
    return rate.typical


def _stop_cost(network: Network, kind: str, place: str, country: str, level: str) -> tuple[float, int | None]:
    if not network.costs.has_costs:
        return math.nan, None
    rate = network.costs.rate(kind, place, country, level)
    if rate is None:
        return 0.0, None
    value = rate.typical * reference_load(network).chargeable_kg if rate.unit == "usd_per_kg" else rate.typical
    return value, rate.price_year


_LEVEL_ORDER = {level: rank for rank, level in enumerate(LEVELS)}  # best < typical < congested
