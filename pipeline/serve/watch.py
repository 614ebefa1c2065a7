"""Which changes in the story repo start a build, and the thread that watches for them.

A build must follow every save of the writer's, and nothing else: not the site being
written (the output folder and its staging folders), not the cache, not git's own
files, not an editor's swap and backup files. Bursts (an editor saving several files,
a `git checkout`) reach the builder as one batch: watchfiles (Rust's notify) groups
changes until none has come for `step` milliseconds.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from ..runtime.cache import CACHE_DIR

# folders of the repo no build reads: git's, the cache, the default site and exports
_NOT_SOURCES = {".git", CACHE_DIR, "_site", "_export", "__pycache__", "node_modules"}
# a site being swapped in is written beside it (site/output.py)
_STAGING = re.compile(r"^\..+\.(building|old)-")
# vim's swap files and its write test (4913), backups (name~), emacs's locks (.#name)
_EDITOR_TEMP = re.compile(r"(\.sw[a-p]|\.swpx|~|\.tmp)$|^\.#|^4913$|^\.DS_Store$")


def ignored(path: str | Path, root: Path, out: Path) -> bool:
    """True for a change no build should follow. `root` and `out` are resolved paths."""
    path = Path(path)
    if path == out or out in path.parents:
        return True
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True  # outside the project
    if not parts:
        return False
    if parts[0] in _NOT_SOURCES or _STAGING.match(parts[0]):
        return True
    return bool(_EDITOR_TEMP.search(parts[-1]))


class Watcher(threading.Thread):
    """Calls `on_change(paths)` (relative to the project) for each batch of saves that
    count, until `stop()`."""

    def __init__(self, root: Path, out: Path, on_change: Callable[[set[str]], None],
                 step_ms: int = 50):
        super().__init__(name="panelwright-watch", daemon=True)
        self.root = Path(os.path.realpath(root))
        self.out = Path(os.path.realpath(out))
        self._on_change = on_change
        self._step_ms = step_ms
        self._halt = threading.Event()
        self.ready = threading.Event()

    def _keep(self, _change: object, path: str) -> bool:
        return not ignored(path, self.root, self.out)

    def run(self) -> None:
        import watchfiles

        changes = watchfiles.watch(self.root, watch_filter=self._keep, step=self._step_ms,
                                   debounce=1600, stop_event=self._halt, rust_timeout=200,
                                   yield_on_timeout=True, raise_interrupt=False)
        for batch in changes:
            self.ready.set()  # the first timeout: inotify is watching every folder now
            paths = {Path(path).relative_to(self.root).as_posix() for _, path in batch}
            if paths:
                self._on_change(paths)

    def stop(self) -> None:
        self._halt.set()
