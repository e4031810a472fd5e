"""Seasons: a month is a condition.

A Caspian storm closes Aktau, Kuryk and Alat for days in winter and hardly ever in summer; the Kazakh grain harvest
fills the ferries in autumn. The annual weather rows of ``disruptions.csv`` average that out. ``months.csv`` gives,
for the months a source documents, each port's own closure odds and delay (``weather_closure`` rows) and the
groups of elements a seasonal peak congests (``peak`` rows). A condition set taken *in a month*
(``net.conditions("typical", month=1)``) prices a ferry departure with the month's closure row where there is one,
else with the annual row, and puts the month's peak groups at their congested level.

Months without a row are not filled in: a month no source describes keeps the annual figure, which is said in the
output rather than spread evenly from a yearly total.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .contract import MONTH_COLUMNS, MONTH_KINDS
from .errors import CorridorError, Problem
from .io import parse_number, split_list
from .timing import Disruption, Estimate

if TYPE_CHECKING:
    from .conditions import Conditions

#: The contract's ranges of a closure row's figures, whose problems it reports (read here to leave those rows be).
_BOUNDS = {c.name: c.bounds for c in MONTH_COLUMNS if c.bounds is not None}


def month_number(value: object) -> int:
    """Return a month as 1–12 from a number or an English name (``1``, ``"01"``, ``"Jan"``, ``"january"``).

    Raises CorridorError naming the accepted forms for anything else.
    """
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    names = {n.lower(): i for i, n in enumerate(calendar.month_name) if n}
    names |= {n.lower(): i for i, n in enumerate(calendar.month_abbr) if n}
    found = names.get(text.lower())
    if found is None:
        raise CorridorError(f"month {value!r} is not a month: give 1–12 or a name such as 'January' or 'Jan'")
    return found


def month_name(month: int) -> str:
    """Return the English name of a month (1 → ``January``)."""
    return calendar.month_name[month]


@dataclass(frozen=True)
class MonthBook:
    """The monthly closure rows by (port, month) and the groups each month's peaks congest."""

    closures: Mapping[tuple[str, int], Disruption] = field(default_factory=dict)
    peaks: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    peak_sources: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def closure(self, place: str, month: int | None) -> Disruption | None:
        """Return the port's own closure row for the month, or None when no source describes that month."""
        return None if month is None else self.closures.get((place, month))

    def months_described(self, place: str) -> tuple[int, ...]:
        """Return the months a closure row describes at ``place``."""
        return tuple(sorted(m for p, m in self.closures if p == place))

    @property
    def empty(self) -> bool:
        return not self.closures and not self.peaks


def month_book(table: pd.DataFrame | None, *, places: Iterable[str], groups: Iterable[str],
               labels: Sequence[str] | None = None, file: str = "months.csv") -> tuple[MonthBook, list[Problem]]:
    """Return the monthly rows of a dataset's ``months`` table (empty when it has none) and the problems only the
    network can find: a month that is not one, a closure's unknown place or missing figures, a peak's unknown
    group, a delay whose low ≤ typical ≤ high fails, a second row for the same port and month.

    ``table`` is the table as read and checked against ``contract.MONTH_COLUMNS`` (corridors.loading), as text; a
    kind, source or number the contract refused has its problem already and is left alone here, so that each is
    said once. ``labels`` name the rows in messages (default: the line of a CSV file).
    """
    if table is None or not len(table):
        return MonthBook(), []
    places, groups = set(places), set(groups)
    problems: list[Problem] = []
    closures: dict[tuple[str, int], Disruption] = {}
    peaks: dict[int, list[str]] = {}
    peak_sources: dict[int, list[str]] = {}
    for i, row in enumerate(table.to_dict("records")):
        where = (file, labels[i] if labels is not None else f"line {i + 2}")
        before = len(problems)
        try:
            month = month_number(row["month"])
        except CorridorError as exc:
            problems.append(Problem(*where, "month", str(exc)))
            month = 0
        kind, cited = row["kind"].strip(), split_list(row["sources"])
        if kind == "peak":
            if row["place"] not in groups:
                problems.append(Problem(*where, "place", f"unknown group {row['place']!r} (a peak names a group of "
                                        "groups.csv)"))
            if len(problems) == before:
                peaks.setdefault(month, []).append(row["place"])
                peak_sources.setdefault(month, []).extend(cited)
            continue
        if kind not in MONTH_KINDS:
            continue  # the contract has said so
        if row["place"] not in places:
            problems.append(Problem(*where, "place", f"unknown place {row['place']!r} (a closure names a node id)"))
        numbers = _numbers(row, where, problems)
        if len(problems) == before and numbers is not None:
            probability, low, typical, high = numbers
            if (row["place"], month) in closures:
                problems.append(Problem(*where, "month", f"a second {month_name(month)} row for {row['place']}"))
                continue
            closures[(row["place"], month)] = Disruption(
                "weather_closure", probability,
                Estimate(low, typical, high, cited, row["place"], row["status"] or None, row["note"] or None))
    book = MonthBook(closures, {m: tuple(dict.fromkeys(g)) for m, g in peaks.items()},
                     {m: tuple(dict.fromkeys(s)) for m, s in peak_sources.items()})
    return book, problems


