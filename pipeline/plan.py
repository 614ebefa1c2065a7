"""Stage 5, plan: story nodes become panel specs on pages.

Decides what a storyboard artist decides before drawing: which page each panel
is on and in what layout, the camera when the outline names none, who is drawn and
who only heard (`casting.py`), the size each panel is drawn at (within the Style DNA
rules) and a stable seed per panel.
"""

from __future__ import annotations

import hashlib

from pydantic import ValidationError

from .casting import cast, visible
from .errors import Problem
from .format.camera import ESTABLISHING, Angle, Shot
from .format.layouts import (LAYOUTS, MARGIN, MAX_PANELS, VERTICAL_WIDTH, choose, page_size, place,
                             vertical)
from .format.model import LineKind
from .format.sizes import MAX_AREA, fit
from .format.pins_model import Pin
from .lettering.place import LEADING
from .pins import match_pins
from .source.resolve import ResolvedProject, ResolvedStory
from .specs import Camera, Figure, PageSpec, PanelSpec, StoryNode, StoryPlan

AUTO_PAGE = 4  # panels per page when the writer marks no page breaks
VERTICAL_PAGE = 8  # at most this many panels on one page of the vertical scroll format


def choose_camera(node: StoryNode, previous: list[StoryNode],
                  seen: list[str] | None = None) -> Camera:
    """The outline's camera, or the one a storyboard artist would pick here, framing
    `seen` (who could be seen: `casting.visible`; the node's characters by default)."""
    angle = node.angle or Angle.eye_level
    if node.shot is not None:
        return Camera(shot=node.shot, angle=angle, chosen_by="outline")
    people = node.characters if seen is None else seen
    same_scene = [n for n in previous if n.scene == node.scene]
    spoken = [w for w in node.lines if w.speaker]
    if not same_scene:
        shot = Shot.wide_shot  # a scene opens on where we are
    elif not people:
        shot = Shot.wide_shot  # nobody to frame: show the place
    elif any(w.kind == LineKind.shout for w in spoken):
        shot = Shot.close_up
    elif len(people) >= 3:
        shot = Shot.full_shot
    elif spoken:
        # The camera moves in as a conversation goes on.
        talk = sum(1 for n in same_scene if any(w.speaker for w in n.lines))
        shot = [Shot.medium_shot, Shot.medium_close_up, Shot.close_up][min(talk, 2)]
        if talk >= 3 and len(people) == 2:
            shot = Shot.over_the_shoulder
    else:
        shot = Shot.full_shot
    return Camera(shot=shot, angle=angle, chosen_by="planner")


def panel_seed(project_seed: int, story: str, node: str, own: int | None = None) -> int:
    """A panel's seed: the project's seed, the story and the node, and the panel's own
    `[seed=N]` when it is not 0 (seed=0 is the panel's first draw, as no seed is)."""
    key = f"{project_seed}:{story}:{node}" + (f":{own}" if own else "")
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:4], "big")


