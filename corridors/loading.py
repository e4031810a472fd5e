"""Loading a network dataset: reading its files, checking them against the contract, and building the Network.

Every problem of every table is collected before anything is refused, so that a user fixes a dataset in one pass
(:class:`~corridors.errors.ValidationError` lists each with its file, row and field).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from . import contract, datasets
from .conditions import ConditionBook
from .costs import CostParameters
from .errors import Problem, ValidationError
from .io import RawTable, find_files, read_table
from .places import normalise
from .queues import load_queue_book
from .seasons import load_month_book
from .timing import TimeParameters
from .validation import validate_tables

if TYPE_CHECKING:
    from .network import Network


def _name_collisions(nodes: gpd.GeoDataFrame) -> list[tuple[str, tuple[str, ...]]]:
    """Return the lookup keys that point at several places, with those places: what the place index's
    ``collisions()`` says, computed on columns (a load needs only these, not the whole index)."""
    aliases = nodes["aliases"].explode().dropna()  # one row per alias; a place without any drops out
    owners = np.concatenate([nodes.index.to_numpy(dtype=object), nodes.index.to_numpy(dtype=object),
                             aliases.index.to_numpy(dtype=object)])
    texts = pd.Series(np.concatenate([nodes.index.to_numpy(dtype=object), nodes["name"].to_numpy(dtype=object),
                                      aliases.to_numpy(dtype=object)]), dtype=object)
    plain = texts.str.isascii().to_numpy(dtype=bool)
    keys = np.empty(len(texts), dtype=object)
    keys[plain] = texts[plain].str.lower().str.replace(r"[^a-z0-9]", "", regex=True).to_numpy(dtype=object)
    keys[~plain] = [normalise(t) for t in texts[~plain]]
    pairs = pd.DataFrame({"key": keys, "id": owners})
    pairs = pairs[pairs["key"] != ""].drop_duplicates()
    shared = pairs[pairs["key"].duplicated(keep=False)]
    return sorted((key, tuple(sorted(ids))) for key, ids in shared.groupby("key", sort=False)["id"])



def _read(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[str, RawTable], list[Problem]]:
    """Return the tables that could be read and the problems of those that could not (of every file, so that one
    broken table does not hide the problems of the others)."""
    found, problems = find_files(paths)
    missing = [role for role in datasets.PARAMETER_FILES if role not in found]
    bundled = datasets.data_path() if missing else None
    for role in missing:  # a user's network without its own time parameters uses ours
        found[role] = datasets.data_path() / f"{role}.csv"
    raw: dict[str, RawTable] = {}
    for role, path in found.items():
        try:
            raw[role] = read_table(role, path)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if bundled is not None and "nodes" in raw and found["nodes"].parent != bundled:
        # keep only the bundled rows that can apply to the user's network: defaults and its countries
        countries = set(raw["nodes"].frame.get("country", pd.Series(dtype=str)))
        for role, key in (("stop_times", "place"), ("speeds", "country")):
            if role in missing:
                table = raw[role]
                keep = table.frame[key].isin(countries | {"*"})
                raw[role] = RawTable(role, f"bundled {table.file}", table.frame[keep].reset_index(drop=True),
                                     tuple(label for label, k in zip(table.labels, keep, strict=True) if k))
    if bundled is not None and "sources" in raw and found["sources"].parent != bundled:
        # our time parameters cite our sources: make them known to the user's dataset
        ours = read_table("sources", bundled / "sources.csv")
        theirs = raw["sources"].frame
        extra = ours.frame[~ours.frame["id"].isin(theirs["id"])]
        merged = pd.concat([theirs, extra], ignore_index=True).fillna("")  # a column only one side has: blank
        raw["sources"] = RawTable("sources", raw["sources"].file, merged,
                                  raw["sources"].labels + tuple(f"bundled line {i + 2}" for i in extra.index))
    return raw, problems


def validate(*paths: str | os.PathLike[str]) -> list[Problem]:
    """Return every problem in the dataset at ``paths`` (folders or files); an empty list means it is valid."""
    raw, problems = _read(paths or [datasets.data_path()])
    clean, more = _validated(raw)
    folder = Path(paths[0]) if paths and Path(paths[0]).is_dir() else (None if paths else datasets.data_path())
    return problems + more + _folder_problems(folder, clean)


def _folder_problems(folder: Path | None, clean: dict[str, pd.DataFrame]) -> list[Problem]:
    """Return the problems of a dataset folder's other tables: the months and the context series."""
    from .context import load_series

    if folder is None or not {"nodes", "sources"} <= set(clean):
        return []
    found: list[Problem] = _reference_load_problems(clean, load_queue_book(folder).conversions)
    groups = clean["groups"]["id"] if clean.get("groups") is not None and "id" in clean["groups"] else ()
    try:
        load_month_book(folder, places=clean["nodes"].index, sources=clean["sources"].index, groups=groups)
    except ValidationError as exc:
        found.extend(exc.problems)
    if (folder / "series.csv").is_file():
        try:
            load_series(folder)
        except ValidationError as exc:
            found.extend(exc.problems)
    return found


