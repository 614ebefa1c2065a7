"""One build at a time, each following every save that came before it.

Saves mark the project changed; the builder thread builds whenever it is. A build in
progress is never interrupted: saves made meanwhile are gathered and give exactly one
more build once it ends. Each build's outcome (what changed, the report or the
problems) goes to `on_build`; the served site keeps its own manifest
(`runtime/manifest.kept_as`), so serving never leaves the writer's `_site` looking
up to date when it is not.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..build import BuildReport, build
from ..errors import Problem, ProjectError
from ..runtime.manifest import Manifest, kept_as

MANIFEST = "serve-manifest.json"
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
        self._stopping = False
        self.builds = 0  # builds finished, good or not
        self.building = False

    def changed(self, paths: set[str]) -> None:
        with self._wake:
            self._pending |= paths
            self._wake.notify()

    def stop(self) -> None:
        """End after the build in progress, if any (it is never cut short)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()

    def run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._stopping or self._pending)
                if self._stopping:
                    return
                paths, self._pending = self._pending, set()
                self.building = True
            try:
                outcome = self._build(sorted(paths))
            finally:
                self.building = False
            self.builds = outcome.number
            self._on_build(outcome)

    def _build(self, changed: list[str]) -> Outcome:
        number = self.builds + 1
        started = time.perf_counter()
        report, problems = None, []
        with kept_as(MANIFEST):
            try:
                report = build(self.root, out=self.out, jobs=self.jobs, waiting=self._waiting)
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
            site = Manifest.read(self.root).site if (self.out / "index.html").is_file() else ""
        return Outcome(number=number, changed=changed, report=report, problems=problems,
                       site=site, seconds=round(time.perf_counter() - started, 3))
