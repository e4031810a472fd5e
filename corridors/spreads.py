"""The spread of single journeys around an element's state: one coefficient of variation per kind of element.

An element's rows (``stop_times``, ``speeds``, ``leg_times``) give its time at a level of a condition set. Most of
them are averages over a year or a period: CPMM's border-crossing times are the yearly means of the shipments it
sampled, an operator's norm is what its trains take on average. Their low–high range is the spread of such
averages, which is the uncertainty about the *state* an element is in during a period. One journey meets that state
and still varies around it: a train clears a border faster or slower than the year's average train, a vessel
arrives on time or days late. Without that second spread a simulation describes the average journey of a period,
not a journey, and its P10–P90 is too narrow for any single one.

``dispersion.csv`` gives, per element selector (as ``groups.csv``'s members: ``border_crossing:*``,
``port_handling:rotterdam_port``, ``rail:KAZ``, ``passage:suez``), the coefficient of variation (standard deviation
over mean) of single shipments' time at such an element, as a publisher measured it. A simulation multiplies each
element's drawn time by a factor with mean 1 and that coefficient of variation, independent of every other journey.
The factor is gamma distributed: positive, and skewed to the right as waits are. Its mean of 1 keeps each element's
mean; only the spread around it grows.

Each element has a factor of its own, but for the rail legs of one train (see :func:`shared_factor_keys`): the rail
statistics measure whole runs, and they do not shrink with a run's length (about 0.17 for a six-hour Swedish run and
for 8.8-day North American trips alike). Legs varying on their own would make an 8.8-day trip of six-hour runs vary
by about 0.17 / √35 ≈ 0.03, which the measurement contradicts; legs of one train sharing one factor keep 0.17 at
every length, as measured.

Some times are not spread. The best case is a floor by definition. A wait for a scheduled departure is already a
single journey's, uniform over the headway, and so is a queueing delay, drawn per journey (corridors.queues). A
weather closure has its own probability, and a fixed time is a stated one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .contract import MODES, STOP_KINDS
from .errors import Problem
from .io import split_list

if TYPE_CHECKING:
    import pandas as pd

    from .network import Network


@dataclass(frozen=True)
class Spread:
    """The spread of single journeys at an element: its coefficient of variation and the row that gives it."""

    cv: float
    selector: str
    sources: tuple[str, ...]


class SpreadBook:
    """The single-journey spreads of a dataset, by element selector; empty without a ``dispersion`` table."""

    def __init__(self, table: pd.DataFrame | None = None):
        self._by: dict[str, Spread] = {}
        if table is not None:
            for row in table.to_dict("records"):
                self._by[row["element"]] = Spread(float(row["cv"]), row["element"], tuple(split_list(row["sources"])))

    @property
    def sources(self) -> frozenset[str]:
        """Return the source ids the rows cite."""
        return frozenset(s for spread in self._by.values() for s in spread.sources)

    def of(self, selectors: Iterable[str]) -> Spread | None:
        """Return the spread of the most specific selector a row names (selectors most specific first), or None."""
        return next((self._by[s] for s in selectors if s in self._by), None)


def spread_book(network: Network) -> SpreadBook:
    """Return the network's single-journey spreads, read once from its ``dispersion`` table (empty without one)."""
    book = network.__dict__.get("_spread_book")
    if book is None:
        book = SpreadBook(network.table("dispersion") if network.has_table("dispersion") else None)
        network.__dict__["_spread_book"] = book
    return book


def spread_problems(table: pd.DataFrame, nodes: Iterable[str], countries: Iterable[str], legs: Iterable[str],
                    *, kinds: Sequence[str], passages: Sequence[str], labels: Sequence[str] | None = None,
                    file: str = "dispersion.csv") -> list[Problem]:
    """Return the problems of a ``dispersion`` table that only the network can find: a selector that is not
    ``KIND:PLACE``, or a place, country, leg or passage the network does not have. (A selector given twice is the
    contract's to find: ``contract.ROW_KEYS``.) ``labels`` name the rows (default: the line of a CSV file)."""
    known_places = {*nodes, *countries, "*"}
    legs = set(legs)
    found = []
    for i, selector in enumerate(table["element"]):
        where = labels[i] if labels is not None else f"line {i + 2}"
        kind, _, place = str(selector).partition(":")
        if kind not in kinds or not place:
            found.append(Problem(file, where, "element",
                                 f"{selector!r} is not KIND:PLACE with KIND one of {', '.join(kinds)}"))
            continue
        known = (place in legs if kind == "leg" else place in passages if kind == "passage"
                 else place in known_places)
        if not known:
            what = {"leg": "leg", "passage": "passage"}.get(kind, "place or country")
            found.append(Problem(file, where, "element", f"{selector!r}: unknown {what} {place!r}"))
    return found


#: The elements after which the next rail leg is another train: every stop but a border crossing (the freight
#: changes train at a gauge change and leaves the rails at a port, a transshipment or an airport), and every leg
#: but a rail one. A border crossing without a gauge change does not end the train (the same wagons run on), and
#: neither does a weather closure.
TRAIN_ENDS = frozenset((set(STOP_KINDS) - {"border_crossing"}) | (set(MODES) - {"rail"}))


def shared_factor_keys(kinds: Sequence[str]) -> list[int | None]:
    """Return, for each element of a journey (its kinds in order), the key of the single-journey factor it shares:
    the rail legs of one train share a key (the train's number along the journey); every other element has its own
    factor (None).

    >>> shared_factor_keys(["rail", "border_crossing", "rail", "gauge_change", "rail", "ferry_wait", "ferry", "rail"])
    [0, None, 0, None, 1, None, None, 2]
    """
    keys: list[int | None] = []
    train, on_rails = 0, False
    for kind in kinds:
        if kind == "rail":
            keys.append(train)
            on_rails = True
            continue
        keys.append(None)
        if kind in TRAIN_ENDS and on_rails:  # the next rail leg is another train
            train, on_rails = train + 1, False
    return keys


def weighted_cv(parts: Sequence[tuple[float, Spread | None]]) -> tuple[float, tuple[str, ...]]:
    """Return the spread of a leg timed in parts (km, spread of the part): the km-weighted coefficient of variation
    (a part without a row counts as none), with the sources of the rows used."""
    total = sum(km for km, _ in parts)
    if not total:
        return 0.0, ()
    cv = sum(km * s.cv for km, s in parts if s is not None) / total
    sources = tuple(dict.fromkeys(x for _, s in parts if s is not None for x in s.sources))
    return cv, sources
