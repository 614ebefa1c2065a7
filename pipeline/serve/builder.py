"""One build at a time, each following every save that came before it.

Saves mark the project changed; the builder thread builds whenever it is. A build in
progress is never interrupted: saves made meanwhile are gathered and give exactly one
more build once it ends. A burst (a long `git checkout`, an editor saving many files
under load) reaches the builder in pieces, one every 0.1 s (watch.py): the first piece
is built at once, and a piece that comes during a build or soon after the last one
makes the next build wait until the saves stop, so a burst gives two builds, not one
per piece. Each build's outcome (what changed, the report
or the problems) goes to `on_build`; the served site keeps its own manifest
(`runtime/manifest.kept_as`), so serving never leaves the writer's `_site` looking
up to date when it is not.

A save should show within a second, so two things a build does are not redone per
build: this machine's worker processes are started once and kept (their shared
objects let go after each build), and the smaller WebP copies of pictures that
changed are made after the build is shown, while the builder is idle (a save
meanwhile goes first): until then the served site shows those pictures whole
(docs/serve.md).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..art import default_jobs
from ..build import BuildReport, build
from ..errors import Problem, ProjectError
from ..runtime.cache import project_lock
from ..runtime.manifest import Manifest, kept_as
from ..runtime.parallel import LocalWorkers
from ..site.images import Pictures, Wanted
from ..site.output import SiteFiles

MANIFEST = "serve-manifest.json"
# the open tabs reload as a build is told: its pictures' copies wait this long, so the
# tabs have the CPU (two cores are shared with the browser)
COPIES_AFTER = 0.5
# saves that come this soon after others, or during a build, are a burst: taken as
# done when none has come for this long (a busy machine pauses a burst for a moment)
BURST_QUIET = 0.5
START = "(start)"  # the first build's "what changed"


@dataclass
class Outcome:
    """What one build of the served site did."""

    number: int  # 1 for the first build
    changed: list[str]  # project paths, sorted; [START] for the first
    seconds: float
    report: BuildReport | None = None  # None when the build failed
    problems: list[Problem] = field(default_factory=list)  # errors, or the warnings
    site: str = ""  # digest of the site now served (the last good one after a failure)

    @property
    def ok(self) -> bool:
        return self.report is not None


def _unexpected(exc: BaseException, root: Path) -> Problem:
    return Problem(file=str(root), message=f"the build stopped with an unexpected error: "
                   f"{type(exc).__name__}: {exc}",
                   hint="this is a bug in Panelwright (the terminal shows where); save "
                   "again to retry")


class Builder(threading.Thread):
    """Builds `root` into `out` after each `changed()`; call `stop()` to end."""

    def __init__(self, root: Path, out: Path, on_build: Callable[[Outcome], None],
                 jobs: int | None = None, waiting: Callable[[], None] | None = None):
        super().__init__(name="panelwright-build", daemon=True)
        self.root, self.out, self.jobs = root, out, jobs
        self._on_build = on_build
        self._waiting = waiting
        self._wake = threading.Condition()
        self._pending: set[str] = set()
        self._in_burst = False  # saves came during a build, or soon after others
        self._last_save = 0.0  # time.monotonic() of the last batch of saves
        # set by the server: waits until a wait without change began after a moment
        self.quiet_after: Callable[[float, float | None], bool] | None = None
        self._stopping = False
        self._local = LocalWorkers(jobs or default_jobs())
        self._deferred: list[Wanted] = []  # pictures shown whole: copies still to make
        self.builds = 0  # builds finished, good or not
        self.building = False  # from taking the saves until the outcome is told

    def changed(self, paths: set[str]) -> None:
        with self._wake:
            self._pending |= paths
            now = time.monotonic()
            self._in_burst = self._in_burst or self.building or \
                now - self._last_save < BURST_QUIET
            self._last_save = now
            self._wake.notify_all()

    def stop(self) -> None:
        """End after the build in progress, if any (it is never cut short)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no build runs or waits to run, the last one's outcome has been
        told and its pictures' copies are made; False on timeout."""
        with self._wake:
            return self._wake.wait_for(
                lambda: not self.building and not self._pending and not self._deferred,
                timeout)

    def run(self) -> None:
        try:
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._stopping or self._pending)
                    if self._stopping:
                        return
                    burst, self._in_burst = self._in_burst, False
                if burst:
                    self._saves_stop()
                with self._wake:
                    if self._stopping:
                        return
                    paths, self._pending = self._pending, set()
                    self.building = True
                try:
                    outcome = self._build(sorted(paths))
                    self.builds = outcome.number
                    self._on_build(outcome)
                finally:
                    with self._wake:
                        self.building = False
                        self._wake.notify_all()
                self._make_copies()
        finally:
            self._local.close()

    def _saves_stop(self, longest: float = 5.0) -> None:
        """Wait until every save so far has been handed on (the watcher's quiet) and
        none has come for BURST_QUIET seconds, at most `longest` seconds: the rest of
        a burst joins the next build."""
        if self.quiet_after is None:
            return
        deadline = time.monotonic() + longest
        while not self._stopping and (left := deadline - time.monotonic()) > 0:
            last = self._last_save
            self.quiet_after(last, left)
            with self._wake:
                self._wake.wait_for(lambda: self._last_save != last or self._stopping,
                                    max(0.0, min(last + BURST_QUIET - time.monotonic(),
                                                 deadline - time.monotonic())))
            if self._last_save == last:
                return

    def _make_copies(self) -> None:
        """Make the deferred pictures' copies, one picture at a time, until a save
        comes (its build goes first; what is left is deferred again by it)."""
        done = 0
        with self._wake:
            if not self._deferred or self._wake.wait_for(
                    lambda: self._pending or self._stopping, COPIES_AFTER):
                return
        try:
            with project_lock(self.root):
                for want in self._deferred:
                    if self._pending or self._stopping:
                        break
                    Pictures().prepare(self.root, [want], SiteFiles(), 1)
                    done += 1
        except Exception:  # a bug: the pictures stay whole, the server stays up
            traceback.print_exc()
            done = len(self._deferred)
        with self._wake:
            del self._deferred[:done]
            self._wake.notify_all()

    def _build(self, changed: list[str]) -> Outcome:
        number = self.builds + 1
        started = time.perf_counter()
        report, problems = None, []
        with kept_as(MANIFEST):
            try:
                deferred: list[Wanted] = []
                report = build(self.root, out=self.out, jobs=self.jobs, waiting=self._waiting,
                               local=self._local, defer=deferred)
                with self._wake:
                    self._deferred = deferred
                problems = report.warnings
            except ProjectError as exc:
                problems = exc.problems
            except Exception as exc:  # an engine's failure, or a bug: the server stays up
                errors = sys.modules.get("pipeline.engines.errors")
                if errors is None or not isinstance(exc, errors.EngineError):
                    traceback.print_exc()
                    problems = [_unexpected(exc, self.root)]
                else:
                    problems = [Problem(file=str(self.root), message=f"an engine failed: {exc}",
                                        hint="those are the service's own words; save again "
                                        "to retry once it answers")]
            finally:
                self._local.forget()
            site = Manifest.read(self.root).site if (self.out / "index.html").is_file() else ""
        return Outcome(number=number, changed=changed, report=report, problems=problems,
                       site=site, seconds=round(time.perf_counter() - started, 3))
