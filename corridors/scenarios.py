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
from .places import passage_named
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
#: The settings each action needs.
REQUIRED = {"scale": {"factor"}, "service": {"leg", "service"}, "demand": {"series", "factor"},
            "capacity": {"element", "factor"}, "add": {"id", "from", "to", "mode", "distance_km"}}
#: Settings that name something (a place, a leg, a kind, a pattern): text, and for [[close]] a list of texts too.
NAMES = {"stops", "legs", "place", "country", "leg", "passage", "service", "series", "element", "id", "from", "to",
         "mode", "waypoints", "note", "source"}
#: A factor scales a time, a volume or a capacity. Outside a thousandfold either way it is a slip (500 written for
#: 0.5, a replacement value for a scale), and the times it gives leave the range a simulation's float32 can carry.
FACTOR_RANGE = (1e-3, 1e3)
#: An added leg's time: a year is far beyond any leg (the slowest sea legs take weeks).
MAX_LEG_TIME_H = 24 * 365
SCENARIO_SOURCE = "scenario_assumption"
#: Statuses of a corridor that the scenario leaves as it was: the same route and time, or not available either way.
UNCHANGED = ("unchanged", "unavailable")


class ScenarioError(CorridorError):
    """A scenario that cannot be read or applied: names the file, the change and the key.

    ``problems`` lists every problem found (each naming its change and key), not just the first; the message
    gives them all on one line.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)

    @classmethod
    def listing(cls, origin: str, problems: Sequence[str]) -> ScenarioError:
        """Return the error for every problem of the scenario read from ``origin``."""
        if len(problems) == 1:
            return cls(f"{origin}: {problems[0]}", problems)
        return cls(f"{origin}: {len(problems)} problems: " + "; ".join(problems), problems)


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
            data = tomllib.loads(file.read_text(encoding="utf-8-sig"))  # a byte-order mark (Notepad) is fine
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
        """Build a scenario from a mapping shaped like the TOML file.

        Raises ScenarioError listing every unknown or missing key and every name that is not text.
        """
        problems = [f"unknown key {key!r}; expected name, description or one of {', '.join(ACTIONS)}"
                    for key in sorted(set(data) - {"name", "description", *ACTIONS}, key=str)]
        for key in ("name", "description"):
            if key in data and not isinstance(data[key], str):
                problems.append(f"{key} must be text in quotes, got {data[key]!r}")
        changes = []
        for action in ACTIONS:
            entries = data.get(action, [])
            if isinstance(entries, Mapping):
                entries = [entries]
            if not isinstance(entries, list):
                problems.append(f"{action} must be a table [[{action}]] of settings, got {entries!r}")
                continue
            for number, entry in enumerate(entries, start=1):
                if not isinstance(entry, Mapping):
                    problems.append(f"[[{action}]] #{number} must be a table of settings")
                    continue
                found = _entry_problems(action, entry)
                problems.extend(f"[[{action}]] #{number}: {p}" for p in found)
                if not found:
                    changes.append(Change(action, dict(entry)))
        if problems:
            raise ScenarioError.listing(origin, problems)
        if not changes:
            raise ScenarioError(f"{origin}: the scenario changes nothing (no close, scale, service, demand, "
                                "capacity or add)")
        return cls(str(data.get("name", origin)), tuple(changes), str(data.get("description", "")), origin)

    @classmethod
    def closing(cls, *items: str, network: Network) -> Scenario:
        """Return a scenario that closes places, legs, countries or passages named on a command line."""
        changes = []
        legs = set(network.legs.index)
        countries = set(network.nodes["country"])
        for item in items:
            passage = passage_named(item)
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

    def __repr__(self) -> str:
        changes = "; ".join(c.describe() for c in self.changes)
        if len(changes) > 200:
            changes = changes[:199] + "…"
        return f"<Scenario {self.name!r}: {len(self.changes)} change{'s' if len(self.changes) != 1 else ''}: {changes}>"

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        table = pd.DataFrame({"action": [c.action for c in self.changes],
                              "settings": [", ".join(f"{k} = {_listed(v)}" for k, v in c.settings.items())
                                           for c in self.changes]})
        title = f"Scenario {self.name}" + (f": {self.description}" if self.description else "")
        return heading(title) + html_table(table, {"action": "change", "settings": "settings"})


def _listed(value: object) -> str:
    """Return a setting as a reader writes it: a list as its items separated by commas."""
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _entry_problems(action: str, entry: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with the keys of one change: unknown or missing keys, names that are not text."""
    problems = [f"unknown key {key!r}; expected {', '.join(sorted(ACTIONS[action]))}"
                for key in sorted(set(entry) - ACTIONS[action], key=str)]
    problems.extend(f"missing {key}" for key in sorted(REQUIRED.get(action, set()) - set(entry)))
    for key, value in entry.items():
        listed = action == "close" and isinstance(value, list) and all(isinstance(v, str) for v in value)
        if key in NAMES and key in ACTIONS[action] and not isinstance(value, str) and not listed:
            kind = "a name or a list of names" if action == "close" else "text in quotes"
            problems.append(f"{key} must be {kind}, got {value!r}")
    return problems