def paginate(nodes: list[StoryNode], vertical_format: bool = False) -> list[list[StoryNode]]:
    """Split nodes into pages at the writer's breaks; long runs split evenly.

    In the vertical scroll format a page is a scene (long scenes in even chunks):
    a phone reader scrolls through a whole scene, and page breaks made for paper
    do not apply.
    """
    runs: list[list[StoryNode]] = []
    for node in nodes:
        new_run = node.scene != runs[-1][-1].scene if vertical_format and runs else \
            node.page_break_before
        if not runs or new_run:
            runs.append([])
        runs[-1].append(node)
    pages: list[list[StoryNode]] = []
    for run in runs:
        limit = VERTICAL_PAGE if vertical_format else MAX_PANELS if run[0].layout \
            else AUTO_PAGE
        count = -(-len(run) // limit)
        size = -(-len(run) // count)
        pages += [run[i:i + size] for i in range(0, len(run), size)]
    return pages


def vertical_aspect(node: StoryNode, shot: Shot, base: float, letter_size: int) -> float:
    """A vertical-format panel's width/height: the style's shape (16:9 for an
    establishing shot), made taller when its words need the room to be read."""
    aspect = max(base, 16 / 9) if shot in ESTABLISHING else base
    live_w = VERTICAL_WIDTH - MARGIN
    # room the lettering takes: each letter about half an em wide and a line high,
    # doubled for the balloon round it; it may cover a third of the panel
    ems = sum(len(w.text) * (1.0 if any(ord(c) >= 0x2E80 for c in w.text) else 0.52)
              * (2.5 if w.kind == LineKind.sfx else 1.0) for w in node.lines)
    needed = ems * letter_size * letter_size * LEADING * 2.2 / 0.33
    return max(min(aspect, live_w * live_w / max(needed, 1.0)), 0.6)


def plan_story(project: ResolvedProject, story: ResolvedStory,
               nodes: list[StoryNode]) -> StoryPlan:
    """Every panel's page, slot, camera, size and seed; every page's layout."""
    style = project.styles.get(story.style) if story.style else None
    gutter = style.gutter if style else 24
    rtl = project.config.reading_direction.value == "rtl"
    panels: list[PanelSpec] = []
    pages: list[PageSpec] = []
    cameras = {}
    for index, node in enumerate(nodes):
        cameras[node.id] = choose_camera(node, nodes[:index],
                                         visible(node, project.characters))
    pinned = match_pins(story, nodes)
    vertical_format = project.config.format == "vertical"
    base = (style.size if style and style.size else project.config.panel_size).aspect
    for number, page_nodes in enumerate(paginate(nodes, vertical_format), start=1):
        if vertical_format:
            # one column, each panel full width
            aspects = [vertical_aspect(n, cameras[n.id].shot, base,
                                       project.config.lettering.size) for n in page_nodes]
            boxes, height = vertical(aspects, gutter)
            name, width = "vertical", VERTICAL_WIDTH
        else:
            wanted = page_nodes[0].layout
            fits = wanted in LAYOUTS and len(LAYOUTS[wanted].slots) == len(page_nodes)
            name = wanted if fits else choose([cameras[n.id].shot for n in page_nodes])
            boxes = place(LAYOUTS[name], gutter, rtl)
            width, height = page_size(LAYOUTS[name])
        ids = []
        for slot, (node, box) in enumerate(zip(page_nodes, boxes, strict=True)):
            art_w, art_h = fit(box[2] / box[3], min(int(box[2] * box[3]), MAX_AREA))
            panel_id = f"{story.id}--{node.id}"
            ids.append(panel_id)
            casting = cast(node, cameras[node.id].shot, project.characters)
            panels.append(PanelSpec(
                id=panel_id, story=story.id, node=node.id, page=number, slot=slot,
                world=story.world, scene=node.scene, style=story.style,
                description=node.description, camera=cameras[node.id],
                characters=casting.drawn, heard=casting.heard, voices=casting.voices,
                casting=casting.why, lines=node.lines, width=art_w, height=art_h,
                seed=panel_seed(project.config.seed, story.id, node.id, node.seed),
                reroll=node.seed or 0, rtl=rtl,
                box=box, source=story.source, line=node.line,
                **_chosen_art(node, pinned.get(node.id))))
        pages.append(PageSpec(story=story.id, number=number, layout=name, width=width,
                              height=height, slots=boxes, panels=ids))
    return StoryPlan(story=story.id, nodes=nodes, panels=panels, pages=pages)


def _chosen_art(node: StoryNode, pinned: tuple[str, Pin] | None) -> dict:
    """The art the writer chose for a panel: pinned art first (kept whatever the outline
    says), else their own art or the sketch the outline names."""
    if pinned is not None:
        figures = []
        for figure in pinned[1].figures:  # a hand-edited figure that is not one is left out
            try:
                figures.append(Figure.model_validate(figure))
            except ValidationError:
                continue
        return {"pin": pinned[1].image, "pin_figures": figures}
    return {"art": node.art, "sketch": node.sketch}


def plan(project: ResolvedProject, nodes: dict[str, list[StoryNode]]) -> list[StoryPlan]:
    return [plan_story(project, story, nodes[story.id]) for story in project.stories]


def layout_warnings(plans: list[StoryPlan]) -> list[Problem]:
    """A page whose asked-for layout does not fit its number of panels (the planner
    chose another one, as `plan_story` does). The vertical scroll format has no page
    layouts (the writer's breaks and layouts are for paper): nothing to warn about."""
    warnings = []
    for story_plan in plans:
        nodes = {n.id: n for n in story_plan.nodes}
        panels = {p.id: p for p in story_plan.panels}
        for page in story_plan.pages:
            first = nodes[panels[page.panels[0]].node]
            if first.layout and first.layout != page.layout and page.layout != "vertical":
                slots = len(LAYOUTS[first.layout].slots)
                warnings.append(Problem(
                    file=panels[page.panels[0]].source, line=first.layout_line or first.line,
                    severity="warning",
                    message=f"page {page.number} asks for the layout '{first.layout}', which "
                            f"holds {slots} panel{'s' if slots != 1 else ''}, but has "
                            f"{len(page.panels)}; it was laid out as '{page.layout}'",
                    hint=f"move a page break, or choose a layout for {len(page.panels)} "
                         "panels (see docs/format.md)"))
    return warnings
