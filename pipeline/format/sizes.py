"""The Style DNA size and format rules, kept exactly as the seed states them."""

from __future__ import annotations

import math

MIN_SIDE = 512
MAX_SIDE = 2048
MAX_AREA = 1_763_584
FORMATS = ("png", "webp")

# Preset aspect ratios and the size each renders at: all within the rules.
ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "4:3": (1152, 864),
    "3:4": (864, 1152),
    "3:2": (1216, 816),
    "2:3": (816, 1216),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "21:9": (1536, 656),
    "2:1": (1408, 704),
}

SIDE_RULE = f"width and height must each be {MIN_SIDE}–{MAX_SIDE} px"
AREA_RULE = f"the area (width × height) must not exceed {MAX_AREA:,} pixels"
BOTH_RULE = "give either aspect_ratio or width and height, not both"
FORMAT_RULE = "format must be png or webp"


def size_problems(width: int | None, height: int | None, aspect_ratio: str | None) -> list[str]:
    """Every size rule that `width`, `height` and `aspect_ratio` break, quoted."""
    problems = []
    if aspect_ratio is not None and (width is not None or height is not None):
        problems.append(BOTH_RULE)
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        problems.append(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, "
                        f"got '{aspect_ratio}'")
    if (width is None) != (height is None):
        problems.append("give both width and height, or use aspect_ratio instead")
    for side, value in (("width", width), ("height", height)):
        if value is not None and not MIN_SIDE <= value <= MAX_SIDE:
            problems.append(f"{SIDE_RULE}, got {side} {value}")
    if width is not None and height is not None and width * height > MAX_AREA:
        problems.append(f"{AREA_RULE}, got {width} × {height} = {width * height:,}")
    return problems


def fit(aspect: float, area: int = 786_432) -> tuple[int, int]:
    """The size nearest `area` with this aspect (w/h) that keeps every rule.

    Sides are multiples of 16, which image models prefer. A slot more extreme than
    4:1 cannot keep both side rules; it gets the nearest legal size, and the
    composer crops.
    """
    area = min(area, MAX_AREA)
    width = math.sqrt(area * aspect)
    height = width / aspect
    width = min(max(width, MIN_SIDE), MAX_SIDE)
    height = min(max(height, MIN_SIDE), MAX_SIDE)
    w, h = int(width) // 16 * 16, int(height) // 16 * 16
    while w * h > MAX_AREA:
        w, h = w - 16, h - int(16 / aspect) // 16 * 16 or h
    return max(w, MIN_SIDE), max(h, MIN_SIDE)
