"""Stage 2, validate: turn loaded documents into typed models, collecting every problem.

Pydantic checks each file against its model; its error locations are mapped back
to lines through the YAML marks that `load` kept, so a value that parses but is
wrong is reported at its own line. Images are checked by their content.
"""

from __future__ import annotations

import re
from typing import Any, get_origin

from pydantic import BaseModel, Field, ValidationError

from ..errors import Problem, did_you_mean, existing
from ..format.images import image_problem
from ..format.model import Character, OutlineScene, ProjectConfig, SceneCard, Story, StyleDNA, World
from ..format.nodes_model import CommittedNodes
from ..format.pins_model import PinsFile
from .load import Asset, LoadedProject, SourceDoc, asset_path
from .outline import parse_outline

# Fields a model has that the loader fills in; a writer never types them.
DERIVED = {"id", "source", "avatar_path", "idle_path", "anchor_paths", "scenes", "description"}


class ValidProject(BaseModel):
    root: str
    config: ProjectConfig | None = None
    characters: list[Character] = Field(default_factory=list)
    worlds: list[World] = Field(default_factory=list)
    styles: list[StyleDNA] = Field(default_factory=list)
    stories: list[Story] = Field(default_factory=list)
    assets: dict[str, Asset] = Field(default_factory=dict)
    templates: dict[str, str] = Field(default_factory=dict)
    lines: dict[str, dict[str, int]] = Field(default_factory=dict)  # file -> key -> line
    failed: dict[str, set[str]] = Field(default_factory=dict)  # folder -> ids with errors
    # character id -> the names and aliases its file gives, for a character file with
    # errors: still a speaker, so a line where they speak is not an error as well (an
    # empty list: the file could not be read, so any name may be theirs)
    failed_names: dict[str, list[str]] = Field(default_factory=dict)
    nodes: dict[str, CommittedNodes] = Field(default_factory=dict)  # story id -> its nodes
    pins: dict[str, PinsFile] = Field(default_factory=dict)  # story id -> its pinned panels
    problems: list[Problem] = Field(default_factory=list)


