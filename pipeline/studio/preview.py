"""`panelwright preview`: one panel in every shot, angle and treatment, on one sheet.

A contact sheet is how an artist judges a look at a glance: the same panel drawn
through every camera and every Style DNA treatment, labelled, as one PNG and an
HTML page that shows it with a grid of the individual images.
"""

from __future__ import annotations

import html
from pathlib import Path

from PIL import Image, ImageDraw

from ..art import request_for
from ..engines import IMAGE_GROUP, load_engine
from ..format.camera import Angle, Shot
from ..format.model import Treatment
from ..lettering.fonts import LetteringFont
from ..plan import plan
from ..project import prepare
from ..runtime.cache import write_atomic
from ..runtime.outdir import check_out, mark
from ..specs import Camera, PanelSpec
from ..story.nodes import write_nodes

THUMB = (384, 288)
LABEL = 34


def _pick(panels: list[PanelSpec]) -> PanelSpec:
    """A panel with the most characters: it shows the framing best."""
    return max(panels, key=lambda p: (len(p.characters), -p.page))


def preview(root: str | Path, out: str | Path) -> Path:
    """Write OUT/contact-sheet.png and OUT/index.html; returns the sheet's path. OUT
    must be new, empty or Panelwright's own (see outdir.check_out)."""
    project = prepare(root)
    out = Path(out)
    check_out(root, out, [Path(root) / path for path in project.assets])
    spec = _pick([p for sp in plan(project, write_nodes(project)) for p in sp.panels])
    spec = spec.model_copy(update={"width": 1024, "height": 768})
    engine = load_engine(IMAGE_GROUP, project.config.engines.image,
                         project.config.engines.image_settings, project.root)
    style = project.styles.get(spec.style or "")
    cells: list[tuple[str, str, Image.Image]] = []
    for shot in Shot:
        variant = spec.model_copy(update={"camera": Camera(shot=shot)})
        cells.append(("shot", shot.value, engine.draw(request_for(project, variant)).image))
    for angle in Angle:
        variant = spec.model_copy(update={"camera": Camera(shot=Shot.full_shot, angle=angle)})
        cells.append(("angle", angle.value, engine.draw(request_for(project, variant)).image))
    for treatment in Treatment:
        if style is None:
            break
        request = request_for(project, spec)
        request.style = style.model_copy(update={"treatment": treatment})
        cells.append(("treatment", treatment.value, engine.draw(request).image))

    out.mkdir(parents=True, exist_ok=True)
    mark(out)  # first: a sheet stopped half-way is still known as Panelwright's
    columns = 5
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * THUMB[0], rows * (THUMB[1] + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    font = LetteringFont().at(20)
    html_cells = []
    for index, (kind, name, image) in enumerate(cells):
        x, y = index % columns * THUMB[0], index // columns * (THUMB[1] + LABEL)
        thumb = image.resize(THUMB, Image.Resampling.BILINEAR)
        sheet.paste(thumb, (x, y))
        draw.text((x + 8, y + THUMB[1] + 6), f"{kind}: {name}", font=font, fill="black")
        rel = f"cells/{kind}-{name}.png"
        (out / "cells").mkdir(parents=True, exist_ok=True)
        thumb.save(out / rel)
        html_cells.append(f'<figure><img src="{rel}" alt="{html.escape(spec.description)} '
                          f'({kind} {name})"><figcaption>{kind}: <b>{name}</b></figcaption>'
                          f'</figure>')
    sheet_path = out / "contact-sheet.png"
    sheet.save(sheet_path)
    page = sheet_page("Contact sheet", f"<p>Panel <code>{html.escape(spec.id)}</code>: "
                      f"{html.escape(spec.description)}</p><p>Style: "
                      f"{html.escape(style.name if style else 'none')}</p>", html_cells, 260)
    write_atomic(out / "index.html", page.encode())
    return sheet_path


def sheet_page(title: str, intro: str, figures: list[str], column: int) -> str:
    """The index.html beside a contact sheet: its cells as a grid of captioned images."""
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;margin:1rem}}"
            f".grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax({column}px,1fr));"
            f"gap:12px}}img{{width:100%}}figure{{margin:0}}</style>"
            f"<h1>{html.escape(title)}</h1>{intro}"
            f'<p><a href="contact-sheet.png">The whole sheet as one image</a></p>'
            f'<div class="grid">{"".join(figures)}</div>')
