"""Run independent jobs on every core; results come back in the order of the inputs,
so the output of a build is the same whatever the number of workers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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
