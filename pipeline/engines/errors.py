"""The error a remote engine reports when it has given up: the service's own words.

One exception type for every engine, so that the art stage (and `generate`) can
report any engine's failure the same way: the service's `{message, statusCode,
error}`, the panel being drawn, and the reply when it helps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class EngineError(Exception):
    """`{message, statusCode, error}` as the seed's services report them, plus the panel."""

    def __init__(self, message: str, status_code: int | None = None, error: str = "",
                 panel: str | None = None, reply: str | None = None,
                 attempts: int | None = None):
        self.message, self.status_code, self.error = message, status_code, error
        self.panel, self.reply, self.attempts = panel, reply, attempts
        super().__init__(self.describe())

    def describe(self) -> str:
        """The service's words, its status and error, and how often it was tried."""
        notes = [f"{self.status_code} {self.error}".strip()] if self.status_code else []
        if self.attempts:
            notes.append(f"gave up after {self.attempts} attempts")
        return self.message + (f" ({'; '.join(notes)})" if notes else "")

    def as_dict(self) -> dict:
        """The seed's error shape, for a webhook or `--json` output."""
        return {"message": self.message, "statusCode": self.status_code, "error": self.error,
                "panel": self.panel}

    def __str__(self) -> str:  # the panel may be set after the error was raised
        return self.describe() + (f" while drawing {self.panel}" if self.panel else "")

    def __reduce__(self):  # survives a process pool with every field
        return (EngineError, (self.message, self.status_code, self.error, self.panel,
                              self.reply, self.attempts))


@contextmanager
def drawing(panel: str) -> Iterator[None]:
    """Name the panel on any engine failure, and turn a reply of an unexpected shape
    (a missing key, a wrong type) into an EngineError rather than a traceback."""
    try:
        yield
    except EngineError as exc:
        exc.panel = exc.panel or panel
        raise
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise EngineError(f"the service's reply has an unexpected shape ({type(exc).__name__}: "
                          f"{exc})", None, "malformed reply", panel=panel) from exc
