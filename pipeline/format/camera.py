"""The camera language a writer can name in an outline, and what each means."""

from __future__ import annotations

from enum import StrEnum


class Shot(StrEnum):
    extreme_wide_shot = "extreme_wide_shot"
    wide_shot = "wide_shot"
    full_shot = "full_shot"
    medium_shot = "medium_shot"
    medium_close_up = "medium_close_up"
    close_up = "close_up"
    extreme_close_up = "extreme_close_up"
    over_the_shoulder = "over_the_shoulder"
    insert = "insert"


def shot_words(shot: Shot) -> str:
    """'close_up' -> 'close-up', 'medium_shot' -> 'medium shot': a shot as a writer says it."""
    return shot.value.replace("close_up", "close-up").replace("_", " ")


class Angle(StrEnum):
    eye_level = "eye_level"
    high_angle = "high_angle"
    low_angle = "low_angle"
    birds_eye = "birds_eye"
    worms_eye = "worms_eye"
    dutch = "dutch"


# How much of a standing figure's height the frame shows, per shot: the art stage
# scales figures by this, so a wide shot shows small people in a big place.
FIGURE_HEIGHT = {
    Shot.extreme_wide_shot: 0.18,
    Shot.wide_shot: 0.42,
    Shot.full_shot: 0.78,
    Shot.medium_shot: 1.45,
    Shot.medium_close_up: 2.1,
    Shot.close_up: 3.2,
    Shot.extreme_close_up: 5.5,
    Shot.over_the_shoulder: 1.7,
    Shot.insert: 0.0,
}

# Shots that open a scene well: the planner gives them the page's wide slot.
ESTABLISHING = {Shot.extreme_wide_shot, Shot.wide_shot}

SHOT_NAMES = [s.value for s in Shot]
ANGLE_NAMES = [a.value for a in Angle]
