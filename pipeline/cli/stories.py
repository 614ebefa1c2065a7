"""`panelwright stories ...`: the seed's story operations on the story repo's files, shaped
like `panelwright characters ...`, and `stories nodes` (the seed's "Get Story Nodes")."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..format.slugs import slugify
from .characters import PROJECT
from .report import echo_page, reports_problems
from .worlds import _dump, _times

STORY_OPTIONS = [
    click.option("--style", help="A style id (styles/<id>.yaml) or a preset, e.g. fantasy_anime."),
    click.option("--summary", help="One or two sentences about the story."),
    click.option("--cover", help="A cover image, relative to stories/."),
    click.option("--outline", help="The outline (Markdown: '## scene', then paragraphs)."),
    click.option("--outline-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="Read the outline from this file."),
]


def story_options(command):
    for option in reversed(STORY_OPTIONS):
        command = option(command)
    return command


def _fields(given: dict) -> dict:
    fields = {k: v for k, v in given.items() if v is not None and k != "outline_file"}
    if given.get("outline_file") is not None:
        if given.get("outline") is not None:
            raise click.UsageError("give --outline or --outline-file, not both")
        fields["outline"] = given["outline_file"].read_text(encoding="utf-8")
    return fields


@click.group()
def stories() -> None:
    """Create, show, update, rename, delete and list stories (stories/<id>.md); read their nodes.

    The id is the file name, a slug of the title; the outline is the file's Markdown body.

    \b
    Examples:
      panelwright stories create "Frost Moon Legend" --world frost-moon \\
          --outline-file outline.md
      panelwright stories list
      panelwright stories show frost-moon-legend
      panelwright stories update frost-moon-legend --style fantasy_anime
      panelwright stories nodes frost-moon-legend      # the story's nodes, as a build uses them
      panelwright stories rename frost-moon-legend the-frost-moon
      panelwright stories delete frost-moon-legend --force

    Add -p PATH when you are not in the story repo.
    """


@stories.command("create")
@reports_problems("; nothing was changed")
@click.argument("title")
@click.option("--world", "world_id", required=True, help="The world it is set in (its id).")
@story_options
@PROJECT
def story_create(title: str, world_id: str, project: Path, **given) -> None:
    """Create a story titled TITLE in stories/<slug of TITLE>.md.

    \b
    Example:
      panelwright stories create "The Keeper" --world the-coast --style fantasy_anime \\
          --outline-file keeper-outline.md
    """
    from ..worlds.stories import Stories
    story = Stories(project).create(title=title, world_id=world_id, **_fields(given))
    click.echo(f"Created {story.source} (id: {story.id})")
    if story.id != slugify(title):
        click.echo(f"  note: stories/{slugify(title)}.md already exists and was not "
                   f"replaced; the new one is named '{story.id}'")
    if not any(scene.beats for scene in story.scenes):
        click.echo("  note: it has no panels yet: write its outline (see docs/format.md)")


@stories.command("show")
@reports_problems("; nothing was changed")
@click.argument("story_id")
@click.option("--json", "as_json", is_flag=True, help="Print the story as JSON.")
@PROJECT
def story_show(story_id: str, as_json: bool, project: Path) -> None:
    """Show one story (by id, the file name without .md) and its outline."""
    from ..worlds.stories import Stories
    story = Stories(project).get(story_id)
    if as_json:
        click.echo(_dump(story, exclude={"scenes"}))
        return
    click.echo(f"{story.title}  (id: {story.id}, world: {story.world}, file: {story.source})")
    for label, value in (("style", story.style), ("summary", story.summary),
                         ("cover", story.cover)):
        if value:
            click.echo(f"  {label}: {value}")
    panels = sum(len(s.beats) for s in story.scenes)
    click.echo(f"  {len(story.scenes)} scenes, {panels} panels")
    click.echo(_times(story))
    if story.outline.strip():
        click.echo("")
        click.echo(story.outline.strip("\n"))


@stories.command("update")
@reports_problems("; nothing was changed")
@click.argument("story_id")
@click.option("--title", help="A new title (the id and file name stay).")
@click.option("--world", help="Set the story in another world (its id).")
@story_options
@PROJECT
def story_update(story_id: str, project: Path, **given) -> None:
    """Change some fields of a story; comments, key order and the outline stay as written
    unless you give a new --outline.

    \b
    Example:
      panelwright stories update frost-moon-legend --summary "Lin Shuang comes home."
    """
    from ..worlds.stories import Stories
    changes = _fields(given)
    if not changes:
        raise click.UsageError("give at least one field to change, e.g. --summary")
    story = Stories(project).update(story_id, **changes)
    click.echo(f"Updated {story.source}: {', '.join(changes)}")


@stories.command("delete")
@reports_problems("; nothing was changed")
@click.argument("story_id")
@click.option("--force", is_flag=True,
              help="Delete its committed nodes and its pins (and their kept art) too.")
@PROJECT
def story_delete(story_id: str, force: bool, project: Path) -> None:
    """Delete a story's file (refused while it has committed nodes or pinned panels,
    unless --force)."""
    from ..worlds.stories import Stories
    removed = Stories(project).delete(story_id, force=force)
    click.echo("Deleted " + " and ".join(removed))


@stories.command("rename")
@reports_problems("; nothing was changed")
@click.argument("story_id")
@click.argument("new_id")
@PROJECT
def story_rename(story_id: str, new_id: str, project: Path) -> None:
    """Give a story a new id: its file, committed nodes and pins move with it.

    \b
    stories/ID.md, stories/ID.nodes.yaml, stories/ID.pins.yaml and pins/ID/ become
    NEW_ID's, and the pins file names the moved art; nothing is drawn anew. The
    site's addresses of the story (stories/ID/...) change with it.

    \b
    Example:
      panelwright stories rename frost-moon-legend the-frost-moon
    """
    from ..worlds.stories import Stories
    moved = Stories(project).rename(story_id, new_id)
    for old, new in moved:
        click.echo(f"Moved {old} -> {new}")


@stories.command("list")
@reports_problems("; nothing was changed")
@click.option("--limit", default=20, show_default=True, help="Stories per page (1–100).")
@click.option("--offset", default=0, show_default=True)
@click.option("--search", help="Part of a title (case and accents ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@PROJECT
def story_list(limit: int, offset: int, search: str | None, as_json: bool,
               project: Path) -> None:
    """List stories by title, a page at a time."""
    from ..worlds.stories import Stories
    page = Stories(project).list(limit=limit, offset=offset, search=search)
    echo_page(page, [s.model_dump(mode="json", include={
        "id", "title", "world", "style", "created_at", "updated_at"}) for s in page.items]
        if as_json else None,
        [f"{story.id:28} {story.title:32} world: {story.world}" for story in page.items])


@stories.command("nodes")
@reports_problems("; nothing was changed")
@click.argument("story_id")
@click.option("--json", "as_json", is_flag=True, help="Print the nodes as JSON.")
@PROJECT
def story_nodes(story_id: str, as_json: bool, project: Path) -> None:
    """Print STORY_ID's nodes as the build uses them: the committed ones
    (stories/STORY_ID.nodes.yaml, from 'panelwright generate') where they are fresh,
    the scripted engine's from the outline elsewhere."""
    from ..studio.requests import story_nodes as read
    nodes, origin = read(project, story_id)
    if as_json:
        click.echo(json.dumps({"story": story_id, "from": origin,
                               "nodes": [n.model_dump(mode="json") for n in nodes]},
                              ensure_ascii=False))
        return
    click.echo(f"{len(nodes)} nodes of {story_id} ({origin})")
    for node in nodes:
        camera = ", ".join(v.value for v in (node.shot, node.angle) if v)
        click.echo(f"{node.id:24} {node.scene:16} [{camera}] {node.description}")
        for said in node.lines:
            who = said.speaker or said.kind.value
            click.echo(f"{'':41}{who}: {said.text}")
