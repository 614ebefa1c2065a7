"""A whole figure in a pose: the skeleton dressed in the character's era and kit.

The body is drawn from the pose's joints (poses.py), far limbs first and darker,
then the torso in the era's cut (a belted tunic for ancient stories, jacket and
trousers for modern ones, a vest for westerns, a jumpsuit for the future), the near
limbs, what the hands hold (a drawn revolver, a raised sword, a letter held up)
and the head (heads.py). Robots get metal limbs and a visor; creatures horns and
claws. Build and height come from the character's file, so a cast differs in
silhouette before any face is seen.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from ...specs import Figure
from .acting import Pose
from .heads import INK, head_layers, place_head, turned
from .palette import RGB, mix, shade
from .poses import HEADS, body_angle, skeleton

BUILD = {"slim": (0.86, 0.85), "average": (1.0, 1.0), "broad": (1.22, 1.1),
         "stout": (1.2, 1.45)}  # shoulder width, waist width


class _Map:
    """From pose units (facing right, head top at 0) to panel pixels."""

    def __init__(self, cx: float, top: float, u: float, f: int, height: float, k: float):
        self.cx, self.top, self.u, self.f, self.height, self.k = cx, top, u, f, height, k

    def __call__(self, p: tuple[float, float]) -> tuple[float, float]:
        x, y = self.cx + self.f * p[0] * self.u, self.top + p[1] * self.u
        if self.k:  # seen from below (k > 0) the feet are broad and the shoulders narrow
            x = self.cx + (x - self.cx) * (1 + self.k * ((y - self.top) / self.height - 0.5))
        return x, y

    def all(self, points) -> list[tuple[float, float]]:
        return [self(p) for p in points]


def _limb(draw: ImageDraw.ImageDraw, points, width: float, colour: RGB) -> None:
    width = max(2, int(width))
    edge = max(1, width // 7)
    draw.line(points, fill=INK, width=width + 2 * edge, joint="curve")
    for x, y in (points[0], points[-1]):
        r = width / 2 + edge
        draw.ellipse([x - r, y - r, x + r, y + r], fill=INK)
    draw.line(points, fill=colour, width=width, joint="curve")
    for x, y in points:
        r = width / 2
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def _along(a, b, t: float, side: float = 0.0) -> tuple[float, float]:
    """The point `t` of the way from a to b, moved `side` (units) to the left of a→b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return a[0] + dx * t - dy / n * side, a[1] + dy * t + dx / n * side


def _colours(look, era: str, light: float) -> dict[str, RGB]:
    dim = (1 - light) * 0.45
    top = shade(look.outfit, -dim)
    legs = {"ancient": shade(top, -0.35), "future": top,
            "western": mix((96, 74, 52), top, 0.2)}.get(era,
                                                    shade(mix(top, (52, 62, 84), 0.55), -0.1))
    return {"top": top, "shadow": shade(top, -0.22), "legs": legs,
            "boots": shade(legs, -0.5) if era != "western" else (70, 46, 30),
            "skin": shade(look.skin, -dim * 0.7), "hair": shade(look.hair, -dim),
            "accent": look.accent, "coat": shade(mix(top, (70, 60, 52), 0.5), -0.15)}


