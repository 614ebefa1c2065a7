"""Where a balloon may go in a panel, and how well it reads there.

`place.py` tries each size and line break of a balloon at every candidate spot
(`spots`: a grid over the panel, beside the speaker's head, near an edge for a voice
heard off panel) and keeps the spot `score` rates best: off faces and bodies, high in
the panel, in reading order after the balloons before it, its tail crossing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..format.model import LineKind
from ..specs import Balloon, Box, Figure, NodeLine, Point
from .heard import nearest_edge

if TYPE_CHECKING:  # shapes.py imports this module
    from .shapes import Shape

OFF_GAP = 1.6  # a heard speaker's balloon sits this many ems from the edge its tail meets


@dataclass
class Panel:
    """What placement needs to know about the panel: its size and who is where."""

    width: float
    height: float
    rtl: bool
    figures: dict[str, Figure]
    margin: float
    heard: frozenset[str] = frozenset()  # speakers not drawn: their tails point off panel
    voices: frozenset[str] = frozenset()  # speakers who are voices: their own balloon
    # worked out once: every candidate spot of every balloon is rated against them
    heads: list[Box] = field(init=False)
    faces: list[Box] = field(init=False)  # a head's lower three quarters, brows to chin
    bodies: list[Box] = field(init=False)

    def __post_init__(self) -> None:
        self.heads = [f.head for f in self.figures.values()]
        self.faces = [(hx, hy + hh * 0.25, hw, hh * 0.75) for hx, hy, hw, hh in self.heads]
        self.bodies = [(x - w * 0.5, y + h, w * 2, max(0.0, self.height - y - h))
                       for x, y, w, h in self.heads]

    def off(self, said: NodeLine) -> bool:
        """Whether the line is heard, not seen: its tail ends on the panel's edge."""
        return bool(said.speaker) and said.kind not in (LineKind.caption, LineKind.sfx) and (
            bool(said.off) or said.speaker in self.heard)

    def speaker(self, said: NodeLine) -> Figure | None:
        """The figure the line's tail points at: none for a line heard, not seen."""
        return None if self.off(said) else self.figures.get(said.speaker or "")

    def voice(self, said: NodeLine) -> bool:
        """Whether the line is lettered in a voice's box (a voice's thought stays a cloud)."""
        return said.speaker in self.voices and said.kind not in (LineKind.sfx, LineKind.thought)



def spots_for(shape: Shape, said: NodeLine, panel: Panel) -> list[Box]:
    """Candidate boxes: a grid over the panel, and the spots beside the speaker's head."""
    w, h, m = shape.w, shape.h, panel.margin
    span_x, span_y = panel.width - 2 * m - w, panel.height - 2 * m - h
    if span_x < -0.5 or span_y < -0.5:
        return []
    cols, rows = 13, 10
    spots = [(m + span_x * c / (cols - 1), m + span_y * r / (rows - 1))
             for r in range(rows) for c in range(cols)]
    if panel.off(said):
        # heard, not seen: near an edge, with room for a tail to reach it
        gap = max(m, shape.size * OFF_GAP)
        spots += [(gap, gap), (panel.width - w - gap, gap), ((panel.width - w) / 2, gap),
                  (gap, (panel.height - h) / 3), (panel.width - w - gap, (panel.height - h) / 3)]
    speaker = panel.speaker(said)
    if speaker is not None:
        hx, hy, hw, hh = speaker.head
        gap = shape.size * 0.4
        spots += [(hx + hw / 2 - w / 2, hy - h - gap), (hx - w - gap, hy - h * 0.3),
                  (hx + hw + gap, hy - h * 0.3), (hx - w * 0.7, hy - h - gap),
                  (hx + hw - w * 0.3, hy - h - gap)]
    return [(min(max(x, m), m + max(span_x, 0)), min(max(y, m), m + max(span_y, 0)), w, h)
            for x, y in spots]


def overlap(a: Box, b: Box) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def _covered(box: Box, boxes: list[Box]) -> float:
    """The sum of `box`'s overlaps with each of `boxes` (`overlap`, inlined: it is the
    letterer's innermost loop)."""
    x, y, w, h = box
    right, bottom = x + w, y + h
    total = 0
    for bx, by, bw, bh in boxes:
        across = (right if right < bx + bw else bx + bw) - (x if x > bx else bx)
        if across > 0:
            down = (bottom if bottom < by + bh else by + bh) - (y if y > by else by)
            if down > 0:
                total += across * down  # no overlap adds nothing
    return total


