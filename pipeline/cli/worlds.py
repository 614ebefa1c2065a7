"""`panelwright worlds ...` and `panelwright scenes ...`: the seed's world card and scene
card operations on the story repo's files, shaped like `panelwright characters ...`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..format.slugs import slugify
from .characters import PROJECT
from .report import echo_page, reports_problems


def _lore(pairs: tuple[str, ...]) -> list[dict] | None:
    """--lore "gate, Frost Moon City=The gate closes at dusk." (repeatable) as lore entries;
    --lore "" empties the list."""
    if not pairs:
        return None
    if pairs == ("",):
        return []
    entries = []
    for pair in pairs:
        keys, sep, content = pair.partition("=")
        if not sep or not keys.strip() or not content.strip():
            raise click.BadParameter(f"'{pair}' is not KEYS=CONTENT, e.g. "
                                     "\"gate, city gate=The gate closes at dusk.\"",
                                     param_hint="--lore")
        entries.append({"keys": [k.strip() for k in keys.split(",") if k.strip()],
                        "content": content.strip()})
    return entries


def _dump(record, exclude: set[str] | None = None) -> str:
    return json.dumps(record.model_dump(mode="json", exclude=exclude), ensure_ascii=False,
                      indent=2)


def _times(record) -> str:
    if not record.updated_at:
        return ""
    return f"  created {record.created_at}, updated {record.updated_at} ({record.times_from})"


@click.group()
def worlds() -> None:
    """Create, show, update, delete and list worlds (worlds/<id>.yaml).

    The id is the file name, a slug of the name. A world's scene cards are managed
    with 'panelwright scenes'.

    \b
    Examples:
      panelwright worlds create "Frost Moon" --description "A northern city of white stone."
      panelwright worlds list --search frost
      panelwright worlds show frost-moon
      panelwright worlds update frost-moon --lore "gate=The gate closes at dusk."
      panelwright worlds delete frost-moon --force   # even if a story is set in it

    Add -p PATH when you are not in the story repo.
    """


@worlds.command("create")
@reports_problems("; nothing was changed")
@click.argument("name")
@click.option("--description", help="What the world is like.")
@click.option("--lore", multiple=True, metavar="KEYS=CONTENT",
              help='A lore entry, e.g. "gate, city gate=The gate closes at dusk." (repeat).')
@PROJECT
def world_create(name: str, description: str | None, lore: tuple[str, ...],
                 project: Path) -> None:
    """Create a world named NAME in worlds/<slug of NAME>.yaml.

    \b
    Example:
      panelwright worlds create "The Coast" --description "A windy stretch of coast." \\
          --lore "lighthouse, light=The light has not gone out in forty years."
    """
    from ..worlds.files import Worlds
    fields = {"lore": _lore(lore)} if lore else {}
    world = Worlds(project).create(name=name, description=description or "", **fields)
    click.echo(f"Created {world.source} (id: {world.id})")
    if world.id != slugify(name):
        click.echo(f"  note: worlds/{slugify(name)}.yaml already exists and was not replaced; "
                   f"the new one is named '{world.id}'")
    click.echo(f"  add scene cards with: panelwright scenes create {world.id} NAME")


@worlds.command("show")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.option("--json", "as_json", is_flag=True, help="Print the world as JSON.")
@PROJECT
def world_show(world_id: str, as_json: bool, project: Path) -> None:
    """Show one world (by id, the file name without .yaml)."""
    from ..worlds.files import Worlds
    world = Worlds(project).get(world_id)
    if as_json:
        click.echo(_dump(world))
        return
    click.echo(f"{world.name}  (id: {world.id}, file: {world.source})")
    if world.description:
        click.echo("  " + world.description.replace("\n", "\n  "))
    for entry in world.lore:
        click.echo(f"  lore [{', '.join(entry.keys)}]: {entry.content}")
    for card in world.scenes:
        click.echo(f"  scene {card.id}: {card.name} ({card.time_of_day.value}, "
                   f"{card.weather.value})")
    click.echo(_times(world))


@worlds.command("update")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.option("--name", help="A new name (the id and file name stay).")
@click.option("--description", help="What the world is like.")
@click.option("--lore", multiple=True, metavar="KEYS=CONTENT",
              help='Replace the lore entries (repeat for more; --lore "" empties them).')
@PROJECT
def world_update(world_id: str, name: str | None, description: str | None,
                 lore: tuple[str, ...], project: Path) -> None:
    """Change some fields of a world; comments, key order and the rest stay as written.

    \b
    Example:
      panelwright worlds update frost-moon --description "A city under a pale moon."
    """
    from ..worlds.files import Worlds
    changes = {k: v for k, v in (("name", name), ("description", description),
                                 ("lore", _lore(lore))) if v is not None}
    if not changes:
        raise click.UsageError("give at least one field to change, e.g. --description")
    world = Worlds(project).update(world_id, **changes)
    click.echo(f"Updated {world.source}: {', '.join(changes)}")


@worlds.command("delete")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.option("--force", is_flag=True, help="Delete even if a story is set in it.")
@PROJECT
def world_delete(world_id: str, force: bool, project: Path) -> None:
    """Delete a world's file (refused while a story is set in it, unless --force)."""
    from ..worlds.files import Worlds
    Worlds(project).delete(world_id, force=force)
    click.echo(f"Deleted worlds/{world_id}.yaml")


