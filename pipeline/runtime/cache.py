"""The content-addressed store under `<project>/.panelwright/`: safe to delete.

An entry is named by the hash of every input that can change it, so a lookup is
the whole of "is this up to date?". Each entry is a data file plus a small JSON
record (its size and metadata) written after it; both are written to a temporary
file and `os.replace`d, so a killed build leaves either a whole entry or none,
and an entry whose file does not match its record is treated as missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CACHE_DIR = ".panelwright"


def cache_dir(project_root: str | Path) -> Path:
    """The project's `.panelwright/` folder, refused when it is a symlink: a cloned repo
    must not send the cache, the lock or downloads somewhere else on the machine."""
    path = Path(project_root) / CACHE_DIR
    if path.is_symlink():
        from ..errors import Problem, ProjectError
        raise ProjectError([Problem(
            file=CACHE_DIR, message=f"{CACHE_DIR} is a symlink (to {os.readlink(path)}); "
            "Panelwright keeps its cache inside the project and follows no link there",
            hint=f"remove the link ('rm {path}'); the cache is made anew")])
    return path


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able parts (pydantic models dumped first)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp makes files only their owner can read; written files get the usual
# permissions instead, as `open()` would give them (a site's art is served to others).
# The one place the umask is read: every atomic write without its own mode uses this.
FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE if mode is None else mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# index.json parsed once per process: path -> (the file's stamp when read, the index).
# Every stage of a build opens the cache; the index is the largest file a rebuild reads.
_INDEXES: dict[Path, tuple[tuple[int, int, int], dict[str, dict]]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    """Which version of a file this is: an atomic write makes a new inode."""
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


class Cache:
    """Entries under `.panelwright/cache/`, with an index of their records.

    The index (`index.json`) holds every entry's size and metadata, so a rebuild
    checks an entry with one `stat` instead of opening its record. It is only a
    shortcut: an entry missing from it, or whose file no longer matches it, is
    looked up in its own record as before. `save()` merges with what is on disk
    (unless the file is still the one this process read or wrote last).
    """

    def __init__(self, project_root: str | Path):
        self.root = cache_dir(project_root) / "cache"
        self._index: dict[str, dict] | None = None
        self._added: dict[str, dict] = {}

    def path(self, key: str, ext: str) -> Path:
        return self.root / key[:2] / f"{key}.{ext}"

    @property
    def index(self) -> dict[str, dict]:
        if self._index is None:
            self._index = self._on_disk()
        return self._index

    def _on_disk(self) -> dict[str, dict]:
        """The index as the file holds it now, parsed again only when it changed."""
        path = self.root / "index.json"
        try:
            stamp = _stamp(path)
        except OSError:
            return {}
        known = _INDEXES.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            index = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        _INDEXES[path] = (stamp, index)
        return index

    def get(self, key: str, ext: str) -> tuple[Path, dict] | None:
        """The entry's file and metadata, or None if absent or damaged."""
        data_path = self.path(key, ext)
        record = self.index.get(f"{key}.{ext}")
        if record is not None:
            try:
                if data_path.stat().st_size == record["bytes"]:
                    return data_path, record.get("meta", {})
            except (OSError, KeyError, TypeError):
                pass
        try:
            record = json.loads(self.path(key, "json").read_text())
            if data_path.stat().st_size != record["bytes"]:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._remember(f"{key}.{ext}", record)
        return data_path, record.get("meta", {})

    def put(self, key: str, ext: str, data: bytes, meta: dict | None = None) -> Path:
        path = self.path(key, ext)
        write_atomic(path, data)
        record = {"bytes": len(data), "meta": meta or {}}
        write_atomic(self.path(key, "json"), json.dumps(record, sort_keys=True).encode())
        self._remember(f"{key}.{ext}", record)
        return path

    def get_json(self, key: str) -> Any | None:
        hit = self.get(key, "data.json")
        if hit is None:
            return None
        if "value" in hit[1]:
            return hit[1]["value"]
        try:
            return json.loads(hit[0].read_text())
        except (OSError, ValueError):
            return None

    def put_json(self, key: str, value: Any) -> None:
        # the value rides in the record too, so a rebuild finds it in the index
        self.put(key, "data.json", json.dumps(value, sort_keys=True).encode(), {"value": value})

    def _remember(self, name: str, record: dict) -> None:
        self.index[name] = record
        self._added[name] = record

    def save(self) -> None:
        """Write the index, merged with entries other stages added meanwhile."""
        if not self._added:
            return
        merged = self._on_disk()
        merged.update(self._added)
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "index.json"
        write_atomic(path, json.dumps(merged).encode())
        _INDEXES[path] = (_stamp(path), merged)
        self._index, self._added = merged, {}


@contextmanager
def project_lock(project_root: str | Path, waiting: Callable[[], None] | None = None
                 ) -> Iterator[None]:
    """Hold the project's lock (builds and `clean` take it); a second one waits, after
    calling `waiting`."""
    path = cache_dir(project_root) / "build.lock"
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting:
                    waiting()
                    waiting = None
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                held = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                held = False
            if not held:  # `clean` removed the lock file while we waited: lock the new one
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
            return
