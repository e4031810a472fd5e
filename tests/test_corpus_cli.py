"""A corpus of bad command lines: each gives its one-line error and exit code 2, or is accepted; none hangs.

Every case runs in process through ``corridors.cli.main`` under a time limit. A case fails on a traceback (any
exception other than the parser's exit), on another exit code, on a message that does not say what it must, and on
more than one line on stderr for a user mistake. Grow the table whenever a new case is found: a line per case.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA

import corridors
from corridors import cli

MINI = str(DATA / "mini")
TIME_LIMIT_S = 30
ACCEPTED = None


@dataclass(frozen=True)
class Case:
    """A command line (``{tmp}`` stands for a fresh folder) and the error it must give, or ACCEPTED."""

    args: tuple[str, ...]
    error: str | None
    exit_code: int = 2


def case(line: str, error: str | None, exit_code: int | None = None) -> Case:
    return Case(tuple(line.split("|")), error, exit_code if exit_code is not None else (0 if error is None else 2))


# Arguments are separated by "|" so that names with spaces and quotes need no shell quoting.
CASES = [
    # places: unknown, in any script, the same twice
    case("route|Atlantis|Poti", "unknown place 'Atlantis'; did you mean"),
    case("route|Xian|Poti|--avoid|Atlantis", "unknown place 'Atlantis'"),
    case("route|Достык|ფოთი", ACCEPTED),
    case("route|Xi'an|Θεσσαλονίκη|--json", ACCEPTED),
    case("route|Baku|Baku", "Baku is both the origin and the destination"),
    case("route|Xian|Poti|--via|Xi'an", "named twice"),
    case("bottleneck|Xian|Atlantis", "unknown place 'Atlantis'; did you mean"),
    case("bottleneck|Atlantis|Xian", "unknown place 'Atlantis'; did you mean"),
    case("bottleneck|Baku|Baku", "Baku is both the origin and the destination"),
    case("bottleneck|Khorgos|Poti|--corridor|hyperloop", "unknown corridor 'hyperloop'"),
    case("compare|Xian|Atlantis", "unknown place 'Atlantis'"),
    case("compare|Xian|Xi'an", "both the origin and the destination"),
    case("compare|Xian|Duisburg|--corridors|hyperloop", "unknown corridor 'hyperloop'"),
    case("compare|Xian|Duisburg|--close|Atlantis", "unknown place 'Atlantis'"),
    case("scenario|suez_closed|Shanghai|Atlantis", "unknown place 'Atlantis'"),
    case("scenario|suez_closed|Baku|Baku", "Baku is both the origin and the destination"),
    case("scenario|/nonexistent.toml|Shanghai|Rotterdam", "does not exist"),
    case("compare|Xian|Duisburg|--scenario|/nonexistent.toml", "does not exist"),
    # output files: suffix, folder, checked before any work
    case("chart|Xian|Poti|--out|{tmp}/td.gif", ".png, .svg or .pdf"),
    case("chart|Xian|Poti|--out|{tmp}/td", "ends in no suffix"),
    case("chart|Xian|Poti|--out|{tmp}/nodir/td.png", "does not exist"),
    case("chart|Urumqi|Alat|--network|" + MINI + "|-n|50|--out|{tmp}/td.pdf", ACCEPTED),
    case("chart|Urumqi|Alat|--network|" + MINI + "|-n|50|--out|{tmp}/td.svg|--cost", "has none"),
    case("map|--offline|--out|{tmp}/x.png", "must end in .html"),
    case("map|--out|{tmp}/nodir/m.html", "does not exist"),
    case("map|--out|{tmp}", "must end in .html"),
    case("map|--out|{tmp}/folder.html", "it is a folder"),
    case("map|--offline|--network|" + MINI + "|--out|{tmp}/m.htm", ACCEPTED),
    case("report|--out|{tmp}/rep.pdf", "must end in .html"),
    case("report|--out|{tmp}/nodir/r.html", "does not exist"),
    case("report|--out|{tmp}/r.html|-n|0", "number of journeys"),
    case("route|Xian|Poti|--map|{tmp}/r.png", "must end in .html"),
    case("route|Xian|Poti|--map|{tmp}/nodir/r.html", "does not exist"),
    case("compare|Xian|Duisburg|--chart|{tmp}/c.txt", ".png, .svg or .pdf"),
    case("compare|Xian|Duisburg|--map|{tmp}/c.pdf", "must end in .html"),
    case("backtest|--chart|{tmp}/b", ".png, .svg or .pdf"),
    case("backtest|--chart|{tmp}/nodir/b.png", "does not exist"),
    case("scenario|suez_closed|Shanghai|Rotterdam|--map|{tmp}/s.svg", "must end in .html"),
    # options that would be silently ignored
    case("route|Xian|Poti|--offline", "give --map FILE too"),
    case("compare|Xian|Duisburg|--offline", "give --map FILE too"),
    case("scenario|suez_closed|Shanghai|Rotterdam|--offline", "give --map FILE too"),
    case("route|Xian|Poti|--alternatives|2|--map|{tmp}/a.html", "--map draws one route"),
    case("claims|--list|--markdown", "choose one"),
    case("claims|--markdown|--json", "cannot be combined"),
    case("claims|--list|--conditions|best", "choose one"),
    case("chart|Urumqi|Alat|--network|" + MINI + "|--out|{tmp}/td.svg|--by|time", "unrecognized arguments"),
    case("route|Urumqi|Alat|--network|" + MINI + "|--map|{tmp}/r.html|--offline", ACCEPTED),
    # numbers
    case("route|Xian|Poti|--alternatives|0", "≥ 1"),
    case("simulate|Xian|Poti|-n|0", "positive whole number"),
    case("simulate|Xian|Poti|-n|-5", "positive whole number"),
    case("simulate|Xian|Poti|-n|many", "invalid int value"),
    case("simulate|Xian|Poti|--within|-3", "must not be negative"),
    case("simulate|Xian|Poti|--window|12|10", "LOW ≤ HIGH"),
    case("compare|Xian|Duisburg|-n|0", "positive whole number"),
    case("compare|Xian|Duisburg|--within|-1|-n|10", "cannot be negative"),
    case("chart|Xian|Poti|-n|-1|--out|{tmp}/c.png", "positive whole number"),
    case("chart|Xian|Poti|-n|0|--cost|--out|{tmp}/c.png", "positive whole number"),
    # conditions, claims, datasets, the parser
    case("simulate|Xian|Poti|--conditions|rosy", "unknown conditions 'rosy'"),
    case("route|Xian|Poti|--profile|typical|--conditions|best", "not both"),
    case("claims|nosuch", "unknown claim 'nosuch'"),
    case("route|Urumqi|Alat|--network|/nonexistent", "no such file or folder"),
    case("network|--network|/nonexistent", "no such file or folder"),
    case("validate|/nonexistent", None, exit_code=2),  # the problems are listed, one a line, on stderr
    case("validate|" + MINI, ACCEPTED),
    case("route|Xian", "the following arguments are required"),
    case("route|Xian|Poti|--by|beauty", "invalid choice"),
    case("frobnicate", "invalid choice"),
    case("route|Xian|Poti|--json|--csv", "not allowed with argument"),
    case("route|Urumqi|Alat|--network|" + MINI + "|--csv", ACCEPTED),
    # every command takes --network and --quiet; parser errors name the command and suggest the closest option
    case("claims|--network|/nonexistent", "no such file or folder"),
    case("compare|Xian|Poti|--network|/nonexistent", "no such file or folder"),
    case("bottleneck|Khorgos|Poti|--network|/nonexistent", "no such file or folder"),
    case("backtest|--network|/nonexistent", "no such file or folder"),
    case("scenario|suez_closed|Shanghai|Rotterdam|--network|/nonexistent", "no such file or folder"),
    case("report|--network|/nonexistent|--out|{tmp}/r.html", "no such file or folder"),
    case("context|--network|/nonexistent", "has no series.csv"),
    case("report|Xian|--out|{tmp}/r.html", "give both ORIGIN and DESTINATION"),
    case("report|Xian|Atlantis|--out|{tmp}/r.html", "unknown place 'Atlantis'"),
    case("route|Urumqi|Alat|--network|" + MINI + "|--quiet", ACCEPTED),
    case("route|Xian|Poti|--netwrk|x", "corridors route: unrecognized arguments: --netwrk x; did you mean --network?"),
    case("simulate|Xian|Poti|--withn|3", "did you mean --within?"),
    case("rout|Xian|Poti", "did you mean route?"),
    case("validate", "name a dataset"),
]


def _alarm(signum, frame):
    raise TimeoutError(f"the case took more than {TIME_LIMIT_S} s")


def run(args: list[str]) -> int:
    """Return the exit code of the command line; any exception but the parser's exit propagates as a traceback."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        return cli.main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("c", CASES, ids=[" ".join(c.args)[:70] for c in CASES])
