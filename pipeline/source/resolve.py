"""Stage 3, resolve: link every id and name to the object it means.

Stories name their world and style by id, scenes by a scene card's id or name,
speakers by name, alias or id. Here each reference is looked up; one that does not
exist is reported at its line with the ids that do exist. The result holds ids
only, so later stages never search by name again.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..errors import Problem, did_you_mean, existing, unknown_reference
from ..format.camera import Angle, Shot
from ..format.model import (Character, LineKind, Off, OutlineLine, ProjectConfig, SceneCard, Story,
                            StyleDNA, World)
from ..format.nodes_model import CommittedNodes
from ..format.pins_model import PinsFile
from ..format.placing import OVER, over_whom
from ..format.presets import PRESETS, SWATCH_PREFIX, palette_swatch
from ..format.slugs import fold, mentioned, slugify
from .load import Asset
from .outline import SCENE_PREFIX
from .validate import ValidProject


class ResolvedLine(BaseModel):
    kind: LineKind
    text: str
    speaker: str | None = None  # character id
    line: int
    off: Off | None = None  # (V.O.), (O.S.): heard, not seen
    manner: str | None = None  # the parenthetical of manner, as written
    place: str | None = None  # where its balloon goes: 'top_left', 'over <character id>'


class ResolvedBeat(BaseModel):
    """A paragraph of the outline with every reference linked."""

    line: int
    scene: str  # scene card id
    description: str
    shot: Shot | None = None
    angle: Angle | None = None
    characters: list[str] = Field(default_factory=list)  # ids, in order of appearance
    lines: list[ResolvedLine] = Field(default_factory=list)
    page_break_before: bool = False
    layout: str | None = None
    layout_line: int | None = None
    seed: int | None = None  # the panel's own seed, art and sketch (Beat)
    art: str | None = None
    sketch: str | None = None


class ResolvedChapter(BaseModel):
    title: str
    scene: str | None = None  # the scene card it starts at, or
    page: int | None = None  # the page number it starts on
    date: str | None = None  # YYYY-MM-DD
    line: int | None = None


class ResolvedStory(BaseModel):
    id: str
    title: str
    summary: str = ""
    date: str | None = None  # YYYY-MM-DD
    schedule: int | None = None  # days between pages, the first on `date`
    chapters: list[ResolvedChapter] = Field(default_factory=list)
    world: str
    style: str | None = None
    source: str
    engines: dict | None = None
    beats: list[ResolvedBeat] = Field(default_factory=list)
    committed: CommittedNodes | None = None  # nodes written by `panelwright generate`
    pins: PinsFile | None = None  # panels whose art is kept as drawn (`panelwright pin`)


class ResolvedProject(BaseModel):
    root: str
    config: ProjectConfig
    characters: dict[str, Character] = Field(default_factory=dict)
    worlds: dict[str, World] = Field(default_factory=dict)
    styles: dict[str, StyleDNA] = Field(default_factory=dict)
    stories: list[ResolvedStory] = Field(default_factory=list)
    assets: dict[str, Asset] = Field(default_factory=dict)
    templates: dict[str, str] = Field(default_factory=dict)
    config_lines: dict[str, int] = Field(default_factory=dict)  # panelwright.yaml key -> line
    problems: list[Problem] = Field(default_factory=list)

    def scene(self, world: str, scene: str) -> SceneCard:
        return next(s for s in self.worlds[world].scenes if s.id == scene)


def beats_by_scene(beats: list[ResolvedBeat]) -> list[tuple[str, list[ResolvedBeat]]]:
    """A story's beats grouped into runs of one scene, in reading order."""
    groups: list[tuple[str, list[ResolvedBeat]]] = []
    for beat in beats:
        if not groups or groups[-1][0] != beat.scene:
            groups.append((beat.scene, []))
        groups[-1][1].append(beat)
    return groups


def _names(character: Character) -> list[str]:
    return [character.name, *character.aliases]


def _find_character(written: str, characters: dict[str, Character]) -> str | None:
    key = fold(written)
    for cid, character in characters.items():
        if key in (fold(n) for n in _names(character)) or key == cid or slugify(written) == cid:
            return cid
    return None


def _place(said: OutlineLine, source: str, project: ResolvedProject, valid: ValidProject,
           problems: list[Problem]) -> str | None:
    """A line's placement hint with its 'over <name>' linked to the character's id."""
    who = over_whom(said.place)
    if who is None:
        return said.place
    found = _find_character(who, project.characters)
    if found is None and not _failed_speaker(who, valid):
        names = [c.name for c in project.characters.values()]
        # 'over lin' for Lin Shuang: one of a name's words is a likely meaning
        part = [n for n in names if fold(who) in fold(n).split()]
        problems.append(Problem(
            file=source, line=said.line,
            message=f"the balloon is to go over '{who}', who is not a character",
            hint=(f"did you mean 'over {part[0]}'? ({existing('characters', names)})" if part
                  else unknown_reference("characters", who, names))))
    return OVER + found if found else None


