"""Finding places by id, name or alias, insensitive to case, accents and punctuation ("Constanta" finds Constanța)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .contract import PASSAGE_ALIASES, PASSAGES

if TYPE_CHECKING:
    import pandas as pd

# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ı": "i", "ə": "e", "Ə": "e", "ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "Ø": "o",
                       "đ": "d", "Đ": "d", "æ": "ae", "œ": "oe"})
# Letters (upper, lower, title case, other) and digits; modifier letters such as ʼ are punctuation for a lookup.
_KEPT = frozenset({"Lu", "Ll", "Lt", "Lo", "Nd", "Nl", "No"})
_NOT_ASCII_KEPT = re.compile(r"[^a-z0-9]")  # what normalise drops from ASCII text, lowered
_WORD_BREAK = re.compile(r"[\s_()\-]+")
_GENERIC_WORDS = {"port", "seaport", "station", "of", "the", "sea", "trade", "international"}


def normalise(text: str) -> str:
    """Return a lookup key: case-folded, no accents, the letters and digits of any script only.

    Every script is kept (Достык, ფოთი and تهران are keys of their own), so an alias is found in the script it is
    written in; accents and other combining marks go, so "Constanta" still finds Constanța.
    """
    if text.isascii():  # the same key, without a Unicode lookup per character (a million places load in seconds)
        return _NOT_ASCII_KEPT.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) in _KEPT)


def passage_named(text: str) -> str | None:
    """Return the sea passage (one of ``contract.PASSAGES``) that ``text`` names by its name or an alias, or None."""
    return _PASSAGE_KEYS.get(normalise(text))


_PASSAGE_KEYS = {**{normalise(p): p for p in PASSAGES}, **PASSAGE_ALIASES}


def _short_key(text: str) -> str:
    words = _WORD_BREAK.split(text.casefold())
    kept = [w for w in words if w and w not in _GENERIC_WORDS]
    return normalise(" ".join(kept)) if kept else ""


class PlaceIndex:
    """Look places up by id, name or alias; every name of a place maps to its id."""

    def __init__(self, names: Mapping[str, Iterable[str]], display: Mapping[str, str]):
        """``names`` maps each place id to its names (name first, then aliases); ``display`` to its display name."""
        self._display = dict(display)
        self._exact: dict[str, set[str]] = {}
        self._loose: dict[str, set[str]] = {}
        for place_id, place_names in names.items():
            for text in (place_id, *place_names):
                key = normalise(text)
                if key:
                    self._exact.setdefault(key, set()).add(place_id)
                short = _short_key(text)
                if short:
                    self._loose.setdefault(short, set()).add(place_id)

    def collisions(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the names that point at more than one place, with those places."""
        return sorted((key, tuple(sorted(ids))) for key, ids in self._exact.items() if len(ids) > 1)

    def find(self, text: str) -> str | None:
        """Return the id of the place called ``text``, or None when no place or several places match."""
        key = normalise(text)
        ids = self._exact.get(key) or self._loose.get(_short_key(text)) or self._loose.get(key)
        if ids and len(ids) == 1:
            return next(iter(ids))
        return None

    def candidates(self, text: str, limit: int = 5) -> list[str]:
        """Return display names of the places whose names are closest to ``text``."""
        key = normalise(text)
        found: list[str] = []
        for ids in (self._exact.get(key, set()), self._loose.get(_short_key(text), set())):
            found.extend(sorted(ids))
        import difflib  # only an unknown place needs suggestions: not imported by every command

        pool = list(self._exact)
        for match in difflib.get_close_matches(key, pool, n=limit * 2, cutoff=0.6):
            found.extend(sorted(self._exact[match]))
        if key:
            found.extend(sorted(i for k, ids in self._exact.items() if key in k and len(key) >= 3 for i in ids))
        unique = list(dict.fromkeys(found))
        return [self._display[i] for i in unique[:limit]]


def place_index(nodes: pd.DataFrame) -> PlaceIndex:
    """Return the index of a nodes table's places, by id, name and aliases."""
    names = dict(zip(nodes.index, nodes["name"], strict=True))
    aliases = dict(zip(nodes.index, nodes["aliases"], strict=True))
    return PlaceIndex({i: (name, *aliases[i]) for i, name in names.items()}, names)


def name_collisions(nodes: pd.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    """Return the lookup keys that point at several places, with those places: what the place index's
    ``collisions()`` says, computed on columns (a load needs only these, not the whole index)."""
    import numpy as np
    import pandas as pd

    aliases = nodes["aliases"].explode().dropna()  # one row per alias; a place without any drops out
    owners = np.concatenate([nodes.index.to_numpy(dtype=object), nodes.index.to_numpy(dtype=object),
                             aliases.index.to_numpy(dtype=object)])
    texts = pd.Series(np.concatenate([nodes.index.to_numpy(dtype=object), nodes["name"].to_numpy(dtype=object),
                                      aliases.to_numpy(dtype=object)]), dtype=object)
    # str.isascii exists on pandas' string methods from pandas 3.0 only; the project supports pandas 2.1 and up
    plain = np.fromiter((t.isascii() for t in texts), dtype=bool, count=len(texts))
    keys = np.empty(len(texts), dtype=object)
    keys[plain] = texts[plain].str.lower().str.replace(r"[^a-z0-9]", "", regex=True).to_numpy(dtype=object)
    keys[~plain] = [normalise(t) for t in texts[~plain]]
    pairs = pd.DataFrame({"key": keys, "id": owners})
    pairs = pairs[pairs["key"] != ""].drop_duplicates()
    shared = pairs[pairs["key"].duplicated(keep=False)]
    return sorted((key, tuple(sorted(ids))) for key, ids in shared.groupby("key", sort=False)["id"])


# Countries by ISO code and by name, read once from the bundled boundaries (datasets.boundaries) ---------------------
@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Return the ISO 3166 alpha-3 codes of the bundled country boundaries."""
    from .datasets import boundaries

    return frozenset(boundaries()["iso_a3"]) - {"-99"}


@lru_cache(maxsize=1)
def country_display_names() -> dict[str, str]:
    """Return each ISO code's country name, for display."""
    from .datasets import boundaries

    table = boundaries()
    return {str(c): str(n) for n, c in zip(table["name"], table["iso_a3"], strict=True)}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Return each country's name, case-folded, with its ISO code (for avoid lists given by name)."""
    from .datasets import boundaries

    table = boundaries()
    return {str(n).casefold(): c for n, c in zip(table["name"], table["iso_a3"], strict=True)}
