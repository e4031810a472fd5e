"""Conditions: the state of each group of elements in a period, instead of one global profile.

The time parameters give each element up to three *levels*: ``best`` (timetables and operators' best cases),
``typical`` and ``congested``. A **condition set** says which level each group of elements was at: in 2022 the
Caspian ferries and the China–Kazakhstan border were congested while the northern route ran normally; in 2024 the
Red Sea passage was closed. Groups are data (``groups.csv``: named lists of element selectors) and so are the
condition sets (``conditions.csv``: per condition, a level per group and a default ``*`` level, with sources).

An element is matched by selectors from the most specific to the least: a stop by ``kind:node``, ``kind:country``,
``kind:*``; a leg by ``leg:id``, then ``mode:country`` for the country of each of its ends, then ``mode:*``; a sea
passage by ``passage:name``. The first selector that belongs to a group named by the condition set gives the level;
otherwise the set's default level applies.

A dataset without condition sets still has one uniform set per level of its parameter tables (``typical`` puts
every element at ``typical``), so the old profiles keep their meaning. The name ``scheduled`` is the old name of
``best`` and is accepted wherever a condition name is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .errors import CorridorError
from .seasons import MonthBook, month_name, month_number

BEST, TYPICAL, CONGESTED, CLOSED = "best", "typical", "congested", "closed"
LEVELS = (BEST, TYPICAL, CONGESTED)
#: Old names of levels and presets, kept so that data and scripts written for profiles keep working.
LEVEL_ALIASES = {"scheduled": BEST}
DEFAULT_CONDITIONS = TYPICAL


def level_name(name: str) -> str:
    """Return the current name of a level or condition set (``scheduled`` → ``best``)."""
    return LEVEL_ALIASES.get(name, name)


@dataclass(frozen=True, eq=False)
class Conditions:
    """A condition set: a default level, the level of named groups, and the year whose volumes drive queues.

    ``levels`` maps an element selector (``rail:KAZ``, ``ferry_wait:aktau_port``, ``passage:suez``) to the level
    of the group it belongs to; selectors not mapped take ``default``. ``groups`` names each group's level, for
    display; ``sources`` document the set.
    """

    name: str
    default: str = TYPICAL
    levels: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    year: int | None = None
    sources: tuple[str, ...] = ()
    forced: frozenset[str] = frozenset()  # selectors a user override (congest / relieve) set
    month: int | None = None  # the month the set is taken in (1–12): its closures and peaks, see corridors.seasons

    def forced_level(self, selectors: Iterable[str]) -> bool:
        """Return whether the element's level was set by a user override rather than by the set itself."""
        return any(s in self.forced for s in selectors if s in self.levels)

    def _key(self) -> tuple:
        return self.name, self.default, self.year, frozenset(self.levels.items()), self.month

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Conditions) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def level(self, selectors: Iterable[str]) -> str:
        """Return the level of the element matched by ``selectors`` (most specific first)."""
        for selector in selectors:
            found = self.levels.get(selector)
            if found is not None:
                return found
        return self.default

    @property
    def closed_passages(self) -> frozenset[str]:
        """Return the sea passages this condition set closes."""
        return frozenset(s.split(":", 1)[1] for s, level in self.levels.items()
                         if level == CLOSED and s.startswith("passage:"))

    def describe(self) -> str:
        """Return the set in a few words: its default level and the groups that depart from it."""
        parts = [f"{group} {level}" for group, level in self.groups.items() if level != self.default]
        head = f"{self.name}: {self.default} elsewhere" if parts else f"{self.name}: every element {self.default}"
        return head if not parts else f"{self.name}: " + ", ".join(parts) + f"; {self.default} elsewhere"


