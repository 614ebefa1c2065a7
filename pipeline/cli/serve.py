"""`panelwright serve`: build, watch, rebuild on every save, and serve with live reload.

The command prints one line per build (what changed, pages written, time) and, when a
save breaks the project, its problems as `check` prints them; the browser shows the same
problems over the last good site. Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import click

from .report import report as print_problems
from .report import reports_problems


def _changed(paths: list[str]) -> str:
    if paths == ["(start)"]:
        return "first build"
    shown = ", ".join(paths[:2])
    more = len(paths) - 2
    return f"{shown} and {more} more changed" if more > 0 else f"{shown} changed"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _Terminal:
    """One line per build; problems as `check` prints them; warnings only when they
    differ from the last build's, so an unchanged warning does not scroll every save."""

    def __init__(self) -> None:
        self._warnings: list[str] = []

    def __call__(self, outcome) -> None:
        stamp = time.strftime("%H:%M:%S")
        head = f"{stamp} build {outcome.number}: {_changed(outcome.changed)}"
        if outcome.ok:
            report = outcome.report
            warnings = [str(p) for p in outcome.problems]
            if warnings != self._warnings:
                print_problems(outcome.problems)
                self._warnings = warnings
            written = (f"{_plural(report.pages, 'page')}" if outcome.number == 1 else
                       f"{_plural(report.pages_written, 'page')} written of {report.pages}")
            click.echo(f"{head}; {written}, {report.panels_drawn} of {report.panels} panels drawn,"
                       f" {report.panels_lettered} lettered, in {outcome.seconds:.2f} s")
            return
        print_problems(outcome.problems)
        self._warnings = []
        errors = sum(1 for p in outcome.problems if p.severity == "error")
        click.secho(f"{head}; {_plural(errors, 'error')} found in {outcome.seconds:.2f} s; the "
                    "last good site is still served", fg="red", err=True)


@click.command()
@reports_problems("; nothing was served")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but this machine's own lets "
              "others on the network read your comic (a warning is printed).")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the site in your web browser once the first build is done.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the served site (default: a temporary folder, removed "
              "when the server stops; PROJECT/_site is left alone).")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Panels drawn at once (default: every core).")
def serve(project: Path, port: int, host: str, open_browser: bool, out: Path | None,
          jobs: int | None) -> None:
    """Serve PROJECT's comic and rebuild it on every save, with live reload.

    \b
    Open the address it prints. Each time you save a story, character, world or
    style file, the changed pages are rebuilt (only what the edit touched) and the
    open tabs reload in place: same page, same scroll position. A save that breaks
    the project shows its problems (file:line, what is wrong, how to fix it) in the
    terminal and over the last good site in the browser; saving the fix clears them.
    Several saves in a row (an editor writing many files, a git checkout) give one
    build. Ctrl-C stops the server.

    \b
    The served site is a copy of its own: PROJECT/_site is left alone, and
    `panelwright build` still writes the site you publish, without the live-reload
    script.

    \b
    Examples:
      panelwright serve my-comic
      panelwright serve my-comic --open --port 8080
      panelwright serve my-comic --port 0          # any free port
    """
    from ..serve.server import LiveServer, not_loopback

    if not_loopback(host):
        click.secho(f"warning: serving on {host}: anyone who can reach this machine on the "
                    "network can read the comic and its problems. Use --host 127.0.0.1 to "
                    "keep it to yourself.", fg="yellow", err=True)

    def waiting() -> None:
        click.echo(f"Another build of {project} is running; waiting for it to finish...",
                   err=True)

    server = LiveServer(project, out=out, host=host, port=port, jobs=jobs,
                        on_build=_Terminal(), waiting=waiting)
    stop = threading.Event()
    # SIGTERM (a supervisor, `kill`) stops it as Ctrl-C does
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        server.start()
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        raise
    try:
        click.echo(f"Serving {project} at {server.url} (Ctrl-C to stop); watching for saves.")
        if open_browser:
            server.wait_first_build()
            server.open_browser()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.busy:
            # the build's writes are atomic: quitting at once leaves the last good site
            signal.signal(signal.SIGINT, lambda *_: os._exit(130))
            click.echo("Stopping; the build in progress finishes first (Ctrl-C again to "
                       "quit at once)...", err=True)
        else:
            click.echo("Stopping...", err=True)
        server.stop()
    click.echo("Stopped.", err=True)
