"""The command line's start-up: ``corridors --help`` against ``python -c pass``, and ``corridors route "Xi'an" Poti``
cold against ``python -c "import geopandas"``.

Each case starts a new Python process, as a user's shell does. ``--help`` must not import the geospatial stack at
all (target: at most 5× an empty interpreter); a route must cost little beyond importing geopandas, which it cannot
avoid (target: at most 1.3×). A route is timed as a user meets it from the second command on, with the network read
back from the cache of loaded networks (corridors.cache), and, for information, as the very first command meets it,
with an empty cache (the dataset read and checked). Run: ``python benchmarks/bench_startup.py``; ``python -X
importtime -m corridors route "Xi'an" Poti`` shows where the time goes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import arguments, compare

ROOT = Path(__file__).resolve().parents[1]  # run from the checkout, so that its own package is measured


def _runner(*argv: str, env: dict[str, str] | None = None, before: Callable[[], None] | None = None):
    def run() -> None:
        if before is not None:
            before()
        subprocess.run([sys.executable, *argv], check=True, capture_output=True, cwd=ROOT, env=env)

    return run


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    number, repeat = (1, 1) if args.quick else (3, 5)
    help_ratio = compare("corridors --help", _runner("-m", "corridors", "--help"), _runner("-c", "pass"),
                         baseline_name="python -c pass", number=number, repeat=repeat)
    with tempfile.TemporaryDirectory() as folder:
        # as on a user's machine, Python keeps the modules' bytecode (pip compiles it at install; an editable
        # checkout writes it on first import), which PYTHONDONTWRITEBYTECODE, if set here, would forbid: every
        # command would then compile the package's source again, while the libraries' bytecode came with them
        env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "CORRIDORS_CACHE_DIR": folder}
        route = ("-m", "corridors", "route", "Xi'an", "Poti")

        def empty() -> None:
            shutil.rmtree(folder, ignore_errors=True)

        # first with an empty cache each time: the last of these runs leaves the network cached for the next figure
        compare("corridors route \"Xi'an\" Poti (new process, empty cache: read and checked)",
                _runner(*route, env=env, before=empty), _runner("-c", "import geopandas"),
                baseline_name='python -c "import geopandas"', number=1, repeat=1 if args.quick else 3)
        route_ratio = compare("corridors route \"Xi'an\" Poti (new process, network cached)", _runner(*route, env=env),
                              _runner("-c", "import geopandas"), baseline_name='python -c "import geopandas"',
                              number=number, repeat=repeat)
    print(f"targets: --help ≤ 5× ({'met' if help_ratio <= 5 else 'missed'}), "
          f"route ≤ 1.3× ({'met' if route_ratio <= 1.3 else 'missed'})")


if __name__ == "__main__":
    main()
