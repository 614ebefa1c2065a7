"""The `panelwright` command: the group, and every subcommand registered on it.

Each subcommand lives in the module for its kind of work (`project`: new, check, build,
preview, clean; `serve`: serve; `characters`: characters, avatar, card; `worlds`:
worlds, scenes; `stories`: stories; `engines`: engines, generate; `export`: export;
`pins`: pin, unpin).
Every one reports a user's mistake through `report.reports_problems` (file:line: what
is wrong, and a hint, exit status 1), so a traceback always means a bug in Panelwright.
None of them imports this module: the arrows point down, and there is no cycle.
"""

from __future__ import annotations

import click

from .. import __version__
from .characters import avatar, card, characters
from .engines import engines, generate
from .export import export
from .pins import pin, unpin
from .project import build, check, clean, new, preview
from .serve import serve
from .stories import stories
from .worlds import scenes, worlds


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="panelwright")
def main() -> None:
    """Turn a folder of story files into a comic, published as a static site.

    \b
    Start a project, check it, build it:
      panelwright new my-comic
      panelwright check my-comic
      panelwright build my-comic      # writes my-comic/_site/index.html
      panelwright serve my-comic      # the same, rebuilt on every save, live

    The story repo format is described in docs/format.md.
    """


for command in (new, check, build, serve, preview, clean, export, generate, engines, characters,
                avatar, card, worlds, scenes, stories, pin, unpin):
    main.add_command(command)