def _failed_speaker(written: str, valid: ValidProject) -> bool:
    """Is `written` a name of a character whose file has errors (or may it be, when a
    character file could not be read at all)?"""
    key = fold(written)
    return any(not names or key in (fold(n) for n in names) or slugify(written) == cid
               for cid, names in valid.failed_names.items())


def _find_scene(written: str, world: World) -> str | None:
    key = fold(written)
    for card in world.scenes:
        if key in (card.id, fold(card.name)) or slugify(written) in (card.id, slugify(card.name)):
            return card.id
    return None


def _scene_hint(written: str, world: World) -> str:
    close = did_you_mean(written, [s.name for s in world.scenes] + [s.id for s in world.scenes])
    cards = ", ".join(f"{s.id} ({s.name})" for s in world.scenes) or "none yet"
    listed = f"the scene cards of '{world.id}' are: {cards}"
    return f"{close} ({listed})" if close else listed


def _chapters(story: Story, world: World | None, lines: dict[str, int],
              problems: list[Problem]) -> list[ResolvedChapter]:
    """A story's chapters with the scene each starts at linked to its card."""
    out = []
    for index, chapter in enumerate(story.chapters):
        line = lines.get(f"chapters/{index}/starts") or lines.get("chapters")
        scene, page = None, None
        if isinstance(chapter.starts, int):
            page = chapter.starts
            if page < 1:
                problems.append(Problem(
                    file=story.source, line=line, field=f"chapters[{index}].starts",
                    message=f"chapter '{chapter.title}' starts on page {page}",
                    hint="pages are counted from 1; or name the scene it starts at"))
                continue
        elif world is not None:
            scene = _find_scene(chapter.starts, world)
            if scene is None:
                problems.append(Problem(
                    file=story.source, line=line, field=f"chapters[{index}].starts",
                    message=f"chapter '{chapter.title}' starts at '{chapter.starts}', which is "
                            f"not a scene card of the world '{world.id}'",
                    hint=_scene_hint(chapter.starts, world) + "; or give a page number"))
                continue
        out.append(ResolvedChapter(title=chapter.title, scene=scene, page=page, line=line,
                                   date=chapter.date.isoformat() if chapter.date else None))
    return out


def names_of(characters: dict[str, Character]) -> dict[str, list[str]]:
    """Character id -> the names it may be written as in panel text, for `mentioned`."""
    return {cid: _names(character) for cid, character in characters.items()}


def style_hint(written: str, styles) -> str:
    """A hint for a style that does not exist: the closest style file, else the closest
    named preset, and the project's styles."""
    close = did_you_mean(written, list(styles)) or did_you_mean(written, list(PRESETS))
    listed = existing("styles", [s for s in styles if s not in PRESETS or
                                 not styles[s].source.startswith("preset")]
                      if isinstance(styles, dict) else styles)
    listed += "; so do the named presets, such as 'fantasy_anime'"
    return f"{close} ({listed})" if close else listed


def palette_anchor(style: StyleDNA, assets: dict[str, Asset]) -> None:
    """A style with a palette and no anchor images gets its palette as a swatch anchor:
    the procedural engine reads colours and tones from anchors (model engines are not
    sent it: a swatch is no picture to start from)."""
    if style.palette and not style.anchor_paths:
        path = f"{SWATCH_PREFIX}{style.id}.png"
        assets[path] = Asset(path=path, data=palette_swatch(style.palette))
        style.anchor_paths = [path]


