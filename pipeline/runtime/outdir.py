"""Which folders Panelwright may replace or remove: the one rule for `--out` and `clean`.

A build swaps its output folder out whole and `clean` deletes it, so a mistaken
`--out` (the project itself, a folder holding it, a folder of someone's files)
would destroy a writer's work. Every output folder is judged here, by the CLI and
the Python API alike: it may not be, hold or lie inside the project's sources, nor
be `/` or the home folder, and when it exists and is not empty it must be one
Panelwright made. Panelwright marks what it writes with a MARKER file; a site built
before the marker existed is recognised by the files every build left in it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path

from ..errors import Problem, ProjectError
from .cache import CACHE_DIR

MARKER = ".panelwright-site"
MARKER_TEXT = ("This folder was written by Panelwright. A build replaces it whole and "
               "`panelwright clean` removes it: keep nothing of your own in it.\n")
# what the loader reads, and where the repo's history and the cache live
SOURCES = ("panelwright.yaml", "characters", "worlds", "styles", "stories", "templates",
           ".git", CACHE_DIR)
# every top-level name a site built before the marker could hold
_OLD_SITE = {"index.html", ".nojekyll", "assets", "characters", "stories", "worlds", "pages",
             "art", "avatars", "cards", "thumbs", "covers",
             "favicon.png", "feed.xml", "sitemap.xml"}  # a site of today, its marker lost
_OLD_PREVIEW = {"index.html", "contact-sheet.png", "cells"}
_CACHE_NAMES = {"cache", "manifest.json", "build.lock", "downloads", "templates", "pictures"}
KEEP_HINT = "choose a new or empty folder for --out (the default is PROJECT/_site)"


def _names(folder: Path) -> set[str] | None:
    try:
        return set(os.listdir(folder))
    except OSError:
        return None


def made_by_panelwright(folder: Path) -> bool:
    """True for a site or contact sheet folder Panelwright wrote (marked, or as an
    older version left it: its own files and nothing else)."""
    names = _names(folder)
    if names is None:
        return False
    if MARKER in names and (folder / MARKER).is_file() and not (folder / MARKER).is_symlink():
        return True
    if names <= _OLD_SITE and {"index.html", ".nojekyll", "assets"} <= names:
        return (folder / "assets" / "lettering.ttf").is_file()
    return names <= _OLD_PREVIEW and {"index.html", "contact-sheet.png"} <= names


def is_cache_folder(folder: Path) -> bool:
    """True for a `.panelwright/` folder that is empty or holds what Panelwright keeps
    there (its cache, manifest, lock, downloads or compiled templates)."""
    names = _names(folder)
    return names is not None and (not names or bool(names & _CACHE_NAMES))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _source_part(root: Path, out: Path) -> str | None:
    """The source folder or file of the project (resolved `root`) that `out` lies in."""
    if root in out.parents and out.relative_to(root).parts[0] in SOURCES:
        return out.relative_to(root).parts[0]
    return None


def out_problem(root: str | Path, out: str | Path, reads: Iterable[str | Path] = (),
                what: str = "--out") -> Problem | None:
    """What is wrong with writing (replacing) the folder `out` for the project at
    `root`, or None. `reads` are the files the loader read, absolute or under root."""
    root = Path(os.path.realpath(root))
    given, out = str(out), Path(os.path.realpath(out))

    def problem(why: str, hint: str = KEEP_HINT) -> Problem:
        return Problem(file=given, field=what, message=f"'{given}' {why}; nothing was "
                       "written or removed", hint=hint)

    if out == Path(out.anchor):
        return problem("is the root of the file system")
    if out == Path(os.path.realpath(Path.home())):
        return problem("is your home folder")
    if out == root:
        return problem("is the project itself: the site would replace your story files")
    if part := _source_part(root, out):
        return problem(f"lies inside the project's sources ({part})")
    if out in root.parents:
        return problem(f"holds the project ({root}): the site would replace it")
    for read in reads:
        source = Path(os.path.realpath(root / read))
        if _inside(source, out):
            return problem(f"holds {source}, which the project reads")
    if out.exists() and not out.is_dir():
        return problem("is a file, not a folder")
    if out.is_dir() and _names(out) and not made_by_panelwright(out):
        return problem("is not empty and was not made by Panelwright",
                       f"{KEEP_HINT}; Panelwright only replaces folders it made itself "
                       f"(they hold a {MARKER} file)")
    return None


def check_out(root: str | Path, out: str | Path, reads: Iterable[str | Path] = (),
              what: str = "--out") -> Path:
    """`out`, resolved, if Panelwright may write it; else a ProjectError saying why."""
    problem = out_problem(root, out, reads, what)
    if problem:
        raise ProjectError([problem])
    return Path(os.path.realpath(out))


def check_out_file(root: str | Path, out: str | Path, looks_ours: bool) -> None:
    """Refuse to write the file `out` inside the project's sources, over a folder, or
    over an existing file that is not one of ours (`looks_ours`)."""
    root = Path(os.path.realpath(root))
    given, out = str(out), Path(os.path.realpath(out))
    why = None
    if part := _source_part(root, out):
        why = f"lies inside the project's sources ({part})"
    elif out == root or out.is_dir():
        why = "is a folder"
    elif out.exists() and not looks_ours:
        why = "exists and is not a file Panelwright wrote"
    if why:
        raise ProjectError([Problem(file=given, field="--out", message=f"'{given}' {why}; "
                                    "nothing was written", hint="choose a new file name "
                                    "outside characters/, stories/, worlds/ and styles/")])


def mark(folder: Path) -> None:
    """Mark `folder` as Panelwright's own output."""
    from .cache import write_atomic
    write_atomic(folder / MARKER, MARKER_TEXT.encode())


