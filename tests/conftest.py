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
import sys
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

# Python keeps compiled modules on a user's machine (pip compiles them at install, an editable checkout on first
# import). An environment that sets PYTHONDONTWRITEBYTECODE (this machine's does) makes every Python process of the
# suite (the workers, six notebook kernels, the benchmarks and their children, the command-line smoke tests) compile
# the package and rewrite the test modules again: half a second to five seconds of CPU each. The workers and those
# processes inherit the environment, as they do the cache folder above.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

#: The tests that must run on one worker, by module and the module fixture they share (its group): a result that
#: takes seconds to build is built once. A worker runs its tests of several modules interleaved, and pytest tears a
#: module fixture down whenever the next test is another module's: without a group, the browser of test_browser.py
#: was started three times in one run and the displays of test_display.py built twice.
ONE_WORKER: dict[str, dict[str, str]] = {
    "test_browser.py": {"report": "browser", "report_page": "browser", "browser": "browser"},
    "test_hostile.py": {"browser": "hostile", "hostile": "hostile", "comparison": "hostile"},
    "test_display.py": {"objects": "display"},
    "test_claims.py": {"seed_check": "seed_claim"},
    "test_backtest.py": {"result": "backtest"},
    "test_sweep.py": {"in_process": "sweep", "scheduler_address": "sweep"},
    "test_install.py": {"wheel": "wheel"},
    "test_cli.py": {"bundled_copy": "bundled_copy"},
}

#: Modules whose tests share what the module computes once per process (functools.cache rather than a fixture):
#: every test of the module goes to one worker, so that the networks of test_properties.py are built once.
ONE_WORKER_MODULES: dict[str, str] = {"test_properties.py": "properties"}

#: Modules whose single tests take a minute or more (a notebook's kernel, a benchmark's process), started first so
#: that no worker is left with one of them while the other has finished (xdist sends the groups above first).
SLOW_FIRST = ("test_notebooks.py", "test_benchmarks.py")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks on a worker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        shared = ONE_WORKER.get(item.path.name, {})
        groups = {shared[name] for name in getattr(item, "fixturenames", ()) if name in shared}
        if item.path.name in ONE_WORKER_MODULES:
            groups.add(ONE_WORKER_MODULES[item.path.name])
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
