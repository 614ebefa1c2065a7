"""What fills each kind of room: desks and screens, shelves, beds, counters, boards,
consoles, pipes, all made of blocks in the room's perspective.

Each room keeps the middle of the floor free near the camera (that is where the cast
stands) and puts its furniture along the walls and at the back, as a stage set does.
The era changes the pieces (a monitor or a candle on a desk, a chalkboard or a screen
on the wall); the scene's seed changes how many and where, so two offices differ.
"""

from __future__ import annotations

from ...format.model import Era, Place
from .palette import RGB, mix, shade
from .rooms import INK, STRIP, Room, water
from .scenery import LAMP

WOOD = (120, 82, 52)
METAL = (118, 126, 140)
SCREEN = (110, 190, 230)


def _wood(room: Room) -> RGB:
    era = room.era
    base = WOOD if era == Era.ancient else (150, 140, 128) if era == Era.modern else METAL
    return room.stage.dim(mix(base, room.stage.accent, 0.15), 0.3)


def _screen(room: Room, x0: float, x1: float, y0: float, y1: float, z: float) -> None:
    """A monitor (modern) or a floating pane of light (futuristic) facing the camera."""
    if room.era == Era.futuristic:
        room.quad([(x0, y0, z), (x1, y0, z), (x1, y1, z), (x0, y1, z)],
                  mix(SCREEN, room.wall, 0.35), STRIP)
    else:
        room.box(x0, x1, y0, y1, z, z + 0.05, (40, 42, 48))
        glow = mix(SCREEN, (40, 42, 48), 0.2 if room.lights_on else 0.45)
        pad = (x1 - x0) * 0.08
        room.quad([(x0 + pad, y0 + pad, z), (x1 - pad, y0 + pad, z), (x1 - pad, y1 - pad, z),
                   (x0 + pad, y1 - pad, z)], glow)


def _desk(room: Room, x0: float, x1: float, z: float, depth: float = 0.7,
          top: float = 0.75) -> None:
    colour = _wood(room)
    room.box(x0, x1, top - 0.06, top, z, z + depth, colour)
    for x in (x0 + 0.04, x1 - 0.08):
        room.box(x, x + 0.04, 0, top - 0.06, z + depth - 0.06, z + depth - 0.02,
                 shade(colour, -0.3), line=False)
        room.box(x, x + 0.04, 0, top - 0.06, z + 0.02, z + 0.06, shade(colour, -0.3),
                 line=False)
    mid = (x0 + x1) / 2
    if room.era == Era.ancient:  # a candle and papers
        room.box(mid - 0.2, mid + 0.1, top, top + 0.01, z + 0.2, z + 0.5, (232, 224, 200))
        room.box(mid + 0.15, mid + 0.19, top, top + 0.15, z + 0.3, z + 0.34, (240, 236, 220))
        room.glow(mid + 0.17, top + 0.2, z + 0.3, 0.03)
    else:
        _screen(room, mid - 0.25, mid + 0.25, top + 0.05, top + 0.42, z + depth * 0.6)


def _shelves(room: Room, side: int, z0: float, z1: float, top: float, books: bool) -> None:
    """Shelves against a side wall, lined with book spines or bottles and boxes."""
    x = side * room.half
    inner = x - side * 0.35
    colour = shade(_wood(room), -0.1)
    room.box(min(x, inner), max(x, inner), 0, top, z0, z1, colour)
    rng = room.stage.rng(f"shelf{side}{z0}")
    y = 0.3
    while y < top - 0.2:
        z = z0
        while z < z1 - 0.05:
            wide = rng.uniform(0.05, 0.12) if books else rng.uniform(0.1, 0.25)
            tall = rng.uniform(0.22, 0.34) if books else rng.uniform(0.1, 0.3)
            hue = rng.choice([room.stage.accent, room.stage.mid, (150, 40, 40), (40, 70, 120),
                              (200, 180, 120), (60, 110, 70)])
            room.quad([(inner, y, z), (inner, y, z + wide), (inner, y + tall, z + wide),
                       (inner, y + tall, z)], room.stage.dim(hue, 0.3))
            z += wide + (0.0 if books else rng.uniform(0.02, 0.1))
        room.quad([(inner, y - 0.03, z0), (inner, y - 0.03, z1), (inner, y, z1),
                   (inner, y, z0)], shade(colour, -0.35))
        y += 0.42


