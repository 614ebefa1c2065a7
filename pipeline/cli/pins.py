"""The commands that keep a panel's art as drawn: pin, unpin.

`pin` copies the panel's art as it is drawn now into the repo (`pins/<story>/<node>.png`)
and records it in `stories/<story>.pins.yaml`; both are committed, so the pin survives a
deleted cache and reaches a collaborator through git (docs/format.md, "Control of each
panel"). `unpin` removes both, and the next build draws the panel anew.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import Problem, ProjectError
from .report import reports_problems

NAMED = re.compile(r"^(?:(?P<story>[^:]+):)?(?P<page>\d+)[.:/](?P<panel>\d+)$")
HOW = ("name a panel by its id, as `build --explain` shows it and a page of the site holds "
       "it (data-panel), e.g. arrival--city-gate-01; or by page and panel: STORY:PAGE.PANEL "
       "(e.g. arrival:1.2; PAGE.PANEL alone when the project has one story)")


def find_panel(plans: list, name: str):
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
    elif len(stories) == 1 and f"{stories[0]}--{name}" in by_id:
        return by_id[f"{stories[0]}--{name}"]
    close = sorted(by_id, key=lambda pid: -_likeness(pid, name))[:3]
    raise ProjectError([Problem(file=name, message="no panel of the project is named this",
                                hint=HOW + ("; panels such as: " + ", ".join(close)
                                            if close else ""))])


def _likeness(a: str, b: str) -> float:
    import difflib
    return difflib.SequenceMatcher(None, a, b).ratio()


@click.command()
@reports_problems("; nothing was pinned")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("panel")
def pin(project: Path, panel: str) -> None:
    """Keep PANEL's art exactly as it is drawn now, whatever changes later.

    \b
    The art is copied into the project (pins/STORY/NODE.png) and recorded in
    stories/STORY.pins.yaml: commit both. A new seed, a style tweak or another
    engine then leaves the panel as it is, until `panelwright unpin`.
    PANEL is a panel id (as `build --explain` shows it) or STORY:PAGE.PANEL.

    \b
    Examples:
      panelwright pin my-comic arrival--city-gate-02
      panelwright pin my-comic arrival:1.2       # page 1, panel 2
    """
    from ..art import draw_art
    from ..build import ready
    from ..pins import PinsFileError, pin_entry, pins_file, read_pins, write_pins
    from ..plan import plan
    from ..runtime.cache import project_lock, write_atomic
    from ..story.nodes import write_nodes

    prepared = ready(project)
    spec = find_panel(plan(prepared, write_nodes(prepared)), panel)
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
    path = root / pins_file(spec.source)
    try:
        data = read_pins(path)
    except PinsFileError as exc:
        raise ProjectError([Problem(file=pins_file(spec.source), message=str(exc),
                                    hint="fix the file, or remove it to start again")]) from None
    panels = data.setdefault("panels", {})
    for key in [k for k, v in panels.items() if isinstance(v, dict) and v.get("image") == target
                and k != spec.node]:
        del panels[key]  # a pin that moved with its words is recorded under its panel now
    panels[spec.node] = pin_entry(target, spec.description, spec.camera,
                                  spec.pin_figures if spec.pin else art.figures)
    write_pins(path, data)
    click.echo(f"Pinned {spec.id}: its art is kept in {target} "
               f"(listed in {pins_file(spec.source)}); commit both.")


@click.command()
@reports_problems("; nothing was unpinned")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("panel")
def unpin(project: Path, panel: str) -> None:
    """Let PANEL be drawn anew: remove its pin and the kept copy of its art.

    \b
    Example:
      panelwright unpin my-comic arrival--city-gate-02
    """
    from ..pins import PinsFileError, pins_file, read_pins, write_pins

    root = project.resolve()
    story, _, node = panel.partition("--")
    if not node:  # STORY:PAGE.PANEL: the plan says which node that is
        from ..build import ready
        from ..plan import plan
        from ..story.nodes import write_nodes
        prepared = ready(project)
        spec = find_panel(plan(prepared, write_nodes(prepared)), panel)
        story, node = spec.story, spec.node
    rel = pins_file(f"stories/{story}.md")
    try:
        data = read_pins(root / rel)
    except PinsFileError as exc:
        raise ProjectError([Problem(file=rel, message=str(exc),
                                    hint="fix the file, or remove it to start again")]) from None
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
    click.echo(f"Unpinned {story}--{node}: the next build draws it anew.")
