"""Loading a network dataset: reading its files, checking them against the contract, and building the Network.

Every problem of every table is collected before anything is refused, so that a user fixes a dataset in one pass
(:class:`~corridors.errors.ValidationError` lists each with its file, row and field).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import cache, contract, datasets
from .conditions import ConditionBook
from .costs import CostParameters
from .errors import Problem, ValidationError
from .io import RawTable, find_files, read_table
from .lines import hold_straight
from .memory import release_unused
from .queues import conversion_factors, queue_book, queue_problems
from .seasons import month_book
from .timing import TimeParameters

if TYPE_CHECKING:
    from .network import Network


class BundledDataWarning(UserWarning):
    """A dataset of one's own lacks a table it cannot do without, and takes the bundled rows for it (the message
    names the files; see ``contract.FROM_BUNDLED``)."""


def _read(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[str, RawTable], list[Problem], tuple[str, ...]]:
    """Return the tables that could be read, the problems of those that could not (of every file, so that one
    broken table does not hide the problems of the others) and the roles taken from the bundled dataset."""
    found, problems = find_files(paths)
    bundled = datasets.data_path()
    missing = [role for role in contract.FROM_BUNDLED if role not in found]
    for role in missing:  # see contract.FROM_BUNDLED: said in a warning by the caller
        found[role] = bundled / f"{role}.csv"
    raw: dict[str, RawTable] = {}
    for role, path in found.items():
        try:
            raw[role] = read_table(role, path)
        except ValidationError as exc:
            problems.extend(exc.problems)
    own = "nodes" in found and found["nodes"].parent.resolve() != bundled.resolve()
    borrowed = tuple(role for role in missing if role in raw) if own else ()
    own_sources = "sources" in found and found["sources"].parent.resolve() != bundled.resolve()
    _keep_applicable(raw, borrowed, merge_sources=own_sources)
    return raw, problems, borrowed


def bundled_parameters(raw: dict[str, RawTable], *, merge_sources: bool) -> tuple[str, ...]:
    """Add to ``raw`` (a dataset's tables, as read) the bundled rows of the ``contract.FROM_BUNDLED`` tables it
    lacks that can apply to its network, and return the roles taken, for :func:`warn_borrowed`.

    For a network built from GeoDataFrames (corridors.convert.graph_from_gdfs), which takes what a folder without
    those files takes and is told so the same way, with one difference: rows for its own places are kept too.
    Such frames are most often a loaded network's own (``to_gdfs``), whose place ids are the ids the bundled rows
    name, and they have always been timed with those rows. ``merge_sources`` adds the bundled sources the rows
    cite to ``raw``'s own sources table (False when that table is the bundled one already).
    """
    missing = tuple(role for role in contract.FROM_BUNDLED if role not in raw)
    for role in missing:
        raw[role] = read_table(role, datasets.data_path() / f"{role}.csv")
    _keep_applicable(raw, missing, merge_sources=merge_sources, places=True)
    return missing


def _keep_applicable(raw: dict[str, RawTable], borrowed: tuple[str, ...], *, merge_sources: bool,
                     places: bool = False) -> None:
    """Keep, of the ``borrowed`` bundled tables in ``raw``, only the rows that can apply to ``raw``'s network (see
    contract.FROM_BUNDLED; with ``places``, the rows for its node ids too), and make the bundled sources they cite
    known to its sources table."""
    bundled = datasets.data_path()
    if borrowed and "nodes" in raw:
        # keep only the bundled rows that can apply to the user's network: defaults and its countries, under the
        # profiles of its own time parameters if it has some (a network timed only 'typical' gets no 'congested')
        countries = set(raw["nodes"].frame.get("country", pd.Series(dtype=str)))
        ids = set(raw["nodes"].frame.get("id", pd.Series(dtype=str))) if places else set()
        own_profiles = {p for role in contract.FROM_BUNDLED if role in raw and role not in borrowed
                        for p in raw[role].frame.get("profile", ())}
        for role, key in (("stop_times", "place"), ("speeds", "country")):
            if role in borrowed:
                table = raw[role]
                keep = table.frame[key].isin(countries | {"*"} | (ids if key == "place" else set()))
                if own_profiles:
                    keep &= table.frame["profile"].isin(own_profiles)
                raw[role] = RawTable(role, f"bundled {table.file}", table.frame[keep].reset_index(drop=True),
                                     tuple(label for label, k in zip(table.labels, keep, strict=True) if k))
    if borrowed and "sources" in raw and merge_sources:
        # the bundled rows cite the bundled sources: make those known to the user's dataset
        ours = read_table("sources", bundled / "sources.csv")
        theirs = raw["sources"].frame
        extra = ours.frame[~ours.frame["id"].isin(theirs["id"])]
        merged = pd.concat([theirs, extra], ignore_index=True).fillna("")  # a column only one side has: blank
        raw["sources"] = RawTable("sources", raw["sources"].file, merged,
                                  raw["sources"].labels + tuple(f"bundled line {i + 2}" for i in extra.index))


def warn_borrowed(raw: dict[str, RawTable], borrowed: tuple[str, ...], where: str, *, remedy: str = "to the folder",
                  which: str = "default (*) rows and rows for its countries") -> None:
    """Say which tables a dataset took from the bundled one, which rows and how many (see contract.FROM_BUNDLED);
    ``remedy`` says where the user's own would go (``add them to the folder``)."""
    if not borrowed:
        return
    files = " or ".join(f"{role}.csv" for role in borrowed)
    rows = ", ".join(f"{len(raw[role].frame)} {role.replace('_', ' ')} rows" for role in borrowed)
    warnings.warn(BundledDataWarning(
        f"{where} has no {files}: the bundled dataset's {which} are used ({rows}, citing the bundled sources); "
        f"add {'them' if len(borrowed) > 1 else 'it'} {remedy} to use your own"), stacklevel=3)


