"""Faces that read in every treatment, and extreme close-ups of what the words name.

A treatment works on the whole picture: halftone turns a dark face at night into a
field of dots as dark as its eyes, noir crushes it to one black. After the
treatment, each face the engine drew is measured: where its eyes and mouth no
longer differ from the skin around them (or the face from the set behind it), they
are drawn again in ink or in paper, whichever the face is not. An extreme close-up
of "her eyes" is a band of two eyes filling the frame; of hands or an object, that.
"""

from __future__ import annotations

import random
import re

from PIL import Image, ImageDraw, ImageStat

from ...format.slugs import fold
from ...specs import Figure, PanelSpec
from .acting import expressions
from .heads import INK
from .palette import RGB, luminance, shade
from .props import draw_prop

CONTRAST = 60  # grey levels between a feature and its face below which it is redrawn
PAPER = (240, 236, 226)
EYE_COLOURS = {"blue": (70, 110, 170), "green": (70, 130, 80), "grey": (120, 128, 136),
               "gray": (120, 128, 136), "amber": (190, 130, 40), "brown": (96, 62, 40),
               "hazel": (130, 100, 50), "black": (30, 26, 26), "red": (170, 40, 40),
               "violet": (120, 80, 160), "gold": (200, 160, 60)}


def _mean(grey: Image.Image, box) -> float:
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(grey.width, max(x1, x0 + 1)), min(grey.height, max(y1, y0 + 1))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return ImageStat.Stat(grey.crop((x0, y0, x1, y1))).mean[0]


def readable_faces(image: Image.Image, figures: list[Figure]) -> None:
    """Redraw eyes and mouth (and a rim round the head) where they no longer show."""
    draw = ImageDraw.Draw(image)
    for figure in figures:
        x, y, w, h = figure.head
        if not figure.eyes or w < 6:
            continue
        pad = max(w, h) * 0.35
        box = (max(0, round(x - pad)), max(0, round(y - pad)),
               min(image.width, round(x + w + pad)), min(image.height, round(y + h + pad)))
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue
        grey = image.crop(box).convert("L")
        ox, oy = box[:2]
        # the skin round the features: cheeks and chin
        face = sum(_mean(grey, (x - ox + w * (fx - 0.05), y - oy + h * (fy - 0.05),
                                x - ox + w * (fx + 0.05), y - oy + h * (fy + 0.05)))
                   for fx, fy in ((0.2, 0.64), (0.8, 0.64), (0.5, 0.86))) / 3
        r = max(1.5, w * 0.035)
        ink = INK if face > 118 else PAPER
        rx, ry = max(1.5, w * 0.06), max(1.5, h * 0.05)
        # a mouth on the head box's lower edge is out of the frame (an extreme close-up)
        shown = figure.mouth[1] < y + h * 0.98
        for i, (sx, sy) in enumerate([*figure.eyes, *([figure.mouth] if shown else [])]):
            seen = _mean(grey, (sx - ox - r, sy - oy - r, sx - ox + r, sy - oy + r))
            if abs(seen - face) >= CONTRAST:
                continue
            if i < len(figure.eyes):
                draw.ellipse([sx - rx, sy - ry, sx + rx, sy + ry], fill=ink)
            else:
                lips = (96, 40, 44) if ink == INK else ink
                draw.line([(sx - w * 0.08, sy), (sx + w * 0.08, sy)], fill=lips,
                          width=max(1, round(h * 0.025)))
        if not 12 < h < image.height * 0.3:
            continue
        around = (_mean(grey, (0, 0, grey.width, y - oy)) + _mean(
            grey, (0, 0, x - ox, grey.height)) + _mean(grey, (x - ox + w, 0, grey.width,
                                                             grey.height))) / 3
        if abs(around - face) < CONTRAST / 2:
            # the face melts into the set: a rim of light (or ink) keeps its shape
            rim = max(1, round(h * 0.04))
            draw.ellipse([x - rim - 1, y - rim - 1, x + w + rim + 1, y + h + rim + 1],
                         outline=ink, width=rim)


def held_weapon(description: str) -> str | None:
    """The weapon a paragraph puts in hand: 'gun', 'sword' or None."""
    text = fold(description)
    if re.search(r"\b(revolver|gun|guns|pistol|rifle|six-shooter|blaster|colt|shotgun)\b",
                 text):
        return "gun"
    if re.search(r"\b(sword|blade|katana|sabre|saber|dagger|knife)\b", text):
        return "sword"
    return None


def eye_colour(description: str) -> RGB:
    text = fold(description)
    for word, colour in EYE_COLOURS.items():
        if re.search(rf"\b{word}\b[\w\s-]{{0,10}}\beyes?\b", text):
            return colour
    return (92, 60, 42)