def _typed_fields(model: type[BaseModel]) -> list[str]:
    """The fields a writer types in a file of `model`, for a misspelt key's hint: not those
    the loader fills in (a scene card's id and a world's description are typed; a
    character's description is its Markdown body, a story's scenes its outline)."""
    filled = {"source", "avatar_path", "idle_path", "anchor_paths"}
    filled |= {"id"} if model is not SceneCard else set()
    filled |= {"description"} if model is Character else set()
    filled |= {"scenes"} if model is Story else set()
    return [name for name in model.model_fields if name not in filled]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The nested model class that a pydantic error location points into (a key of a
    mapping of models, such as a pins file's node id, is stepped over like a list index)."""
    keyed = False
    for part in loc:
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        inner = _inner_model(field.annotation)
        if inner is None:
            return None
        keyed = get_origin(field.annotation) is dict
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _sexagesimal(value: int) -> str | None:
    """'16:9' for 969: YAML 1.1 reads an unquoted 16:9 as a number in base 60."""
    return f"{value // 60}:{value % 60}" if value >= 60 else None


def _rule_field(rule: str, present: list[str]) -> str | None:
    """The field a broken rule of a whole model is about, among the fields written:
    the one it says it 'got' ('..., got height 3000'), else the first it names."""
    got = next((k for k in present if re.search(rf"\bgot {k}\b", rule)), None)
    named = sorted((m.start(), k) for k in present if (m := re.search(rf"\b{k}\b", rule)))
    return got or (named[0][1] if named else None)


def _model_rules(error: dict, model: type[BaseModel], doc: SourceDoc, loc: tuple
                 ) -> list[Problem] | None:
    """A rule that ties fields together ('give width and height, not both', 'the area
    must not exceed...'), broken: each broken rule at the line of the field it is about,
    not at the line of the mapping that holds them. None for other errors."""
    inner = _model_at(model, loc)
    if error["type"] != "value_error" or inner is None:
        return None
    prefix = "/".join(str(p) for p in loc)
    present = [k for k in inner.model_fields
               if (f"{prefix}/{k}" if prefix else k) in doc.lines]
    problems = []
    for rule in error["msg"].removeprefix("Value error, ").split("; "):
        key = _rule_field(rule, present)
        where = loc + (key,) if key else loc
        problems.append(Problem(file=doc.path, line=doc.line_of(where),
                                field=_field_name(where) or None, message=rule))
    return problems


def explain_all(error: dict, model: type[BaseModel], doc: SourceDoc,
                known: dict[str, str] | None = None) -> list[Problem]:
    """One pydantic error as Problems: one, or one per rule a whole model broke."""
    return _model_rules(error, model, doc, tuple(error["loc"])) or [
        explain(error, model, doc, known=known)]


def explain(error: dict, model: type[BaseModel], doc: SourceDoc, offset_loc: tuple = (),
            known: dict[str, str] | None = None) -> Problem:
    """One pydantic error as a Problem with file, line, field, message and fix.
    `known` says, for a field that names other files (a story's 'world'), which exist."""
    loc = tuple(error["loc"])
    kind = error["type"]
    field = _field_name(offset_loc + loc) or None
    line = doc.line_of(offset_loc + loc)
    message = error["msg"].removeprefix("Value error, ")
    hint = None
    if kind == "string_type" and loc and loc[-1] == "aspect_ratio" and isinstance(
            error.get("input"), int) and _sexagesimal(error["input"]):
        ratio = _sexagesimal(error["input"])
        message = (f"YAML read {ratio} as the number {error['input']} (unquoted, YAML "
                   "reads two numbers joined by ':' as one number in base 60)")
        hint = f'write aspect_ratio: "{ratio}", in quotes'
    elif kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        allowed = _typed_fields(parent) if parent else []
        message = f"'{key}' is not a field this file takes"
        hint = did_you_mean(key, allowed) or ("the fields are: " + ", ".join(allowed))
    elif kind == "missing":
        key = str(loc[-1])
        message = f"the required field '{key}' is missing"
        hint = f"add a line '{key}: ...'"
        if known and key in known:
            hint += f"; {known[key]}"
        line = doc.line_of(offset_loc + loc[:-1]) or 1
    elif kind == "enum" or kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        got = error.get("input")
        message = f"'{got}' is not allowed here; expected {expected}"
        hint = did_you_mean(str(got), choices)
    elif "input" in error and kind not in ("value_error", "assertion_error") and not isinstance(
            error["input"], dict | list):
        message = f"{message}, got {error['input']!r}"
    return Problem(file=doc.path, line=line, field=field, message=message, hint=hint)


def build_model(model: type[BaseModel], data: dict, doc: SourceDoc,
                problems: list[Problem], known: dict[str, str] | None = None) -> Any | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.extend(explain_all(error, model, doc, known))
        return None


def check_image(asset: Asset, referrer: SourceDoc, field: str, problems: list[Problem]) -> bool:
    """Is this asset a JPEG, PNG or WebP of at most 4.5 MB that opens? (by content)"""
    line = referrer.line_of((field,))

    def refuse(message: str, hint: str) -> bool:
        problems.append(Problem(file=referrer.path, line=line, field=field,
                                message=message, hint=hint))
        return False

    if asset.data is None:
        return refuse(f"the image '{asset.path}' cannot be used: {asset.error}",
                      asset.hint or "check the path; it is relative to this file")
    broken = image_problem(asset.data, asset.path)
    if broken:
        return refuse(*broken)
    return True


def _fonts(config: ProjectConfig, doc: SourceDoc, project: LoadedProject,
           problems: list[Problem]) -> None:
    """The lettering fonts panelwright.yaml names exist in the project and were read
    (whether FreeType can use them is the letterer's to say: `project.prepare`)."""
    for key in ("font", "fallback_font"):
        name = getattr(config.lettering, key)
        if name is None:
            continue
        asset = project.assets.get(name)
        broken = ((f"the font '{name}' cannot be used: "
                   f"{asset.error if asset else 'the file does not exist'}",
                   "check the path; it is relative to the project folder"
                   if asset is None or asset.hint is None or "exist" in (asset.error or "")
                   else asset.hint)
                  if asset is None or asset.data is None else None)
        if broken:
            problems.append(Problem(file=doc.path, line=doc.line_of(("lettering", key)),
                                    field=f"lettering.{key}", message=broken[0],
                                    hint=broken[1]))


def character_fields(doc: SourceDoc) -> dict:
    """A character file's fields as the Character model takes them (the body is the
    description); `characters.files` reads a character through this too."""
    data = dict(doc.data)
    data["id"], data["source"] = doc.id, doc.path
    body = doc.body.strip()
    if body or "description" not in data:
        data["description"] = body
    for field in ("avatar", "idle"):
        if isinstance(data.get(field), str):
            data[f"{field}_path"] = asset_path(doc, data[field])
    return data


def _character(doc: SourceDoc, project: LoadedProject, problems: list[Problem]
               ) -> Character | None:
    character = build_model(Character, character_fields(doc), doc, problems)
    if character is not None and character.avatar_path is not None:
        if not check_image(project.assets[character.avatar_path], doc, "avatar", problems):
            character.avatar_path = None
    if character is not None and character.idle_path is not None:
        if not check_image(project.assets[character.idle_path], doc, "idle", problems):
            character.idle_path = None
    return character


def _written_names(doc: SourceDoc) -> list[str]:
    """The name, aliases and id a character file gives, read from its fields as written
    (for a file that fails validation: its character is still the one who speaks)."""
    aliases = doc.data.get("aliases")
    aliases = [aliases] if isinstance(aliases, str) else aliases if isinstance(aliases, list) \
        else []
    names = [doc.data.get("name"), *aliases]
    return [n for n in names if isinstance(n, str) and n.strip()] + [doc.id]


def _style(doc: SourceDoc, project: LoadedProject, problems: list[Problem]) -> StyleDNA | None:
    data = dict(doc.data) | {"id": doc.id, "source": doc.path}
    style = build_model(StyleDNA, data, doc, problems)
    if style is None:
        return None
    for index, anchor in enumerate(style.anchors):
        rel = asset_path(doc, anchor)
        if check_image(project.assets[rel], doc, f"anchors/{index}", problems):
            style.anchor_paths.append(rel)
    return style


def _panel_images(doc: SourceDoc, scenes: list[OutlineScene], assets: dict[str, Asset],
                  problems: list[Problem]) -> None:
    """Each panel's art= or sketch= is an image of the project that opens; one that is
    not is an error at the panel's line, and the panel is drawn as if it named none."""
    for beat in (beat for scene in scenes for beat in scene.beats):
        for key in ("art", "sketch"):
            rel = getattr(beat, key)
            if rel is None:
                continue
            asset = assets.get(rel)
            broken = (f"the image '{rel}' cannot be used: "
                      f"{asset.error if asset else 'it was not read'}",
                      "check the path: it is relative to the project folder, e.g. "
                      f"[{key}=drawings/gate.png]" if asset is None or asset.hint is None
                      or "exist" in (asset.error or "") else asset.hint) \
                if asset is None or asset.data is None else image_problem(asset.data, rel)
            if broken:
                problems.append(Problem(file=doc.path, line=beat.line, field=key,
                                        message=f"{key}=: {broken[0]}", hint=broken[1]))
                setattr(beat, key, None)


def _pins(doc: SourceDoc, project: LoadedProject, problems: list[Problem]) -> PinsFile | None:
    """A pins file, with every pinned image present and readable: a pin whose image is
    gone is an error (the panel would silently be drawn anew)."""
    pins = build_model(PinsFile, doc.data, doc, problems)
    if pins is None:
        return None
    story = doc.path.removesuffix(".pins.yaml").rsplit("/", 1)[-1]
    pins._lines = {node: line for node in pins.panels
                   if (line := doc.line_of(("panels", node)))}
    for node, pin in list(pins.panels.items()):
        asset = project.assets.get(pin.image)
        broken = (f"'{pin.image}' cannot be used: "
                  f"{asset.error if asset else 'it was not read'}",) \
            if asset is None or asset.data is None else image_problem(asset.data, pin.image)
        if broken:
            gone = asset is None or "does not exist" in (asset.error or "")
            mend = f"restore it (`git checkout -- {pin.image}`)" if gone else \
                f"write the path `panelwright pin` wrote, pins/{story}/{node}.png" \
                if asset.data is None else "restore the picture from git"
            problems.append(Problem(
                file=doc.path, line=doc.line_of(("panels", node, "image")),
                field=f"panels.{node}.image",
                message=f"the pinned art of the panel {story}--{node}: " + broken[0],
                hint=f"{mend}, or unpin the panel to draw it anew: "
                     f"`panelwright unpin PROJECT {story}--{node}`"))
            del pins.panels[node]
    return pins


def _story(doc: SourceDoc, problems: list[Problem], speakers: list[str],
           worlds: list[str], assets: dict[str, Asset]) -> Story | None:
    """A story's front matter and outline; `speakers` (the cast's names, aliases and ids)
    let 'Ines Varga: ...' or '林霜：...' be read as dialogue; `worlds` (the ids of the
    project's worlds) are listed when the story names none."""
    data = dict(doc.data) | {"id": doc.id, "source": doc.path}
    scenes, found = parse_outline(doc.body, doc.path, doc.body_line, speakers)
    problems.extend(found)
    story = build_model(Story, data, doc, problems, {"world": existing("worlds", worlds)})
    if story is None:
        return None
    story.scenes = scenes
    _panel_images(doc, scenes, assets, problems)
    if not any(scene.beats for scene in scenes):
        problems.append(Problem(
            file=doc.path, line=doc.body_line, message="this story has no panels",
            hint="after the front matter, add a scene heading such as '## city-gate' and "
                 "a paragraph describing the first panel"))
    return story


def validate(project: LoadedProject) -> ValidProject:
    """Check every loaded document; bad ones are dropped and reported."""
    problems = list(project.problems)
    valid = ValidProject(root=project.root, assets=project.assets, templates=project.templates)
    for doc in [project.config, *project.characters, *project.worlds, *project.styles,
                *project.stories]:
        if doc is not None:
            valid.lines[doc.path] = doc.lines
    if project.config is not None:
        valid.config = build_model(ProjectConfig, project.config.data, project.config, problems)
        if valid.config is not None:
            _fonts(valid.config, project.config, project, problems)
    for doc in project.characters:
        valid.characters.append(_character(doc, project, problems))
    for doc in project.worlds:
        valid.worlds.append(build_model(World, dict(doc.data) | {"id": doc.id,
                                                                 "source": doc.path},
                                        doc, problems))
    for doc in project.styles:
        valid.styles.append(_style(doc, project, problems))
    for doc, character in zip(project.characters, valid.characters):
        if character is None:
            valid.failed_names[doc.id] = _written_names(doc)
    for cid in project.failed.get("characters", []):
        valid.failed_names.setdefault(cid, [])
    speakers = [name for c in valid.characters if c is not None
                for name in (c.name, *c.aliases, c.id)]
    speakers += [name for names in valid.failed_names.values() for name in names]
    worlds = [w.id for w in project.worlds] + project.failed.get("worlds", [])
    for doc in project.stories:
        valid.stories.append(_story(doc, problems, speakers, worlds, project.assets))
    for story_id, doc in project.nodes.items():
        committed = build_model(CommittedNodes, doc.data, doc, problems)
        if committed is not None:
            valid.nodes[story_id] = committed
    for story_id, doc in project.pins.items():
        pins = _pins(doc, project, problems)
        if pins is not None:
            valid.pins[story_id] = pins
    # Files with errors are reported once; references to them are not reported again.
    for folder in ("characters", "worlds", "styles", "stories"):
        docs = getattr(project, folder)
        models = getattr(valid, folder)
        valid.failed[folder] = set(project.failed.get(folder, [])) | {
            doc.id for doc, model in zip(docs, models) if model is None}
        setattr(valid, folder, [m for m in models if m is not None])
    valid.problems = problems
    return valid
