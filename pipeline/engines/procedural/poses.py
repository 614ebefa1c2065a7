"""Poses as skeletons: where a figure's joints are for each thing a paragraph says it does.

A pose is fourteen joints in head-units, for a figure facing right with the top of
its head at y=0 when standing (feet at y=HEADS). The body drawer mirrors it for a
figure facing left, scales it to the shot and, for falling or lying, turns it
about the feet or the hips. Poses are data, so a new one is a table row.
"""

from __future__ import annotations

import math

from .acting import Pose

Point = tuple[float, float]
HEADS = 6.6

# front = the side toward the way the figure faces (nearer the viewer's eye line)
STAND: dict[str, Point] = {
    "head": (0.04, 0.5), "neck": (0.0, 1.05),
    "sh_f": (0.5, 1.3), "sh_b": (-0.5, 1.3),
    "el_f": (0.62, 2.3), "el_b": (-0.62, 2.3),
    "ha_f": (0.6, 3.25), "ha_b": (-0.6, 3.25),
    "hip_f": (0.22, 3.35), "hip_b": (-0.22, 3.35),
    "kn_f": (0.22, 4.95), "kn_b": (-0.22, 4.95),
    "ft_f": (0.22, 6.45), "ft_b": (-0.22, 6.45),
}


def _with(base: dict[str, Point], **joints: Point) -> dict[str, Point]:
    out = dict(base)
    out.update(joints)
    return out


def _shift(base: dict[str, Point], keys: tuple[str, ...], dx: float, dy: float
           ) -> dict[str, Point]:
    return {k: (x + dx, y + dy) if k in keys else (x, y) for k, (x, y) in base.items()}


UPPER = ("head", "neck", "sh_f", "sh_b", "el_f", "el_b", "ha_f", "ha_b")

SKELETONS: dict[Pose, dict[str, Point]] = {
    Pose.stand: STAND,
    Pose.walk: _with(STAND, kn_f=(0.5, 4.9), ft_f=(0.85, 6.4), kn_b=(-0.2, 4.95),
                     ft_b=(-0.6, 6.4), el_f=(0.2, 2.3), ha_f=(-0.1, 3.1), el_b=(-0.2, 2.3),
                     ha_b=(0.15, 3.15)),
    Pose.run: _with(_shift(STAND, UPPER, 0.45, 0.15), neck=(0.4, 1.2),
                    kn_f=(1.05, 4.2), ft_f=(0.75, 5.6), kn_b=(-0.55, 4.85), ft_b=(-1.35, 5.9),
                    el_f=(1.15, 2.3), ha_f=(1.55, 1.75), el_b=(-0.3, 2.5), ha_b=(-0.85, 2.9)),
    Pose.sit: _with(_shift(STAND, UPPER, 0.0, 1.0), hip_f=(0.2, 4.35), hip_b=(-0.2, 4.35),
                    kn_f=(1.5, 4.3), kn_b=(1.3, 4.4), ft_f=(1.55, 6.45), ft_b=(1.3, 6.45),
                    el_f=(0.7, 3.3), ha_f=(1.35, 3.9), el_b=(-0.3, 3.3), ha_b=(0.9, 4.0)),
    Pose.kneel: _with(_shift(STAND, UPPER, 0.15, 1.35), hip_f=(0.3, 4.7), hip_b=(0.0, 4.7),
                      kn_f=(1.2, 4.75), ft_f=(1.15, 6.45), kn_b=(0.3, 6.3), ft_b=(-1.05, 6.45),
                      el_f=(0.95, 3.5), ha_f=(1.2, 4.5), el_b=(-0.35, 3.6), ha_b=(-0.3, 4.5)),
    Pose.point: _with(STAND, el_f=(1.2, 1.4), ha_f=(2.0, 1.35)),
    Pose.reach: _with(_shift(STAND, UPPER, 0.25, 0.05), el_f=(1.25, 1.7),
                      ha_f=(2.05, 1.95), el_b=(0.3, 2.2), ha_b=(0.75, 2.6),
                      kn_f=(0.6, 4.9), ft_f=(0.9, 6.45)),
    Pose.hold_up: _with(STAND, el_f=(0.95, 0.75), ha_f=(0.85, -0.35)),
    Pose.draw_weapon: _with(STAND, el_f=(0.95, 1.5), ha_f=(1.55, 1.45), el_b=(-0.75, 2.1),
                            ha_b=(-0.55, 2.9), kn_f=(0.55, 4.95), ft_f=(0.85, 6.45),
                            kn_b=(-0.5, 4.95), ft_b=(-0.75, 6.45)),
    Pose.embrace: _with(_shift(STAND, UPPER, 0.2, 0.0), el_f=(1.15, 2.0), ha_f=(1.3, 1.6),
                        el_b=(0.6, 2.2), ha_b=(1.25, 1.9)),
    Pose.turn_away: STAND,
    Pose.look_up: STAND,
    Pose.look_down: STAND,
    Pose.float: _with(_shift(STAND, UPPER, 0.0, 0.0), el_f=(1.2, 1.0), ha_f=(1.8, 0.6),
                      el_b=(-1.2, 1.2), ha_b=(-1.8, 1.0), kn_f=(0.6, 4.6), ft_f=(0.3, 6.0),
                      kn_b=(-0.2, 5.0), ft_b=(-0.7, 6.2)),
}
SKELETONS[Pose.lie] = _with(STAND, ha_f=(0.45, 3.3), ha_b=(-0.45, 3.3))
SKELETONS[Pose.fall] = _with(STAND, el_f=(1.05, 1.0), ha_f=(1.5, 0.2), el_b=(-1.0, 1.2),
                             ha_b=(-1.45, 0.5), kn_f=(0.7, 4.6), ft_f=(1.3, 5.6))

# how far a pose turns the whole body (degrees, + leans the head back, away from
# where the figure faces) and where it turns about; the head's own tilt
TURN = {Pose.fall: (55.0, "ft_b"), Pose.lie: (90.0, "hip_b"), Pose.float: (-15.0, "hip_b")}
HEAD_TILT = {Pose.look_up: 22.0, Pose.look_down: -20.0, Pose.kneel: -8.0, Pose.fall: 0.0}
LIFT = {Pose.lie: 2.75, Pose.float: -0.8}  # head-units the body moves down (+) after turning


def skeleton(pose: Pose, stretch: float = 1.0, width: float = 1.0) -> dict[str, Point]:
    """The pose's joints, widened for a build (`width`) and turned as the pose asks."""
    joints = {k: (x * (width if k.startswith(("sh", "hip")) else 1.0), y)
              for k, (x, y) in SKELETONS.get(pose, STAND).items()}
    degrees, about = TURN.get(pose, (0.0, ""))
    if degrees:
        px, py = joints[about]
        theta = math.radians(-degrees)  # leaning back: the head goes away from the facing
        cos, sin = math.cos(theta), math.sin(theta)
        joints = {k: (px + (x - px) * cos - (y - py) * sin, py + (x - px) * sin + (y - py) * cos)
                  for k, (x, y) in joints.items()}
        # the turned body stays over the spot the figure was given
        middle = (min(x for x, _ in joints.values()) + max(x for x, _ in joints.values())) / 2
        joints = {k: (x - middle, y) for k, (x, y) in joints.items()}
    lift = LIFT.get(pose, 0.0)
    if lift:
        joints = {k: (x, y + lift) for k, (x, y) in joints.items()}
    return joints


def body_angle(pose: Pose) -> float:
    """Degrees the body's long axis is turned from upright (for the head's picture)."""
    return TURN.get(pose, (0.0, ""))[0] + HEAD_TILT.get(pose, 0.0)
