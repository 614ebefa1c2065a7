"""Bounded reads: the one way Panelwright reads a file it did not write.

A story repo is often someone else's, so a read is refused before it happens when the
file leaves the project (through '..' or a symlink), is not a regular file (a FIFO
would hang, a device never end) or is bigger than the limit for its kind.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

# Limits on what a repo may hand us (docs/format.md, "Limits"). Far beyond real use.
MAX_TEXT_BYTES = 4_000_000  # a story, character, world, style, template or panelwright.yaml
MAX_FONT_BYTES = 50_000_000  # CJK fonts are 15-30 MB
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not tab, newline, CR


class ReadRefused(Exception):
    """A file of the repo that we will not read: what is wrong, and the fix."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def _a(kind: str) -> str:
    """'a file', 'an image'."""
    return ("an " if kind[:1].lower() in "aeiou" else "a ") + kind


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def read_bounded(root: Path, rel: str | Path, limit: int, kind: str = "file") -> bytes:
    """The bytes of `rel` (relative to the project `root`), read only if it is a
    regular file inside the project of at most `limit` bytes; else `ReadRefused`.

    A path that leaves the project (through '..' or a symlink) is refused before
    anything is opened; the rest is `read_regular`'s.
    """
    root = Path(root).resolve()
    path = root / rel
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise ReadRefused("the file does not exist",
                          "check the path; it is relative to this file") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise ReadRefused(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}",
                          "check the path") from None
    if not real.is_relative_to(root) or real == root:
        raise ReadRefused(f"'{Path(rel).as_posix()}' leads outside the project folder "
                          f"(to {real})",
                          "copy the file into the project and refer to it there; "
                          "a story repo may only use its own files")
    return read_regular(real, limit, kind)


def read_regular(path: Path, limit: int, kind: str = "file") -> bytes:
    """The bytes of `path`, read only if it is a regular file of at most `limit` bytes;
    else `ReadRefused`. For files the writer names on the command line too.

    Checked before reading: a FIFO or device (which would hang or never end), a
    folder, a file bigger than `limit` (by its size on disk, and again while
    reading, in case it grows).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except FileNotFoundError:
        raise ReadRefused("the file does not exist", "check the path") from None
    except OSError as exc:
        raise ReadRefused(f"cannot read the file: {exc.strerror}", "check its permissions") \
            from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadRefused(f"this is a folder, not {_a(kind)}", "name a file")
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused("this is not a regular file (a device, FIFO or socket), not "
                              f"{_a(kind)}", "name an ordinary file")
        if info.st_size > limit:
            raise ReadRefused(f"the {kind} is {_megabytes(info.st_size)}; {kind}s may be at "
                              f"most {_megabytes(limit)}", f"use a smaller {kind}")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ReadRefused(f"the {kind} is bigger than {_megabytes(limit)}; {kind}s "
                                  f"may be at most {_megabytes(limit)}", f"use a smaller {kind}")
        return b"".join(chunks)
    except BlockingIOError:  # pragma: no cover - only a regular file gets here
        raise ReadRefused("the file cannot be read now", "try again") from None
    finally:
        os.close(fd)
