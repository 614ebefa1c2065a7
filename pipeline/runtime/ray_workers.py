"""A build's CPU jobs on a Ray cluster (`executor: ray`), so local engines draw on many
machines: the `Workers` of runtime/parallel.py that Ray runs.

The only module that imports Ray, and only when a build asks for it: Ray is an extra
(`pip install 'panelwright[ray]'`). What travels: each job's item and, once per
distinct object, its `common` (ray.put, then a reference); the results come back as
bytes and plain data, so the cache and the site stay on the machine that runs the
build. When some workers run on other machines, the build's own `pipeline` code and
the project's files go with the jobs in Ray's runtime environment (py_modules,
working_dir), so every node runs the same code on the same files. A worker that dies
(a lost node, a killed process) has its jobs run again elsewhere; an error of the
job itself (an engine that cannot draw) is not retried and is raised as it would be
on this machine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import Problem, ProjectError

INSTALL = "pip install 'panelwright[ray]'"
RETRIES = 3  # runs of a job whose worker died, after the first
# Never shipped to a cluster: the cache, the built site, the history, virtualenvs.
EXCLUDES = [".panelwright", "_site", "_export", ".git", ".venv", "__pycache__", "*.pyc"]

# In a worker process only: `common` values by their object reference, fetched once
# per worker rather than once per job (a few, since a build has one per stage).
_commons: dict[str, Any] = {}
_KEEP = 4


@contextmanager
def chosen(executor: str, root: str | Path, jobs: int | None,
           where: tuple[str, int | None]) -> Iterator[OnDemand | None]:
    """The workers `executor` names for one build (None: this machine's processes),
    closed when it ends; `where` is the file and line that named it. A missing Ray is
    reported at once; the cluster is reached only when a job needs it, so a rebuild
    that finds everything in the cache starts none."""
    if executor == "local":
        yield None
        return
    address = None if executor == "ray" else executor
    _ray_or_problem(executor, where)
    workers = OnDemand(lambda: RayWorkers(address, root, num_cpus=jobs, where=where))
    try:
        yield workers
    finally:
        workers.close()


class OnDemand:
    """`Workers` made by `make` on the first job (connecting to Ray takes seconds)."""

    def __init__(self, make: Callable[[], RayWorkers]):
        self._make = make
        self._made: RayWorkers | None = None

    def _workers(self) -> RayWorkers:
        if self._made is None:
            self._made = self._make()
        return self._made

    @property
    def slots(self) -> int:
        return self._workers().slots

    @property
    def shares_files(self) -> bool:
        return self._workers().shares_files

    def submit(self, fn: Callable[[Any, Any], Any], item: Any, common: Any = None
               ) -> Future:
        return self._workers().submit(fn, item, common)

    def close(self) -> None:
        if self._made is not None:
            self._made.close()


def _ray_or_problem(executor: str, where: tuple[str, int | None]) -> Any:
    try:
        return _ray()
    except ImportError:
        file, line = where
        raise ProjectError([Problem(
            file=file, line=line, field="executor" if file.endswith(".yaml") else None,
            message=f"executor: {executor} needs Ray, which is not installed",
            hint=f"install it with {INSTALL} (or build on this machine alone: "
                 "executor: local, or panelwright build --executor local)")]) from None


def _ray() -> Any:
    import ray  # the extra: imported here only, when a build asks for Ray
    return ray


class RayWorkers:
    """Jobs run as Ray tasks of one cluster, `slots` (its CPUs) at once.

    `address` None starts a cluster on this machine for the build (`num_cpus` of its
    cores, every one by default) and stops it on `close`; `ray://HOST:PORT` joins an
    existing one through its client port. A process already connected to Ray (a
    notebook, a test) is used as it is. `root` is the project: its files and this
    build's `pipeline` code are shipped with the jobs when `ship` (by default: to a
    cluster reached at a ray:// address, whose nodes may be other machines; a new
    connection only, as Ray sends them when it connects). `where` is the file and line
    that asked for Ray, named by the problems it reports. On a connection made before,
    `ship=True` says it was made with `runtime_env(root)`.
    """

    def __init__(self, address: str | None = None, root: str | Path | None = None,
                 num_cpus: int | None = None, ship: bool | None = None,
                 where: tuple[str, int | None] = ("panelwright.yaml", None)):
        self.where = where
        self.address = address or "ray"
        ray = self._ray = _ray_or_problem(self.address, where)
        self._owned = not ray.is_initialized()
        # Ray sends a runtime environment's folders only with a new connection
        if ship is None:
            ship = address is not None and address.startswith("ray://")
        env = runtime_env(root) if ship and root else None
        self._home = str(Path(root).resolve()) if env else None
        self.shares_files = env is None  # a cluster on this machine reads its cache
        if self._owned:
            self._connect(address, num_cpus, env)
        self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        # retried only when the worker or its node is lost, never on the job's own error
        self._task = ray.remote(_run).options(max_retries=RETRIES, retry_exceptions=False)
        self._shared: dict[int, tuple[Any, Any]] = {}  # id(common) -> (common, its ref)

    def _connect(self, address: str | None, num_cpus: int | None, env: dict | None) -> None:
        ray = self._ray
        quiet = dict(log_to_driver=False, logging_level=logging.WARNING, runtime_env=env)
        try:
            if address is None:
                ray.init(address="local", num_cpus=num_cpus, include_dashboard=False,
                         **quiet)
            else:
                ray.init(address=address, **quiet)
        except Exception as exc:  # noqa: BLE001 - every way Ray cannot connect is reported
            ray.shutdown()
            said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if address is None:
                raise ProjectError([self._problem(
                    f"Ray could not start a cluster on this machine: {said}",
                    "Ray needs a few seconds of free CPU, free ports and room in /tmp to "
                    "start; try again when the machine is less busy, or build here with "
                    "--executor local")]) from None
            raise ProjectError([self._problem(
                f"cannot reach the Ray cluster at {address}: {said}",
                "start the cluster first (ray start --head on its head node) and give its "
                "client address, ray://HOST:10001; the cluster and this machine need the same "
                "Ray and Python versions, and its token if it has one (docs/scale.md); or "
                "build here with --executor local")]) from None

    def _problem(self, message: str, hint: str) -> Problem:
        file, line = self.where
        return Problem(file=file, line=line, field="executor" if file.endswith(".yaml") else None,
                       message=message, hint=hint)

    def submit(self, fn: Callable[[Any, Any], Any], item: Any, common: Any = None
               ) -> Future:
        """Run `fn(item, common)` on the cluster; the future holds its result or the
        job's own exception."""
        box = None
        if common is not None:
            if id(common) not in self._shared:  # kept, so the id is not reused meanwhile
                self._shared[id(common)] = (common, self._ray.put(common))
            box = [self._shared[id(common)][1]]  # in a list: Ray passes the reference
        ref = self._task.remote(fn, item, box, self._home)
        return _RayFuture(self, ref)

    def close(self) -> None:
        """Forget what was shared; stop the cluster (or disconnect) if this made it."""
        self._shared.clear()
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()

    def _failure(self, exc: BaseException) -> BaseException:
        """The job's own exception as the job raised it, or a Problem for the cluster."""
        ray = self._ray
        if isinstance(exc, ray.exceptions.RayTaskError):
            cause = getattr(exc, "cause", None)
            return cause if isinstance(cause, BaseException) else exc
        if isinstance(exc, ray.exceptions.RayError):
            return ProjectError([self._problem(
                f"the Ray cluster lost a job {RETRIES + 1} times ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})",
                "check the cluster's nodes (ray status) and their memory; the panels "
                "finished before are kept in the cache, so building again resumes")])
        return exc


