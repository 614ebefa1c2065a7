"""One way for every remote engine to talk HTTP: time-outs, bounded retries with
back-off on 429 and 5xx (Retry-After honoured), dropped connections retried, the
service's own error message when it gives up, and secrets kept out of every message.
(How remote panels run several at a time is `pipeline.runtime.parallel.run_in_flight`;
how they spread over several servers is `pipeline.engines.pool`.)

httpx's time-out bounds each read, so a server dripping a byte a second never trips
it; `fetch` makes the time-out a deadline for the whole request (connect, headers
and every chunk of the body) and caps the body's size while it arrives. Every
engine and the avatar URL fetch go through it.
"""

from __future__ import annotations

import base64
import functools
import os
import ssl
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import EngineSettings
from .errors import EngineError

RETRY_STATUS = {408, 429, 500, 502, 503, 504}
MAX_REPLY_MB = 64.0  # a panel as base64 JSON is a few MB; this is far beyond any real one


class ServerSettings(BaseModel):
    """One server of an engine's pool (`servers:`): where it is, how many panels it
    draws at once, and which environment variable holds its key (else the engine's)."""

    model_config = ConfigDict(extra="forbid")
    base_url: str
    max_in_flight: int = Field(default=2, ge=1, le=32)
    api_key_env: str | None = None


@functools.cache
def _tls() -> ssl.SSLContext:
    """The certificates trusted, as httpx loads them by default, loaded once per process:
    a client per panel loading them afresh spent ~90 ms of CPU a panel (issue #21)."""
    return httpx.create_ssl_context()


class RemoteSettings(EngineSettings):
    base_url: str
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for a reply")
    attempts: int = Field(default=4, ge=1, le=10, description="tries before giving up")
    backoff: float = Field(default=1.0, ge=0, description="first wait between tries, doubled")
    max_wait: float = Field(default=60.0, ge=0, description="longest wait, Retry-After included")
    max_in_flight: int = Field(default=2, ge=1, le=32, description="panels drawn at once")
    api_key_env: str | None = Field(default=None,
                                    description="environment variable holding the API key")
    max_reply_mb: float = Field(default=MAX_REPLY_MB, gt=0, le=1024,
                                description="largest reply body accepted, in MB")
    # Left out of the settings' dump, so of cache keys: which servers draw does not
    # change what they draw (docs/engines.md, "A pool of servers").
    servers: list[ServerSettings] = Field(
        default_factory=list, exclude=True,
        description="several servers drawing together: [{base_url, max_in_flight, "
                    "api_key_env}, ...] (instead of base_url)")

    @model_validator(mode="after")
    def _servers_differ(self) -> RemoteSettings:
        urls = [s.base_url.rstrip("/") for s in self.servers]
        twice = sorted({u for u in urls if urls.count(u) > 1})
        if twice:
            raise ValueError(f"servers lists {', '.join(map(without_credentials, twice))} "
                             "more than once; give each server once, with its max_in_flight")
        return self

    def members(self) -> list[RemoteSettings]:
        """These settings once per server of the pool (one when `servers` is empty),
        each with that server's base_url, capacity and key variable."""
        if not self.servers:
            return [self]
        return [self.model_copy(update={
            "base_url": s.base_url, "max_in_flight": s.max_in_flight, "servers": [],
            "api_key_env": s.api_key_env if "api_key_env" in s.model_fields_set
            else self.api_key_env}) for s in self.servers]

    @property
    def capacity(self) -> int:
        """Panels the pool draws at once: the sum of its servers' max_in_flight."""
        return sum(m.max_in_flight for m in self.members())


class ReplyTooLarge(Exception):
    """A reply body beyond the size limit (refused while it arrives)."""


class DeadlinePassed(Exception):
    """The whole request took longer than its time-out."""


