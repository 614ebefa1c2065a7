"""Pinning a panel and unpinning it: the work behind `panelwright pin`/`unpin` and
`Studio.pin`/`unpin`, in one place.

`pin` copies the panel's art as it is drawn now into the repo (`pins/<story>/<node>.png`)
and records it in `stories/<story>.pins.yaml`; both are committed, so the pin survives a
deleted cache and reaches a collaborator through git (docs/format.md, "Control of each
panel"). `unpin` removes both, and the next build draws the panel anew. `pins.py` below
matches pins to a plan and reads and writes the file; this tier runs the build's front
half to find the panel and draw it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..art import draw_art
from ..build import ready
from ..errors import Problem, ProjectError
from ..pins import PinsFileError, pin_entry, pins_file, read_pins, write_pins
from ..plan import plan
from ..runtime.cache import project_lock, write_atomic
from ..specs import PanelSpec, StoryPlan
from ..story.nodes import write_nodes

NAMED = re.compile(r"^(?:(?P<story>[^:]+):)?(?P<page>\d+)[.:/](?P<panel>\d+)$")
HOW = ("name a panel by its id, as `build --explain` shows it and a page of the site holds "
       "it (data-panel), e.g. arrival--city-gate-01; or by page and panel: STORY:PAGE.PANEL "
       "(e.g. arrival:1.2; PAGE.PANEL alone when the project has one story)")


@dataclass(frozen=True)
class Pinned:
    """A pin written or removed: the panel's id, the kept image and the pins file (both
    relative to the project, to commit)."""

    panel: str
    image: str | None
    pins_file: str


def find_panel(plans: list[StoryPlan], name: str) -> PanelSpec:
    """The PanelSpec that `name` means: a panel id, a node id when there is one story,
    or STORY:PAGE.PANEL (PAGE.PANEL with one story), pages and panels counted from 1."""
    panels = [p for sp in plans for p in sp.panels]
    by_id = {p.id: p for p in panels}
    if name in by_id:
        return by_id[name]
    stories = [sp.story for sp in plans]
    numbered = NAMED.match(name)
    if numbered:
        story = numbered.group("story") or (stories[0] if len(stories) == 1 else None)
        page, slot = int(numbered.group("page")), int(numbered.group("panel")) - 1
        found = [p for p in panels if p.story == story and p.page == page and p.slot == slot]
        if found:
            return found[0]
        raise ProjectError([Problem(file=name, message="no panel of the project is named "
                                    "this: " + _no_such_place(panels, stories, story, page),
                                    hint=HOW)])
    elif len(stories) == 1 and f"{stories[0]}--{name}" in by_id:
        return by_id[f"{stories[0]}--{name}"]
    close = sorted(by_id, key=lambda pid: -_likeness(pid, name))[:3]
    raise ProjectError([Problem(file=name, message="no panel of the project is named this",
                                hint=HOW + ("; panels such as: " + ", ".join(close)
                                            if close else ""))])


def _no_such_place(panels: list[PanelSpec], stories: list[str], story: str | None,
                   page: int) -> str:
    """Why STORY:PAGE.PANEL names no panel: the story, its pages or the page's panels."""
    if story is None:
        return "the project has several stories, so name the story too, e.g. " \
               f"{stories[0]}:{page}.1 (the stories are: {', '.join(stories)})"
    if story not in stories:
        return f"there is no story '{story}' (the stories are: {', '.join(stories)})"
    pages = max((p.page for p in panels if p.story == story), default=0)
    on_page = sum(1 for p in panels if p.story == story and p.page == page)
    if not on_page:
        return f"{story} has {pages} page{'s' if pages != 1 else ''}, counted from 1"
    return f"page {page} of {story} has {on_page} panel{'s' if on_page != 1 else ''}, " \
           "counted from 1"


def _likeness(a: str, b: str) -> float:
    import difflib
    return difflib.SequenceMatcher(None, a, b).ratio()


def _read(root: Path, rel: str):
    try:
        return read_pins(root / rel)
    except PinsFileError as exc:
        raise ProjectError([Problem(file=rel, message=str(exc),
                                    hint="fix the file, or remove it to start again")]) from None


def pin_panel(project: str | Path, panel: str) -> Pinned:
    """Keep `panel`'s art exactly as it is drawn now (drawing it if it is not yet):
    copy it into pins/ and record it in the story's pins file. Raises ProjectError for
    an unknown panel, a panel that shows the writer's own art, or a broken pins file."""
    prepared = ready(project)
    plans = plan(prepared, write_nodes(prepared))
    spec = find_panel(plans, panel)
    node = next(n for sp in plans if sp.story == spec.story for n in sp.nodes
                if n.id == spec.node)
    if spec.art:
        raise ProjectError([Problem(
            file=spec.source, line=spec.line,
            message=f"the panel {spec.id} shows your own art ({spec.art}); no engine "
                    "redraws it, so there is nothing to pin", hint="leave it as it is")])
    with project_lock(project):
        art = draw_art(prepared, [spec])[spec.id]
    target = spec.pin or f"pins/{spec.story}/{spec.node}.{art.format}"
    root = Path(prepared.root)
    if spec.pin is None:
        write_atomic(root / target, Path(art.image).read_bytes())
    rel = pins_file(spec.source)
    data = _read(root, rel)
    panels = data.setdefault("panels", {})
    for key in [k for k, v in panels.items() if isinstance(v, dict) and v.get("image") == target
                and k != spec.node]:
        del panels[key]  # a pin that moved with its words is recorded under its panel now
    panels[spec.node] = pin_entry(target, spec.description, spec.camera,
                                  spec.pin_figures if spec.pin else art.figures,
                                  node.seed, node.sketch)
    write_pins(root / rel, data)
    return Pinned(spec.id, target, rel)


def unpin_panel(project: str | Path, panel: str) -> Pinned:
    """Let `panel` be drawn anew: remove its pin, and its kept image unless another pin
    uses it. Raises ProjectError when the panel is not pinned."""
    root = Path(project).resolve()
    story, _, node = panel.partition("--")
    if not node:  # STORY:PAGE.PANEL: the plan says which node that is
        prepared = ready(project)
        spec = find_panel(plan(prepared, write_nodes(prepared)), panel)
        story, node = spec.story, spec.node
    rel = pins_file(f"stories/{story}.md")
    data = _read(root, rel)
    panels = data.get("panels") or {}
    if node not in panels:
        raise ProjectError([Problem(
            file=rel, message=f"the panel {story}--{node} is not pinned",
            hint="the pinned panels are: " + (", ".join(f"{story}--{k}" for k in panels)
                                               or "none"))])
    image = panels[node].get("image") if isinstance(panels[node], dict) else None
    del panels[node]
    write_pins(root / rel, data)
    others = {v.get("image") for v in panels.values() if isinstance(v, dict)}
    kept = root / image if isinstance(image, str) else None
    if kept is not None and image not in others and image.startswith("pins/") and \
            kept.resolve().is_relative_to(root) and kept.is_file() and not kept.is_symlink():
        kept.unlink()
    return Pinned(f"{story}--{node}", image if isinstance(image, str) else None, rel)
