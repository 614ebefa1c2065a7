"""Where a writer asks a balloon to go: `LIN [top_left]: ...`, `LIN [over han]: ...`.

The names a placement hint may take, read forgivingly ('top-left', 'Top Left', 'centre'),
and how each is said in a message. What the names mean on a panel is the letterer's
(`lettering/place.py`); docs/format.md, "Where a balloon goes", is the writer's side.
"""

from __future__ import annotations

import re

PLACES = ("top_left", "top", "top_right", "left", "center", "right", "bottom_left", "bottom",
          "bottom_right")
OVER = "over "  # 'over <character>': above that character's head as drawn
SYNONYMS = {"centre": "center", "middle": "center", "top_center": "top", "top_centre": "top",
            "bottom_center": "bottom", "bottom_centre": "bottom", "upper_left": "top_left",
            "upper_right": "top_right", "lower_left": "bottom_left",
            "lower_right": "bottom_right", "left_top": "top_left", "right_top": "top_right",
            "left_bottom": "bottom_left", "right_bottom": "bottom_right"}


def read_place(written: str) -> tuple[str | None, str]:
    """A hint as written -> (its name, or 'over <name as written>'; None when it is not
    one) and the key it was read as (for a did-you-mean)."""
    text = " ".join(written.split())
    if text.lower().startswith(OVER.strip()) and (text.lower() == OVER.strip() or
                                                  text[len(OVER) - 1].isspace()):
        who = text[len(OVER):].strip().lstrip("@")
        return (OVER + who if who else None), text.lower()
    key = re.sub(r"[\s_-]+", "_", text.lower())
    key = SYNONYMS.get(key, key)
    return (key if key in PLACES else None), key


def over_whom(place: str | None) -> str | None:
    """The character (as written, or an id once resolved) of an 'over <character>' hint."""
    return place[len(OVER):] if place and place.startswith(OVER) else None


def said_as(place: str) -> str:
    """'top_left' -> 'the top left', 'center' -> 'the middle': the hint in a message."""
    return "the middle" if place == "center" else "the " + place.replace("_", " ")
