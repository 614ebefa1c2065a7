"""Committed story nodes: `stories/<id>.nodes.yaml`, beside the story, read and edited in a diff.

`panelwright generate` writes them; a build uses them and needs no model. The file
lists the story's scene visits in reading order (a scene the story visits twice has
two entries, matched in order). Each entry records a hash of the outline it was
written from, so `incremental` knows which changed, and each node the hash of what
the engine wrote (`generated:`), so a node the writer edited by hand is detected
by comparing, not by a flag, and is never overwritten. The entry's `written:` lists
the ids the engine wrote, so a node the writer deleted stays deleted.

The file is rewritten with ruamel.yaml's round trip: entries that were not
regenerated, and nodes kept because they were edited, keep their comments and
layout, so a diff shows only what changed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ..runtime.cache import digest, write_atomic
from ..source.load import read_for_editing
from ..source.resolve import ResolvedBeat, beats_by_scene
from ..specs import StoryNode

HEADER = """\
Story nodes of {source}, written by `panelwright generate` ({engine}).
The build uses these and needs no model. Edit freely: a node you change is kept,
never overwritten, and a node you delete stays deleted, by the next `panelwright generate`.
"""
E = TypeVar("E")  # a committed entry: the parsed model, or the ruamel map `generate` edits
NODE_KEYS = ("id", "scene", "description", "shot", "angle", "characters", "lines")


class NodesFileError(ValueError):
    """The committed file cannot be read; the message says where."""


def nodes_path(story_source: str) -> str:
    """stories/x.md -> stories/x.nodes.yaml"""
    return str(Path(story_source).with_suffix("")) + ".nodes.yaml"


def outline_hash(beats: list[ResolvedBeat]) -> str:
    """What a scene visit's nodes were written from: its beats, without line numbers
    (moving a scene down the file does not make it stale)."""
    return digest([_unmarked(b.model_dump(mode="json",
                                          exclude={"line", "layout_line", *CONTROLS}))
                   for b in beats])[:16]


# a panel's seed, art and sketch are applied from the outline after the nodes are written
# (story.nodes): changing them redraws a panel, it does not make its nodes stale
CONTROLS = ("seed", "art", "sketch")


# a line's (V.O.), parenthetical and placement hint ([top_left]): newer than the format
LINE_MARKS = ("off", "manner", "place")


def _unmarked(beat: dict) -> dict:
    """A beat as hashed: a line's `off`, `manner` and `place` count only when it has them,
    so the nodes committed before lines had them stay fresh."""
    beat["lines"] = [{k: v for k, v in line.items() if k not in LINE_MARKS or v is not None}
                     for line in beat.get("lines", [])]
    return beat


def paired_visits(beats: list[ResolvedBeat], entries: Iterable[E], scene_of: Callable[[E], str]
                  ) -> list[tuple[str, int, list[ResolvedBeat], E | None]]:
    """Each scene visit of the story in reading order, with its committed entry:
    (scene id, n, its beats, the entry or None). The n-th visit of a scene (n counts
    from 1) takes the n-th entry for that scene, so a scene visited twice keeps its
    two entries apart. The build and `generate` both pair visits with this one rule,
    the build on the parsed file and `generate` on the ruamel entries it rewrites."""
    by_scene: dict[str, list[E]] = {}
    for entry in entries:
        by_scene.setdefault(scene_of(entry), []).append(entry)
    seen: dict[str, int] = {}
    out = []
    for scene_id, visit in beats_by_scene(beats):
        n = seen[scene_id] = seen.get(scene_id, 0) + 1
        found = by_scene.get(scene_id, [])
        out.append((scene_id, n, visit, found[n - 1] if n <= len(found) else None))
    return out


def plain(value: Any) -> Any:
    """ruamel's containers and scalar types as plain JSON values."""
    return json.loads(json.dumps(value, default=str))


