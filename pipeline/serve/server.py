"""The live server: the site served over HTTP, rebuilt on save, open tabs told.

Standard library only (ThreadingHTTPServer). Every HTML page served gets one script,
live.js, which listens on a server-sent event stream: after a good build whose site
differs from the page's, the tab reloads and keeps its place; after a broken one it
shows the problems over the last good site. The script exists only in what is served:
the files on disk are the site `build` writes, byte for byte.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Problem, ProjectError
from ..runtime.outdir import check_out
from .builder import START, Builder, Outcome
from .watch import Watcher

PREFIX = "/__panelwright/"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_KEEPALIVE = 15.0  # seconds between comments on an idle event stream (proxies, sleep)
_WAITING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Panelwright serve</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 36rem">
<h1>{title}</h1><p>{text}</p>{home}</body></html>
"""
_HOME = '<p><a href="/">The comic\'s home page</a></p>'



class _State:
    """What the tabs are told: the latest build's number, the site served, and the
    problems when it failed. Handlers wait on it for the next change."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.number = 0
        self.site = ""
        self.problems: list[dict] = []
        self.closed = False

    def publish(self, outcome: Outcome) -> None:
        with self._changed:
            self.number = outcome.number
            self.site = outcome.site
            self.problems = [] if outcome.ok else [
                {"location": p.location(), "message": p.message, "hint": p.hint or "",
                 "severity": p.severity} for p in outcome.problems]
            self._changed.notify_all()

    def message(self) -> str:
        return json.dumps({"build": self.number, "site": self.site,
                           "problems": self.problems}, ensure_ascii=False)

    def next(self, seen: int) -> str | None:
        """The state once its build is not `seen` (None on timeout or close)."""
        with self._changed:
            if self._changed.wait_for(lambda: self.closed or self.number != seen,
                                      _KEEPALIVE) and not self.closed:
                return self.message()
            return None

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class _Http(ThreadingHTTPServer):
    """Joins its handler threads on close, and can cut every open connection (idle
    keep-alives, event streams) so that closing is quick."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: Callable, state: _State,
                 site: Path):
        self.state, self.site = state, site
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._open_lock:
            for request in self._open:
                try:
                    request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(SimpleHTTPRequestHandler):
    server: _Http
    timeout = 30  # an idle connection (a browser's preconnect) does not hold a thread

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base's name
        pass  # the terminal shows builds, not requests

    def end_headers(self) -> None:
        # a reload must fetch what the build changed, never the browser's copy
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == PREFIX + "live.js":
            self._send(200, "text/javascript; charset=utf-8",
                       resources.files(__package__).joinpath("live.js").read_bytes())
        elif path == PREFIX + "events":
            self._events()
        else:
            self._page(path)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _page(self, path: str) -> None:
        """An HTML page with live.js in it, the waiting page while there is no site,
        or any other file as it is."""
        state = self.server.state
        site = state.site  # read before the file: a page newer than this only reloads once
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not path.endswith("/"):
                super().do_GET()  # the redirect to the folder's address
                return
            target = target / "index.html"
        if target.suffix != ".html":
            super().do_GET()
            return
        try:
            page = target.read_bytes()
            status = 200
        except OSError:
            # a page deleted by a save, or not built yet: the script stays, so the tab
            # reloads by itself once a build brings the page (back)
            if (self.server.site / "index.html").is_file():
                title, text = ("No such page in the site", "A save may have removed it: "
                               "this page reloads by itself when a build brings it back.")
                status = 404
            elif state.problems:
                title, text = ("The site has problems", "Fix them and save: this page "
                               "reloads by itself.")
                status = 503
            else:
                title, text = ("Building the site…", "This page opens the comic when the "
                               "first build is done.")
                status = 503
            page = _WAITING_PAGE.format(title=html.escape(title), text=html.escape(text),
                                        home="" if status == 503 else _HOME).encode()
        tag = (f'<script src="{PREFIX}live.js" data-site="{html.escape(site)}">'
               "</script>").encode()
        ends = list(_BODY_END.finditer(page))
        at = ends[-1].start() if ends else len(page)
        self._send(status, "text/html; charset=utf-8", page[:at] + tag + page[at:])

    def _events(self) -> None:
        """The event stream: the state now, then at every build until the server stops."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        seen = state.number
        chunk = f"retry: 500\ndata: {state.message()}\n\n"
        try:
            while not state.closed:
                self.wfile.write(chunk.encode())
                self.wfile.flush()
                message = state.next(seen)
                if message is None:
                    chunk = ": still here\n\n"
                else:
                    seen = json.loads(message)["build"]
                    chunk = f"data: {message}\n\n"
        except OSError:  # the tab closed, or the server is cutting connections
            pass
        self.close_connection = True


class LiveServer:
    """`panelwright serve` as an object: `start()`, then `stop()` (or `with`).

    The site is written to `out`, by default a temporary folder that `stop()` removes;
    `on_build` hears of every build. Displays in a notebook as a link and the site.
    """

    def __init__(self, root: str | Path, out: str | Path | None = None,
                 host: str = "127.0.0.1", port: int = 8000, jobs: int | None = None,
                 on_build: Callable[[Outcome], None] | None = None,
                 waiting: Callable[[], None] | None = None):
        self.root = Path(os.path.realpath(root))
        if not (self.root / "panelwright.yaml").is_file():
            raise ProjectError([Problem(file=str(root), message="there is no Panelwright "
                                        "project here (no panelwright.yaml)",
                                        hint="give the folder that holds panelwright.yaml, "
                                        "or start one with `panelwright new`")])
        self._temporary = out is None
        self.out = (Path(tempfile.mkdtemp(prefix="panelwright-serve-")) if out is None
                    else check_out(self.root, out))
        self.host, self._port, self.jobs = host, port, jobs
        self._on_build = on_build
        self._waiting = waiting
        self.state = _State()
        self.outcomes: list[Outcome] = []
        self._first = threading.Event()
        self._http: _Http | None = None
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self._http.server_address[1] if self._http else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def busy(self) -> bool:
        """True while a build is running."""
        return bool(self._threads) and self._builder.building

    @property
    def builds(self) -> int:
        """How many builds have finished (the first one included)."""
        return len(self.outcomes)

    def start(self) -> LiveServer:
        try:
            self._http = _Http((self.host, self._port), partial(_Handler, directory=str(
                self.out)), self.state, self.out)
        except OSError as exc:
            self._remove_out()
            raise ProjectError([Problem(file=f"{self.host}:{self._port}", field="--port",
                                        message=f"cannot listen there: {exc.strerror or exc}",
                                        hint="another server may be using the port: choose "
                                        "another with --port (0 picks a free one)")]) from None
        builder = Builder(self.root, self.out, self._built, self.jobs, self._waiting)
        watcher = Watcher(self.root, self.out, builder.changed)
        builder.quiet_after = watcher.quiet_after
        http = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.2},
                                name="panelwright-http", daemon=True)
        self._threads = [watcher, builder, http]
        self._builder = builder
        for thread in self._threads:
            thread.start()
        watcher.ready.wait(5)  # a save made from now on is seen
        builder.changed({START})
        return self

    def _built(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.state.publish(outcome)
        if self._on_build:
            self._on_build(outcome)
        self._first.set()

    def wait_first_build(self, timeout: float | None = None) -> Outcome | None:
        """The first build's outcome, once it is done (None on timeout)."""
        self._first.wait(timeout)
        return self.outcomes[0] if self.outcomes else None

    def wait_idle(self, timeout: float = 120) -> int:
        """Wait until every save made before this call has been built and its outcome
        told, no build runs, and the smaller copies of the pictures it showed whole
        are made; returns how many builds have finished. For scripts and notebooks
        that save files and then read the served site."""
        if not self._threads:  # not started, or stopped: nothing will change
            return self.builds
        watcher, builder, _ = self._threads
        deadline = time.monotonic() + timeout
        if not (watcher.quiet_after(time.monotonic(), timeout)
                and builder.wait_idle(max(0.0, deadline - time.monotonic()))):
            raise TimeoutError(f"the server was still busy after {timeout} s")
        return self.builds

    def open_browser(self) -> None:
        webbrowser.open(self.url)

    def stop(self) -> None:
        """Stop watching, let a build in progress finish, close every connection, free
        the port, and remove the temporary site."""
        watcher, builder, http = self._threads or (None, None, None)
        if watcher:
            watcher.stop()
            builder.stop()
        self.state.close()
        if self._http:
            self._http.shutdown()
            self._http.cut_connections()
            self._http.server_close()  # joins the handler threads
        for thread in self._threads:
            thread.join()
        self._threads = []
        self._remove_out()

    def _remove_out(self) -> None:
        if self._temporary:
            shutil.rmtree(self.out, ignore_errors=True)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LiveServer {self.root.name} at {self.url}>"

    def _repr_html_(self) -> str:
        url = html.escape(self.url)
        return (f'<p>Serving <b>{html.escape(self.root.name)}</b> at <a href="{url}" '
                f'target="_blank">{url}</a> (<code>.stop()</code> to end).</p>'
                f'<iframe src="{url}" width="100%" height="600" style="border: 1px solid '
                '#ccc"></iframe>')


def not_loopback(host: str) -> bool:
    return host not in LOOPBACK


__all__ = ["LiveServer", "Outcome", "not_loopback"]