def reads_after(a: Box, b: Box, rtl: bool = False) -> bool:
    """Whether a reader meets `b` after `a`: below it, or level and further along."""
    tol = 0.25 * min(a[3], b[3])
    if b[1] >= a[1] + a[3] - tol:
        return True
    along = (b[0] + b[2] / 2 < a[0] + a[2] / 2) if rtl else (b[0] + b[2] / 2 > a[0] + a[2] / 2)
    return b[1] >= a[1] - tol and along


def crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether the segment p-q passes through `box` (Liang-Barsky clipping)."""
    x, y, w, h = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in ((-dx, p[0] - x), (dx, x + w - p[0]), (-dy, p[1] - y),
                           (dy, y + h - p[1])):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def on_face(box: Box, speaker: Figure | None, panel: Panel) -> bool:
    """Whether the box covers a fifth of a face (brows to chin, as `covered_faces` warns),
    or its ellipse the speaker's mouth, so no tail could point there."""
    x, y, w, h = box
    if speaker is not None:
        mx, my = speaker.mouth
        if ((mx - x - w / 2) / (w / 2)) ** 2 + ((my - y - h / 2) / (h / 2)) ** 2 <= 1:
            return True
    return any(overlap(box, (hx, hy + hh * 0.25, hw, hh * 0.75)) > 0.2 * hw * hh
               for hx, hy, hw, hh in panel.heads)


def rate(box: Box, shape: Shape, said: NodeLine, order: int, count: int, panel: Panel,
         placed: list[Balloon], in_order: bool = True) -> tuple[float, float] | None:
    """How well a box reads (lower is better) and the part of that owed to faults
    (covering faces, out of reading order, tails crossing); None where it may not go.
    A balloon the writer placed (`in_order` false) may come before one it follows."""
    x, y, w, h = box
    gap = shape.size * 0.25
    grown = (x - gap, y - gap, w + 2 * gap, h + 2 * gap)
    if placed and any(overlap(grown, b.box) > 0 for b in placed):
        return None
    area = max(w * h, 1.0)
    bad = 4000 * _covered(box, panel.faces) / area
    score = 600 * _covered(box, panel.heads) / area
    score += 250 * _covered(box, panel.bodies) / area
    cx, cy = x + w / 2, y + h / 2
    if shape.kind == LineKind.sfx:
        # big letters beside the action, away from the middle where the subject is
        side = min(abs(cx - panel.width * 0.28), abs(cx - panel.width * 0.72))
        return score + bad + side * 0.3 + abs(cy - panel.height * 0.5) * 0.3, bad
    score += y * 0.35  # words sit high, out of the picture's way
    spoken = [b for b in placed if b.kind != LineKind.sfx]
    if in_order and any(not reads_after(b.box, box, panel.rtl) for b in spoken):
        bad += 5000
    speaker = panel.speaker(said)
    start_x = panel.width - x - w if panel.rtl else x
    if panel.off(said):
        # a short tail to the nearest edge: the balloon keeps a little way from it
        score += abs(nearest_edge(box, panel.width)[0] - shape.size * OFF_GAP) * 3.0
    if speaker is not None:
        hx, hy, hw, hh = speaker.head
        # best just above the head, or beside it at its top (unless the writer placed it)
        dx = max(0.0, abs(cx - (hx + hw / 2)) - hw * 0.3)
        dy = abs((y + h) - (hy - gap)) if y + h <= hy + hh * 0.4 else (y + h - hy) * 2
        score += (dx * 0.9 + dy * 0.6) * in_order
        mouth = speaker.mouth
        for other in placed:
            if crosses((cx, cy), mouth, other.box):
                bad += 3000
        for name, head in ((n, f.head) for n, f in panel.figures.items()):
            if name != said.speaker and crosses((cx, cy), mouth, head):
                score += 400
    elif shape.kind == LineKind.caption and order == count - 1 and order > 0:
        # a closing caption: the corner where the reading ends
        end_x = x if panel.rtl else panel.width - x - w
        score += end_x * 0.8 + (panel.height - y - h) * 1.2 - y * 0.35
    else:
        score += start_x * 0.8  # opening captions and off-panel voices: where reading starts
    for other in placed:
        if len(other.tail) >= 2 and crosses(other.tail[0], other.tail[1], box):
            bad += 3000
    return score + bad, bad


def stack(shape: Shape, taken: list[Box], panel: Panel) -> Box:
    """Where a balloon goes when there is no free spot: below the last, in the panel."""
    last = taken[-1] if taken else None
    y = min(panel.height - shape.h - panel.margin,
            (last[1] + last[3] + panel.margin) if last else panel.margin)
    return ((panel.width - shape.w) / 2, max(panel.margin, y), shape.w, shape.h)

