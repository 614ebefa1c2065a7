"""Insert shots: the object a panel's description is about, drawn large."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from .palette import RGB, mix, shade

PROPS = [
    ("key", ("key",)),
    ("sword", ("sword", "blade", "hilt", "scabbard")),
    ("scroll", ("letter", "scroll", "map", "note", "seal", "book")),
    ("moon", ("moon",)),
    ("hand", ("hand", "fist", "finger")),
    ("lantern", ("lantern", "lamp", "candle", "fire")),
]


def _kind(description: str) -> str:
    text = description.lower()
    for kind, words in PROPS:
        if any(word in text for word in words):
            return kind
    return "emblem"


def draw_prop(image: Image.Image, description: str, accent: RGB, rng: random.Random,
              skin: RGB = (236, 200, 170)) -> None:
    draw = ImageDraw.Draw(image)
    w, h = image.size
    cx, cy, s = w / 2, h / 2, min(w, h) * 0.36
    kind = _kind(description)
    metal, dark = (214, 220, 230), (30, 30, 36)
    if kind == "sword":
        tilt = rng.uniform(-0.25, 0.25) * s
        draw.polygon([(cx - s * 1.4, cy + tilt + s * 0.07), (cx + s * 0.9, cy - tilt + s * 0.07),
                      (cx + s * 1.25, cy - tilt), (cx + s * 0.9, cy - tilt - s * 0.07),
                      (cx - s * 1.4, cy + tilt - s * 0.07)], fill=metal, outline=dark, width=3)
        draw.rectangle([cx - s * 1.5, cy + tilt - s * 0.3, cx - s * 1.4, cy + tilt + s * 0.3],
                       fill=accent, outline=dark, width=3)
        draw.rectangle([cx - s * 1.95, cy + tilt - s * 0.07, cx - s * 1.5, cy + tilt + s * 0.07],
                       fill=shade(accent, -0.4))
    elif kind == "key":
        brass = mix(accent, (200, 160, 70), 0.7)
        draw.ellipse([cx - s * 1.1, cy - s * 0.4, cx - s * 0.3, cy + s * 0.4], outline=dark,
                     width=max(3, int(s * 0.2)))
        draw.ellipse([cx - s * 1.05, cy - s * 0.35, cx - s * 0.35, cy + s * 0.35], outline=brass,
                     width=max(2, int(s * 0.12)))
        draw.rectangle([cx - s * 0.35, cy - s * 0.08, cx + s * 1.1, cy + s * 0.08], fill=brass,
                       outline=dark, width=3)
        for x in (0.7, 0.95):
            draw.rectangle([cx + s * x, cy + s * 0.08, cx + s * (x + 0.12), cy + s * 0.35],
                           fill=brass, outline=dark, width=3)
    elif kind == "scroll":
        paper = (238, 226, 196)
        draw.rectangle([cx - s, cy - s * 0.6, cx + s, cy + s * 0.6], fill=paper, outline=dark,
                       width=3)
        for i in range(5):
            y = cy - s * 0.4 + i * s * 0.18
            draw.line([(cx - s * 0.8, y), (cx + s * rng.uniform(0.3, 0.8), y)],
                      fill=(90, 80, 70), width=3)
        draw.ellipse([cx + s * 0.45, cy + s * 0.2, cx + s * 0.75, cy + s * 0.5], fill=accent)
    elif kind == "moon":
        draw.ellipse([cx - s, cy - s, cx + s, cy + s], fill=(246, 244, 226))
        for _ in range(6):
            x, y, r = cx + rng.uniform(-0.6, 0.6) * s, cy + rng.uniform(-0.6, 0.6) * s, s * 0.12
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(222, 220, 204))
    elif kind == "hand":
        draw.rounded_rectangle([cx - s * 0.5, cy - s * 0.2, cx + s * 0.5, cy + s * 0.8],
                               radius=s * 0.2, fill=skin, outline=dark, width=3)
        for i in range(4):
            x = cx - s * 0.45 + i * s * 0.25
            draw.rounded_rectangle([x, cy - s * 0.75, x + s * 0.2, cy], radius=s * 0.1,
                                   fill=skin, outline=dark, width=3)
    elif kind == "lantern":
        glow = mix(accent, (255, 220, 150), 0.6)
        draw.ellipse([cx - s * 1.2, cy - s * 1.2, cx + s * 1.2, cy + s * 1.2],
                     fill=mix(glow, (0, 0, 0), 0.3))
        draw.rounded_rectangle([cx - s * 0.45, cy - s * 0.7, cx + s * 0.45, cy + s * 0.7],
                               radius=s * 0.3, fill=glow, outline=dark, width=4)
    else:
        draw.ellipse([cx - s, cy - s, cx + s, cy + s], fill=accent, outline=dark, width=4)
        draw.regular_polygon((cx, cy, s * 0.6), 6, fill=mix(accent, (255, 255, 255), 0.5),
                             outline=dark)
