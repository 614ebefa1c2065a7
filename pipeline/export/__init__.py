"""Exports: a built comic as files readers keep (CBZ with ComicInfo.xml, PDF, EPUB).

`run` runs the build's front half (plan, art, lettering) and bakes full-size pages;
`book` gathers what every format needs as plain data; each format is its own module
(`cbz` with `comicinfo`, `pdf`, `epub`) turning a `Book` into bytes.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("export", "ExportReport", "FORMATS"):
        from . import run
        return getattr(run, name)
    raise AttributeError(name)
