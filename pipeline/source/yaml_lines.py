"""YAML read with the line of every key, and within bounds.

Later stages point at the exact line of a value that parses but fails validation, so
every key's line is kept. YAML from someone else's repo is bounded: nesting depth,
aliases and what they expand to, digits in a number, control characters.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import Problem
from .reads import CONTROL

YAML_MAX_DEPTH = 64  # nesting of mappings and lists
YAML_MAX_ALIASES = 100  # '*name' references in one file
YAML_MAX_EXPANSION = 10_000  # nodes that aliases may add when expanded
YAML_MAX_DIGITS = 100  # digits in one number (Python refuses beyond 4,300)

# PyYAML's messages, in words a writer knows.
YAML_PLAIN = [
    ("expected <block end>", "the indentation of this line does not match the lines above"),
    ("mapping values are not allowed", "a second ':' on this line"),
    ("could not find expected ':'", "a line without ':' between its key and value"),
    ("found character '\\t'", "a tab; indent with spaces"),
    ("found unexpected end of stream", "a quote or bracket that is never closed"),
    ("expected ',' or ']'", "a list in [brackets] that is not closed"),
]


def _map_lines(node: yaml.Node, prefix: list[str], out: dict[str, int], offset: int,
               duplicates: list[tuple[str, int]]) -> None:
    out.setdefault("/".join(prefix), node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                duplicates.append((key, line))
            seen.add(key)
            path = prefix + [key]
            out["/".join(path)] = line
            _map_lines(value_node, path, out, offset, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = prefix + [str(index)]
            out["/".join(path)] = item.start_mark.line + 1 + offset
            _map_lines(item, path, out, offset, duplicates)


class _Limit(yaml.MarkedYAMLError):
    """A YAML document beyond our limits, at its line (reported as any YAML error)."""

    def __init__(self, mark: Any, problem: str):
        super().__init__(problem=problem, problem_mark=mark)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounds on nesting, aliases, numbers and text.

    Unbounded, a few lines of aliases (a 'billion laughs') expand to billions of
    values, and deep nesting overflows Python's stack."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > YAML_MAX_ALIASES:
                raise _Limit(self.peek_event().start_mark,
                             f"more than {YAML_MAX_ALIASES} aliases ('*name') in one file")
        self.depth += 1
        try:
            if self.depth > YAML_MAX_DEPTH:
                raise _Limit(self.peek_event().start_mark,
                             f"lists and mappings nested more than {YAML_MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > YAML_MAX_DIGITS:
            raise _Limit(node.start_mark, f"a number of {digits} digits; numbers may have "
                                          f"at most {YAML_MAX_DIGITS}")
        return super().construct_yaml_int(node)

    def construct_yaml_str(self, node: Any) -> Any:
        value = super().construct_yaml_str(node)
        bad = CONTROL.search(value)
        if bad:
            raise _Limit(node.start_mark, f"a control character (U+{ord(bad.group()):04X}) "
                                          "in this text")
        return value


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)
_BoundedLoader.add_constructor("tag:yaml.org,2002:str", _BoundedLoader.construct_yaml_str)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases refer to themselves, or expand to more than
    YAML_MAX_EXPANSION extra values or deeper than YAML_MAX_DEPTH, at the line of the
    value where the limit is passed. Each distinct node is visited once (sizes are
    memoised), without recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    claimed: set[int] = set()  # nodes counted once; a further reference is an alias
    extra = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [v for pair in node.value for v in pair] if isinstance(
            node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) \
            else []
        if done:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > YAML_MAX_DEPTH:
                raise _Limit(node.start_mark, "aliases that nest lists and mappings more "
                                              f"than {YAML_MAX_DEPTH} deep")
            for child in children:
                if id(child) in claimed:
                    extra += size[id(child)]
                claimed.add(id(child))
            if extra > YAML_MAX_EXPANSION:
                raise _Limit(node.start_mark, f"aliases ('*name') that expand to more than "
                                              f"{YAML_MAX_EXPANSION:,} values")
            continue
        if key in size:
            continue
        if key in active:  # pragma: no cover - caught below, before it is pushed
            raise _Limit(node.start_mark, "an anchor that contains an alias of itself")
        active.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in active:
                raise _Limit(child.start_mark, "an alias ('*name') inside the anchor it "
                                               "names, which would never end")
            if id(child) not in size:
                stack.append((child, False))


def line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(0, position)) + 1


def parse_yaml(text: str, rel: str, offset: int = 0) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse YAML keeping the line of every key; `offset` shifts lines (front matter)."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters here
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        _check_expansion(node)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        return None, {}, [Problem(
            file=rel, line=line_at(text, exc.position) + offset,
            message=f"this is not valid YAML: a control character ({exc.character!r}) that "
                    "YAML does not allow",
            hint="remove it; an editor that shows invisible characters helps")]
    except RecursionError:  # pragma: no cover - the limits above come first
        return None, {}, [Problem(file=rel, line=1 + offset,
                                  message="this YAML is nested too deeply",
                                  hint=f"nest at most {YAML_MAX_DEPTH} levels")]
    except _Limit as exc:
        return None, {}, [Problem(
            file=rel, line=exc.problem_mark.line + 1 + offset,
            message=f"this YAML goes beyond Panelwright's limits: {exc.problem}",
            hint="write the values out plainly (see 'Limits' in docs/format.md)")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        what = (exc.problem or "malformed YAML").strip()
        plain = next((text for pattern, text in YAML_PLAIN if pattern in what), None)
        message = f"this is not valid YAML: {plain} ({what})" if plain else \
            f"this is not valid YAML: {what}"
        return None, {}, [Problem(
            file=rel, line=line, message=message,
            hint="check the indentation and that text containing ':' or '#' is in quotes")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked YAML errors are rare
        return None, {}, [Problem(file=rel, message=f"this is not valid YAML: {exc}")]
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    _map_lines(node, [], lines, offset, duplicates)
    problems = [Problem(file=rel, line=line, field=key, message=f"the key '{key}' appears twice",
                        hint="keep one of them; YAML would silently use the last")
                for key, line in duplicates]
    return data, lines, problems


def split_front_matter(text: str) -> tuple[str, int, str, int] | None:
    """(front matter, its first line, body, the body's first line) or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return front, 2, body, index + 2
    return None
