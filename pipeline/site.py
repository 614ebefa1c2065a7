"""Stage 9, render the site: Jinja2 templates over the built comic, written aside and swapped in.

Every page is rendered into memory first; then the whole site is written to a
temporary folder beside the output and swapped in with renames, so a build that
fails or is killed leaves the last good site in place. Links are relative, so the
site works from file:// and from any static host. A story repo overrides a theme
template by putting a file of the same name in its own `templates/`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import (ChoiceLoader, DictLoader, Environment, FileSystemBytecodeCache,
                    FileSystemLoader, StrictUndefined, select_autoescape)

from .balloons import to_svg
from .cache import CACHE_DIR
from .errors import Problem, ProjectError
from .fonts import default_font_bytes, default_font_licence
from .outdir import KEEP_HINT, MARKER, MARKER_TEXT, made_by_panelwright
from .resolve import ResolvedProject
from .specs import LetteredPanel, PanelArt, StoryPlan

FONT_FAMILY = "PanelwrightLettering, PanelwrightFallback"


def theme_dir() -> Path:
    """The default theme: inside the installed package, or the repo's templates/."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def theme_digest() -> str:
    """Digest of the theme's files: a change to the theme re-renders the site."""
    files = sorted(p for p in theme_dir().rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files)).hexdigest()


