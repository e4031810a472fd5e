"""The errors `corridors` raises: one small hierarchy, each carrying what a user needs to fix the input."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class CorridorError(Exception):
    """Base class of every error raised for bad input or an impossible request."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a dataset: where it is (file, row, field) and what is wrong."""

    file: str
    row: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.row, f"field {self.field!r}" if self.field else "")
                          if part)
        return f"{where}: {self.message}" if where else self.message


class ValidationError(CorridorError, ValueError):
    """A dataset breaks the attribute contract; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the dataset"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))

    def summary(self) -> str:
        """One line: how many problems and the first of them."""
        first = self.problems[0] if self.problems else "no details"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{first}{more}"


class UnknownPlaceError(CorridorError, LookupError):
    """A place name, id or alias that is not in the network; ``matches`` holds the closest known names."""

    def __init__(self, name: str, matches: Sequence[str] = ()):
        self.name = name
        self.matches = tuple(matches)
        hint = f"; did you mean {', '.join(repr(m) for m in self.matches)}?" if self.matches else ""
        super().__init__(f"unknown place {name!r}{hint}")

    def __str__(self) -> str:  # LookupError would quote the whole message
        return str(self.args[0])


#: The reason a NoRouteError gives when every way through the places asked for passes some place twice.
PASSES_TWICE = "every way through the places asked for passes some place twice"


class NoRouteError(CorridorError):
    """No route joins two places under the given constraints; ``reason`` says which constraint cut it off."""

    def __init__(self, origin: str, destination: str, reason: str):
        self.origin = origin
        self.destination = destination
        self.reason = reason
        super().__init__(f"no route from {origin} to {destination}: {reason}")


class MissingTableError(CorridorError, LookupError):
    """The dataset has no table that a question needs (capacities for a bottleneck, corridors for a comparison);
    the message names the file, where it belongs and its columns."""

    def __init__(self, role: str, where: str, columns: Sequence[str]):
        self.role = role
        super().__init__(f"{where} has no {role}.csv; add one (columns {', '.join(columns)}) or use the bundled "
                         "data")

    def __str__(self) -> str:  # LookupError would quote the whole message
        return str(self.args[0])