def bundled_scenarios_path() -> Path:
    """Return the folder of the bundled example scenarios."""
    from .datasets import data_path

    return data_path() / "scenarios"


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
        problem = f"[[{change.action}]] #{number}: {message}"
        return ScenarioError(f"{self.scenario.origin}: {problem}", (problem,))

    def run(self) -> Network:
        from .network import Network
        from .timing import TimeParameters

        counts: dict[str, int] = {}
        problems: list[str] = []
        for change in self.scenario.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
            if change.action not in ACTIONS:
                problems.append(f"unknown action {change.action!r}; known: {', '.join(ACTIONS)}")
                continue
            found = _entry_problems(change.action, change.settings)  # again: a Change may be built in Python
            if found:
                problems.extend(f"[[{change.action}]] #{counts[change.action]}: {p}" for p in found)
                continue
            try:  # a change that fails leaves the network as it was, so the next ones can still be checked
                getattr(self, f"_{change.action}")(change, counts[change.action])
            except ScenarioError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ScenarioError.listing(self.scenario.origin, problems)
        parameters = TimeParameters(self.stop_times, self.speeds, self.leg_times, self.disruptions)
        sources = self.base.sources
        if (self.legs["distance_source"] == SCENARIO_SOURCE).any() and SCENARIO_SOURCE not in sources.index:
            sources.loc[SCENARIO_SOURCE] = {"id": SCENARIO_SOURCE, "title": f"Assumption of the scenario "
                                            f"{self.scenario.name!r}", "publisher": "", "url": "", "year": "",
                                            "accessed": "", "note": self.scenario.description}
        return Network(self.nodes, self.legs, sources, parameters, costs=self.base.costs, queues=self.queues,
                       condition_book=self.base.condition_book,
                       name=f"{self.base.name} + {self.scenario.name}",
                       tables=self.base._tables, folder=self.base.folder)  # its capacities, corridors and claims

    # close -------------------------------------------------------------------------------------------------
    def _close(self, change: Change, number: int) -> None:
        settings = change.settings
        if len(settings) != 1:
            raise self.fail(change, number, "close one of place, leg, country or passage per [[close]]")
        (what, values), = settings.items()
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(change, number, f"{what} must be a name or a list of names, got {values!r}")
        if not values:
            raise self.fail(change, number, f"{what} is an empty list: the change closes nothing")
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
        added: list[dict[str, object]] = []
        for profile in self.base.parameters.profiles:
            if ((table["kind"] == kind) & (table["place"] == target) & (table["profile"] == profile)).any():
                continue
            for fallback in ((country, "*") if target in self.nodes.index else ("*",)):
                found = table[(table["kind"] == kind) & (table["place"] == fallback) & (table["profile"] == profile)]
                if len(found):  # every row found: a gauge change may have one per way (contract.STOP_DIRECTION)
                    added.extend(row | {"place": target} for row in found.to_dict("records"))
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
        if new_rows:  # (an empty table left out of the concat: pandas 2 warns when it would decide the types)
            self.leg_times = pd.concat([t for t in (times, pd.DataFrame(new_rows)) if not t.empty], ignore_index=True)
        else:
            self.leg_times = times

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
        low, high = FACTOR_RANGE
        if not low <= factor <= high:
            raise self.fail(change, number, f"factor {factor:g} lies outside {low:g}–{high:g}: a factor scales the "
                            "current value (0.5 halves it)")
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
        problems: list[str] = []
        if not s["id"].strip():
            problems.append("id must not be empty")
        elif s["id"] in self.legs.index:
            problems.append(f"a leg {s['id']!r} exists already")
        ends = []
        for end in ("from", "to"):
            try:
                ends.append(self.base.place(s[end]))
            except CorridorError as exc:
                problems.append(f"{end}: {exc}")
        if len(ends) == 2 and ends[0] == ends[1]:
            problems.append(f"a leg needs two different places, got {ends[0]!r} twice")
        mode = s["mode"]
        gauge = s.get("gauge_mm")
        if mode not in contract.MODES:
            problems.append(f"unknown mode {mode!r}; known: {', '.join(contract.MODES)}")
        elif mode == "rail" and (isinstance(gauge, bool) or gauge not in contract.GAUGES_MM):
            problems.append("a rail leg needs gauge_mm = 1435 or 1520")
        elif mode != "rail" and gauge is not None:
            problems.append(f"only a rail leg has a gauge; a {mode} leg has no gauge_mm")
        distance = _positive(s["distance_km"])
        if distance is None:
            problems.append(f"distance_km must be a finite number > 0, got {s['distance_km']!r}")
        if "time_h" in s:
            time_h = _positive(s["time_h"])
            if time_h is None:
                problems.append(f"time_h must be a finite number of hours > 0, got {s['time_h']!r}")
            elif time_h > MAX_LEG_TIME_H:
                problems.append(f"time_h {time_h:g} is more than a year ({MAX_LEG_TIME_H} h)")
        source = s.get("source", SCENARIO_SOURCE)
        if source != SCENARIO_SOURCE and source not in self.base.sources.index:
            problems.append(f"unknown source {source!r} (not in the sources table)")
        service = s.get("service", "unscheduled" if mode == "ferry" else "")
        if service and service_problem(service) is not None:
            problems.append(f"service must be 'unscheduled' or 'N/week', got {service!r}")
        points = []
        for pair in s.get("waypoints", "").split(";"):
            if pair.strip():
                try:
                    lat, lon = (float(v) for v in pair.replace(",", " ").split())
                except ValueError:
                    problems.append(f"waypoints are 'lat lon' pairs separated by ';', got {pair.strip()!r}")
                    continue
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    problems.append(f"waypoint {pair.strip()!r} is not a latitude and longitude")
                    continue
                points.append((lon, lat))
        if len(ends) == 2 and ends[0] != ends[1] and distance is not None:
            points = [(self.nodes.geometry[e].x, self.nodes.geometry[e].y) for e in ends[:1]] + points + \
                [(self.nodes.geometry[e].x, self.nodes.geometry[e].y) for e in ends[1:]]
            problems.extend(_distance_problems(distance, points))
        if problems or distance is None:  # a missing distance is among the problems
            raise ScenarioError(f"{self.scenario.origin}: " + "; ".join(f"[[add]] #{number}: {p}" for p in problems),
                                tuple(f"[[add]] #{number}: {p}" for p in problems))
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
        # the new row's empty cells take the table's types (pandas 2 warns when an all-empty column would decide them)
        legs = pd.concat([self.legs, added.dropna(axis=1, how="all")])
        legs["gauge_mm"] = legs["gauge_mm"].astype("Int64")
        self.legs = gpd.GeoDataFrame(legs, geometry="geometry", crs=self.legs.crs)


