"""Every notebook runs from a fresh kernel, top to bottom, and is stored as such a run left it: charts as images.

A chart that Jupyter cannot show prints ``<Figure size 1100x660 with 1 Axes>`` in place of the picture; the tests
fail on any cell that draws a chart and holds no image, in the stored file and in a fresh run. Refresh the stored
outputs with ``python notebooks/run_notebooks.py``.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
IMAGES = ("image/png", "image/svg+xml")
#: A cell that builds a chart: a Chart or Figure made by hand, or any of the library's ``…chart(…)`` functions.
DRAWS = re.compile(r"\b(?:Chart|Figure)\(|chart\(")
#: The text a matplotlib figure shows when no image of it could be made.
FIGURE_TEXT = re.compile(r"^<(?:Figure|Chart)\b")


def _charts_without_images(book) -> list[str]:
    """Return the cells that draw a chart, or show a figure's text, and hold no image."""
    missing = []
    for number, cell in enumerate(book.cells):
        if cell.cell_type != "code":
            continue
        shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        images = [o for o in shown if any(kind in o.data for kind in IMAGES)]
        as_text = [o for o in shown if FIGURE_TEXT.match(o.data.get("text/plain", "")) and o not in images]
        if as_text or (DRAWS.search(cell.source) and not images):
            missing.append(f"cell {number}: {cell.source.splitlines()[-1]!r}")
        for image in images:  # an image that is one: a PNG's signature, or an SVG document
            data = image.data.get("image/png")
            if data is not None:
                assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n", f"cell {number}: not a PNG"
            else:
                assert "<svg" in image.data["image/svg+xml"], f"cell {number}: not an SVG"
    return missing


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_as_a_clean_run_with_its_charts(path: Path) -> None:
    import nbformat

    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    # run once, top to bottom, from a fresh kernel: no cell skipped or run twice
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert [o for cell in code for o in cell.outputs if o.output_type == "error"] == []
    assert _charts_without_images(book) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_shows_its_charts(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbclient
    import nbformat

    # the kernel imports the package under test, not another installed copy
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(path.parents[1]), os.environ.get("PYTHONPATH", "")]))
    # no backend chosen for the kernel: the charts must show themselves, as in a plain Jupyter
    monkeypatch.delenv("MPLBACKEND", raising=False)
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert _charts_without_images(book) == []
    prose = [c for c in book.cells if c.cell_type == "markdown"]
    assert len(prose) >= 4  # a story, not a script


def test_a_figure_shown_as_text_is_caught() -> None:
    """The check above fails on what a notebook stored before charts showed themselves."""
    import nbformat

    book = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("time_distance_chart([Series(route)])", execution_count=1, outputs=[
            nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 1100x660 with 1 Axes>"},
                                   execution_count=1)]),
        nbformat.v4.new_code_cell("figure", execution_count=2, outputs=[
            nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 880x352 with 1 Axes>"},
                                   execution_count=2)]),
        nbformat.v4.new_code_cell("result.chart()", execution_count=3, outputs=[]),
        nbformat.v4.new_code_cell("route.table()", execution_count=4, outputs=[]),
    ])
    assert [m.split(":")[0] for m in _charts_without_images(book)] == ["cell 0", "cell 1", "cell 2"]


def test_a_chart_shows_once_with_the_inline_backend_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user who has run ``%matplotlib inline`` and imported pyplot sees each chart once, not twice."""
    import nbclient
    import nbformat

    root = NOTEBOOKS[0].parents[1]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%matplotlib inline\n"
        "import matplotlib.pyplot as plt\n"
        "import corridors\n"
        "from corridors.charts import Series, time_distance_chart\n"
        f"net = corridors.load_network({str(root / 'tests' / 'data' / 'mini')!r})\n"
        "time_distance_chart([Series(net.route('urumqi', 'alat_port'))])")])
    nbclient.NotebookClient(book, timeout=300, kernel_name="python3").execute()  # raises if the cell fails
    outputs = book.cells[0].outputs
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1
