"""The command line's start-up: ``corridors --help`` against ``python -c pass``, and ``corridors route "Xi'an" Poti``
cold against ``python -c "import geopandas"``.

Each case starts a new Python process, as a user's shell does. ``--help`` must not import the geospatial stack at
all (target: at most 5× an empty interpreter); a route must cost little beyond importing geopandas, which it cannot
avoid (target: at most 1.3×). Run: ``python benchmarks/bench_startup.py``; ``python -X importtime -m corridors
route "Xi'an" Poti`` shows where the time goes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _common import arguments, compare

ROOT = Path(__file__).resolve().parents[1]  # run from the checkout, so that its own package is measured


def _runner(*argv: str):
    def run() -> None:
        subprocess.run([sys.executable, *argv], check=True, capture_output=True, cwd=ROOT)

    return run


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    number, repeat = (1, 1) if args.quick else (3, 5)
    help_ratio = compare("corridors --help", _runner("-m", "corridors", "--help"), _runner("-c", "pass"),
                         baseline_name="python -c pass", number=number, repeat=repeat)
    route_ratio = compare("corridors route \"Xi'an\" Poti (cold)", _runner("-m", "corridors", "route", "Xi'an", "Poti"),
                          _runner("-c", "import geopandas"), baseline_name='python -c "import geopandas"',
                          number=number, repeat=repeat)
    print(f"targets: --help ≤ 5× ({'met' if help_ratio <= 5 else 'missed'}), "
          f"route ≤ 1.3× ({'met' if route_ratio <= 1.3 else 'missed'})")


if __name__ == "__main__":
    main()
