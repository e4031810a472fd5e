"""Many elements priced at once: the rules of :mod:`corridors.model` applied to classes of alike elements.

A network of a million legs has a million legs to price but few kinds of leg. Legs that no table names (no
explicit time, tariff, queue, condition or group of their own) and that share a mode, the countries of their ends,
the sea passages they sail and the sources of their distance and time differ only by their distance or their fixed
time: one of them is priced by :func:`corridors.model.price_leg`, the others by the same arithmetic on their own
figures, as columns. That arithmetic is checked on each class against the model's answer for its representative,
to the last bit; a class where they differ (a rule the model has gained since this was written) is priced leg by leg
by the model. Stops at places that no table names are priced once per kind and country; waits for a ferry or a
flight, and every element a table names, go to the model one by one.

``tests/test_pricing.py`` holds this to the model's numbers for every element of the bundled network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .conditions import Conditions, leg_selectors
from .routing import Prices
from .shipment import reference_load

if TYPE_CHECKING:
    from .model import Priced
    from .network import Network

#: Stops whose time depends on the leg they wait for (its timetable) and on the month (weather closures).
_PER_ELEMENT_STOPS = frozenset({"ferry_wait", "flight_wait"})


class NetworkPricing:
    """A :class:`corridors.routing.Pricing` over a network's tables under one condition set."""

    def __init__(self, network: Network, conditions: Conditions) -> None:
        self._network, self._conditions = network, conditions
        self._named = _named(network, conditions)

    def legs(self, ids: Sequence[str]) -> Prices:
        """Return the measures of these legs, each as :func:`corridors.model.price_leg` gives it."""
        network, named = self._network, self._named
        legs = network._legs
        if len(ids) != len(legs) or not np.array_equal(legs.index.to_numpy(), np.asarray(ids, dtype=object)):
            legs = legs.loc[list(ids)]
        country = network._node_records.column("country")
        if legs is network._legs:  # every leg: their ends are known
            first, last = network._leg_ends
        else:
            nodes = network._nodes.index
            first, last = (nodes.get_indexer(legs[end].to_numpy(dtype=object)) for end in ("from", "to"))
        fixed_time = legs["time_h"].notna().to_numpy()
        classes = [  # what makes legs alike: a column each
            legs["mode"].to_numpy(dtype=object), country[first], country[last],
            legs["passages"].to_numpy(dtype=object),
            legs["distance_source"].to_numpy(dtype=object),
            fixed_time,
            np.where(fixed_time, legs["time_source"].to_numpy(dtype=object), ""),
        ]
        generic = ~legs.index.isin(list(named)) if named else np.ones(len(legs), dtype=bool)
        distance = legs["distance_km"].to_numpy(dtype=float)
        fixed = legs["time_h"].to_numpy(dtype=float)
        time_h, cost_usd, co2_kg = np.empty(len(legs)), np.empty(len(legs)), np.empty(len(legs))
        info = np.empty(len(legs), dtype=np.int64)
        infos: dict[tuple[tuple[str, ...], str | None], int] = {}
        one_by_one = list(np.flatnonzero(~generic))
        cls = _classes([column[generic] for column in classes])
        members = np.flatnonzero(generic)
        order = np.argsort(cls, kind="stable")
        bounds = np.searchsorted(cls[order], np.arange(cls.max() + 2)) if len(cls) else np.zeros(1, dtype=np.int64)
        ids_array = legs.index.to_numpy()
        for c in range(len(bounds) - 1):
            rows = members[order[bounds[c]:bounds[c + 1]]]
            rep = str(ids_array[rows[0]])
            priced = network.price_leg(rep, self._conditions)
            numbers = _leg_numbers(network, self._conditions, rep, priced, distance[rows], fixed[rows])
            if numbers is None or not all(_same(float(values[0]), expected) for values, expected in
                                          zip(numbers, (priced.time_h, priced.cost_usd, priced.co2_kg), strict=True)):
                one_by_one.extend(rows)
                continue
            time_h[rows], cost_usd[rows], co2_kg[rows] = numbers
            info[rows] = infos.setdefault((priced.sources, priced.note), len(infos))
        for row in one_by_one:
            priced = network.price_leg(str(ids_array[row]), self._conditions)
            time_h[row], cost_usd[row], co2_kg[row] = priced.time_h, priced.cost_usd, priced.co2_kg
            info[row] = infos.setdefault((priced.sources, priced.note), len(infos))
        return Prices(time_h, cost_usd, co2_kg, info, tuple(infos))

    def stops(self, kinds: Sequence[str], places: Sequence[str], legs: Sequence[str | None],
              directions: Sequence[str | None] | None = None) -> Prices:
        """Return the measures of these stops, each as :func:`corridors.model.price_stop` gives it (``directions``:
        a gauge change's way, or None)."""
        network, named, conditions = self._network, self._named, self._conditions
        ways = list(directions) if directions is not None else [None] * len(kinds)
        kind, place, leg, way = (pd.Series(np.asarray(x, dtype=object), dtype=object)
                                 for x in (kinds, places, legs, ways))
        country = network._node_records.column("country")[network._nodes.index.get_indexer(
            place.to_numpy(dtype=object))]
        alone = (kind.isin(_PER_ELEMENT_STOPS) | place.isin(named) | (leg.notna() & leg.isin(named))).to_numpy()
        # nothing names the place: its stop is its country's, whatever the place and the leg; the first stop of
        # each kind, country and way is priced, the others take its estimate
        alike, groups = pd.factorize((kind + "\x1f" + pd.Series(country, dtype=object) + "\x1f"
                                      + way.fillna("")).where(~alone, None))
        estimates = [network.price_stop(kinds[i], places[i], legs[i], conditions, ways[i])
                     for i in _first_rows(alike, len(groups)).tolist()]
        slot = alike.copy()
        lone = np.flatnonzero(alone)
        slot[lone] = len(estimates) + np.arange(len(lone))
        estimates.extend(network.price_stop(kinds[i], places[i], legs[i], conditions, ways[i])
                         for i in lone.tolist())
        return _prices(estimates, slot)


