"""Committed story nodes: `stories/<id>.nodes.yaml`, beside the story, read and edited in a diff.

`panelwright generate` writes them; a build uses them and needs no model. Each
scene records a hash of the outline it was written from (so `incremental` knows
which scenes changed), and each node the hash of what the engine wrote (so a node
the writer edited by hand is detected and never overwritten).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from .cache import digest, write_atomic
from .nodes_model import CommittedNodes, CommittedScene
from .resolve import ResolvedBeat
from .specs import StoryNode

HEADER = """\
# Story nodes of {source}, written by `panelwright generate` ({engine}).
# The build uses these and needs no model. Edit freely: a node you change is kept,
# never overwritten, by the next `panelwright generate`.
"""


def nodes_path(story_source: str) -> str:
    """stories/x.md -> stories/x.nodes.yaml"""
    return str(Path(story_source).with_suffix("")) + ".nodes.yaml"


def outline_hash(beats: list[ResolvedBeat]) -> str:
    return digest([b.model_dump(mode="json", exclude={"line"}) for b in beats])[:16]


def node_record(node: StoryNode) -> dict:
    """A node as it is written to the file, with the hash of what the engine wrote."""
    record = node.model_dump(mode="json", exclude={"line", "page_break_before", "layout"},
                             exclude_none=True)
    for line in record.get("lines", []):
        line.pop("line", None)
        if line.get("speaker") is None:
            line.pop("speaker", None)
    record["generated"] = digest(record)[:12]
    return record


def edited_by_hand(record: dict) -> bool:
    body = {k: v for k, v in record.items() if k != "generated"}
    return record.get("generated") != digest(body)[:12]


def to_node(record: dict, page_break: bool = False) -> StoryNode:
    body = {k: v for k, v in record.items() if k != "generated"}
    return StoryNode.model_validate(body | {"page_break_before": page_break})


def read(path: Path) -> CommittedNodes | None:
    if not path.is_file():
        return None
    return CommittedNodes.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def write(path: Path, nodes: CommittedNodes, source: str, engine: str) -> None:
    body = yaml.safe_dump(nodes.model_dump(mode="json"), sort_keys=False, allow_unicode=True,
                          width=100)
    write_atomic(path, (HEADER.format(source=source, engine=engine) + body).encode("utf-8"))
