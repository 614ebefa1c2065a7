"""The site as a publication: what link previews, feed readers and search engines read.

Given `site_url` (where the site is published), every page gets absolute canonical,
OpenGraph and Twitter card links, and the site an Atom feed (`feed.xml`: a story or
chapter per entry, on its `date:`) and a `sitemap.xml`; both need absolute links, so
they are written only when it is set. Every page gets a meta description and the
site a favicon cut from the first story's cover, with or without it.
"""

from __future__ import annotations

import datetime as dt
import io
from html import escape

from PIL import Image, ImageOps

from ..errors import Problem
from ..source.resolve import ResolvedProject
from ..specs import StoryPlan
from .chapters import chapter_pages, chapter_warnings
from .pages import PAGE_SCALE

DESCRIPTION_LENGTH = 200  # search engines show about this much


def base_url(project: ResolvedProject) -> str:
    """`site_url` ending in '/', so a site path appends to it; '' when not set."""
    url = project.config.site_url.strip()
    return url if not url or url.endswith("/") else url + "/"


def describe(*texts: str) -> str:
    """The first non-empty text, on one line, cut at a word to a search snippet's length."""
    text = " ".join(next((t for t in texts if t and t.strip()), "").split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def preview_image(story_plan: StoryPlan, number: int, alt: str) -> dict:
    """The baked page image of a page as a link preview shows it."""
    page = story_plan.pages[number - 1]
    return dict(path=f"pages/{story_plan.story}-{number}.jpg", alt=alt,
                width=round(page.width * PAGE_SCALE), height=round(page.height * PAGE_SCALE))


def favicon(cover_path: str) -> bytes:
    """A 64 px square icon from the top of a cover page: its first panel, mostly."""
    with Image.open(cover_path) as cover:
        side = min(cover.width, cover.height)
        square = cover.convert("RGB").crop((0, 0, cover.width, side))
        icon = ImageOps.fit(square, (64, 64), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    icon.save(out, "PNG", optimize=True)
    return out.getvalue()


def feed_entries(project: ResolvedProject, plans: list[StoryPlan]) -> list[dict]:
    """The feed's entries, newest first: each page of a story with a schedule, each
    dated chapter (its first page), and each dated story without chapters. Undated
    ones are not announced."""
    stories = {s.id: s for s in project.stories}
    entries = []
    for story_plan in plans:
        story = stories[story_plan.story]
        chapters = chapter_pages(story, story_plan)
        if story.schedule and story.date:  # a page per entry, each on its own day
            first = dt.date.fromisoformat(story.date)
            for page in story_plan.pages:
                day = first + dt.timedelta(days=story.schedule * (page.number - 1))
                entries.append(dict(
                    title=f"{story.title}, page {page.number}", date=day.isoformat(),
                    summary=story.summary, path=f"stories/{story.id}/page-{page.number}.html",
                    image=preview_image(story_plan, page.number,
                                        f"{story.title}, page {page.number}")))
            continue
        if not chapters:
            if story.date:
                entries.append(dict(
                    title=story.title, date=story.date, summary=story.summary,
                    path=f"stories/{story.id}/index.html",
                    image=preview_image(story_plan, 1, f"Cover of {story.title}")))
            continue
        for chapter, span in chapters:
            date = chapter.date or story.date
            if date:
                entries.append(dict(
                    title=f"{story.title}: {chapter.title}", date=date, summary=story.summary,
                    path=f"stories/{story.id}/page-{span.start + 1}.html",
                    image=preview_image(story_plan, span.start + 1,
                                     f"{chapter.title}, page {span.start + 1}")))
    url = base_url(project)
    for entry in entries:  # the entry's page image, as feed readers show an entry
        image = entry["image"]
        entry["html"] = (f'<p><a href="{escape(url + entry["path"])}"><img src="'
                         f'{escape(url + image["path"])}" alt="{escape(image["alt"])}" '
                         f'width="{image["width"]}" height="{image["height"]}"></a></p>')
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


def sitemap(url: str, paths: list[str]) -> str:
    rows = "".join(f"<url><loc>{escape(url + path)}</loc></url>\n" for path in sorted(paths))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows
            + "</urlset>\n")


def publication_warnings(project: ResolvedProject, plans: list[StoryPlan]) -> list[Problem]:
    """Chapters without pages, and dates announced in a feed that cannot be written."""
    stories = {s.id: s for s in project.stories}
    warnings = [w for sp in plans for w in chapter_warnings(stories[sp.story], sp)]
    dated = any(s.date or any(c.date for c in s.chapters) for s in project.stories)
    if dated and not base_url(project):
        warnings.append(Problem(
            file="panelwright.yaml", line=project.config_lines.get("title"),
            field="site_url", severity="warning",
            message="stories have dates for the Atom feed, but the feed and link previews "
                    "need the address the site is published at; no feed.xml is written",
            hint="add site_url: https://example.org/my-comic/ to panelwright.yaml"))
    return warnings
