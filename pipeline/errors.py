"""Problems a user can cause, reported all at once with file, line and a fix.

Every stage that looks at user input appends `Problem`s instead of raising on the
first one; `ProjectError` carries the whole list to the CLI, which prints it and
exits 1. Nothing a writer can get wrong should ever surface as a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel


class Problem(BaseModel):
    """One thing wrong with a project, located as precisely as we can."""

    file: str
    line: int | None = None
    field: str | None = None
    message: str
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"

    def location(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}" if self.field else where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems as a writer reads them: by file, then line (a problem of the whole file
    first), then field; problems at the same place keep the order they were found in."""
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.field or ""))


class ProjectError(Exception):
    """Raised once, with every problem found, when a project cannot be built."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = in_order(problems)
        super().__init__(self.report())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def report(self) -> str:
        errors = self.errors
        lines = [str(p) for p in self.problems]
        noun = "error" if len(errors) == 1 else "errors"
        lines.append(f"{len(errors)} {noun} found.")
        return "\n".join(lines)


def one_typo(a: str, b: str) -> bool:
    """Is `b` one typo from `a` (one letter changed, added or dropped, or two neighbours
    swapped), ignoring case? difflib's likeness misses some: 'ABAA' for 'AAAA'."""
    a, b = a.casefold(), b.casefold()
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to a misspelt `word`, phrased as a hint; a choice one
    typo away is always suggested."""
    choices = list(choices)
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6) or [
        c for c in choices if one_typo(word, c)][:1]
    return f"did you mean '{match[0]}'?" if match else None


def existing(kind: str, choices: Iterable[str]) -> str:
    """'the characters that exist are: a, b' — or that there are none."""
    names = sorted(choices)
    if not names:
        return f"there are no {kind} in this project yet"
    return f"the {kind} that exist are: " + ", ".join(names)


def unknown_reference(kind: str, word: str, choices: Iterable[str]) -> str:
    """A hint for a reference to an id that does not exist."""
    choices = list(choices)
    close = did_you_mean(word, choices)
    listed = existing(kind, choices)
    return f"{close} ({listed})" if close else listed
