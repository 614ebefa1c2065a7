"""Draw the example's images: the characters' avatars and the styles' anchors.

    python projects/frost-moon/make_assets.py

Everything is drawn with Pillow from shapes, deterministically (the same bytes on
every run), so the example needs nothing from the network. The PNGs it writes are
committed; run this again only after changing it.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).parent
S = 2  # supersampling: draw at twice the size, then scale down for smooth edges


def save(image: Image.Image, path: Path) -> None:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    path.write_bytes(buffer.getvalue())


def backdrop(size: int, top: str, bottom: str) -> Image.Image:
    mask = Image.linear_gradient("L").resize((size, size))
    return Image.composite(Image.new("RGB", (size, size), bottom),
                           Image.new("RGB", (size, size), top), mask)


def face(d: ImageDraw.ImageDraw, cx: float, cy: float, w: float, h: float, skin: str,
         eye: str, brow: str, mouth: str, stern: bool = False, aged: bool = False) -> None:
    d.ellipse([cx - w * 0.55, cy + h * 0.05, cx + w * 0.55, cy + h * 0.25], fill=skin)  # jaw
    d.ellipse([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], fill=skin)
    ey = cy - h * 0.02
    for side in (-1, 1):
        ex = cx + side * w * 0.2
        d.ellipse([ex - w * 0.09, ey - h * 0.05, ex + w * 0.09, ey + h * 0.06], fill="#fbfbfb")
        d.ellipse([ex - w * 0.055, ey - h * 0.045, ex + w * 0.055, ey + h * 0.06], fill=eye)
        d.ellipse([ex - w * 0.02, ey - h * 0.03, ex + w * 0.01, ey], fill="#ffffff")
        tilt = h * (0.05 if stern else 0.0) * side
        d.line([(ex - w * 0.12, ey - h * 0.11 - tilt * -1), (ex + w * 0.12, ey - h * 0.11 + tilt)],
               fill=brow, width=int(w * 0.035))
        if aged:
            d.arc([ex - w * 0.1, ey + h * 0.02, ex + w * 0.1, ey + h * 0.12], 20, 160,
                  fill="#b08a78", width=max(2, int(w * 0.012)))
    d.line([(cx, ey + h * 0.05), (cx - w * 0.03, ey + h * 0.2), (cx + w * 0.02, ey + h * 0.21)],
           fill="#c98f7a", width=int(w * 0.02))
    my = cy + h * 0.3
    if stern:
        d.line([(cx - w * 0.1, my), (cx + w * 0.1, my)], fill=mouth, width=int(w * 0.03))
    else:
        d.arc([cx - w * 0.1, my - h * 0.05, cx + w * 0.1, my + h * 0.03], 20, 160, fill=mouth,
              width=int(w * 0.03))


def lin_shuang() -> Image.Image:
    n = 512 * S
    image = backdrop(n, "#cfdcec", "#7f97b8")
    d = ImageDraw.Draw(image)
    c = n / 2
    # long silver hair falling behind the shoulders
    d.polygon([(c - 150 * S, 170 * S), (c + 150 * S, 170 * S), (c + 175 * S, 300 * S),
               (c + 205 * S, 430 * S), (c + 150 * S, 470 * S), (c - 150 * S, 470 * S),
               (c - 205 * S, 430 * S), (c - 175 * S, 300 * S)], fill="#dfe6ef")
    for x in (-160, -120, 120, 160):  # strands
        d.line([(c + x * 0.8 * S, 200 * S), (c + x * S, 440 * S)], fill="#c3ccd9", width=3 * S)
    # robes: pale blue with a white collar and a dark blue sash
    d.ellipse([c - 230 * S, 390 * S, c + 230 * S, 700 * S], fill="#9fb4cf")
    d.polygon([(c - 60 * S, 380 * S), (c, 470 * S), (c + 60 * S, 380 * S)], fill="#f4f6fa")
    d.rectangle([c - 230 * S, 470 * S, c + 230 * S, 492 * S], fill="#3c5a80")
    d.rectangle([c - 38 * S, 330 * S, c + 38 * S, 400 * S], fill="#f1d9c8")  # neck
    # the sword hilt over her shoulder
    d.line([(c + 150 * S, 420 * S), (c + 220 * S, 250 * S)], fill="#2b3a55", width=14 * S)
    d.ellipse([c + 205 * S, 232 * S, c + 235 * S, 262 * S], fill="#c8a45a")
    d.ellipse([c - 150 * S, 70 * S, c + 150 * S, 300 * S], fill="#e6ebf2")  # crown of hair
    face(d, c, 245 * S, 210 * S, 230 * S, "#f1d9c8", "#4c6e9c", "#b9c4d4", "#a8586a")
    # fringe: long strands parted at the side
    d.pieslice([c - 130 * S, 100 * S, c + 130 * S, 270 * S], 180, 360, fill="#e6ebf2")
    d.polygon([(c - 130 * S, 190 * S), (c - 60 * S, 150 * S), (c - 120 * S, 330 * S)],
              fill="#e6ebf2")
    d.polygon([(c + 130 * S, 190 * S), (c + 40 * S, 140 * S), (c + 125 * S, 320 * S)],
              fill="#e6ebf2")
    d.line([(c - 10 * S, 110 * S), (c - 60 * S, 200 * S)], fill="#c3ccd9", width=3 * S)
    d.ellipse([c + 80 * S, 120 * S, c + 112 * S, 152 * S], fill="#3c5a80")  # hair pin
    return image.resize((512, 512), Image.Resampling.LANCZOS)


def captain_han() -> Image.Image:
    n = 512 * S
    image = backdrop(n, "#e9c79a", "#8c5a3c")
    d = ImageDraw.Draw(image)
    c = n / 2
    # dark lacquered armour with bronze studs
    d.ellipse([c - 250 * S, 380 * S, c + 250 * S, 720 * S], fill="#2e2a2b")
    for x in range(-3, 4):
        d.ellipse([c + x * 60 * S - 9 * S, 452 * S, c + x * 60 * S + 9 * S, 470 * S],
                  fill="#b8874a")
    d.rectangle([c - 45 * S, 330 * S, c + 45 * S, 400 * S], fill="#d9a882")  # neck
    face(d, c, 255 * S, 220 * S, 240 * S, "#d9a882", "#3a2a20", "#2b2220", "#6b3b30",
         stern=True)
    d.polygon([(c - 80 * S, 330 * S), (c, 385 * S), (c + 80 * S, 330 * S),
               (c + 60 * S, 345 * S), (c, 365 * S), (c - 60 * S, 345 * S)],
              fill="#3b3030")  # beard
    # helmet with a crest and cheek guards
    d.pieslice([c - 140 * S, 70 * S, c + 140 * S, 300 * S], 180, 360, fill="#4a4446")
    d.rectangle([c - 145 * S, 175 * S, c + 145 * S, 200 * S], fill="#b8874a")
    d.polygon([(c - 20 * S, 80 * S), (c, 10 * S), (c + 20 * S, 80 * S)], fill="#9c2f2f")
    for side in (-1, 1):
        d.polygon([(c + side * 145 * S, 190 * S), (c + side * 118 * S, 190 * S),
                   (c + side * 112 * S, 320 * S), (c + side * 140 * S, 300 * S)],
                  fill="#4a4446")
    return image.resize((512, 512), Image.Resampling.LANCZOS)


def moon_elder() -> Image.Image:
    n = 512 * S
    image = backdrop(n, "#2a2350", "#5b4b8a")
    d = ImageDraw.Draw(image)
    c = n / 2
    d.ellipse([c - 200 * S, 40 * S, c + 200 * S, 440 * S], fill="#f0e6c8")  # the moon disc
    d.ellipse([c - 250 * S, 390 * S, c + 250 * S, 720 * S], fill="#6d4fa3")  # violet robes
    d.polygon([(c - 70 * S, 385 * S), (c, 500 * S), (c + 70 * S, 385 * S)], fill="#e8d9a8")
    d.rectangle([c - 40 * S, 330 * S, c + 40 * S, 400 * S], fill="#e2c2a6")
    face(d, c, 250 * S, 200 * S, 225 * S, "#e2c2a6", "#5b4b8a", "#f4f4f4", "#8c5a5a",
         aged=True)
    # white hair in a topknot, a long white beard
    d.pieslice([c - 120 * S, 120 * S, c + 120 * S, 280 * S], 180, 360, fill="#f7f7f2")
    d.ellipse([c - 40 * S, 70 * S, c + 40 * S, 140 * S], fill="#f7f7f2")
    d.rectangle([c - 12 * S, 92 * S, c + 12 * S, 118 * S], fill="#c8a45a")
    d.polygon([(c - 85 * S, 320 * S), (c - 40 * S, 345 * S), (c + 40 * S, 345 * S),
               (c + 85 * S, 320 * S), (c + 30 * S, 470 * S), (c, 500 * S), (c - 30 * S, 470 * S)],
              fill="#f7f7f2")
    return image.resize((512, 512), Image.Resampling.LANCZOS)


def ink_wash(variant: int) -> Image.Image:
    rng = random.Random(variant)
    w, h = 512, 384
    image = Image.new("RGB", (w, h), "#eef0f2")
    for layer, tone in enumerate(("#c9d2dc", "#9aa9ba", "#5f7087", "#2f3b4c")):
        d = ImageDraw.Draw(image)
        base = h * (0.45 + layer * 0.14)
        points = [(0, h)]
        for x in range(0, w + 32, 32):
            points.append((x, base - rng.uniform(20, 90) * (1.2 - layer * 0.2)))
        points.append((w, h))
        d.polygon(points, fill=tone)
        image = image.filter(ImageFilter.GaussianBlur(2 + (3 - layer)))
    d = ImageDraw.Draw(image)
    d.ellipse([380, 40, 440, 100], fill="#f7f3e8")
    return image


def moonlit_cel(variant: int) -> Image.Image:
    w, h = 512, 384
    image = Image.new("RGB", (w, h), "#16213e")
    d = ImageDraw.Draw(image)
    d.rectangle([0, 0, w, 160], fill="#1f3a68")
    d.ellipse([60, 40, 140, 120], fill="#e8eef6")
    d.polygon([(0, 260), (140, 150), (300, 260)], fill="#2b4a7c")
    d.polygon([(200, 260), (380, 130), (512, 260)], fill="#3c5f94")
    d.rectangle([0, 260, w, h], fill="#c7d3e3" if variant else "#9fb0c8")
    d.rectangle([300, 200, 340, 260], fill="#0f1528")
    d.ellipse([305, 205, 335, 235], fill="#f2b84b")  # the lantern accent
    return image


def main() -> None:
    for name, draw in (("lin-shuang", lin_shuang), ("captain-han", captain_han),
                       ("moon-elder", moon_elder)):
        save(draw(), HERE / "characters" / f"{name}.png")
    for i in (1, 2):
        save(ink_wash(i), HERE / "styles" / "anchors" / f"ink-wash-{i}.png")
        save(moonlit_cel(i - 1), HERE / "styles" / "anchors" / f"moonlit-cel-{i}.png")
    print("drew 3 avatars and 4 style anchors")


if __name__ == "__main__":
    main()