def draw_body(image: Image.Image, look, cx: float, top: float, height: float, facing: int,
              light: float, pose: str = Pose.stand, expression: str = "calm",
              looming: float = 0.0, held: str | None = None, gesture: bool = False
              ) -> Figure:
    """Draw one figure. `top`/`height`: where a standing figure of the usual height would
    stand (head top to feet); taller or shorter characters keep their feet there."""
    traits, era = look.traits, look.era
    f = facing
    feet = top + height
    u = height * traits.height / HEADS
    top = feet - HEADS * u
    shoulders, waist = BUILD[traits.build]
    joints = skeleton(Pose(pose) if pose in Pose.__members__ else Pose.stand, width=shoulders)
    if gesture and pose == Pose.stand:  # talking: the front hand opens toward the listener
        joints.update(el_f=(0.9, 2.1), ha_f=(1.35, 1.85))
    if pose in (Pose.lie, Pose.fall):
        # a close shot cuts a standing figure at the knees; a body on the ground must
        # still be seen whole, so it is made to fit the frame's width and comes up into it
        xs = [x for x, _ in joints.values()]
        u = min(u, image.width * 0.85 / (max(xs) - min(xs) + 1.2))
        lowest = max(y for _, y in joints.values()) + 0.3
        top = min(feet, image.height * 0.97) - lowest * u
    m = _Map(cx, top, u, f, HEADS * u, looming)
    c = _colours(look, era, light)
    robot, creature = traits.kind == "robot", traits.kind == "creature"
    if robot:
        metal = mix(c["top"], (160, 166, 178), 0.55)
        c.update(top=metal, shadow=shade(metal, -0.25), legs=shade(metal, -0.15),
                 boots=shade(metal, -0.45), skin=shade(metal, -0.1))
    elif creature:
        c.update(legs=c["skin"], boots=shade(c["skin"], -0.4), top=shade(c["skin"], -0.1))
    draw = ImageDraw.Draw(image)
    limb = u * (0.3 if traits.build == "slim" else 0.44 if traits.build == "stout" else 0.36)
    arm = u * (0.2 if robot else 0.24) * (1.15 if traits.build in ("broad", "stout") else 1.0)
    j = {k: m(p) for k, p in joints.items()}
    if pose == Pose.sit:
        hx = joints["hip_b"][0]
        draw.polygon(m.all([(hx - 0.5, 4.5), (hx + 1.0, 4.5), (hx + 1.0, 4.75),
                            (hx - 0.5, 4.75)]), fill=(92, 70, 54), outline=INK)
        for lx in (hx - 0.4, hx + 0.9):
            draw.line(m.all([(lx, 4.75), (lx, 6.55)]), fill=INK, width=max(2, round(u * 0.1)))
    if "staff" in traits.accessories and pose not in (Pose.lie, Pose.fall):
        sx, sy = j["ha_b"]
        draw.line([(sx, sy - u * 2.2), (sx, min(sy + u * 3.2, m((0, 6.55))[1]))],
                  fill=(110, 80, 50), width=max(2, round(u * 0.12)))
    head_at = j["head"]
    hu = u * (1 - looming * 0.5)
    degrees = body_angle(Pose(pose)) * f if pose in Pose.__members__ else 0.0
    back, front, centre, features = head_layers(look, traits, pose, expression, hu, f, c["hair"],
                                      c["skin"])
    place_head(image, back, centre, head_at, degrees)
    # far limbs first, darker
    _limb(draw, [j["hip_b"], j["kn_b"], j["ft_b"]], limb, shade(c["legs"], -0.18))
    _boot(draw, j["kn_b"], j["ft_b"], u, f, shade(c["boots"], -0.1))
    _limb(draw, [j["sh_b"], j["el_b"], j["ha_b"]], arm, shade(c["shadow"], -0.1))
    _hand(draw, j["ha_b"], u, c["skin"], creature)
    if "coat" in traits.accessories and not robot:
        _coat(draw, joints, m, shoulders, c["coat"], u)
    _limb(draw, [j["hip_f"], j["kn_f"], j["ft_f"]], limb, c["legs"])
    _boot(draw, j["kn_f"], j["ft_f"], u, f, c["boots"])
    _torso(draw, joints, m, shoulders, waist, era, c, u, robot or creature)
    if "bag" in traits.accessories:
        draw.line([j["sh_f"], _along(j["hip_b"], j["hip_f"], -0.3)], fill=(90, 62, 40),
                  width=max(1, round(u * 0.08)))
        bx, by = _along(j["hip_b"], j["hip_f"], -0.3)
        draw.rounded_rectangle([bx - u * 0.3, by - u * 0.2, bx + u * 0.3, by + u * 0.3],
                               radius=u * 0.08, fill=(120, 84, 52), outline=INK)
    weapon = held or ("gun" if "gun" in traits.accessories else
                      "sword" if "sword" in traits.accessories else None)
    if pose != Pose.draw_weapon and weapon:
        _sheathed(draw, j, weapon, u, f)
    # the neck, then the head in front of the body
    draw.line([j["neck"], _along(j["neck"], j["head"], 0.5)], fill=c["skin"],
              width=max(2, round(u * 0.28)))
    place_head(image, front, centre, head_at, degrees)
    _limb(draw, [j["sh_f"], j["el_f"], j["ha_f"]], arm, c["top"])
    if pose == Pose.draw_weapon:
        _weapon(draw, j["el_f"], j["ha_f"], weapon or "gun", u)
    elif pose == Pose.hold_up:
        hx, hy = j["ha_f"]
        draw.rectangle([hx - u * 0.35, hy - u * 0.75, hx + u * 0.35, hy - u * 0.1],
                       fill=(238, 228, 200), outline=INK, width=max(1, round(u * 0.05)))
    _hand(draw, j["ha_f"], u, c["skin"], creature)
    box = (head_at[0] - hu * 0.42, head_at[1] - hu / 2, hu * 0.84, hu)
    local = [(box[0] + box[2] * ex, box[1] + box[3] * ey) for ex, ey in features]
    spots = turned(local, head_at, degrees)
    eyes = [] if pose == Pose.turn_away or robot else spots[:2]
    return Figure(character=look.id, head=box, mouth=spots[2], facing=f, pose=str(pose),
                  expression=str(expression), eyes=eyes)


