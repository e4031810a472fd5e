"""What-if scenarios: close, slow down or speed up, change a ferry service, add a link — and what that changes.

A scenario is data (a TOML file, or the same as Python objects). Applying it returns a **new** network; the base
network is untouched. ``diff`` routes an origin–destination pair on both and reports how each corridor's route,
time, distance and cost change, and says so when the scenario changes nothing for the question asked.

Changes, as TOML tables (arrays of tables, so a file can hold several of each)::

    name = "Suez closed"
    description = "…"
    [[close]]                      # one of: place, leg, country, passage (a name or a list)
    passage = "suez"
    [[scale]]                      # stops of a kind, or the running time of a mode's legs, times a factor > 0
    stops = "border_crossing"      # optional: place = "dostyk" or country = "KAZ"
    factor = 0.5
    [[scale]]
    legs = "rail"                  # optional: country = "KAZ" (legs with an end there) or leg = "…"
    factor = 0.8
    [[service]]                    # a ferry or sea service's pattern
    leg = "aktau_port__alat_port"
    service = "7/week"
    [[demand]]                     # more or less traffic on a volume series: queues where capacity binds
    series = "middle_corridor"     # a series of volumes.csv that drives a queue
    factor = 1.5
    [[capacity]]                   # more or less capacity at an element whose capacity limits a queue
    element = "aktau_port__alat_port"
    factor = 1.4
    [[add]]                        # a new leg (an assumption of the scenario, not a sourced fact)
    id = "rasht__astara_irn"
    from = "rasht"
    to = "astara_irn"
    mode = "rail"
    gauge_mm = 1435
    distance_km = 162
    note = "the Rasht–Astara railway, built"
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from . import contract
from .errors import CorridorError
from .model import time_range
from .places import normalise
from .timing import service_problem

if TYPE_CHECKING:
    from .network import Network

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

ACTIONS = {
    "close": {"place", "leg", "country", "passage"},
    "scale": {"stops", "legs", "place", "country", "leg", "factor"},
    "service": {"leg", "service"},
    "demand": {"series", "factor"},
    "capacity": {"element", "factor"},
    "add": {"id", "from", "to", "mode", "gauge_mm", "distance_km", "time_h", "service", "waypoints", "note",
            "source"},
}
SCENARIO_SOURCE = "scenario_assumption"
#: Statuses of a corridor that the scenario leaves as it was: the same route and time, or not available either way.
UNCHANGED = ("unchanged", "unavailable")


class ScenarioError(CorridorError):
    """A scenario that cannot be read or applied: names the file, the change and the key."""


@dataclass(frozen=True)
class Change:
    """One change of a scenario: an action (close, scale, service, add) and its settings."""

    action: str
    settings: Mapping[str, Any]

    def describe(self) -> str:
        """Return the change in a few words."""
        items = ", ".join(f"{k}={v}" for k, v in self.settings.items())
        return f"{self.action} {items}"


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to a network."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""
    origin: str = field(default="", compare=False)  # where it was read from, for messages

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read a scenario file, or a bundled scenario by name (``suez_closed``).

        A syntax error or an unknown key raises ScenarioError naming the line or the key.
        """
        file = Path(path)
        if not file.exists() and file.suffix == "" and (bundled_scenarios_path() / f"{file.name}.toml").is_file():
            file = bundled_scenarios_path() / f"{file.name}.toml"
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            names = ", ".join(sorted(p.stem for p in bundled_scenarios_path().glob("*.toml")))
            raise ScenarioError(f"scenario file {file} does not exist (bundled scenarios: {names})") from exc
        except IsADirectoryError as exc:
            raise ScenarioError(f"{file} is a folder, not a scenario file") from exc
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{file.name}: not UTF-8 text (byte {exc.start}); save the scenario as UTF-8") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{file.name}: not valid TOML: {exc}") from exc
        return cls.from_dict(data, origin=file.name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "scenario") -> Scenario:
        """Build a scenario from a mapping shaped like the TOML file."""
        unknown = set(data) - {"name", "description", *ACTIONS}
        if unknown:
            raise ScenarioError(f"{origin}: unknown key {sorted(unknown)[0]!r}; expected name, description or "
                                f"one of {', '.join(ACTIONS)}")
        changes = []
        for action in ACTIONS:
            entries = data.get(action, [])
            if isinstance(entries, Mapping):
                entries = [entries]
            for number, entry in enumerate(entries, start=1):
                if not isinstance(entry, Mapping):
                    raise ScenarioError(f"{origin}: [[{action}]] #{number} must be a table of settings")
                bad = set(entry) - ACTIONS[action]
                if bad:
                    raise ScenarioError(f"{origin}: [[{action}]] #{number}: unknown key {sorted(bad)[0]!r}; "
                                        f"expected {', '.join(sorted(ACTIONS[action]))}")
                changes.append(Change(action, dict(entry)))
        if not changes:
            raise ScenarioError(f"{origin}: the scenario changes nothing (no close, scale, service or add)")
        return cls(str(data.get("name", origin)), tuple(changes), str(data.get("description", "")), origin)

    @classmethod
    def closing(cls, *items: str, network: Network) -> Scenario:
        """Return a scenario that closes places, legs, countries or passages named on a command line."""
        changes = []
        legs = set(network.legs.index)
        countries = set(network.nodes["country"])
        for item in items:
            key = normalise(item)
            passage = next((p for p in contract.PASSAGES if normalise(p) == key or key in _PASSAGE_WORDS.get(p, ())),
                           None)
            if item in legs:
                changes.append(Change("close", {"leg": item}))
            elif item.upper() in countries:
                changes.append(Change("close", {"country": item.upper()}))
            elif passage is not None:
                changes.append(Change("close", {"passage": passage}))
            else:
                changes.append(Change("close", {"place": network.place(item)}))
        return cls("closed: " + ", ".join(items), tuple(changes), origin="--close")

    def apply(self, network: Network) -> Network:
        """Return a new network with the changes applied; the given network is not modified."""
        return _Applier(network, self).run()


