"""Pinned panels: art the writer keeps exactly as drawn, whatever else changes.

A pin is committed next to its story, in `stories/<id>.pins.yaml`, and names a copy of
the art kept in the repo (`pins/<story>/<node>.png`), so it survives a deleted cache, a
new seed, a style tweak or an engine upgrade, and reaches a collaborator through git.
`panelwright pin` and `unpin` write both (studio/pinning.py); here pins are matched to the
panels of a plan, and a pinned panel whose words or camera were edited since is
reported (its art is kept all the same).

A pin belongs to a node id (`city-gate-02`). Ids count the panels of a scene, so a panel
inserted before it renumbers the rest: a pin whose node now says other words follows its
own words to the one panel of the story that still says them.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .errors import Problem
from .format.pins_model import Pin
from .runtime.cache import write_atomic
from .source.load import read_for_editing
from .source.resolve import ResolvedStory
from .specs import Camera, Figure, StoryNode, StoryPlan


def camera_words(camera: Camera) -> str:
    """How a pin records the camera it was drawn with: 'wide_shot, eye_level'."""
    return f"{camera.shot.value}, {camera.angle.value}"


def match_pins(story: ResolvedStory, nodes: list[StoryNode]) -> dict[str, tuple[str, Pin]]:
    """Node id -> (the pin's own node id, the pin) for every pin of the story that still
    has its panel: the node of its id, unless that node's words changed and exactly one
    other panel says the pinned words (the panels were renumbered)."""
    pins = story.pins.panels if story.pins else {}
    by_id = {node.id: node for node in nodes}
    matched: dict[str, tuple[str, Pin]] = {}
    for key, pin in pins.items():
        node = by_id.get(key)
        if node is not None and node.description == pin.description:
            matched[key] = (key, pin)
    for key, pin in pins.items():
        if any(own == key for own, _ in matched.values()):
            continue
        saying = [n.id for n in nodes if pin.description and n.description == pin.description
                  and n.id not in matched and n.id not in pins]
        target = saying[0] if len(saying) == 1 else key if key in by_id and key not in \
            matched else None
        if target is not None:
            matched[target] = (key, pin)
    return matched


def pins_file(story_source: str) -> str:
    """stories/arrival.md -> stories/arrival.pins.yaml"""
    return story_source.removesuffix(".md") + ".pins.yaml"


def pin_warnings(stories: list[ResolvedStory], plans: list[StoryPlan]) -> list[Problem]:
    """A pinned panel whose description or camera changed since it was pinned, or that
    was given a seed=, art= or sketch= (kept all the same, at the panel's line), and a pin
    whose panel the story no longer has (unused)."""
    warnings = []
    by_story = {story.id: story for story in stories}
    for story_plan in plans:
        story = by_story.get(story_plan.story)
        if story is None or not story.pins or not story.pins.panels:
            continue
        matched = match_pins(story, story_plan.nodes)
        nodes = {node.id: node for node in story_plan.nodes}
        for spec in story_plan.panels:
            if spec.node not in matched:
                continue
            own, pin = matched[spec.node]
            node = nodes.get(spec.node)
            ignored = [f"{key}={value}" for key, value, then in (
                ("seed", node.seed, pin.seed), ("art", node.art, None),
                ("sketch", node.sketch, pin.sketch)) if value and value != then] \
                if node else []
            if ignored:
                # a reroll or a drawing added to a pinned panel would otherwise do nothing
                warnings.append(Problem(
                    file=spec.source, line=spec.line, severity="warning",
                    message=f"the panel {spec.id} is pinned, so its {' and '.join(ignored)} "
                            "changes nothing; the pinned art is kept",
                    hint=f"to use it, unpin the panel: `panelwright unpin PROJECT {spec.id}`; "
                         + ("to keep the pinned art, take art= out of the panel's tags"
                            if node.art else "to keep the pinned art and stop this warning: "
                            f"`panelwright pin PROJECT {spec.id}`")))
            changed = [what for what, now, then in (
                ("description", spec.description, pin.description),
                ("camera", camera_words(spec.camera), pin.camera)) if then and now != then]
            if changed:
                warnings.append(Problem(
                    file=spec.source, line=spec.line, severity="warning",
                    message=f"the panel {spec.id} is pinned, but its {' and '.join(changed)} "
                            "changed since it was pinned; the pinned art is kept",
                    hint=f"to draw it from the new words: `panelwright unpin PROJECT {spec.id}`; "
                         f"to keep it and stop this warning: `panelwright pin PROJECT {spec.id}`"))
        used = {own for own, _ in matched.values()}
        for key in story.pins.panels:
            if key not in used:
                warnings.append(Problem(
                    file=pins_file(story.source), line=story.pins.line_of(key),
                    severity="warning", field=f"panels.{key}",
                    message=f"the pinned panel {story.id}--{key} is no longer in the story; "
                            "this pin is not used",
                    hint=f"`panelwright unpin PROJECT {story.id}--{key}` removes it"))
    return warnings


HEADER = ("Panels whose art is kept exactly as drawn (docs/format.md, 'Control of each panel').\n"
          "`panelwright pin PROJECT PANEL` adds one; `panelwright unpin PROJECT PANEL` lets it "
          "be drawn anew.")


class PinsFileError(ValueError):
    """The pins file cannot be read or rewritten: what is wrong, at its line."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip: the writer's comments, order and quoting survive
    yaml.width = 4096  # a figure's flow mapping on one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    return yaml


def read_pins(path: Path) -> CommentedMap:
    """The pins file as ruamel's round-trip data (a new one when there is none)."""
    if not path.is_file():
        data = CommentedMap()
        data.yaml_set_start_comment(HEADER)
        return data
    data = read_for_editing(path, "pins file", _yaml(), PinsFileError)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap) or not isinstance(data.get("panels", {}), dict):
        raise PinsFileError(f"{path.name}: expected 'panels:' and one entry per pinned panel")
    return data


def write_pins(path: Path, data: CommentedMap) -> None:
    """Write the pins file atomically; a file left with no pins is removed."""
    if not data.get("panels"):
        path.unlink(missing_ok=True)
        return
    out = io.StringIO()
    _yaml().dump(data, out)
    write_atomic(path, out.getvalue().encode("utf-8"))


def pin_entry(image: str, description: str, camera: Camera, figures: list[Figure],
              seed: int | None = None, sketch: str | None = None) -> CommentedMap:
    """A pin as the file holds it: the kept image, what the panel said and how it was
    framed and drawn (its own seed= and sketch=, when it had them: to warn when they
    change), and where its cast stands in the art."""
    entry = CommentedMap()
    entry["image"] = image
    entry["description"] = description
    entry["camera"] = camera_words(camera)
    if seed:
        entry["seed"] = seed
    if sketch:
        entry["sketch"] = sketch
    placed = CommentedSeq()
    for figure in figures:
        row = CommentedMap(figure.model_dump(mode="json", exclude_defaults=True) | {
            "character": figure.character})
        for key, value in list(row.items()):
            if isinstance(value, list):
                row[key] = _flow([round(v, 1) if isinstance(v, float) else
                                  _flow([round(x, 1) for x in v]) if isinstance(v, list) else v
                                  for v in value])
        row.fa.set_flow_style()
        placed.append(row)
    if placed:
        entry["figures"] = placed
    return entry


def _flow(values: list) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq
