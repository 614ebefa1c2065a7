"""How every command says what went wrong: `file:line: error: ...`, a hint, exit 1.

One place, so that every subcommand reports a user's mistake the same way and a
traceback always means a bug in Panelwright. The subcommand modules import this, never
`main`: the group sits at the top of the `cli` package and nothing reaches back up to it.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from ..errors import Problem, ProjectError, in_order

Command = TypeVar("Command", bound=Callable[..., Any])


def report(problems: list[Problem]) -> None:
    """Print each problem as `file:line: severity: message` and its hint, on stderr,
    sorted by file and line."""
    for problem in in_order(problems):
        colour = "red" if problem.severity == "error" else "yellow"
        click.secho(problem.location() + ":", fg=colour, bold=True, nl=False, err=True)
        click.echo(f" {problem.severity}: {problem.message}", err=True)
        if problem.hint:
            click.echo(f"    hint: {problem.hint}", err=True)


def fail(problems: list[Problem], outcome: str = "; nothing was built") -> NoReturn:
    """Report the problems, count the errors ("2 errors found; nothing was built.") and
    exit 1. `outcome` says what the command did not do, so the writer knows nothing is
    half-done."""
    report(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    click.secho(f"{errors} error{'s' if errors != 1 else ''} found{outcome}.", fg="red",
                err=True)
    sys.exit(1)


def failure(problems: list[Problem], outcome: str = "; nothing was built",
            cause: BaseException | None = None) -> dict:
    """A failed command as the Style DNA seed's error body, `{message, statusCode, error}`,
    with `ok: false` and every problem with its file and line: what `build --json` prints
    and the webhook receives. The status is 400 Bad Request when the project's files must
    change; when an engine failed (`cause`, the EngineError the ProjectError was raised
    from), the service's own status and error (500 Internal Server Error without one)."""
    errors = sum(1 for p in problems if p.severity == "error")
    first = next((p for p in problems if p.severity == "error"), None)
    message = f"{errors} error{'s' if errors != 1 else ''} found{outcome}" + (
        f": {first.location()}: {first.message}" if first else "")
    status, error = 400, "Bad Request"
    engine_errors = sys.modules.get("pipeline.engines.errors")  # see reports_problems
    if engine_errors is not None and isinstance(cause, engine_errors.EngineError):
        status = cause.status_code or 500
        error = cause.error if cause.status_code and cause.error else "Internal Server Error"
    return {"ok": False, "message": message, "statusCode": status, "error": error,
            "problems": [p.model_dump(mode="json") for p in problems]}


def _engine_problem(exc: Exception, where: str) -> Problem:
    """An engine failure no stage turned into a Problem, still reported with the
    service's words rather than as a traceback."""
    return Problem(file=where, message=f"an engine failed: {exc}",
                   hint="those are the service's own words; try again once it answers")


def reports_problems(outcome: str) -> Callable[[Command], Command]:
    """Decorate a command so that a ProjectError (or an engine's EngineError) becomes
    the report and exit 1 of `fail`; `outcome` is what the command then did not do.
    Put it under `@group.command()`, above the options."""
    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except ProjectError as exc:
                fail(exc.problems, outcome)
            except Exception as exc:
                # EngineError is looked up, not imported: importing it imports every
                # engine, and a command that never loaded one cannot have raised it
                errors = sys.modules.get("pipeline.engines.errors")
                if errors is None or not isinstance(exc, errors.EngineError):
                    raise
                fail([_engine_problem(exc, str(kwargs.get("project") or "."))], outcome)
        return run  # type: ignore[return-value]
    return decorate


def echo_page(page: Any, items: list[dict] | None, lines: list[str]) -> None:
    """One page of a list command: as JSON (`items`, when --json asked for it: the seed's
    page shape) or as `lines` and the 'first–last of total' footer."""
    if items is not None:
        click.echo(json.dumps({"total": page.total, "limit": page.limit, "offset": page.offset,
                               "items": items}, ensure_ascii=False))
        return
    for line in lines:
        click.echo(line)
    first = page.offset + 1
    shown = f"{first}–{page.offset + len(page.items)}" if page.items else "none"
    click.echo(f"{shown} of {page.total}")
