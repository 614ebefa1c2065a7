"""`panelwright characters ...`, `panelwright avatar create` and `panelwright card ...`:
the seed's character, avatar and card operations on the story repo's files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..format.slugs import slugify
from .report import echo_page, reports_problems

PROJECT = click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path),
                       default=".", show_default=True, help="The story repo.")


def _not_replaced(wanted: str, got: str, suffix: str) -> None:
    """Say so when a name was taken and a new one chosen: nothing is ever replaced."""
    if got != wanted:
        click.echo(f"  note: characters/{wanted}{suffix} (or a file named like it) already "
                   f"exists and was not replaced; the new one is named '{got}'")


def _show(character) -> None:
    click.echo(f"{character.name}  (id: {character.id}, file: {character.source})")
    colours = ", ".join(f"{k} {v}" for k, v in character.colours.model_dump().items() if v)
    for label, value in (("personality", character.personality),
                         ("first_mes", character.first_mes), ("scenario", character.scenario),
                         ("aliases", ", ".join(character.aliases)),
                         ("tags", ", ".join(character.tags)), ("colours", colours),
                         ("avatar", character.avatar or ""), ("idle", character.idle or ""),
                         ("card fields kept", ", ".join(character.card))):
        if value:
            click.echo(f"  {label}: " + value.replace("\n", "\n    "))
    if character.description:
        click.echo("")
        click.echo(character.description)


def _colours(pairs: tuple[str, ...]) -> dict[str, str | None] | None:
    """--colour hair=#e6ebf2 (repeatable) as {"hair": "#e6ebf2"}; "hair=" removes one."""
    colours: dict[str, str | None] = {}
    for pair in pairs:
        part, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"'{pair}' is not PART=#rrggbb, e.g. hair=#e6ebf2",
                                     param_hint="--colour")
        colours[part.strip()] = value.strip() or None
    return colours or None


FIELD_OPTIONS = [
    click.option("--description", help="The Markdown body of the file (the description)."),
    click.option("--personality", help='e.g. "Calm, Reserved, Loyal".'),
    click.option("--first-mes", help="Their first line, as in character cards."),
    click.option("--scenario", help="Where they are when the story meets them."),
    click.option("--avatar", help="The avatar image, relative to characters/."),
    click.option("--tag", "tags", multiple=True, help="A tag (repeat for more)."),
    click.option("--alias", "aliases", multiple=True,
                 help="Another name the outline uses for them (repeat for more)."),
    click.option("--colour", "colours", multiple=True, metavar="PART=#RRGGBB",
                 help="hair, skin, outfit or accent, e.g. hair=#e6ebf2 (repeat for more)."),
]


def field_options(command):
    for option in reversed(FIELD_OPTIONS):
        command = option(command)
    return command


def _fields(given: dict) -> dict:
    """The options the user gave, as character fields (unset options are left out)."""
    fields = {k: v for k, v in given.items()
              if v is not None and k not in ("tags", "aliases", "colours")}
    for key in ("tags", "aliases"):
        if given.get(key):
            fields[key] = [] if given[key] == ("",) else list(given[key])
    if given.get("colours"):
        fields["colours"] = _colours(given["colours"])
    return fields


@click.group()
def characters() -> None:
    """Create, show, update, delete and list characters (characters/<id>.md).

    Every command works on the files: the id is the file name, a slug of the name.

    \b
    Examples:
      panelwright characters create "Lin Shuang" --personality "Calm, Reserved"
      panelwright characters list --search lin          # case and accents ignored
      panelwright characters show lin-shuang
      panelwright characters update lin-shuang --first-mes "I will wait." --tag hero
      panelwright characters delete old-guard --force   # even if a story uses them

    Add -p PATH when you are not in the story repo.
    """


@characters.command("create")
@reports_problems("; nothing was changed")
@click.argument("name")
@field_options
@PROJECT
def create(name: str, project: Path, **given) -> None:
    """Create a character named NAME in characters/<slug of NAME>.md.

    \b
    Example:
      panelwright characters create "Lin Shuang" --personality "Calm, Reserved" \\
          --first-mes "The gate is closed at night." --tag swordswoman \\
          --colour hair=#e6ebf2 --description "A calm and composed swordswoman."
    """
    from ..characters.files import Characters
    character = Characters(project).create(name=name, **_fields(given))
    click.echo(f"Created {character.source} (id: {character.id})")
    _not_replaced(slugify(name), character.id, ".md")


