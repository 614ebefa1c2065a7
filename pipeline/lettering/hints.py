"""A writer's placement hint on a panel: `[top_left]`, `[over han]` as a region of the slot.

The names are the panel's own sides as the reader sees it (in right-to-left reading too).
A corner or a side asks for the balloon to lie wholly in that half of the panel (the top
left: the top half and the left half), and for a side's middle, or the middle, its centre
to be in the middle third; `over <character>` asks for it to sit above the head as drawn,
its centre over the head, its bottom no lower than the brow. `place.py` tries those spots
first and, when none holds the words clean, places the balloon as usual and says why with
a `Misplaced`; `explain` phrases that for the writer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import did_you_mean
from ..format.placing import PLACES, over_whom, said_as
from ..specs import Box, Misplaced, NodeLine, PanelSpec

Fit = tuple[Any, Box]  # place.py's shape of the words, and the box it goes in

HEAD_TOP = 0.25  # a balloon over a head may come down to the brow: this share of the head
GRID = 7  # spots across a region, each way
# Where to look instead when a place is full: its neighbours, nearest first.
NEAR = {"top_left": ("top", "left", "top_right"), "top": ("top_left", "top_right", "center"),
        "top_right": ("top", "right", "top_left"), "left": ("top_left", "bottom_left", "center"),
        "center": ("top", "bottom", "left", "right"),
        "right": ("top_right", "bottom_right", "center"),
        "bottom_left": ("bottom", "left", "bottom_right"),
        "bottom": ("bottom_left", "bottom_right", "center"),
        "bottom_right": ("bottom", "right", "bottom_left")}


@dataclass(frozen=True)
class Region:
    """Where a hinted balloon may lie, in slot pixels (origin at the panel's top left)."""

    place: str
    width: float
    height: float
    margin: float
    head: Box | None = None  # for 'over <character>': that head

    def xs(self, w: float) -> tuple[float, float]:
        """The range of the box's left edge."""
        W, m = self.width, self.margin
        if self.head is not None:
            hx, _, hw, _ = self.head
            lo, hi = hx - w / 2, hx + hw - w / 2
        elif self.place.endswith("left"):
            lo, hi = m, W / 2 - w
        elif self.place.endswith("right"):
            lo, hi = W / 2, W - m - w
        else:
            lo, hi = W / 3 - w / 2, W * 2 / 3 - w / 2
        return max(lo, m), min(hi, W - m - w)

    def ys(self, h: float) -> tuple[float, float]:
        """The range of the box's top edge."""
        H, m = self.height, self.margin
        if self.head is not None:
            _, hy, _, hh = self.head
            lo, hi = m, hy + hh * HEAD_TOP - h
        elif self.place.startswith("top"):
            lo, hi = m, H / 2 - h
        elif self.place.startswith("bottom"):
            lo, hi = H / 2, H - m - h
        else:
            lo, hi = H / 3 - h / 2, H * 2 / 3 - h / 2
        return max(lo, m), min(hi, H - m - h)

    def widest(self) -> float:
        """The widest box the region holds."""
        half = self.place.endswith(("left", "right")) and self.head is None
        return (self.width / 2 if half else self.width) - self.margin * (1 if half else 2)

    def tallest(self) -> float:
        if self.head is not None:
            return self.head[1] + self.head[3] * HEAD_TOP - self.margin
        half = self.place.startswith(("top", "bottom"))
        return (self.height / 2 if half else self.height) - self.margin * (1 if half else 2)

    def holds(self, box: Box) -> bool:
        x, y, w, h = box
        (x0, x1), (y0, y1) = self.xs(w), self.ys(h)
        return x0 - 0.5 <= x <= x1 + 0.5 and y0 - 0.5 <= y <= y1 + 0.5

    def pull(self, box: Box) -> float:
        """How far the box is from where the hint points (a corner, a side's middle, the
        middle, the top of the head), in pixels: the letterer keeps it close."""
        x, y, w, h = box
        (x0, x1), (y0, y1) = self.xs(w), self.ys(h)
        if self.head is not None:
            hx, _, hw, _ = self.head
            want_x, want_y = hx + hw / 2 - w / 2, y1
        else:
            want_x = x0 if self.place.endswith("left") else x1 if self.place.endswith(
                "right") else (self.width - w) / 2
            want_y = y0 if self.place.startswith("top") else y1 if self.place.startswith(
                "bottom") else (self.height - h) / 2
        return abs(x - want_x) + abs(y - want_y)

    def spots(self, w: float, h: float) -> list[Box]:
        """Boxes of this size in the region: a grid over it, its snug corner first."""
        (x0, x1), (y0, y1) = self.xs(w), self.ys(h)
        if x1 < x0 - 0.5 or y1 < y0 - 0.5:
            return []
        x1, y1 = max(x0, x1), max(y0, y1)
        xs = [x0 + (x1 - x0) * i / (GRID - 1) for i in range(GRID)]
        ys = [y0 + (y1 - y0) * i / (GRID - 1) for i in range(GRID)]
        return [(x, y, w, h) for y in ys for x in xs]


def hinted(said: NodeLine, order: int, spec: PanelSpec, panel: Any, known: bool,
           fit: Callable[..., Fit | None]) -> tuple[Fit | None, Misplaced | None]:
    """The line's shape and box where its placement hint asks, or None and why not (the
    places nearby that would hold it are found to suggest). `panel` is place.py's view
    of the panel (size, margin, figures); `fit(region, taken, faces_ok)` fits the words
    in a region; `known`: the art is drawn, so heads are where the art put
    them (`check` letters before any art)."""
    place = said.place
    if not place:
        return None, None
    who = over_whom(place)

    def miss(why: str, instead: list[str] | tuple = ()) -> tuple[None, Misplaced]:
        return None, Misplaced(order=order, place=place, why=why, instead=list(instead))

    if who is None and place not in PLACES:
        return miss("unknown")
    head = None
    if who is not None:
        if who in spec.voices:
            return miss("voice")
        if who in spec.heard:
            return miss("heard")
        if who not in spec.characters:
            return miss("not_drawn")
        if not known:
            return None, None
        if who not in panel.figures:
            return miss("no_figure")
        head = panel.figures[who].head

    def region(name: str, over: Box | None = None) -> Region:
        return Region(name, panel.width, panel.height, panel.margin, over)

    found = fit(region(place, head))
    if found is not None:
        return found, None
    if fit(region(place, head), [], True) is None:
        why = "too_big"  # even alone, over faces
    else:
        why = "taken" if fit(region(place, head), []) is not None else "face"
    instead = []
    for near in NEAR.get(place, ("top_left", "top", "top_right")):
        if len(instead) < 2 and fit(region(near)) is not None:
            instead.append(near)
    return miss(why, instead)


def explain(miss: Misplaced, text: str, names: dict[str, str], shot: str | None,
            drawn: list[str]) -> tuple[str, str]:
    """What a writer reads when a hint was not honoured: the message and the fix.
    `names` maps character ids to names, `drawn` the ids drawn in the panel."""
    who = over_whom(miss.place)
    name = names.get(who or "", who or "")
    where = f"over {name}'s head" if who else (
        "in " + said_as(miss.place) if miss.place in PLACES else f"'{miss.place}'")
    of = f" of this {shot}" if shot and not who else (f" in this {shot}" if shot else "")
    words = f"'{text[:40]}{'…' if len(text) > 40 else ''}'"
    tries = " or ".join(f"[{p}]" for p in miss.instead)
    if miss.why == "unknown":
        return (f"'{miss.place}' is not a place for a balloon ({words})",
                (did_you_mean(miss.place, PLACES) or "a balloon may go in "
                 + ", ".join(PLACES) + ", or 'over <character>'"))
    if miss.why == "voice":
        return (f"{name} is a voice, never drawn: there is no head to put {words} over",
                "put the balloon in a corner or a side, e.g. [top_left], or over someone "
                "who is drawn here")
    if miss.why == "heard":
        return (f"{name} is heard, not drawn, in this panel: there is no head to put {words} "
                "over", f"name {name} in the paragraph so they are drawn, or put the balloon "
                "in a corner or a side, e.g. [top_left]")
    if miss.why == "not_drawn":
        drawn_names = [names.get(d, d) for d in drawn]
        close = did_you_mean(name, drawn_names)
        hint = (f"{close[:-1]} (drawn here: {', '.join(drawn_names)})" if close else
                f"drawn here: {', '.join(drawn_names)}" if drawn_names else
                "nobody is drawn here: use a corner or a side, e.g. [top_left]")
        return (f"{name} is not drawn in this panel, so {words} cannot go over their head",
                hint.replace("did you mean '", "did you mean 'over "))
    if miss.why == "no_figure":
        return (f"the art of this panel does not say where {name} is, so {words} cannot go "
                "over their head", "use a corner or a side instead, e.g. [top]")
    fix = f"try {tries}" if tries else "try a bigger panel (a wider shot, a page break)"
    if miss.why == "taken":
        return (f"{words} does not fit {where}{of}: other balloons are there",
                f"{fix}, or move or shorten the other lines")
    if miss.why == "face":
        return (f"{words} {where}{of} would cover a face (or the speaker's mouth, where its "
                "tail points)", f"{fix}, or a shorter line")
    return f"{words} does not fit {where}{of}", f"{fix}, or a shorter line"
