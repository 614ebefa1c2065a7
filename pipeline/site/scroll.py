"""The webtoon scroll and the story's contents: what a reader scrolls and what they choose from.

`format: vertical` lays a story out as one column of panels a page per scene; a phone reader
wants the whole story (or chapter) as one scroll, so `scrolls` stacks those pages into one
strip, cutting the margins where two pages meet down to the style's gutter so the join looks
like any other gap between panels. The contents page lists each run of one scene with a
thumbnail of its first panel (`contents`), and a vertical comic's index shows a crop of the
first panel as its cover (`cover`) instead of a page as tall as three phone screens.

Thumbnails and covers are cut from the panel's art and kept in the project's cache, named
by the art's key, so a rebuild re-encodes none of them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ..format.layouts import MARGIN
from ..runtime.cache import write_atomic
from ..source.resolve import ResolvedProject, ResolvedStory
from ..specs import PanelArt, StoryPlan
from .chapters import chapter_pages

THUMB = (320, 240)  # a scene's thumbnail on the contents page: 4:3, twice the shown size
COVER_WIDTH = 640  # the index's cover of a vertical comic
COVER_SHAPES = (1.0, 16 / 9)  # its width/height, from square to 16:9: a phone shows the title too


def _cut(art: PanelArt, size: tuple[int, int], cache: Path) -> bytes:
    """The panel's art cropped about its middle to `size`, as JPEG, from the cache when cut
    before (the art's key names every input that shaped it)."""
    path = cache / f"{art.key}-{size[0]}x{size[1]}.jpg"
    if path.is_file():
        return path.read_bytes()
    with Image.open(art.image) as image:
        cut = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    cut.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    cache.mkdir(parents=True, exist_ok=True)
    write_atomic(path, out.getvalue())
    return out.getvalue()


def cover(art: PanelArt, alt: str, cache: Path, files: dict[str, bytes],
          in_scroll: dict[int, str]) -> dict[str, Any]:
    """A vertical comic's cover on the index: its first panel, as wide as it is unless that
    is taller than square or wider than 16:9 (then cropped to the nearer), and the scroll
    its story starts in."""
    shape = min(max(art.width / max(art.height, 1), COVER_SHAPES[0]), COVER_SHAPES[1])
    size = (COVER_WIDTH, round(COVER_WIDTH / shape))
    path = f"covers/{art.key}.jpg"
    files[path] = _cut(art, size, cache)
    return dict(src=path, width=size[0], height=size[1], alt=alt,
                scroll=in_scroll[min(in_scroll)].split("#")[0])


def scene_runs(project: ResolvedProject, story_plan: StoryPlan) -> list[dict[str, Any]]:
    """Each run of one scene in reading order: its name, its first panel and the number of
    the page it starts on."""
    runs: list[dict[str, Any]] = []
    panels = {p.id: p for p in story_plan.panels}
    for page in story_plan.pages:
        for panel_id in page.panels:
            panel = panels[panel_id]
            if not runs or runs[-1]["key"] != (panel.world, panel.scene):
                runs.append(dict(key=(panel.world, panel.scene), name=_scene_name(
                    project, panel.world, panel.scene), panel=panel, page=page.number))
    return runs


def _scene_name(project: ResolvedProject, world: str, scene: str) -> str:
    found = [s.name for s in project.worlds[world].scenes if s.id == scene] \
        if world in project.worlds else []
    return found[0] if found else scene.replace("-", " ").capitalize()


def spans(story: ResolvedStory, story_plan: StoryPlan) -> list[tuple[Any, range]]:
    """The story's chapters and their pages, or the whole story as one untitled span."""
    chapters = chapter_pages(story, story_plan)
    return chapters or [(None, range(len(story_plan.pages)))]


def scroll_name(index: int, count: int) -> str:
    """The scroll page of a span: `scroll.html` for a whole story, `scroll-N.html` for its
    Nth chapter."""
    return "scroll.html" if count == 1 else f"scroll-{index + 1}.html"


def scroll_of(story: ResolvedStory, story_plan: StoryPlan) -> dict[int, str]:
    """Page number -> the scroll that holds it, at that page: `scroll.html#page-3`."""
    found = spans(story, story_plan)
    return {story_plan.pages[i].number: f"{scroll_name(n, len(found))}#page-"
            f"{story_plan.pages[i].number}" for n, (_, pages) in enumerate(found) for i in pages}


def contents(project: ResolvedProject, story: ResolvedStory, story_plan: StoryPlan,
             art: dict[str, PanelArt], cache: Path, files: dict[str, bytes],
             vertical: bool) -> list[dict[str, Any]]:
    """The contents page: each chapter (or the story) with its scenes, each scene with a
    thumbnail of its first panel and the page it starts on, and its scroll when vertical."""
    runs = scene_runs(project, story_plan)
    found = spans(story, story_plan)
    groups = []
    for n, (chapter, pages) in enumerate(found):
        numbers = [story_plan.pages[i].number for i in pages]
        scenes = []
        for index, run in enumerate(runs):
            ends = runs[index + 1]["page"] if index + 1 < len(runs) else numbers[-1] + 1
            # the scenes starting in the chapter, and the one going on at its first page
            if run["page"] in numbers or run["page"] < numbers[0] < ends:
                drawn = art[run["panel"].id]
                thumb = f"thumbs/{drawn.key}.jpg"
                files[thumb] = _cut(drawn, THUMB, cache)
                scenes.append(dict(name=run["name"], page=max(run["page"], numbers[0]),
                                   thumb=thumb, width=THUMB[0], height=THUMB[1],
                                   alt=run["panel"].alt))
        groups.append(dict(title=chapter.title if chapter else None,
                           date=chapter.date if chapter else None, first=numbers[0],
                           pages=[story_plan.pages[i] for i in pages], scenes=scenes,
                           scroll=scroll_name(n, len(found)) if vertical else None))
    return groups


def scrolls(project: ResolvedProject, story: ResolvedStory, story_plan: StoryPlan,
            slots: dict[int, list[dict[str, Any]]], gutter: int) -> list[dict[str, Any]]:
    """Each scroll of a vertical story: its file, title, neighbours and strips. A strip is a
    page, its panels' boxes made relative to it after the margins at a join are cut so two
    pages meet with one gutter between their panels."""
    runs = scene_runs(project, story_plan)
    found = spans(story, story_plan)
    cut = max(MARGIN // 2 - gutter / 2, 0)
    out = []
    for n, (chapter, pages) in enumerate(found):
        strips = []
        for k, i in enumerate(pages):
            page = story_plan.pages[i]
            top = cut if k > 0 else 0
            bottom = cut if k < len(pages) - 1 else 0
            height = page.height - top - bottom
            names = [r["name"] for r in runs if r["panel"].id in page.panels]
            going_on = [r["name"] for r in runs if r["page"] <= page.number]
            boxed = [dict(slot, scroll_box=(x / page.width, (y - top) / height, w / page.width,
                                            h / height))
                     for slot, (x, y, w, h) in zip(slots[page.number], page.slots, strict=True)]
            # a scene's title where it starts (or where a chapter takes it up), not again
            # on the next page of a long scene
            strips.append(dict(number=page.number, width=page.width, height=height,
                               title=", ".join(dict.fromkeys(names or (
                                   going_on[-1:] if k == 0 else []))),
                               slots=boxed))
        out.append(dict(name=scroll_name(n, len(found)), chapter=chapter.title if chapter
                        else None, strips=strips,
                        previous=scroll_name(n - 1, len(found)) if n > 0 else None,
                        next=scroll_name(n + 1, len(found)) if n + 1 < len(found) else None))
    return out