def _classes(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Return each row's class: a code for its combination of values in the columns, numbered in the order rows
    first show them (a missing value is a value)."""
    code = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for column in columns:
        try:
            values, distinct = pd.factorize(column, use_na_sentinel=False)
        except TypeError:  # unhashable values (lists of passages): as tuples
            as_tuples = np.empty(len(column), dtype=object)
            as_tuples[:] = [tuple(v) for v in column]
            values, distinct = pd.factorize(as_tuples, use_na_sentinel=False)
        code = pd.factorize(code * len(distinct) + values)[0]
    return code


def _first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """Return the first row of each code 0…count-1 (codes of -1 are left out)."""
    first = np.full(count, len(codes), dtype=np.int64)
    rows = np.flatnonzero(codes >= 0)
    np.minimum.at(first, codes[rows], rows)
    return first


def _prices(estimates: Sequence[Priced], slot: np.ndarray) -> Prices:
    """Return the columns of rows that take ``estimates[slot[row]]``, their sources and notes coded in the order
    the rows first show them."""
    keys: dict[tuple[tuple[str, ...], str | None], int] = {}
    key_of = np.array([keys.setdefault((e.sources, e.note), len(keys)) for e in estimates], dtype=np.int64)
    info, used = pd.factorize(key_of[slot]) if len(slot) else (np.zeros(0, dtype=np.int64), np.zeros(0, np.int64))
    distinct = list(keys)
    figures = np.array([(e.time_h, e.cost_usd, e.co2_kg) for e in estimates], dtype=float).reshape(-1, 3)
    return Prices(figures[slot, 0], figures[slot, 1], figures[slot, 2], info.astype(np.int64),
                  tuple(distinct[k] for k in used.tolist()))


def _leg_numbers(network: Network, conditions: Conditions, rep: str, priced: Priced, distance: np.ndarray,
                 fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return the hours, cost and CO2e of legs of ``rep``'s class from their distances (or fixed times), by the
    arithmetic of :func:`corridors.model.price_leg` in its order of operations; None for a class it cannot
    price as a column (an explicit time, a tariff, a rate per kg)."""
    leg = network._leg_by_id[rep]
    mode, countries = leg["mode"], network._leg_countries(rep)
    share_km = distance / len(countries)
    draw = priced.time
    if draw.queue is not None:
        return None
    if draw.way == "speed" and len(draw.parts) == len(countries):
        time_h = np.zeros(len(distance))
        for _km, speed in draw.parts:
            time_h = time_h + share_km / speed.typical
    elif draw.way == "fixed":
        time_h = fixed.copy()
    else:
        return None
    costs = network.costs
    cost_usd = np.full(len(distance), math.nan)
    levels = [conditions.level(leg_selectors(rep, mode, c, leg["passages"])) for c in countries]
    if costs.has_costs:
        if costs.leg_rate(rep, levels[0]) is not None:
            return None
        rates = [costs.rate(mode, c, c, level) for c, level in zip(countries, levels, strict=True)]
        if any(r is not None and r.unit == "usd_per_kg" for r in rates):
            return None
        cost_usd = np.zeros(len(distance))
        for rate in rates:
            if rate is not None:
                cost_usd = cost_usd + share_km * rate.typical
    co2_kg = np.full(len(distance), math.nan)
    if costs.has_emissions:
        co2_kg = np.zeros(len(distance))
        for c in countries:
            factor = costs.emission_factor(mode, c)
            if factor is not None:
                scale = reference_load(network).tonnes if costs.per_tonne(mode, c) else 1.0
                co2_kg = co2_kg + share_km * factor[0] * scale
    return time_h, cost_usd, co2_kg


def _named(network: Network, conditions: Conditions) -> frozenset[str]:
    """Return every name the network's parameter tables, queues and condition groups mention: an element named
    there may be priced unlike its class."""
    names: set[str] = set()
    tables = [*network.parameters.tables().values(), *network.costs.tables().values()]
    for frame in tables:
        for column in frame.columns:
            if frame[column].dtype == object:
                names.update(_strings(frame[column]))
    selectors = [*conditions.levels, *conditions.forced,
                 *(m for members in network.condition_book.group_members.values() for m in members)]
    for selector in selectors:
        names.add(selector)
        names.add(selector.split(":", 1)[-1])
    for element in network.queues.elements:
        names.update(x for x in (element.place, element.leg) if x)
    return frozenset(names)


def _strings(values: Iterable[object]) -> Iterable[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, str))


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))