def close_on(image: Image.Image, subject: str, looks: list, spec: PanelSpec, request,
             accent: RGB) -> list[Figure]:
    """An extreme close-up of what the paragraph names: eyes, hands or an object."""
    rng = random.Random(spec.seed)
    if subject == "hands":
        skin = looks[0].skin if looks else (230, 196, 170)
        draw_prop(image, "hand", accent, rng, skin=skin)
        return []
    if subject == "object":
        draw_prop(image, spec.description, accent, rng)
        return []
    look = looks[0] if looks else None
    skin = look.skin if look else (226, 190, 160)
    hair = look.hair if look else (60, 46, 40)
    character = request.characters[0] if request.characters else None
    iris = eye_colour(" ".join([spec.description, character.description if character else ""]))
    feeling = (expressions(spec.description, spec.lines, request.characters)
               .get(look.id, "calm") if look else "calm")
    return [eye_band(image, skin, hair, iris, str(feeling), look.id if look else "someone")]


def eye_band(image: Image.Image, skin: RGB, hair: RGB, iris: RGB, expression: str,
             who: str) -> Figure:
    """Two eyes filling the frame, brows above: no chin, no hair line."""
    w, h = image.size
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, w, h], fill=skin)
    ew = min(w * 0.19, h * 0.36)  # half an eye's width
    eh = ew * (0.62 if expression == "fear" else 0.34 if expression in ("whisper", "anger")
               else 0.48)
    cy = h * 0.56
    line = max(2, round(ew * 0.08))
    brow = hair if luminance(hair) < 0.6 else shade(hair, -0.45)
    draw.polygon([(w * 0.47, cy - eh * 1.5), (w * 0.53, cy - eh * 1.5), (w * 0.56, h),
                  (w * 0.44, h)], fill=shade(skin, -0.06))  # the bridge of the nose
    pupils = []
    for i, ex in enumerate((w * 0.27, w * 0.73)):
        inner = 1 if i == 0 else -1
        draw.chord([ex - ew * 1.1, cy - eh * 1.45, ex + ew * 1.1, cy + eh * 0.9], 180, 360,
                   fill=shade(skin, -0.1))  # the lid's crease
        box = (round(ex - ew), round(cy - eh), round(ex + ew), round(cy + eh))
        eye = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), (246, 243, 236))
        de = ImageDraw.Draw(eye)
        ir = eh * (0.62 if expression == "fear" else 0.85)
        ix = ew + {"thinking": -ew * 0.3}.get(expression, 0.0)
        iy = eh + {"thinking": -eh * 0.25}.get(expression, 0.0)
        de.ellipse([ix - ir, iy - ir, ix + ir, iy + ir], fill=iris, outline=INK)
        pr = ir * (0.3 if expression == "fear" else 0.5)
        de.ellipse([ix - pr, iy - pr, ix + pr, iy + pr], fill=(12, 10, 12))
        hr = max(1.0, ir * 0.2)
        de.ellipse([ix + ir * 0.2, iy - ir * 0.55, ix + ir * 0.2 + 2 * hr,
                    iy - ir * 0.55 + 2 * hr], fill=(255, 255, 255))
        mask = Image.new("L", eye.size, 0)
        ImageDraw.Draw(mask).ellipse([0, 0, eye.width - 1, eye.height - 1], fill=255)
        image.paste(eye, box[:2], mask)  # the iris stays inside the eye
        draw.ellipse(box, outline=INK, width=line)
        draw.arc(box, 180, 360, fill=INK, width=line * 2)  # the upper lid and lashes
        if expression in ("smile", "laugh"):  # cheeks push the lower lid up
            draw.chord([ex - ew * 1.1, cy + eh * 0.35, ex + ew * 1.1, cy + eh * 2.3], 180, 360,
                       fill=skin)
        pupils.append((box[0] + ix, box[1] + iy))
        by = cy - eh * 1.9
        tilt = {"anger": eh * 0.5, "sad": -eh * 0.5, "fear": -eh * 0.35}.get(expression, 0.0)
        raise_ = -eh * 0.3 if expression in ("fear", "thinking") else 0.0
        draw.line([(ex - inner * ew * 1.0, by + raise_ - tilt * 0.3),
                   (ex + inner * ew * 0.9, by + raise_ + tilt)], fill=brow,
                  width=max(3, round(eh * 0.28)))
    head = (w * 0.27 - ew * 1.15, cy - eh * 2.2, w * 0.46 + ew * 2.3, eh * 3.5)
    # the mouth is below the frame: tails aim at the band's lower edge, under the eyes
    return Figure(character=who, head=head, mouth=(w / 2, head[1] + head[3]), facing=1,
                  pose="stand", expression=expression, eyes=pupils)
