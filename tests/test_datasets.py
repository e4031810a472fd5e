"""A dataset of one's own all the way: every table read from its folder through the contract, checked at load and
used by every command; what a folder without a table gets; its version and as-of date."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import DATA
from shapely.geometry import Point

import corridors
from corridors import cli, contract
from corridors.datasets import dataset_info
from corridors.loading import BundledDataWarning

OWN = DATA / "own"  # the mini network with capacities, volumes, conversions, corridors and claims of its own


def test_the_bundled_dataset_has_a_version_and_an_as_of_date(net: corridors.Network) -> None:
    info = dataset_info()
    assert info.version == (corridors.data_path() / "VERSION").read_text(encoding="utf-8").strip()
    accessed = pd.read_csv(corridors.data_path() / "sources.csv", dtype=str, keep_default_na=False)["accessed"]
    assert info.as_of == max(dt.date.fromisoformat(a) for a in accessed if a)
    assert info.sources == len(accessed)
    assert dataset_info(net) == info  # the loaded bundled network says the same
    assert f"dataset {info.version}, as of {info.as_of.isoformat()}" in info.describe()


def test_a_dataset_of_ones_own(mini_dir: Path) -> None:
    sources = pd.read_csv(mini_dir / "sources.csv", dtype=str, keep_default_na=False)
    sources["accessed"] = ["2025-03-01", "n.d.", *[""] * (len(sources) - 2)]
    sources.to_csv(mini_dir / "sources.csv", index=False)
    unversioned = dataset_info(folder=mini_dir)
    assert unversioned.version is None
    assert unversioned.as_of == dt.date(2025, 3, 1)  # "n.d." and blanks are no dates
    assert unversioned.describe().startswith("unversioned dataset, as of 2025-03-01")
    (mini_dir / "VERSION").write_text("2.1\n", encoding="utf-8")
    assert dataset_info(folder=mini_dir).version == "2.1"
    # a network loaded from the folder remembers it: its sources give the date, its folder the version
    net = corridors.load_network(mini_dir)
    assert net.folder == mini_dir
    assert dataset_info(net) == dataset_info(folder=mini_dir)


@pytest.fixture
def own_dir(tmp_path: Path) -> Path:
    """A copy of the dataset of one's own that a test may change."""
    return Path(shutil.copytree(OWN, tmp_path / "own"))


@pytest.fixture
def cli_run(capsys: pytest.CaptureFixture[str]):
    """Return a function that runs the command line in process and gives its exit code, stdout and stderr."""
    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_a_network_keeps_the_tables_of_its_own_folder() -> None:
    net = corridors.load_network(OWN)
    assert net.folder == OWN
    for role in ("capacities", "volumes", "conversions", "corridors", "claims", "claim_readings"):
        assert net.has_table(role), role
        assert net.table(role).equals(pd.read_csv(OWN / f"{role}.csv", dtype=str, keep_default_na=False)), role
    # the bundled dataset's risks and series are not the folder's: it has none
    for role in ("risks", "series"):
        assert not net.has_table(role)
        with pytest.raises(corridors.MissingTableError, match=rf"the network in {OWN} has no {role}\.csv; add one "
                                                              r"\(columns .*\) or use the bundled data"):
            net.table(role)
    assert list(corridors.load_corridors(net)) == ["caspian_rail_ferry"]
    assert set(corridors.load_claims(net)) == set(net.table("claims")["id"])
    # a sweep sends networks to its workers pickled: the tables go with them
    assert pickle.loads(pickle.dumps(net)).table("capacities").equals(net.table("capacities"))


def test_a_scenario_keeps_the_tables_of_its_network() -> None:
    net = corridors.load_network(OWN)
    changed = corridors.Scenario.from_toml(corridors.data_path() / "scenarios" / "faster_kazakh_rail.toml").apply(net)
    assert changed.has_table("corridors")
    assert changed.table("capacities").equals(net.table("capacities"))


def test_compare_uses_the_corridors_of_the_folder(cli_run) -> None:
    code, out, err = cli_run("compare", "urumqi", "alat_port", "-n", "200", "--json", "-q", "--network", str(OWN))
    assert code == 0, err
    assert {row["corridor"] for row in json.loads(out)["rows"]} == {"caspian_rail_ferry"}


