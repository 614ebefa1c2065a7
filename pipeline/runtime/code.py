"""The code a step runs, as one of its cache inputs.

Improving the letterer re-letters, improving an engine redraws, improving the page
baker re-bakes, changing the theme re-renders: each step's cache key holds
`code_digest` of exactly the code (and theme files) it runs. One helper serves
them all, so no step can forget a file or need a hand-bumped version number.

The digest is blind to where code sits: import lines (and blank lines) are left out
and files are taken in the order of their contents, not their names. Moving a module between
folders re-keys nothing; changing what any of the code does re-keys what it made.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def code_digest(*modules: str, within: str = "", files: tuple[Path, ...] = ()) -> str:
    """Digest of the named modules, and (when `within` names a package) every module
    they import inside it, transitively; plus `files` (e.g. templates) by name and bytes.

    Modules outside this package (third-party engines) count for nothing here: their
    version is their own business.
    """
    seen: dict[str, Path] = {}
    todo = [m for m in modules if m.split(".")[0] == __name__.split(".")[0]]
    while todo:
        name = todo.pop()
        if name in seen or (path := _source(name)) is None:
            continue
        seen[name] = path
        if within:
            todo += _imports(name, path, within)
    parts = sorted(_normalized(path) for path in seen.values())
    parts += [hashlib.sha256(f.name.encode() + f.read_bytes()).hexdigest()
              for f in sorted(files)]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def tree_files(folder: Path) -> tuple[Path, ...]:
    """Every file under `folder`, for `code_digest(files=...)`."""
    return tuple(sorted(p for p in folder.rglob("*") if p.is_file()))


def _source(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _normalized(path: Path) -> str:
    """The file's digest without its import lines (which a move rewrites) and blank
    lines (which sorting imports adds and removes)."""
    text = path.read_text(encoding="utf-8")
    imports = {line for node in ast.walk(ast.parse(text))
               if isinstance(node, (ast.Import, ast.ImportFrom))
               for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)}
    kept = (line for number, line in enumerate(text.splitlines(), 1)
            if number not in imports and line.strip())
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def _imports(module: str, path: Path, within: str) -> list[str]:
    """The modules inside `within` that `module` imports."""
    inside = [m for m in _imported(module, path) if m == within or m.startswith(within + ".")]
    # `from . import fonts` imports a module, `from .fonts import X` a name
    return inside + [f"{m}.{n}" for m in inside for n in _names(path, m, module)
                     if _source(f"{m}.{n}") is not None]


def _imported(module: str, path: Path) -> Iterable[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield _resolved(node, module, path)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _names(path: Path, source: str, module: str) -> list[str]:
    """Names imported from `source` in `path`."""
    return [alias.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and _resolved(node, module, path) == source
            for alias in node.names]


def _resolved(node: ast.ImportFrom, module: str, path: Path) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))