def without_credentials(url: str) -> str:
    """`url` with any `user:password@` removed, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def secret_forms(*secrets: str | None) -> list[str]:
    """Every form a secret travels in: raw, URL-quoted, base64 (Basic auth sends
    `user:password` in base64), and each half of a `user:password` pair's password."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        for value in {secret, unquote(secret)}:
            forms |= {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
            user, colon, password = value.partition(":")
            if colon and len(password) >= 4:
                forms |= {password, quote(password, safe="")}
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def url_secret(url: str) -> str | None:
    """The `user:password` embedded in a URL, if any."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    return netloc.rpartition("@")[0] or None if "@" in netloc else None


def mask(text: str | None, forms: list[str]) -> str | None:
    """`text` with every form of the secrets replaced by ***."""
    if not text:
        return text
    for form in forms:
        text = text.replace(form, "***")
    return text


def fetch(client: httpx.Client, method: str, url: str, *, timeout: float, max_bytes: int,
          **kwargs: Any) -> httpx.Response:
    """One request whose `timeout` bounds all of it and whose body may hold at most
    `max_bytes`; the reply comes back read. Raises httpx.TimeoutException or
    DeadlinePassed when the deadline passes, ReplyTooLarge beyond the size.

    The request runs on a helper thread so that a reply stalled inside a read
    (headers dripping a byte at a time) still ends at the deadline here; the
    thread itself stops at its next chunk, or at httpx's own per-read time-out."""
    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            with client.stream(method, url, **kwargs) as reply:
                declared = reply.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ReplyTooLarge(int(declared))
                body = bytearray()
                for chunk in reply.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise ReplyTooLarge(len(body))
                    if time.monotonic() > deadline:
                        raise DeadlinePassed()
                if done.is_set():
                    return
                headers = [(k, v) for k, v in reply.headers.multi_items()
                           if k.lower() not in ("content-encoding", "content-length",
                                                "transfer-encoding")]
                outcome["reply"] = httpx.Response(
                    reply.status_code, headers=headers, content=bytes(body),
                    request=reply.request,
                    extensions={"reason_phrase": reply.extensions.get("reason_phrase", b"")})
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name="panelwright-http").start()
    if not done.wait(max(0.0, deadline - time.monotonic()) + 0.05):
        done.set()
        raise DeadlinePassed()
    if "error" in outcome:
        raise outcome["error"]
    if "reply" not in outcome:
        raise DeadlinePassed()
    return outcome["reply"]


def _retry_after(reply: httpx.Response) -> float | None:
    value = reply.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # FastAPI's validation errors: [{loc, msg, type}]
        return "; ".join(str(v.get("msg", v)) if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else str(value)


def service_error(reply: httpx.Response) -> EngineError:
    """The service's own words as an EngineError, whichever of the shapes it uses:
    the seed's `{message, statusCode, error}`, OpenAI's `{error: {message, type}}`,
    ComfyUI's `{error: {message, type}, node_errors}`, AUTOMATIC1111's
    `{error, detail, errors}` or FastAPI's `{detail}`."""
    try:
        body = reply.json()
    except ValueError:
        body = None
    raw = reply.text[:2000]
    if not isinstance(body, dict):
        return EngineError(reply.text[:300].strip() or reply.reason_phrase, reply.status_code,
                           reply.reason_phrase, reply=raw)
    inner = body["error"] if isinstance(body.get("error"), dict) else {}
    message = next((m for m in (_text(inner.get("message")), _text(body.get("message")),
                                _text(body.get("errors")), _text(body.get("detail")))
                    if m.strip()), raw[:300])
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict) and node_errors:  # ComfyUI: which node, and why
        message += ": " + "; ".join(
            f"node {node} ({(info or {}).get('class_type', '?')}): " + ", ".join(
                f"{e.get('message', '')} {e.get('details', '')}".strip()
                for e in (info or {}).get("errors", []) if isinstance(e, dict))
            for node, info in node_errors.items() if isinstance(info, dict))
    error = _text(body.get("error")) if isinstance(body.get("error"), str) else \
        _text(inner.get("type") or inner.get("code")) or reply.reason_phrase
    status = body.get("statusCode")
    return EngineError(message, status if isinstance(status, int) else reply.status_code,
                       error, reply=raw)


def download(url: str, timeout: float, max_bytes: int, what: str = "the file") -> bytes:
    """GET `url` (redirects followed) within a deadline of `timeout` seconds for the whole
    transfer and at most `max_bytes`; any failure is an EngineError naming the server
    (credentials in the URL masked) and the limit."""
    shown = without_credentials(url)
    forms = secret_forms(url_secret(url))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            reply = fetch(client, "GET", url, timeout=timeout, max_bytes=max_bytes)
    except (httpx.TimeoutException, DeadlinePassed):
        raise EngineError(f"{what} at {shown} did not arrive within {timeout:g} s (the "
                          "time-out covers the whole download)", None, "timeout") from None
    except ReplyTooLarge as exc:
        raise EngineError(f"{what} at {shown} is larger than {max_bytes / 1e6:g} MB "
                          f"({exc.args[0] / 1e6:.1f} MB so far); it was refused", None,
                          "too large") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise EngineError(mask(f"cannot fetch {what} at {shown}: {exc}", forms) or "", None,
                          "connection") from None
    if reply.status_code != 200:
        raise EngineError(f"{what} at {shown}: the server answered {reply.status_code} "
                          f"{reply.reason_phrase}", reply.status_code, "download")
    return reply.content