def test_bottleneck_uses_the_capacities_of_the_folder(own_dir: Path, cli_run) -> None:
    capacities = pd.read_csv(own_dir / "capacities.csv", dtype=str, keep_default_na=False)
    dostyk = (capacities["element"] == "dostyk") & (capacities["unit"] == "teu_per_year")
    capacities.loc[dostyk, "capacity"] = "12345"  # far below the bundled 277,400: only this row can make it bind
    capacities.to_csv(own_dir / "capacities.csv", index=False)
    code, out, err = cli_run("bottleneck", "urumqi", "alat_port", "--json", "-q", "--network", str(own_dir))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["corridor"] == "Across Kazakhstan and the Caspian"  # the folder's corridor
    assert answer["binding"]["element"] == "dostyk"
    assert answer["binding"]["teu_per_year"] == 12345
    assert answer["binding"]["sources"] == ["index1520_dostyk"]


def test_claims_are_the_folders_own(cli_run) -> None:
    code, out, err = cli_run("claims", "-n", "200", "--json", "-q", "--network", str(OWN))
    assert code == 0, err
    checked = json.loads(out)
    assert [c["id"] for c in checked] == pd.read_csv(OWN / "claims.csv")["id"].tolist()
    assert all(c["verdict"] for c in checked)


def test_a_scenario_compares_the_corridors_of_the_folder(cli_run) -> None:
    toml = str(corridors.data_path() / "scenarios" / "faster_kazakh_rail.toml")
    code, out, err = cli_run("scenario", toml, "urumqi", "alat_port", "-n", "200", "--json", "-q", "--network",
                             str(OWN))
    assert code == 0, err
    rows = {row["corridor"]: row for row in json.loads(out)["rows"]}
    assert set(rows) == {"best", "caspian_rail_ferry"}
    assert rows["caspian_rail_ferry"]["after_days"] < rows["caspian_rail_ferry"]["before_days"]  # KAZ rail faster


def test_a_scenario_on_a_network_without_corridors_compares_its_best_route(cli_run) -> None:
    toml = str(corridors.data_path() / "scenarios" / "faster_kazakh_rail.toml")
    code, out, err = cli_run("scenario", toml, "urumqi", "alat_port", "-n", "200", "--json", "-q", "--network",
                             str(DATA / "mini"))
    assert code == 0, err
    assert [row["corridor"] for row in json.loads(out)["rows"]] == ["best"]


def test_the_report_reads_the_folder(tmp_path: Path, cli_run) -> None:
    page = tmp_path / "own.html"
    code, _, err = cli_run("report", "urumqi", "alat_port", "--out", str(page), "-n", "200", "-q", "--network",
                           str(OWN))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "Across Kazakhstan and the Caspian" in html  # the folder's corridor is compared
    assert "the network in" not in html
    assert "Aktau port: 70,000 TEU a year" in html  # its capacities name the bottleneck
    for claim in pd.read_csv(OWN / "claims.csv")["statement"]:
        assert claim.split("’")[0][:40] in html.replace("&#x27;", "'")
    assert "aliyev_2025_black_sea" not in html  # the bundled seed claim is the bundled dataset's
    # the heading names the journey reported and the network, not the bundled dataset's China and Black Sea
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["Ürümqi to Baku port (Alat): what the network “own” says"]
    assert re.findall(r"<title>(.*?)</title>", html)[0] == "corridors report: Ürümqi to Baku port (Alat) (own)"
    assert "the Middle Corridor and the routes it competes with" not in html


def test_the_bundled_reports_heading_names_its_journey(net: corridors.Network) -> None:
    from corridors.report import ReportSettings, report_heading

    assert report_heading(net) == ("Xi'an to Poti port", None)
    assert report_heading(net, ReportSettings(route_origin="Urumqi", route_destination="Constanta")) == (
        "Ürümqi to Constanța port", None)


@pytest.mark.parametrize(("command", "role"), [
    (("bottleneck", "urumqi", "alat_port"), "capacities"),
    (("compare", "urumqi", "alat_port", "-n", "100"), "corridors"),
    (("claims", "-n", "100"), "claims"),
])
def test_a_command_that_needs_a_missing_table_says_which_and_where(own_dir: Path, cli_run, command, role) -> None:
    (own_dir / f"{role}.csv").unlink()
    if role == "corridors":
        (own_dir / "claims.csv").unlink()  # no claim compares with a corridor the folder no longer has
        (own_dir / "claim_readings.csv").unlink()
    code, out, err = cli_run(*command, "--network", str(own_dir))
    assert code == 2
    assert out == ""
    columns = ", ".join(c.name for c in contract.DATASET_TABLES[role])
    assert err == (f"corridors {command[0]}: the network in {own_dir} has no {role}.csv; add one (columns "
                   f"{columns}) or use the bundled data\n")


