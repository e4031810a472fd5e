"""Shared fixtures: the bundled network (loaded once) and small datasets written for the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import corridors

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def net() -> corridors.Network:
    return corridors.load_network()


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A copy of the small test dataset that a test may change."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target


@pytest.fixture(scope="session")
def mini() -> corridors.Network:
    return corridors.load_network(DATA / "mini")
