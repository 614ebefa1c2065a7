"""The shapes of words heard, not seen: a voice's squared box, and a tail that leaves the
panel for a speaker who is not drawn (`casting.py` decides who that is).

Geometry only, in the panel's slot coordinates: `place.py` places the balloons and
`draw.py` draws these outlines as it draws every other.
"""

from __future__ import annotations

import math

from ..format.model import LineKind
from ..specs import Box, Point

CHAMFER = 0.3  # a voice's box has its corners cut by this share of its shorter side


def squared(x: float, y: float, w: float, h: float) -> list[Point]:
    """A voice's box: a rectangle with its corners cut, as a radio's or a machine's
    words are boxed in comics; points along the sides, so a tail can be spliced in."""
    c = min(w, h) * CHAMFER
    corners = [(x + c, y), (x + w - c, y), (x + w, y + c), (x + w, y + h - c),
               (x + w - c, y + h), (x + c, y + h), (x, y + h - c), (x, y + c)]
    out: list[Point] = []
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
        steps = max(1, round(math.hypot(bx - ax, by - ay) / (min(w, h) * 0.2)))
        out += [(ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps) for i in range(steps)]
    return out


def nearest_edge(box: Box, width: float) -> tuple[float, str]:
    """The panel edge nearest the box, of its sides and top (a voice comes from beside
    or above, never from under the floor): its distance and which one."""
    x, y, w, h = box
    return min((x, "left"), (width - x - w, "right"), (y, "top"))


def _ray(outline: list[Point], cx: float, cy: float, angle: float) -> Point:
    """Where a ray from the centre at `angle` leaves a shape that is star-shaped about it."""
    dx, dy = math.cos(angle), math.sin(angle)
    best = None
    for (ax, ay), (bx, by) in zip(outline, outline[1:] + outline[:1]):
        ex, ey = bx - ax, by - ay
        det = dx * -ey + dy * ex
        if abs(det) < 1e-9:
            continue
        t = ((ax - cx) * -ey + (ay - cy) * ex) / det
        u = (dx * (ay - cy) - dy * (ax - cx)) / det
        if t > 0 and -1e-9 <= u <= 1 + 1e-9 and (best is None or t < best):
            best = t
    t = best or 0.0
    return cx + dx * t, cy + dy * t


def off_tail(kind: LineKind, box: Box, outline: list[Point] | None, size: float,
             width: float, rtl: bool) -> list[Point]:
    """Base, tip, base of a tail for a speaker who is heard, not seen: its tip ends on
    the nearest edge of the panel (a side or the top), so it points off panel."""
    if kind in (LineKind.caption, LineKind.sfx):
        return []
    x, y, w, h = box
    cx, cy, rx, ry = x + w / 2, y + h / 2, w / 2, h / 2
    side = nearest_edge(box, width)[1]
    lean = size * 0.6  # a tail that leans reads as coming from somewhere
    tip = {"left": (0.0, cy - lean), "right": (width, cy - lean),
           "top": (cx + (lean if rtl else -lean), 0.0)}[side]
    angle = math.atan2((tip[1] - cy) / ry, (tip[0] - cx) / rx)
    if kind == LineKind.thought:
        edge = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
        return [(round(edge[0] + (tip[0] - edge[0]) * t, 1),
                 round(edge[1] + (tip[1] - edge[1]) * t, 1)) for t in (0.3, 0.62, 0.92)]
    spread = min(max(size * 0.5 / max(min(rx, ry), 1.0), 0.07), 0.3)
    if outline:
        base = [_ray(outline, cx, cy, math.atan2(ry * math.sin(angle + s),
                                                 rx * math.cos(angle + s)))
                for s in (-spread, spread)]
    else:
        base = [(cx + rx * math.cos(angle + s), cy + ry * math.sin(angle + s))
                for s in (-spread, spread)]
    return [(round(p[0], 1), round(p[1], 1)) for p in (base[0], tip, base[1])]