def _pillars(room: Room, zs: tuple[float, ...]) -> None:
    colour = (mix(room.stage.accent, room.stage.dark, 0.55) if room.era == Era.ancient
              else mix(room.wall, (240, 240, 236), 0.5) if room.era == Era.modern else METAL)
    colour = room.stage.dim(colour, 0.3)
    for z in zs:
        for side in (-1, 1):
            x = side * (room.half - 0.3)
            room.box(x - 0.14, x + 0.14, 0, room.high, z, z + 0.28, colour)
            if room.era == Era.futuristic:
                room.quad([(x - 0.03, 0.2, z), (x + 0.03, 0.2, z), (x + 0.03, room.high, z),
                           (x - 0.03, room.high, z)], STRIP)


def _runner(room: Room, colour: RGB) -> None:
    room.quad([(-0.45, 0.001, 0.5), (0.45, 0.001, 0.5), (0.45, 0.001, room.back),
               (-0.45, 0.001, room.back)], colour)


def _doors(room: Room, zs: tuple[float, ...]) -> None:
    for z in zs:
        for side in (-1, 1):
            x = side * room.half
            door = shade(room.wall, -0.35) if room.era != Era.futuristic else (52, 60, 74)
            room.quad([(x, 0, z), (x, 0, z + 0.8), (x, 2.0, z + 0.8), (x, 2.0, z)], door, INK)
            if room.era == Era.futuristic:
                room.quad([(x, 2.05, z), (x, 2.05, z + 0.8), (x, 2.12, z + 0.8),
                           (x, 2.12, z)], STRIP)


