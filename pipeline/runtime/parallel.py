"""Run independent jobs on every core; results come back in the order of the inputs,
so the output of a build is the same whatever the number of workers. Panels drawn by
a remote service run in threads instead, as many at once as its engine allows
(`run_in_flight`), so that one failure keeps every panel already drawn."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (FIRST_COMPLETED, Future, ProcessPoolExecutor,
                                ThreadPoolExecutor, wait)
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_shared: Any = None


def shared() -> Any:
    """What the running batch shares with every job (see `run`)."""
    return _shared


def _install(value: Any) -> None:
    global _shared
    _shared = value


def run(fn: Callable[[T], R], items: Iterable[T], jobs: int, threads: bool = False,
        common: Any = None) -> Iterator[R]:
    """Yield fn(item) for each item, in order; in `jobs` processes when jobs > 1
    (threads instead when the work is waiting on a remote service).

    `fn` must be a module-level function and items picklable. `common` is what every
    job needs alike (the lettering fonts, megabytes for a CJK face): it reaches each
    worker once, and `fn` reads it with `shared()`. Results are yielded as soon as
    they are ready in order, so the caller can store each one at once: a build that
    fails or is killed keeps everything finished before it.
    """
    items = list(items)
    workers = max(1, min(jobs, len(items)))
    if workers == 1:
        _install(common)
        for item in items:
            yield fn(item)
        return
    executor = ThreadPoolExecutor if threads else ProcessPoolExecutor
    with executor(max_workers=workers, initializer=_install, initargs=(common,)) as pool:
        # chunks of one: jobs take tens of milliseconds or more, so balance beats batching
        yield from pool.map(fn, items)


def in_flight_limit(engine: object) -> int | None:
    """How many panels an engine may draw at once (its `max_in_flight` setting), or
    None for a local engine that draws on the CPU and belongs in a process pool."""
    limit = getattr(getattr(engine, "settings", None), "max_in_flight", None)
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
