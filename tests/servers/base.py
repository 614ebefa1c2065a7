"""The loopback server the protocol fakes share: routing, recording, injected faults,
concurrency counting, and a lifetime after which it shuts itself down."""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

Reply = tuple[int, Any, dict]  # status, body (bytes, str or JSON), headers


def png(colour=(200, 80, 60), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def colour_of(seed: int) -> tuple[int, int, int]:
    return (seed % 251, (seed // 251) % 251, (seed // 63001) % 251)


class Request:
    def __init__(self, method: str, target: str, headers: dict, body: bytes):
        parts = urlsplit(target)
        self.method, self.path, self.headers, self.body = method, parts.path, headers, body
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list]:
        """multipart/form-data: name -> [str, or (filename, bytes)]."""
        raw = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + self.body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        fields: dict[str, list] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True)
            filename = part.get_filename()
            fields.setdefault(name, []).append((filename, data) if filename else data.decode())
        return fields


class LoopbackServer:
    """Subclasses add routes with `self.route(method, pattern, handler)`."""

    def __init__(self, lifetime: float = 60.0, delay: float = 0.0):
        self.delay = delay  # every reply takes this long (to see requests in flight)
        self.requests: list[Request] = []
        self.faults: list[tuple[str, object]] = []  # (path regex, fault), used once each
        self.routes: list[tuple[str, re.Pattern, Callable[[Request], Reply]]] = []
        self.lock = threading.Lock()
        self.active = self.peak = 0
        self.stopped = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self):
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, dict(self.headers),
                                  self.rfile.read(length) if length else b"")
                with server.lock:
                    server.requests.append(request)
                    server.active += 1
                    server.peak = max(server.peak, server.active)
                try:
                    reply = server.dispatch(request)
                finally:
                    with server.lock:
                        server.active -= 1
                if reply is None:  # a dropped connection
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply[0] == "stream":  # a drip or a huge body, written as it goes
                    self.close_connection = True
                    server.stream(self.wfile, *reply[1:])
                    return
                status, body, headers = reply
                data = body if isinstance(body, bytes) else body.encode() \
                    if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                headers = {"Content-Type": "application/json"} | headers
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.timer = threading.Timer(lifetime, self.stop)  # stops by itself
        self.timer.daemon = True
        self.timer.start()

    def route(self, method: str, pattern: str, handler: Callable[[Request], Reply]) -> None:
        self.routes.append((method, re.compile(pattern + "$"), handler))

    def fault(self, pattern: str, *faults: object) -> None:
        """Faults for the next requests whose path matches: "drop", "malformed",
        ("slow", seconds), ("status", code, body, headers), ("drip", seconds, "headers"
        or "body") - a reply written one byte every `seconds` - and ("big", bytes,
        chunked) - a 200 of that many bytes, with or without a Content-Length."""
        with self.lock:
            self.faults += [(pattern, f) for f in faults]

    def dispatch(self, request: Request) -> Reply | None:
        with self.lock:
            fault = next((f for f in self.faults if re.fullmatch(f[0], request.path)), None)
            if fault is not None:
                self.faults.remove(fault)
        if self.delay:
            time.sleep(self.delay)
        if fault is not None:
            kind = fault[1]
            if kind == "drop":
                return None
            if kind == "malformed":
                return 200, b'{"images": [', {}
            if kind[0] in ("drip", "big"):
                return ("stream", *kind)  # type: ignore[return-value]
            if kind[0] == "slow":
                time.sleep(kind[1])
            elif kind[0] == "status":
                return kind[1], kind[2], (kind[3] if len(kind) > 3 else {})
        for method, pattern, handler in self.routes:
            if method == request.method and pattern.fullmatch(request.path):
                return handler(request)
        return 404, {"detail": "Not Found"}, {}

    def stream(self, out, kind: str, amount, mode) -> None:
        """Write a dripping or an oversized reply until done, the client leaves, or the
        server stops (so a test that leaves early does not keep a thread busy)."""
        try:
            if kind == "big":
                size = int(amount)
                head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + (
                    "Transfer-Encoding: chunked\r\n\r\n" if mode else
                    f"Content-Length: {size}\r\n\r\n")
                out.write(head.encode())
                block = b"0" * 65536
                while size > 0 and not self.stopped.is_set():
                    piece = block[:min(size, len(block))]
                    out.write(b"%x\r\n%s\r\n" % (len(piece), piece) if mode else piece)
                    size -= len(piece)
                out.write(b"0\r\n\r\n" if mode else b"")
                return
            body = b'{"images": ["' + b"A" * 400 + b'"]}'
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            if mode != "headers":
                out.write(head)
                out.flush()
                head = b""
            for byte in head + body:
                if self.stopped.wait(float(amount)):
                    return
                out.write(bytes([byte]))
                out.flush()
        except OSError:  # the client gave up, as it should
            pass

    def calls(self, path: str, method: str = "POST") -> list[Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path, r.path)]

    def stop(self) -> None:
        self.stopped.set()
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