def test_a_folder_without_stop_times_takes_the_bundled_defaults_and_says_so(mini_dir: Path, cli_run) -> None:
    (mini_dir / "stop_times.csv").unlink()
    with pytest.warns(BundledDataWarning, match=rf"the network in {mini_dir} has no stop_times\.csv: the bundled "
                                                r"dataset's default \(\*\) rows and rows for its countries") as caught:
        net = corridors.load_network(mini_dir)
    assert len(caught) == 1
    used = net.parameters.stop_times
    bundled = pd.read_csv(corridors.data_path() / "stop_times.csv", dtype=str, keep_default_na=False)
    countries = set(net.nodes["country"]) | {"*"}
    # none about places outside the network, nor for a profile its own speeds do not have ('typical' only)
    assert len(used) == int((bundled["place"].isin(countries) & (bundled["profile"] == "typical")).sum())
    assert set(used["place"]) <= countries
    assert "*" in set(used["place"])
    assert not net.has_table("capacities")  # no table of the bundled dataset comes with them
    code, _, err = cli_run("route", "urumqi", "alat_port", "--network", str(mini_dir))
    assert code == 0
    assert err.startswith(f"corridors route: note: the network in {mini_dir} has no stop_times.csv")
    assert err.count("\n") == 1
    code, out, err = cli_run("validate", str(mini_dir))
    assert (code, out) == (0, "valid: no problems found (warnings above)\n")  # the fixture's Dostyk–Aktau drawing
    assert err.startswith(f"corridors validate: note: the network in {mini_dir} has no stop_times.csv")


def test_a_folder_with_its_own_time_parameters_loads_without_a_word() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corridors.load_network(OWN)


def test_a_malformed_capacities_table_lists_every_problem_with_file_row_and_field(own_dir: Path) -> None:
    capacities = pd.read_csv(own_dir / "capacities.csv", dtype=str, keep_default_na=False)
    capacities.loc[0, "capacity"] = "lots"
    capacities.loc[1, "unit"] = "teu_per_fortnight"
    capacities.loc[2, "sources"] = "a_rumour"
    capacities.loc[3, "kind"] = "port"
    capacities.loc[4, "year"] = "20x5"
    capacities.loc[5, "capacity"] = "-5"
    capacities.loc[6, "element"] = "atlantis"
    capacities.to_csv(own_dir / "capacities.csv", index=False)
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [
        ("capacities.csv", "line 2", "capacity"), ("capacities.csv", "line 3", "unit"),
        ("capacities.csv", "line 4", "sources"), ("capacities.csv", "line 5", "kind"),
        ("capacities.csv", "line 6", "year"), ("capacities.csv", "line 7", "capacity")]
    assert "unknown source 'a_rumour'" in str(caught.value)
    # the network-level check (an element the network lacks) comes once the tables themselves are right
    capacities = pd.read_csv(OWN / "capacities.csv", dtype=str, keep_default_na=False)
    capacities.loc[6, "element"] = "atlantis"
    capacities.to_csv(own_dir / "capacities.csv", index=False)
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [("capacities.csv", "line 8", "element")]
    assert corridors.validate(own_dir) == list(caught.value.problems)  # `corridors validate` says the same


def test_a_capacity_in_tonnes_needs_its_conversion(own_dir: Path) -> None:
    conversions = pd.read_csv(own_dir / "conversions.csv", dtype=str, keep_default_na=False)
    conversions[conversions["name"] != "tonnes_per_teu"].to_csv(own_dir / "conversions.csv", index=False)
    with pytest.raises(corridors.ValidationError, match=r"a row 'tonnes_per_teu' is needed: capacities\.csv states "
                                                        r"capacities in tonnes_per_year"):
        corridors.load_network(own_dir)


QUEUE_HEADER = ("place,leg,kind,demand,demand_unit,demand_share,capacity_element,capacity_unit,batch,cv_arrivals,"
                "cv_service,status,sources,note\n")
#: A queue the own folder can hold: Aktau's feeders, read against its own volumes and capacities.
AKTAU_QUEUE = ("aktau_port,aktau_port__alat_port,ferry_wait,middle_corridor,teu,0.75,aktau_port__alat_port,"
               "teu_per_year,100,1.0,1.0,derived,sia_2025_feeders,test")
MONTH_HEADER = "month,kind,place,probability,low_h,typical_h,high_h,status,sources,note\n"


