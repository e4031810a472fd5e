"""The package's layout, as issue 12 set it: the modules that hold the model import no view when they are imported,
the two modules that grew largest stay small, and no submodule is hidden behind a function of the same name."""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

import corridors

PACKAGE = Path(corridors.__file__).resolve().parent
#: Modules that draw or print results, and the libraries they draw with: the rest of the package reads none of them
#: when it is imported (a view is imported inside the function that shows something).
VIEWS = {"views", "charts", "maps", "report", "display"}
VIEW_LIBRARIES = ("rich", "matplotlib", "folium", "branca")
#: The modules that stand between the user and the views: the command line and what it runs.
FRONT = {"cli", "commands", "__main__"} | VIEWS
MAX_LINES = 400


def _module_level_imports(path: Path) -> list[str]:
    """Return what a module imports when it is imported: top-level statements, outside ``if TYPE_CHECKING``."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names += [module] if not node.level else [module or alias.name for alias in node.names]
    return names


def test_no_model_module_imports_a_view_at_module_level() -> None:
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in FRONT:
            continue
        for name in _module_level_imports(path):
            if name.split(".")[0] in VIEWS or name.startswith(VIEW_LIBRARIES):
                found.append(f"{path.name} imports {name}")
    assert found == []


def test_the_check_sees_a_view_import(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("from typing import TYPE_CHECKING\nfrom .views import route_view\nimport rich.table\n"
                       "if TYPE_CHECKING:\n    from .charts import plain\n", encoding="utf-8")
    assert _module_level_imports(planted) == ["typing", "views", "rich.table"]


@pytest.mark.parametrize("module", ["network", "cli"])
def test_the_largest_modules_stay_under_400_lines(module: str) -> None:
    lines = (PACKAGE / f"{module}.py").read_text(encoding="utf-8").count("\n")
    assert lines < MAX_LINES, f"corridors/{module}.py has {lines} lines"


def test_no_submodule_is_shadowed_by_a_name_of_the_package() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        module = importlib.import_module(f"corridors.{path.stem}")
        assert isinstance(module, types.ModuleType)
        assert getattr(corridors, path.stem, module) is module, f"corridors.{path.stem} is not the module"
