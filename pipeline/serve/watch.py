"""Which changes in the story repo start a build, and the thread that watches for them.

A build must follow every save of the writer's, and nothing else: not the site being
written (the output folder and its staging folders), not the cache, not git's own
files, not an editor's swap and backup files. Bursts (an editor saving several files,
a `git checkout`) reach the builder as one batch: watchfiles (Rust's notify) groups
changes until none has come for `step` milliseconds.

The watcher also knows when it has seen everything: a wait of `QUIET_MS` with no
change at all under the project means every save made before that wait began has
been handed on (`quiet_after`), which is how `LiveServer.wait_idle` knows a save is
not still on its way.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..runtime.cache import CACHE_DIR

# folders of the repo no build reads: git's, the cache, the default site and exports
_NOT_SOURCES = {".git", CACHE_DIR, "_site", "_export", "__pycache__", "node_modules"}
# a site being swapped in is written beside it (site/output.py)
_STAGING = re.compile(r"^\..+\.(building|old)-")
# vim's swap files and its write test (4913), backups (name~), emacs's locks (.#name),
# the file `sed -i` writes before it renames it over the edited one (sedXXXXXX)
_EDITOR_TEMP = re.compile(
    r"(\.sw[a-p]|\.swpx|~|\.tmp)$|^\.#|^4913$|^\.DS_Store$|^sed[A-Za-z0-9]{6}$")
QUIET_MS = 200  # a wait this long without a change under the project: all seen


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
        self._quiet = threading.Condition()
        self._quiet_from = float("-inf")  # when the last wait without a change began

    def _keep(self, _change: object, path: str) -> bool:
        # a folder made or touched is no save: the files saved in it are seen one by one
        return not ignored(path, self.root, self.out) and not os.path.isdir(path)

    def run(self) -> None:
        import watchfiles

        changes = watchfiles.watch(self.root, watch_filter=self._keep, step=self._step_ms,
                                   debounce=1600, stop_event=self._halt,
                                   rust_timeout=QUIET_MS, yield_on_timeout=True,
                                   raise_interrupt=False)
        waiting_from = time.monotonic()
        for batch in changes:
            self.ready.set()  # the first timeout: inotify is watching every folder now
            paths = {Path(path).relative_to(self.root).as_posix() for _, path in batch}
            if paths:
                self._on_change(paths)
            elif not batch:  # a timeout: nothing changed since `waiting_from`
                with self._quiet:
                    self._quiet_from = waiting_from
                    self._quiet.notify_all()
            waiting_from = time.monotonic()
        with self._quiet:  # stopped: nobody waits for a quiet that will not come
            self._quiet_from = float("inf")
            self._quiet.notify_all()

    def quiet_after(self, moment: float, timeout: float | None = None) -> bool:
        """Wait until a wait without any change began after `moment` (time.monotonic):
        every save made before it has been handed to `on_change`. False on timeout."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._quiet_from >= moment, timeout)

    def stop(self) -> None:
        self._halt.set()