def resolve(valid: ValidProject) -> ResolvedProject:
    """Link ids across files. `valid.config` must be present."""
    problems = list(valid.problems)
    config = valid.config or ProjectConfig(title="Untitled")
    project = ResolvedProject(root=valid.root, config=config, assets=valid.assets,
                              templates=valid.templates,
                              config_lines=valid.lines.get("panelwright.yaml", {}))
    project.characters = {c.id: c for c in valid.characters}
    project.worlds = {w.id: w for w in valid.worlds}
    project.styles = {s.id: s for s in valid.styles}
    failed_styles = valid.failed.get("styles", set())
    named = [config.style] + [s.style for s in valid.stories]
    for name in named:  # a preset named as a style, where no style file has its name
        if name in PRESETS and name not in project.styles and name not in failed_styles:
            project.styles[name] = StyleDNA(id=name, name=name.replace("_", " ").title(),
                                            preset=name, source=f"preset '{name}'")
    for style in project.styles.values():
        palette_anchor(style, project.assets)

    for world in valid.worlds:
        seen: set[str] = set()
        for index, card in enumerate(world.scenes):
            if card.id in seen:
                problems.append(Problem(
                    file=world.source, line=valid.lines[world.source].get(f"scenes/{index}/id"),
                    field=f"scenes[{index}].id", message=f"two scene cards have the id '{card.id}'",
                    hint="give each scene card of a world its own id"))
            seen.add(card.id)

    config_file = "panelwright.yaml"
    failed = valid.failed
    if config.style and config.style not in project.styles and config.style not in failed.get(
            "styles", ()):
        problems.append(Problem(
            file=config_file, line=valid.lines.get(config_file, {}).get("style"), field="style",
            message=f"the default style '{config.style}' does not exist",
            hint=style_hint(config.style, project.styles)))

    for story in valid.stories:
        lines = valid.lines.get(story.source, {})
        world = project.worlds.get(story.world)
        if world is None and story.world not in failed.get("worlds", ()):
            problems.append(Problem(
                file=story.source, line=lines.get("world"), field="world",
                message=f"the world '{story.world}' does not exist",
                hint=unknown_reference("worlds", story.world, project.worlds)))
        style = story.style or config.style
        if story.style and story.style not in project.styles and story.style not in failed.get(
                "styles", ()):
            problems.append(Problem(
                file=story.source, line=lines.get("style"), field="style",
                message=f"the style '{story.style}' does not exist",
                hint=style_hint(story.style, project.styles)))
            style = None
        if style not in project.styles:
            style = None
        resolved = ResolvedStory(id=story.id, title=story.title, summary=story.summary,
                                 world=story.world, style=style, source=story.source,
                                 engines=story.engines.model_dump(exclude_unset=True)
                                 if story.engines else None,
                                 committed=valid.nodes.get(story.id),
                                 pins=valid.pins.get(story.id),
                                 date=story.date.isoformat() if story.date else None,
                                 schedule=story.schedule,
                                 chapters=_chapters(story, world, lines, problems))
        if story.schedule and not story.date:
            problems.append(Problem(
                file=story.source, line=lines.get("schedule"), field="schedule",
                message="a schedule counts from the story's date, and it has none",
                hint="add the first page's date to the front matter, e.g. date: 2024-05-01"))
        for scene in story.scenes:
            card = _find_scene(scene.scene, world) if world and scene.scene else None
            if card is None and world and scene.heading:  # a card named 'Gate - North'
                card = _find_scene(SCENE_PREFIX.sub("", scene.heading).strip(), world)
            if world is not None and scene.scene and card is None:
                problems.append(Problem(
                    file=story.source, line=scene.line,
                    message=f"the scene '{scene.scene}' is not a scene card of the world "
                            f"'{world.id}'",
                    hint=_scene_hint(scene.scene, world)))
            for beat in scene.beats:
                words: list[ResolvedLine] = []
                for said in beat.lines:
                    speaker = None
                    if said.speaker is not None:
                        speaker = _find_character(said.speaker, project.characters)
                        if speaker is None and _failed_speaker(said.speaker, valid):
                            continue  # their file's own errors say what is wrong
                        if speaker is None:
                            names = [c.name.upper() for c in project.characters.values()]
                            problems.append(Problem(
                                file=story.source, line=said.line,
                                message=f"'{said.speaker}' speaks here but is not a character",
                                hint=unknown_reference("characters", said.speaker.upper(), names)
                                + f"; or add characters/{slugify(said.speaker)}.md"))
                            continue
                    words.append(ResolvedLine(kind=said.kind, text=said.text, speaker=speaker,
                                              line=said.line, off=said.off, manner=said.manner,
                                              place=_place(said, story.source, project, valid,
                                                           problems)))
                cast = [w.speaker for w in words if w.speaker]
                cast += mentioned(beat.description, names_of(project.characters))
                resolved.beats.append(ResolvedBeat(
                    line=beat.line, scene=card or "", description=beat.description,
                    shot=beat.shot, angle=beat.angle, characters=list(dict.fromkeys(cast)),
                    lines=words, page_break_before=beat.page_break_before, layout=beat.layout,
                    layout_line=beat.layout_line, seed=beat.seed, art=beat.art,
                    sketch=beat.sketch))
        project.stories.append(resolved)
    project.problems = problems
    return project
