"""A stand-in for a GPU box running AUTOMATIC1111: a fixed number of slots, a fixed
time per image, an optional failure rate, and a `kill` that drops the panels it is
drawing as a crashed server does. The pool's tests and benchmarks/pool.py use it."""

from __future__ import annotations

import json
import random
import threading

from .a1111 import A1111Server
from .base import Request

THUMB = {"width": 64, "height": 48}  # the client fits it to the panel, as for any server


class GPUServer(A1111Server):
    def __init__(self, slots: int = 8, seconds: float = 0.5, failure_rate: float = 0.0,
                 lifetime: float = 600.0, seed: int = 0):
        super().__init__(lifetime)
        self.slots, self.seconds, self.failure_rate = slots, seconds, failure_rate
        self.gpu = threading.Semaphore(slots)  # requests beyond the slots wait in a queue
        self.random = random.Random(seed)
        self.drawn = 0
        self.refusing = False  # every request dropped, the port still open
        self.route("GET", "/internal/ping", lambda r: (200, {}, {}))

    def generate(self, request, img2img: bool):
        with self.gpu:
            if self.stopped.wait(self.seconds):
                return None  # killed while drawing: the connection drops
            with self.lock:
                failed = self.random.random() < self.failure_rate
            if failed:
                return 500, {"error": "OutOfMemoryError", "detail": "CUDA out of memory",
                             "errors": ""}, {}
            # a small picture of the seed's colour: encoding a full-size PNG here would
            # make the stand-in's CPU, not its slots, the limit being measured
            try:
                small = Request(request.method, request.path, request.headers,
                                json.dumps({**request.json(), **THUMB}).encode())
            except ValueError:
                small = request
            reply = super().generate(small, img2img)
            with self.lock:
                self.drawn += reply[0] == 200
            return reply

    def dispatch(self, request):
        return None if self.refusing else super().dispatch(request)

    def kill(self) -> None:
        """Stop answering at once, dropping every panel in flight."""
        self.stop()
