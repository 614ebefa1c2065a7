"""How a value is written into a character file so that it reads back exactly as it was.

Character files are edited with ruamel.yaml (YAML 1.2, round trip: comments and quotes
survive) but read, by the build and by every command alike, with the project's one reader
(`source.load`: PyYAML, YAML 1.1). The two disagree on plain words: `yes`, `on`, `~` or a
date are text to one and a bool, None or a date to the other, and `1e-05` is a number to
one and text to the other. So every new value is written in a style both read the same,
checked by reading it back with the project's reader: text that would change is written in
double quotes (with escapes for CR, tabs and line separators, which nothing normalises),
text of several lines as a literal block when that reads back byte for byte, and never a
line that could be taken for the front matter's closing `---`.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, ScalarString

from ..source.yaml_lines import parse_yaml

WIDTH = 1_000_000_000  # never fold a line: a folded line could start with '---'
FENCES = ("---", "...")


class _Representer(RoundTripRepresenter):
    """Floats as YAML 1.1 reads them too: `1.0e-05`, not `1e-05` (which PyYAML reads as
    text)."""


def _float(representer: RoundTripRepresenter, value: float) -> Any:
    if math.isnan(value) or math.isinf(value):
        text = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    else:
        text = repr(value)
        if "e" in text:
            mantissa, exponent = text.split("e")
            mantissa += "" if "." in mantissa else ".0"
            text = f"{mantissa}e{'' if exponent[0] in '+-' else '+'}{exponent}"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


_Representer.add_representer(float, _float)


def yaml_editor(sequence: int = 4, offset: int = 2) -> YAML:
    """The round-trip YAML that edits character files: comments, order and quotes
    survive; new floats are written as both readers read them."""
    yaml = YAML()
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml


_CHECKER = yaml_editor()


def _dumped(value: Any) -> str:
    out = io.StringIO()
    _CHECKER.dump({"k": value}, out)
    return out.getvalue()


def _read_back(node: Any, value: Any) -> str | None:
    """`node` as the editor writes it, if the project's reader reads it as `value`
    (type included) and no line of it could close the front matter; else None."""
    text = _dumped(node)
    if any(line.strip() in FENCES for line in text.splitlines()):
        return None
    data, _, problems = parse_yaml(text, "check")
    ok = not problems and isinstance(data, dict) and _same(data.get("k"), value)
    return text if ok else None


def _same(read: Any, value: Any) -> bool:
    if type(read) is not type(value) and not (isinstance(read, str) and isinstance(value, str)):
        return False
    if isinstance(value, float) and math.isnan(value):
        return math.isnan(read)
    return read == value


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.;!?()'_-]*")
_TEXT_TAG = "tag:yaml.org,2002:str"


def _surely_plain(text: str) -> bool:
    """Ordinary words, which both YAML versions read as text written plain (the check
    below, which writes and reads the text, costs milliseconds)."""
    return bool(_PLAIN.fullmatch(text)) and text == text.rstrip() and \
        _PYYAML.resolve(yaml.ScalarNode, text, (True, False)) == _TEXT_TAG and \
        _RUAMEL.resolve(ScalarNode, text, (True, False)) == _TEXT_TAG


_PYYAML = yaml.resolver.Resolver()
_RUAMEL = VersionedResolver()


def text_node(text: str, old: Any = None, key: bool = False) -> Any:
    """`text` as a YAML scalar that reads back exactly: in the style of the `old` one it
    replaces when that style can hold it; text of several lines as a literal block (diffs
    line by line); else plain; else double-quoted, as the project's files quote (escapes
    hold any character)."""
    if old is None and _surely_plain(text):
        return text
    def fits(node: Any) -> str | None:
        return _read_back({node: 0} if key else node, {text: 0} if key else text)
    if not key and "\n" in text.strip("\n") and fits(LiteralScalarString(text)):
        return LiteralScalarString(text)
    if isinstance(old, ScalarString) and not isinstance(old, LiteralScalarString) \
            and fits(type(old)(text)):
        return type(old)(text)
    written = fits(text)
    if written and written.split(":", 1)[1].lstrip()[:1] not in ("'", '"', "?"):
        return text  # plain: text that needs quotes gets double ones
    return DoubleQuotedScalarString(text)  # if the reader refuses it, the caller says so


def styled(old: Any, new: Any) -> Any:
    """`new` as a YAML node in the style of the `old` one it replaces: its quotes, its
    flow or block list; every text (keys too) in a style the project's reader reads back
    as it was."""
    if isinstance(new, str):
        return text_node(new, old)
    if isinstance(new, list | tuple):
        seq = CommentedSeq(styled(None, v) for v in new)
        if isinstance(old, CommentedSeq) and old.fa.flow_style() or (
                old is None and new and all(isinstance(v, str) and len(v) < 30
                                            and "\n" not in v for v in new)):
            seq.fa.set_flow_style()
            # in [brackets] PyYAML ends a plain word at '?' or ':' that it reads whole
            # on a line of its own: such a list is written one item a line
            if _read_back(seq, list(new)) is None:
                seq.fa.set_block_style()
        return seq
    if isinstance(new, dict):
        return CommentedMap((text_node(str(k), key=True), styled(None, v))
                            for k, v in new.items())
    return new
