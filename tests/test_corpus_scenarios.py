"""A corpus of planted scenario files: each gives its one-line error with exit code 2 (and a ScenarioError from the
API), or is accepted and changes what it says. Each case runs under a time limit, so a hang fails, and any
exception other than a CorridorError fails as a traceback would. Grow the corpus whenever a new case is found."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import corridors
import corridors.network
from corridors import cli
from corridors.scenarios import Scenario, ScenarioError

TIME_LIMIT_S = 30
#: The journey every case is asked about: short, across the Caspian, on one corridor. (The issue's hang was on
#: Aktau → Baku by middle_btk, which takes seconds to find that it does not serve the pair; the bad cases fail
#: before any routing.)
QUESTION = ("Aktau", "Baku", "--corridors", "middle_black_sea", "-n", "50")
ADD = '[[add]]\nid = "x"\nfrom = "Aktau"\nto = "Baku"\nmode = "road"\n'  # an [[add]] without its distance
BORDERS = '[[scale]]\nstops = "border_crossing"\n'  # a [[scale]] without its factor


@dataclass(frozen=True)
class Bad:
    """A scenario file and the one-line error it must give (a substring of it; several for several problems)."""

    id: str
    text: str | bytes
    errors: tuple[str, ...]


def bad(id: str, text: str | bytes, *errors: str) -> Bad:
    return Bad(id, text, errors)


BAD = [
    # numbers: NaN, infinity, negative, zero, a boolean, a string, huge and tiny
    bad("factor_nan", BORDERS + "factor = nan\n", "[[scale]] #1: factor must be a finite number > 0, got nan"),
    bad("factor_inf", BORDERS + "factor = inf\n", "factor must be a finite number > 0, got inf"),
    bad("factor_minus_inf", BORDERS + "factor = -inf\n", "factor must be a finite number > 0, got -inf"),
    bad("factor_negative", BORDERS + "factor = -2\n", "factor must be a finite number > 0, got -2"),
    bad("factor_zero", BORDERS + "factor = 0\n", "factor must be a finite number > 0, got 0"),
    bad("factor_bool", BORDERS + "factor = true\n", "factor must be a finite number > 0, got True"),
    bad("factor_string", BORDERS + 'factor = "0.5"\n', "factor must be a finite number > 0, got '0.5'"),
    bad("factor_huge", '[[scale]]\nlegs = "rail"\nfactor = 1e300\n', "factor 1e+300 lies outside 0.001–1000"),
    bad("factor_tiny", '[[scale]]\nlegs = "rail"\nfactor = 1e-320\n', "lies outside 0.001–1000"),
    bad("factor_missing", BORDERS, "[[scale]] #1: missing factor"),
    bad("demand_factor_nan", '[[demand]]\nseries = "middle_corridor"\nfactor = nan\n',
        "[[demand]] #1: factor must be a finite number > 0, got nan"),
    bad("capacity_factor_zero", '[[capacity]]\nelement = "aktau_port__alat_port"\nfactor = 0\n',
        "[[capacity]] #1: factor must be a finite number > 0, got 0"),
    bad("capacity_factor_huge", '[[capacity]]\nelement = "aktau_port__alat_port"\nfactor = 5000\n',
        "factor 5000 lies outside 0.001–1000"),
    bad("add_time_negative", '[[add]]\nid = "x"\nfrom = "Aktau"\nto = "Baku"\nmode = "rail"\ngauge_mm = 1520\n'
        "distance_km = 500\ntime_h = -500\n", "[[add]] #1: time_h must be a finite number of hours > 0, got -500"),
    bad("add_time_huge", ADD + "distance_km = 500\ntime_h = 1e300\n", "time_h 1e+300 is more than a year"),
    bad("add_time_bool", ADD + "distance_km = 500\ntime_h = true\n", "time_h must be a finite number of hours > 0"),
    bad("add_distance_nan", ADD + "distance_km = nan\n", "distance_km must be a finite number > 0, got nan"),
    bad("add_distance_inf", ADD + "distance_km = inf\n", "distance_km must be a finite number > 0, got inf"),
    bad("add_distance_negative", ADD + "distance_km = -5\n", "distance_km must be a finite number > 0, got -5"),
    bad("add_distance_bool", ADD + "distance_km = true\n", "distance_km must be a finite number > 0, got True"),
    bad("add_distance_string", ADD + 'distance_km = "500"\n', "distance_km must be a finite number > 0, got '500'"),
    bad("add_distance_below_great_circle", ADD + "distance_km = 1\n",
        "distance_km 1 is shorter than the 378 km great circle between its places"),
    bad("add_distance_huge", ADD + "distance_km = 1e12\n", "distance_km 1e+12 is"),
    bad("add_gauge_string", '[[add]]\nid = "x"\nfrom = "Aktau"\nto = "Baku"\nmode = "rail"\ngauge_mm = "1520"\n'
        "distance_km = 500\n", "a rail leg needs gauge_mm = 1435 or 1520"),
    bad("add_gauge_fraction", '[[add]]\nid = "x"\nfrom = "Aktau"\nto = "Baku"\nmode = "rail"\ngauge_mm = 1435.9\n'
        "distance_km = 500\n", "a rail leg needs gauge_mm = 1435 or 1520"),
    bad("add_gauge_on_road", ADD + "gauge_mm = 1435\ndistance_km = 500\n", "only a rail leg has a gauge"),
    # unknown ids
    bad("close_unknown_place", '[[close]]\nplace = "Atlantis"\n', "[[close]] #1: unknown place 'Atlantis'"),
    bad("close_unknown_leg", '[[close]]\nleg = "nowhere__else"\n', "unknown leg 'nowhere__else'"),
    bad("close_unknown_country", '[[close]]\ncountry = "ATL"\n', "no place of the network is in 'ATL'"),
    bad("close_unknown_passage", '[[close]]\npassage = "panama_canal"\n', "unknown passage 'panama_canal'; known:"),
    bad("close_passage_no_leg_sails", '[[close]]\npassage = "panama"\n',
        "no leg of the network goes through panama"),
    bad("close_passage_number", "[[close]]\npassage = 5\n", "passage must be a name or a list of names, got 5"),
    bad("close_list_with_number", '[[close]]\nplace = ["Baku", 5]\n', "place must be a name or a list of names"),
    bad("close_empty_list", "[[close]]\nplace = []\n", "place is an empty list: the change closes nothing"),
    bad("close_two_things", '[[close]]\nplace = "Baku"\nleg = "x"\n', "close one of place, leg, country or passage"),
    bad("close_nothing", "[[close]]\n", "close one of place, leg, country or passage per [[close]]"),
    bad("scale_unknown_stop_kind", '[[scale]]\nstops = "siesta"\nfactor = 0.5\n', "unknown stop kind 'siesta'"),
    bad("scale_unknown_mode", '[[scale]]\nlegs = "hyperloop"\nfactor = 0.5\n', "unknown mode 'hyperloop'"),
    bad("scale_unknown_place", BORDERS + 'place = "Atlantis"\nfactor = 0.5\n', "unknown place 'Atlantis'"),
    bad("scale_unknown_leg", '[[scale]]\nlegs = "rail"\nleg = "nope"\nfactor = 0.5\n', "unknown rail leg 'nope'"),
    bad("scale_stops_and_legs", BORDERS + 'legs = "rail"\nfactor = 0.5\n', "scale either stops = KIND or legs = MODE"),
    bad("service_unknown_leg", '[[service]]\nleg = "x"\nservice = "7/week"\n', "[[service]] #1: unknown leg 'x'"),
    bad("service_on_a_rail_leg", '[[service]]\nleg = "alashankou__dostyk"\nservice = "7/week"\n',
        "is a rail leg; only ferry and sea legs have a service"),
    bad("service_zero_per_week", '[[service]]\nleg = "aktau_port__alat_port"\nservice = "0/week"\n',
        "service must be 'unscheduled' or 'N/week' with N > 0, got '0/week'"),
    bad("service_number", '[[service]]\nleg = "aktau_port__alat_port"\nservice = 7\n',
        "service must be text in quotes, got 7"),
    bad("demand_unknown_series", '[[demand]]\nseries = "nope"\nfactor = 1.5\n',
        "unknown demand series 'nope'; series that drive queues: middle_corridor"),
    bad("demand_series_number", "[[demand]]\nseries = 5\nfactor = 1.5\n", "series must be text in quotes, got 5"),
    bad("demand_without_series", "[[demand]]\nfactor = 1.5\n", "[[demand]] #1: missing series"),
    bad("capacity_unknown_element", '[[capacity]]\nelement = "nope"\nfactor = 1.5\n',
        "unknown element 'nope'; capacities that limit queues:"),
    bad("capacity_element_list", '[[capacity]]\nelement = ["aktau_port__alat_port"]\nfactor = 2\n',
        "element must be text in quotes"),
    bad("add_unknown_place", ADD.replace('"Baku"', '"Atlantis"') + "distance_km = 50\n",
        "[[add]] #1: to: unknown place 'Atlantis'"),
    bad("add_unknown_source", ADD + 'distance_km = 500\nsource = "nowhere"\n', "unknown source 'nowhere'"),
    bad("add_existing_id", ADD.replace('"x"', '"aktau_port__alat_port"') + "distance_km = 500\n",
        "a leg 'aktau_port__alat_port' exists already"),
    bad("add_self_loop", ADD.replace('"Baku"', '"Aktau"') + "distance_km = 50\n", "a leg needs two different places"),
    bad("add_id_number", ADD.replace('"x"', "5") + "distance_km = 500\n", "id must be text in quotes, got 5"),
    bad("add_waypoints_words", ADD + 'distance_km = 500\nwaypoints = "north east"\n',
        "waypoints are 'lat lon' pairs separated by ';', got 'north east'"),
    bad("add_missing_keys", '[[add]]\nid = "x"\nfrom = "Aktau"\n', "[[add]] #1: missing distance_km",
        "[[add]] #1: missing mode", "[[add]] #1: missing to"),
    # unknown keys and sections, duplicates, structure
    bad("unknown_section", "[[teleport]]\nfrom = 1\n", "unknown key 'teleport'; expected name, description or one of"),
    bad("unknown_top_level_key", 'nmae = "x"\n' + BORDERS + "factor = 0.5\n", "unknown key 'nmae'"),
    bad("unknown_key_in_a_change", BORDERS + "fctor = 0.5\n", "[[scale]] #1: unknown key 'fctor'; expected"),
    bad("duplicate_key", BORDERS + "factor = 0.5\nfactor = 0.6\n", "not valid TOML: Cannot overwrite a value",
        "line 4"),
    bad("duplicate_added_id", f"{ADD}distance_km = 500\n{ADD}distance_km = 500\n",
        "[[add]] #2: a leg 'x' exists already"),
    bad("name_a_table", "[name]\nx = 1\n" + BORDERS + "factor = 0.5\n", "name must be text in quotes"),
    bad("description_a_list", "description = [1]\n" + BORDERS + "factor = 0.5\n",
        "description must be text in quotes, got [1]"),
    bad("changes_not_a_table", "scale = 5\n", "scale must be a table [[scale]] of settings, got 5"),
    bad("changes_a_list_of_numbers", "scale = [1, 2]\n", "[[scale]] #1 must be a table of settings",
        "[[scale]] #2 must be a table of settings"),
    # empty, and several problems at once: every one reported
    bad("empty_file", "", "the scenario changes nothing"),
    bad("only_a_name", 'name = "nothing"\ndescription = "no changes"\n', "the scenario changes nothing"),
    bad("only_comments", "# a scenario to be written\n\n", "the scenario changes nothing"),
    bad("two_unknown_ids", '[[close]]\nplace = "Atlantis"\n[[close]]\nleg = "nowhere"\n', "2 problems",
        "[[close]] #1: unknown place 'Atlantis'", "[[close]] #2: unknown leg 'nowhere'"),
    bad("two_unknown_keys", BORDERS + 'fctor = 0.5\n[[close]]\nplaec = "Baku"\n',
        "[[close]] #1: unknown key 'plaec'", "[[scale]] #1: unknown key 'fctor'"),
    bad("two_bad_numbers_in_one_add", ADD + "distance_km = -1\ntime_h = nan\n",
        "distance_km must be a finite number > 0, got -1", "time_h must be a finite number of hours > 0, got nan"),
    bad("bad_factor_and_unknown_series", BORDERS + 'factor = inf\n[[demand]]\nseries = "nope"\nfactor = 2\n',
        "[[scale]] #1: factor must be a finite number > 0, got inf", "[[demand]] #1: unknown demand series 'nope'"),
    # files that are no scenario
    bad("syntax_error", "[[scale]\n", "not valid TOML", "line 1"),
    bad("not_utf8", 'name = "Kor\xfcp"\n'.encode("latin-1"), "not UTF-8 text (byte 11); save the scenario as UTF-8"),
]


@dataclass(frozen=True)
class Accepted:
    """A scenario file that must be accepted, and what it must change on the bundled network."""

    id: str
    text: str | bytes
    check: Callable[[corridors.Network, corridors.Network], None]


def _border_typical_h(net: corridors.Network) -> float:
    table = net.parameters.tables()["stop_times"]
    rows = table[(table["kind"] == "border_crossing") & (table["profile"] == "typical")]
    return float(rows["typical_h"].astype(float).sum())


def _doubles_borders(base: corridors.Network, changed: corridors.Network) -> None:
    assert _border_typical_h(changed) == pytest.approx(2 * _border_typical_h(base))


def _adds_a_broad_gauge_leg(base: corridors.Network, changed: corridors.Network) -> None:
    leg = changed.legs.loc["x"]
    assert leg["gauge_mm"] == 1520
    assert "x" not in base.legs.index


def _closes_the_caspian_ports(base: corridors.Network, changed: corridors.Network) -> None:
    for port in ("aktau_port", "kuryk_port"):
        assert port in set(base.legs["from"]) | set(base.legs["to"])
        assert port not in set(changed.legs["from"]) | set(changed.legs["to"])


ACCEPTED = [
    Accepted("byte_order_mark", '\ufeffname = "Notepad"\n' + BORDERS + "factor = 2\n", _doubles_borders),
    Accepted("whole_number_factor", BORDERS + "factor = 2\n", _doubles_borders),
    Accepted("single_table_not_array", "[scale]\nstops = \"border_crossing\"\nfactor = 2\n", _doubles_borders),
    Accepted("gauge_written_as_float", '[[add]]\nid = "x"\nfrom = "Aktau"\nto = "Baku"\nmode = "rail"\n'
             "gauge_mm = 1520.0\ndistance_km = 500\n", _adds_a_broad_gauge_leg),
    Accepted("close_a_list_of_places", '[[close]]\nplace = ["Aktau", "Kuryk"]\n', _closes_the_caspian_ports),
]


@contextmanager
def time_limit(seconds: int = TIME_LIMIT_S) -> Iterator[None]:
    """Fail (rather than hang) if the block takes longer than ``seconds``."""
    def expire(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def bundled_cli(net: corridors.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the command line use the session's bundled network instead of loading it again for each case."""
    monkeypatch.setattr(corridors.network, "load_network", lambda *paths, **kw: net)