def bundled_scenarios_path() -> Path:
    """Return the folder of the bundled example scenarios."""
    from .datasets import data_path

    return data_path() / "scenarios"


_PASSAGE_WORDS = {"suez": ("suezcanal", "redsea"), "cape_of_good_hope": ("cape", "capeofgoodhope"),
                  "bosporus": ("bosphorus",), "bab_el_mandeb": ("babelmandeb",)}


class _Applier:
    def __init__(self, network: Network, scenario: Scenario):
        self.base = network
        self.scenario = scenario
        self.nodes = network.nodes
        self.legs = network.legs
        tables = network.parameters.tables()
        self.stop_times = tables["stop_times"]
        self.speeds = tables["speeds"]
        self.leg_times = network.parameters.leg_times
        self.disruptions = network.parameters.disruptions
        self.queues = network.queues

    def fail(self, change: Change, number: int, message: str) -> ScenarioError:
        return ScenarioError(f"{self.scenario.origin}: [[{change.action}]] #{number}: {message}")

    def run(self) -> Network:
        from .network import Network
        from .timing import TimeParameters

        counts: dict[str, int] = {}
        for change in self.scenario.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
            getattr(self, f"_{change.action}")(change, counts[change.action])
        parameters = TimeParameters(self.stop_times, self.speeds, self.leg_times, self.disruptions)
        sources = self.base.sources
        if (self.legs["distance_source"] == SCENARIO_SOURCE).any() and SCENARIO_SOURCE not in sources.index:
            sources.loc[SCENARIO_SOURCE] = {"id": SCENARIO_SOURCE, "title": f"Assumption of the scenario "
                                            f"{self.scenario.name!r}", "publisher": "", "url": "", "year": "",
                                            "accessed": "", "note": self.scenario.description}
        return Network(self.nodes, self.legs, sources, parameters, costs=self.base.costs, queues=self.queues,
                       condition_book=self.base.condition_book,
                       name=f"{self.base.name} + {self.scenario.name}")

    # close -------------------------------------------------------------------------------------------------
    def _close(self, change: Change, number: int) -> None:
        settings = change.settings
        if len(settings) != 1:
            raise self.fail(change, number, "close one of place, leg, country or passage per [[close]]")
        (what, values), = settings.items()
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(change, number, f"{what} must be a name or a list of names, got {values!r}")
        legs = self.legs
        for value in values:
            if what == "leg":
                if value not in legs.index:
                    raise self.fail(change, number, f"unknown leg {value!r}")
                drop = legs.index == value
            elif what == "place":
                try:
                    place = self.base.place(value)
                except CorridorError as exc:
                    raise self.fail(change, number, str(exc)) from exc
                drop = (legs["from"] == place) | (legs["to"] == place)
            elif what == "country":
                code = str(value).upper()
                if code not in set(self.nodes["country"]):
                    raise self.fail(change, number, f"no place of the network is in {value!r}")
                inside = set(self.nodes.index[self.nodes["country"] == code])
                drop = legs["from"].isin(inside) | legs["to"].isin(inside)
            else:
                passage = str(value)
                if passage not in contract.PASSAGES:
                    raise self.fail(change, number, f"unknown passage {value!r}; known: {', '.join(contract.PASSAGES)}")
                if not self.base.legs["passages"].map(lambda through, p=passage: p in through).any():
                    raise self.fail(change, number, f"no leg of the network goes through {passage}")
                drop = legs["passages"].map(lambda through, p=passage: p in through)
            legs = legs[~drop]
        self.legs = legs

    # scale -------------------------------------------------------------------------------------------------
    def _scale(self, change: Change, number: int) -> None:
        s = change.settings
        factor = self._factor(change, number)
        if ("stops" in s) == ("legs" in s):
            raise self.fail(change, number, "scale either stops = KIND or legs = MODE")
        if "stops" in s:
            self._scale_stops(change, number, str(s["stops"]), float(factor))
        else:
            self._scale_legs(change, number, str(s["legs"]), float(factor))

    def _scale_stops(self, change: Change, number: int, kind: str, factor: float) -> None:
        if kind not in contract.STOP_KINDS:
            raise self.fail(change, number, f"unknown stop kind {kind!r}; known: {', '.join(contract.STOP_KINDS)}")
        place, country = change.settings.get("place"), change.settings.get("country")
        table = self.stop_times.copy()
        if place is None and country is None:
            rows = table["kind"] == kind
        else:
            if place is not None:
                try:
                    target = self.base.place(str(place))
                except CorridorError as exc:
                    raise self.fail(change, number, str(exc)) from exc
                members = {target}
            else:
                target = str(country).upper()
                if target not in set(self.nodes["country"]):
                    raise self.fail(change, number, f"no place of the network is in {country!r}")
                members = {target, *self.nodes.index[self.nodes["country"] == target]}
            table = self._materialise(table, kind, target)
            rows = (table["kind"] == kind) & table["place"].isin(members)
        for column in ("low_h", "typical_h", "high_h"):
            table.loc[rows, column] = table.loc[rows, column].astype(float) * factor
        self.stop_times = table

    def _materialise(self, table: pd.DataFrame, kind: str, target: str) -> pd.DataFrame:
        """Give ``target`` (a node or a country) its own row per profile, copied from what it now inherits."""
        country = self.nodes.at[target, "country"] if target in self.nodes.index else target
        added = []
        for profile in self.base.parameters.profiles:
            if ((table["kind"] == kind) & (table["place"] == target) & (table["profile"] == profile)).any():
                continue
            for fallback in ((country, "*") if target in self.nodes.index else ("*",)):
                found = table[(table["kind"] == kind) & (table["place"] == fallback) & (table["profile"] == profile)]
                if len(found):
                    added.append(found.iloc[0].to_dict() | {"place": target})
                    break
        return pd.concat([table, pd.DataFrame(added)], ignore_index=True) if added else table

    def _scale_legs(self, change: Change, number: int, mode: str, factor: float) -> None:
        if mode not in contract.MODES:
            raise self.fail(change, number, f"unknown mode {mode!r}; known: {', '.join(contract.MODES)}")
        leg_id, country = change.settings.get("leg"), change.settings.get("country")
        legs = self.legs.copy()
        if leg_id is not None:
            if leg_id not in legs.index or legs.at[leg_id, "mode"] != mode:
                raise self.fail(change, number, f"unknown {mode} leg {leg_id!r}")
            chosen = legs.index == leg_id
        else:
            chosen = legs["mode"] == mode
            if country is not None:
                code = str(country).upper()
                inside = set(self.nodes.index[self.nodes["country"] == code])
                if not inside:
                    raise self.fail(change, number, f"no place of the network is in {country!r}")
                chosen &= legs["from"].isin(inside) | legs["to"].isin(inside)
        if not chosen.any():
            raise self.fail(change, number, "no leg matches")
        ids = set(legs.index[chosen])
        # legs timed explicitly: scale their times; legs timed by speed: give them explicit times, scaled
        times = self.leg_times.copy()
        explicit = times["leg"].isin(ids)
        for column in ("low_h", "typical_h", "high_h"):
            times.loc[explicit, column] = times.loc[explicit, column].astype(float) * factor
        new_rows = []
        for leg in sorted(ids - set(times["leg"])):
            for profile in self.base.parameters.profiles:
                low, typical, high = time_range(self.base.price_leg(leg, self.base.conditions(profile)).time)
                new_rows.append({"leg": leg, "profile": profile, "low_h": low * factor, "typical_h": typical * factor,
                                 "high_h": high * factor, "status": "derived", "sources": (),
                                 "note": f"scenario {self.scenario.name!r}: × {factor:g}"})
        self.leg_times = pd.concat([times, pd.DataFrame(new_rows)], ignore_index=True) if new_rows else times

    # demand and capacity -----------------------------------------------------------------------------------
    def _demand(self, change: Change, number: int) -> None:
        series, factor = change.settings.get("series"), self._factor(change, number)
        known = self.queues.demand_series
        if series not in known:
            raise self.fail(change, number, f"unknown demand series {series!r}; series that drive queues: "
                            f"{', '.join(known) or 'none in this dataset'}")
        self.queues = self.queues.scaled(demand={str(series): factor})

    def _capacity(self, change: Change, number: int) -> None:
        element, factor = change.settings.get("element"), self._factor(change, number)
        known = self.queues.capacity_elements
        if element not in known:
            raise self.fail(change, number, f"unknown element {element!r}; capacities that limit queues: "
                            f"{', '.join(known) or 'none in this dataset'}")
        self.queues = self.queues.scaled(capacity={str(element): factor})

    def _factor(self, change: Change, number: int) -> float:
        given = change.settings.get("factor")
        factor = _positive(given)
        if factor is None:
            raise self.fail(change, number, f"factor must be a finite number > 0, got {given!r}")
        return factor

    # service and add ---------------------------------------------------------------------------------------
    def _service(self, change: Change, number: int) -> None:
        leg, service = change.settings.get("leg"), str(change.settings.get("service", ""))
        if leg not in self.legs.index:
            raise self.fail(change, number, f"unknown leg {leg!r}")
        if self.legs.at[leg, "mode"] not in contract.WATER_MODES:
            raise self.fail(change, number, f"{leg} is a {self.legs.at[leg, 'mode']} leg; only ferry and sea legs "
                            "have a service")
        if service_problem(service) is not None:
            raise self.fail(change, number, f"service must be 'unscheduled' or 'N/week' with N > 0, got {service!r}")
        legs = self.legs.copy()
        legs.at[leg, "service"] = service
        self.legs = legs

    def _add(self, change: Change, number: int) -> None:
        s = dict(change.settings)
        missing = {"id", "from", "to", "mode", "distance_km"} - set(s)
        if missing:
            raise self.fail(change, number, f"missing {', '.join(sorted(missing))}")
        if s["id"] in self.legs.index:
            raise self.fail(change, number, f"a leg {s['id']!r} exists already")
        ends = []
        for end in ("from", "to"):
            try:
                ends.append(self.base.place(str(s[end])))
            except CorridorError as exc:
                raise self.fail(change, number, f"{end}: {exc}") from exc
        if ends[0] == ends[1]:
            raise self.fail(change, number, f"a leg needs two different places, got {ends[0]!r} twice")
        mode = s["mode"]
        if mode not in contract.MODES:
            raise self.fail(change, number, f"unknown mode {mode!r}; known: {', '.join(contract.MODES)}")
        gauge = s.get("gauge_mm")
        if mode == "rail" and gauge not in contract.GAUGES_MM:
            raise self.fail(change, number, "a rail leg needs gauge_mm = 1435 or 1520")
        if mode != "rail" and gauge is not None:
            raise self.fail(change, number, f"only a rail leg has a gauge; a {mode} leg has no gauge_mm")
        distance = _positive(s["distance_km"])
        if distance is None:
            raise self.fail(change, number, f"distance_km must be a finite number > 0, got {s['distance_km']!r}")
        if "time_h" in s and _positive(s["time_h"]) is None:
            raise self.fail(change, number, f"time_h must be a finite number of hours > 0, got {s['time_h']!r}")
        source = s.get("source", SCENARIO_SOURCE)
        if source != SCENARIO_SOURCE and source not in self.base.sources.index:
            raise self.fail(change, number, f"unknown source {source!r} (not in the sources table)")
        service = s.get("service", "unscheduled" if mode == "ferry" else "")
        if service and service_problem(str(service)) is not None:
            raise self.fail(change, number, f"service must be 'unscheduled' or 'N/week', got {service!r}")
        points = [(self.nodes.geometry[ends[0]].x, self.nodes.geometry[ends[0]].y)]
        for pair in str(s.get("waypoints", "")).split(";"):
            if pair.strip():
                try:
                    lat, lon = (float(v) for v in pair.replace(",", " ").split())
                except ValueError as exc:
                    raise self.fail(change, number, f"waypoints are 'lat lon' pairs separated by ';', got "
                                    f"{pair.strip()!r}") from exc
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise self.fail(change, number, f"waypoint {pair.strip()!r} is not a latitude and longitude")
                points.append((lon, lat))
        points.append((self.nodes.geometry[ends[1]].x, self.nodes.geometry[ends[1]].y))
        row: dict[str, Any] = {c.name: None for c in contract.LEG_COLUMNS}
        row.update({"id": s["id"], "from": ends[0], "to": ends[1], "mode": mode, "gauge_mm": gauge,
                    "distance_km": float(distance), "distance_status": "estimate",
                    "distance_source": source, "distance_note": s.get("note", ""),
                    "time_h": float(s["time_h"]) if "time_h" in s else float("nan"),
                    "time_source": source if "time_h" in s else None,
                    "service": service or None, "service_source": SCENARIO_SOURCE if service else None,
                    "waypoints": "", "passages": (), "sources": (source,),
                    "note": f"added by scenario {self.scenario.name!r}: {s.get('note', '')}".strip()})
        added = gpd.GeoDataFrame([row], geometry=[LineString(points)], crs=self.legs.crs, index=[s["id"]])
        legs = pd.concat([self.legs, added])
        legs["gauge_mm"] = legs["gauge_mm"].astype("Int64")
        self.legs = gpd.GeoDataFrame(legs, geometry="geometry", crs=self.legs.crs)


