"""Servers on 127.0.0.1 that speak the engines' protocols, scripted per test.

Each route answers from a queue of replies (the last one repeats): a reply is
(status, body, headers), or "drop" to close the connection without answering, or
("slow", seconds, reply). Every request is recorded for the test to inspect.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def png(colour=(200, 80, 60), size=(256, 192)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def b64png(colour=(200, 80, 60)) -> str:
    return base64.b64encode(png(colour)).decode()


class FakeService:
    def __init__(self):
        self.routes: dict[str, list] = {}
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                service.requests.append({"method": self.command, "path": self.path,
                                         "headers": dict(self.headers), "body": body})
                queue = service.routes.get(f"{self.command} {path}") or \
                    service.routes.get(f"{self.command} *")
                if not queue:
                    self.send_response(404)
                    self.end_headers()
                    return
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                if callable(reply):
                    reply = reply(body)
                if reply == "drop":
                    self.connection.close()
                    return
                if isinstance(reply, tuple) and reply[0] == "slow":
                    time.sleep(reply[1])
                    reply = reply[2]
                status, payload, headers = (reply + ({},))[:3] if len(reply) == 2 else reply
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode() \
                    if not isinstance(payload, str) else payload.encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client refused the reply part way, as a size limit does

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, key: str, *replies) -> None:
        self.routes[key] = list(replies)

    def calls(self, key: str) -> list[dict]:
        method, path = key.split(" ", 1)
        return [r for r in self.requests if r["method"] == method
                and r["path"].split("?")[0] == path]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