def load_network(*paths: str | os.PathLike[str], name: str | None = None) -> Network:
    """Return the network in ``paths`` (a dataset folder, or its files), or the bundled one when none is given.

    Raises
    ------
    ValidationError
        Listing every problem in the dataset, each with its file, row and field.
    """
    raw, problems = _read(paths or [datasets.data_path()])
    clean, more = _validated(raw)
    if problems or more:
        raise ValidationError(problems + more)
    folder = Path(paths[0]) if paths and Path(paths[0]).is_dir() else (datasets.data_path() if not paths else None)
    return _network_from_clean(clean, name or (Path(paths[0]).name if paths else "bundled"), folder)


def _validated(raw: dict[str, RawTable]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Return the clean tables and every problem: the contract first, then names and parameter coverage."""
    clean, problems = validate_tables(raw, datasets.boundaries())
    return clean, problems + _check_names_and_coverage(raw, clean)


def _network_from_clean(clean: dict[str, pd.DataFrame], name: str, folder: Path | None = None) -> Network:
    from .network import Network  # network.py re-exports this module's functions: imported here, not above

    nodes = clean["nodes"].drop(columns=["lat", "lon"]).rename_axis(None)
    legs = clean["legs"].rename_axis(None)
    legs["gauge_mm"] = legs["gauge_mm"].astype("Int64")
    for column in ("distance_km", "time_h"):
        legs[column] = legs[column].astype(float)
    nodes = nodes.astype(dict.fromkeys(("id", "name", "country", "kind"), str))
    parameters = TimeParameters(clean["stop_times"], clean["speeds"], clean.get("leg_times"),
                                clean.get("disruptions"))
    costs = CostParameters(clean.get("costs"), clean.get("emissions"))
    months = load_month_book(folder, places=clean["nodes"].index, sources=clean["sources"].index,
                             groups=clean["groups"]["id"] if clean.get("groups") is not None else ())
    book = ConditionBook(clean.get("groups"), clean.get("conditions"), parameters.profiles, months)
    condition_tables = {role: clean[role].reset_index(drop=True) for role in ("groups", "conditions")
                        if role in clean}
    queue_files = [folder / n for n in (*datasets.QUEUE_FILES, "months.csv")
                   if (folder / n).is_file()] if folder else []
    queues = load_queue_book(folder)
    missing = _reference_load_problems(clean, queues.conversions)
    if missing:
        raise ValidationError(missing)
    return Network(nodes, legs, clean["sources"].rename_axis(None), parameters, costs=costs, name=name,
                   condition_book=book, queues=queues, condition_tables=condition_tables,
                   queue_files=queue_files)


def _reference_load_problems(clean: dict[str, pd.DataFrame], conversions: dict[str, float]) -> list[Problem]:
    """Return a problem when rates per kg or emissions per tonne-km are given without the reference load that
    turns them into per-FEU figures (found at load, not at the first route that flies)."""
    costs, emissions = clean.get("costs"), clean.get("emissions")
    per_kg = costs is not None and "unit" in costs and (costs["unit"] == "usd_per_kg").any()
    per_tonne = (emissions is not None and "kg_co2e_per_tonne_km" in emissions
                 and emissions["kg_co2e_per_tonne_km"].notna().any())
    if not (per_kg or per_tonne):
        return []
    from .shipment import REFERENCE_LOAD

    return [Problem("conversions.csv", "", "name", f"a row {name!r} is needed: "
                    f"{'costs.csv has rates per kg' if per_kg else 'emissions.csv has factors per tonne-km'}")
            for name in REFERENCE_LOAD if name not in conversions]


def _check_names_and_coverage(raw: dict[str, RawTable], clean: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    if "nodes" in clean:
        nodes = clean["nodes"]
        named = nodes[nodes["name"].notna() & nodes["id"].notna()]  # a missing one is a problem of its own
        for key, ids in _name_collisions(named):
            problems.append(Problem(raw["nodes"].file, "", "aliases",
                                    f"the name {key!r} points at several places: {', '.join(ids)}"))
    if "stop_times" not in clean or "speeds" not in clean:
        return problems  # an unreadable parameter table: its own problem says so
    stop_times, speeds = clean["stop_times"], clean["speeds"]
    profiles = sorted({p for p in (*stop_times["profile"], *speeds["profile"]) if p})  # blank: reported already
    # a network without flights has no airport stops, so it needs no default rows for them
    modes = set(clean["legs"]["mode"]) if "legs" in clean else set()
    needed = [k for k in contract.STOP_KINDS if "air" in modes or k not in ("air_handling", "flight_wait")]
    for profile in profiles:
        have = set(stop_times.loc[(stop_times["profile"] == profile) & (stop_times["place"] == "*"), "kind"])
        for kind in needed:
            if kind not in have:
                problems.append(Problem(raw["stop_times"].file, "", "place",
                                        f"profile {profile!r} has no default (*) row for {kind}"))
        legs = clean.get("legs", pd.DataFrame(columns=["time_h", "mode"]))
        timed_by_speed = set(legs.loc[legs["time_h"].isna(), "mode"]) & set(contract.MODES)
        have_speed = set(speeds.loc[(speeds["profile"] == profile) & (speeds["country"] == "*"), "mode"])
        for mode in sorted(timed_by_speed - have_speed):
            problems.append(Problem(raw["speeds"].file, "", "country",
                                    f"profile {profile!r} has no default (*) speed for {mode}"))
    return problems
