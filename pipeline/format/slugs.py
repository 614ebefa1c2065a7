"""Ids are file names: one way to turn a name into a slug, used everywhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
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


# Names in panel text: one rule for the cast resolve finds, the Studio's previews and
# what an engine draws from. A name matches whole words only ("Al" is not in "alley")
# and ignores case and accents ("Zoe" and "ZOË" are "Zoë"), like every other name here.


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` it came from.

    Folding is character by character (decompose, drop marks, casefold), so the folded
    text can be mapped back to the writer's own words.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        part = fold(char)
        folded.append(part)
        origin += [index] * len(part)
    return "".join(folded), origin


# Arabic and Hebrew write "and", "with", "for"... as a letter joined to the next word:
# "ليلى وكريم" is Layla and Karim. Before a name in those scripts, up to two of them are
# not part of the word (a name that itself starts with such a letter still matches whole).
PREFIXES = {"arabic": "وفبلك", "hebrew": "ובלמשכה"}


def _prefixes(name: str) -> str:
    first = ord(name[0]) if name else 0
    return PREFIXES["arabic"] if 0x0600 <= first <= 0x06FF else \
        PREFIXES["hebrew"] if 0x0590 <= first <= 0x05FF else ""


def _name_spans(folded: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Where any of `names` occurs in `folded` as whole words: (start, end), longest first."""
    spans: list[tuple[int, int]] = []
    for name in sorted({fold(n.strip()) for n in names if n.strip()}, key=len, reverse=True):
        joined = _prefixes(name)
        before = f"[{joined}]{{0,2}}" if joined else ""
        spans += [m.span("name") for m in re.finditer(
            rf"(?<!\w){before}(?P<name>{re.escape(name)})(?!\w)", folded)]
    return spans


def mentioned(text: str, names: Mapping[str, Iterable[str]]) -> list[str]:
    """Keys of `names` (id -> a character's name and aliases) whose names occur in
    `text` as whole words, ignoring case and accents, in order of first occurrence."""
    folded = fold(text)
    found = [(min(spans)[0], key) for key, own in names.items()
             if (spans := _name_spans(folded, own))]
    return [key for _, key in sorted(found)]


def without_names(text: str, names: Iterable[str]) -> str:
    """`text` with every whole-word occurrence of `names` replaced by a space (matched
    as `mentioned` matches them); the rest keeps the writer's spelling."""
    folded, origin = _folded_with_positions(text)
    origin.append(len(text))  # a name that ends the text is cut to its end
    cut = [False] * len(text)
    for start, end in _name_spans(folded, names):
        # up to the next folded character, so an accent written apart goes with its name
        for index in range(origin[start], origin[end]):
            cut[index] = True
    out: list[str] = []
    for index, char in enumerate(text):
        if not cut[index]:
            out.append(char)
        elif index == 0 or not cut[index - 1]:
            out.append(" ")
    return "".join(out)
