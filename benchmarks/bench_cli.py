"""The command line's own cost: ``corridors route "Xi'an" Poti`` run in process (parse the arguments, route, lay
out the table) against the library call it wraps (``net.route("Xi'an", "Poti")``), the network loaded once for both.

The ratio is what the parser and the terminal view add to a query; the cold start (a new process, imports and
loading) is measured by ``bench_startup.py``. Run: ``python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import contextlib
import io

from _common import arguments, compare

from corridors import cli, network


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    net = network.load_network()
    network.load_network = lambda path=None: net  # both sides start from the loaded network

    def command() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["route", "Xi'an", "Poti"]) == 0

    def library() -> None:
        net.route("Xi'an", "Poti")

    command()  # the first call imports the views and rich: that is start-up, not per-query cost
    number, repeat = (2, 1) if args.quick else (10, 5)
    compare("corridors route in process", command, library, baseline_name="net.route()", number=number,
            repeat=repeat)


if __name__ == "__main__":
    main()