def _positive(value: object) -> float | None:
    """Return a TOML value as a finite number > 0, or None (a bool, a string, NaN or infinity is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if 0 < number < float("inf") else None


# Diff ------------------------------------------------------------------------------------------------------

class ScenarioDiff:
    """How a scenario changes each corridor's route between two places."""

    def __init__(self, scenario: Scenario, table: pd.DataFrame, origin: str, destination: str, *,
                 base: Network, changed: Network):
        self.scenario = scenario
        self.base = base
        self.changed = changed
        self._table = table
        self.origin = origin
        self.destination = destination

    def table(self) -> pd.DataFrame:
        """Return one row per corridor: before and after (typical days, median days, km, cost) and what changed."""
        return self._table.copy()

    @property
    def changes_anything(self) -> bool:
        """Return whether any corridor's availability, route or time changes."""
        t = self._table
        return bool((~t["status"].isin(UNCHANGED)).any())

    def summary(self) -> str:
        """Return one sentence on the effect of the scenario for this question."""
        if not self.changes_anything:
            return (f"The scenario {self.scenario.name!r} changes nothing for {self.origin} → {self.destination}: "
                    "every corridor keeps its route and its times.")
        changed = self._table[~self._table["status"].isin(UNCHANGED)]
        parts = []
        for row in changed.itertuples():
            if row.status == "no longer available":
                parts.append(f"{row.name}: no longer available ({row.reason_after})")
            elif row.status == "now available":
                parts.append(f"{row.name}: now available ({row.after_days:.1f} days)")
            else:
                parts.append(f"{row.name}: {row.delta_days:+.1f} days ({row.before_days:.1f} → {row.after_days:.1f})"
                             + ("; the route changes" if row.route_changed else ""))
        return f"{self.scenario.name}: " + "; ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as plain data for JSON."""
        table = self._table
        return {"scenario": self.scenario.name, "description": self.scenario.description,
                "changes": [c.describe() for c in self.scenario.changes], "origin": self.origin,
                "destination": self.destination, "changes_anything": self.changes_anything,
                "summary": self.summary(),
                "rows": table.astype(object).where(table.notna(), None).to_dict(orient="records")}

    def map(self, *, offline: bool = False):
        """Return a folium map of the scenario's closed, added and changed elements."""
        from .maps import scenario_map

        return scenario_map(self, offline=offline)

    def __repr__(self) -> str:
        return f"<ScenarioDiff {self.scenario.name!r}: {self.summary()}>"

    def _repr_html_(self) -> str:
        import html

        shown = self._table[["name", "status", "before_days", "after_days", "delta_days", "before_km", "after_km",
                             "route_changed"]]
        return f"<p><b>{html.escape(self.summary())}</b></p>" + shown.to_html(index=False, escape=True, na_rep="–")