def refuses_input(reply: httpx.Response) -> bool:
    """A 500 that is the server refusing the request's shape, not an outage:
    llama-cpp-python answers 500 with pydantic's "Input should be ..." for a
    `response_format` it does not know. Trying again cannot help."""
    if reply.status_code != 500:
        return False
    text = reply.text[:4000].lower()
    return any(words in text for words in ("input should be", "validation error",
                                           "invalid request", "invalid input",
                                           "unrecognized request argument"))


def api_key(settings: RemoteSettings) -> str | None:
    """The key named by the settings, read from the environment when it is needed."""
    return os.environ.get(settings.api_key_env) if settings.api_key_env else None


class Remote:
    """An HTTP client for one engine's service.

    The API key (read from the environment variable the settings name) goes only
    into the Authorization header, and is masked in every error message.
    """

    def __init__(self, settings: RemoteSettings, headers: dict[str, str] | None = None,
                 bearer: bool = True):
        self.settings = settings
        self.secret = api_key(settings)
        self.secrets = secret_forms(self.secret, url_secret(settings.base_url))
        self.shown_url = without_credentials(settings.base_url.rstrip("/"))
        headers = dict(headers or {})
        if self.secret and bearer:
            headers["Authorization"] = f"Bearer {self.secret}"
        self.client = httpx.Client(base_url=settings.base_url.rstrip("/"),
                                   timeout=settings.timeout, headers=headers, verify=_tls())

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _masked(self, error: EngineError) -> EngineError:
        error.message = mask(error.message, self.secrets) or ""
        error.reply = mask(error.reply, self.secrets)
        return error

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying 429, 5xx, time-outs and dropped connections with back-off.

        Each try must end within the time-out (connect and every read together) and
        its body stay under `max_reply_mb`; a refusal of the request itself (a 4xx,
        or a 500 that says the input is invalid) is not retried."""
        s = self.settings
        wait_for = s.backoff
        last: EngineError | None = None
        where = f"{self.shown_url}{path}"
        for attempt in range(1, s.attempts + 1):
            try:
                reply = fetch(self.client, method, path, timeout=s.timeout,
                              max_bytes=int(s.max_reply_mb * 1e6), **kwargs)
            except (httpx.TimeoutException, DeadlinePassed):
                last = EngineError(f"no reply from {where} within {s.timeout:g} s "
                                   "(the time-out covers the whole request)", None, "timeout")
            except ReplyTooLarge as exc:
                raise self._masked(EngineError(
                    f"the reply from {where} is larger than max_reply_mb={s.max_reply_mb:g} "
                    f"MB ({exc.args[0] / 1e6:.1f} MB so far); it was refused", None,
                    "reply too large")) from None
            except httpx.TransportError as exc:
                last = EngineError(f"the connection to {where} failed "
                                   f"({type(exc).__name__}: {exc or 'closed'})", None,
                                   "connection")
            else:
                if reply.status_code < 400:
                    return reply
                last = service_error(reply)
                if reply.status_code not in RETRY_STATUS or refuses_input(reply):
                    raise self._masked(last)
                after = _retry_after(reply)
                if after is not None:
                    wait_for = after
            if attempt < s.attempts:
                time.sleep(min(wait_for, s.max_wait))
                wait_for = max(wait_for * 2, s.backoff)
        assert last is not None
        last.attempts = s.attempts
        raise self._masked(last)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The reply's JSON; a reply that is not JSON is reported with its first words."""
        reply = self.request(method, path, **kwargs)
        try:
            return reply.json()
        except ValueError:
            raise self._masked(EngineError(
                f"the reply from {path} is not JSON: {reply.text[:120]!r}", reply.status_code,
                "malformed reply", reply=reply.text[:2000])) from None

    def close(self) -> None:
        self.client.close()


__all__ = ["Remote", "RemoteSettings", "EngineError", "api_key", "fetch", "mask",
           "secret_forms", "service_error", "without_credentials"]
