"""One way for every remote engine to talk HTTP: time-outs, bounded retries with
back-off on 429 and 5xx (Retry-After honoured), and the service's own error message
when it gives up."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import Field

from . import EngineSettings
from .errors import EngineError

RETRY_STATUS = {429, 500, 502, 503, 504}


class RemoteSettings(EngineSettings):
    base_url: str
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for a reply")
    attempts: int = Field(default=4, ge=1, le=10, description="tries before giving up")
    backoff: float = Field(default=1.0, ge=0, description="first wait between tries, doubled")
    max_wait: float = Field(default=60.0, ge=0, description="longest wait, Retry-After included")
    max_in_flight: int = Field(default=2, ge=1, le=32, description="panels drawn at once")
    api_key_env: str | None = Field(default=None,
                                    description="environment variable holding the API key")


def _retry_after(reply: httpx.Response) -> float | None:
    value = reply.headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def service_error(reply: httpx.Response) -> EngineError:
    """The service's `{message, statusCode, error}` (or whatever it said) as an EngineError."""
    try:
        body = reply.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        message = str(inner.get("message") or body.get("detail") or reply.text[:300])
        error = str(body.get("error") if isinstance(body.get("error"), str) else
                    inner.get("type") or reply.reason_phrase)
        status = int(body.get("statusCode") or reply.status_code)
        return EngineError(message, status, error, reply=reply.text[:2000])
    return EngineError(reply.text[:300] or reply.reason_phrase, reply.status_code,
                       reply.reason_phrase, reply=reply.text[:2000])


class Remote:
    """An HTTP client for one engine's service."""

    def __init__(self, settings: RemoteSettings, headers: dict[str, str] | None = None):
        self.settings = settings
        self.client = httpx.Client(base_url=settings.base_url.rstrip("/"),
                                   timeout=settings.timeout, headers=headers or {})

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying 429, 5xx, time-outs and dropped connections with back-off."""
        s = self.settings
        wait = s.backoff
        last: EngineError | None = None
        for attempt in range(1, s.attempts + 1):
            try:
                reply = self.client.request(method, path, **kwargs)
            except httpx.TimeoutException:
                last = EngineError(f"no reply from {s.base_url} within {s.timeout:g} s",
                                   None, "timeout")
            except httpx.TransportError as exc:
                last = EngineError(f"the connection to {s.base_url} failed: {exc}", None,
                                   "connection")
            else:
                if reply.status_code < 400:
                    return reply
                last = service_error(reply)
                if reply.status_code not in RETRY_STATUS:
                    raise last
                after = _retry_after(reply)
                if after is not None:
                    wait = after
            if attempt < s.attempts:
                time.sleep(min(wait, s.max_wait))
                wait *= 2
        assert last is not None
        raise EngineError(last.message, last.status_code, last.error, reply=last.reply,
                          attempts=s.attempts)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.request(method, path, **kwargs)
        try:
            return reply.json()
        except ValueError:
            raise EngineError(f"the reply from {path} is not JSON", reply.status_code,
                              "malformed reply", reply=reply.text[:2000]) from None

    def close(self) -> None:
        self.client.close()


def api_key(settings: RemoteSettings) -> str | None:
    """The key named by the settings, read from the environment when it is needed."""
    import os
    return os.environ.get(settings.api_key_env) if settings.api_key_env else None


__all__ = ["Remote", "RemoteSettings", "EngineError", "api_key", "service_error"]
