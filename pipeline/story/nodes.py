"""Stage 4, story nodes: each story's nodes, from the committed file or the text engine.

Scene visits that `panelwright generate` wrote (and whose outline has not changed
since) use the committed nodes, so a build needs no model. A model-backed engine
(one whose class says `generate_only = True`, such as `openai`) never runs in a
build: its stories' other scenes are written by the scripted engine, from the
outline as written, and `committed_problems` says which scenes are stale. Any other
engine (the scripted one, or a third party's offline engine) runs as usual.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..engines import TEXT_GROUP, StoryContext, engine_class, load_engine
from ..engines.choice import engine_for, load_chosen
from ..engines.errors import EngineError
from ..errors import Problem
from ..source.resolve import ResolvedBeat, ResolvedProject, ResolvedStory
from ..specs import StoryNode
from .committed import edited_by_hand, nodes_path, outline_hash, paired_visits, to_node

OFFLINE = "scripted"


def generate_only(name: str) -> bool:
    """True for an engine whose nodes are committed by `generate`, never written in a build."""
    try:
        return bool(engine_class(TEXT_GROUP, name).generate_only)
    except EngineError:  # an unknown or broken plugin is reported when it is loaded
        return False


def committed_visits(story: ResolvedStory) -> list[tuple[str, list[ResolvedBeat], object]]:
    """Each scene visit of the story with its committed entry (or None), matched in order:
    the n-th visit of a scene takes the n-th entry for that scene."""
    entries = story.committed.scenes if story.committed else []
    return [(scene_id, beats, entry) for scene_id, _, beats, entry
            in paired_visits(story.beats, entries, lambda entry: entry.scene)]


def _usable(project: ResolvedProject, scene_id: str, beats: list[ResolvedBeat], entry
            ) -> list[StoryNode] | None:
    """The committed nodes of a visit when they are fresh and valid, else None."""
    if entry is None or not entry.nodes or entry.outline != outline_hash(beats):
        return None
    try:
        nodes = [to_node(record) for record in entry.nodes]
    except ValidationError:
        return None
    for node in nodes:
        cast = set(node.characters) | {w.speaker for w in node.lines if w.speaker}
        if node.scene != scene_id or not cast <= set(project.characters):
            return None
    return nodes


def write_nodes(project: ResolvedProject) -> dict[str, list[StoryNode]]:
    """Story id -> its nodes, in reading order."""
    return {story.id: story_nodes(project, story) for story in project.stories}


def story_nodes(project: ResolvedProject, story: ResolvedStory) -> list[StoryNode]:
    choice = engine_for(project, story, "text")
    if generate_only(choice.name):
        engine = load_engine(TEXT_GROUP, OFFLINE, {})
    else:
        engine = load_chosen(project, story, "text")[1]
    world = project.worlds[story.world]
    nodes: list[StoryNode] = []
    seen: set[str] = set()
    for scene_id, beats, entry in committed_visits(story):
        written = _usable(project, scene_id, beats, entry)
        if written is None:
            written = engine.write(StoryContext(
                story=story.id, title=story.title, beats=beats,
                characters={cid: project.characters[cid] for b in beats for cid in b.characters},
                scenes={card.id: card for card in world.scenes}, lore=world.lore))
        # the writer's page breaks and layouts belong to the outline, not the engine
        written[0] = written[0].model_copy(update={
            "page_break_before": beats[0].page_break_before, "layout": beats[0].layout,
            "layout_line": beats[0].layout_line,
            "line": written[0].line or beats[0].line})
        controls = {beat.line: beat for beat in beats}
        for index, node in enumerate(written):
            beat = controls.get(node.line)
            # a panel's seed, art and sketch are the outline's, as its page breaks are
            written[index] = node.model_copy(update={
                "seed": beat.seed if beat else None, "art": beat.art if beat else None,
                "sketch": beat.sketch if beat else None})
        for node in written:
            # a scene the story visits twice numbers on from where it left off
            number, node_id = 1, node.id
            while node_id in seen:
                number += 1
                node_id = f"{scene_id}-{number:02d}"
            seen.add(node_id)
            nodes.append(node if node_id == node.id else node.model_copy(update={"id": node_id}))
    return nodes


def committed_problems(project: ResolvedProject) -> list[Problem]:
    """What is wrong with the committed nodes files: a node that does not validate or
    names a character that does not exist (errors), a scene whose outline changed
    since its nodes were written, a scene the story no longer visits (warnings)."""
    problems: list[Problem] = []
    for story in project.stories:
        if story.committed is None:
            continue
        file = nodes_path(story.source)
        hint = f"run `panelwright generate {story.id}` to rewrite them (nodes you edited are kept)"
        matched = []
        for scene_id, beats, entry in committed_visits(story):
            matched.append(entry)
            if entry is not None and entry.nodes and entry.outline != outline_hash(beats):
                edited = [r.get("id", "?") for r in entry.nodes if edited_by_hand(r)]
                problems.append(Problem(
                    file=file, severity="warning", field=f"scenes.{scene_id}",
                    message=f"the nodes of the scene '{scene_id}' were written from an older "
                            "outline; the build uses the outline as it is now"
                            + (f" (your edits to {', '.join(edited)} are not shown)"
                               if edited else ""), hint=hint))
            for record in entry.nodes if entry is not None else []:
                problems += _record_problems(project, file, scene_id, record)
            if entry is not None and entry.nodes and entry.outline == outline_hash(beats) \
                    and not _touched(entry.written, entry.nodes):
                problems += dropped_dialogue(story.id, story.source, scene_id, beats,
                                             entry.nodes)
        for entry in story.committed.scenes:
            if not any(entry is m for m in matched):
                problems.append(Problem(
                    file=file, severity="warning", field=f"scenes.{entry.scene}",
                    message=f"the story no longer visits the scene '{entry.scene}' here; "
                            "these nodes are not used", hint=hint))
    return problems


def _record_problems(project: ResolvedProject, file: str, scene_id: str, record: dict
                     ) -> list[Problem]:
    where = f"node {record.get('id', '?')}"
    try:
        node = to_node(record)
    except ValidationError as exc:
        return [Problem(file=file, field=f"{where}." + ".".join(map(str, e["loc"])),
                        message=e["msg"]) for e in exc.errors()]
    out = []
    for cid in dict.fromkeys([*node.characters, *(w.speaker for w in node.lines if w.speaker)]):
        if cid not in project.characters:
            out.append(Problem(file=file, field=f"{where}", message=f"there is no character "
                               f"'{cid}'", hint="use a character id: "
                               + ", ".join(sorted(project.characters))))
    if node.scene != scene_id:
        out.append(Problem(file=file, field=f"{where}.scene", message=f"the node says scene "
                           f"'{node.scene}' but stands under '{scene_id}'"))
    return out


def _touched(written: list[str], records: list) -> bool:
    """True when the writer deleted or edited nodes: then any line left out is theirs."""
    ids = {r.get("id") for r in records if isinstance(r, dict)}
    return any(i not in ids for i in written) or any(
        edited_by_hand(r) for r in records if isinstance(r, dict))


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def dropped_dialogue(story_id: str, source: str, scene_id: str, beats: list[ResolvedBeat],
                     records: list) -> list[Problem]:
    """A warning when a scene's nodes leave out lines the outline has: a model may turn a
    whole scene into one silent node, and the build would then draw that, quietly. A
    line counts as kept when its words appear in a node's line (merged lines count)."""
    said = [_words(str(w.get("text", ""))) for r in records if isinstance(r, dict)
            for w in (r.get("lines") or []) if isinstance(w, dict)]
    outline = [w for beat in beats for w in beat.lines if _words(w.text)]
    missing = [w for w in outline if not any(_words(w.text) in text for text in said)]
    if not missing:
        return []
    first = missing[0]
    return [Problem(
        file=source, line=first.line, severity="warning",
        message=f"the story nodes of the scene '{scene_id}' leave out {len(missing)} of the "
                f"outline's {len(outline)} lines, from '{first.text[:60]}'; the comic "
                "will not show them",
        hint=f"run `panelwright generate {story_id} --scene {scene_id} --mode full` to "
             "write the scene again, or add the lines to its nodes by hand")]
