"""A cache of loaded networks on disk, so that the next command on unchanged files starts at once.

Loading the bundled dataset reads some twenty-five files and checks every row against the contract (about two
seconds); reading back the network that load produced takes a tenth of that. An entry is keyed by a stamp of every
file the load may read — the dataset's own files and the bundled ones it can borrow from — and of the package's own
modules, with the version of Python and a stamp of each library whose objects it holds (see :func:`_stamp` and
:func:`_library`). An edited file is therefore read and checked again; a cache never changes an answer. A damaged or
unreadable entry is ignored and written anew, and only a load that succeeded is kept: a dataset with problems is read
and reported every time.

What the load said is kept with the network and said again on every use: the BundledDataWarning of a folder that
borrows bundled rows, and the drawing warnings of ``corridors.validation``.

Where: ``$CORRIDORS_CACHE_DIR``, else ``$XDG_CACHE_HOME/corridors``, else ``~/.cache/corridors``. ``CORRIDORS_CACHE=0``
turns it off; so does a folder that cannot be written (the load then simply runs). At most :data:`MAX_ENTRIES`
networks are kept, the least recently used going first, and none larger than :data:`MAX_ENTRY_BYTES` (one
estimated near it or larger, :data:`ESTIMATE_SHARE`, is not even pickled).

The entries are Python pickles: like any pickle they must come from a trusted place, here the user's own cache
folder, which nothing but this module writes.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import importlib.util
import logging
import os
import pickle
import platform
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .memory import LARGE, release_unused

if TYPE_CHECKING:
    from .network import Network

MAX_ENTRIES = 16
MAX_ENTRY_BYTES = 512 * 2**20  # a network larger than this (a million legs) is loaded, not cached
#: A network whose entry is estimated past this share of MAX_ENTRY_BYTES is not pickled: the estimate runs at 84–95%
#: of the entry (see _estimated_bytes), so such an entry would end at the limit or past it, and a pickle that
#: large costs the load seconds and the pickler's memory (half a gigabyte at a million legs) for a near miss.
ESTIMATE_SHARE = 0.9
#: Bumped when what an entry holds changes shape, so that old entries are not read.
FORMAT = 1
#: Libraries whose objects a pickled network holds: a new version may read an old pickle differently.
LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "networkx", "scipy")
VALIDATION_LOGGER = "corridors.validation"

log = logging.getLogger(__name__)


@dataclass
class Said:
    """What a load said: its warnings (category and message) and its log records (logger, level and message)."""

    warnings: list[tuple[type[Warning], str]] = field(default_factory=list)
    records: list[tuple[str, int, str]] = field(default_factory=list)

    def again(self) -> None:
        """Say it again, as the load said it."""
        for category, message in self.warnings:
            warnings.warn(message, category, stacklevel=4)  # to the caller of corridors.load_network
        for name, level, message in self.records:
            logging.getLogger(name).log(level, message)


def folder() -> Path | None:
    """Return the cache folder, or None when the cache is off."""
    if os.environ.get("CORRIDORS_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    chosen = os.environ.get("CORRIDORS_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "corridors"


def load(paths: tuple[str | os.PathLike[str], ...], name: str | None, bundled: Path,
         run: Callable[[], Network], prepare: Callable[[Network], object] | None = None) -> Network:
    """Return the network ``run()`` loads from ``paths``, from the cache when its files have not changed since.

    ``prepare`` is called on a network before it is kept: what it builds on the network (the search graph most
    commands use first) is kept with it, so that a command read back from the cache does not build it again.
    """
    where = folder()
    key = _key(paths, name, bundled) if where is not None else None
    if where is None or key is None:
        return run()
    entry = where / f"network-{key}.pickle"
    found = _read(entry)
    if found is not None:
        network, said = found
        said.again()
        return network
    with _listening() as said:
        network = run()
    said.again()
    if prepare is not None:
        prepare(network)
    _write(where, entry, network, said)
    release_unused()  # the pickler's working copies (a table's columns as lists, its lines as WKB)
    return network


def _key(paths: tuple[str | os.PathLike[str], ...], name: str | None, bundled: Path) -> str | None:
    """Return the entry's key, or None when a path cannot be looked at (the load will say why)."""
    package = Path(__file__).resolve().parent
    parts: list[str] = [f"format {FORMAT}", f"name {name!r}", f"python {sys.version}", platform.machine()]
    now_ns = time.time_ns()
    try:
        parts += [f"{lib} {_library(lib, now_ns)}" for lib in LIBRARIES]
        given = [Path(p).resolve() for p in paths]
        parts += [f"given {p}" for p in given]
        files = [f for p in given for f in (_files(p) if p.is_dir() else [p])]
        files += _files(bundled.resolve()) + sorted(package.glob("*.py"))
        parts += [f"{f} {_stamp(f, now_ns)}" for f in dict.fromkeys(files)]  # the bundled folder, when given, once
    except OSError:
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file())