def diff(base: Network, scenario: Scenario, origin: str, destination: str, *,
         corridors: Sequence[str] | None = None, conditions: str | None = None, n: int = 4_000,
         seed: int | None = 0, profile: str | None = None) -> ScenarioDiff:
    """Return how ``scenario`` changes each corridor (and the best route) between two places under conditions.

    ``profile`` is the old name of ``conditions``. An unknown condition set raises CorridorError before anything
    is routed.
    """
    from .registry import load_corridors
    from .simulation import simulate

    chosen_set = base._resolve(conditions, profile)
    changed = scenario.apply(base)
    registry = load_corridors(base) if corridors is None or len(corridors) else {}
    chosen = list(corridors) if corridors is not None else list(registry)
    for c in chosen:
        if c not in registry:
            raise CorridorError(f"unknown corridor {c!r}; known corridors: {', '.join(registry)}")
    rows = []
    for corridor_id in [None, *chosen]:
        results: list[tuple[Any, Any, str]] = []
        for network in (base, changed):
            try:
                if corridor_id is None:
                    route = network.route(origin, destination, conditions=chosen_set)
                else:
                    route = registry[corridor_id].route(network, origin, destination, conditions=chosen_set)
                results.append((route, simulate(route, n=n, seed=seed), ""))
            except CorridorError as exc:
                results.append((None, None, str(exc)))
        rows.append(_diff_row(corridor_id, registry, results))
    return ScenarioDiff(scenario, pd.DataFrame(rows), base.place_name(base.place(origin)),
                        base.place_name(base.place(destination)), base=base, changed=changed)


