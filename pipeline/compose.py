"""Stage 8, compose: pages as raster images, lettering baked in, for exports and previews.

The web reader lays panels out with CSS and letters them with SVG; this stage
makes the same page as pixels (the art fitted into each slot, the borders, the
balloons drawn from the same geometry) for covers, social previews and exports.
Pages are cached under a key of everything drawn on them.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageOps

from .balloons import to_raster
from .cache import Cache, digest
from .fonts import LetteringFont
from .resolve import ResolvedProject
from .specs import LetteredPanel, PageSpec, PanelArt, StoryPlan
from .engines.procedural.palette import hex_rgb


def fit_art(path: str, width: int, height: int) -> Image.Image:
    """The art scaled to cover a slot exactly (a crop of a few pixels at most)."""
    with Image.open(path) as art:
        return ImageOps.fit(art.convert("RGB"), (width, height), Image.Resampling.LANCZOS)


def page_image(project: ResolvedProject, story_style: str | None, page: PageSpec,
               art: dict[str, PanelArt], lettered: dict[str, LetteredPanel],
               font: LetteringFont, scale: float = 1.0) -> Image.Image:
    style = project.styles.get(story_style) if story_style else None
    paper = hex_rgb(style.page_colour) if style else (253, 251, 246)
    border = style.border if style else 5
    ink = hex_rgb(style.border_colour) if style else (17, 17, 17)
    canvas = Image.new("RGB", (round(page.width * scale), round(page.height * scale)), paper)
    draw = ImageDraw.Draw(canvas)
    for panel_id, (x, y, w, h) in zip(page.panels, page.slots, strict=True):
        sx, sy, sw, sh = (round(v * scale) for v in (x, y, w, h))
        canvas.paste(fit_art(art[panel_id].image, sw, sh), (sx, sy))
        if border:
            draw.rectangle([sx, sy, sx + sw - 1, sy + sh - 1], outline=ink,
                           width=max(1, round(border * scale)))
        to_raster(canvas, lettered[panel_id].balloons, (sx, sy), scale, font)
    return canvas


def compose(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
            lettered: dict[str, LetteredPanel], font: LetteringFont,
            font_digest: str) -> dict[tuple[str, int], str]:
    """(story, page number) -> path of the baked page PNG in the cache."""
    cache = Cache(project.root)
    out: dict[tuple[str, int], str] = {}
    styles = {s.id: s.style for s in project.stories}
    for story_plan in plans:
        style = styles[story_plan.story]
        for page in story_plan.pages:
            key = digest("page", 1, page.model_dump(mode="json"),
                         [art[p].key for p in page.panels],
                         [lettered[p].model_dump(mode="json") for p in page.panels],
                         project.styles[style].model_dump(mode="json", exclude={"source"})
                         if style else None, font_digest)
            hit = cache.get(key, "png")
            if hit is None:
                image = page_image(project, style, page, art, lettered, font)
                buffer = io.BytesIO()
                image.save(buffer, "PNG", compress_level=3)
                path = cache.put(key, "png", buffer.getvalue())
            else:
                path = hit[0]
            out[(story_plan.story, page.number)] = str(path)
    return out