def _hand(draw, at, u: float, skin: RGB, claws: bool) -> None:
    x, y = at
    r = u * 0.13
    draw.ellipse([x - r, y - r, x + r, y + r], fill=skin, outline=INK,
                 width=max(1, round(u * 0.04)))
    if claws:
        for dx in (-0.8, 0, 0.8):
            draw.line([(x + dx * r, y + r * 0.6), (x + dx * r * 1.2, y + r * 1.7)],
                      fill=(240, 236, 220), width=max(1, round(u * 0.04)))


def _boot(draw, knee, foot, u: float, f: int, colour: RGB) -> None:
    """A boot at the end of the shin, toe pointing the way the figure faces."""
    x, y = foot
    heel = _along(foot, knee, 0.12)
    draw.polygon([heel, (x - f * u * 0.14, y + u * 0.05), (x + f * u * 0.32, y + u * 0.05),
                  (x + f * u * 0.2, y - u * 0.18)], fill=colour, outline=INK)


def _torso(draw, joints, m: _Map, shoulders: float, waist: float, era: str, c, u: float,
           bare: bool) -> None:
    """The torso along the spine, cut for the era."""
    s = ((joints["sh_f"][0] + joints["sh_b"][0]) / 2, (joints["sh_f"][1] + joints["sh_b"][1]) / 2)
    p = ((joints["hip_f"][0] + joints["hip_b"][0]) / 2,
         (joints["hip_f"][1] + joints["hip_b"][1]) / 2)
    ws, ww = 0.62 * shoulders, 0.46 * waist
    hem = {"ancient": 0.5}.get(era, 0.12)
    local = [_along(s, p, -0.02, ws * 0.85), _along(s, p, 0.08, ws), _along(s, p, 0.75, ww * 0.95),
             _along(s, p, 1.0 + hem, ww * (1.3 if era == "ancient" else 1.02)),
             _along(s, p, 1.0 + hem, -ww * (1.3 if era == "ancient" else 1.02)),
             _along(s, p, 0.75, -ww * 0.95), _along(s, p, 0.08, -ws),
             _along(s, p, -0.02, -ws * 0.85)]
    line = max(1, round(u * 0.05))
    draw.polygon(m.all(local), fill=c["top"], outline=INK, width=line)
    # the side away from the light
    shadow = [_along(s, p, 0.1, -ws * 0.95), _along(s, p, 0.08, -ws * 0.2),
              _along(s, p, 1.0 + hem, -ww * 0.3), _along(s, p, 1.0 + hem, -ww)]
    draw.polygon(m.all(shadow), fill=c["shadow"])
    if bare:
        return
    if era == "ancient":
        draw.polygon(m.all([_along(s, p, 0.0, 0.3), _along(s, p, 0.3, 0.0),
                            _along(s, p, 0.0, -0.3)]), fill=shade(c["top"], 0.3), outline=INK)
        b0, b1 = _along(s, p, 0.78, ww), _along(s, p, 0.78, -ww)
        draw.line(m.all([b0, b1]), fill=c["accent"],
                  width=max(2, round(u * 0.16)))
    elif era == "future":
        draw.line(m.all([_along(s, p, 0.25, ws * 0.9), _along(s, p, 0.25, -ws * 0.9)]),
                  fill=c["accent"], width=max(2, round(u * 0.12)))
        for side in (1, -1):  # shoulder pads
            x, y = m(_along(s, p, 0.02, side * ws * 0.85))
            r = u * 0.2
            draw.ellipse([x - r, y - r, x + r, y + r], fill=c["accent"], outline=INK)
    elif era == "western":
        for side in (1, -1):  # an open vest over the shirt
            draw.polygon(m.all([_along(s, p, 0.0, side * ws * 0.3),
                                _along(s, p, 0.0, side * ws * 0.95),
                                _along(s, p, 1.05, side * ww), _along(s, p, 0.9, side * ww * 0.2)]),
                         fill=shade(c["accent"], -0.35), outline=INK)
    else:  # a jacket open at the front, lapels to the waist
        draw.line(m.all([_along(s, p, 0.0, 0.0), _along(s, p, 1.1, 0.0)]),
                  fill=shade(c["top"], -0.4), width=max(1, round(u * 0.06)))
        for side in (1, -1):
            draw.polygon(m.all([_along(s, p, -0.02, side * 0.25), _along(s, p, 0.45, 0.0),
                                _along(s, p, 0.05, side * ws * 0.5)]), fill=shade(c["top"], 0.25),
                         outline=INK)