def test_queues_and_months_are_read_from_the_folder_and_off_without_them(own_dir: Path) -> None:
    net = corridors.load_network(OWN)  # a folder without queues.csv or months.csv: neither feature, no bundled rows
    assert not net.queues.elements
    assert net.condition_book.months.empty
    assert not net.has_table("queues")
    assert not net.has_table("months")
    (own_dir / "queues.csv").write_text(QUEUE_HEADER + AKTAU_QUEUE + "\n", encoding="utf-8")
    (own_dir / "months.csv").write_text(
        MONTH_HEADER + "1,weather_closure,aktau_port,0.5,24,48,96,estimate,sia_2025_feeders,test\n",
        encoding="utf-8")
    own = corridors.load_network(own_dir)
    [element] = own.queues.elements
    assert (element.place, element.demand_share, element.batch_teu) == ("aktau_port", 0.75, 100.0)
    wait = own.queues.wait("aktau_port", "aktau_port__alat_port", "ferry_wait", own.conditions("typical"),
                           "congested", forced=True)
    # the folder's own 2025 volume (77,000 TEU) against its own 2025 capacity (89,000 TEU a year), not the bundled
    assert (wait.year, wait.demand_teu, wait.capacity_teu) == (2025, 77_000 * 0.75, 89_000)
    assert own.condition_book.months.closure("aktau_port", 1).probability == 0.5
    assert own.table("queues").loc[0, "sources"] == "sia_2025_feeders"


def test_malformed_queues_and_months_list_every_problem_with_file_row_and_field(own_dir: Path) -> None:
    def leg(n: int) -> str:  # each its own queue: the same place, leg and kind twice is a problem of its own
        return AKTAU_QUEUE.replace(",aktau_port__alat_port,ferry", f",leg_{n},ferry")

    queues = [AKTAU_QUEUE,
              leg(1).replace("ferry_wait", "storm"),  # not a stop kind
              leg(2).replace(",0.75,", ",1.5,"),  # a share above one
              leg(3).replace("sia_2025_feeders", "a_rumour"),  # an unknown source
              leg(4).replace(",100,", ",many,"),  # a batch that is no number
              leg(5).replace(",teu,", ",trains,"),  # a demand unit the queue cannot read
              AKTAU_QUEUE]  # the first row again
    (own_dir / "queues.csv").write_text(QUEUE_HEADER + "\n".join(queues) + "\n", encoding="utf-8")
    closure = "weather_closure,aktau_port,0.5,24,48,96,estimate,sia_2025_feeders,test"
    months = ["1," + closure,
              "Smarch," + closure,  # not a month
              "2," + closure.replace("weather_closure", "fog"),  # not a kind of month row
              "3," + closure.replace("aktau_port", "atlantis"),  # a closure at no node of the network
              "4," + closure.replace("0.5", "half"),  # a probability that is no number
              "5," + closure.replace("24,48", "72,48"),  # low above typical
              "10,peak,caspian,,,,,reported,sia_2025_feeders,",  # the folder has no groups.csv: no such group
              "6," + closure.replace("sia_2025_feeders", ""),  # no source
              "January," + closure,  # January again, for the same port
              "7," + closure.replace("estimate", "guess"),  # not a figure status
              "8," + closure.replace(",96,", ",10000,"),  # a closure longer than a year
              "9," + closure.replace(",48,", ",,")]  # a closure without its typical delay
    (own_dir / "months.csv").write_text(MONTH_HEADER + "\n".join(months) + "\n", encoding="utf-8")
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("months.csv", "line 3", "month"), ("months.csv", "line 4", "kind"), ("months.csv", "line 5", "place"),
        ("months.csv", "line 6", "probability"), ("months.csv", "line 7", "typical_h"),
        ("months.csv", "line 8", "place"), ("months.csv", "line 9", "sources"), ("months.csv", "line 10", "month"),
        ("months.csv", "line 11", "status"), ("months.csv", "line 12", "high_h"),
        ("months.csv", "line 13", "typical_h"),
        ("queues.csv", "line 3", "kind"), ("queues.csv", "line 4", "demand_share"),
        ("queues.csv", "line 5", "sources"), ("queues.csv", "line 6", "batch"), ("queues.csv", "line 7", "demand_unit"),
        ("queues.csv", "line 8", "kind")]
    text = str(caught.value)
    for said in ("unknown source 'a_rumour'", "1.5 is outside 0..1", "'Smarch' is not a month",
                 "unknown group 'caspian'", "a second January row for aktau_port", "10000 is outside 0..8760",
                 "a second row for aktau_port, aktau_port__alat_port, ferry_wait"):
        assert said in text, said
    assert corridors.validate(own_dir) == list(problems)  # `corridors validate` says the same


