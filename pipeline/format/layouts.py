"""Named page layouts: where each panel sits on a page, in reading order.

A layout is a list of slots in unit coordinates (0..1 of the page's live area,
left to right); `place` turns one into pixel boxes with the style's gutters and
mirrors it for right-to-left reading. Change a page's look here.
"""

from __future__ import annotations

from pydantic import BaseModel

from .camera import ESTABLISHING, Shot

Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]

PAGE_WIDTH = 1600
MARGIN = 56


class Layout(BaseModel):
    name: str
    slots: list[Box]
    aspect: float = 2 / 3  # page width / height
    wide: int | None = None  # index of the slot an establishing shot should take


def _rows(*counts: int, heights: list[float] | None = None) -> list[Box]:
    heights = heights or [1 / len(counts)] * len(counts)
    slots, y = [], 0.0
    for count, height in zip(counts, heights, strict=True):
        slots += [(i / count, y, 1 / count, height) for i in range(count)]
        y += height
    return slots


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in [
    Layout(name="splash", slots=[(0, 0, 1, 1)], wide=0),
    Layout(name="strip", slots=_rows(3), aspect=3.2),
    Layout(name="two_row", slots=_rows(1, 1), wide=0),
    Layout(name="three_row", slots=_rows(1, 1, 1), wide=0),
    Layout(name="grid_2x2", slots=_rows(2, 2)),
    Layout(name="grid_3x2", slots=_rows(2, 2, 2)),
    Layout(name="l_left", slots=[(0, 0, 0.58, 1), (0.58, 0, 0.42, 0.5), (0.58, 0.5, 0.42, 0.5)],
           wide=0),
    Layout(name="l_right", slots=[(0, 0, 0.42, 0.5), (0, 0.5, 0.42, 0.5), (0.42, 0, 0.58, 1)],
           wide=2),
    Layout(name="t_top", slots=_rows(1, 2, heights=[0.45, 0.55]), wide=0),
    Layout(name="t_bottom", slots=_rows(2, 1, heights=[0.55, 0.45]), wide=2),
    Layout(name="wide_focus", slots=_rows(1, 3, heights=[0.6, 0.4]), wide=0),
    Layout(name="tall_split", slots=_rows(2)),
    Layout(name="five_stack", slots=_rows(1, 2, 2, heights=[0.36, 0.32, 0.32]), wide=0),
    Layout(name="wide_end", slots=_rows(2, 2, 1, heights=[0.32, 0.32, 0.36]), wide=4),
]}

LAYOUT_NAMES = sorted(LAYOUTS)
MAX_PANELS = max(len(layout.slots) for layout in LAYOUTS.values())


TALL = {Shot.full_shot}  # a standing figure, head to toe: a tall slot suits it
CLOSE = {Shot.close_up, Shot.extreme_close_up, Shot.insert}  # quick beats: a strip


def choose(shots: list[Shot]) -> str:
    """The layout a letterer would pick for these panels: the wide slot for an
    establishing shot, the tall slot for a figure head to toe, a strip for three
    quick close beats, even rows and grids otherwise. Shots that hold a group (a
    medium shot) keep the page's full width."""
    count = len(shots)
    first = shots[0] in ESTABLISHING if shots else False
    last = shots[-1] in ESTABLISHING if shots else False
    if count == 1:
        return "splash"
    if count == 2:  # side by side only for one figure each: two standing, two faces
        return "tall_split" if all(s in TALL | CLOSE | {Shot.medium_close_up}
                                   for s in shots) else "two_row"
    if count == 3:
        if first or last:
            return "t_top" if first else "t_bottom"
        if shots[0] in TALL or shots[-1] in TALL:
            return "l_left" if shots[0] in TALL else "l_right"
        return "strip" if all(s in CLOSE for s in shots) else "three_row"
    if count == 4:
        return "wide_focus" if first else "grid_2x2"
    if count == 5:
        return "wide_end" if last and not first else "five_stack"
    return "grid_3x2"


def page_size(layout: Layout) -> tuple[int, int]:
    return PAGE_WIDTH, round(PAGE_WIDTH / layout.aspect)


def place(layout: Layout, gutter: int, rtl: bool = False) -> list[Box]:
    """Pixel boxes of the layout's slots on its page, in reading order."""
    width, height = page_size(layout)
    live_w, live_h = width - 2 * MARGIN, height - 2 * MARGIN
    boxes = []
    for x, y, w, h in layout.slots:
        if rtl:
            x = round(1 - x - w, 6)  # rounded: 1 - 0.58 - 0.42 must be 0, not 2e-16
        left = MARGIN + x * live_w + (gutter / 2 if x > 1e-6 else 0)
        top = MARGIN + y * live_h + (gutter / 2 if y > 1e-6 else 0)
        right = MARGIN + (x + w) * live_w - (gutter / 2 if x + w < 0.999 else 0)
        bottom = MARGIN + (y + h) * live_h - (gutter / 2 if y + h < 0.999 else 0)
        boxes.append((round(left), round(top), round(right - left), round(bottom - top)))
    return boxes


VERTICAL_WIDTH = 720  # narrower than a page, so the lettering reads at phone size


def vertical(aspects: list[float], gutter: int) -> tuple[list[Box], int]:
    """A one-column strip for phones: each panel full width at its own aspect.

    Returns the panel boxes and the page's height (the width is VERTICAL_WIDTH).
    """
    margin = MARGIN // 2
    live_w = VERTICAL_WIDTH - 2 * margin
    boxes, y = [], margin
    for aspect in aspects:
        height = round(live_w / aspect)
        boxes.append((margin, y, live_w, height))
        y += height + gutter
    return boxes, y - gutter + margin
