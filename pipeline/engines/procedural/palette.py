"""Colour helpers shared by the procedural engine's layers."""

from __future__ import annotations

import colorsys
import hashlib

RGB = tuple[int, int, int]


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore


def shade(colour: RGB, amount: float) -> RGB:
    """amount < 0 darkens toward black, > 0 lightens toward white."""
    return mix(colour, (0, 0, 0) if amount < 0 else (255, 255, 255), abs(amount))


def luminance(colour: RGB) -> float:
    r, g, b = colour
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


def from_name(name: str, saturation: float = 0.45, value: float = 0.75) -> RGB:
    """A stable colour for a name, for characters who give none."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def stable_int(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)