def _numbers(row: Mapping[str, str], where: tuple[str, str], problems: list[Problem]
             ) -> tuple[float, float, float, float] | None:
    """Return probability, low, typical and high of a closure row, or None after listing what is wrong (a number
    the contract refused, as not a number or out of its range, is its problem already)."""
    values = []
    for column in ("probability", "low_h", "typical_h", "high_h"):
        text = row[column].strip()
        if not text:
            problems.append(Problem(*where, column, "a value is required"))
            return None
        try:
            value = parse_number(text)  # strict: not '5_11', nan or inf
        except ValueError:
            return None
        bounds = _BOUNDS[column]
        if not bounds[0] <= value <= bounds[1]:
            return None
        values.append(value)
    probability, low, typical, high = values
    if not low <= typical <= high:
        problems.append(Problem(*where, "typical_h", f"low ≤ typical ≤ high does not hold ({low:g}, {typical:g}, "
                                f"{high:g})"))
        return None
    return probability, low, typical, high


def by_month(route: Any, *, conditions: str | Conditions | None = None, n: int = 4_000,
             seed: int | None = 0) -> pd.DataFrame:
    """Return a booked route's journey month by month: P10 / P50 / P90 days and the share of journeys that meet a
    weather closure, under ``conditions`` (default: the route's own) taken in each month of the year.

    The route stays as booked; only what a month changes (closures, peaks) changes. ``described`` says whether
    the data describe the month on this route at all (a closure row at one of its ports, or a peak on one of its
    groups): where not, the month is the annual figure.
    """
    from .superlatives import closure_share

    network = route.network
    base = route.conditions if conditions is None else network.conditions(conditions)
    described = set(described_months(route))
    rows = []
    for month in range(1, 13):
        transit = route.under(network.conditions(base, month=month)).simulate(n=n, seed=seed)
        p = transit.percentiles((10, 50, 90))
        rows.append({"month": month, "name": month_name(month), "p10_days": round(p["P10"], 2),
                     "p50_days": round(p["P50"], 2), "p90_days": round(p["P90"], 2),
                     "closure_share": round(closure_share(transit), 3), "described": month in described})
    return pd.DataFrame(rows)


def described_months(route: Any) -> tuple[int, ...]:
    """Return the months (1–12) the data describe on a booked route: a closure row at one of its ports, or a peak
    on one of its groups. Elsewhere a month is the annual figure."""
    places = {e.place for e in route.stops}
    groups = {e.priced.group for e in route.elements if e.priced is not None and e.priced.group}
    book = route.network.condition_book.months
    return tuple(month for month in range(1, 13)
                 if any((place, month) in book.closures for place in places)
                 or groups & set(book.peaks.get(month, ())))
