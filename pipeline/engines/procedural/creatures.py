"""Animals on four legs: a dog, a horse or a wolf in the cast is drawn as one.

A quadruped is a body, four legs, a head with ears and a tail, in the character's
hair colour (their coat) with the outfit colour as a collar or saddle cloth. It
stands about half a person's height (a horse as tall as one) and keeps the poses
that make sense for it: standing, walking, running, sitting and lying down.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from ...specs import Figure
from .acting import Pose
from .heads import INK
from .palette import shade

TALL = ("horse", "pony", "bear")


def draw_animal(image: Image.Image, look, words: str, cx: float, top: float, height: float,
                facing: int, light: float, pose: str) -> Figure:
    """One animal standing on the ground line a person of `height` would stand on."""
    f = facing
    feet = top + height
    size = height * (0.75 if any(w in words for w in TALL) else 0.42)
    fur = shade(look.hair, -(1 - light) * 0.45)
    dark = shade(fur, -0.3)
    draw = ImageDraw.Draw(image)
    line = max(1, round(size * 0.025))
    body_w, body_h = size * 1.1, size * 0.42
    low = pose in (Pose.sit, Pose.lie, Pose.kneel)
    by = feet - size * (0.3 if pose == Pose.lie else 0.55 if low else 0.75)
    spread = 0.35 if pose == Pose.run else 0.12 if pose == Pose.walk else 0.0
    legs = [] if pose == Pose.lie else [(-0.42, -spread), (-0.3, spread), (0.3, -spread),
                                        (0.42, spread)]
    for i, (lx, swing) in enumerate(legs):
        x = cx + f * lx * body_w
        foot_y = feet if not (low and lx < 0) else by + body_h * 0.4
        draw.line([(x, by), (x + f * swing * size, foot_y)], fill=INK if i % 2 else dark,
                  width=max(2, round(size * 0.08)))
    tail = (cx - f * body_w * 0.5, by - body_h * 0.1)
    draw.line([tail, (tail[0] - f * size * 0.35, tail[1] - size * (0.3 if pose != Pose.lie
                                                                  else 0.0))],
              fill=dark, width=max(2, round(size * 0.07)))
    draw.ellipse([cx - body_w / 2, by - body_h / 2, cx + body_w / 2, by + body_h / 2], fill=fur,
                 outline=INK, width=line)
    draw.rectangle([cx + f * body_w * 0.22 - size * 0.05, by - body_h / 2,
                    cx + f * body_w * 0.22 + size * 0.05, by + body_h * 0.3],
                   fill=look.outfit)  # a collar or saddle cloth in the character's colour
    hx = cx + f * body_w * 0.55
    hy = by - body_h * (0.2 if pose == Pose.lie else 0.75)
    r = size * 0.22
    draw.line([(cx + f * body_w * 0.35, by), (hx, hy)], fill=fur, width=max(2, round(r * 1.1)))
    for side in (-1, 1):  # ears
        ex = hx + side * r * 0.55
        draw.polygon([(ex - r * 0.3, hy - r * 0.6), (ex + side * r * 0.15, hy - r * 1.45),
                      (ex + r * 0.3, hy - r * 0.6)], fill=dark, outline=INK)
    draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=fur, outline=INK, width=line)
    snout = (hx + f * r * 0.9, hy + r * 0.25)
    draw.ellipse([snout[0] - r * 0.45, snout[1] - r * 0.35, snout[0] + r * 0.45,
                  snout[1] + r * 0.35], fill=shade(fur, 0.15), outline=INK, width=line)
    draw.ellipse([snout[0] + f * r * 0.3 - r * 0.12, snout[1] - r * 0.2,
                  snout[0] + f * r * 0.3 + r * 0.12, snout[1]], fill=INK)  # the nose
    eyes = [(hx + f * r * 0.1 + d * r * 0.35, hy - r * 0.15) for d in (-1, 1)]
    for ex, ey in eyes:
        draw.ellipse([ex - r * 0.11, ey - r * 0.11, ex + r * 0.11, ey + r * 0.11], fill=INK)
    # (no eyes reported: an animal's face is its own, not redrawn as a person's)
    return Figure(character=look.id, head=(hx - r, hy - r, 2 * r, 2 * r), mouth=snout,
                  facing=f, pose=str(pose), expression="calm")
