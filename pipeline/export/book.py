"""What every export format needs, gathered once as plain data: a `Book`.

A book is one file a reader keeps: a story (or one chapter of it) with its pages in
reading order, the words on them as the letterer placed them, its metadata (series,
number, writer, language, cast, places) and its outline (story, chapters, scenes).
The format modules turn a book into bytes and read nothing else.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..site.chapters import chapter_pages
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, PageSpec, StoryPlan


class BookPage(BaseModel):
    spec: PageSpec
    image: str = ""  # the page with the lettering baked in (CBZ), a file path
    bare: str = ""  # the art and borders alone (PDF, EPUB letter it themselves)
    ext: str = "jpg"  # the image files' format
    lettered: dict[str, LetteredPanel] = Field(default_factory=dict)  # panel id -> balloons


class Section(BaseModel):
    """An entry of the outline: where a story, chapter or scene starts."""

    title: str
    level: int  # 0 the story, 1 a chapter or a scene, 2 a scene within a chapter
    page: int  # index of its first page in the book


class Book(BaseModel):
    stem: str  # the file name without its extension
    title: str
    series: str
    number: int  # of this book in its series, from 1
    count: int  # books in the series
    summary: str = ""
    author: str = ""
    language: str = "en"
    rtl: bool = False
    web: str = ""  # the book's page on the published site, when site_url is set
    date: str | None = None  # YYYY-MM-DD
    characters: list[str] = Field(default_factory=list)  # display names, in order of appearance
    locations: list[str] = Field(default_factory=list)  # scene names, in reading order
    names: dict[str, str] = Field(default_factory=dict)  # speaker id -> display name
    page_colour: str = "#fdfbf6"
    pages: list[BookPage] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)

    def metadata(self) -> dict:
        """Everything but the pages' files: what a book's export key holds of it."""
        return self.model_dump(mode="json", exclude={"pages"})


def _scene_starts(project: ResolvedProject, story_plan: StoryPlan) -> list[tuple[str, int]]:
    """(scene name, index of the page it starts on), a run of one scene once."""
    panels = {p.id: p for p in story_plan.panels}
    starts: list[tuple[str, int]] = []
    last = None
    for index, page in enumerate(story_plan.pages):
        for panel_id in page.panels:
            panel = panels[panel_id]
            if (panel.world, panel.scene) != last:
                last = (panel.world, panel.scene)
                name = project.scene(panel.world, panel.scene).name
                if not starts or starts[-1][1] != index or starts[-1][0] != name:
                    starts.append((name, index))
    return starts


def story_url(site_url: str, story_id: str) -> str:
    """A story's contents page on the published site ('' when the site has no URL)."""
    return f"{site_url.rstrip('/')}/stories/{story_id}/index.html" if site_url else ""


def _scenes_in(scenes: list[tuple[str, int]], pages: range, level: int) -> list[Section]:
    """The scenes of a run of pages: the one going on at its first page, then those
    starting within it."""
    out = []
    for n, (name, index) in enumerate(scenes):
        ends = scenes[n + 1][1] if n + 1 < len(scenes) else pages.stop
        if index in pages or index < pages.start < ends:
            out.append(Section(title=name, level=level, page=max(index, pages.start)))
    return out


def books(project: ResolvedProject, plans: list[StoryPlan],
          lettered: dict[str, LetteredPanel], by_chapter: bool = False) -> list[Book]:
    """The books of the stories, in the project's order (their pages' files not yet
    filled in): a book per story, whose outline holds its chapters and scenes, or, with
    `by_chapter`, a book per chapter of a story that has chapters."""
    config = project.config
    stories = {s.id: s for s in project.stories}
    order = [s.id for s in project.stories]
    out = []
    for story_plan in plans:
        story = stories[story_plan.story]
        style = project.styles.get(story.style or "")
        scenes = _scene_starts(project, story_plan)
        panels = {p.id: p for p in story_plan.panels}
        pages = [BookPage(spec=page, lettered={p: lettered[p] for p in page.panels})
                 for page in story_plan.pages]
        chapters = chapter_pages(story, story_plan)

        def book(stem: str, title: str, series: str, number: int, count: int,
                 span: range, date: str | None, sections: list[Section]) -> Book:
            cast: list[str] = []
            for page in pages[span.start:span.stop]:
                for panel_id in page.spec.panels:
                    cast += [c for c in panels[panel_id].characters if c not in cast]
            return Book(
                stem=stem, title=title, series=series, number=number, count=count,
                summary=story.summary, author=config.author, language=config.language,
                rtl=config.reading_direction.value == "rtl",
                web=story_url(config.site_url, story.id), date=date,
                characters=[project.characters[c].name for c in cast],
                locations=list(dict.fromkeys(s.title for s in _scenes_in(scenes, span, 1))),
                names={cid: c.name for cid, c in project.characters.items()},
                page_colour=style.page_colour if style else "#fdfbf6",
                pages=pages[span.start:span.stop], sections=sections)

        everything = range(len(pages))
        if by_chapter and chapters:
            for n, (chapter, span) in enumerate(chapters, 1):
                sections = [Section(title=chapter.title, level=0, page=0)] + [
                    s.model_copy(update={"page": s.page - span.start})
                    for s in _scenes_in(scenes, span, 1)]
                out.append(book(f"{story.id}-{n:0{max(2, len(str(len(chapters))))}d}",
                                chapter.title, story.title, n, len(chapters), span,
                                chapter.date or story.date, sections))
            continue
        sections = [Section(title=story.title, level=0, page=0)]
        if chapters:
            for chapter, span in chapters:
                sections.append(Section(title=chapter.title, level=1, page=span.start))
                sections += _scenes_in(scenes, span, 2)
        else:
            sections += _scenes_in(scenes, everything, 1)
        out.append(book(story.id, story.title, config.title, order.index(story.id) + 1,
                        len(order), everything, story.date, sections))
    return out
