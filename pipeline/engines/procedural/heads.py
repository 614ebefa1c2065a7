"""A figure's head as two layers: what falls behind the body, and the face in front.

Hair is what a reader spots first in a wide shot, so it is drawn as the character's
file says — long and loose, tied in a tail, braided, in a bun, short, spiky or none —
outlined in ink so that silver hair still reads against snow. The face is the
avatar's (or a drawn one), with the expression the dialogue calls for; hats,
helmets, glasses and beards go on top. Both layers are drawn upright around the
head's centre and turned with the head, so a falling or looking-up figure keeps
its hair on.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from .acting import Expression, Pose
from .appearance import Traits
from .faces import drawn_face, features_in_head, head_image, head_mask
from .palette import RGB, luminance, mix, shade

INK = (28, 24, 30)
EYES = ((0.32, 0.5), (0.68, 0.5))  # where eyes sit in a head box, as fractions
MOUTH = (0.5, 0.75)


def _w(u: float) -> int:
    return max(1, round(u * 0.07))


def draw_expression(face: Image.Image, expression: str, hair: RGB, facing: int,
                    eyes: bool, gaze: float = 0.0) -> None:
    """Brows, mouth (and, for a drawn face, eyes) for an expression, on a face picture.

    `eyes`: draw the eyes too (a drawn face); an avatar keeps its own. `gaze` moves
    the pupils up (< 0) or down (> 0), in face heights."""
    d = ImageDraw.Draw(face)
    w, h = face.size
    lw = max(1, w // 18)
    shift = facing * w * 0.04
    dark = (34, 26, 30)
    brow = shade(hair, -0.35) if luminance(hair) > 0.6 else hair
    if luminance(brow) > 0.75:
        brow = (120, 110, 110)
    e = expression
    for i, (ex, ey) in enumerate(EYES):
        x, y = w * ex + shift, h * ey
        inner = 1 if i == 0 else -1  # toward the nose
        rx, ry = w * 0.075, h * 0.06
        if eyes:
            if e == Expression.laugh:
                d.arc([x - rx, y - ry, x + rx, y + ry * 1.4], 200, 340, fill=dark, width=lw)
            elif e == Expression.fear:
                d.ellipse([x - rx * 1.3, y - ry * 1.4, x + rx * 1.3, y + ry * 1.4],
                          fill=(250, 250, 246), outline=dark, width=max(1, lw // 2))
                d.ellipse([x - rx * 0.5, y - ry * 0.5, x + rx * 0.5, y + ry * 0.5], fill=dark)
            else:
                half = 0.55 if e in (Expression.whisper, Expression.sad) else 1.0
                gy = (gaze * h * 0.4 if e != Expression.thinking else -h * 0.02)
                d.ellipse([x - rx, y - ry * half + gy, x + rx, y + ry + gy], fill=dark)
        by = h * 0.37
        if e == Expression.anger:
            d.line([(x - inner * w * 0.11, by - h * 0.05), (x + inner * w * 0.1, by + h * 0.04)],
                   fill=brow, width=lw + 1)
        elif e in (Expression.sad, Expression.fear):
            d.line([(x - inner * w * 0.11, by + h * 0.02), (x + inner * w * 0.1, by - h * 0.06)],
                   fill=brow, width=lw)
        elif e == Expression.thinking and i == 1:
            d.line([(x - w * 0.1, by - h * 0.06), (x + w * 0.1, by - h * 0.03)], fill=brow,
                   width=lw)
        else:
            d.line([(x - w * 0.1, by), (x + w * 0.1, by)], fill=brow, width=lw)
    mx, my = w * MOUTH[0] + shift, h * MOUTH[1]
    lip = (150, 56, 60)
    if e == Expression.smile:
        d.arc([mx - w * 0.16, my - h * 0.1, mx + w * 0.16, my + h * 0.07], 20, 160, fill=dark,
              width=lw)
    elif e == Expression.laugh:
        d.chord([mx - w * 0.16, my - h * 0.08, mx + w * 0.16, my + h * 0.12], 0, 180, fill=dark)
        d.chord([mx - w * 0.1, my + h * 0.01, mx + w * 0.1, my + h * 0.1], 0, 180, fill=lip)
    elif e == Expression.anger:
        d.rounded_rectangle([mx - w * 0.13, my - h * 0.04, mx + w * 0.13, my + h * 0.08],
                            radius=max(1, w * 0.03), fill=dark)
        d.line([(mx - w * 0.11, my - h * 0.015), (mx + w * 0.11, my - h * 0.015)],
               fill=(240, 240, 236), width=max(1, lw // 2))
    elif e == Expression.fear:
        d.ellipse([mx - w * 0.07, my - h * 0.05, mx + w * 0.07, my + h * 0.09], fill=dark)
    elif e == Expression.sad:
        d.arc([mx - w * 0.13, my, mx + w * 0.13, my + h * 0.14], 200, 340, fill=dark, width=lw)
    elif e == Expression.whisper:
        d.ellipse([mx + facing * w * 0.04 - w * 0.04, my - h * 0.02,
                   mx + facing * w * 0.04 + w * 0.04, my + h * 0.05], fill=dark)
    elif e == Expression.thinking:
        d.line([(mx - w * 0.1 + facing * w * 0.05, my + h * 0.01),
                (mx + w * 0.1 + facing * w * 0.05, my - h * 0.02)], fill=dark, width=lw)
    elif eyes:  # calm: a quiet mouth
        d.arc([mx - w * 0.1, my - h * 0.05, mx + w * 0.1, my + h * 0.04], 30, 150,
              fill=(140, 60, 60), width=lw)


def _robot_face(metal: RGB, glow: RGB, w: int, h: int) -> Image.Image:
    face = Image.new("RGB", (w, h), metal)
    d = ImageDraw.Draw(face)
    d.rounded_rectangle([w * 0.1, h * 0.35, w * 0.9, h * 0.62], radius=max(1, h * 0.1),
                        fill=(24, 26, 34))
    for ex in (0.32, 0.68):
        d.ellipse([w * ex - w * 0.08, h * 0.42, w * ex + w * 0.08, h * 0.56], fill=glow)
    for i in range(4):
        x = w * (0.32 + i * 0.12)
        d.line([(x, h * 0.74), (x, h * 0.84)], fill=shade(metal, -0.5), width=max(1, w // 24))
    return face


def head_layers(look, traits: Traits, pose: str, expression: str, u: float, facing: int,
                hair: RGB, skin: RGB) -> tuple[Image.Image, Image.Image, tuple[float, float],
                                               list[tuple[float, float]]]:
    """(behind, in front, head centre in the layers, eyes and mouth as fractions of the
    head box): RGBA pictures of one head, upright."""
    f = facing
    # room for a hat above, a tail or braid beside, long hair down to the shoulder blades
    size = (max(8, round(u * 2.6)), max(8, round(u * 3.2)))
    cx, cy = size[0] / 2, u * 1.15
    back = Image.new("RGBA", size, (0, 0, 0, 0))
    front = Image.new("RGBA", size, (0, 0, 0, 0))
    db, df = ImageDraw.Draw(back), ImageDraw.Draw(front)
    hw, hh = u * 0.84, u
    x0, y0 = cx - hw / 2, cy - hh / 2
    line = _w(u)
    kit = traits.accessories
    features = [(ex + facing * 0.04, ey) for ex, ey in EYES] + [(MOUTH[0] + facing * 0.04,
                                                                 MOUTH[1])]
    if traits.kind == "robot":
        metal = mix(look.outfit, (170, 176, 186), 0.6)
        df.line([(cx, y0), (cx, y0 - u * 0.35)], fill=INK, width=line)
        df.ellipse([cx - u * 0.09, y0 - u * 0.45, cx + u * 0.09, y0 - u * 0.27], fill=look.accent)
        df.rounded_rectangle([x0 - 1, y0 - 1, x0 + hw + 1, y0 + hh + 1], radius=u * 0.18,
                             fill=INK)
        face = _robot_face(metal, mix(look.accent, (140, 240, 255), 0.5), round(hw), round(hh))
        front.paste(face, (round(x0), round(y0)))
        return back, front, (cx, cy), features
    if pose == Pose.turn_away:  # the back of the head: all hair (or all scalp)
        colour = skin if traits.hair == "bald" else hair
        df.ellipse([x0 - u * 0.04, y0 - u * 0.04, x0 + hw + u * 0.04, y0 + hh], fill=colour,
                   outline=INK, width=line)
        _back_hair(db, df, traits, cx, cy, u, -f, hair, line)
        _hat(df, kit, cx, y0, u, look.accent, line)
        return back, front, (cx, cy), features
    _back_hair(db, df, traits, cx, cy, u, f, hair, line)
    if traits.kind == "creature":
        for side in (-1, 1):  # horns
            hx = cx + side * hw * 0.32
            df.polygon([(hx - u * 0.1, y0 + u * 0.15), (hx + side * u * 0.32, y0 - u * 0.4),
                        (hx + u * 0.1, y0 + u * 0.12)], fill=(230, 222, 200), outline=INK)
    skin_known = skin if look.skin_known else None
    w, h = round(hw), round(hh)
    if look.avatar and traits.kind == "human":
        face, _ = head_image(look.avatar, skin_known or skin, hair, w, h, f)
        face = face.copy()
        features = features_in_head(look.avatar, skin_known or skin, w, h, f)
    else:
        face = drawn_face(skin, hair, w, h, f, fringe=False)
    gaze = -1.0 if pose == Pose.look_up else (1.0 if pose == Pose.look_down else 0.0)
    if look.avatar is None or traits.kind != "human":
        draw_expression(face, expression, hair, f, eyes=True, gaze=gaze)
        if traits.kind == "creature":
            for ex, ey in EYES:
                d = ImageDraw.Draw(face)
                d.ellipse([w * ex - w * 0.05, h * ey - h * 0.03, w * ex + w * 0.05,
                           h * ey + h * 0.03], fill=(255, 214, 90))
    elif expression != Expression.calm:
        draw_expression(face, expression, hair, f, eyes=False)
        features[2] = (MOUTH[0] + f * 0.04, MOUTH[1])  # its mouth replaces the avatar's
    df.ellipse([x0 - line, y0 - line, x0 + hw + line, y0 + hh + line], fill=INK)
    front.paste(face, (round(x0), round(y0)), head_mask(w, h))
    _front_hair(df, traits, x0, y0, hw, hh, f, hair, line)
    if "beard" in kit:
        df.chord([x0 + hw * 0.08, y0 + hh * 0.45, x0 + hw * 0.92, y0 + hh * 1.08], 0, 180,
                 fill=hair, outline=INK, width=line)
        df.line([(cx - hw * 0.1 + f * hw * 0.04, y0 + hh * 0.78),
                 (cx + hw * 0.1 + f * hw * 0.04, y0 + hh * 0.78)], fill=INK, width=line)
    if "glasses" in kit:
        for ex, ey in EYES:
            gx, gy = x0 + hw * ex + f * hw * 0.04, y0 + hh * ey
            df.ellipse([gx - hw * 0.13, gy - hh * 0.09, gx + hw * 0.13, gy + hh * 0.09],
                       outline=INK, width=line)
        df.line([(x0 + hw * 0.45, y0 + hh * 0.5), (x0 + hw * 0.55, y0 + hh * 0.5)], fill=INK,
                width=line)
    _hat(df, kit, cx, y0, u, look.accent, line)
    return back, front, (cx, cy), features


def _outlined(draw: ImageDraw.ImageDraw, points, colour: RGB, line: int) -> None:
    draw.polygon(points, fill=colour, outline=INK, width=line)


def _back_hair(db, df, traits: Traits, cx: float, cy: float, u: float, f: int, hair: RGB,
               line: int) -> None:
    """What hangs behind the head: long hair, a tail, a braid, a bun."""
    if traits.hair == "bald" or traits.kind == "robot":
        return
    if traits.hair == "long" and traits.style == "loose":
        db.rounded_rectangle([cx - u * 0.62 - f * u * 0.06, cy - u * 0.64,
                              cx + u * 0.62 - f * u * 0.06, cy + u * 1.9], radius=u * 0.45,
                             fill=hair, outline=INK, width=line)
    elif traits.style == "tied" or (traits.hair == "long" and traits.style == "loose"):
        bx = cx - f * u * 0.4
        _outlined(db, [(bx, cy - u * 0.35), (bx - f * u * 0.55, cy + u * 0.5),
                       (bx - f * u * 0.45, cy + u * 1.3), (bx - f * u * 0.2, cy + u * 0.6),
                       (bx + f * u * 0.1, cy - u * 0.05)], hair, line)
        df.ellipse([bx - f * u * 0.08 - u * 0.08, cy - u * 0.26, bx - f * u * 0.08 + u * 0.08,
                    cy - u * 0.1], fill=(170, 40, 50), outline=INK)  # the tie
    elif traits.style == "braided":
        for k in range(7):
            bx, by = cx - f * (u * 0.42 + k * u * 0.03), cy + u * 0.1 + k * u * 0.27
            r = u * (0.17 - k * 0.012)
            db.ellipse([bx - r, by - r, bx + r, by + r], fill=hair, outline=INK, width=line)
    if traits.style == "bun":
        bx, by, r = cx - f * u * 0.25, cy - u * 0.55, u * 0.26
        df.ellipse([bx - r, by - r, bx + r, by + r], fill=hair, outline=INK, width=line)


def _front_hair(df, traits: Traits, x0: float, y0: float, hw: float, hh: float, f: int,
                hair: RGB, line: int) -> None:
    """The hair over the face: a cap and fringe, and side locks for long loose hair."""
    if traits.hair == "bald" or traits.kind == "robot":
        return
    pad = hh * 0.12  # hair has volume: it stands above the skull
    depth = 0.3 if traits.hair == "long" else 0.27
    df.chord([x0 - pad, y0 - pad, x0 + hw + pad, y0 + hh * depth * 2], 180, 360, fill=hair,
             outline=INK, width=line)
    # a parting: the fringe sweeps toward where the figure looks
    df.polygon([(x0 + hw * (0.5 - f * 0.3), y0 + hh * depth - 1),
                (x0 + hw * (0.5 + f * 0.45), y0 + hh * depth - 1),
                (x0 + hw * (0.5 + f * 0.4), y0 + hh * (depth + 0.12))], fill=hair)
    if traits.style == "spiky":
        for k in range(5):
            sx = x0 + hw * (0.1 + k * 0.2)
            df.polygon([(sx - hw * 0.12, y0 + hh * 0.1), (sx + f * hw * 0.05, y0 - hh * 0.35),
                        (sx + hw * 0.12, y0 + hh * 0.1)], fill=hair, outline=INK)
    if traits.hair == "long" and traits.style == "loose":
        for side in (-1, 1):
            sx = x0 + hw * (0.5 + side * 0.5)
            df.polygon([(sx - side * hw * 0.05, y0 + hh * 0.25),
                        (sx + side * hw * 0.1, y0 + hh * 0.3),
                        (sx + side * hw * 0.16, y0 + hh * 1.55), (sx - side * hw * 0.14,
                                                                   y0 + hh * 1.4)],
                       fill=hair, outline=INK, width=line)


def _hat(df, kit: frozenset[str], cx: float, y0: float, u: float, accent: RGB,
         line: int) -> None:
    if "helmet" in kit:
        metal = (176, 182, 192)
        df.chord([cx - u * 0.52, y0 - u * 0.12, cx + u * 0.52, y0 + u * 0.75], 180, 360,
                 fill=metal, outline=INK, width=line)
        df.line([(cx - u * 0.52, y0 + u * 0.3), (cx + u * 0.52, y0 + u * 0.3)], fill=INK,
                width=line)
    elif "hat" in kit:
        hat = shade(accent, -0.45)
        df.rounded_rectangle([cx - u * 0.72, y0 + u * 0.08, cx + u * 0.72, y0 + u * 0.22],
                             radius=u * 0.06, fill=hat, outline=INK, width=line)
        df.rounded_rectangle([cx - u * 0.38, y0 - u * 0.4, cx + u * 0.38, y0 + u * 0.14],
                             radius=u * 0.12, fill=hat, outline=INK, width=line)
        df.line([(cx - u * 0.37, y0 + u * 0.02), (cx + u * 0.37, y0 + u * 0.02)],
                fill=accent, width=max(1, round(u * 0.08)))


def place_head(image: Image.Image, layer: Image.Image, centre: tuple[float, float],
               at: tuple[float, float], degrees: float) -> None:
    """Paste an upright head layer so its head centre lands on `at`, turned `degrees`
    (counter-clockwise). Only the drawn part of the layer is turned: it is cheaper."""
    if degrees:
        box = layer.getbbox()
        if box is None:
            return
        layer = layer.crop(box)
        middle = (layer.width / 2, layer.height / 2)
        offset = (centre[0] - box[0], centre[1] - box[1])
        layer = layer.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True)
        (ox, oy), = turned([offset], middle, degrees)
        centre = (ox - middle[0] + layer.width / 2, oy - middle[1] + layer.height / 2)
    image.paste(layer, (round(at[0] - centre[0]), round(at[1] - centre[1])), layer)


def turned(points: list[tuple[float, float]], about: tuple[float, float], degrees: float
           ) -> list[tuple[float, float]]:
    """Points turned counter-clockwise on screen about `about` (as Image.rotate does)."""
    theta = math.radians(degrees)
    cos, sin = math.cos(theta), math.sin(theta)
    ax, ay = about
    return [(ax + (x - ax) * cos + (y - ay) * sin, ay - (x - ax) * sin + (y - ay) * cos)
            for x, y in points]
