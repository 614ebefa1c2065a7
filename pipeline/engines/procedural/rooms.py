"""Rooms: a box of floor, walls and ceiling seen in one-point perspective, in the
materials of its era, with windows onto what lies outside and furniture inside.

Every room is the same few parts (as a set builder would make it): the shell's size
comes from the kind of room, its materials from the era (stone and wood lit by
torches; plaster and glass lit by lamps; metal panels lit by strips of light), the
view through its windows from the place and era (stars from a station, a city from an
office, the sea from a ship), and the furniture from `furniture.py`. The camera
stands at the open end looking in: a wide shot sees the whole room, a close shot the
middle of the far wall, out of focus.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from ...format.model import Era, Place
from .palette import RGB, mix, shade
from .scenery import LAMP, Set, View
from .space import view_out

INK = (30, 28, 34)
STRIP = (150, 230, 255)  # the cold light of the future
# width/2, height, depth of the shell, by kind of room (metres: a person is 1.75)
SHELL = {Place.hall: (2.4, 3.4, 7.0), Place.corridor: (1.0, 2.5, 12.0),
         Place.cellar: (2.0, 2.2, 4.5), Place.cabin: (1.5, 2.2, 3.2),
         Place.cockpit: (1.6, 2.0, 2.6), Place.throne_room: (2.6, 3.8, 8.0),
         Place.office: (2.6, 2.7, 6.0), Place.classroom: (2.4, 2.8, 5.5),
         Place.library: (2.0, 3.2, 5.5), Place.bridge: (2.4, 2.6, 4.5)}
PLAIN = (1.9, 2.6, 4.5)
WOODEN = ("wood", "saloon", "western", "frontier", "cabin", "tavern", "barn", "log", "ship",
          "inn", "cottage", "farm", "ranch")


class Room:
    """One room's geometry and materials; `at` maps room metres to panel pixels."""

    def __init__(self, stage: Set, image: Image.Image, view: View, place: Place, era: Era):
        self.stage, self.image, self.view = stage, image, view
        self.pen = ImageDraw.Draw(image)
        self.place, self.era = place, era
        self.rng = stage.rng(f"room-{place.value}")
        # the card's seed sizes the room and picks its paint: two offices are two rooms
        half, high, back = SHELL.get(place, PLAIN)
        self.half, self.high = half * self.rng.uniform(0.88, 1.12), high
        self.back = back * self.rng.uniform(0.85, 1.15)
        self.eye = min(1.55, self.high * 0.6)
        self.cx = view.x(0.5)
        self.f = view.h * view.zoom * 0.55
        self.wooden = era == Era.ancient and (
            any(w in stage.words for w in WOODEN) or place in (Place.cabin, Place.bar))
        warm = self.rng.choice([mix(stage.mid, stage.light, 0.35),
                                mix(stage.accent, stage.light, 0.45),
                                mix(stage.dark, stage.light, 0.55), mix(stage.mid, stage.dark, 0.2)])
        if era == Era.futuristic:
            warm = mix(warm, (150, 160, 175), 0.55)
        elif era == Era.ancient:
            warm = mix(warm, (150, 104, 70) if self.wooden else (150, 140, 124), 0.5)
        else:
            warm = mix(warm, (226, 222, 212), 0.3)
        if place == Place.cellar:  # bare, damp, dim
            warm = shade(mix(warm, (120, 116, 108), 0.5), -0.25)
        self.wall = stage.dim(warm, 0.35)
        floor = mix(stage.dark, self.rng.choice([stage.mid, stage.accent]), 0.4)
        if era == Era.ancient:
            floor = mix(floor, (92, 62, 40), 0.5)
        elif era == Era.futuristic:
            floor = mix(floor, (60, 66, 78), 0.5)
        self.floor = stage.dim(floor, 0.3)
        self.lights_on = stage.lit or place in (Place.cellar, Place.corridor, Place.bar,
                                                Place.cockpit, Place.bridge) \
            or era == Era.futuristic

    def at(self, x: float, y: float, z: float) -> tuple[float, float]:
        return self.cx + x * self.f / z, self.view.horizon + (self.eye - y) * self.f / z

    def quad(self, corners: list[tuple[float, float, float]], fill: RGB,
             outline: RGB | None = None) -> None:
        self.pen.polygon([self.at(*c) for c in corners], fill=fill, outline=outline)

    def box(self, x0: float, x1: float, y0: float, y1: float, z0: float, z1: float,
            colour: RGB, line: bool = True) -> None:
        """A solid block: its sides toward the camera, then its top, then its front."""
        ink = INK if line else None
        if x1 < 0:
            self.quad([(x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)],
                      shade(colour, -0.22), ink)
        if x0 > 0:
            self.quad([(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)],
                      shade(colour, -0.22), ink)
        if y1 < self.eye:
            self.quad([(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)],
                      shade(colour, 0.14), ink)
        elif y0 > self.eye:
            self.quad([(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)],
                      shade(colour, -0.3), ink)
        self.quad([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)], colour, ink)

    def glow(self, x: float, y: float, z: float, size: float, colour: RGB = LAMP) -> None:
        px, py = self.at(x, y, z)
        r = size * self.f / z
        behind = self.wall
        for k, t in ((2.4, 0.85), (1.6, 0.6), (1.0, 0.0)):
            self.pen.ellipse([px - r * k, py - r * k, px + r * k, py + r * k],
                             fill=mix(colour, behind, t))

    # ---- the shell ------------------------------------------------------------------

    def shell(self) -> None:
        h, hi, b = self.half, self.high, self.back
        near = 0.45
        wall, side = self.wall, shade(self.wall, -0.12)
        self.pen.rectangle([0, 0, self.view.w, self.view.h], fill=shade(wall, -0.3))
        self.quad([(-h, 0, near), (-h, 0, b), (-h, hi, b), (-h, hi, near)], side)
        self.quad([(h, 0, near), (h, 0, b), (h, hi, b), (h, hi, near)], side)
        self.quad([(-h, hi, near), (h, hi, near), (h, hi, b), (-h, hi, b)],
                  shade(wall, -0.4 if self.era != Era.modern else -0.2))
        self.quad([(-h, 0, near), (h, 0, near), (h, 0, b), (-h, 0, b)], self.floor)
        self.quad([(-h, 0, b), (h, 0, b), (h, hi, b), (-h, hi, b)], wall, INK)
        self._materials()

    def _materials(self) -> None:
        h, hi, b = self.half, self.high, self.back
        seam = shade(self.wall, -0.18)
        floor_line = shade(self.floor, -0.18)
        pen = self.pen
        zs = [0.6 * 1.35 ** k for k in range(12) if 0.6 * 1.35 ** k < b]
        if self.era == Era.ancient:
            for z in zs:  # floor boards across, stone courses or planks along the walls
                pen.line([self.at(-h, 0, z), self.at(h, 0, z)], fill=floor_line)
            step = 0.22 if self.wooden else 0.45
            y = step
            while y < hi:
                for side in (-h, h):
                    pen.line([self.at(side, y, 0.45), self.at(side, y, b)], fill=seam)
                pen.line([self.at(-h, y, b), self.at(h, y, b)], fill=seam)
                y += step
            for k, z in enumerate(zs):  # beams overhead
                if k % 2:
                    self.quad([(-h, hi, z), (h, hi, z), (h, hi - 0.18, z), (-h, hi - 0.18, z)],
                              shade(self.wall, -0.5))
        elif self.era == Era.modern:
            for x in (-0.75, -0.25, 0.25, 0.75):  # tiles
                pen.line([self.at(x * h * 2, 0, 0.45), self.at(x * h * 2, 0, b)],
                         fill=floor_line)
            for z in zs[::2]:
                pen.line([self.at(-h, 0, z), self.at(h, 0, z)], fill=floor_line)
            for side in (-h, h):  # skirting boards
                self.quad([(side, 0, 0.45), (side, 0, b), (side, 0.12, b), (side, 0.12, 0.45)],
                          shade(self.wall, -0.3))
            pendants = self.rng.random() < 0.5  # the room's own lights: panels or lamps
            for z in zs[1::2] if self.place not in (Place.cellar, Place.cockpit) else ():
                if pendants and z > 1.4:  # nearer, a lamp would fill the frame
                    for x in (-h * 0.45, h * 0.45):
                        pen.line([self.at(x, hi, z), self.at(x, hi - 0.45, z)], fill=INK)
                        self.glow(x, hi - 0.5, z, 0.05, (255, 240, 200))
                else:
                    self.quad([(-0.45, hi, z), (0.45, hi, z), (0.45, hi, z + 0.5),
                               (-0.45, hi, z + 0.5)], mix(self.wall, (250, 250, 240), 0.7))
        else:
            for z in zs:  # panels and gratings
                for side in (-h, h):
                    pen.line([self.at(side, 0, z), self.at(side, hi, z)], fill=seam, width=2)
                pen.line([self.at(-h, 0, z), self.at(h, 0, z)], fill=floor_line)
                pen.line([self.at(-h, hi, z), self.at(h, hi, z)], fill=seam)
            strip = self.stage.dim(mix(STRIP, self.stage.accent, 0.3), 0.15)
            for side in (-h, h):  # light strips where the walls meet floor and ceiling
                for y in (0.08, hi - 0.1):
                    pen.line([self.at(side, y, 0.5), self.at(side, y, b)], fill=strip,
                             width=max(2, int(self.f / 60)))
            pen.line([self.at(0, hi, 0.5), self.at(0, hi, b)], fill=strip,
                     width=max(3, int(self.f / 40)))

    # ---- windows ----------------------------------------------------------------------

    def window(self, x0: float, x1: float, y0: float, y1: float, z: float | None = None,
               side: int = 0, round_: bool = False) -> None:
        """A window on the back wall (side 0) or a side wall (-1, 1), and the view through it."""
        if side:
            x = side * self.half
            corners = [self.at(x, y0, x0), self.at(x, y0, x1), self.at(x, y1, x1),
                       self.at(x, y1, x0)]
        else:
            z = self.back if z is None else z
            corners = [self.at(x0, y0, z), self.at(x1, y0, z), self.at(x1, y1, z),
                       self.at(x0, y1, z)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        box = (int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1)
        if box[2] - box[0] < 3 or box[3] - box[1] < 3:
            return
        outside = self.outside((box[2] - box[0], box[3] - box[1]))
        mask = Image.new("L", outside.size, 0)
        local = [(px - box[0], py - box[1]) for px, py in corners]
        if round_:
            ImageDraw.Draw(mask).ellipse([0, 0, *outside.size], fill=255)
        else:
            ImageDraw.Draw(mask).polygon(local, fill=255)
        self.image.paste(outside, box[:2], mask)
        frame = shade(self.wall, -0.45) if self.era != Era.futuristic else (70, 76, 90)
        width = max(2, int(self.f / 50))
        if round_:
            self.pen.ellipse(box, outline=frame, width=width * 2)
        else:
            self.pen.polygon(corners, outline=frame, width=width)
            if self.era != Era.futuristic:  # mullions: a cross through the middle

                def mid(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
                    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2

                c = corners
                self.pen.line([mid(c[0], c[1]), mid(c[3], c[2])], fill=frame, width=width)
                self.pen.line([mid(c[0], c[3]), mid(c[1], c[2])], fill=frame, width=width)

    def outside(self, size: tuple[int, int]) -> Image.Image:
        """What a window shows: stars, a city, the sea or the sky, by place and era."""
        return view_out(self.stage, self.place, self.era, size)

    # ---- lights -------------------------------------------------------------------

    def wall_lights(self, zs: tuple[float, ...], y: float = 1.9) -> None:
        """Torches or sconces down both walls, by era."""
        for z in zs:
            for side in (-1, 1):
                x = side * (self.half - 0.02)
                if self.era == Era.ancient:
                    self.quad([(x, y - 0.35, z), (x, y - 0.35, z + 0.06), (x, y, z + 0.06),
                               (x, y, z)], (70, 48, 30), INK)
                    self.glow(x - side * 0.05, y + 0.08, z, 0.09, (255, 170, 70))
                elif self.era == Era.modern:
                    self.glow(x - side * 0.03, y, z, 0.08, (255, 236, 190) if self.lights_on
                              else shade(self.wall, 0.2))
                else:
                    self.quad([(x, 0.3, z), (x, 0.3, z + 0.5), (x, 1.4, z + 0.5),
                               (x, 1.4, z)], (40, 70, 96), (100, 200, 240))


def water(room: Room, level: float = 0.12) -> None:
    """A flooded floor: a sheet of water with ripples and the lights reflected."""
    h, b = room.half, room.back
    stage = room.stage
    sheet = stage.dim(mix(mix(room.floor, (28, 74, 90), 0.8), room.wall, 0.1), 0.2)
    room.quad([(-h, level, 0.45), (h, level, 0.45), (h, level, b), (-h, level, b)], sheet)
    # the far wall and the lights, reflected upside down and broken by ripples
    x0, y0 = room.at(-h, level, b)
    x1, _ = room.at(h, level, b)
    mirror = shade(mix(room.wall, sheet, 0.5), -0.1)
    room.pen.rectangle([x0, y0, x1, y0 + (y0 - room.at(0, room.high, b)[1]) * 0.5], fill=mirror)
    rng = stage.rng("ripples")
    light = shade(sheet, 0.45)
    for _ in range(int(110 * room.view.zoom)):
        x, z = rng.uniform(-h, h), rng.uniform(0.6, b)
        w = rng.uniform(0.1, 0.5)
        room.pen.line([room.at(x, level, z), room.at(x + w, level, z)], fill=light,
                      width=max(1, int(room.f / z / 120)))
    for side in (-h, h):  # the waterline on the walls
        room.pen.line([room.at(side, level, 0.45), room.at(side, level, b)],
                      fill=shade(sheet, -0.3), width=2)