def _diff_row(corridor_id: str | None, registry: Mapping[str, Any], results: Iterable[tuple]) -> dict[str, Any]:
    (before, t_before, why_before), (after, t_after, why_after) = results
    name = "best route" if corridor_id is None else registry[corridor_id].name
    row: dict[str, Any] = {"corridor": corridor_id or "best", "name": name, "reason_before": why_before,
                           "reason_after": why_after}
    for label, route, transit in (("before", before, t_before), ("after", after, t_after)):
        row[f"{label}_days"] = route.time_days if route is not None else float("nan")
        row[f"{label}_p50_days"] = transit.median_days if transit is not None else float("nan")
        row[f"{label}_km"] = route.distance_km if route is not None else float("nan")
        row[f"{label}_cost_usd"] = route.cost_usd if route is not None else float("nan")
    row["delta_days"] = row["after_days"] - row["before_days"]
    row["route_changed"] = bool(before is not None and after is not None and before.places != after.places)
    if before is None and after is None:
        row["status"] = "unavailable"  # before and after: the scenario does not make it serve the journey
    elif after is None:
        row["status"] = "no longer available"
    elif before is None:
        row["status"] = "now available"
    elif row["route_changed"] or abs(row["delta_days"]) > 1e-9:
        row["status"] = "changed"
    else:
        row["status"] = "unchanged"
    return row