def clean(root: str | Path, out: str | Path | None = None,
          waiting: Callable[[], None] | None = None) -> tuple[list[Path], list[Problem]]:
    """Remove the project's site, exports and cache, only if Panelwright made them;
    returns (what was removed, why anything was left). Holds the project's lock, so a
    running build finishes first; a symbolic link is never followed."""
    import shutil

    from .cache import project_lock

    root = Path(root)
    site = Path(out) if out else root / "_site"
    cache = root / CACHE_DIR
    removed: list[Path] = []
    problems: list[Problem] = []

    def unlinked(path: Path, what: str) -> bool:
        if path.is_symlink():
            problems.append(Problem(file=str(path), message=f"the {what} is a symbolic link; "
                                    "it was not followed",
                                    hint="remove the link or its target yourself"))
            return False
        return True

    if not root.is_dir():
        raise ProjectError([Problem(file=str(root), message="there is no such project folder")])
    take_cache = unlinked(cache, "cache folder") and cache.is_dir()
    with project_lock(root, waiting) if take_cache else nullcontext():
        take_site = unlinked(site, "site folder") and site.exists()
        if take_site:
            # the rule for --out also refuses a folder Panelwright did not make
            problem = out_problem(root, site, what="--out")
            if problem:
                problems.append(problem)
        if take_cache and not is_cache_folder(cache):
            problems.append(Problem(file=str(cache), message=f"'{cache}' does not hold "
                                    "Panelwright's cache", hint="remove it yourself if it is "
                                    "not yours"))
        if problems:  # all or nothing: a refused clean leaves everything as it was
            return [], problems
        if take_site:
            shutil.rmtree(site)
            removed.append(site)
        # the exports' default folder too, when Panelwright marked it (an `_export` of the
        # writer's own is left alone, as is an export written elsewhere with --out)
        exports = root / "_export"
        if not exports.is_symlink() and exports.is_dir() and (exports / MARKER).is_file():
            shutil.rmtree(exports)
            removed.append(exports)
        if take_cache:
            # the lock file goes last: a build waiting on it then locks a new one
            for entry in cache.iterdir():
                if entry.name != "build.lock":
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() \
                        else entry.unlink()
            (cache / "build.lock").unlink(missing_ok=True)
            try:
                cache.rmdir()
            except OSError:  # something (an avatar download) wrote there meanwhile
                pass
            removed.append(cache)
    return removed, problems
