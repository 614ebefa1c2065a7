"""`panelwright preview --places`: every place the engine knows, in every era, on one sheet.

A writer choosing `place:` and `era:` for a scene card sees here what each looks
like in the project's own engine and style: one wide, empty shot per place and
era, labelled, as one PNG (OUT/places.png) and an HTML page.
"""

from __future__ import annotations

import html
from pathlib import Path

from PIL import Image, ImageDraw

from ..art import request_for
from ..engines import IMAGE_GROUP, DrawRequest, ImageEngine, load_engine
from ..format.camera import Shot
from ..format.model import Era, Place, SceneCard, StyleDNA
from ..lettering.fonts import LetteringFont
from ..plan import plan
from ..project import prepare
from ..runtime.cache import write_atomic
from ..runtime.outdir import check_out, mark
from ..specs import Camera, PanelSpec
from ..story.nodes import write_nodes

THUMB = (160, 120)
LABEL = 22
PER_ROW = 4  # places per row, each in every era
PALETTE = ["#2e3440", "#5e6b80", "#d8d4c8", "#b07a4a"]  # one palette: places compare


def places() -> list[Place]:
    """Every place a card may name, `interior` (the words choose) left out."""
    return [p for p in Place if p != Place.interior]


def draw_places(engine: ImageEngine, spec: PanelSpec, style: StyleDNA | None,
                size: tuple[int, int] = (512, 384)) -> list[tuple[Place, Era, Image.Image]]:
    """One empty wide shot of each place in each era."""
    spec = spec.model_copy(update={"characters": [], "camera": Camera(shot=Shot.wide_shot),
                                   "width": size[0], "height": size[1], "lines": []})
    cells = []
    for place in places():
        for era in Era:
            scene = SceneCard(id=f"{place.value}-{era.value}", name=place.value.replace("_", " "),
                              place=place, era=era, palette=PALETTE)
            request = DrawRequest(spec=spec.model_copy(update={"scene": scene.id}), scene=scene,
                                  characters=[], style=style, references={})
            cells.append((place, era, engine.draw(request).image))
    return cells


def sheet(cells: list[tuple[Place, Era, Image.Image]]) -> Image.Image:
    columns = PER_ROW * len(Era)
    rows = -(-len(cells) // columns)
    out = Image.new("RGB", (columns * THUMB[0], rows * (THUMB[1] + LABEL)), "white")
    pen = ImageDraw.Draw(out)
    font = LetteringFont().at(14)
    for index, (place, era, image) in enumerate(cells):
        x, y = index % columns * THUMB[0], index // columns * (THUMB[1] + LABEL)
        out.paste(image.resize(THUMB, Image.Resampling.BOX), (x, y))
        pen.text((x + 4, y + THUMB[1] + 3), f"{place.value} · {era.value}", font=font,
                 fill="black")
    return out


def place_sheet(root: str | Path, out: str | Path) -> Path:
    """Write OUT/places.png and OUT/index.html; returns the sheet's path."""
    project = prepare(root)
    out = Path(out)
    check_out(root, out, [Path(root) / path for path in project.assets])
    spec = next(p for sp in plan(project, write_nodes(project)) for p in sp.panels)
    engine = load_engine(IMAGE_GROUP, project.config.engines.image,
                         project.config.engines.image_settings, project.root)
    style = request_for(project, spec).style
    image = sheet(draw_places(engine, spec, style))
    out.mkdir(parents=True, exist_ok=True)
    mark(out)
    path = out / "places.png"
    # a palette of 256 colours: a sheet of flat storyboard colours loses nothing by it
    image.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    names = "".join(f"<li><code>{p.value}</code></li>" for p in places())
    page = (f"<!doctype html><meta charset=utf-8><title>Places</title>"
            f"<style>body{{font-family:sans-serif;margin:1rem}}img{{max-width:100%}}</style>"
            f"<h1>Places × eras</h1><p>Every <code>place:</code> in every <code>era:</code> "
            f"({', '.join(e.value for e in Era)}), drawn by "
            f"{html.escape(project.config.engines.image)}.</p>"
            f'<img src="places.png" alt="every place in every era"><ul>{names}</ul>')
    write_atomic(out / "index.html", page.encode())
    return path