@worlds.command("list")
@reports_problems("; nothing was changed")
@click.option("--limit", default=20, show_default=True, help="Worlds per page (1–100).")
@click.option("--offset", default=0, show_default=True)
@click.option("--search", help="Part of a name (case and accents ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@PROJECT
def world_list(limit: int, offset: int, search: str | None, as_json: bool,
               project: Path) -> None:
    """List worlds by name, a page at a time."""
    from ..worlds.files import Worlds
    page = Worlds(project).list(limit=limit, offset=offset, search=search)
    echo_page(page, [w.model_dump(mode="json", include={"id", "name", "created_at", "updated_at"})
                     | {"scenes": len(w.scenes)} for w in page.items] if as_json else None,
              [f"{w.id:24} {w.name:28} {len(w.scenes)} scene cards" for w in page.items])


# ---- scene cards -----------------------------------------------------------------------

SCENE_OPTIONS = [
    click.option("--description", help="What is there (the procedural engine reads the "
                 "place from it when --place is not given)."),
    click.option("--time-of-day", type=click.Choice(["dawn", "day", "dusk", "night"])),
    click.option("--weather", type=click.Choice(["clear", "rain", "snow", "fog"])),
    click.option("--place", type=click.Choice(["city_gate", "street", "interior", "forest",
                                               "mountains", "shore", "sky", "neutral"])),
    click.option("--palette", multiple=True, metavar="#RRGGBB",
                 help="A colour of the scene (repeat, up to 8; --palette \"\" empties it)."),
]


def scene_options(command):
    for option in reversed(SCENE_OPTIONS):
        command = option(command)
    return command


def _scene_fields(given: dict) -> dict:
    fields = {k: v for k, v in given.items() if v is not None and k != "palette"}
    if given.get("palette"):
        fields["palette"] = [] if given["palette"] == ("",) else list(given["palette"])
    return fields


@click.group()
def scenes() -> None:
    """Create, show, update, delete and list scene cards (the scenes: of worlds/<id>.yaml).

    A scene card's id is unique within its world; a story's scene headings name it.

    \b
    Examples:
      panelwright scenes list                          # every world's scene cards
      panelwright scenes list --world frost-moon
      panelwright scenes create frost-moon "Moon Hall" --time-of-day night --place interior
      panelwright scenes show frost-moon moon-hall
      panelwright scenes update frost-moon moon-hall --weather snow
      panelwright scenes delete frost-moon moon-hall   # refused while a story uses it

    Add -p PATH when you are not in the story repo.
    """


@scenes.command("list")
@reports_problems("; nothing was changed")
@click.option("--world", "world_id", help="Only this world's scene cards.")
@click.option("--limit", default=20, show_default=True, help="Scene cards per page (1–100).")
@click.option("--offset", default=0, show_default=True)
@click.option("--search", help="Part of a name or id (case and accents ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@PROJECT
def scene_list(world_id: str | None, limit: int, offset: int, search: str | None,
               as_json: bool, project: Path) -> None:
    """List scene cards, world by world in each world's order, a page at a time."""
    from ..worlds.files import SceneCards
    page = SceneCards(project).list(world_id, limit=limit, offset=offset, search=search)
    echo_page(page, [s.model_dump(mode="json") for s in page.items] if as_json else None,
              [f"{card.world + '/' + card.id:36} {card.name:32} "
               f"{card.time_of_day.value}, {card.weather.value}" for card in page.items])


@scenes.command("create")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.argument("name")
@scene_options
@PROJECT
def scene_create(world_id: str, name: str, project: Path, **given) -> None:
    """Add a scene card named NAME to WORLD_ID (the seed's "Add Scene Card").

    \b
    Example:
      panelwright scenes create frost-moon "North Road" --time-of-day dawn --weather snow \\
          --place mountains --palette "#1b2a4a" --palette "#c8d8ee"
    """
    from ..worlds.files import SceneCards
    card = SceneCards(project).create(world_id, name=name, **_scene_fields(given))
    click.echo(f"Added the scene card '{card.id}' to {card.source}")
    if card.id != slugify(name):
        click.echo(f"  note: '{slugify(name)}' is taken in this world; the new card is "
                   f"'{card.id}'")


@scenes.command("show")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.argument("scene_id")
@click.option("--json", "as_json", is_flag=True, help="Print the scene card as JSON.")
@PROJECT
def scene_show(world_id: str, scene_id: str, as_json: bool, project: Path) -> None:
    """Show one scene card of a world."""
    from ..worlds.files import SceneCards
    card = SceneCards(project).get(world_id, scene_id)
    if as_json:
        click.echo(_dump(card))
        return
    click.echo(f"{card.name}  (id: {card.id}, world: {card.world}, file: {card.source})")
    click.echo(f"  {card.time_of_day.value}, {card.weather.value}"
               + (f", {card.place.value}" if card.place else ""))
    if card.palette:
        click.echo("  palette: " + " ".join(card.palette))
    if card.description:
        click.echo("  " + card.description)
    click.echo(_times(card))


@scenes.command("update")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.argument("scene_id")
@click.option("--name", help="A new name (the id stays).")
@scene_options
@PROJECT
def scene_update(world_id: str, scene_id: str, project: Path, **given) -> None:
    """Change some fields of a scene card; the rest of the world file stays as written."""
    from ..worlds.files import SceneCards
    changes = _scene_fields(given)
    if not changes:
        raise click.UsageError("give at least one field to change, e.g. --weather")
    card = SceneCards(project).update(world_id, scene_id, **changes)
    click.echo(f"Updated the scene card '{card.id}' in {card.source}: {', '.join(changes)}")


@scenes.command("delete")
@reports_problems("; nothing was changed")
@click.argument("world_id")
@click.argument("scene_id")
@click.option("--force", is_flag=True, help="Delete even if a story's outline uses it.")
@PROJECT
def scene_delete(world_id: str, scene_id: str, force: bool, project: Path) -> None:
    """Remove a scene card from its world (refused while a story uses it, unless --force)."""
    from ..worlds.files import SceneCards
    SceneCards(project).delete(world_id, scene_id, force=force)
    click.echo(f"Removed the scene card '{scene_id}' from worlds/{world_id}.yaml")