def test_command_line_corpus(c: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "folder.html").mkdir()
    args = [a.replace("{tmp}", str(tmp_path)) for a in c.args]
    code = run(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == c.exit_code, f"exit code {code}, expected {c.exit_code}; stderr: {err}"
    if c.error is not None:
        lines = err.strip().splitlines()
        assert len(lines) == 1, f"a user mistake gets one line on stderr, got {len(lines)}: {err}"
        assert c.error in lines[0], lines[0]


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    assert len(CASES) >= 40
    assert len({c.args for c in CASES}) == len(CASES)


# The same mistakes through the API: a CorridorError (never a bare ValueError or KeyError), raised before the work.

def test_api_mistakes_raise_corridor_errors(net: corridors.Network, tmp_path: Path) -> None:
    from corridors.charts import Series, save_chart, time_distance_chart
    from corridors.maps import save_map
    from corridors.report import write_report

    with pytest.raises(corridors.UnknownPlaceError, match="did you mean"):
        corridors.bottleneck(net, "Xian", "Atlantis")
    with pytest.raises(corridors.CorridorError, match="both the origin and the destination"):
        corridors.bottleneck(net, "Baku", "Baku")
    with pytest.raises(corridors.CorridorError, match="both the origin and the destination"):
        corridors.compare(net, "Baku", "Baku", n=10)
    with pytest.raises(corridors.CorridorError, match=r"must end in \.html"):
        write_report(net, tmp_path / "report.pdf")  # refused at once, not after the report is built
    mini = corridors.load_network(MINI)
    with pytest.raises(corridors.CorridorError, match=r"must end in \.html"):
        save_map(mini.map(), tmp_path / "map.png")
    with pytest.raises(corridors.CorridorError, match=r"\.png, \.svg or \.pdf"):
        save_chart(time_distance_chart([Series(mini.route("Urumqi", "Alat"))]), tmp_path / "chart.jpg")


def test_every_error_class_is_a_corridor_error_exported_from_the_package() -> None:
    import importlib
    import inspect
    import pkgutil

    found = {}
    for module in pkgutil.iter_modules(corridors.__path__):
        if module.name == "__main__":  # importing it runs the command line
            continue
        loaded = importlib.import_module(f"corridors.{module.name}")
        for name, value in vars(loaded).items():
            if (inspect.isclass(value) and issubclass(value, Exception) and not issubclass(value, Warning)
                    and value.__module__ == loaded.__name__):  # a warning is not an error
                found[name] = value
    assert found, "no error classes found"
    for name, error in found.items():
        assert issubclass(error, corridors.CorridorError), name
        assert getattr(corridors, name, None) is error, f"{name} is not exported from corridors"
        assert name in corridors.__all__, name