@characters.command("show")
@reports_problems("; nothing was changed")
@click.argument("character_id")
@click.option("--json", "as_json", is_flag=True, help="Print the character as JSON.")
@PROJECT
def show(character_id: str, as_json: bool, project: Path) -> None:
    """Show one character (by id, the file name without .md)."""
    from ..characters.files import Characters
    character = Characters(project).get(character_id)
    if as_json:
        from ..worlds.edit import times_of  # created/updated, from git or the file system
        click.echo(json.dumps(character.model_dump(
            mode="json", exclude={"avatar_path", "idle_path"}) | times_of(
                project, character.source), ensure_ascii=False, indent=2))
    else:
        _show(character)


@characters.command("update")
@reports_problems("; nothing was changed")
@click.argument("character_id")
@click.option("--name", help="A new display name (the id and file name stay).")
@field_options
@PROJECT
def update(character_id: str, project: Path, **given) -> None:
    """Change some fields of a character; the rest of the file stays as written.

    Comments, key order, quoting and the Markdown body are kept: `git diff` shows only
    the lines you changed. --tag and --alias replace the list (--tag "" empties it);
    --colour changes only the parts given (hair= removes one).

    \b
    Example:
      panelwright characters update lin-shuang --personality "Calm, Reserved, Loyal"
    """
    from ..characters.files import Characters
    changes = _fields(given)
    if not changes:
        raise click.UsageError("give at least one field to change, e.g. --personality")
    character = Characters(project).update(character_id, **changes)
    click.echo(f"Updated {character.source}: {', '.join(changes)}")


@characters.command("delete")
@reports_problems("; nothing was changed")
@click.argument("character_id")
@click.option("--force", is_flag=True, help="Delete even if a story still uses them.")
@PROJECT
def delete(character_id: str, force: bool, project: Path) -> None:
    """Delete a character's file (refused while a story uses them, unless --force)."""
    from ..characters.files import Characters
    Characters(project).delete(character_id, force=force)
    click.echo(f"Deleted characters/{character_id}.md")
    kept = [p for p in (project / "characters").glob(f"{character_id}.*")
            if p.suffix != ".md"]
    if kept:
        names = ", ".join(f"characters/{p.name}" for p in sorted(kept))
        click.echo(f"Kept {names} (images are yours: remove them if no one needs them)")


