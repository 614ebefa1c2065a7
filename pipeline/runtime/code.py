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
import re
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


_IMPORT = re.compile(r"\s*(from\s+[\w.]+\s+import\b|import\s+\w)")


@lru_cache(maxsize=None)
def _scan(path: Path, stamp: tuple[int, int]) -> tuple[str, tuple[ast.stmt, ...]]:
    """(the file's digest without its import lines and blank lines, its imports).

    Import lines are what a move rewrites and blank lines what sorting imports adds
    and removes; a line scan (not a parse of the whole file) keeps a no-op build fast.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    kept, imports, i = [], [], 0
    while i < len(lines):
        if not _IMPORT.match(lines[i]):
            if lines[i].strip():
                kept.append(lines[i])
            i += 1
            continue
        statement = [lines[i]]
        while _open(statement) and i + 1 < len(lines):  # a wrapped import runs on
            i += 1
            statement.append(lines[i])
        i += 1
        try:
            imports += ast.parse("\n".join(s.strip() for s in statement)).body
        except SyntaxError:  # an 'import ...' line inside a docstring
            pass
    return hashlib.sha256("\n".join(kept).encode()).hexdigest(), tuple(imports)


def _open(statement: list[str]) -> bool:
    code = "\n".join(line.split("#")[0] for line in statement)
    return code.count("(") > code.count(")") or code.rstrip().endswith("\\")


def _file(path: Path) -> tuple[str, tuple[ast.stmt, ...]]:
    info = path.stat()
    return _scan(path, (info.st_mtime_ns, info.st_size))


def _normalized(path: Path) -> str:
    return _file(path)[0]


def _imports(module: str, path: Path, within: str) -> list[str]:
    """The modules inside `within` that `module` imports."""
    found = []
    for node in _file(path)[1]:
        if isinstance(node, ast.ImportFrom):
            source = _resolved(node, module, path)
            found.append(source)
            # `from . import fonts` imports a module, `from .fonts import X` a name
            if source == within or source.startswith(within + "."):
                found += [f"{source}.{a.name}" for a in node.names
                          if _source(f"{source}.{a.name}") is not None]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [m for m in found if m == within or m.startswith(within + ".")]


def _resolved(node: ast.ImportFrom, module: str, path: Path) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))
