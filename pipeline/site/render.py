"""Stage 9, render the site: Jinja2 templates over the built comic.

Every page is rendered into memory first, and only when something the site is made
from changed (`render_if_changed`); then `output.py` writes it aside and swaps it in
whole, so a build that fails or is killed leaves the last good site in place. Links
are relative, so the
site works from file:// and from any static host. A story repo overrides a theme
template by putting a file of the same name in its own `templates/`.

A story repo is often someone else's, so its templates run in Jinja2's immutable
sandbox: they may read the values they are given and use Jinja2's own filters and
tests, but not reach Python (no '__' attributes, no methods that change data), and
whatever goes wrong in one is a `Problem` at its file and line, never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
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
from ..lettering.draw import to_svg
from ..lettering.fonts import LetteringFont
from ..runtime.cache import CACHE_DIR, digest
from ..runtime.code import code_digest, tree_files
from ..runtime.manifest import Manifest, PanelRecord
from ..runtime.outdir import MARKER
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, PanelArt, StoryPlan
from . import images, webfonts
from .chapters import chapter_pages
from .output import SiteFiles
from .publish import base_url, describe, favicon, feed_entries, preview_image, sitemap
from .scroll import contents, scroll_of, scrolls
from .scroll import cover as scroll_cover
from .strings import overrides as word_overrides
from .strings import translator

RULE = re.compile(r"\n(?=[ ]{0,3}-{3,}[ \t]*(?:\n|$))")  # the line before a `---` rule

# languages written right to left (ISO 639 codes): the page's own text direction
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku", "ps",
                           "sd", "syr", "ug", "ur", "yi"})


def language_direction(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr': the `dir` of every page.
    The reading direction of the comic (panels, pages) is a different thing."""
    primary = (language or "").replace("_", "-").split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def image_size(data: bytes) -> tuple[int, int]:
    """An image's width and height, for its <img> (the browser keeps its place before it
    loads: no layout shift); a square when Pillow cannot read it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return (1, 1)


def theme_dir() -> Path:
    """The default theme: inside the installed package, or the repo's templates/."""
    packaged = Path(__file__).parents[1] / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "templates"


# Card PNGs made in this process, by what they are made of: `serve` renders the site
# again on every save, and encoding each avatar anew took a third of a render.
_CARDS: dict[str, bytes] = {}


def _card_png(character: Any, avatar: bytes | None, embedded: dict[str, bytes]) -> bytes:
    from ..characters.card_format import card_png  # the format only: no character files

    key = digest(character.model_dump(mode="json"), hashlib.sha256(avatar or b"").hexdigest(),
                 {uri: hashlib.sha256(data).hexdigest() for uri, data in embedded.items()})
    if key not in _CARDS:
        if len(_CARDS) > 256:  # a long session with many characters edited: start again
            _CARDS.clear()
        _CARDS[key] = card_png(character, avatar, embedded)
    return _CARDS[key]


def theme_digest() -> str:
    """Digest of the theme's files and the code that renders them: a change to either
    re-renders the site."""
    return code_digest(__name__, images.__name__, files=tree_files(theme_dir()))


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


