"""Run independent jobs on every core; results come back in the order of the inputs,
so the output of a build is the same whatever the number of workers. Panels drawn by
a remote service run in threads instead, as many at once as its engine allows
(`run_in_flight`), so that one failure keeps every panel already drawn."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor,
                                wait)
from functools import partial
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
        common: Any = _NOTHING, workers: Workers | None = None) -> Iterator[R]:
    """Yield fn(item) for each item, in order; in `jobs` processes when jobs > 1
    (threads instead when the work is waiting on a remote service).

    `fn` must be a module-level function and items picklable. `common` is what every
    job needs alike (the lettering fonts, megabytes for a CJK face): when given, each
    job is called `fn(item, common)`, and `common` reaches each worker process once,
    not once per item. Nothing of a batch is kept after it. Results are yielded as
    soon as they are ready in order, so the caller can store each one at once: a
    build that fails or is killed keeps everything finished before it.

    Given `workers` (a Ray cluster, say), every job is submitted to them instead and
    `jobs` is not used; results still come in order.
    """
    items = list(items)
    if workers is not None and items:
        yield from _through(workers, fn, items, common)
        return
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


def _through(workers: Workers, fn: Callable[..., R], items: list[T], common: Any
             ) -> Iterator[R]:
    """Every item submitted at once (the workers queue them), results yielded in order;
    what has not started when the caller stops (or a job fails) is cancelled."""
    plain = common is _NOTHING
    futures = [workers.submit(_alone if plain else fn, item, fn if plain else common)
               for item in items]
    try:
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()


def _alone(item: Any, fn: Callable[[Any], R]) -> R:
    """A job that takes its item alone, called as `Workers` call every job."""
    return fn(item)


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

    def submit(self, fn: Callable[[Any, Any], R], item: Any, common: Any = None) -> Future[R]: ...

    def close(self) -> None: ...
