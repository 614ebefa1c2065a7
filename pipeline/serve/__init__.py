"""`panelwright serve`: the story repo watched, rebuilt on every save, and served with
live reload (docs/serve.md).

watch.py decides which saves count and batches them; builder.py runs one build at a
time and says what each made; server.py serves the site, injects live.js into its
pages and tells open tabs when to reload or show the problems. The tier sits above
`build` and below `studio` and `cli`; nothing below imports it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LiveServer"]


def __getattr__(name: str) -> Any:
    if name == "LiveServer":
        from .server import LiveServer
        return LiveServer
    raise AttributeError(name)
