"""A built wheel installs and finds its bundled data, from outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(out), str(ROOT)], check=True, timeout=300)
    (found,) = out.glob("corridors-*.whl")
    return found


def test_the_wheel_ships_the_dataset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in ("nodes.csv", "legs.csv", "sources.csv", "stop_times.csv", "speeds.csv", "countries_110m.geojson",
                  "countries_50m.fgb"):
        assert f"corridors/_data/{table}" in names
    assert "corridors/py.typed" in names


def test_an_installed_wheel_routes_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # The venv borrows the dependencies from the interpreter running the tests. That interpreter may itself have
    # corridors installed (CI installs the project with pip before testing), so the wheel must be installed into the
    # venv regardless: without --ignore-installed pip would call it "already satisfied" and install nothing.
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
                    "--quiet", str(wheel)], check=True, timeout=300)
    assert (bindir / "corridors").exists() or (bindir / "corridors.exe").exists(), "the wheel installed no script"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(bindir / "corridors"), "route", "Xi'an", "Poti", "--json"], cwd=elsewhere,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["destination"] == "poti_port"
    where = subprocess.run([str(bindir / "python"), "-c", "import corridors; print(corridors.data_path())"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(env_dir)