def environment(overrides: dict[str, str], cache_dir: Path | None = None) -> Environment:
    """The theme's templates, a project's overrides first. Compiled templates are
    kept in `cache_dir` so a rebuild does not compile them again."""
    bytecode = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(cache_dir))
    env = Environment(
        loader=ChoiceLoader([DictLoader(overrides), FileSystemLoader(theme_dir())]),
        bytecode_cache=bytecode,
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from markdown_it import MarkdownIt  # here: a rebuild that renders nothing skips it

    markdown = MarkdownIt("commonmark", {"html": False})
    env.filters["markdown"] = lambda text: markdown.render(text or "")
    env.filters["pct"] = lambda value, whole: f"{100 * value / whole:.4f}%"
    return env


@dataclass
class SiteFiles:
    """Everything the site will hold, in memory or as files to copy, before writing."""

    text: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)  # site path -> source path

    def digests(self) -> dict[str, str]:
        """Site path -> digest of its content (copies are content-addressed already)."""
        out = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in self.text.items()}
        out |= {rel: hashlib.sha256(data).hexdigest() for rel, data in self.data.items()}
        out |= {rel: "file:" + source for rel, source in self.copies.items()}
        return out

    def write(self, out: Path) -> None:
        """Write the site and swap it in at `out`, marked as Panelwright's own. A folder
        Panelwright did not make is never replaced (see outdir.py)."""
        out = out.resolve()
        if out.is_dir() and any(out.iterdir()) and not made_by_panelwright(out):
            raise ProjectError([Problem(
                file=str(out), field="--out", message=f"'{out}' is not empty and was not "
                "made by Panelwright; nothing was written or removed", hint=KEEP_HINT)])
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
        try:
            # the marker goes in with the site, so the swap makes both appear at once
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            for rel, text in self.text.items():
                _target(staging, rel).write_text(text, encoding="utf-8")
            for rel, data in self.data.items():
                _target(staging, rel).write_bytes(data)
            for rel, source in self.copies.items():
                target = _target(staging, rel)
                try:
                    os.link(source, target)  # cache files never change: share them
                except OSError:
                    shutil.copyfile(source, target)
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _target(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place of the old: never a half-written site.

    On Linux the two folders are exchanged in one atomic step (renameat2 with
    RENAME_EXCHANGE), so there is no moment without a whole site at `out`; elsewhere
    two renames leave a moment without one, which `recover` repairs.
    """
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
        return
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
    os.rename(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def recover(out: Path) -> None:
    """Tidy up after a build that was killed: restore a site caught between two
    renames, and remove half-written staging folders."""
    out = out.resolve()
    if not out.parent.is_dir():
        return
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        if not out.exists():
            os.rename(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def render_site(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
                lettered: dict[str, LetteredPanel], pages: dict[tuple[str, int], str],
                font_bytes: bytes, fallback_bytes: bytes | None = None) -> SiteFiles:
    env = environment(project.templates, Path(project.root) / CACHE_DIR / "templates")
    files = SiteFiles()
    config = project.config
    stories = {s.id: s for s in project.stories}
    characters = project.characters
    appearances: dict[str, list[str]] = {cid: [] for cid in characters}
    for story_plan in plans:
        for panel in story_plan.panels:
            for cid in panel.characters:
                if story_plan.story not in appearances[cid]:
                    appearances[cid].append(story_plan.story)

    from .cards import card_png, to_card  # only a build needs cards (and their YAML reader)

    avatars, idles = {}, {}
    for cid, character in characters.items():
        avatar = project.assets[character.avatar_path].data if character.avatar_path else None
        if avatar:
            ext = Path(character.avatar_path or "").suffix.lower() or ".png"
            avatars[cid] = f"avatars/{cid}{ext}"
            files.data[avatars[cid]] = avatar
        if character.idle_path and project.assets[character.idle_path].data:
            idles[cid] = f"avatars/{cid}-idle.webp"
            files.data[idles[cid]] = project.assets[character.idle_path].data or b""
        # every character page offers its card, as role-play tools read it
        files.data[f"cards/{cid}.png"] = card_png(character, avatar)
        files.text[f"cards/{cid}.json"] = json.dumps(to_card(character), ensure_ascii=False,
                                                    indent=2)

    common = dict(config=config, characters=characters, worlds=project.worlds,
                  stories=stories, avatars=avatars, idles=idles, font_family=FONT_FAMILY,
                  rtl=config.reading_direction.value == "rtl")

    for story_plan in plans:
        story = stories[story_plan.story]
        panels = {p.id: p for p in story_plan.panels}
        total = len(story_plan.pages)
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
                                             FONT_FAMILY)))
            transcript = [dict(panel=index + 1, description=s["spec"].description,
                               lines=[dict(kind=b.kind.value, speaker=characters[b.speaker].name
                                           if b.speaker else None, text=b.text)
                                      for b in s["spec"].lines])
                          for index, s in enumerate(slots)]
            files.text[f"stories/{story.id}/page-{page.number}.html"] = env.get_template(
                "page.html").render(common, root="../../", story=story, page=page, total=total,
                                    slots=slots, transcript=transcript, cover=cover,
                                    style=project.styles.get(story.style or ""))
        files.text[f"stories/{story.id}/index.html"] = env.get_template("story.html").render(
            common, root="../../", story=story, plan=story_plan,
            world=project.worlds[story.world],
            cast=[cid for cid in characters if story.id in appearances[cid]])

    files.text["index.html"] = env.get_template("index.html").render(
        common, root="", plans=plans)
    files.text["characters/index.html"] = env.get_template("characters.html").render(
        common, root="../")
    for cid, character in characters.items():
        files.text[f"characters/{cid}.html"] = env.get_template("character.html").render(
            common, root="../", character=character, appears_in=appearances[cid])
    for wid, world in project.worlds.items():
        files.text[f"worlds/{wid}.html"] = env.get_template("world.html").render(
            common, root="../", world=world,
            used_by=[s for s in project.stories if s.world == wid])
    for asset in sorted((theme_dir() / "assets").glob("*")):
        files.copies[f"assets/{asset.name}"] = str(asset)
    for name, text in project.templates.items():
        if name.startswith("assets/"):
            files.text[name] = text
    files.data["assets/lettering.ttf"] = font_bytes
    if fallback_bytes:
        files.data["assets/lettering-fallback.ttf"] = fallback_bytes
    if font_bytes == default_font_bytes():
        files.text["assets/lettering-OFL.txt"] = default_font_licence()
    files.text[".nojekyll"] = ""
    return files