def _distance_problems(distance_km: float, points: list[tuple[float, float]]) -> list[str]:
    """Return what makes a stated distance implausible for a leg drawn through ``points`` (lon, lat), by the
    bounds a loaded dataset is held to (corridors.contract)."""
    from .validation import great_circle_km, line_length_km

    (x0, y0), (x1, y1) = points[0], points[-1]
    direct = great_circle_km(x0, y0, x1, y1)
    if distance_km < contract.MIN_DISTANCE_TO_GREAT_CIRCLE * direct - 1:
        return [f"distance_km {distance_km:g} is shorter than the {direct:.0f} km great circle between its places"]
    ratio = line_length_km(LineString(points)) / distance_km
    low, high = contract.GEOMETRY_TO_DISTANCE_RATIO
    if not low <= ratio <= high:
        return [f"distance_km {distance_km:g} is {1 / ratio:.3g}× the line drawn through its places and waypoints "
                f"(plausible: {1 / high:.2f}–{1 / low:.2f}×); check the figure or add waypoints"]
    return []


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
        summary = self.summary()
        if len(summary) > 240:  # the full sentence is in summary() and the HTML
            summary = summary[:239] + "…"
        return f"<ScenarioDiff {self.origin} → {self.destination}: {summary}>"

    def _repr_html_(self) -> str:
        from .display import heading, html_table

        table = self._table.assign(reason=self._table["reason_after"].where(self._table["reason_after"] != "",
                                                                            self._table["reason_before"]))
        headers = {"name": "corridor", "status": "effect", "before_days": "before (days)",
                   "after_days": "after (days)", "delta_days": "change (days)", "before_km": "before (km)",
                   "after_km": "after (km)", "route_changed": "route changes"}
        if (table["reason"] != "").any():
            headers["reason"] = "why not available"
        caption = f"{self.origin} → {self.destination}: typical days along each corridor's route, before and after"
        return heading(self.summary()) + html_table(table, headers, caption=caption)


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
    base._request(origin, destination, (), ())  # unknown or identical places: a route's own error, before the work
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
