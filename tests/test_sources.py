"""The bundled sources are graded by kind, and tools/grade_sources.py reproduces the grading from its rules."""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources.csv"
RULES = ROOT / "tools" / "source_kinds.csv"
KINDS = {"operator_government", "international_org", "research", "press", "secondary_copy"}


def _tool():
    spec = importlib.util.spec_from_file_location("grade_sources", ROOT / "tools" / "grade_sources.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _run(tool, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = tool.main([str(a) for a in args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_every_bundled_source_has_a_kind() -> None:
    with open(SOURCES, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[header.index("reliability") + 1] == "kind"
    rows = _rows(SOURCES)
    assert rows
    assert {row["kind"] for row in rows} <= KINDS
    assert all(row["kind"] for row in rows)


def test_the_tool_reproduces_the_bundled_column(tmp_path: Path) -> None:
    copy = tmp_path / "sources.csv"
    shutil.copy(SOURCES, copy)
    code, out, err = _run(_tool(), copy, RULES)
    assert code == 0, err
    assert copy.read_bytes() == SOURCES.read_bytes()
    assert f"{len(_rows(SOURCES))} of {len(_rows(SOURCES))} sources graded" in out


def test_the_tool_adds_the_column_and_changes_nothing_else(tmp_path: Path) -> None:
    original = SOURCES.read_text(encoding="utf-8")
    with_kind = list(csv.reader(io.StringIO(original, newline="")))
    at = with_kind[0].index("kind")
    without = io.StringIO(newline="")
    csv.writer(without, lineterminator="\n").writerows([r[:at] + r[at + 1 :] for r in with_kind])
    copy = tmp_path / "sources.csv"
    copy.write_text(without.getvalue(), encoding="utf-8")
    tool = _tool()
    code, _, err = _run(tool, copy, RULES, "--check")
    assert code == 1  # no kind column yet
    assert copy.read_text(encoding="utf-8") == without.getvalue()
    code, _, err = _run(tool, copy, RULES)
    assert code == 0, err
    assert copy.read_text(encoding="utf-8") == original


def test_a_source_no_rule_matches_is_reported_and_fails(tmp_path: Path) -> None:
    copy = tmp_path / "sources.csv"
    shutil.copy(SOURCES, copy)
    line = (
        "nobody_2026_unknown,An unknown page,Nobody Knows Gazetteer Ltd,https://unknown.example/page,"
        "2026,2026-11-30,,secondary,\n"
    )
    before = copy.read_text(encoding="utf-8") + line
    copy.write_text(before, encoding="utf-8")
    code, _, err = _run(_tool(), copy, RULES)
    assert code != 0
    assert "nobody_2026_unknown" in err
    assert "1 source(s) match no rule" in err
    assert copy.read_text(encoding="utf-8") == before  # nothing written


def test_rules_apply_id_then_domain_then_publisher(tmp_path: Path) -> None:
    tool = _tool()
    rules = tmp_path / "rules.csv"
    rules.write_text(
        "match,field,kind,reason\n"
        "example.org,domain,press,a news site\n"
        "mirror.example.org,domain,secondary_copy,a mirror on the news site's host\n"
        "ministry,publisher_contains,operator_government,a ministry\n"
        "ministry of mirrors,publisher_contains,secondary_copy,longer part wins\n"
        "copied_id,id,secondary_copy,a copy on the news site\n",
        encoding="utf-8",
    )
    parsed = tool.read_rules(rules)

    def kind(source_id: str, publisher: str, url: str) -> str | None:
        found = tool.grade({"id": source_id, "publisher": publisher, "url": url}, parsed)
        return found.kind if found else None

    assert kind("a", "Ministry of Transport", "https://www.example.org./x") == "press"
    assert kind("b", "Anything", "https://mirror.example.org/x") == "secondary_copy"
    assert kind("copied_id", "Anything", "https://example.org/x") == "secondary_copy"
    assert kind("c", "Ministry of Transport", "https://elsewhere.test/x") == "operator_government"
    assert kind("d", "The Ministry of Mirrors", "https://elsewhere.test/x") == "secondary_copy"
    assert kind("e", "Someone", "https://notexample.org/x") is None


def test_contradicting_reliability_is_reported_not_changed(tmp_path: Path) -> None:
    copy = tmp_path / "sources.csv"
    copy.write_text(
        "id,title,publisher,url,year,accessed,note,reliability\n"
        "a,Page,Wikipedia,https://en.wikipedia.org/wiki/A,n.d.,2026-11-30,,primary\n"
        "b,Page,Kazakhstan Temir Zholy,https://railways.kz/a,2026,2026-11-30,,primary\n",
        encoding="utf-8",
    )
    code, out, _ = _run(_tool(), copy, RULES)
    assert code == 0
    assert "a: kind secondary_copy but reliability primary" in out
    assert "b: kind" not in out
    rows = _rows(copy)
    assert [r["reliability"] for r in rows] == ["primary", "primary"]
    assert [r["kind"] for r in rows] == ["secondary_copy", "operator_government"]


@pytest.mark.parametrize(
    "rules",
    [
        "match,field,kind,reason\nexample.org,domain,newspaper,not a kind\n",
        "match,field,kind,reason\nexample.org,host,press,not a field\n",
        "match,field,kind,reason\nexample.org,domain,press,a\nwww.example.org,domain,research,the same domain\n",
        "match,field\nexample.org,domain\n",
    ],
)
def test_broken_rules_are_refused(tmp_path: Path, rules: str) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(rules, encoding="utf-8")
    copy = tmp_path / "sources.csv"
    shutil.copy(SOURCES, copy)
    code, _, err = _run(_tool(), copy, path)
    assert code == 2
    assert err
    assert copy.read_bytes() == SOURCES.read_bytes()


def test_rows_appended_without_a_kind_are_graded(tmp_path: Path) -> None:
    """After a merge, rows appended by another branch have no kind field yet; the tool grades them in place."""
    copy = tmp_path / "sources.csv"
    shutil.copy(SOURCES, copy)
    with open(copy, "a", encoding="utf-8", newline="") as handle:
        handle.write(
            'new_2026_trend,A new item,Trend,https://en.trend.az/x,2026,2026-11-30,"a note, with a comma",secondary\n'
        )
    code, _, err = _run(_tool(), copy, RULES)
    assert code == 0, err
    text = copy.read_text(encoding="utf-8")
    assert text.startswith(SOURCES.read_text(encoding="utf-8"))
    assert text.endswith('"a note, with a comma",secondary,press\n')
