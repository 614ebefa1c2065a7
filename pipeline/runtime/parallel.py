"""Where a build's CPU jobs run (`Workers`: this machine's processes, `LocalWorkers`, or
a Ray cluster), and `run`, which yields a batch's results in the order of its inputs, so
the output of a build is the same whatever the number of workers. Panels drawn by a
remote service run in threads instead, as many at once as its engine allows
(`run_in_flight`), so that one failure keeps every panel already drawn."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor,
                                wait)
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_NOTHING = object()  # `run` was given no `common`: jobs take the item alone

# Inside a worker process only: the job function with the batch's common values bound
# (by the pool's initializer, so they cross to each worker once). The worker ends with
# its pool; the process that runs the build never sets it.
_bound: Callable[[Any], Any] | None = None


def _bind(fn: Callable[..., Any], common: Any) -> None:
    global _bound
    _bound = partial(_with, fn, common)


def _with(fn: Callable[[Any, Any], R], common: Any, item: Any) -> R:
    return fn(item, common)


def _call_bound(item: Any) -> Any:
    assert _bound is not None, "a worker runs jobs only after its pool's initializer"
    return _bound(item)


def run(fn: Callable[..., R], items: Iterable[T], jobs: int, threads: bool = False,
        common: Any = _NOTHING) -> Iterator[R]:
    """Yield fn(item) for each item, in order; in `jobs` processes when jobs > 1
    (threads instead when the work is waiting on a remote service).

    `fn` must be a module-level function and items picklable. `common` is what every
    job needs alike (the lettering fonts, megabytes for a CJK face): when given, each
    job is called `fn(item, common)`, and `common` reaches each worker process once,
    not once per item. Nothing of a batch is kept after it. Results are yielded as
    soon as they are ready in order, so the caller can store each one at once: a
    build that fails or is killed keeps everything finished before it.
    """
    items = list(items)
    job: Callable[[T], R] = fn if common is _NOTHING else partial(_with, fn, common)
    workers = max(1, min(jobs, len(items)))
    if workers == 1:
        for item in items:
            yield job(item)
        return
    if threads:  # threads share memory: nothing to send
        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(job, items)
        return
    if common is _NOTHING:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # chunks of one: jobs take tens of milliseconds or more, so balance beats batching
            yield from pool.map(fn, items)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_bind,
                             initargs=(fn, common)) as pool:
        yield from pool.map(_call_bound, items)


def ticker(progress: Callable[[str, int, int], None] | None, stage: str, total: int
           ) -> Callable[[int], None]:
    """A counter for jobs that report each finished one (`tick(1)`): it calls
    `progress(stage, done, total)` with the running total."""
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(stage, done, total)
    return tick


def in_flight_limit(engine: object) -> int | None:
    """How many panels an engine may draw at once (its `max_in_flight` setting), or
    None for a local engine that draws on the CPU and belongs in a process pool."""
    limit = engine.max_in_flight  # declared by every engine (pipeline.engines.Engine)
    return limit if isinstance(limit, int) and limit >= 1 else None


def run_in_flight(fn: Callable[[T], R], items: list[T], limit: int
                  ) -> Iterator[tuple[int, R]]:
    """Yield `(index, fn(item))` as each finishes, with at most `limit` in flight.

    On the first failure no new item is started; those already in flight finish and
    are yielded (so the caller stores them), then the failure is raised. Closing the
    iterator early cancels what has not started.
    """
    pending = iter(enumerate(items))
    failure: BaseException | None = None
    failed_at = len(items)  # the first failing item in reading order is the one reported
    with ThreadPoolExecutor(max_workers=max(1, limit)) as pool:
        running: dict[Future, int] = {}

        def start() -> None:
            for index, item in pending:
                running[pool.submit(fn, item)] = index
                if len(running) >= limit:
                    return

        start()
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    try:
                        result = future.result()
                    except BaseException as exc:  # noqa: BLE001 - raised once drained
                        if index < failed_at:
                            failure, failed_at = exc, index
                        continue
                    yield index, result
                if failure is None:
                    start()
        finally:
            for future in running:
                future.cancel()
    if failure is not None:
        raise failure


class Workers(Protocol):
    """Where a build's CPU jobs run: this machine's processes (`LocalWorkers`) or a Ray
    cluster (`RayWorkers`, pipeline/runtime/ray_workers.py). A job is a module-level
    function called `fn(item, common)`; `common` is one object shared by many jobs (the
    lettering fonts, megabytes for a CJK face) that an implementation sends to each
    worker once, not once per job. Results must not depend on where a job ran."""

    slots: int  # how many jobs run at once
    # whether jobs see this machine's files (the cache); when not, a job carries the
    # bytes it reads (a page's art, to bake it on another machine)
    shares_files: bool

    def submit(self, fn: Callable[[Any, Any], R], item: Any, common: Any = None) -> Future[R]: ...

    def close(self) -> None: ...


# Inside a worker process only: the `common` objects it has read, by file, the latest last.
_commons: OrderedDict[str, Any] = OrderedDict()
_KEEP_COMMONS = 4  # a build shares two or three at once (lettering, pages, export)


def _shared(path: str | None) -> Any:
    if path is None:
        return None
    if path not in _commons:
        _commons[path] = pickle.loads(Path(path).read_bytes())
        while len(_commons) > _KEEP_COMMONS:
            _commons.popitem(last=False)
    _commons.move_to_end(path)
    return _commons[path]


def _orphaned_ends(parent: int) -> None:
    """In a worker: end when the build that started it is gone (killed, SIGKILL too), as
    it would otherwise wait forever on a pipe that process held."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="panelwright-parent-watch").start()


def _call_shared(fn: Callable[[Any, Any], R], path: str | None, item: Any) -> R:
    return fn(item, _shared(path))


class LocalWorkers:
    """This machine's processes, `jobs` of them, started at the first job; with one job
    each runs at once in this process (no pool, nothing pickled).

    A `common` object is pickled once into a file that each worker reads the first time
    a job needs it, so a CJK face crosses to each process once, whatever the jobs."""

    shares_files = True

    def __init__(self, jobs: int):
        self.slots = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._folder: Path | None = None
        self._files: dict[int, tuple[Any, str]] = {}  # id(common) -> (common, its file)

    def submit(self, fn: Callable[[Any, Any], R], item: Any, common: Any = None) -> Future[R]:
        if self.slots == 1:
            future: Future[R] = Future()
            try:
                future.set_result(fn(item, common))
            except Exception as exc:  # noqa: BLE001 - the caller reads it from the future
                future.set_exception(exc)
            return future
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.slots, initializer=_orphaned_ends,
                                             initargs=(os.getpid(),))
        return self._pool.submit(_call_shared, fn, self._file(common), item)

    def _file(self, common: Any) -> str | None:
        if common is None:
            return None
        known = self._files.get(id(common))
        if known is None or known[0] is not common:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="panelwright-jobs-"))
            path = self._folder / f"{os.getpid()}-{len(self._files)}.pickle"
            path.write_bytes(pickle.dumps(common, protocol=pickle.HIGHEST_PROTOCOL))
            # the object is held, so its id is not reused by another while the file lives
            known = self._files[id(common)] = (common, str(path))
        return known[1]

    def forget(self) -> None:
        """Let go of the `common` objects sent so far and remove their files; the
        processes stay (`serve` keeps them between builds, each with new commons).
        A new folder: a worker's commons are known by file path, never reused."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._files.clear()

    def close(self) -> None:
        """Stop the processes (jobs not started are dropped) and remove the shared files."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._files.clear()

    def __enter__(self) -> LocalWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