def render_site(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
                lettered: dict[str, LetteredPanel], pages: dict[tuple[str, int], str],
                font: LetteringFont) -> SiteFiles:
    env = environment(project.templates, Path(project.root) / CACHE_DIR / "templates")
    files = SiteFiles()
    config = project.config
    stories = {s.id: s for s in project.stories}
    characters = project.characters
    appearances: dict[str, list[str]] = {cid: [] for cid in characters}
    # per character, per story they are in: the page they first appear on and how many
    # pages show them (in the panel or speaking in it)
    roles: dict[str, list[dict[str, Any]]] = {cid: [] for cid in characters}
    for story_plan in plans:
        specs = {p.id: p for p in story_plan.panels}
        on_pages: dict[str, list[int]] = {}
        for page in story_plan.pages:
            for panel_id in page.panels:
                spec = specs[panel_id]
                for cid in [*spec.characters, *(ln.speaker for ln in spec.lines if ln.speaker)]:
                    if cid in characters and page.number not in on_pages.setdefault(cid, []):
                        on_pages[cid].append(page.number)
        for cid in characters:
            if cid in on_pages:
                appearances[cid].append(story_plan.story)
                roles[cid].append(dict(story=story_plan.story, first=min(on_pages[cid]),
                                       pages=len(on_pages[cid])))

    from ..characters.card_format import to_card  # the format only: no character files

    avatars, idles, sizes = {}, {}, {}
    for cid, character in characters.items():
        avatar = project.assets[character.avatar_path].data if character.avatar_path else None
        if avatar:
            ext = Path(character.avatar_path or "").suffix.lower() or ".png"
            avatars[cid] = f"avatars/{cid}{ext}"
            files.data[avatars[cid]] = avatar
            sizes[avatars[cid]] = image_size(avatar)
        if character.idle_path and project.assets[character.idle_path].data:
            idles[cid] = f"avatars/{cid}-idle.webp"
            files.data[idles[cid]] = project.assets[character.idle_path].data or b""
            sizes[idles[cid]] = image_size(files.data[idles[cid]])
        # every character page offers its card, as role-play tools read it: a PNG with
        # both (V2 in `chara`, V3 in `ccv3`), V3 JSON, and V2 JSON beside it for V2 tools
        embedded = {a["uri"]: project.assets[f"characters/{a['uri']}"].data or b""
                    for a in character.card.get("assets") or [] if isinstance(a, dict)
                    and f"characters/{a.get('uri')}" in project.assets}
        files.data[f"cards/{cid}.png"] = _card_png(character, avatar, embedded)
        for name, spec in ((f"cards/{cid}.json", "v3"), (f"cards/{cid}.v2.json", "v2")):
            files.text[name] = json.dumps(to_card(character, spec, embedded),
                                          ensure_ascii=False, indent=2)

    pictures = _pictures(project, plans, art, pages, avatars, idles, files)
    url = base_url(project)
    served = webfonts.serve(project.root, font, plans, lettered)
    common = dict(config=config, characters=characters, worlds=project.worlds,
                  stories=stories, avatars=avatars, idles=idles, sizes=sizes,
                  font_family=webfonts.MAIN_FAMILY, lettering_file=served.main_file,
                  t=translator(config.language, project.templates), picture=pictures,
                  rtl=config.reading_direction.value == "rtl",
                  text_dir=language_direction(config.language), site_url=url)

    def meta(path: str, *descriptions: str, image: dict | None = None) -> dict:
        """A page's own address, meta description and link-preview image."""
        return dict(path=path, description=describe(*descriptions, config.description,
                                                    config.title), social_image=image)
    covers = {sp.story: preview_image(sp, 1, f"Cover of {stories[sp.story].title}")
              for sp in plans if sp.pages}
    names = {cid: character.name for cid, character in characters.items()}
    vertical = config.format == "vertical"
    thumbs = Path(project.root) / CACHE_DIR / "thumbs"
    scroll_covers = {sp.story: scroll_cover(art[sp.pages[0].panels[0]], sp.panels[0].alt,
                                            thumbs, files.data, scroll_of(stories[sp.story], sp))
                     for sp in plans if vertical and sp.pages}

    for story_plan in plans:
        story = stories[story_plan.story]
        panels = {p.id: p for p in story_plan.panels}
        total = len(story_plan.pages)
        page_slots = {}
        in_scroll = scroll_of(story, story_plan) if vertical else {}
        for page in story_plan.pages:
            cover = f"pages/{story.id}-{page.number}.jpg"
            files.copies[cover] = pages[(story.id, page.number)]
            slots = []
            for panel_id, box in zip(page.panels, page.slots, strict=True):
                spec, drawn = panels[panel_id], art[panel_id]
                image = f"art/{drawn.key}.{drawn.format}"
                files.copies[image] = drawn.image
                slots.append(dict(spec=spec, box=box, image=image, balloons=lettered[panel_id],
                                  svg=to_svg(lettered[panel_id].balloons, box[2], box[3],
                                             webfonts.MAIN_FAMILY, served.families,
                                             names=names)))
            page_slots[page.number] = slots
            transcript = [dict(panel=index + 1, description=s["spec"].description,
                               lines=[dict(kind=b.kind.value, speaker=characters[b.speaker].name
                                           if b.speaker else None, text=b.text)
                                      for b in s["spec"].lines])
                          for index, s in enumerate(slots)]
            path = f"stories/{story.id}/page-{page.number}.html"
            files.text[path] = env.get_template("page.html").render(
                common, root="../../", story=story, page=page, total=total, slots=slots,
                transcript=transcript, cover=cover, style=project.styles.get(story.style or ""),
                scroll=in_scroll.get(page.number),
                **meta(path, f"{story.title}, page {page.number} of {total}. {story.summary}",
                       image=preview_image(story_plan, page.number,
                                        f"{story.title}, page {page.number}: "
                                        + " ".join(s["spec"].alt for s in slots))))
        style = project.styles.get(story.style or "")
        for scroll in scrolls(project, story, story_plan, page_slots,
                              style.gutter if style else 24) if vertical else []:
            path = f"stories/{story.id}/{scroll['name']}"
            files.text[path] = env.get_template("scroll.html").render(
                common, root="../../", story=story, scroll=scroll, style=style,
                **meta(path, " ".join(filter(None, (story.title, scroll["chapter"],
                                                     story.summary))), image=covers.get(story.id)))
        path = f"stories/{story.id}/index.html"
        files.text[path] = env.get_template("story.html").render(
            common, root="../../", story=story, plan=story_plan, vertical=vertical,
            contents=contents(project, story, story_plan, art, thumbs, files.data, vertical),
            world=project.worlds[story.world],
            cast=[cid for cid in characters if story.id in appearances[cid]],
            chapters=[dict(title=c.title, date=c.date, pages=[story_plan.pages[i] for i in span])
                      for c, span in chapter_pages(story, story_plan)],
            **meta(path, story.summary, image=covers.get(story.id)))

    first = covers.get(plans[0].story) if plans else None
    files.text["index.html"] = env.get_template("index.html").render(
        common, root="", plans=plans, scroll_covers=scroll_covers,
        **meta("index.html", config.description, image=first))
    files.text["characters/index.html"] = env.get_template("characters.html").render(
        common, root="../", **meta("characters/index.html", f"The characters of {config.title}: "
                                   + ", ".join(c.name for c in characters.values())))
    for cid, character in characters.items():
        path = f"characters/{cid}.html"
        files.text[path] = env.get_template("character.html").render(
            common, root="../", character=character, appears_in=appearances[cid],
            roles=roles[cid],
            **meta(path, character.description, character.personality, character.name))
    for wid, world in project.worlds.items():
        files.text[f"worlds/{wid}.html"] = env.get_template("world.html").render(
            common, root="../", world=world,
            used_by=[s for s in project.stories if s.world == wid],
            **meta(f"worlds/{wid}.html", world.description, world.name))
    if plans and plans[0].pages:
        files.data["favicon.png"] = favicon(pages[(plans[0].story, 1)])
    if url:  # feeds and sitemaps are made of absolute links
        entries = feed_entries(project, plans)
        files.text["feed.xml"] = env.get_template("feed.xml").render(
            common, entries=entries,
            updated=max((e["date"] for e in entries), default="2000-01-01"))
        files.text["sitemap.xml"] = sitemap(url, [p for p in files.text if p.endswith(".html")])
    for asset in sorted((theme_dir() / "assets").glob("*")):
        # as bytes: a copy is named by its path, and an edited stylesheet keeps its path
        files.data[f"assets/{asset.name}"] = asset.read_bytes()
    for name, text in project.templates.items():
        if name.startswith("assets/"):
            files.text[name] = text
    files.data.update(served.data)
    files.text.update(served.text)
    files.text[".nojekyll"] = ""
    return files


