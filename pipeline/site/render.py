"""Stage 9, render the site: Jinja2 templates over the built comic.

Every page is rendered into memory first, and only when something the site is made
from changed (`render_if_changed`); then `output.py` writes it aside and swaps it in
whole, so a build that fails or is killed leaves the last good site in place. Links
are relative, so the site works from file:// and from any static host. The templates
run in a sandbox (`theme.py`); the characters' pages get their avatars and cards
from `cast.py`, every picture its smaller copies from `images.py`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..lettering.draw import to_svg
from ..lettering.fonts import LetteringFont
from ..runtime.cache import CACHE_DIR, digest
from ..runtime.code import code_digest, tree_files
from ..runtime.manifest import Manifest, PanelRecord
from ..runtime.outdir import MARKER
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, PanelArt, StoryPlan
from . import cast, images, theme, webfonts
from .chapters import chapter_pages
from .output import SiteFiles
from .publish import base_url, describe, favicon, feed_entries, preview_image, sitemap
from .scroll import contents
from .scroll import cover as scroll_cover
from .scroll import scroll_of, scrolls
from .strings import translator
from .theme import environment, theme_dir

# languages written right to left (ISO 639 codes): the page's own text direction
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku", "ps",
                           "sd", "syr", "ug", "ur", "yi"})


def language_direction(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr': the `dir` of every page.
    The reading direction of the comic (panels, pages) is a different thing."""
    primary = (language or "").replace("_", "-").split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def theme_digest() -> str:
    """Digest of the theme's files and the code that renders them: a change to either
    re-renders the site."""
    return code_digest(__name__, images.__name__, theme.__name__, cast.__name__,
                       files=tree_files(theme_dir()))


def render_site(project: ResolvedProject, plans: list[StoryPlan], art: dict[str, PanelArt],
                lettered: dict[str, LetteredPanel], pages: dict[tuple[str, int], str],
                font: LetteringFont, defer: list[images.Wanted] | None = None) -> SiteFiles:
    """Every file of the site, in memory or as copies of the cache's files. With `defer`
    (`serve`), pictures whose smaller copies are not made yet are shown whole and added
    to it (images.py)."""
    env = environment(project.templates, Path(project.root) / CACHE_DIR / "templates")
    files = SiteFiles()
    config = project.config
    stories = {s.id: s for s in project.stories}
    characters = project.characters
    appearances, roles = cast.appearances(project, plans)
    avatars, idles, sizes = cast.cast_files(project, files)

    pictures = _pictures(project, plans, art, pages, avatars, idles, files, defer)
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
               idles: dict[str, str], files: SiteFiles,
               defer: list[images.Wanted] | None = None) -> images.Pictures:
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
    pictures.prepare(project.root, wanted, files, default_jobs(), defer)
    return pictures


def render_if_changed(project: ResolvedProject, plans: list[StoryPlan],
                      art: dict[str, PanelArt], lettered: dict[str, LetteredPanel],
                      letter_keys: dict[str, str], pages: dict[tuple[str, int], str],
                      font: LetteringFont, out: Path, previous: Manifest,
                      defer: list[images.Wanted] | None = None) -> Manifest:
    """Render the site and write it at `out` unless the last build (`previous`) made
    it from the same inputs; returns the build's manifest, to be written when done.

    Rendering is skipped when nothing the site is made of changed, and writing when
    the rendered files are the same as those already at `out`. With `defer` (`serve`),
    pictures without their smaller copies yet are shown whole (see `render_site`); the
    manifest then records no render key, so the next build renders them with copies.
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
        files = render_site(project, plans, art, lettered, pages, font, defer)
        contents = files.digests()
        site_digest = digest(contents)
        if site_digest != previous.site or not written():
            files.write(out)
        reader_pages = {rel: d for rel, d in contents.items()
                        if rel.startswith("stories/") and "/page-" in rel}
    return Manifest(
        panels={pid: PanelRecord(art=a.key, inputs=a.inputs, letters=letter_keys[pid])
                for pid, a in art.items()},
        pages=reader_pages, site=site_digest, render="" if defer else render_key, out=where)
