"""Site output: the rendered site written aside and swapped in whole.

A build must never leave half a site, nor replace a folder of the writer's: the
files are written to a staging folder beside the output, marked as Panelwright's
own (`runtime/outdir.py` holds the rules for which folders may be replaced), and
swapped in with renames; a build that was killed is tidied up by `recover`.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, ProjectError
from ..runtime.outdir import KEEP_HINT, MARKER, MARKER_TEXT, made_by_panelwright


@dataclass
class SiteFiles:
    """Everything the site will hold, in memory or as files to copy, before writing."""

    text: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)  # site path -> source path

    def digests(self) -> dict[str, str]:
        """Site path -> digest of its content (copies are content-addressed already)."""
        out = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in self.text.items()}
        out |= {rel: hashlib.sha256(data).hexdigest() for rel, data in self.data.items()}
        out |= {rel: "file:" + source for rel, source in self.copies.items()}
        return out

    def write(self, out: Path) -> None:
        """Write the site and swap it in at `out`, marked as Panelwright's own. A folder
        Panelwright did not make is never replaced (see outdir.py)."""
        out = out.resolve()
        if out.is_dir() and any(out.iterdir()) and not made_by_panelwright(out):
            raise ProjectError([Problem(
                file=str(out), field="--out", message=f"'{out}' is not empty and was not "
                "made by Panelwright; nothing was written or removed", hint=KEEP_HINT)])
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
        try:
            # the marker goes in with the site, so the swap makes both appear at once
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            for rel, text in self.text.items():
                _target(staging, rel).write_text(text, encoding="utf-8")
            for rel, data in self.data.items():
                _target(staging, rel).write_bytes(data)
            for rel, source in self.copies.items():
                target = _target(staging, rel)
                try:
                    os.link(source, target)  # cache files never change: share them
                except OSError:
                    shutil.copyfile(source, target)
            _publishable(staging)
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _publishable(root: Path) -> None:
    """Make the site world-readable whatever the umask: folders 0755, files 0644
    (mkdtemp makes the folder 0700, and a copy with `cp -a` or `rsync -a` to a web
    server would keep that and answer 403)."""
    root.chmod(0o755)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def _target(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place of the old: never a half-written site.

    On Linux the two folders are exchanged in one atomic step (renameat2 with
    RENAME_EXCHANGE), so there is no moment without a whole site at `out`; elsewhere
    two renames leave a moment without one, which `recover` repairs.
    """
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
        return
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
    os.rename(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def recover(out: Path) -> None:
    """Tidy up after a build that was killed: restore a site caught between two
    renames, and remove half-written staging folders."""
    out = out.resolve()
    if not out.parent.is_dir():
        return
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        if not out.exists():
            os.rename(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
