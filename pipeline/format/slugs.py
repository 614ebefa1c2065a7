"""Ids are file names: one way to turn a name into a slug, used everywhere."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=8192)  # the cast's names are folded for every paragraph that may name them
def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`, for matching names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=8192)
def slugify(text: str) -> str:
    """'Lin Shuang' -> 'lin-shuang'. Non-Latin names keep their letters."""
    text = fold(text)
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    return re.sub(r"-{2,}", "-", text) or "untitled"
