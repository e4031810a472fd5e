"""The dataset's version and as-of date, as a report or a result names them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

import corridors
from corridors.datasets import dataset_info


def test_the_bundled_dataset_has_a_version_and_an_as_of_date(net: corridors.Network) -> None:
    info = dataset_info()
    assert info.version == (corridors.data_path() / "VERSION").read_text(encoding="utf-8").strip()
    accessed = pd.read_csv(corridors.data_path() / "sources.csv", dtype=str, keep_default_na=False)["accessed"]
    assert info.as_of == max(dt.date.fromisoformat(a) for a in accessed if a)
    assert info.sources == len(accessed)
    assert dataset_info(net) == info  # the loaded bundled network says the same
    assert f"dataset {info.version}, as of {info.as_of.isoformat()}" in info.describe()


def test_a_dataset_of_ones_own(mini_dir: Path) -> None:
    sources = pd.read_csv(mini_dir / "sources.csv", dtype=str, keep_default_na=False)
    sources["accessed"] = ["2025-03-01", "n.d.", *[""] * (len(sources) - 2)]
    sources.to_csv(mini_dir / "sources.csv", index=False)
    unversioned = dataset_info(folder=mini_dir)
    assert unversioned.version is None
    assert unversioned.as_of == dt.date(2025, 3, 1)  # "n.d." and blanks are no dates
    assert unversioned.describe().startswith("unversioned dataset, as of 2025-03-01")
    (mini_dir / "VERSION").write_text("2.1\n", encoding="utf-8")
    assert dataset_info(folder=mini_dir).version == "2.1"
    # a network loaded from the folder does not remember it: its sources give the date, the folder the version
    net = corridors.load_network(mini_dir)
    assert dataset_info(net).version is None
    assert dataset_info(net, folder=mini_dir) == dataset_info(folder=mini_dir)
