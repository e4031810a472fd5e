"""Published claims about transit times, kept as data, and checked against the network under every profile.

A claim says who said what, when, and the window it promises ("10 to 12 days"). Because statements rarely say
exactly where a journey starts and ends, a claim has one or more *readings*, each an origin, a destination and
the places it implies. ``check`` simulates each reading under each profile and answers with the probability of
meeting the window, the median and the 90th percentile, the route, and what explains the answer.

Most claims promise a bound ("only 10 to 12 days": ``sense`` ``at_most``, the default): a reading *holds* under a
profile when at least half the simulated journeys meet the upper end of the window (the median journey is within
it). Some report a range ("the Middle Corridor takes 50–55 days": ``sense`` ``between``): a reading holds when the
median journey lies inside the window, and the probability given is that of landing inside it. A few are delivery
*schedules* ("regular delivery schedules state 12 days to Poti": ``sense`` ``schedule``): a schedule promises every
shipment, not the median one, so a reading holds when at least ``SCHEDULE_KEPT_SHARE`` (nine in ten) of the
simulated journeys arrive within it, and the probability given is that share, the on-time rate.

A *comparative* claim names a corridor it is measured ``versus``. Its window is the advantage claimed in days or km
("7–8 days faster", "2,500 km shorter than the northern route"), or how many ``times`` as long the journey takes
("three times longer than the route via Russia"); a reading holds when at least half the simulated pairs of
journeys show at least the lower end of the window.

A claim **holds** if every reading holds under ``typical`` conditions; it **holds only under some readings or
conditions** if at least one reading holds under at least one condition set; and otherwise it **does not hold**. The
condition sets are the presets (``best``, ``typical``, ``congested``) and the period of the claim's date where the
dataset documents it; each reading's route is booked under typical conditions and meets each set.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import contract
from .conditions import TYPICAL
from .errors import CorridorError, Problem, ValidationError
from .io import split_list
from .registry import load_corridors
from .superlatives import WORDS, WordVerdict, load_risks, word_verdicts

if TYPE_CHECKING:
    from .conditions import Conditions
    from .network import Network
    from .simulation import TransitTime

HOLDS = "holds"
HOLDS_PARTLY = "holds only under some readings or conditions"
DOES_NOT_HOLD = "does not hold"
UNITS_H = {"days": 24.0, "hours": 1.0}
UNITS = contract.CLAIM_UNITS
SENSES = contract.CLAIM_SENSES
#: Journeys simulated per corridor for a superlative (it compares every corridor, not one route).
RANK_JOURNEYS = 500
#: A published delivery schedule is kept when at least this share of journeys arrives within it.
SCHEDULE_KEPT_SHARE = 0.9
CLAIM_FIELDS = ("id", "who", "role", "said_on", "statement", "quoted", "source", "window_low", "window_high",
                "unit", "versus", "note")
READING_FIELDS = ("claim", "reading", "label", "origin", "destination", "via", "avoid", "exclude", "note")


@dataclass(frozen=True)
class Reading:
    """One way of reading a claim: where the journey starts and ends, and what it leaves out."""

    id: str
    label: str
    origin: str
    destination: str
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # stop kinds the claim does not count (e.g. waiting for a ferry)
    note: str = ""
    word: str = ""  # for a superlative (unit "rank"): the word this reading measures (superlatives.WORDS)


@dataclass(frozen=True)
class Claim:
    """A published statement about a transit time, with its source and the window it promises."""

    id: str
    who: str
    role: str
    said_on: str
    statement: str
    quoted: bool
    source: str
    window_low: float
    window_high: float
    unit: str
    note: str = ""
    readings: tuple[Reading, ...] = field(default_factory=tuple)
    versus: str = ""  # a corridor id: the claim is an advantage over that corridor, or a ratio to it
    sense: str = "at_most"  # "between": the claim reports a range; "schedule": a delivery time promised to all

    @property
    def window_text(self) -> str:
        """Return the window as the claim states it ("10–12 days")."""
        if self.unit == "rank":
            return "among the better half of the routes that serve the journey"
        if self.unit == "usd":
            low, high = (f"{v:,.0f}" for v in (self.window_low, self.window_high))
            return f"US${high} per FEU" if low == high else f"US${low}–{high} per FEU"
        low, high = (f"{v:g}" for v in (self.window_low, self.window_high))
        return f"{high} {self.unit}" if low == high else f"{low}–{high} {self.unit}"


def load_claims(network: Network, path: str | os.PathLike[str] | None = None) -> dict[str, Claim]:
    """Return the claims registry: the network's own (its dataset's ``claims.csv`` and ``claim_readings.csv``), or
    the two tables in the folder ``path``.

    Both tables are read through the contract (``contract.CLAIM_COLUMNS``, ``CLAIM_READING_COLUMNS``) and every
    claim and reading is checked against ``network`` (places, sources and corridors must exist). Raises
    MissingTableError when the network's dataset has no claims, and ValidationError listing every problem with file,
    row and field.
    """
    from .loading import checked_dataset_table, in_file_order

    problems: list[Problem] = []
    tables = {}
    for name in ("claims", "claim_readings"):
        if path is None:
            tables[name] = network.table(name)
            continue
        file = Path(path) / f"{name}.csv"
        if not file.is_file():
            raise ValidationError([Problem(file.name, "", "", f"no {name} table in {path}")])
        tables[name], found = checked_dataset_table(name, file, network.sources.index)
        problems.extend(found)  # with the checks below: every problem of both tables at once
    claims_table, readings_table = tables["claims"], tables["claim_readings"]
    comparative = bool(claims_table["versus"].any())
    corridor_ids = set(load_corridors(network)) if comparative and network.has_table("corridors") else set()
    readings: dict[str, list[Reading]] = {}
    for i, row in readings_table.iterrows():
        where = ("claim_readings.csv", f"line {i + 2}")
        if row["claim"] not in set(claims_table["id"]):
            problems.append(Problem(*where, "claim", f"unknown claim {row['claim']!r}"))
        places = [row["origin"], row["destination"], *split_list(row["via"])]
        for column, place in zip(("origin", "destination", *["via"] * 9), places, strict=False):
            try:
                network.place(place)
            except CorridorError as exc:
                problems.append(Problem(*where, column, str(exc)))
        word = row.get("word", "")
        if word and word not in WORDS:
            problems.append(Problem(*where, "word", f"unknown word {word!r}; known: {', '.join(WORDS)}"))
        reading = Reading(row["reading"], row["label"], row["origin"], row["destination"], split_list(row["via"]),
                          split_list(row["avoid"]), split_list(row["exclude"]), row["note"], word)
        readings.setdefault(row["claim"], []).append(reading)
    claims: dict[str, Claim] = {}
    for i, row in claims_table.iterrows():
        where = ("claims.csv", f"line {i + 2}")
        if (row["unit"] == "rank") != ((row.get("sense", "") or "at_most") == "among_best"):
            problems.append(Problem(*where, "sense", "a superlative (unit rank) and sense among_best go together"))
        if row["unit"] == "rank" and any(not r.word for r in readings.get(row["id"], ())):
            problems.append(Problem(*where, "unit", "every reading of a superlative names its word "
                                    f"({', '.join(WORDS)}) in claim_readings.csv"))
        versus = row.get("versus", "")
        if versus and versus not in corridor_ids:
            known = "" if network.has_table("corridors") else " (the dataset has no corridors.csv)"
            problems.append(Problem(*where, "versus", f"unknown corridor {versus!r}{known}"))
        if row["unit"] == "times" and not versus:
            problems.append(Problem(*where, "unit", "a claim in times (a ratio) needs a corridor in versus"))
        sense = row.get("sense", "") or "at_most"  # an unknown sense is the contract's problem
        if sense != "at_most" and versus:
            problems.append(Problem(*where, "sense", "a comparative claim reads its window as 'at least'; "
                                                     "leave sense empty"))
        try:
            low, high = float(row["window_low"]), float(row["window_high"])
        except ValueError:
            problems.append(Problem(*where, "window_low", "the window needs two numbers"))
            continue
        if not 0 <= low <= high:
            problems.append(Problem(*where, "window_high", f"needs 0 ≤ low ≤ high, got {low:g} and {high:g}"))
        if row["id"] not in readings:
            problems.append(Problem(*where, "id", "the claim has no reading in claim_readings.csv"))
        claims[row["id"]] = Claim(row["id"], row["who"], row["role"], row["said_on"], row["statement"],
                                  row["quoted"] == "yes", row["source"], low, high, row["unit"], row["note"],
                                  tuple(readings.get(row["id"], ())), versus, sense)
    if problems:
        raise ValidationError(in_file_order(problems))
    return claims


@dataclass(frozen=True)
class ReadingResult:
    """One reading of a claim under one profile: the route, the simulated times and whether the claim holds."""

    reading: Reading
    profile: str
    transit: TransitTime | None
    values: np.ndarray | None  # per simulated journey, in the claim's unit (an advantage for comparative claims)
    error: str | None = None
    versus: TransitTime | None = None
    word: WordVerdict | None = None  # a superlative's verdict on its word

    @property
    def available(self) -> bool:
        """Return whether a route exists for this reading."""
        return self.transit is not None


class ClaimCheck:
    """The answer to a claim: per reading and profile, the probability of meeting its window, and a verdict."""

    def __init__(self, claim: Claim, results: list[ReadingResult], network: Network):
        self.claim = claim
        self.results = tuple(results)
        self._network = network

    def table(self) -> pd.DataFrame:
        """Return one row per reading and profile with the probability, percentiles and the verdict."""
        return self._table.copy()

    @cached_property
    def _table(self) -> pd.DataFrame:  # the results are fixed, so the table is computed once
        rows = []
        claim = self.claim
        for r in self.results:
            row: dict[str, Any] = {"reading": r.reading.id, "label": r.reading.label, "profile": r.profile}
            if r.values is None or r.transit is None:
                rows.append({**row, "route": None, "distance_km": np.nan, "p_within": np.nan, "median": np.nan,
                             "p90": np.nan, "holds": False, "note": r.error})
                continue
            if r.word is not None:  # a superlative: the rank of the claimed route among those that serve it
                route = r.transit.route
                rows.append({**row, "route": " → ".join(self._network.place_name(p) for p in _key_places(route)),
                             "distance_km": round(route.distance_km), "p_within": np.nan,
                             "median": float(r.word.rank), "p90": float(r.word.of), "holds": r.word.holds,
                             "note": r.word.describe()})
                continue
            median, p90 = np.percentile(r.values, [50, 90])
            if claim.versus:  # the advantage (or the ratio) is at least what is claimed
                p_within = float(np.mean(r.values >= claim.window_low))
            elif claim.sense == "between":
                p_within = float(np.mean((r.values >= claim.window_low) & (r.values <= claim.window_high)))
            else:
                p_within = float(np.mean(r.values <= claim.window_high))
            if claim.sense == "between" and not claim.versus:
                holds = claim.window_low <= median <= claim.window_high
            else:
                holds = p_within >= (SCHEDULE_KEPT_SHARE if claim.sense == "schedule" else 0.5)
            route = r.transit.route
            rows.append({**row, "route": " → ".join(self._network.place_name(p) for p in _key_places(route)),
                         "distance_km": round(route.distance_km), "p_within": round(p_within, 3),
                         "median": round(float(median), 2), "p90": round(float(p90), 2),
                         "holds": bool(holds), "note": ""})
        frame = pd.DataFrame(rows)
        frame.attrs["unit"] = self.claim.unit
        return frame

    def holds_by_profile(self) -> dict[str, tuple[int, int]]:
        """Return, per profile, how many readings hold and how many there are (readings without a route count)."""
        table = self.table()
        return {str(profile): (int(group["holds"].sum()), len(group))
                for profile, group in table.groupby("profile", sort=False)}

    def holds_summary(self) -> str:
        """Return the readings that hold per profile in a few words, e.g. ``best 2/4 · typical 0/4``."""
        return " · ".join(f"{profile} {held}/{total}" for profile, (held, total) in self.holds_by_profile().items())

    @property
    def verdict(self) -> str:
        """Return ``holds``, ``holds only under some readings or conditions`` or ``does not hold``."""
        table = self.table()
        typical = table[table["profile"] == TYPICAL]
        if len(typical) and typical["holds"].all():
            return HOLDS
        if table["holds"].any():
            return HOLDS_PARTLY
        return DOES_NOT_HOLD

    def explanation(self) -> str:
        """Return a plain-language account of the answer and of the legs and stops that drive it."""
        claim, table, unit = self.claim, self.table(), self.claim.unit
        parts = [f"{claim.who} ({claim.said_on}): \"{claim.statement}\" — window {claim.window_text}."]
        held = table[table["holds"]]
        if claim.unit == "rank":
            typical = table[table["profile"] == TYPICAL]
            parts.append(f"Under typical conditions {int(typical['holds'].sum())} of {len(typical)} readings hold "
                         f"({self.holds_summary()}).")
        elif len(held):
            combos = "; ".join(f"{r.label} under {r.profile} (P = {r.p_within:.0%})" for r in held.itertuples())
            if claim.sense == "schedule":
                parts.append(f"The schedule is kept (at least {SCHEDULE_KEPT_SHARE:.0%} of journeys on time) for: "
                             f"{combos}.")
            else:
                parts.append(f"The median journey meets it for: {combos}.")
        else:
            parts.append("No reading meets it under any of the conditions checked.")
        for result in self.results:
            if result.profile != TYPICAL or result.transit is None:
                continue
            row = table[(table["reading"] == result.reading.id) & (table["profile"] == TYPICAL)].iloc[0]
            label = result.reading.label[:1].upper() + result.reading.label[1:]
            if result.word is not None:
                parts.append(f"{label}: {result.word.describe()}.")
                continue
            if claim.versus and result.versus is not None:
                mine, theirs = _measure(claim, result.transit), _measure(claim, result.versus)
                if unit == "times":
                    parts.append(f"{label}: typically {row['median']:.2f} times as long as {claim.versus} "
                                 f"({np.median(mine):,.1f} against {np.median(theirs):,.1f} days), against "
                                 f"{claim.window_text} claimed.")
                    continue
                ahead = "less" if row["median"] >= 0 else "more"
                parts.append(f"{label}: typically {abs(row['median']):,.1f} {unit} {ahead} than {claim.versus} "
                             f"({np.median(mine):,.1f} against {np.median(theirs):,.1f} {unit}), against "
                             f"{claim.window_text} claimed.")
                continue
            if unit == "usd":
                parts.append(f"{label}: US${row['median']:,.0f} per FEU on the cheapest route, against "
                             f"{claim.window_text} claimed; the largest costs are {_cost_drivers(result)}.")
                continue
            gap = row["median"] - claim.window_high
            low_gap = claim.window_low - row["median"]
            if claim.sense == "between" and low_gap > 0:
                relation = f"{low_gap:.1f} {unit} less than the claim's lower end"
            elif gap > 0:
                relation = f"{gap:.1f} {unit} more than claimed"
            elif claim.sense == "between":
                relation = "within the claimed range"
            else:
                relation = f"{-gap:.1f} {unit} within the claim"
            if claim.sense == "schedule":
                relation += f"; {row['p_within']:.0%} of journeys arrive within the schedule"
            drivers = _drivers(result, self._network)
            parts.append(f"{label}: typically {row['median']:.1f} {unit} (P90 {row['p90']:.1f}), "
                         f"{relation}; the largest parts are {drivers}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the claim, the verdict, the explanation and the per-reading table as plain data."""
        table = self.table()
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        return {
            "id": self.claim.id, "who": self.claim.who, "role": self.claim.role, "said_on": self.claim.said_on,
            "statement": self.claim.statement, "source": self.claim.source,
            "source_url": str(self._network.sources.at[self.claim.source, "url"]),
            "window": self.claim.window_text, "window_low": self.claim.window_low,
            "window_high": self.claim.window_high, "unit": self.claim.unit, "sense": self.claim.sense,
            "versus": self.claim.versus or None, "verdict": self.verdict, "explanation": self.explanation(),
            "results": records,
        }

    def __repr__(self) -> str:
        return f"<ClaimCheck {self.claim.id}: {self.verdict} (window {self.claim.window_text})>"

    def _repr_html_(self) -> str:
        from .display import html_table

        unit = self.claim.unit
        # named by unit, so that each is rounded to its unit's precision (a tenth of a day, a whole km)
        table = self.table().rename(columns={"median": f"median_{unit}", "p90": f"p90_{unit}"})
        headers = {"label": "reading", "profile": "conditions", "p_within": "within the window",
                   f"median_{unit}": f"median ({unit})", f"p90_{unit}": f"P90 ({unit})", "holds": "holds"}
        return (f"<p><b>{html.escape(self.claim.statement)}</b> — {html.escape(self.claim.who)}, "
                f"{html.escape(self.claim.said_on)}; window {html.escape(self.claim.window_text)}<br>"
                f"Verdict: <b>{html.escape(self.verdict)}</b> (readings that hold: "
                f"{html.escape(self.holds_summary())})</p>"
                + html_table(table, headers) + f"<p>{html.escape(self.explanation())}</p>")