#: A file whose status changed less than this before the key is made is stamped by its content (see _stamp): no
#: shorter than the coarsest file-system clock (FAT's two seconds), so that a later change shows in the status.
SETTLED_NS = 2 * 10**9


def _stamp(path: Path, now_ns: int) -> str:
    """Return what tells this version of a file from any other: its status, or its content while that is fresh.

    Any write to a file, and any replacement of it, sets its status-change time (ctime) to the clock's time then, and
    nothing can set it back. A file whose ctime is older than SETTLED_NS is stamped by device, inode, size, mtime and
    ctime: a later change would carry a later ctime. A file changed within SETTLED_NS (or seemingly in the future) is
    stamped by its content instead, since a second write within the clock's resolution (a few ms) could leave its
    status as it was; its entry is then missed once, when the file has settled. Stamping the bundled dataset and the
    package by status takes about a millisecond where hashing them took tens.
    """
    status = path.stat()
    if 0 <= now_ns - status.st_ctime_ns <= SETTLED_NS:
        return "content " + hashlib.blake2b(path.read_bytes()).hexdigest()  # (hashlib.file_digest: Python 3.11+)
    return f"status {status.st_dev} {status.st_ino} {status.st_size} {status.st_mtime_ns} {status.st_ctime_ns}"


def _library(library: str, now_ns: int) -> str:
    """Return a stamp of an installed library: its package file's, which any install, upgrade or removal changes.

    Read from the file's status, not the library's version: the version of a library not imported yet is read from
    its installed metadata, tens of milliseconds on every command, and the stamp is the same whether it is imported.
    """
    spec = importlib.util.find_spec(library)
    if spec is None or spec.origin is None:
        return "absent"
    origin = Path(spec.origin)
    return f"{origin} {_stamp(origin, now_ns)}"


@contextmanager
def _listening() -> Iterator[Said]:
    """Hold what a load says (its warnings and validation log records) so that it can be kept and said again."""
    said = Said()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.records.append((record.name, record.levelno, record.getMessage()))

    logger = logging.getLogger(VALIDATION_LOGGER)
    handlers, propagate = logger.handlers[:], logger.propagate
    # only kept while the load runs: said once, after it, by Said.again, to whatever listens then
    logger.handlers, logger.propagate = [Keep(level=logging.DEBUG)], False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
    finally:
        logger.handlers, logger.propagate = handlers, propagate
    said.warnings.extend((w.category, str(w.message)) for w in caught)


def _read(entry: Path) -> tuple[Network, Said] | None:
    try:
        data = entry.read_bytes()
    except OSError:  # not there, or no folder to look in
        return None
    try:
        with _collector_paused():
            network, said = pickle.loads(data)
    except Exception as exc:  # a damaged or foreign entry is only a miss
        log.debug("cache entry %s not read: %s", entry, exc)
        with suppress(OSError):
            entry.unlink()
        return None
    with suppress(OSError):
        os.utime(entry)  # used now: the last to be evicted
    return network, said


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector off while the block runs.

    Unpickling the bundled network makes some thirty thousand containers, every one of which lives on: each seven
    hundred of them set off a collection that can free nothing and only walks them, about a fifth of the read's time
    (the read of a cached route took 12.6 ms instead of 15.5).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _write(where: Path, entry: Path, network: Network, said: Said) -> None:
    # a network of fewer legs is far from the limit (100k legs of a grid take 58 MB): it is not estimated
    if len(network._legs) >= LARGE and _estimated_bytes(network) > ESTIMATE_SHARE * MAX_ENTRY_BYTES:
        # not pickled at all: pickling a million legs until the limit stopped it took seconds and half a gigabyte
        # (the pickler's copies of the tables' columns), only to be thrown away
        log.debug("cache entry %s not written: the network is estimated larger than %d bytes", entry,
                  int(ESTIMATE_SHARE * MAX_ENTRY_BYTES))
        return
    handle = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        # written beside and renamed: a reader (another process) sees the whole entry or none. Pickled straight
        # into the file, through a writer that stops at MAX_ENTRY_BYTES: made in memory first, the pickle of a
        # network of a million legs (over a gigabyte) would double the process's peak only to be thrown away
        with tempfile.NamedTemporaryFile(dir=where, prefix=".network-", delete=False) as handle:
            pickle.dump((network, said), _Bounded(handle, MAX_ENTRY_BYTES), protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, entry)
        _evict(where.glob("network-*.pickle"))
    except Exception as exc:  # a cache that cannot be written, or an entry too large, is no cache, not an error
        log.debug("cache entry %s not written: %s", entry, exc)
        if handle is not None:
            with suppress(OSError):
                os.unlink(handle.name)


