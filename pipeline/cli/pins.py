"""The commands that keep a panel's art as drawn: pin, unpin.

`pin` copies the panel's art as it is drawn now into the repo (`pins/<story>/<node>.png`)
and records it in `stories/<story>.pins.yaml`; both are committed, so the pin survives a
deleted cache and reaches a collaborator through git (docs/format.md, "Control of each
panel"). `unpin` removes both, and the next build draws the panel anew. The work is
`studio/pinning.py`'s, shared with `Studio.pin` and `Studio.unpin`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .report import reports_problems


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
    from ..studio.pinning import pin_panel

    done = pin_panel(project, panel)
    click.echo(f"Pinned {done.panel}: its art is kept in {done.image} "
               f"(listed in {done.pins_file}); commit both.")


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
    from ..studio.pinning import unpin_panel

    done = unpin_panel(project, panel)
    click.echo(f"Unpinned {done.panel}: the next build draws it anew.")
