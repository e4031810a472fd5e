"""A built wheel installs and finds its bundled data, from outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
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
    # The venv borrows the dependencies from the interpreter running the tests — which may itself be a virtual
    # environment, whose packages system_site_packages would not see (it reaches the base interpreter's only) — by a
    # .pth file listing that interpreter's site-packages. Those come after the venv's own, so the wheel installed
    # here is the corridors the venv imports even where the test interpreter has corridors installed too (CI
    # installs the project before testing); --ignore-installed keeps pip from calling it "already satisfied".
    # The venv gets no pip of its own (ensurepip takes most of the test's time): the test interpreter's pip installs
    # into it through --python, as the venv's own would.
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    own = subprocess.run([str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    borrowed = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(own) / "borrowed_site_packages.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bindir / "python"), "install", "--no-deps",
                    "--no-index", "--ignore-installed", "--quiet", str(wheel)], check=True, timeout=300)
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