#: The rows of a table whose pickle :func:`_estimated_bytes` scales up to the whole table.
SAMPLE_ROWS = 1_000


def _estimated_bytes(network: Network) -> int:
    """Return about how many bytes the network's entry takes, without pickling it.

    What it holds is walked: an array of numbers is written as it is (the search graphs' columns, most of a large
    network's entry); an array of objects (the records' columns, which refer to the tables' own text) is counted at
    two bytes a cell, what the pickler writes for an object it has met before; a table is counted as the pickle
    of its first :data:`SAMPLE_ROWS` rows, scaled to its length. It stays below the entry's size (95% of it on a
    100k-leg grid, 84% on the bundled network), so that a network it keeps out would not have fitted; a
    million-leg grid's passes the limit.
    """
    import numpy as np
    import pandas as pd

    counted: set[int] = set()

    def size(value: object, depth: int) -> int:
        if id(value) in counted or depth > 4:
            return 0
        counted.add(id(value))
        if isinstance(value, np.ndarray):
            return value.size * 2 if value.dtype == object else value.nbytes
        if isinstance(value, pd.DataFrame):
            sample = value.iloc[:SAMPLE_ROWS]
            return len(pickle.dumps(sample, protocol=pickle.HIGHEST_PROTOCOL)) * len(value) // max(len(sample), 1)
        if isinstance(value, dict):
            return sum(size(v, depth + 1) for v in value.values())
        if isinstance(value, (tuple, list)):
            return sum(size(v, depth + 1) for v in value[:100])  # a long tuple is of text (ids): left out
        if hasattr(value, "__dict__") and not isinstance(value, type):  # a graph, the records: what they hold
            return sum(size(v, depth + 1) for v in vars(value).values())
        return 0

    return size(network, 0)


class _Bounded:
    """A file that refuses to grow past ``limit`` bytes (what pickle.dump writes to)."""

    def __init__(self, file: IO[bytes], limit: int) -> None:
        self._file, self._left, self._limit = file, limit, limit

    def write(self, data: bytes | memoryview) -> int:
        size = memoryview(data).nbytes
        self._left -= size
        if self._left < 0:
            # the file-too-large error of the system: what _write takes as "no cache" like any other write failure
            raise OSError(errno.EFBIG, f"a cache entry is larger than {self._limit} bytes")
        return self._file.write(data)


def _evict(entries: Iterable[Path]) -> None:
    by_use = sorted(entries, key=_used, reverse=True)
    for old in by_use[MAX_ENTRIES:]:
        with suppress(OSError):  # another process may have removed it first
            old.unlink()


def _used(entry: Path) -> int:
    try:
        return entry.stat().st_mtime_ns
    except OSError:
        return 0


def clear() -> int:
    """Remove every cached network and return how many there were."""
    where = folder()
    if where is None or not where.is_dir():
        return 0
    entries = list(where.glob("network-*.pickle"))
    for entry in entries:
        entry.unlink(missing_ok=True)
    return len(entries)


def entries() -> list[Path]:
    """Return the cached networks' files (for ``corridors cache``), the most recently used first."""
    where = folder()
    if where is None or not where.is_dir():
        return []
    return sorted(where.glob("network-*.pickle"), key=_used, reverse=True)
