"""Stages that overlap (issue #21): a panel is lettered as soon as its art exists and a page
baked as soon as its panels are lettered, while other panels are still being drawn; a
failure keeps what was finished; the output does not depend on the order work finishes
in. Observed through the order of the progress calls, not through timing."""

from __future__ import annotations

import hashlib
import random
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from servers.gpu import GPUServer
from test_engine_faults import configure
from test_engine_flight import more_panels

from pipeline.build import build
from pipeline.engines.pool import forget_pools
from pipeline.errors import ProjectError
from pipeline.runtime.parallel import LocalWorkers
from pipeline.site import images

QUICK = {"backoff": 0.02, "attempts": 2, "timeout": 5.0, "use_references": False}


@pytest.fixture(autouse=True)
def fresh_pools():
    forget_pools()
    yield
    forget_pools()


def site(root: Path) -> dict[str, str]:
    """Every file of the built site, by its digest."""
    out = root / "_site"
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_first_page_is_baked_before_the_last_panel_is_drawn(copy_project):
    root = copy_project("valid")
    more_panels(root, 8)
    events: list[tuple[str, int, int]] = []
    with GPUServer(slots=1, seconds=0.05) as server:  # one panel at a time, in order
        configure(root, "automatic1111", {"base_url": server.url, "max_in_flight": 1, **QUICK})
        report = build(root, jobs=1, progress=lambda *event: events.append(event))
    assert report.panels_drawn == 10 and report.pages > 1
    last_drawn = events.index(("drawing", 10, 10))
    first_page = next(i for i, e in enumerate(events) if e[:2] == ("pages", 1))
    assert first_page < last_drawn, events
    # the first page's panels were lettered before it was baked, while drawing went on
    assert [e for e in events[:first_page] if e[0] == "lettering"]
    assert events[-1][1] == events[-1][2]  # and every stage reached its total
    assert {e[0] for e in events} == {"drawing", "lettering", "pages", "pictures"}


def test_a_panels_copies_are_made_before_the_last_panel_is_drawn(copy_project, monkeypatch):
    """The site's smaller copies of the art and pages (issue #19) are made beside the
    drawing, as each picture exists, not all at the end: the site render finds them."""
    root = copy_project("valid")
    more_panels(root, 8)
    events: list[tuple[str, int, int]] = []
    at_render: list = []  # what the site render still had to encode
    real_run = images.run

    def run(fn, items, *args, **kwargs):
        items = list(items)
        at_render.extend(source for source, *_ in items)
        return real_run(fn, items, *args, **kwargs)
    monkeypatch.setattr(images, "run", run)
    with GPUServer(slots=1, seconds=0.05) as server:
        configure(root, "automatic1111", {"base_url": server.url, "max_in_flight": 1, **QUICK})
        build(root, jobs=1, progress=lambda *event: events.append(event))
    last_drawn = events.index(("drawing", 10, 10))
    first_copies = next(i for i, e in enumerate(events) if e[0] == "pictures")
    assert first_copies < last_drawn, events
    copied = max(done for stage, done, _ in events if stage == "pictures")
    assert copied >= 10 + 2, events  # every panel's art, and the pages
    # the render encoded none of the art nor the pages again (only the cast's pictures,
    # which the build does not make)
    assert not [s for s in at_render if not isinstance(s, bytes)], at_render
    assert list((root / "_site/art").glob("*.webp"))


def test_a_failure_mid_build_keeps_the_finished_pages_lettering(copy_project):
    root = copy_project("valid")
    more_panels(root, 8)
    events: list[tuple[str, int, int]] = []
    with GPUServer(slots=1, seconds=0.05) as server:
        configure(root, "automatic1111", {"base_url": server.url, "max_in_flight": 1, **QUICK})

        def progress(stage: str, done: int, total: int) -> None:
            events.append((stage, done, total))
            if stage == "pages":
                server.refusing = True  # the server dies once the first page is baked

        with pytest.raises(ProjectError) as caught:
            build(root, jobs=1, progress=progress)
        assert "build again to resume" in str(caught.value)
        lettered = max(done for stage, done, _ in events if stage == "lettering")
        drawn = max(done for stage, done, _ in events if stage == "drawing")
        assert 0 < lettered <= drawn < 10
        server.refusing = False
        again = build(root, jobs=1)
    # the panels lettered before the failure were not lettered again, nor redrawn
    assert again.panels_drawn == 10 - drawn
    assert again.panels_lettered == 10 - lettered


class ShuffledWorkers:
    """Workers that finish their jobs in a random order, one at a time, in a thread of
    their own: a build must not depend on which job finished first."""

    def __init__(self, seed: int, slots: int = 3):
        self.slots, self.random = slots, random.Random(seed)
        self.shares_files = True
        self.pending: list[tuple] = []
        self.lock, self.closed = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._finish, daemon=True)
        self.thread.start()

    def submit(self, fn, item, common=None) -> Future:
        future: Future = Future()
        with self.lock:
            self.pending.append((fn, item, common, future))
        return future

    def _finish(self) -> None:
        while not self.closed.wait(0.002):
            with self.lock:
                if not self.pending:
                    continue
                fn, item, common, future = self.pending.pop(
                    self.random.randrange(len(self.pending)))
            try:
                future.set_result(fn(item, common))
            except Exception as exc:  # noqa: BLE001 - the build reads it from the future
                future.set_exception(exc)

    def close(self) -> None:
        self.closed.set()
        self.thread.join()


def test_the_output_is_the_same_whatever_the_jobs_and_the_order_work_finishes_in(
        copy_project, tmp_path):
    root = copy_project("valid")
    more_panels(root, 2)  # procedural art: every job runs through the workers
    copies = [tmp_path / name for name in ("two", "shuffled")]
    for copy in copies:
        shutil.copytree(root, copy)
    build(root, jobs=1)
    build(copies[0], jobs=2)
    shuffled = ShuffledWorkers(seed=21)
    try:
        build(copies[1], workers=shuffled)
    finally:
        shuffled.close()
    assert site(root) == site(copies[0]) == site(copies[1])
    assert any(name.startswith("art/") for name in site(root))


def test_local_workers_send_a_common_object_once_and_give_results_by_job():
    with LocalWorkers(2) as workers:
        common = {"font": b"x" * 1_000_000}
        futures = [workers.submit(_size_plus, n, common) for n in range(6)]
        assert [f.result() for f in futures] == [1_000_000 + n for n in range(6)]
        assert len(list(workers._folder.iterdir())) == 1  # pickled once for every job
    with LocalWorkers(1) as inline:  # one job: at once, in this process
        assert inline.submit(_size_plus, 1, {"font": b""}).done()
        with pytest.raises(ZeroDivisionError):
            inline.submit(_divide, 0).result()


def _size_plus(n: int, common: dict) -> int:
    return len(common["font"]) + n


def _divide(n: int, common: None) -> float:
    return 1 / n


CHILD = """
import os, sys, time
from pipeline.runtime.parallel import LocalWorkers
from pipeline.site import images

def pid(item, common):
    return os.getpid()

def nap(item, common):
    time.sleep(item)

workers = LocalWorkers(2)
print(workers.submit(pid, 0).result(), flush=True)
workers.submit(nap, 60)
workers.submit(nap, 60)
time.sleep(60)
"""


def test_a_killed_build_leaves_no_worker_behind():
    """A worker outliving its build would hold the project's lock (inherited) and make
    the next build wait forever."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    worker = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the worker outlived its build")