def _write(folder: Path, id: str, text: str | bytes) -> Path:
    file = folder / f"{id}.toml"
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


def test_the_corpus_is_large_and_its_cases_named_once() -> None:
    ids = [case.id for case in (*BAD, *ACCEPTED)]
    assert len(BAD) >= 25
    assert len(ids) == len(set(ids))


@pytest.mark.usefixtures("bundled_cli")
@pytest.mark.parametrize("case", BAD, ids=[case.id for case in BAD])
def test_a_bad_scenario_gives_its_one_line_error(case: Bad, net: corridors.Network, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    file = _write(tmp_path, case.id, case.text)
    with time_limit():
        code = cli.main(["scenario", str(file), *QUESTION])
    out, err = capsys.readouterr()
    assert code == 2, out
    assert err.startswith(f"corridors scenario: {file.name}: ")
    assert err.endswith("\n")
    assert "\n" not in err.rstrip("\n"), "one line"
    for error in case.errors:
        assert error in err
    with time_limit(), pytest.raises(ScenarioError) as raised:
        Scenario.from_toml(file).apply(net)
    assert isinstance(raised.value, corridors.CorridorError)
    for error in case.errors:
        assert error in str(raised.value)
    if len(case.errors) > 1 and "problems" in err:
        assert len(raised.value.problems) >= 2


@pytest.mark.usefixtures("bundled_cli")
@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_an_accepted_scenario_changes_what_it_says(case: Accepted, net: corridors.Network, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    file = _write(tmp_path, case.id, case.text)
    with time_limit():
        code = cli.main(["scenario", str(file), *QUESTION, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"scenario"' in out
    with time_limit():
        changed = Scenario.from_toml(file).apply(net)
    case.check(net, changed)


@pytest.mark.usefixtures("bundled_cli")
def test_files_that_are_no_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for target, message in ((tmp_path, "is a folder, not a scenario file"),
                            (tmp_path / "missing.toml", "does not exist (bundled scenarios: ")):
        with time_limit():
            assert cli.main(["scenario", str(target), *QUESTION]) == 2
        err = capsys.readouterr().err
        assert message in err
        assert err.count("\n") == 1
        with pytest.raises(ScenarioError, match=re.escape(message)):
            Scenario.from_toml(target)


def test_a_change_built_in_python_is_checked_like_one_read_from_a_file(net: corridors.Network) -> None:
    from corridors.scenarios import Change

    scenario = Scenario("python", (Change("add", {"id": 5, "from": "Aktau", "to": "Baku", "mode": "road",
                                                  "distance_km": 500}), Change("teleport", {})))
    with pytest.raises(ScenarioError, match="id must be text in quotes, got 5") as raised:
        scenario.apply(net)
    assert "unknown action 'teleport'" in str(raised.value)
