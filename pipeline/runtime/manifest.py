"""What the last build made, so the next one can say what changed and why.

Stored as `.panelwright/manifest.json`, written atomically after a successful
build. It is bookkeeping, not a source of truth: deleting it only makes the next
build unable to explain itself (the cache still decides what is redrawn).

`panelwright serve` builds into a folder of its own and keeps its own record
(`kept_as`), so a `build` after serving still knows that `_site` is out of date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from pydantic import BaseModel, Field

from ..specs import PanelArt
from .cache import cache_dir, write_atomic

INPUT_WORDS = {
    "description": "its description", "camera": "its camera", "scene": "its scene card",
    "cast": "its characters (colours or avatar)", "style": "its style or the style's anchors",
    "frame": "its size, seed or reading direction", "engine": "the image engine or its settings",
    "sketch": "its sketch", "art": "its own art",
}


_NAME: ContextVar[str] = ContextVar("manifest_name", default="manifest.json")


@contextmanager
def kept_as(name: str) -> Iterator[None]:
    """Builds in this context (this thread) read and write the record `name` in the
    cache folder instead of `manifest.json`: the record of another output folder."""
    token = _NAME.set(name)
    try:
        yield
    finally:
        _NAME.reset(token)


class PanelRecord(BaseModel):
    art: str
    inputs: dict[str, str] = Field(default_factory=dict)
    letters: str = ""


class Manifest(BaseModel):
    panels: dict[str, PanelRecord] = Field(default_factory=dict)
    pages: dict[str, str] = Field(default_factory=dict)  # site page path -> content digest
    site: str = ""  # digest of the whole site as last written
    render: str = ""  # digest of everything the site was rendered from
    out: str = ""  # the folder the site was written to (resolved)

    @staticmethod
    def path(root: str | Path) -> Path:
        return cache_dir(root) / _NAME.get()

    @classmethod
    def read(cls, root: str | Path) -> Manifest:
        try:
            return cls.model_validate_json(cls.path(root).read_text())
        except (OSError, ValueError):
            return cls()

    def write(self, root: str | Path) -> None:
        write_atomic(self.path(root), self.model_dump_json().encode())

    def explain(self, art: dict[str, PanelArt]) -> dict[str, str]:
        """Panel id -> why it was drawn, for every panel drawn in this build."""
        reasons = {}
        for panel, drawn in art.items():
            if drawn.cached or drawn.kept:  # a pinned or own picture: `kept` says why
                continue
            before = self.panels.get(panel)
            if before is None:
                reasons[panel] = "new panel (or no record of the last build)"
                continue
            if "art" in before.inputs and "art" not in drawn.inputs:
                reasons[panel] = "it is no longer pinned or your own art"
                continue
            # a kind of input one side has and the other not (a sketch added or removed)
            kinds = list(drawn.inputs) + [k for k in before.inputs if k not in drawn.inputs]
            changed = [INPUT_WORDS.get(kind, kind) for kind in kinds
                       if before.inputs.get(kind) != drawn.inputs.get(kind)]
            reasons[panel] = ("changed: " + ", ".join(changed)) if changed else \
                "its art was missing or damaged in the cache"
        return reasons


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True)