class ConditionBook:
    """The groups and condition sets of a network, with the overrides users compose on top of them."""

    def __init__(self, groups: pd.DataFrame | None, conditions: pd.DataFrame | None, levels: Sequence[str],
                 months: MonthBook | None = None):
        self.levels = tuple(dict.fromkeys(level_name(v) for v in levels))
        self.months = months if months is not None else MonthBook()
        self.group_members: dict[str, tuple[str, ...]] = {}
        self.group_names: dict[str, str] = {}
        if groups is not None:
            for r in groups.itertuples(index=False):
                self.group_members[r.id] = tuple(r.members)
                self.group_names[r.id] = r.name
        self._owner = {m: g for g, members in self.group_members.items() for m in members}
        self._sets: dict[str, Conditions] = {level: Conditions(level, level)
                                             for level in self.levels}
        if conditions is not None and len(conditions):
            for name, rows in conditions.groupby("condition", sort=False):
                self._sets[str(name)] = self._build(str(name), rows)

    def _build(self, name: str, rows: pd.DataFrame) -> Conditions:
        default, year, sources, levels, groups = TYPICAL, None, [], {}, {}
        for r in rows.itertuples(index=False):
            sources.extend(r.sources)
            level = level_name(r.level)
            if r.group == "*":
                default = level
                year = int(r.year) if r.year is not None else None
                continue
            groups[r.group] = level
            for selector in self.group_members.get(r.group, ()):
                levels[selector] = level
        return Conditions(name, default, levels, groups, year, tuple(dict.fromkeys(sources)))

    def group_of(self, selectors: Iterable[str]) -> str | None:
        """Return the group an element belongs to (its most specific selector that a group names), or None."""
        return next((self._owner[s] for s in selectors if s in self._owner), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the names of the condition sets, presets first."""
        return tuple(self._sets)

    def get(self, name: str | Conditions, *, congest: Sequence[str] = (), relieve: Sequence[str] = (),
            month: int | str | None = None) -> Conditions:
        """Return the condition set ``name``, with groups overridden to congested (``congest``) or best (``relieve``),
        taken in ``month`` (1–12 or a month's name) when given.

        A month brings its own weather-closure rows and congests the groups its seasonal peaks name
        (``months.csv``); a user's ``congest`` or ``relieve`` still has the last word. Raises CorridorError naming
        the known sets, groups or month forms when a name is unknown.
        """
        if isinstance(name, Conditions):
            base = name
        else:
            key = level_name(str(name))
            if key not in self._sets:
                raise CorridorError(f"unknown conditions {name!r}; known: {', '.join(self.names)}")
            base = self._sets[key]
        if month is not None:
            base = self._in_month(base, month_number(month))
        if not congest and not relieve:
            return base
        levels, groups, forced = dict(base.levels), dict(base.groups), set(base.forced)
        suffix = []
        for group_ids, level in ((relieve, BEST), (congest, CONGESTED)):
            for group in group_ids:
                if group not in self.group_members:
                    known = ", ".join(self.group_members) or "none in this dataset"
                    raise CorridorError(f"unknown group {group!r}; known groups: {known}")
                groups[group] = level
                levels.update(dict.fromkeys(self.group_members[group], level))
                forced.update(self.group_members[group])
                suffix.append(f"{'congest' if level == CONGESTED else 'relieve'} {group}")
        return Conditions(f"{base.name} + {', '.join(suffix)}", base.default, levels, groups, base.year,
                          base.sources, frozenset(forced), base.month)

    def _in_month(self, base: Conditions, month: int) -> Conditions:
        """Return ``base`` taken in ``month``: the groups its peaks name congested (unless a user forced them)."""
        if base.month == month:
            return base
        if base.month is not None:
            raise CorridorError(f"{base.name} is already taken in {month_name(base.month)}; start from the set itself")
        levels, groups = dict(base.levels), dict(base.groups)
        # the best case is a timetable: no season moves it (its closures are nil too, see model.price_stop)
        peaks = () if base.default == BEST and not base.groups else self.months.peaks.get(month, ())
        for group in peaks:
            members = [m for m in self.group_members.get(group, ()) if m not in base.forced]
            if not members:
                continue
            groups[group] = CONGESTED
            levels.update(dict.fromkeys(members, CONGESTED))
        sources = (*base.sources, *self.months.peak_sources.get(month, ()))
        return Conditions(f"{base.name} in {month_name(month)}", base.default, levels, groups, base.year,
                          tuple(dict.fromkeys(sources)), base.forced, month)


def stop_selectors(kind: str, place: str, country: str) -> tuple[str, ...]:
    """Return the selectors of a stop, most specific first."""
    return f"{kind}:{place}", f"{kind}:{country}", f"{kind}:*"


def leg_selectors(leg: str, mode: str, country: str, passages: Iterable[str] = ()) -> tuple[str, ...]:
    """Return the selectors of (the part in ``country`` of) a leg, most specific first: the leg, the sea passages
    it sails, its mode in the country, its mode anywhere."""
    return f"leg:{leg}", *(f"passage:{p}" for p in passages), f"{mode}:{country}", f"{mode}:*"
