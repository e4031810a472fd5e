"""Grade every source by the kind of its publisher: add or refresh the ``kind`` column of ``sources.csv``.

Usage::

    python tools/grade_sources.py data/sources.csv tools/source_kinds.csv [--check]

The rules file has the columns ``match,field,kind,reason``. ``field`` is one of

- ``id``: an override for one source (for a publisher that is ambiguous: a press article read on a mirror, a
  government text hosted on a press site);
- ``domain``: the host of the source's URL, or any host under it (``wikipedia.org`` matches ``de.m.wikipedia.org``);
  a leading ``www.`` and a trailing dot are ignored, and the longest matching domain wins;
- ``publisher``: the whole publisher, ignoring case and surrounding spaces;
- ``publisher_contains``: a part of the publisher, ignoring case; the longest matching part wins.

They apply in that order: id overrides first, then URL domains, then publishers. ``kind`` is one of
``KINDS``. The column ``kind`` is written right after ``reliability``; every other byte of the file stays as it
was (the file is read and written with the csv module, which reproduces the project's quoting).

The exit code is 1 if any source could not be graded (each is listed, and the file is left as it was), 2 if the
rules file is broken, and with ``--check`` 1 if the file's ``kind`` column differs from what the rules give (the
file is never written then). The counts by kind are printed, and so is every source whose reliability contradicts
its kind (a mirror graded ``primary``, an official site graded ``weak``): those are reported, not changed.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

KINDS = ("operator_government", "international_org", "research", "press", "secondary_copy")
FIELDS = ("id", "domain", "publisher", "publisher_contains")
RULE_COLUMNS = ("match", "field", "kind", "reason")

# The reliabilities (data/README.md) that agree with each kind; any other pairing is reported.
AGREES = {
    "operator_government": ("primary", "secondary"),
    "international_org": ("primary", "secondary"),
    "research": ("primary", "secondary"),
    "press": ("secondary", "weak"),
    "secondary_copy": ("weak",),
}


@dataclass(frozen=True)
class Rule:
    match: str
    field: str
    kind: str
    reason: str
    line: int


@dataclass(frozen=True)
class Grade:
    kind: str
    rule: Rule


class RulesError(ValueError):
    """The rules file cannot be used: a missing column, an unknown field or kind, a duplicate or a clash."""


def host(url: str) -> str:
    """The host of a URL in lower case, without a trailing dot or a leading ``www.``."""
    try:
        name = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return normal_domain(name)


def normal_domain(name: str) -> str:
    name = name.strip().lower().rstrip(".")
    return name[4:] if name.startswith("www.") else name


def read_rules(path: Path) -> list[Rule]:
    """Read and check the rules: known fields and kinds, no rule given twice with different kinds."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in RULE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RulesError(f"{path}: missing column(s) {', '.join(missing)}")
        rules: list[Rule] = []
        problems: list[str] = []
        seen: dict[tuple[str, str], Rule] = {}
        for line, row in enumerate(reader, start=2):
            match, field, kind = row["match"].strip(), row["field"].strip(), row["kind"].strip()
            if field not in FIELDS:
                problems.append(f"{path}:{line}: unknown field {field!r} (one of {', '.join(FIELDS)})")
                continue
            if kind not in KINDS:
                problems.append(f"{path}:{line}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
                continue
            if not match:
                problems.append(f"{path}:{line}: empty match")
                continue
            if field == "domain":
                match = normal_domain(match)
            elif field in ("publisher", "publisher_contains"):
                match = match.casefold()
            rule = Rule(match, field, kind, row["reason"].strip(), line)
            earlier = seen.get((field, match))
            if earlier is not None:
                problems.append(f"{path}:{line}: {field} {match!r} already given on line {earlier.line}")
                continue
            seen[(field, match)] = rule
            rules.append(rule)
    if problems:
        raise RulesError("\n".join(problems))
    return rules


def grade(row: dict[str, str], rules: list[Rule]) -> Grade | None:
    """The kind of one source: its id override, else its URL's domain, else its publisher (whole, then a part)."""
    source_id = row.get("id", "").strip()
    for rule in rules:
        if rule.field == "id" and rule.match == source_id:
            return Grade(rule.kind, rule)
    name = host(row.get("url", ""))
    domains = [r for r in rules if r.field == "domain" and (name == r.match or name.endswith("." + r.match))]
    if domains:
        best = max(domains, key=lambda r: len(r.match))
        return Grade(best.kind, best)
    publisher = row.get("publisher", "").strip().casefold()
    for rule in rules:
        if rule.field == "publisher" and rule.match == publisher:
            return Grade(rule.kind, rule)
    parts = [r for r in rules if r.field == "publisher_contains" and r.match in publisher]
    if parts:
        best = max(parts, key=lambda r: (len(r.match), -r.line))
        return Grade(best.kind, best)
    return None


def _read_sources(path: Path) -> tuple[str, list[list[str]]]:
    text = path.read_text(encoding="utf-8")
    return text, list(csv.reader(io.StringIO(text, newline="")))


def _write(rows: list[list[str]], newline: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path, help="the sources table (data/sources.csv)")
    parser.add_argument("rules", type=Path, help="the rules (tools/source_kinds.csv)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the kind column differs")
    args = parser.parse_args(argv)

    try:
        rules = read_rules(args.rules)
    except RulesError as problem:
        print(problem, file=err)
        return 2
    text, rows = _read_sources(args.sources)
    if not rows:
        print(f"{args.sources}: empty", file=err)
        return 2
    header = rows[0]
    if "reliability" not in header or "id" not in header:
        print(f"{args.sources}: no id or reliability column", file=err)
        return 2
    newline = "\r\n" if "\r\n" in text else "\n"
    if "kind" in header:
        at = header.index("kind")
        old = [(r[at] if at < len(r) else "") for r in rows]
        rows = [r[:at] + r[at + 1 :] for r in rows]
        header = rows[0]
    else:
        old = None
    place = header.index("reliability") + 1
    names = header

    kinds: list[str] = ["kind"]
    ungraded: list[str] = []
    contradictions: list[str] = []
    used: set[int] = set()
    for number, values in enumerate(rows[1:], start=2):
        row = dict(zip(names, values, strict=False))  # a short row reads as empty fields
        found = grade(row, rules)
        if found is None:
            ungraded.append(
                f"  line {number}: {row.get('id', '')}  publisher={row.get('publisher', '')!r}  "
                f"domain={host(row.get('url', ''))!r}"
            )
            kinds.append("")
            continue
        used.add(found.rule.line)
        kinds.append(found.kind)
        reliability = row.get("reliability", "").strip()
        if reliability and reliability not in AGREES[found.kind]:
            contradictions.append(
                f"  {row.get('id', '')}: kind {found.kind} but reliability {reliability}"
                f"  ({found.rule.field} {found.rule.match!r}: {found.rule.reason})"
            )

    stale = [r for r in rules if r.field == "id" and r.line not in used]
    for rule in stale:
        print(f"note: the id override {rule.match!r} (rules line {rule.line}) names no source", file=err)

    graded = [k for k in kinds[1:] if k]
    counts = Counter(graded)
    print(f"{len(graded)} of {len(rows) - 1} sources graded", file=out)
    for kind in KINDS:
        print(f"  {kind:20} {counts.get(kind, 0)}", file=out)
    if contradictions:
        print(f"{len(contradictions)} source(s) whose reliability contradicts their kind (not changed):", file=out)
        for line in contradictions:
            print(line, file=out)
    if ungraded:
        print(f"{len(ungraded)} source(s) match no rule in {args.rules}; add a rule for each:", file=err)
        for line in ungraded:
            print(line, file=err)
        return 1

    if args.check:
        if old is None or old != kinds:
            print(f"{args.sources}: the kind column is missing or out of date; run without --check", file=err)
            return 1
        return 0
    graded_rows = [[*values[:place], kind, *values[place:]] for values, kind in zip(rows, kinds, strict=True)]
    new_text = _write(graded_rows, newline)
    if new_text != text:
        args.sources.write_text(new_text, encoding="utf-8")
        print(f"{args.sources}: kind column written", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
