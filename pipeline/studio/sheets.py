"""Contact sheets of the cast: one character in every pose and expression, the whole
cast side by side.

Each cell is drawn from words, as a writer would write them ("Mara kneels.",
"Mara laughs."), through the same reading of the text the build uses, so the sheet
shows what a paragraph will give. One PNG and an HTML page with each cell.
"""

from __future__ import annotations

import html
from pathlib import Path

from PIL import Image, ImageDraw

from ..art import request_for
from ..engines import IMAGE_GROUP, load_engine
from ..errors import Problem, ProjectError
from ..format.camera import Shot
from ..lettering.fonts import LetteringFont
from ..plan import plan
from ..project import prepare
from ..runtime.cache import write_atomic
from ..runtime.outdir import check_out, mark
from ..specs import Camera, PanelSpec
from ..story.nodes import write_nodes
from .preview import sheet_page

CELL = (240, 300)
LABEL = 28
# the words that ask for each pose and expression (engines/procedural/acting.py)
POSES = {"stand": "stands", "walk": "walks", "run": "runs", "sit": "sits", "kneel": "kneels",
         "lie": "lies down", "fall": "falls", "point": "points", "reach": "reaches",
         "hold_up": "holds up a letter", "draw_weapon": "draws a sword",
         "embrace": "embraces", "turn_away": "turns away", "look_up": "looks up",
         "look_down": "looks down", "float": "floats"}
FEELINGS = {"calm": "waits", "smile": "smiles", "laugh": "laughs", "anger": "glares",
            "fear": "gasps", "sad": "weeps", "whisper": "whispers", "thinking": "wonders"}


def _base(project) -> PanelSpec:
    panels = [p for sp in plan(project, write_nodes(project)) for p in sp.panels]
    spec = max(panels, key=lambda p: (len(p.characters), -p.page))
    return spec.model_copy(update={"width": CELL[0] * 3 // 2, "height": CELL[1] * 3 // 2,
                                   "lines": [], "rtl": False})


def pose_sheet(root: str | Path, out: str | Path, character: str) -> Path:
    """Every pose (full shot) and every expression (close-up) of one character."""
    project = prepare(root)
    if character not in project.characters:
        known = ", ".join(sorted(project.characters)) or "none"
        raise ProjectError([Problem(file="characters", message=f"no character '{character}'",
                                    hint=f"name one of the project's characters: {known}")])
    engine = load_engine(IMAGE_GROUP, project.config.engines.image,
                         project.config.engines.image_settings, project.root)
    base = _base(project)
    name = project.characters[character].name
    cells = []
    for shot, table in ((Shot.full_shot, POSES), (Shot.close_up, FEELINGS)):
        for label, words in table.items():
            spec = base.model_copy(update={"characters": [character],
                                           "description": f"{name} {words}.",
                                           "camera": Camera(shot=shot)})
            cells.append((label, f"{name} {words}.",
                          engine.draw(request_for(project, spec)).image))
    return _write(root, project, out, cells, f"{name}: poses and expressions", columns=8)


def cast_sheet(root: str | Path, out: str | Path) -> Path:
    """Each character standing, full length, then the whole cast in one wide shot."""
    project = prepare(root)
    engine = load_engine(IMAGE_GROUP, project.config.engines.image,
                         project.config.engines.image_settings, project.root)
    base = _base(project)
    cells = []
    for cid, character in project.characters.items():
        spec = base.model_copy(update={"characters": [cid], "camera": Camera(shot=Shot.full_shot),
                                       "description": f"{character.name} stands."})
        cells.append((character.name, character.description.split(".")[0],
                      engine.draw(request_for(project, spec)).image))
    everyone = list(project.characters)
    if len(everyone) > 1:
        spec = base.model_copy(update={"characters": everyone, "description": "",
                                       "camera": Camera(shot=Shot.wide_shot)})
        cells.append(("everyone", "the whole cast in a wide shot",
                      engine.draw(request_for(project, spec)).image))
    return _write(root, project, out, cells, "The cast", columns=min(6, len(cells)))


def _write(root, project, out: str | Path, cells: list[tuple[str, str, Image.Image]],
           title: str, columns: int) -> Path:
    out = Path(out)
    check_out(root, out, [Path(root) / path for path in project.assets])
    out.mkdir(parents=True, exist_ok=True)
    mark(out)
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * CELL[0], rows * (CELL[1] + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    font = LetteringFont().at(16)
    (out / "cells").mkdir(exist_ok=True)
    figures = []
    for index, (label, words, image) in enumerate(cells):
        x, y = index % columns * CELL[0], index // columns * (CELL[1] + LABEL)
        thumb = image.resize(CELL, Image.Resampling.BILINEAR)
        sheet.paste(thumb, (x, y))
        draw.text((x + 6, y + CELL[1] + 5), label, font=font, fill="black")
        rel = f"cells/{index:02d}-{label.replace(' ', '-')}.png"
        thumb.save(out / rel)
        figures.append(f'<figure><img src="{html.escape(rel)}" alt="{html.escape(words)}">'
                       f'<figcaption><b>{html.escape(label)}</b>: {html.escape(words)}'
                       f'</figcaption></figure>')
    path = out / "contact-sheet.png"
    sheet.save(path)
    page = sheet_page(title, "", figures, 200)
    write_atomic(out / "index.html", page.encode())
    return path