def _where(paths: tuple[str | os.PathLike[str], ...]) -> str:
    return f"the network in {paths[0]}" if len(paths) == 1 else "the network in " + ", ".join(map(str, paths))


def validate(*paths: str | os.PathLike[str]) -> list[Problem]:
    """Return every problem in the dataset at ``paths`` (folders or files); an empty list means it is valid.

    The dataset's other tables (corridors, claims…) are checked against the network too, once the network itself
    has no problem left.
    """
    from .validation import _reference_load_problems

    raw, problems, borrowed = _read(paths or [datasets.data_path()])
    clean, more = _validated(raw)
    folder = Path(paths[0]) if paths and Path(paths[0]).is_dir() else (None if paths else datasets.data_path())
    found = problems + more + _reference_load_problems(clean, conversion_factors(clean))
    if not found:
        try:
            found = _network_problems(_network_from_clean(clean, "network", folder))
        except ValidationError as exc:
            found = list(exc.problems)
    warn_borrowed(raw, borrowed, _where(paths))
    return found


def load_network(*paths: str | os.PathLike[str], name: str | None = None) -> Network:
    """Return the network in ``paths`` (a dataset folder, or its files), or the bundled one when none is given.

    The dataset's other tables (capacities, volumes, conversions, corridors, claims and their readings, risks,
    context series) are read from the same folder, checked and kept by the network; a folder without one has none
    of them. A folder without stop times or speeds takes the bundled defaults, with a BundledDataWarning naming
    the files (``contract.FROM_BUNDLED``).

    A load of files that have not changed since is read back from a cache on disk (:mod:`corridors.cache`), and
    says again what the first load said.

    Raises
    ------
    ValidationError
        Listing every problem in the dataset, each with its file, row and field.
    """
    return cache.load(paths, name, datasets.data_path(), lambda: _load(paths, name), prepare=_prepared)


def _prepared(network: Network) -> None:
    """Build what a first route needs (the search graph by time under the default conditions), once, before the
    network is kept in the cache: a command read back from it then routes at once."""
    network.expanded_graph()


def _load(paths: tuple[str | os.PathLike[str], ...], name: str | None) -> Network:
    raw, problems, borrowed = _read(paths or [datasets.data_path()])
    clean, more = _validated(raw)
    if problems or more:
        raise ValidationError(problems + more)
    # the files as read (a million legs' text is hundreds of megabytes) are done with once checked: only the
    # tables borrowed from the bundled dataset are kept, for the warning below
    raw = {role: raw[role] for role in borrowed}
    release_unused()
    folder = Path(paths[0]) if paths and Path(paths[0]).is_dir() else (datasets.data_path() if not paths else None)
    network = _network_from_clean(clean, name or (Path(paths[0]).name if paths else "bundled"), folder)
    found = _network_problems(network)
    if found:
        raise ValidationError(found)
    warn_borrowed(raw, borrowed, _where(paths))
    release_unused()
    return network