def _coat(draw, joints, m: _Map, shoulders: float, colour: RGB, u: float) -> None:
    """A long coat: from the shoulders to below the knees, behind the near leg."""
    s = ((joints["sh_f"][0] + joints["sh_b"][0]) / 2, (joints["sh_f"][1] + joints["sh_b"][1]) / 2)
    p = ((joints["hip_f"][0] + joints["hip_b"][0]) / 2,
         (joints["hip_f"][1] + joints["hip_b"][1]) / 2)
    ws = 0.66 * shoulders
    draw.polygon(m.all([_along(s, p, 0.0, ws), _along(s, p, 1.85, ws * 1.15),
                        _along(s, p, 1.85, -ws * 1.15), _along(s, p, 0.0, -ws)]), fill=colour,
                 outline=INK, width=max(1, round(u * 0.05)))


def _sheathed(draw, j, weapon: str, u: float, f: int) -> None:
    """A sword at the hip (hilt forward) or a revolver in its holster."""
    hx, hy = j["hip_f"]
    line = max(1, round(u * 0.05))
    if weapon == "sword":
        tip = (j["hip_b"][0] - f * u * 0.7, j["hip_b"][1] + u * 1.1)
        draw.line([(hx, hy - u * 0.1), tip], fill=(60, 44, 36), width=max(2, round(u * 0.14)))
        draw.line([(hx, hy - u * 0.1), (hx + f * u * 0.4, hy - u * 0.45)], fill=(200, 170, 90),
                  width=max(2, round(u * 0.1)))
    else:
        draw.rectangle([hx - u * 0.12, hy, hx + u * 0.14, hy + u * 0.6], fill=(90, 58, 36),
                       outline=INK, width=line)
        draw.line([(hx, hy + u * 0.05), (hx - f * u * 0.15, hy - u * 0.2)], fill=(40, 38, 42),
                  width=max(2, round(u * 0.12)))


def _weapon(draw, elbow, hand, weapon: str, u: float) -> None:
    """What a drawn weapon looks like at the end of the arm, pointing along it."""
    metal, dark = (196, 200, 208), (36, 34, 38)
    if weapon == "sword":
        tip = _along(elbow, hand, 1.0 + 2.4 * u / max(1.0, math.dist(elbow, hand)), 0)
        tip = (tip[0], tip[1] - u * 1.4)
        draw.line([hand, tip], fill=INK, width=max(3, round(u * 0.16)))
        draw.line([hand, tip], fill=metal, width=max(2, round(u * 0.1)))
        return
    # a revolver: barrel along the arm, a cylinder, a wooden grip; outlined in light
    # metal so it reads against a dark coat or a night street
    length = 1.0 * u / max(1.0, math.dist(elbow, hand))
    muzzle = _along(elbow, hand, 1.0 + length, 0)
    width = max(3, round(u * 0.2))
    draw.line([hand, muzzle], fill=metal, width=width + 4)
    draw.line([hand, muzzle], fill=dark, width=width)
    cx, cy = _along(elbow, hand, 1.0 + length * 0.25, 0)
    r = u * 0.17
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=dark, outline=metal, width=2)
    gx, gy = hand
    draw.line([(gx, gy), (gx, gy + u * 0.4)], fill=(120, 80, 48), width=max(3, round(u * 0.18)))