@characters.command("list")
@reports_problems("; nothing was changed")
@click.option("--limit", default=20, show_default=True, help="Characters per page (1–100).")
@click.option("--offset", default=0, show_default=True)
@click.option("--search", help="Part of a name or alias (case and accents ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@PROJECT
def list_(limit: int, offset: int, search: str | None, as_json: bool, project: Path) -> None:
    """List characters by name, a page at a time."""
    from ..characters.files import Characters
    page = Characters(project).list(limit=limit, offset=offset, search=search)
    items = None
    if as_json:
        from ..worlds.edit import file_times  # created/updated, from git or the file system
        times = file_times(project, [c.source for c in page.items])
        items = [c.model_dump(mode="json", include={"id", "name", "personality", "tags"}) | (
            times[c.source].model_dump(include={"created_at", "updated_at"})
            if c.source in times else {}) for c in page.items]
    echo_page(page, items, [f"{c.id:24} {c.name:28} {c.personality}" for c in page.items])


@click.group()
def avatar() -> None:
    """One-shot avatars: a portrait, a preview, an idle animation and variants from one image.

    \b
    Examples:
      panelwright avatar create --name "Lin Shuang" --image lin.png --character lin-shuang
      panelwright avatar create --name "Mara Vey" --url https://example.org/mara.webp
      panelwright avatar show lin-shuang
      panelwright avatar list
      panelwright avatar models
    """


@avatar.command("list")
@reports_problems("; nothing was changed")
@PROJECT
def avatar_list(project: Path) -> None:
    """List every avatar with every version it has (each version's model and assets)."""
    from ..characters.avatars import Avatars
    records = Avatars(project).list()
    for record in records:
        click.echo(f"{record.id}  '{record.display_name}'  default {record.default_version}")
        for version, made in record.version_assets.items():
            click.echo(f"  {version}: model {made.model} ({made.model_version}), variant "
                       f"{made.variant_name}, {made.created_at}, "
                       f"portrait characters/{made.portrait}")
    if not records:
        click.echo("No avatars yet: make one with 'panelwright avatar create'.")


@avatar.command("show")
@reports_problems("; nothing was changed")
@click.argument("avatar_id")
@PROJECT
def avatar_show(avatar_id: str, project: Path) -> None:
    """Print an avatar's record (characters/AVATAR_ID.avatar/avatar.yaml) as JSON."""
    from ..characters.avatars import Avatars
    click.echo(Avatars(project).get(avatar_id).model_dump_json(indent=2))


@avatar.command("models")
@reports_problems("; nothing was changed")
def avatar_models() -> None:
    """List the avatar models installed (entry points 'panelwright.avatar_models')."""
    import os

    from ..characters.avatars import models
    for name, entry in sorted(models().items()):
        model = entry.load()
        access = ""
        if model.gated:
            ready = "set" if os.environ.get(model.access_env or "") else "not set"
            access = f"  gated: needs {model.access_env} ({ready})"
        default = "  (default)" if name == "procedural" else ""
        click.echo(f"{name:16} version {model.version}{default}{access}")


@avatar.command("create")
@reports_problems("; nothing was changed")
@click.option("--name", required=True, help="The avatar's display name (3–50 characters).")
@click.option("--image", type=click.Path(dir_okay=False, path_type=Path),
              help="A JPEG, PNG or WebP file of at most 4.5 MB.")
@click.option("--url", help="An http(s) URL of such an image (fetched once, then kept).")
@click.option("--model", help="The avatar model (default: procedural).")
@click.option("--character", help="Give the avatar to this character (its id).")
@click.option("--variant", help="The variant to show and give the character: default, "
              "warm-light, cool-light, low-light or turned.")
@PROJECT
def avatar_create(name: str, image: Path | None, url: str | None, model: str | None,
                  character: str | None, variant: str | None, project: Path) -> None:
    """Make an avatar from one image file or URL (exactly one of them).

    \b
    Example:
      panelwright avatar create --name "Lin Shuang" --image lin.png --character lin-shuang
    """
    from ..characters.avatars import Avatars
    record = Avatars(project).create(name=name, image=image, url=url, model=model,
                                     character=character, variant=variant)
    click.echo(f"Created avatar '{record.display_name}' in characters/{record.id}.avatar/ "
               f"(model {record.model}, version {record.default_version}, variant "
               f"{record.variant_name})")
    if len(record.versions) > 1:
        click.echo(f"  a new version beside {', '.join(record.versions[:-1])}, which are "
                   "kept ('panelwright avatar list' lists them)")
    _not_replaced(character or slugify(name.strip()), record.id, ".avatar/")
    for label in ("portrait", "preview_image", "idle_preview"):
        click.echo(f"  {label}: characters/{getattr(record, label)}")
    click.echo("  variants: " + ", ".join(record.variants))
    click.echo(f"  source: characters/{record.source}")
    if character:
        click.echo(f"  characters/{character}.md: avatar and idle set")


@click.group()
def card() -> None:
    """Character Card V2/V3 (JSON, or PNG with the card inside), as role-play tools use."""


@card.command("import")
@reports_problems("; nothing was changed")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@PROJECT
def card_import(file: Path, project: Path) -> None:
    """Make a character (and its avatar, from a PNG card) from FILE."""
    from ..characters.cards import import_card
    character = import_card(project, file)
    click.echo(f"Imported {character.name} as {character.source}")
    if character.avatar:
        click.echo(f"  avatar: characters/{character.avatar}")
    _not_replaced(slugify(character.name), character.id, ".md")


@card.command("export")
@reports_problems("; nothing was changed")
@click.argument("character_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.png (the avatar with the card inside) or FILE.json.")
@click.option("--spec", type=click.Choice(["v2", "v3"]), default="v3", show_default=True,
              help="The card version for JSON (a PNG carries both).")
@PROJECT
def card_export(character_id: str, out: Path, spec: str, project: Path) -> None:
    """Write CHARACTER_ID's card."""
    from ..characters.cards import export_card
    path = export_card(project, character_id, out, spec)
    click.echo(f"Wrote {path}")