def _validated(raw: dict[str, RawTable]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Return the clean tables and every problem: the contract first, then names and parameter coverage.

    The dataset's other tables (``contract.DATASET_TABLES``) are checked against their columns and the sources
    here, and kept as text, as read: their readers (corridors.capacity, registry, claims…) take fields from them.
    """
    # validation is imported where it runs: a network read back from the cache (corridors.cache) is not checked again
    from .spreads import spread_problems
    from .validation import SELECTOR_KINDS, _check_names_and_coverage, validate_tables

    network_raw = {role: table for role, table in raw.items() if role in contract.TABLES}
    clean, problems = validate_tables(network_raw, datasets.boundaries())
    sources = clean.get("sources")
    source_ids = set(sources.index) if sources is not None and "id" in raw["sources"].frame else None
    other, more = _check_dataset_tables({r: t for r, t in raw.items() if r in contract.DATASET_TABLES}, source_ids)
    if "months" in other and "nodes" in clean:
        # what only the places and groups can tell, said with the contract's problems of the same file, in its order
        _, found = month_book(other["months"], places=clean["nodes"].index, groups=_group_ids(clean),
                              labels=raw["months"].labels, file=raw["months"].file)
        more = in_file_order(more + found)
    if "dispersion" in other and "nodes" in clean and "legs" in clean:
        # its selectors name places, countries and legs: said with the contract's problems of the file, in its order
        found = spread_problems(other["dispersion"], clean["nodes"].index, clean["nodes"]["country"],
                                clean["legs"].index, kinds=SELECTOR_KINDS, passages=contract.PASSAGES,
                                labels=raw["dispersion"].labels, file=raw["dispersion"].file)
        more = in_file_order(more + found)
    return {**clean, **other}, problems + _check_names_and_coverage(raw, clean) + more


def _group_ids(clean: dict[str, pd.DataFrame]) -> pd.Series | tuple[()]:
    return clean["groups"]["id"] if clean.get("groups") is not None and "id" in clean["groups"] else ()


def _check_dataset_tables(raw: dict[str, RawTable], source_ids: set[str] | None
                          ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Return the dataset's other tables as text, with every column the contract names (blank where a file leaves
    an optional one out), and every problem of type, choice, duplicate id or unknown source."""
    from .validation import _check_refs, _Collector, _duplicates, _parse_columns

    problems: list[Problem] = []
    clean = {}
    for role, table in raw.items():
        out = _Collector()
        columns = contract.DATASET_TABLES[role]
        parsed = _parse_columns(table, columns, out)
        for column in columns:
            if column.kind == "id":
                _duplicates(table, parsed[column.name], column.name, out)
        _check_refs(table, parsed, tuple(c.name for c in columns if c.kind in ("ref", "refs")), source_ids, out)
        key = list(contract.ROW_KEYS.get(role, ()))
        if key and set(key) <= set(table.frame.columns):
            given = table.frame[key].ne("").all(axis=1)
            for i in np.flatnonzero(table.frame[key].duplicated(keep="first").to_numpy() & given.to_numpy()):
                out.add(table, int(i), key[-1], "a second row for " + ", ".join(table.frame.loc[i, key]))
        # row by row, the order a reader of the file meets them in (the checks ran column by column)
        order = {label: n for n, label in enumerate(table.labels)}
        problems.extend(sorted(out.problems, key=lambda p: order.get(p.row, -1)))
        frame = table.frame.copy()
        for column in columns:
            if column.name not in frame:
                frame[column.name] = ""
        clean[role] = frame
    return clean, problems


def read_dataset_table(role: str, file: str | os.PathLike[str], sources: Iterable[str]) -> pd.DataFrame:
    """Return one of the dataset's other tables read from ``file`` and checked against the contract, citing only
    ``sources``; raise ValidationError listing every problem with file, row and field."""
    table, problems = checked_dataset_table(role, file, sources)
    if problems:
        raise ValidationError(problems)
    return table


def checked_dataset_table(role: str, file: str | os.PathLike[str], sources: Iterable[str]
                          ) -> tuple[pd.DataFrame, list[Problem]]:
    """Return one of the dataset's other tables read from ``file`` (as text) and the contract's problems with it,
    so that a reader can add its own checks' problems and report them all at once. A file that cannot be read as a
    table at all raises ValidationError, naming it."""
    clean, problems = _check_dataset_tables({role: read_table(role, Path(file))}, set(sources))
    return clean[role], problems


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """Return problems file by file and line by line, the order a reader of the files meets them in (the contract's
    checks and a reader's own run one after the other); a problem of a whole file comes first."""
    def line(problem: Problem) -> int:
        number = problem.row.removeprefix("line ")
        return int(number) if number.isdigit() else 0

    files = list(dict.fromkeys(p.file for p in problems))
    return sorted(problems, key=lambda p: (files.index(p.file), line(p)))


def _network_problems(network: Network) -> list[Problem]:
    """Return the problems of the dataset's other tables that only the network can find: the places a corridor,
    a claim or a risk names, the elements a capacity is given for, the conversions a capacity needs."""
    from .claims import load_claims
    from .context import load_series
    from .registry import load_corridors
    from .superlatives import load_risks

    found: list[Problem] = []
    if network.has_table("capacities"):
        found.extend(_capacity_problems(network))
    if network.has_table("queues"):
        roles = ("queues", "volumes", "capacities", "conversions")
        found.extend(queue_problems({r: network.table(r) for r in roles if network.has_table(r)},
                                    network.nodes.index, network._legs.index))
    checks: dict[str, Callable[[Network], object]] = {"corridors": load_corridors, "claims": load_claims,
                                                      "risks": load_risks, "series": load_series}
    for role, check in checks.items():
        if network.has_table(role):
            try:
                check(network)
            except ValidationError as exc:
                found.extend(exc.problems)
    return found


def _capacity_problems(network: Network) -> list[Problem]:
    table = network.table("capacities")
    known = {"node": set(network.nodes.index), "leg": set(network._legs.index)}
    found = [Problem("capacities.csv", f"line {i + 2}", "element", f"unknown {kind} {element!r}: not in the "
                     f"{kind}s of the network")
             for i, (element, kind) in enumerate(zip(table["element"], table["kind"], strict=True))
             if kind in known and element not in known[kind]]
    conversions = set(network.table("conversions")["name"]) if network.has_table("conversions") else set()
    for unit in dict.fromkeys(table["unit"]):
        need = {"tonnes_per_year": "tonnes_per_teu", "trains_per_day": "teu_per_train",
                "trains_per_week": "teu_per_train"}.get(unit)
        if need is not None and need not in conversions:
            found.append(Problem("conversions.csv", "", "name", f"a row {need!r} is needed: capacities.csv states "
                                 f"capacities in {unit}"))
    return found


def _share_place_ids(legs: pd.DataFrame, ids: pd.Index) -> None:
    """Make the ``from`` and ``to`` of ``legs`` (text, as validated) hold the place index's own strings.

    The same values: each end is the place id it names (validation refused any other), now one string per place
    rather than one per leg end, which a million legs made twice over (55 MB of copies of half a million ids).
    """
    if ids.dtype != object or not len(legs):
        return
    own = ids.to_numpy(dtype=object)
    for end in ("from", "to"):
        if legs[end].dtype != object:
            continue
        at = ids.get_indexer(legs[end])
        if (at >= 0).all():  # always, once validated: kept as they are otherwise
            legs[end] = pd.Series(own[at], index=legs.index, dtype=object)


def _network_from_clean(clean: dict[str, pd.DataFrame], name: str, folder: Path | None = None) -> Network:
    from .network import Network  # network.py re-exports this module's functions: imported here, not above
    from .validation import _reference_load_problems

    nodes = clean["nodes"].drop(columns=["lat", "lon"]).rename_axis(None)
    legs = clean["legs"].rename_axis(None)
    _share_place_ids(legs, nodes.index)
    hold_straight(legs, nodes)  # a large network's straight lines: made when something reads them (corridors.lines)
    legs["gauge_mm"] = legs["gauge_mm"].astype("Int64")
    for column in ("distance_km", "time_h"):
        legs[column] = legs[column].astype(float)
    nodes = nodes.astype(dict.fromkeys(("id", "name", "country", "kind"), str))
    parameters = TimeParameters(clean["stop_times"], clean["speeds"], clean.get("leg_times"),
                                clean.get("disruptions"))
    costs = CostParameters(clean.get("costs"), clean.get("emissions"))
    # its problems were said by _validated, which every path here has passed
    months, _ = month_book(clean.get("months"), places=clean["nodes"].index, groups=_group_ids(clean))
    book = ConditionBook(clean.get("groups"), clean.get("conditions"), parameters.profiles, months)
    condition_tables: dict[str, pd.DataFrame] = {role: clean[role].reset_index(drop=True)
                                                  for role in ("groups", "conditions") if role in clean}
    # copied as they are by save(), with the dataset's other tables, so that a saved network keeps them
    names = dict.fromkeys((*datasets.QUEUE_FILES, *(f"{r}.csv" for r in contract.DATASET_TABLES)))
    queue_files = [folder / n for n in names if (folder / n).is_file()] if folder else []
    queues = queue_book(clean)
    missing = _reference_load_problems(clean, queues.conversions)
    if missing:
        raise ValidationError(missing)
    return Network(nodes, legs, clean["sources"].rename_axis(None), parameters, costs=costs, name=name,
                   condition_book=book, queues=queues, condition_tables=condition_tables,
                   queue_files=queue_files, tables={r: clean[r] for r in contract.DATASET_TABLES if r in clean},
                   folder=folder)
