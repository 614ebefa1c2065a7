"""AUTOMATIC1111 / Forge web UI API (`--api`): txt2img and img2img, as documented in
modules/api/models.py: a JSON body in, `{"images": [base64], "parameters", "info"}`
out; errors as `{"error", "detail", "body", "errors"}` (modules/api/api.py)."""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

from .base import LoopbackServer, colour_of, png


class A1111Server(LoopbackServer):
    def __init__(self, lifetime: float = 60.0, auth: str | None = None, delay: float = 0.0,
                 echo: bool = False):
        super().__init__(lifetime, delay)
        self.auth = auth  # "user:password" for --api-auth
        self.echo = echo  # a careless proxy that quotes the credential it refused
        self.route("POST", "/sdapi/v1/txt2img", lambda r: self.generate(r, False))
        self.route("POST", "/sdapi/v1/img2img", lambda r: self.generate(r, True))

    def generate(self, request, img2img: bool):
        if self.auth and request.headers.get("Authorization") != \
                "Basic " + base64.b64encode(self.auth.encode()).decode():
            sent = request.headers.get("Authorization", "")
            return 401, {"detail": "Incorrect username or password"
                         + (f" (got {sent!r})" if self.echo else "")}, {}
        try:
            body = request.json()
        except ValueError:
            return 422, {"detail": [{"loc": ["body"], "msg": "invalid JSON"}]}, {}
        if img2img:
            try:
                init = base64.b64decode(body["init_images"][0])
                Image.open(io.BytesIO(init)).verify()
            except Exception:
                return 500, {"error": "IndexError", "detail": "", "body": "",
                             "errors": "init_images must hold one image"}, {}
        # the web UI rounds sizes down to multiples of 8
        width, height = int(body.get("width", 512)) // 8 * 8, int(body.get("height", 512)) // 8 * 8
        image = png(colour_of(int(body.get("seed", -1))), (width, height))
        info = {"seed": body.get("seed"), "prompt": body.get("prompt"), "width": width,
                "height": height}
        return 200, {"images": [base64.b64encode(image).decode()], "parameters": body,
                     "info": json.dumps(info)}, {}
