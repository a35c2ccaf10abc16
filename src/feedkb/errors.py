"""Errors a curator is meant to read: each names the file, the place and the problem."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a configuration file."""

    path: Path
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else str(self.path)
        where = f" {self.where}:" if self.where else ""
        return f"{place}:{where} {self.message}"


class ConfigError(Exception):
    """A configuration file is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def one(cls, path: Path, line: int | None, message: str, where: str = "") -> "ConfigError":
        return cls([Problem(path, line, where, message)])


class StoreLockedError(Exception):
    """Another feedkb run holds the store lock."""
