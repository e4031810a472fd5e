"""Shared fixtures: the bundled network (loaded once) and small datasets written for the tests.

The suite runs on every core with pytest-xdist (``addopts`` in pyproject.toml; ``-n 0`` runs it in one process).
Each worker is a process of its own, so a session fixture is built once per worker, and a module fixture once per
worker that runs a test of its module. Tests that share an expensive module result are kept on one worker by
:data:`ONE_WORKER` (``--dist loadgroup``). Files a test writes go to its ``tmp_path``; the one
exception, README.md (rewritten by notebooks/make_gallery.py), is read and written by that script's test alone.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import corridors

DATA = Path(__file__).parent / "data"

# Loaded networks are cached on disk (corridors.cache). The suite's entries go to a folder of its own, not the user's,
# shared by the workers (which inherit the environment) and by later runs: an entry is keyed by the content of the
# files it was loaded from, so it is never stale. tests/test_cache.py points its own tests elsewhere.
CACHE = Path(tempfile.gettempdir()) / f"corridors-test-cache-{getpass.getuser()}"
os.environ.setdefault("CORRIDORS_CACHE_DIR", str(CACHE))

#: The tests that must run on one worker, by module and the module fixture they share (its group): a result that
#: takes tens of seconds to build is built once.
ONE_WORKER: dict[str, dict[str, str]] = {
    "test_browser.py": {"report": "report"},
    "test_claims.py": {"seed_check": "seed_claim"},
    "test_backtest.py": {"result": "backtest"},
    "test_sweep.py": {"in_process": "sweep", "scheduler_address": "sweep"},
    "test_install.py": {"wheel": "wheel"},
}

#: Modules whose single tests take a minute or more (a notebook's kernel, a benchmark's process), started first so
#: that no worker is left with one of them while the other has finished (xdist sends the groups above first).
SLOW_FIRST = ("test_notebooks.py", "test_benchmarks.py")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks on a worker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        shared = ONE_WORKER.get(item.path.name, {})
        groups = {shared[name] for name in getattr(item, "fixturenames", ()) if name in shared}
        if len(groups) > 1:
            raise pytest.UsageError(f"{item.nodeid} shares {sorted(groups)}: give them one group in ONE_WORKER")
        for group in groups:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.path.name not in SLOW_FIRST)  # stable: the order within each part is kept


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
