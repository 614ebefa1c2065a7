"""Stage 8, compose: pages as raster images, lettering baked in, for exports and previews.

The web reader lays panels out with CSS and letters them with SVG; this stage
makes the same page as pixels (the art fitted into each slot, the borders, the
balloons drawn from the same geometry) for covers, social previews and exports.
Pages are cached under a key of everything drawn on them.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image, ImageColor, ImageDraw, ImageOps
from pydantic import BaseModel

from ..lettering.draw import to_raster
from ..lettering.fonts import LetteringFont
from ..runtime import parallel
from ..runtime.cache import Cache, digest
from ..runtime.code import code_digest
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, PageSpec, PanelArt, StoryPlan

PAGE_SCALE = 0.5  # site page images: 800 px wide, enough for previews and thumbnails


# Art fitted in this process, by cache file and size (cache files never change): a
# worker kept between builds (`serve`) re-bakes a page without decoding its art again.
_FITTED: OrderedDict[tuple[str, int, int], Image.Image] = OrderedDict()


def fit_art(path: str | io.BytesIO, width: int, height: int) -> Image.Image:
    """The art scaled to cover a slot exactly (a crop of a few pixels at most)."""
    key = (path, width, height) if isinstance(path, str) else None
    if key in _FITTED:
        _FITTED.move_to_end(key)
        return _FITTED[key]
    with Image.open(path) as art:
        fitted = ImageOps.fit(art.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    if key is not None:
        _FITTED[key] = fitted
        while sum(w * h for _, w, h in _FITTED) > 12_000_000:  # 36 MB of pixels
            _FITTED.popitem(last=False)
    return fitted


def page_image(project: ResolvedProject, story_style: str | None, page: PageSpec,
               art: dict[str, PanelArt], lettered: dict[str, LetteredPanel],
               font: LetteringFont, scale: float = 1.0,
               images: dict[str, bytes] | None = None) -> Image.Image:
    """The page as pixels; the art read from the cache, or from `images` (panel id ->
    the art's bytes) when it is baked on a machine without the cache."""
    style = project.styles.get(story_style) if story_style else None
    paper = ImageColor.getrgb(style.page_colour) if style else (253, 251, 246)
    border = style.border if style else 5
    ink = ImageColor.getrgb(style.border_colour) if style else (17, 17, 17)
    canvas = Image.new("RGB", (round(page.width * scale), round(page.height * scale)), paper)
    draw = ImageDraw.Draw(canvas)
    for panel_id, (x, y, w, h) in zip(page.panels, page.slots, strict=True):
        sx, sy, sw, sh = (round(v * scale) for v in (x, y, w, h))
        source = io.BytesIO(images[panel_id]) if images else art[panel_id].image
        canvas.paste(fit_art(source, sw, sh), (sx, sy))
        if border:
            draw.rectangle([sx, sy, sx + sw - 1, sy + sh - 1], outline=ink,
                           width=max(1, round(border * scale)))
        to_raster(canvas, lettered[panel_id].balloons, (sx, sy), scale, font)
    return canvas


class BakeJob(BaseModel):
    """One page's own part of its raster, so pages can be baked in other processes
    (the project and the fonts, alike for every page, are sent once: `_bake`'s `common`)."""

    key: str
    style: str | None
    page: PageSpec
    art: dict[str, PanelArt]
    lettered: dict[str, LetteredPanel]
    images: dict[str, bytes] = {}  # panel id -> its art, for workers without the cache


def _bake(job: BakeJob, common: tuple[ResolvedProject, LetteringFont]) -> bytes:
    project, font = common
    image = page_image(project, job.style, job.page, job.art, job.lettered, font,
                       scale=PAGE_SCALE, images=job.images)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, optimize=True)
    return buffer.getvalue()


def page_keys(project: ResolvedProject, font_digest: str
              ) -> Callable[[str, PageSpec, dict[str, PanelArt], list], str]:
    """The cache key of a baked page: its layout, its panels' art and lettering (their own
    keys, `letters`), the story's style, the fonts, the scale and the baker's own code."""
    code = _baker_code()
    styles = {s.id: s.style for s in project.stories}

    def key(story: str, page: PageSpec, art: dict[str, PanelArt], letters: list) -> str:
        style = styles[story]
        return digest("page", code, PAGE_SCALE, page.model_dump(mode="json"),
                      [art[p].key for p in page.panels], letters,
                      project.styles[style].model_dump(mode="json", exclude={"source"})
                      if style else None, font_digest)
    return key


def baker_common(project: ResolvedProject, font: LetteringFont
                 ) -> tuple[ResolvedProject, LetteringFont]:
    """What every page's baking needs alike: the project without the bytes the baker does
    not read, and the fonts."""
    return project.model_copy(update={"assets": {}, "stories": [], "characters": {}}), font


def bake_job(job: BakeJob, common: tuple[ResolvedProject, LetteringFont]) -> bytes:
    """One page baked (JPEG bytes), as a `Workers` job."""
    return _bake(job, common)


def compose(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
            lettered: dict[str, LetteredPanel], font: LetteringFont,
            font_digest: str, jobs: int = 1, letter_keys: dict[str, str] | None = None
            ) -> dict[tuple[str, int], str]:
    """(story, page number) -> path of the baked page image in the cache.

    `letter_keys` (the lettering's own cache keys) stand for the balloons in a page's
    key when given: they determine the lettering, and are cheaper to hash.
    """
    cache = Cache(project.root)
    out: dict[tuple[str, int], str] = {}
    key_of = page_keys(project, font_digest)
    styles = {s.id: s.style for s in project.stories}
    todo: list[tuple[tuple[str, int], BakeJob]] = []
    for story_plan in plans:
        style = styles[story_plan.story]
        for page in story_plan.pages:
            key = key_of(story_plan.story, page, art,
                         [letter_keys[p] if letter_keys else lettered[p].model_dump(mode="json")
                          for p in page.panels])
            hit = cache.get(key, "jpg")
            if hit is not None:
                out[(story_plan.story, page.number)] = str(hit[0])
                continue
            todo.append(((story_plan.story, page.number), BakeJob(
                key=key, style=style, page=page, art={p: art[p] for p in page.panels},
                lettered={p: lettered[p] for p in page.panels})))
    baked = parallel.run(_bake, [j for _, j in todo], jobs, common=baker_common(project, font))
    for (where, job), data in zip(todo, baked):
        out[where] = str(cache.put(job.key, "jpg", data))
    cache.save()
    return out


def art_bytes(art: dict[str, PanelArt], panels: list[str]) -> dict[str, bytes]:
    """The art of `panels` read from the cache, to travel with a page's baking job."""
    with_bytes = {}
    for panel in panels:
        with open(art[panel].image, "rb") as file:
            with_bytes[panel] = file.read()
    return with_bytes


def _baker_code() -> str:
    """The page baker's own code and the raster lettering it draws with."""
    from ..lettering import draw as balloons
    from ..lettering import fonts
    return code_digest(__name__, balloons.__name__, fonts.__name__)
