"""Run every notebook from a fresh kernel, top to bottom, and store it with its outputs (tables, charts, maps).

Run from the repository root: ``python notebooks/run_notebooks.py [notebooks/02_*.ipynb ...]`` (default: all of
them). The kernel imports the package from this checkout, not another installed copy. A notebook is stored with
its outputs so that a reader sees the charts and tables without running anything (on GitHub, for instance); the
tests check that every chart cell holds an image. A cell that fails stops the run and leaves the file untouched.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path, *, timeout_s: int = 600) -> None:
    """Execute the notebook at ``path`` in a fresh kernel and write it back with its outputs."""
    import nbclient
    import nbformat

    book = nbformat.read(path, as_version=4)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    # no timings in the cells' metadata: a re-run that changes nothing leaves the file as it was
    client = nbclient.NotebookClient(book, timeout=timeout_s, kernel_name="python3", record_timing=False,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(book, path)


def main(paths: list[Path]) -> None:
    for path in paths:
        run(path)
        print(f"ran {path}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb")))
