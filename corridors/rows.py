"""A table's rows by id, read from its columns when asked for: what a dict of per-row records gave, without a
dict per row held (a million legs' records took gigabytes). :class:`~corridors.network.Network` reads its places
and legs through these.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def place_rows(nodes: pd.DataFrame) -> Rows:
    """Return a places table's rows: ``country``, ``kind`` and ``facilities`` (a frozenset) by place id."""
    return Rows(nodes.index, {"country": shared_values(nodes["country"]), "kind": shared_values(nodes["kind"]),
                              "facilities": nodes["facilities"].to_numpy(dtype=object)},
                convert={"facilities": frozenset})


def shared_values(column: pd.Series) -> np.ndarray:
    """Return a column as an array of Python objects, each distinct value one object shared by its rows.

    A text column read as pandas' own strings gives a new Python string per row when turned into objects: half a
    million places' countries and kinds took 26 MB each, for a few distinct values.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(uniques.to_numpy(dtype=object), dtype=object)[codes]


def leg_rows(legs: pd.DataFrame) -> Rows:
    """Return a legs table's rows by leg id, with the leg's fields as routing and pricing read them (a missing
    gauge or time is None, passages a tuple)."""
    # a gauge is one of a few numbers: each held once (a Python int per leg took 28 MB at a million legs)
    codes, gauges = pd.factorize(legs["gauge_mm"])
    known = np.asarray(gauges.astype(object), dtype=object)
    gauge = np.append(known, np.array([None], dtype=object))[codes]  # code -1 (none): None
    return Rows(legs.index, {
        "id": legs.index.to_numpy(dtype=object), "from": legs["from"].to_numpy(dtype=object),
        "to": legs["to"].to_numpy(dtype=object), "mode": legs["mode"].to_numpy(dtype=object),
        "gauge_mm": gauge,
        "distance_km": legs["distance_km"].to_numpy(dtype=float),
        "service": legs["service"].to_numpy(dtype=object), "distance_source": legs["distance_source"].to_numpy(
            dtype=object), "service_source": legs["service_source"].to_numpy(dtype=object),
        "time_h": legs["time_h"].to_numpy(dtype=float), "time_source": legs["time_source"].to_numpy(dtype=object),
        "passages": legs["passages"].to_numpy(dtype=object)},
        convert={"gauge_mm": _whole, "distance_km": float, "service": _text_or_none, "time_h": _number_or_none,
                 "passages": tuple})


#: Up to this many ids, :meth:`Rows.fields` looks each up on its own; beyond, all at once through an Index.
FEW_KEYS = 64


class Rows(Mapping[str, Any]):
    """A table's rows by id, each read as a dict of its columns (converted) when asked for: what a dict of
    per-row records gave, holding only the columns. With ``field``, a row is that one column's value."""

    def __init__(self, ids: pd.Index, columns: dict[str, np.ndarray], *, convert: Mapping[str, Any] | None = None,
                 field: str | None = None) -> None:
        self._ids, self._columns, self._convert, self._field = ids, columns, dict(convert or {}), field

    @property
    def ids(self) -> pd.Index:
        """Return the ids of the rows, in the table's order."""
        return self._ids

    def column(self, name: str) -> np.ndarray:
        """Return a column as held (not converted), in the table's order; raise KeyError for a column the rows
        lack."""
        return self._columns[name]

    def _at(self, key: str) -> int:
        try:
            at = self._ids.get_loc(key)
        except (KeyError, TypeError):
            raise KeyError(key) from None
        if not isinstance(at, (int, np.integer)):  # ids are unique once validated; a mask or slice is not a row
            raise KeyError(key)
        return int(at)

    def __getitem__(self, key: str) -> Any:
        if self._field is not None:
            return self._columns[self._field][self._at(key)]
        at, convert = self._at(key), self._convert
        return {name: (convert[name](column[at]) if name in convert else column[at])
                for name, column in self._columns.items()}

    def fields(self, keys: Sequence[str] | np.ndarray, name: str) -> np.ndarray:
        """Return one field of many rows (converted), looked up at once; raise KeyError for an unknown id."""
        if len(keys) <= FEW_KEYS:
            # a route's few legs or places: one hash lookup each costs about a microsecond, where making an Index
            # of the keys to look them up at once costs a tenth of a millisecond, most of a route's lookups
            at = np.fromiter((self._at(k) for k in keys), dtype=np.intp, count=len(keys))
        else:
            at = self._ids.get_indexer(pd.Index(keys, dtype=object))
        if (at < 0).any():
            raise KeyError(keys[int(np.flatnonzero(at < 0)[0])])
        values = self._columns[name][at]
        if name in self._convert:
            converted = np.empty(len(values), dtype=object)
            converted[:] = [self._convert[name](v) for v in values]
            return converted
        return values

    def field(self, key: str, name: str) -> Any:
        """Return one field of a row (what ``self[key][name]`` gives, without making the whole row)."""
        value = self._columns[name][self._at(key)]
        return self._convert[name](value) if name in self._convert else value

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._ids
        except TypeError:
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def end_countries(start: str | None, first: str, first_country: str, last_country: str) -> tuple[str, ...]:
    """Return the countries of a leg's ends (one if both lie in the same), from ``start``'s end first (the leg's
    first end for None)."""
    pair = (first_country, last_country) if start in (None, first) else (last_country, first_country)
    return pair if pair[0] != pair[1] else pair[:1]


def _whole(value: object) -> int | None:
    return None if value is None or value is pd.NA else int(value)  # type: ignore[call-overload]


def _number_or_none(value: float) -> float | None:
    return None if value != value else float(value)


def _text_or_none(value: object) -> object:
    return value or None