def markdown_table(checks: Sequence[ClaimCheck]) -> str:
    """Return the checks as a Markdown table: one row per claim with its statement, who said it, window, verdict and
    how many of its readings hold under each profile."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = ["| claim | who | window | verdict | readings that hold, by conditions |", "|---|---|---|---|---|"]
    for result in checks:
        claim = result.claim
        lines.append(f"| {cell(claim.statement)} | {cell(claim.who)} ({cell(claim.said_on)}) | "
                     f"{cell(claim.window_text)} | {result.verdict} | {result.holds_summary()} |")
    return "\n".join(lines)


def _key_places(route: Any) -> list[str]:
    """Return the origin, the places where something happens (stops), and the destination, without repeats."""
    places = [route.origin, *(s.place for s in route.stops), route.destination]
    return list(dict.fromkeys(places))


def _cost_drivers(result: ReadingResult, top: int = 3) -> str:
    if result.transit is None:
        return "no route"
    frame = result.transit.route.to_frame()  # names, not ids, in from / to / place
    frame = frame[frame["cost_usd"] > 0].sort_values("cost_usd", ascending=False).head(top)
    described = []
    for _, r in frame.iterrows():
        if r["element"] == "leg":
            what = f"{r['mode']} {r['from']} → {r['to']}"
        else:
            what = f"{str(r['kind']).replace('_', ' ')} at {r['place']}"
        described.append(f"{what} (US${r['cost_usd']:,.0f})")
    return ", ".join(described)


def _drivers(result: ReadingResult, network: Network, top: int = 3) -> str:
    if result.transit is None:
        return "no route"
    frame = result.transit.contributions()
    frame = frame[~frame["kind"].isin(result.reading.exclude)]
    stops = frame[frame["element"] == "stop"].groupby(["kind", "place"], as_index=False)["in_median_journey_h"].sum()
    stops = stops.sort_values("in_median_journey_h", ascending=False).head(top)
    moving = frame.loc[frame["element"] == "leg", "in_median_journey_h"].sum()
    described = [f"{k.replace('_', ' ')} at {network.place_name(p)} ({h / 24:.1f} d)"
                 for k, p, h in stops.itertuples(index=False)]
    return ", ".join([f"{moving / 24:.1f} d moving", *described])


def check(claim: Claim, network: Network, *, profiles: Sequence[str | Conditions] | None = None, n: int = 20_000,
          seed: int | None = 0, month: int | str | None = None) -> ClaimCheck:
    """Check a claim: simulate each reading under each condition set.

    ``profiles`` names the condition sets (default: the presets best, typical and congested, and the period of the
    claim's date when the dataset documents it), taken in ``month`` when given. Each reading's route is booked
    under typical conditions and meets the conditions of each set.
    """
    from .errors import NoRouteError
    from .simulation import simulate

    sets = {c.name: c for c in (network.conditions(p, month=month)
                                for p in (profiles or default_conditions(claim, network)))}
    profiles = tuple(sets)
    if claim.unit == "rank":
        return ClaimCheck(claim, _rank_results(claim, network, tuple(sets.values()), min(n, RANK_JOURNEYS), seed),
                          network)
    corridors = load_corridors(network) if claim.versus else {}
    results: list[ReadingResult] = []
    # a claim about distance is read on the shortest routes, one about cost on the cheapest
    by = {"km": "distance", "usd": "cost"}.get(claim.unit, "time")
    for reading in claim.readings:
        for profile in profiles:
            try:
                route = network.route(reading.origin, reading.destination, via=reading.via, avoid=reading.avoid,
                                      conditions=sets[profile], by=by)
            except NoRouteError as exc:
                results.append(ReadingResult(reading, profile, None, None, error=str(exc)))
                continue
            # leaving stops out of a journey needs every journey's stops
            transit = simulate(route, n=n, seed=seed, keep_samples=True if reading.exclude else None)
            if not claim.versus:
                results.append(ReadingResult(reading, profile, transit, _measure(claim, transit, reading.exclude)))
                continue
            try:
                other = corridors[claim.versus].route(network, reading.origin, reading.destination,
                                                      conditions=sets[profile], by=by)
            except CorridorError as exc:
                results.append(ReadingResult(reading, profile, None, None, error=str(exc)))
                continue
            versus = simulate(other, n=n, seed=seed)
            if claim.unit == "times":  # how many times as long as the other corridor's journey
                value = _measure(claim, transit, reading.exclude) / _measure(claim, versus)
            else:  # how much shorter or faster than the other corridor
                value = _measure(claim, versus) - _measure(claim, transit, reading.exclude)
            results.append(ReadingResult(reading, profile, transit, value, versus=versus))
    return ClaimCheck(claim, results, network)


def _rank_results(claim: Claim, network: Network, sets: tuple[Conditions, ...], n: int, seed: int | None
                  ) -> list[ReadingResult]:
    """Return a superlative's readings: each word on each journey, the claimed route ranked against the others."""
    from .compare import compare

    risks = load_risks(network) if network.has_table("risks") else ()
    # container corridors only: a freighter through Baku is a route through Azerbaijan too, but another market
    # (a loaded FEU's cargo by air costs tens of thousands of dollars); compare --shipment weighs it for a shipment
    surface = [c.id for c in load_corridors(network).values() if "air" not in c.requires]
    comparisons: dict[tuple[str, str], Any] = {}
    results: list[ReadingResult] = []
    for reading in claim.readings:
        key = (reading.origin, reading.destination)
        if key not in comparisons:
            comparisons[key] = compare(network, *key, corridors=surface, conditions=list(sets), n=n, seed=seed)
        try:
            verdicts = {v.conditions: v for v in word_verdicts(comparisons[key], risks=risks, words=[reading.word])}
        except CorridorError as exc:
            results.extend(ReadingResult(reading, c.name, None, None, error=str(exc)) for c in sets)
            continue
        for profile in (c.name for c in sets):
            verdict = verdicts[profile]
            entry = next(e for e in comparisons[key].entries
                         if e.profile == profile and e.corridor.id == verdict.claimed)
            results.append(ReadingResult(reading, profile, entry.transit, np.array([float(verdict.rank)]),
                                         word=verdict))
    return results


def default_conditions(claim: Claim, network: Network) -> tuple[str, ...]:
    """Return the condition sets a claim is checked under: the presets, and its own period where documented."""
    period = claim.said_on[:4]
    own = (period,) if period in network.condition_names and period not in network.presets else ()
    return (*network.presets, *own)


def _measure(claim: Claim, transit: TransitTime, exclude: tuple[str, ...] = ()) -> np.ndarray:
    """Return each simulated journey's time (less the excluded stops) or distance, in the claim's unit (a ratio
    claim measures days)."""
    if claim.unit == "km":
        return np.full(transit.n, transit.route.distance_km)
    if claim.unit == "usd":  # costs are typical values per loaded FEU, not simulated
        return np.full(transit.n, transit.route.cost_usd)
    excluded = transit.elements["kind"].isin(exclude).to_numpy()
    if not excluded.any():
        return transit.total_h / UNITS_H.get(claim.unit, 24.0)
    if transit.streamed:  # pragma: no cover - check() keeps every journey's elements when a reading excludes stops
        raise CorridorError("stops can be left out of a journey only when its elements were kept (keep_samples)")
    hours = transit.total_h - transit.samples_h[excluded].sum(axis=0, dtype=np.float64)
    return hours / UNITS_H.get(claim.unit, 24.0)