class _RayFuture(Future):
    """A job's future: its exception unwrapped from Ray's, and cancel stops the task."""

    def __init__(self, workers: RayWorkers, ref: Any):
        super().__init__()
        self._ref = ref
        self._workers = workers
        ref.future().add_done_callback(self._settle)

    def _settle(self, inner: Future) -> None:
        if self.cancelled():
            return
        try:
            self.set_result(inner.result())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on it
            self.set_exception(self._workers._failure(exc))

    def cancel(self) -> bool:
        if not self.done():
            try:
                self._workers._ray.cancel(self._ref)
            except Exception:  # noqa: BLE001 - finished meanwhile, or the cluster is gone
                pass
        return super().cancel()


def runtime_env(root: str | Path) -> dict:
    """What a worker on another machine needs: this build's `pipeline` package (the same
    code, so the same bytes) and the project's files (its engines' models, workflows)."""
    import pipeline
    return {"py_modules": [str(Path(pipeline.__file__).parent)],
            "working_dir": str(root), "excludes": EXCLUDES}


def _run(fn: Callable[[Any, Any], Any], item: Any, box: list | None,
         home: str | None) -> Any:
    """A job in a worker: its common value fetched once per worker; when the project was
    shipped, a job naming the project's folder on the build's machine (`root`, where an
    engine reads its files) reads the copy this worker runs in."""
    common = None
    if box:
        key = box[0].hex()
        if key not in _commons:
            if len(_commons) >= _KEEP:
                _commons.pop(next(iter(_commons)))
            _commons[key] = _ray().get(box[0])
        common = _commons[key]
    root = getattr(item, "root", None)
    if home and isinstance(root, str) and hasattr(item, "model_copy") \
            and str(Path(root).resolve()) == home:
        item = item.model_copy(update={"root": os.getcwd()})
    return fn(item, common)