def _pictures(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
               pages: dict[tuple[str, int], str], avatars: dict[str, str],
               idles: dict[str, str], files: SiteFiles) -> images.Pictures:
    """Every picture the site shows, with its WebP variants made or found (images.py):
    panel art, baked pages as covers and thumbnails, portraits and avatars."""
    from ..art import default_jobs

    wanted = [images.panel_wanted(art[pid], page, box) for sp in plans for page in sp.pages
              for pid, box in zip(page.panels, page.slots, strict=True)]
    for sp in plans:
        for page in sp.pages:
            wanted += images.page_wanted(sp.story, page, pages[(sp.story, page.number)])
    for cid, path in [*avatars.items(), *idles.items()]:
        data = files.data[path]
        key = hashlib.sha256(data).hexdigest()
        for kind in ("portrait", "avatar") if cid in avatars and path == avatars[cid] \
                else ("portrait",):
            wanted.append(images.Wanted(path, data, key, kind))
    pictures = images.Pictures()
    pictures.prepare(project.root, wanted, files, default_jobs())
    return pictures


def render_if_changed(project: ResolvedProject, plans: list[StoryPlan],
                      art: dict[str, PanelArt], lettered: dict[str, LetteredPanel],
                      letter_keys: dict[str, str], pages: dict[tuple[str, int], str],
                      font: LetteringFont, out: Path, previous: Manifest) -> Manifest:
    """Render the site and write it at `out` unless the last build (`previous`) made
    it from the same inputs; returns the build's manifest, to be written when done.

    Rendering is skipped when nothing the site is made of changed, and writing when
    the rendered files are the same as those already at `out`.
    """
    where = str(out.resolve())

    def written() -> bool:  # a site an older version built has no marker: mark it
        # the record is of the folder last written: another folder may be stale
        return (previous.out == where and (out / "index.html").is_file()
                and (out / MARKER).is_file())

    # The site is a function of these; when none changed there is nothing to render.
    render_key = digest(
        project.model_dump(mode="json", exclude={"assets", "problems"}),
        {path: asset.digest for path, asset in project.assets.items()},
        [sp.model_dump(mode="json") for sp in plans],
        {pid: a.key for pid, a in art.items()}, letter_keys, sorted(pages.items()),
        theme_digest())
    if render_key == previous.render and written():
        reader_pages, site_digest = previous.pages, previous.site
    else:
        files = render_site(project, plans, art, lettered, pages, font)
        contents = files.digests()
        site_digest = digest(contents)
        if site_digest != previous.site or not written():
            files.write(out)
        reader_pages = {rel: d for rel, d in contents.items()
                        if rel.startswith("stories/") and "/page-" in rel}
    return Manifest(
        panels={pid: PanelRecord(art=a.key, inputs=a.inputs, letters=letter_keys[pid])
                for pid, a in art.items()},
        pages=reader_pages, site=site_digest, render=render_key, out=where)
