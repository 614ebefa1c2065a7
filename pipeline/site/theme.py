"""The theme's templates in Jinja2's sandbox, and what goes wrong in them as Problems.

A story repo overrides a theme template by putting a file of the same name in its own
`templates/`. A story repo is often someone else's, so its templates run in Jinja2's
immutable sandbox: they may read the values they are given and use Jinja2's own
filters and tests, but not reach Python (no '__' attributes, no methods that change
data), and whatever goes wrong in one is a `Problem` at its file and line, never a
traceback. `render.py` renders the site with the environment made here; `check` reads
`template_problems`.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import (BaseLoader, ChoiceLoader, Environment, FileSystemBytecodeCache,
                    FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateNotFound,
                    TemplateSyntaxError, select_autoescape)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Problem, ProjectError
from .strings import overrides as word_overrides

RULE = re.compile(r"\n(?=[ ]{0,3}-{3,}[ \t]*(?:\n|$))")  # the line before a `---` rule


def theme_dir() -> Path:
    """The default theme: inside the installed package, or the repo's templates/."""
    packaged = Path(__file__).parents[1] / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "templates"



OVERRIDES = "templates/"  # the project's folder of overrides, as messages name it
MAX_REPEAT = 1_000_000  # the longest text or list a template may make with '*'
MAX_EXPONENT = 100


class _Overrides(BaseLoader):
    """The project's templates/ files, named 'templates/NAME' so errors point at them."""

    def __init__(self, overrides: Mapping[str, str]):
        self.overrides = overrides

    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.overrides:
            raise TemplateNotFound(template)
        source = self.overrides[template]
        return source, OVERRIDES + template, lambda: self.overrides.get(template) == source

    def list_templates(self) -> list[str]:
        return sorted(self.overrides)


def template_problem(exc: BaseException, theme_too: bool = False) -> Problem | None:
    """The file:line of a project template at fault in `exc`, as a Problem; None when
    no project template is (a fault of the theme itself is ours, not the writer's)."""
    file, line = None, None
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        file, line = exc.filename, exc.lineno
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.startswith(OVERRIDES):
                file, line = frame.filename, frame.lineno
                break
    if file is None or not (file.startswith(OVERRIDES) or theme_too):
        return None
    if isinstance(exc, TemplateNotFound):
        message = f"the template '{exc.name}' does not exist"
        hint = ("include or extend a template of the theme or of templates/, by its name "
                "(a template cannot read files outside them)")
    elif isinstance(exc, TemplateSyntaxError):
        message = f"this template is not valid Jinja2: {exc.message}"
        hint = "see https://jinja.palletsprojects.com/templates/ for the syntax"
    elif isinstance(exc, SecurityError):
        message = f"this template does something templates may not: {exc}"
        hint = ("templates may print and test the values they are given, not reach Python "
                "(see 'Theme overrides' in docs/format.md)")
    elif isinstance(exc, TemplateError):
        message = f"this template failed: {exc}"
        hint = "check the names it uses; the theme's own templates show what each page gets"
    elif isinstance(exc, RecursionError):
        message = "this template calls itself without end"
        hint = "check the macros and includes it uses"
    else:
        message = f"this template failed: {type(exc).__name__}: {exc}"
        hint = "check the expression on this line"
    return Problem(file=file, line=line, message=message, hint=hint)


class _Template(Template):
    """A template whose failures are the writer's Problem, at their template's line."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except ProjectError:
            raise
        except Exception as exc:
            problem = template_problem(exc)
            if problem is None:
                raise
            raise ProjectError([problem]) from None


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with '*' and '**' bounded so that a template cannot
    make a value too big to hold; loading errors become Problems too."""

    template_class = _Template
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT}")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and \
                        len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"a text or list of more than {MAX_REPEAT:,} items")
        return super().call_binop(context, operator, left, right)

    def get_template(self, *args: Any, **kwargs: Any) -> Template:
        try:
            return super().get_template(*args, **kwargs)
        except TemplateSyntaxError as exc:
            problem = template_problem(exc)
            if problem is None:
                raise
            raise ProjectError([problem]) from None


def environment(overrides: dict[str, str], cache_dir: Path | None = None) -> Environment:
    """The theme's templates, a project's overrides first, in the sandbox. Compiled
    templates are kept in `cache_dir` so a rebuild does not compile them again."""
    bytecode = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Sandboxed code differs from unsandboxed code of the same source: its own names.
        bytecode = FileSystemBytecodeCache(str(cache_dir), "__sandboxed_%s.cache")
    env = _Sandbox(
        loader=ChoiceLoader([_Overrides(overrides), FileSystemLoader(theme_dir())]),
        bytecode_cache=bytecode,
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from markdown_it import MarkdownIt  # here: a rebuild that renders nothing skips it

    from ..characters.card_format import reader_text

    markdown = MarkdownIt("commonmark", {"html": False})
    env.filters["markdown"] = lambda text: markdown.render(text or "")
    # card text: {{char}}/{{user}} as the reader reads them, *actions* in italics
    # (a card's `---` line is a rule, as in role-play tools, never a heading's underline)
    env.filters["card_text"] = lambda text, name: markdown.render(
        RULE.sub("\n\n", reader_text(text or "", name)))
    env.filters["card_inline"] = lambda text, name: markdown.renderInline(
        reader_text(text or "", name))
    env.filters["pct"] = lambda value, whole: f"{100 * value / whole:.4f}%"
    return env


def template_problems(overrides: dict[str, str]) -> list[Problem]:
    """Syntax errors in the project's templates and includes of templates that do not
    exist, for `check` (nothing is rendered)."""
    from jinja2 import nodes

    env = _Sandbox(loader=ChoiceLoader([_Overrides(overrides), FileSystemLoader(theme_dir())]))
    known = set(env.list_templates())
    problems = []
    try:  # templates/strings.yaml: the site's own words
        word_overrides(overrides)
    except ProjectError as exc:
        problems += exc.problems
    for name in overrides:
        if name.startswith("assets/") or not name.endswith((".html", ".htm", ".xml", ".svg")):
            continue
        try:
            tree = env.parse(overrides[name], name, OVERRIDES + name)
        except TemplateSyntaxError as exc:
            problem = template_problem(exc)
            if problem is not None:
                problems.append(problem)
            continue
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                   nodes.FromImport)):
            target = node.template
            if isinstance(target, nodes.Const) and isinstance(target.value, str) and \
                    target.value not in known:
                problems.append(Problem(
                    file=OVERRIDES + name, line=node.lineno,
                    message=f"the template '{target.value}' does not exist",
                    hint="include or extend a template of the theme or of templates/, by its "
                         "name (a template cannot read files outside them)"))
    return problems