def test_a_queue_the_network_cannot_read_is_refused_at_load(own_dir: Path) -> None:
    queues = [AKTAU_QUEUE.replace("aktau_port,aktau_port__alat_port,ferry", "atlantis,aktau_port__alat_port,ferry"),
              AKTAU_QUEUE.replace("aktau_port__alat_port,ferry_wait", "aktau_port__poti_port,ferry_wait"),
              AKTAU_QUEUE.replace("middle_corridor", "northern_route"),
              AKTAU_QUEUE.replace("aktau_port__alat_port,teu_per_year", "alat_port,trains_per_day")
              .replace("ferry_wait", "port_handling")]  # another queue at Aktau, limited by a rate Alat lacks
    (own_dir / "queues.csv").write_text(QUEUE_HEADER + "\n".join(queues) + "\n", encoding="utf-8")
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [
        ("queues.csv", "line 2", "place"), ("queues.csv", "line 3", "leg"), ("queues.csv", "line 4", "demand"),
        ("queues.csv", "line 5", "capacity_element")]
    assert "no capacity of 'alat_port' in trains_per_day" in str(caught.value)
    # a queue in tonnes, or of trains, needs the conversion that turns it into TEU
    conversions = pd.read_csv(own_dir / "conversions.csv", dtype=str, keep_default_na=False)
    conversions[conversions["name"] != "teu_per_train"].to_csv(own_dir / "conversions.csv", index=False)
    (own_dir / "queues.csv").write_text(QUEUE_HEADER + AKTAU_QUEUE.replace(",100,", ",,") + "\n", encoding="utf-8")
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    assert ("queues.csv", "line 2", "batch") in [(p.file, p.row, p.field) for p in caught.value.problems]
    assert "a row 'teu_per_train' is needed in conversions.csv" in str(caught.value)


def test_a_corridor_through_a_place_the_folder_lacks_is_refused_at_load(own_dir: Path) -> None:
    table = pd.read_csv(own_dir / "corridors.csv", dtype=str, keep_default_na=False)
    table.loc[0, "via"] = "dostyk;poti_port"
    table.to_csv(own_dir / "corridors.csv", index=False)
    with pytest.raises(corridors.ValidationError) as caught:
        corridors.load_network(own_dir)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [("corridors.csv", "line 2", "via")]


def test_a_saved_network_keeps_its_tables(tmp_path: Path) -> None:
    net = corridors.load_network(OWN)
    net.save(tmp_path / "saved")
    again = corridors.load_network(tmp_path / "saved")
    for role in ("capacities", "corridors", "claims", "claim_readings", "volumes", "conversions"):
        assert again.table(role).equals(net.table(role)), role


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
def test_nodes_drawn_in_a_gis_take_their_coordinates_from_the_points(own_dir: Path, suffix: str) -> None:
    corridors.load_network(own_dir).save(own_dir, format=suffix)
    (own_dir / "nodes.csv").unlink()
    (own_dir / "legs.csv").unlink()
    nodes = gpd.read_file(own_dir / f"nodes.{suffix}")
    assert {"lat", "lon"} <= set(nodes.columns)  # the saved file carries both, as a GIS keeps them
    moved = nodes["id"] == "aktau_port"
    nodes.loc[moved, "geometry"] = Point(51.2, 43.6)  # moved on the map; its lat/lon attributes are now stale
    nodes.to_file(own_dir / f"nodes.{suffix}")
    net = corridors.load_network(own_dir)
    assert (net.nodes.at["aktau_port", "geometry"].x, net.nodes.at["aktau_port", "geometry"].y) == (51.2, 43.6)
    assert net.graph.nodes["aktau_port"]["y"] == 43.6


def test_a_report_of_ones_own_network_without_a_journey_asks_for_one(cli_run, tmp_path: Path) -> None:
    code, out, err = cli_run("report", "--out", str(tmp_path / "r.html"), "-q", "--network", str(OWN))
    assert (code, out) == (2, "")
    assert err == ("corridors report: this network has no Xi'an, a place of the default report's journeys: name the "
                   "journey, as in corridors report ORIGIN DESTINATION --network FOLDER\n")
    assert not (tmp_path / "r.html").exists()


def test_a_queue_book_built_without_its_conversions_names_the_one_to_add(net: corridors.Network) -> None:
    # a load refuses such a queue first; a book built from one's own tables says what is missing, and uses no
    # figure of its own in its place
    from corridors.queues import queue_book, queue_summary

    tables = {role: net.table(role) for role in ("queues", "volumes", "capacities")}
    book = queue_book(tables)  # no conversions table
    with pytest.raises(corridors.CorridorError, match=r"the queue at \w+ needs the conversion '(teu_per_train|"
                                                      r"tonnes_per_teu)': add it to conversions\.csv"):
        queue_summary(book, net.conditions("2024"))
