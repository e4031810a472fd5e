"""The benchmarks keep running (quick mode); they print ratios and assert nothing about time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.stem for p in BENCHMARKS])
def test_benchmark_runs_and_prints_a_ratio(script: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(script.parents[1])}  # the package under test, not another install
    result = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True, timeout=300,
                            check=False, cwd=script.parent, env=env)
    assert result.returncode == 0, result.stderr
    assert "ratio" in result.stdout