def _safe(value: Any) -> Any:
    """Strings that a YAML 1.1 reader (the build's) would take for something else --
    `yes`, `off`, `1:20`, `2024-01-01` -- are written in quotes."""
    if isinstance(value, str):
        tag = Resolver().resolve(ScalarNode, value, (True, False))
        return value if tag.endswith(":str") else DoubleQuotedScalarString(value)
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        return [_safe(v) for v in value]
    if isinstance(value, CommentedSeq):
        for i, v in enumerate(value):
            value[i] = _safe(v)
        return value
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    return value


def _body(record: dict) -> dict:
    return {k: v for k, v in plain(record).items() if k != "generated"}


def node_record(node: StoryNode) -> CommentedMap:
    """A node as it is written to the file, with the hash of what the engine wrote."""
    data = node.model_dump(mode="json", include=set(NODE_KEYS), exclude_none=True)
    record = CommentedMap()
    for key in NODE_KEYS:
        value = data.get(key)
        if key == "characters":
            value = CommentedSeq(value or [])
            value.fa.set_flow_style()  # characters: [lin-shuang, captain-han]
        elif key == "lines":
            value = [{k: v for k, v in (("kind", w["kind"]), ("speaker", w.get("speaker")),
                                        ("off", w.get("off")), ("manner", w.get("manner")),
                                        ("place", w.get("place")), ("text", w["text"]))
                                    if v is not None}
                     for w in value or []] or None
        if value is not None:
            record[key] = _safe(value)
    record["generated"] = digest(_body(record))[:12]
    return record


def edited_by_hand(record: dict) -> bool:
    """True when the node is not what the engine wrote (or has no record of it)."""
    return record.get("generated") != digest(_body(record))[:12]


def to_node(record: dict, page_break: bool = False) -> StoryNode:
    """A committed record as a StoryNode (raises pydantic's ValidationError)."""
    return StoryNode.model_validate(_body(record) | {"page_break_before": page_break})


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order and quoting survive
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    yaml.preserve_quotes = True  # "yes" stays quoted for the build's YAML 1.1 reader
    return yaml


def read(path: Path) -> CommentedMap | None:
    """The file as ruamel's round-trip data, or None when there is none yet."""
    if not path.is_file():
        return None
    data = read_for_editing(path, "nodes file", _yaml(), NodesFileError)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("scenes", []), list):
        raise NodesFileError(f"{path.name} should hold 'story:' and a list 'scenes:'")
    return data


def scene_entries(data: CommentedMap | None) -> list[CommentedMap]:
    """The file's scene visits, in order; entries that are not maps are skipped."""
    return [e for e in (data or {}).get("scenes") or [] if isinstance(e, dict)]


def scene_entry(scene: str, beats: list[ResolvedBeat], nodes: list,
                written: list[str]) -> CommentedMap:
    """A scene visit: the outline hash, the ids the engine wrote (so that a node the
    writer deletes is known to be deleted, not missing) and the nodes."""
    entry = CommentedMap()
    entry["scene"] = scene
    entry["outline"] = outline_hash(beats)
    entry["written"] = CommentedSeq(written)
    entry["written"].fa.set_flow_style()
    entry["nodes"] = CommentedSeq(nodes)
    return entry


def deleted_by_hand(entry: dict | None) -> set[str]:
    """Ids the engine wrote that the writer has since removed from the scene. A scene
    emptied of every node asks to be written anew, so it has none."""
    nodes = [n for n in (entry or {}).get("nodes") or [] if isinstance(n, dict)]
    if not nodes:
        return set()
    return {str(i) for i in (entry or {}).get("written") or []} - {str(n.get("id"))
                                                                   for n in nodes}


def document(story: str, entries: list[CommentedMap], source: str, engine: str,
             previous: CommentedMap | None = None) -> CommentedMap:
    """The whole file: the previous document reused (its comments kept) when there is one."""
    data = previous if previous is not None else CommentedMap()
    if previous is None:
        data.yaml_set_start_comment(HEADER.format(source=source, engine=engine))
    data["story"] = story
    data["scenes"] = CommentedSeq(entries)
    return data


def dumps(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def write(path: Path, data: CommentedMap) -> None:
    """Write the file atomically (readers see the old file or the new, never half)."""
    write_atomic(path, dumps(data).encode("utf-8"))
