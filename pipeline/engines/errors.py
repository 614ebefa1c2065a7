"""The error a remote engine reports when it has given up: the service's own words."""

from __future__ import annotations


class EngineError(Exception):
    """`{message, statusCode, error}` as the seed's services report them, plus the panel."""

    def __init__(self, message: str, status_code: int | None = None, error: str = "",
                 panel: str | None = None, reply: str | None = None,
                 attempts: int | None = None):
        self.message, self.status_code, self.error = message, status_code, error
        self.panel, self.reply, self.attempts = panel, reply, attempts
        super().__init__(self.describe())

    def describe(self) -> str:
        notes = [f"{self.status_code} {self.error}".strip()] if self.status_code else []
        if self.attempts:
            notes.append(f"gave up after {self.attempts} attempts")
        where = f" while drawing {self.panel}" if self.panel else ""
        return self.message + (f" ({'; '.join(notes)})" if notes else "") + where
