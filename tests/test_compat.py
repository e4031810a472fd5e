"""The oldest supported stack: Python 3.10 and pandas 2 (pyproject.toml's ``requires-python`` and dependencies).

The suite runs on the newest releases; these tests take away what only newer releases have, where the package
once leaned on it, so that a user of the oldest supported stack is not the first to find the break. The whole
suite was last run on Python 3.10.13 with pandas 2.3.3, numpy 2.2.6, geopandas 1.1.4 and pyproj 3.7.1.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.places import name_collisions

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the backport the package itself depends on there
    import tomli as tomllib

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


def test_the_declared_minimums_are_the_ones_named_here() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.10"
    assert "pandas>=2.1" in project["dependencies"]
    assert sys.version_info >= (3, 10)


def test_the_network_cache_works_without_hashlib_file_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(hashlib, "file_digest", raising=False)  # Python 3.11 and up only
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CORRIDORS_CACHE", raising=False)
    own = tmp_path / "own"
    shutil.copytree(DATA / "mini", own)
    first = corridors.load_network(own)
    assert list((tmp_path / "cache").glob("network-*.pickle"))  # written, keyed without file_digest
    again = corridors.load_network(own)  # and read back
    assert again.legs.equals(first.legs)


def test_place_names_are_keyed_without_pandas_str_isascii(monkeypatch: pytest.MonkeyPatch) -> None:
    from pandas.core.strings.accessor import StringMethods

    monkeypatch.delattr(StringMethods, "isascii", raising=False)  # pandas 3.0 and up only
    nodes = pd.DataFrame({"name": ["Poti", "Poti port", "Ürümqi"], "aliases": [(), ("Poti",), ("Urumqi",)]},
                         index=["poti", "poti_port", "urumqi"])
    assert name_collisions(nodes) == [("poti", ("poti", "poti_port"))]


def test_one_leg_is_measured_like_many() -> None:
    # pyproj before 3.7.2 reads a one-element array as a point, which numpy 1.25 and up warn about (an error here)
    from corridors.validation import _geodesic_m

    lon, lat = np.array([44.79]), np.array([41.72])
    one = _geodesic_m(lon, lat, lon + 1, lat + 1)
    two = _geodesic_m(np.repeat(lon, 2), np.repeat(lat, 2), np.repeat(lon + 1, 2), np.repeat(lat + 1, 2))
    assert one.shape == (1,)
    assert one[0] == pytest.approx(two[0])
    assert 130e3 < one[0] < 145e3
