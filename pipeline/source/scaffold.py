"""`panelwright new`: a small project that builds as it is, to start from.

The avatars and the style anchor are painted here with Pillow, so a new project
needs nothing from the network.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from ..format.slugs import slugify
from ..runtime.cache import write_atomic

CONFIG = """\
# The comic's settings. See docs/format.md for every field.
title: {title}
language: en
description: A short comic made with Panelwright.
style: sketchbook          # the style stories use unless they name another
reading_direction: ltr     # rtl for manga
engines:
  text: scripted           # turns your outline into story nodes, inventing nothing
  image: procedural        # draws storyboard art offline
"""

CHARACTERS = {
    "mara": ("Mara", "Curious, Brave", "Is anyone there?", "#2e2a28", "#3f7cac", "#f2b134",
             "A young cartographer who maps the places no one visits."),
    "old-tomas": ("Old Tomas", "Gruff, Kind", "Mind the step.", "#d8d4cc", "#6b4f3a", "#9c2f2f",
                  "The lighthouse keeper. He has kept the light for forty years."),
}

WORLD = """\
name: The Coast
description: A windy stretch of coast with one old lighthouse.
lore:
  - keys: [lighthouse, light]
    content: The light has not gone out in forty years.
scenes:
  - id: cliff-path
    name: Cliff Path
    description: A narrow path along the cliffs above the sea.
    time_of_day: dusk
    weather: clear
    place: shore
    palette: ["#23395b", "#406e8e", "#8ea8c3", "#cbf7ed"]
  - id: lamp-room
    name: Lamp Room
    description: The round room at the top of the lighthouse, inside, warm with lamplight.
    time_of_day: night
    weather: clear
    place: interior
    palette: ["#3d2b1f", "#8c5a3c", "#e0a458", "#ffdbb5"]
"""

STYLE = """\
name: Sketchbook
anchors: [anchors/sketchbook.png]   # images whose palette and tone every panel follows
treatment: ink                      # flat | ink | halftone | watercolour | noir
guidance: high                      # how strongly the anchors pull: low | high
format: png
gutter: 24
border: 5
"""

STORY = """\
---
title: The Keeper
world: the-coast
summary: Mara follows a light on the cliffs and meets its keeper.
---

## Cliff Path

CAPTION: The light had burned every night for forty years.

[wide_shot] Mara walks the cliff path toward the lighthouse as the sun goes down.

[medium_shot] Mara stops at the door and knocks.

MARA: Is anyone there?

---

## Lamp Room

[full_shot] Old Tomas opens the door, a lantern in his hand.

OLD TOMAS: Mind the step. And shut the door behind you.

[close_up] Mara looks up at the great lamp.

MARA (whispering): It's beautiful.
"""


def _avatar(hair: str, outfit: str, accent: str) -> bytes:
    size = 512
    image = Image.new("RGB", (size * 2, size * 2), "#e9e4da")
    d = ImageDraw.Draw(image)
    d.ellipse([200, 700, 824, 1300], fill=outfit)  # shoulders
    d.rectangle([430, 560, 594, 760], fill="#eac3a2")  # neck
    d.ellipse([300, 230, 724, 700], fill=hair)  # hair behind
    d.ellipse([340, 270, 684, 690], fill="#f1d3b8")  # face
    d.pieslice([300, 210, 724, 560], 180, 360, fill=hair)  # fringe
    for x in (440, 584):
        d.ellipse([x - 22, 470, x + 22, 510], fill="#2a2220")
    d.arc([460, 560, 564, 620], 20, 160, fill="#8a4b4b", width=8)
    d.rectangle([200, 1000, 824, 1024], fill=accent)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _anchor() -> bytes:
    image = Image.new("RGB", (512, 384), "#f4efe4")
    d = ImageDraw.Draw(image)
    d.rectangle([0, 230, 512, 384], fill="#406e8e")
    d.polygon([(0, 230), (140, 120), (260, 230)], fill="#23395b")
    d.polygon([(200, 230), (360, 90), (512, 230)], fill="#8ea8c3")
    d.ellipse([390, 40, 450, 100], fill="#e0a458")
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def scaffold(directory: Path, title: str | None = None) -> list[Path]:
    """Write the starter project; refuses to touch a folder that has files."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} already exists and is not empty; "
                              "choose a new folder name")
    title = title or directory.name.replace("-", " ").replace("_", " ").title()
    files: dict[str, bytes] = {
        "panelwright.yaml": CONFIG.format(title=title).encode(),
        ".gitignore": b"_site/\n.panelwright/\n",
        "worlds/the-coast.yaml": WORLD.encode(),
        "styles/sketchbook.yaml": STYLE.encode(),
        "styles/anchors/sketchbook.png": _anchor(),
        f"stories/{slugify('The Keeper')}.md": STORY.encode(),
    }
    for cid, (name, personality, first, hair, outfit, accent, about) in CHARACTERS.items():
        files[f"characters/{cid}.md"] = (
            f"---\nname: {name}\npersonality: {personality}\nfirst_mes: \"{first}\"\n"
            f"avatar: {cid}.png\ncolours:\n  hair: \"{hair}\"\n  outfit: \"{outfit}\"\n"
            f"  accent: \"{accent}\"\ntags: []\n---\n{about}\n").encode()
        files[f"characters/{cid}.png"] = _avatar(hair, outfit, accent)
    written = []
    for rel, data in files.items():
        path = directory / rel
        write_atomic(path, data)
        written.append(path)
    return written