def _pipes(room: Room, count: int) -> None:
    pipe = room.stage.dim((96, 90, 84) if room.era != Era.futuristic else METAL, 0.3)
    for i in range(count):
        side = -1 if i % 2 else 1
        x, y = side * (room.half - 0.12 - 0.1 * (i // 2)), room.high - 0.12 - 0.1 * (i // 2)
        room.pen.line([room.at(x, y, 0.5), room.at(x, y, room.back)], fill=pipe,
                      width=max(2, int(room.f * 0.09 / 1.5)))


def hall(room: Room) -> None:
    _runner(room, room.stage.dim(mix(room.stage.accent, (120, 30, 40), 0.35), 0.3))
    room.window(-0.7, 0.7, 1.2, 2.8)
    _pillars(room, (1.4, 2.6, 4.0, 5.6))
    room.wall_lights((2.0, 3.3, 4.8))


def throne_room(room: Room) -> None:
    _runner(room, room.stage.dim((140, 30, 40), 0.3))
    b = room.back
    for k, y in enumerate((0.0, 0.15, 0.3)):  # the dais
        room.box(-1.4 + k * 0.25, 1.4 - k * 0.25, y, y + 0.15, b - 1.8 + k * 0.3, b - 0.05,
                 room.stage.dim((150, 140, 130), 0.3))
    gold = room.stage.dim((214, 170, 60), 0.3)
    room.box(-0.45, 0.45, 0.45, 2.6, b - 0.7, b - 0.5, gold)
    room.box(-0.5, 0.5, 0.45, 0.95, b - 1.1, b - 0.7, mix(gold, (140, 30, 40), 0.5))
    for z in (1.8, 3.4, 5.0):  # banners
        for side in (-1, 1):
            x = side * (room.half - 0.01)
            room.quad([(x, 1.2, z), (x, 1.2, z + 0.6), (x, 3.2, z + 0.6), (x, 3.2, z)],
                      room.stage.dim(room.stage.accent, 0.3), INK)
    _pillars(room, (1.4, 2.8, 4.4, 6.2))
    room.wall_lights((2.2, 3.6, 5.3))


def room_(room: Room) -> None:
    room.window(-1.2, -0.2, 1.0, 2.1)
    room.box(-room.half, -room.half + 0.5, 0, 1.6, 2.2, 3.4, shade(_wood(room), -0.1))
    if room.era == Era.ancient:  # a fireplace
        room.box(0.3, 1.5, 0, 1.3, room.back - 0.3, room.back, (120, 110, 100))
        room.box(0.55, 1.25, 0.05, 0.8, room.back - 0.31, room.back - 0.3, (30, 24, 20))
        room.glow(0.9, 0.3, room.back - 0.32, 0.15, (255, 150, 60))
    else:
        room.quad([(0.4, 1.2, room.back), (1.3, 1.2, room.back), (1.3, 1.8, room.back),
                   (0.4, 1.8, room.back)], room.stage.dim(room.stage.accent, 0.3), INK)
        room.box(0.2, 1.7, 0, 0.45, room.back - 1.0, room.back - 0.2,
                 room.stage.dim(mix(room.stage.accent, room.stage.mid, 0.5), 0.3))
    _desk(room, -0.6, 0.4, 3.6, 0.8) if room.era != Era.ancient else room.box(
        -0.6, 0.4, 0.7, 0.76, 3.6, 4.4, _wood(room))


def office(room: Room) -> None:
    rng = room.stage.rng("desks")
    left = rng.uniform(-room.half + 0.2, -0.6)
    room.window(left, rng.uniform(0.6, room.half - 0.2), rng.uniform(0.8, 1.1), 2.4)
    rows = rng.choice((2, 3, 4))
    walls = rng.random() < 0.5  # desks along the walls, or in pods either side of an aisle
    for i in reversed(range(rows)):  # far rows first: the near ones hide them
        z = 2.4 + i * (room.back - 3.2) / rows
        for side in (-1, 1):
            inner, outer = side * 0.7, side * (room.half - 0.1)
            if walls:
                inner = side * (room.half - 1.0)
            if room.era == Era.modern:  # low cubicle walls behind each desk
                room.box(min(inner, outer), max(inner, outer), 0, 1.0, z + 0.75, z + 0.8,
                         room.stage.dim(mix(room.stage.mid, (170, 170, 170), 0.5), 0.3))
            _desk(room, min(inner, outer), max(inner, outer), z)


def classroom(room: Room) -> None:
    b = room.back
    board = {Era.ancient: (46, 52, 50), Era.modern: (40, 78, 58)}.get(room.era, SCREEN)
    room.box(-1.6, 1.6, 0.9, 2.1, b - 0.06, b, room.stage.dim(board, 0.2))
    rng = room.stage.rng("chalk")
    chalk = (236, 236, 226) if room.era != Era.futuristic else (255, 255, 255)
    for k in range(4):
        y = 1.9 - k * 0.22
        x = -1.45
        while x < rng.uniform(0.2, 1.3):
            w = rng.uniform(0.1, 0.3)
            room.pen.line([room.at(x, y, b - 0.07), room.at(x + w, y, b - 0.07)], fill=chalk,
                          width=max(1, int(room.f / b / 60)))
            x += w + 0.08
    _desk(room, -0.5, 0.5, b - 1.3, 0.6)
    for x in (-1.9, -1.2, 0.9, 1.6):
        for z in (3.3, 2.4, 1.5):
            room.box(x, x + 0.5, 0.68, 0.72, z, z + 0.45, _wood(room))
            room.box(x + 0.05, x + 0.45, 0, 0.68, z + 0.38, z + 0.45, shade(_wood(room), -0.3))
    for z0 in (2.0, 3.6):
        room.window(z0, z0 + 1.1, 1.0, 2.3, side=-1)


def bar(room: Room) -> None:
    b, h = room.back, room.half
    wood = _wood(room)
    _shelves(room, 1, 1.2, b - 0.4, 2.0, books=False)
    room.box(h - 1.2, h - 0.6, 0, 1.08, 1.2, b - 0.6, shade(wood, -0.05))  # the counter
    for z in (3.6, 2.9, 2.2, 1.5):
        room.box(h - 1.55, h - 1.3, 0.72, 0.78, z, z + 0.25, shade(wood, -0.2))
        room.box(h - 1.45, h - 1.4, 0, 0.72, z + 0.1, z + 0.15, shade(wood, -0.4), line=False)
    for z in (3.2, 1.8):  # tables with chairs on the other side
        room.box(-h + 0.3, -h + 1.1, 0.72, 0.78, z, z + 0.6, wood)
        room.box(-h + 0.65, -h + 0.75, 0, 0.72, z + 0.25, z + 0.35, shade(wood, -0.4))
    if room.era == Era.modern:  # a neon sign on the back wall
        room.pen.rounded_rectangle([room.at(-1.0, 2.2, b), room.at(0.2, 1.7, b)], radius=6,
                                   outline=mix(room.stage.accent, (255, 80, 160), 0.6),
                                   width=max(2, int(room.f / b / 20)))
    for z in (1.8, 3.0, 4.2):  # lamps hung over the room
        colour = LAMP if room.era != Era.futuristic else STRIP
        room.pen.line([room.at(0, room.high, z), room.at(0, 2.1, z)], fill=INK)
        room.glow(0, 2.05, z, 0.07, colour)
    room.window(-1.3, -0.3, 0.9, 2.0)


def kitchen(room: Room) -> None:
    b, h = room.back, room.half
    top = mix(_wood(room), (220, 220, 214), 0.3 if room.era == Era.modern else 0.0)
    for side in (-1, 1):
        x0 = side * h
        room.box(min(x0, x0 - side * 0.6), max(x0, x0 - side * 0.6), 0, 0.9, 1.5, b - 0.1,
                 top)
        room.box(min(x0, x0 - side * 0.35), max(x0, x0 - side * 0.35), 1.5, 2.2, 1.5, b - 0.1,
                 shade(top, 0.05))
    room.box(-h + 0.6, h - 0.6, 0, 0.9, b - 0.6, b, top)
    if room.era == Era.ancient:  # a hearth with a pot over the fire
        room.box(-0.7, 0.7, 0, 1.6, b - 0.62, b - 0.6, (110, 100, 92))
        room.box(-0.45, 0.45, 0.05, 1.0, b - 0.63, b - 0.62, (26, 20, 18))
        room.glow(0, 0.3, b - 0.64, 0.2, (255, 140, 50))
    else:
        room.box(-0.4, 0.4, 0.9, 0.94, b - 0.55, b - 0.05, (40, 40, 44))  # the hob
        room.window(-0.5, 0.5, 1.25, 2.0)
    for x in (-0.6, -0.2, 0.3):  # pans hung from a rail
        room.pen.line([room.at(x, room.high, 3.0), room.at(x, 1.9, 3.0)], fill=INK)
        room.pen.ellipse([*room.at(x - 0.12, 1.9, 3.0), *room.at(x + 0.12, 1.7, 3.0)],
                         fill=room.stage.dim((90, 90, 96), 0.3), outline=INK)


def bedroom(room: Room) -> None:
    b, h = room.back, room.half
    room.window(-0.4, 0.8, 1.0, 2.1)
    frame = _wood(room)
    room.box(-h, -h + 1.4, 0, 0.95, b - 2.3, b - 2.2, shade(frame, -0.1))  # foot board
    room.box(-h, -h + 1.4, 0, 1.2, b - 0.15, b - 0.05, frame)  # headboard
    room.box(-h, -h + 1.4, 0, 0.55, b - 2.2, b - 0.15, room.stage.dim(room.stage.accent, 0.3))
    room.box(-h + 0.15, -h + 1.25, 0.55, 0.7, b - 0.7, b - 0.2, (236, 232, 224))  # pillow
    room.box(-h + 1.5, -h + 2.0, 0, 0.6, b - 0.6, b - 0.1, frame)
    room.glow(-h + 1.75, 0.8, b - 0.35, 0.08, LAMP if room.era != Era.futuristic else STRIP)
    room.box(h - 0.6, h, 0, 2.0, 1.4, 2.4, shade(frame, -0.1))  # a wardrobe
    room.quad([(-0.6, 0.002, 2.0), (0.8, 0.002, 2.0), (0.8, 0.002, 3.4), (-0.6, 0.002, 3.4)],
              room.stage.dim(mix(room.stage.accent, (150, 60, 60), 0.4), 0.3))


def corridor(room: Room) -> None:
    _doors(room, (1.4, 3.0, 5.2, 8.0))
    if room.era != Era.modern:
        _pipes(room, 2)
    room.wall_lights((2.3, 4.2, 6.6, 9.6), 1.9)
    room.window(-0.6, 0.6, 0.6, 2.0)  # the far end looks out


def cellar(room: Room) -> None:
    b, h = room.back, room.half
    z = 0.9
    while z < b:  # joists under the floor above
        room.box(-h, h, room.high - 0.16, room.high, z, z + 0.14, shade(room.wall, -0.3))
        z += 0.7
    _pipes(room, 4)
    rng = room.stage.rng("crates")
    crates = []
    for side in (-1, 1):
        z = 1.4
        while z < b - 0.8:
            size = rng.uniform(0.4, 0.7)
            crates.append((z, side, size, rng.random() < 0.6))
            z += size + rng.uniform(0.1, 0.7)
    for z, side, size, wooden in sorted(crates, reverse=True):
        x = side * (h - 0.05)
        crate = room.stage.dim((110, 84, 58) if wooden else (92, 92, 98), 0.3)
        room.box(min(x, x - side * size), max(x, x - side * size), 0, size, z, z + size, crate)
    room.window(-0.5, 0.5, 1.6, 2.05)  # a small high window
    room.pen.line([room.at(0, room.high, 3.0), room.at(0, 1.9, 3.0)], fill=INK)
    room.glow(0, 1.85, 3.0, 0.06, LAMP)  # one bare bulb


def laboratory(room: Room) -> None:
    b, h = room.back, room.half
    _shelves(room, -1, 1.6, b - 0.3, 2.2, books=False)
    rng = room.stage.rng("flasks")
    for z in (2.9, 1.4):
        room.box(0.5, h - 0.1, 0, 0.9, z, z + 1.2, (220, 224, 228) if room.era != Era.ancient
                 else _wood(room))
        for k in range(3):
            x, zz = rng.uniform(0.7, h - 0.3), z + 0.2 + k * 0.3
            room.pen.ellipse([*room.at(x - 0.07, 1.1, zz), *room.at(x + 0.07, 0.9, zz)],
                             fill=rng.choice([(120, 220, 140), (230, 120, 200), SCREEN]),
                             outline=INK)
    _screen(room, -1.0, 0.6, 1.0, 2.0, b - 0.05) if room.era != Era.ancient else \
        room.wall_lights((2.5, 4.5))


def bridge(room: Room) -> None:
    b, h = room.back, room.half
    room.window(-h + 0.1, h - 0.1, 1.0, 2.4)
    if room.era == Era.ancient:  # a wheelhouse: the wheel before the windows
        x0, y0 = room.at(0, 1.2, b - 1.4)
        r = 0.5 * room.f / (b - 1.4)
        room.pen.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], outline=WOOD, width=max(3, int(r / 8)))
        for k in range(4):
            room.pen.line([(x0 - r * (1, 0.7, 0, -0.7)[k], y0 - r * (0, 0.7, 1, 0.7)[k]),
                           (x0 + r * (1, 0.7, 0, -0.7)[k], y0 + r * (0, 0.7, 1, 0.7)[k])],
                          fill=WOOD, width=max(2, int(r / 12)))
        room.box(-h + 0.1, h - 0.1, 0, 0.95, b - 0.5, b - 0.05, _wood(room))
        return
    for x0, x1 in ((-h + 0.1, -0.9), (-0.7, 0.7), (0.9, h - 0.1)):  # consoles
        room.box(x0, x1, 0, 0.95, b - 1.0, b - 0.4, room.stage.dim(METAL, 0.2))
        _screen(room, x0 + 0.1, x1 - 0.1, 0.98, 1.3, b - 1.0)
    seat = room.stage.dim(shade(mix(room.stage.accent, METAL, 0.5), -0.35), 0.3)
    room.box(-0.35, 0.35, 0, 0.5, 2.2, 2.7, seat)  # the commander's chair, from behind
    room.box(-0.35, 0.35, 0.5, 1.3, 2.7, 2.85, shade(seat, 0.1))


