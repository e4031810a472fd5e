"""Giving back to the system the memory a large build has freed but the allocators still hold.

A load or a graph build of a million legs makes and frees hundreds of megabytes of working arrays. The C
library's allocator keeps most of what such a build frees: arrays of a few megabytes come from its heap once it
has freed one of that size (glibc raises its threshold for mapping a block of its own), and a freed block inside
the heap stays in the process until the heap is trimmed. Measured on a million-leg grid: 0.1 GB after the load and
0.4 GB after the expanded graph's build, resident but unused, which the next arrays reuse only in part. pyarrow's
pool (pandas' text columns) keeps what it freed the same way.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache

import numpy as np

#: Below this many elements (legs, arcs) a build leaves too little behind to be worth a trim of the heap.
LARGE = 100_000


def index_dtype(largest: int) -> type[np.signedinteger]:
    """Return the integer type for positions (or codes) below ``largest``: 32 bits where they fit, else 64.

    Positions index and are compared, never added up, so 32 bits hold them up to two billion; a million legs' columns
    of them take half the memory. Arithmetic that mixes them (keys, sums) must widen first.
    """
    return np.int32 if largest < np.iinfo(np.int32).max else np.int64


def release_unused() -> None:
    """Return to the system what pyarrow's pool and the C library's heap hold but no longer use.

    It changes no value: only pages no object lives in are handed back (a later allocation maps them again).
    """
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """Return glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process already runs on
    except (OSError, AttributeError):
        return None
