"""What the elements' documented ranges allow: for a backtest miss, which group of elements could account for it.

When an observed journey lies outside the model's P10–P90, the question is *which element, and why* — not which
parameter to move. Every element has documented states (``best``, ``typical``, ``congested``; groups.csv names
which elements share one), each from its own sources. So for a miss the backtest asks, group by group, how far the
median journey moves when that group alone is put at the state that points towards the observation — its
congested state when the journey was observed slower than the model, its best case when faster — and then with
every group on the route there at once:

- **one group**: one group's documented state alone reaches the observation. The miss names an element whose
  period state the condition sets may have wrong (a congestion the period's rows do not record, a showcase train
  that met every best case);
- **several groups**: only several groups at once reach it — a journey that met an unusual state everywhere, or a
  period whose condition set misses a common cause. The groups that reach it together are named, added by their
  single moves, largest first;
- **beyond the ranges**: not even every group at once reaches it. Then no reading of the elements' sources holds
  the observation, and the question is the observation's: what it counts (door to door, buffers in a quote, a
  record run's priority paths) or an element the network lacks.

Nothing is fitted: the states are the elements' own rows, and the answer only says where the documented ranges end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .conditions import BEST, CONGESTED

if TYPE_CHECKING:
    from .conditions import Conditions
    from .route import Route

#: Journeys simulated for each state tried: the medians compared move by days, and 1,000 journeys put a median
#: within about 1% of its limit (the sampling error of a median is ~1.25 σ/√n).
REACH_JOURNEYS = 1_000
#: The verdicts, from the one that names a single element to the one that questions the observation.
VERDICTS = ("one group", "several groups", "beyond the ranges")


@dataclass(frozen=True)
class Reach:
    """How far the documented states of a route's groups move its median journey towards one observation."""

    needed_days: float  # observed − the model's median: positive when the journey was observed slower
    level: str  # the state tried: congested (observed slower) or best (observed faster)
    shifts: tuple[tuple[str, float], ...]  # (group, days the median moves with it alone), furthest towards first
    together_days: float  # days the median moves with every group on the route at that state
    held: tuple[tuple[str, str], ...] = ()  # (group, the level the observation's condition set gives it)
    period: str = ""  # the observation's period (or the condition set's name), for the sentence
    combined: tuple[str, ...] = ()  # the groups that reach it together, the largest single moves first
    combined_days: float = 0.0  # days the median moves with those groups at that state

    def _reaches(self, days: float) -> bool:
        return days * np.sign(self.needed_days) >= abs(self.needed_days)

    @property
    def alone(self) -> tuple[str, ...]:
        """Return the groups whose documented state alone reaches the observation, the largest move first."""
        return tuple(g for g, days in self.shifts if self._reaches(days))

    @property
    def verdict(self) -> str:
        """Return one of VERDICTS."""
        if self.alone:
            return VERDICTS[0]
        return VERDICTS[1] if self._reaches(self.together_days) else VERDICTS[2]

    def describe(self) -> str:
        """Return the groups' moves in a few words, by group id (the ids ``--congest`` and ``--relieve`` take)."""
        state = "congested" if self.level == CONGESTED else "best"
        if not self.shifts:
            return "no group of elements on the route (groups.csv names none) to put at another state"
        if self.verdict == VERDICTS[0]:
            held = dict(self.held)
            moves = ", ".join(f"{g} {days:+.1f} d" + (f" ({held[g]} in {self.period})" if g in held else "")
                              for g, days in self.shifts if g in self.alone[:3])
            return f"alone at its {state} state: {moves}"
        most = f" (the most one group: {self.shifts[0][0]} {self.shifts[0][1]:+.1f} d)"
        together = f"all {len(self.shifts)} groups at their {state} state"
        if self.verdict == VERDICTS[1]:
            if self.combined and len(self.combined) < len(self.shifts):
                return (f"no group alone{most}; together {' + '.join(self.combined)}: {self.combined_days:+.1f} d "
                        f"({together}: {self.together_days:+.1f} d)")
            return f"no group alone{most}; {together}: {self.together_days:+.1f} d"
        return f"{together} give only {self.together_days:+.1f} d{most}"


def reach(route: Route, base: Conditions, needed_days: float, days_of: Callable[[Route], np.ndarray],
          groups: Sequence[str], conditions: Callable[..., Conditions], period: str = "") -> Reach:
    """Return how far each group of ``groups`` (and all of them at once) moves the median journey of ``route``
    under ``base`` towards an observation ``needed_days`` away from it.

    ``days_of(route)`` simulates a route and returns its journeys' days as the observation counts them, from the same
    seed every time, so that a move is the difference the state makes and not sampling noise;
    ``conditions(base, congest=..., relieve=...)`` composes overrides (``Network.conditions``); ``period`` names
    the observation's period in the sentence (default: the condition set's name).
    """
    level = CONGESTED if needed_days > 0 else BEST
    key = "congest" if level == CONGESTED else "relieve"
    start = float(np.median(days_of(route.under(base))))

    def moved(chosen: Sequence[str]) -> float:
        return round(float(np.median(days_of(route.under(conditions(base, **{key: list(chosen)}))))) - start, 2)

    # the largest move towards the observation first; a group already at that state moves it by nothing, and one
    # whose rows a user's dataset orders otherwise may move it the other way
    toward = 1.0 if needed_days > 0 else -1.0
    shifts = sorted(((g, moved([g])) for g in groups), key=lambda item: (-item[1] * toward, item[0]))
    together = moved(groups) if groups else 0.0
    held = tuple((g, base.groups.get(g, base.default)) for g in groups)
    found = Reach(round(needed_days, 2), level, tuple(shifts), together, held, period or base.name)
    if found.verdict != VERDICTS[1]:
        return found
    # which groups together: add them by their single moves, largest first, until the median reaches the
    # observation (few groups, not provably the fewest: the moves of groups on one route do not simply add)
    for count in range(2, len(shifts)):
        chosen = [g for g, _ in shifts[:count]]
        days = moved(chosen)
        if found._reaches(days):
            return replace(found, combined=tuple(chosen), combined_days=days)
    return replace(found, combined=tuple(g for g, _ in shifts), combined_days=together)