def cabin(room: Room) -> None:
    b, h = room.back, room.half
    frame = _wood(room)
    room.box(-h, -h + 0.8, 0.35, 0.6, 1.4, b - 0.1, room.stage.dim(room.stage.accent, 0.3))
    room.box(-h, -h + 0.8, 0, 0.35, 1.4, b - 0.1, frame)
    room.window(0.1, 0.9, 1.1, 1.9, round_=True)
    room.box(0.5, h - 0.1, 0.7, 0.76, 1.6, 2.4, frame)
    room.glow(0.9, 1.7, 2.0, 0.06, LAMP if room.era != Era.futuristic else STRIP)


def cockpit(room: Room) -> None:
    b, h = room.back, room.half
    room.window(-h + 0.05, h - 0.05, 0.95, 1.95)
    dash = room.stage.dim((52, 56, 64), 0.2)
    room.box(-h, h, 0, 1.0, b - 0.9, b - 0.2, dash)
    rng = room.stage.rng("dials")
    for _ in range(16):
        x, y = rng.uniform(-h + 0.2, h - 0.2), rng.uniform(0.5, 0.9)
        glow = rng.choice([SCREEN, (120, 230, 130), (250, 180, 80)])
        room.quad([(x, y, b - 0.9), (x + 0.12, y, b - 0.9), (x + 0.12, y + 0.08, b - 0.9),
                   (x, y + 0.08, b - 0.9)], glow)
    for x in (-0.7, 0.7):  # the seats, from behind
        room.box(x - 0.3, x + 0.3, 0, 1.35, 1.3, 1.5, room.stage.dim((60, 62, 70), 0.2))


def library(room: Room) -> None:
    b = room.back
    for side in (-1, 1):
        _shelves(room, side, 0.8, b - 0.1, room.high - 0.2, books=True)
    room.window(-0.6, 0.6, 1.2, 2.8)
    room.box(-0.7, 0.7, 0.72, 0.8, b - 2.4, b - 1.4, _wood(room))
    room.glow(0.3, 1.05, b - 1.9, 0.07)


FURNISH = {Place.hall: hall, Place.throne_room: throne_room, Place.room: room_,
           Place.office: office, Place.classroom: classroom, Place.bar: bar,
           Place.kitchen: kitchen, Place.bedroom: bedroom, Place.corridor: corridor,
           Place.cellar: cellar, Place.laboratory: laboratory, Place.bridge: bridge,
           Place.cabin: cabin, Place.cockpit: cockpit, Place.library: library}


def furnish(room: Room) -> None:
    if room.stage.setting.flooded:  # first: what stands in the water stands above it
        water(room, 0.22 if room.place == Place.cellar else 0.1)
    FURNISH.get(room.place, room_)(room)
