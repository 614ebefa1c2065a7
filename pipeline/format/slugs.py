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
# Chinese, Japanese, Thai, Lao, Khmer and Burmese put no spaces between words, so next
# to their letters a name needs no word's edge ("林美坐在窗边" names 林美); Korean
# writes its particles onto the name ("민지가"), so a Hangul syllable may follow one
# (folded, a syllable is its letters: one that starts a syllable, \u1100-\u115f).
# Arabic and Hebrew join "and", "with", "for"... to the next word as a letter ("ليلى
# وكريم" is Layla and Karim), so up to two of them may stand before a name in those
# scripts (a name that itself starts with such a letter still matches whole).
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
             "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f")
_BEFORE = rf"(?<![^\W{_UNSPACED}])"  # no letter of a spaced script just before
_AFTER = rf"(?![^\W{_UNSPACED}\u1100-\u115f])"  # nor just after (but a particle)
JOINED = {"arabic": "وفبلك", "hebrew": "ובלמשכה"}


def name_pattern(folded_name: str) -> str:
    """The regex that finds `folded_name` (folded) as a name in folded text."""
    first = ord(folded_name[0]) if folded_name else 0
    joined = JOINED["arabic"] if 0x0600 <= first <= 0x06FF else \
        JOINED["hebrew"] if 0x0590 <= first <= 0x05FF else ""
    before = (rf"(?:{_BEFORE}|(?<=(?<!\w)[{joined}])|(?<=(?<!\w)[{joined}][{joined}]))"
              if joined else _BEFORE)
    return before + re.escape(folded_name) + _AFTER


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


def _name_spans(folded: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Where any of `names` occurs in `folded` as whole words: (start, end), longest first."""
    spans: list[tuple[int, int]] = []
    for name in sorted({fold(n.strip()) for n in names if n.strip()}, key=len, reverse=True):
        spans += [m.span() for m in re.finditer(name_pattern(name), folded)]
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
