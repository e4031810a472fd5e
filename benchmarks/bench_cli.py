"""The CLI's cold start (``corridors route "Xi'an" Poti`` in a new process) against ``python -c "import geopandas"``.

Both start a new Python process; the ratio shows what the command adds to the unavoidable import of the
geospatial stack. Run: ``python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import subprocess
import sys

from _common import arguments, compare


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    command = [sys.executable, "-m", "corridors"]  # the same start-up as the installed entry point

    def cli() -> None:
        subprocess.run([*command, "route", "Xi'an", "Poti"], check=True, capture_output=True)

    def import_geopandas() -> None:
        subprocess.run([sys.executable, "-c", "import geopandas"], check=True, capture_output=True)

    number, repeat = (1, 1) if args.quick else (3, 5)
    compare("CLI cold start: corridors route \"Xi'an\" Poti", cli, import_geopandas,
            baseline_name='python -c "import geopandas"', number=number, repeat=repeat)


if __name__ == "__main__":
    main()
