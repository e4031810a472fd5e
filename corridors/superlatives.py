"""Superlative claims: is the route through a country "the safest, shortest and most attractive"?

A superlative compares: it holds only against the other routes that serve the same journey. For a pair of places
and a condition set, every registered corridor is routed and simulated (:func:`corridors.compare`); the corridors
whose route crosses the claimed country (Azerbaijan: ``AZE``) are the claimed routes, and the best-placed of them
is ranked against the corridors that do not cross it (the claimed country's own variants do not push each other
down). Each word is measured on its own:

- **shortest**: the least distance (km, published leg lengths) of the corridor's route.
- **safest**: exposure to sanctions and conflict first — how many entries of ``risks.csv`` in force in the
  condition set's year the route meets (countries crossed, sea passages sailed, groups of elements used) — then,
  among routes equally exposed, the share of simulated journeys that meet a weather closure, then the spread of
  arrival times (P90 − P10, days). Safety is read as exposure first because that is what the word means to a
  shipper; the other two only break ties. None of them is a probability of loss, which no source gives by route,
  and only ports with a weather row can close (the open sea has none in the data).
- **most attractive**: the mean of the ranks on median time, spread (reliability), cost and CO2e — the ranking a
  shipper states when choosing, with equal weights, each criterion shown on its own.

"One of the safest" holds when the claimed route ranks in the better half of the routes that serve the journey
(rank ≤ ⌈k / 2⌉ of k); "the safest", when it ranks first. Ties share the better rank.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import contract
from .errors import CorridorError, Problem, ValidationError
from .io import split_list

if TYPE_CHECKING:
    from .compare import Comparison, Entry
    from .network import Network

RISK_COLUMNS = tuple(c.name for c in contract.RISK_COLUMNS)
RISK_KINDS = contract.RISK_KINDS
WORDS = ("shortest", "safest", "most_attractive")
#: Words whose measures are ranked in order (the first decides, the next break ties) rather than averaged.
IN_ORDER = ("safest",)
#: The measures each word ranks on (lower is better for every one of them), with what they are.
MEASURES = {
    "shortest": {"distance_km": "distance (km)"},
    "safest": {"risks": "sanctions and conflict entries met", "closure_share": "share of journeys meeting a "
               "weather closure", "spread_days": "P90 − P10 (days)"},
    "most_attractive": {"p50_days": "median time (days)", "spread_days": "P90 − P10 (days)",
                        "cost_usd": "cost per FEU (US$)", "co2_kg": "CO2e per FEU (kg)"},
}


@dataclass(frozen=True)
class Risk:
    """A sanctions regime, a conflict or a war-risk area that bears on freight at a place, and when."""

    id: str
    place: str  # a country code, ``passage:NAME`` or ``group:ID``
    kind: str
    since: str  # YYYY-MM
    until: str  # YYYY-MM or "" (still in force)
    description: str
    sources: tuple[str, ...]

    def in_force(self, year: int) -> bool:
        """Return whether the entry is in force during any part of ``year``."""
        return int(self.since[:4]) <= year and (not self.until or int(self.until[:4]) >= year)


def load_risks(network: Network, path: str | os.PathLike[str] | None = None) -> tuple[Risk, ...]:
    """Return the entries of the network's own ``risks.csv`` (or of the file ``path``), checked against ``network``.

    The table is read through the contract (``contract.RISK_COLUMNS``). Raises MissingTableError when the network's
    dataset has no risks, and ValidationError listing every problem with file, line and field.
    """
    from .loading import checked_dataset_table, in_file_order

    problems: list[Problem] = []  # the contract's, then those only the network can find
    if path is None:
        table, file_name = network.table("risks"), "risks.csv"
    else:
        (table, problems), file_name = checked_dataset_table("risks", path, network.sources.index), Path(path).name
    countries = set(network.nodes["country"])
    passages = {p for refs in network._legs["passages"] for p in (refs or ())}
    groups = set(network.condition_book.group_members)
    risks = []
    for i, row in table.iterrows():
        where = (file_name, f"line {i + 2}")
        before = len(problems)
        place = row["place"]
        kind, _, name = place.partition(":")
        known = (name in passages if kind == "passage" else name in groups if kind == "group"
                 else place in countries)
        if not known:
            problems.append(Problem(*where, "place", f"{place!r} is not a country of the network, a sea passage "
                                    "(passage:NAME) or a group (group:ID)"))
        for column in ("since", "until"):
            text = row[column]
            if (text or column == "since") and not _is_month(text):
                problems.append(Problem(*where, column, f"{text!r} is not YYYY-MM"))
        if _is_month(row["since"]) and _is_month(row["until"]) and row["until"] < row["since"]:
            problems.append(Problem(*where, "until", f"{row['until']} is before {row['since']}"))
        cited = split_list(row["sources"])  # given and known: the contract checked them
        if len(problems) == before:
            risks.append(Risk(row["id"], place, row["kind"], row["since"], row["until"], row["description"],
                              cited))
    if problems:
        raise ValidationError(in_file_order(problems))
    return tuple(risks)


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit() \
        and 1 <= int(text[5:]) <= 12


def risks_met(route: Any, risks: Iterable[Risk], year: int) -> tuple[Risk, ...]:
    """Return the entries in force in ``year`` that a route meets: a country it crosses, a sea passage it sails,
    a group of elements it uses."""
    countries, passages = set(route.countries), set(route.passages)
    groups = {e.priced.group for e in route.elements if e.priced is not None and e.priced.group}
    met = []
    for risk in risks:
        kind, _, name = risk.place.partition(":")
        on_route = (name in passages if kind == "passage" else name in groups if kind == "group"
                    else risk.place in countries)
        if on_route and risk.in_force(year):
            met.append(risk)
    return tuple(met)


def closure_share(transit: Any) -> float:
    """Return the share of simulated journeys that meet at least one weather closure."""
    rows = np.flatnonzero(transit.elements["kind"].to_numpy() == "weather_closure")
    if not len(rows):
        return 0.0
    return float((transit.samples_h[rows] > 0).any(axis=0).mean())


@dataclass(frozen=True)
class WordVerdict:
    """One word of a superlative, on one journey, under one condition set."""

    word: str
    origin: str
    destination: str
    conditions: str
    claimed: str  # the best-placed corridor that crosses the claimed country
    rank: int  # its rank among the corridors that serve the journey (1 = best)
    of: int  # how many corridors were ranked
    leader: str  # the corridor ranked first
    table: pd.DataFrame  # one row per ranked corridor: the measures, their ranks and the word's score

    @property
    def holds(self) -> bool:
        """Return whether the claimed route is *one of* the best: in the better half of the routes ranked."""
        return self.rank <= math.ceil(self.of / 2)

    @property
    def first(self) -> bool:
        """Return whether the claimed route is *the* best."""
        return self.rank == 1

    def describe(self) -> str:
        word = self.word.replace("_", " ")
        verdict = (f"the {word}" if self.first else f"one of the {word}" if self.holds else f"not among the {word}")
        lead = "" if self.first else f"; {self.leader} ranks first"
        return f"{self.claimed} is {verdict}: rank {self.rank} of {self.of}{lead}"


def word_verdicts(comparison: Comparison, *, country: str = "AZE", risks: Sequence[Risk] = (),
                  words: Sequence[str] = WORDS) -> list[WordVerdict]:
    """Return a verdict per word and condition set for the route through ``country`` on one comparison.

    Raises CorridorError when no corridor through the country, or no other corridor, serves the journey (a
    superlative then has nothing to be measured against).
    """
    unknown = [w for w in words if w not in MEASURES]
    if unknown:
        raise CorridorError(f"unknown word {unknown[0]!r}; known: {', '.join(MEASURES)}")
    verdicts = []
    profiles = list(dict.fromkeys(e.profile for e in comparison.entries))
    for profile in profiles:
        entries = [e for e in comparison.entries if e.profile == profile and e.route is not None]
        frame = _measures(entries, risks, country)
        through = frame[frame["through"]]
        if through.empty:
            raise CorridorError(f"no corridor through {country} serves "
                                f"{comparison.network.place_name(comparison.origin)} → "
                                f"{comparison.network.place_name(comparison.destination)}")
        if len(frame) == len(through):
            raise CorridorError("no corridor avoiding the claimed country serves the journey: nothing to compare")
        for word in words:
            columns = list(MEASURES[word])
            claimed = _best(through, columns, in_order=word in IN_ORDER)
            ranked = pd.concat([frame[~frame["through"]], through.loc[[claimed]]])
            ranks = ranked[columns].rank(method="min")
            ranked = ranked.assign(**{f"rank_{c}": ranks[c] for c in columns},
                                   score=_score(ranks, in_order=word in IN_ORDER))
            ranked["rank"] = ranked["score"].rank(method="min").astype(int)
            ranked = ranked.sort_values(["rank", "corridor"])
            verdicts.append(WordVerdict(word, comparison.origin, comparison.destination, profile, claimed,
                                        int(ranked.loc[claimed, "rank"]), len(ranked),
                                        str(ranked.index[0]), ranked))
    return verdicts


def _measures(entries: Sequence[Entry], risks: Sequence[Risk], country: str) -> pd.DataFrame:
    rows = []
    for e in entries:
        route, transit = e.route, e.transit
        assert route is not None  # the caller keeps the entries that serve the journey, each simulated
        assert transit is not None
        p10, p50, p90 = (transit.percentiles((10, 50, 90))[k] for k in ("P10", "P50", "P90"))
        year = route.conditions.year or max((int(r.since[:4]) for r in risks), default=0)
        rows.append({"corridor": e.corridor.id, "through": country in route.countries,
                     "distance_km": route.distance_km,
                     "risks": len(risks_met(route, risks, year)), "closure_share": closure_share(transit),
                     "spread_days": p90 - p10, "p50_days": p50, "cost_usd": route.cost_usd,
                     "co2_kg": route.co2_kg, "countries": "–".join(route.countries)})
    return pd.DataFrame(rows).set_index("corridor")


def _score(ranks: pd.DataFrame, *, in_order: bool) -> pd.Series:
    """Return each corridor's score from its ranks: their mean, or (in order) the first rank with the next ones
    breaking ties."""
    if not in_order:
        return ranks.mean(axis=1)
    size = len(ranks) + 1
    return sum(ranks[c] * size ** (len(ranks.columns) - 1 - i) for i, c in enumerate(ranks.columns))


def _best(frame: pd.DataFrame, columns: list[str], *, in_order: bool = False) -> str:
    """Return the corridor with the best score on ``columns`` among ``frame`` (ties: the first by id)."""
    score = _score(frame[columns].rank(method="min"), in_order=in_order).sort_index()
    return str(score.idxmin())


def verdicts_html(verdicts: Sequence[WordVerdict]) -> str:
    """Return the verdicts as an HTML table (escaped)."""
    rows = "".join(
        f"<tr><td>{html.escape(v.word.replace('_', ' '))}</td><td>{html.escape(v.origin)} → "
        f"{html.escape(v.destination)}</td><td>{html.escape(v.conditions)}</td>"
        f"<td>{html.escape(v.describe())}</td></tr>" for v in verdicts)
    return ("<table><thead><tr><th>word</th><th>journey</th><th>conditions</th><th>verdict</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
