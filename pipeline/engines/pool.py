"""A pool of servers for one remote engine, kept busy and kept honest.

A graphic novel drawn on GPUs is spread over several boxes. An engine's settings
may list `servers:`, each with its own `max_in_flight`; a panel goes to the server
with the most free slots, so the pool draws as many panels at once as all its
servers together. A server that fails (no connection, a time-out, a 5xx or 429) is
set aside with a back-off that doubles, and gets a health check before it is given
work again; the panel it failed goes to another server. A refusal of the request
itself (a 4xx, a validation error) would be refused anywhere, so it is not tried
elsewhere. The build fails only when every server has failed `attempts` times in a
row, with one error naming each server and its last words.

The state lives here, once per process and per pool, because the art stage loads
the engine afresh for every panel and draws panels in threads. Every engine sends
the same request whichever server draws, so the art does not depend on the server
as far as the servers themselves agree (docs/engines.md states the limits).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from . import Engine
from .errors import EngineError
from .http import RETRY_STATUS, Remote, RemoteSettings, without_credentials

R = TypeVar("R")
CHECK_TIMEOUT = 10.0  # seconds a health check may take at most


class RemoteEngine(Engine):
    """Base of an engine that draws on remote servers: its capacity is the pool's,
    and `on_pool` runs a panel on whichever server is free."""

    # a cheap GET that any healthy server answers (the engine's own status route)
    health_path: ClassVar[str] = "/"

    @property
    def max_in_flight(self) -> int | None:
        return self.settings.capacity

    def auth(self, settings: RemoteSettings) -> tuple[dict[str, str], bool]:
        """Headers for one server, and whether `Remote` adds the key as a Bearer token."""
        return {}, True

    def remote(self, settings: RemoteSettings) -> Remote:
        headers, bearer = self.auth(settings)
        return Remote(settings, headers, bearer=bearer)

    def on_pool(self, work: Callable[[RemoteSettings], R]) -> R:
        """`work(server settings)` on a free server of the pool, moved to another
        server when its own fails."""
        members = self.settings.members()
        if len(members) == 1:  # a pool of one: the server's own retries, as ever
            return work(members[0])
        return pool_for(self).run(work)


def server_failed(exc: EngineError) -> bool:
    """The server, not the request, is at fault: another server may draw the panel."""
    if exc.error in ("timeout", "connection"):
        return True
    # a 5xx that says the input is invalid is raised at once, without `attempts`
    return exc.status_code in RETRY_STATUS and bool(exc.attempts)


@dataclass
class Server:
    settings: RemoteSettings
    shown: str
    capacity: int
    busy: int = 0
    strikes: int = 0  # failures in a row (the first, then failed health checks)
    resting_until: float = 0.0
    checking: bool = False
    last_error: str = ""
    drawn: int = 0


@dataclass
class Health:
    """One health check: could the server draw, how fast it answered, what it said."""

    server: str
    capacity: int
    ok: bool
    latency: float
    note: str


def check(engine: RemoteEngine, settings: RemoteSettings) -> Health:
    """GET the engine's health route on one server: any answer but a 5xx, 401 or
    403 means it can draw (a 404 is a server without that route, still up)."""
    quick = settings.model_copy(update={"attempts": 1,
                                        "timeout": min(settings.timeout, CHECK_TIMEOUT)})
    shown = without_credentials(settings.base_url.rstrip("/"))
    start = time.monotonic()
    try:
        with engine.remote(quick) as remote:
            remote.request("GET", engine.health_path)
        ok, note = True, "answers"
    except EngineError as exc:
        ok = exc.status_code is not None and exc.status_code < 500 \
            and exc.status_code not in (401, 403)
        note = "answers" if ok else exc.describe()
    return Health(shown, settings.max_in_flight, ok, time.monotonic() - start, note)


class PoolDown(EngineError):
    """No server of the pool can draw."""


class Pool:
    """The servers of one engine's pool and their state, shared by every thread."""

    def __init__(self, engine: RemoteEngine):
        self.engine = engine
        s = engine.settings
        self.backoff, self.max_wait = max(s.backoff, 0.01), max(s.max_wait, 0.01)
        self.give_up_after = s.attempts
        self.servers = [Server(m.model_copy(update={"attempts": 1}),
                               without_credentials(m.base_url.rstrip("/")), m.max_in_flight)
                        for m in s.members()]
        self.changed = threading.Condition()

    def run(self, work: Callable[[RemoteSettings], R]) -> R:
        while True:
            server = self._take()
            try:
                result = work(server.settings)
            except EngineError as exc:
                self._give_back(server, None if not server_failed(exc) else exc)
                if not server_failed(exc):
                    raise
                continue  # another server draws it
            except BaseException:
                self._give_back(server, None)
                raise
            self._give_back(server, None, drawn=True)
            return result

    def _take(self) -> Server:
        """A healthy server with a free slot, waiting for one; a server whose rest is
        over is health-checked first. PoolDown when every server has given up."""
        with self.changed:
            while True:
                now = time.monotonic()
                due = [s for s in self.servers
                       if s.strikes and not s.checking and s.resting_until <= now]
                if due:  # its rest is over: checked before it may take work again
                    self._check(due[0])
                    continue
                free = [s for s in self.servers if not s.strikes and s.busy < s.capacity]
                if free:
                    server = min(free, key=lambda s: s.busy / s.capacity)
                    server.busy += 1
                    return server
                if all(s.strikes >= self.give_up_after and not s.checking
                       for s in self.servers):
                    raise self.down()
                resting = [s.resting_until - now for s in self.servers
                           if s.strikes and not s.checking]
                self.changed.wait(min(resting) if resting else None)

    def _check(self, server: Server) -> None:
        """Health-check `server` outside the lock (called with it held)."""
        server.checking = True
        self.changed.release()
        try:
            health = check(self.engine, server.settings)
        finally:
            self.changed.acquire()
            server.checking = False
        if health.ok:
            server.strikes = 0
        else:
            self._strike(server, health.note)
        self.changed.notify_all()

    def _strike(self, server: Server, error: str) -> None:
        server.strikes += 1
        server.last_error = error
        rest = min(self.backoff * 2 ** (server.strikes - 1), self.max_wait)
        server.resting_until = time.monotonic() + rest

    def _give_back(self, server: Server, failure: EngineError | None,
                   drawn: bool = False) -> None:
        with self.changed:
            server.busy -= 1
            server.drawn += drawn
            if failure is not None:
                if server.strikes:  # already set aside by another panel's failure
                    server.last_error = failure.describe()
                else:
                    self._strike(server, failure.describe())
            self.changed.notify_all()

    def down(self) -> PoolDown:
        lines = "; ".join(f"{s.shown} ({s.last_error or 'no answer'})" for s in self.servers)
        return PoolDown(f"no server of the pool can draw, each failed {self.give_up_after} "
                        f"times in a row: {lines}", None, "pool down")

    def report(self) -> list[tuple[str, int, int, str]]:
        """Server, capacity, panels drawn, last error: what a benchmark shows."""
        with self.changed:
            return [(s.shown, s.capacity, s.drawn, s.last_error) for s in self.servers]


_pools: dict[tuple, Pool] = {}
_pools_lock = threading.Lock()


def pool_for(engine: RemoteEngine) -> Pool:
    """The process's one pool for this engine's servers and settings."""
    key = (engine.name, engine.settings.model_dump_json(),
           tuple((m.base_url, m.max_in_flight, m.api_key_env)
                 for m in engine.settings.members()))
    with _pools_lock:
        if key not in _pools:
            _pools[key] = Pool(engine)
        return _pools[key]


def forget_pools() -> None:
    """Start every pool afresh (tests, and a studio that reloads its settings)."""
    with _pools_lock:
        _pools.clear()
