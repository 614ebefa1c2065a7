"""The build's webhook (`panelwright build --notify URL`): POST the summary when it ends.

Its own module because it is the one part of the CLI that talks to the network. It
borrows the engines' HTTP client (retries, back-off, no credentials shown), imported
inside `notify` only when a build is asked to notify: a plain build never loads httpx.
"""

from __future__ import annotations


def notify(url: str, summary: dict, timeout: float = 10.0, attempts: int = 3,
           backoff: float = 0.5) -> str | None:
    """POST the build's summary as JSON to a webhook (the Style DNA seed's way of saying
    a job is done; for a failed build, the seed's error body: `report.failure`). 429
    and 5xx are retried with back-off like an engine's requests; returns a problem to
    print as a warning, or None. Never raises."""
    from urllib.parse import urlsplit

    from ..engines.errors import EngineError
    from ..engines.http import Remote, RemoteSettings, without_credentials

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"could not notify {without_credentials(url)}: not an http(s) URL"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    settings = RemoteSettings(base_url=f"{parts.scheme}://{parts.netloc}", timeout=timeout,
                              attempts=attempts, backoff=backoff, max_wait=30)
    try:
        with Remote(settings) as remote:
            remote.request("POST", path, json=summary)
    except EngineError as exc:
        return f"could not notify {without_credentials(url)}: {exc.describe()}"
    return None
