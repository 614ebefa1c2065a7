"""Where a story's chapters start, on its planned pages: for the contents page, the
feed and the exports alike.

A chapter starts at a scene (the first page that shows it) or on a page number;
chapters are taken in the order of their pages, and pages before the first chapter
belong to it. A chapter whose scene the story never shows, or whose page is past the
story's end, has no pages and is left out (`chapter_warnings` says so).
"""

from __future__ import annotations

from ..errors import Problem
from ..source.resolve import ResolvedChapter, ResolvedStory
from ..specs import StoryPlan


def _first_page(chapter: ResolvedChapter, story_plan: StoryPlan) -> int | None:
    if chapter.page is not None:
        return chapter.page - 1 if chapter.page <= len(story_plan.pages) else None
    scenes = {p.id: p.scene for p in story_plan.panels}
    return next((i for i, page in enumerate(story_plan.pages)
                 if any(scenes[p] == chapter.scene for p in page.panels)), None)


def chapter_pages(story: ResolvedStory, story_plan: StoryPlan
                  ) -> list[tuple[ResolvedChapter, range]]:
    """Each chapter that has pages, with the range of its pages' indexes (from 0)."""
    found = [(c, i) for c in story.chapters if (i := _first_page(c, story_plan)) is not None]
    found.sort(key=lambda pair: pair[1])
    starts = []
    for chapter, index in found:
        if not starts or index != starts[-1][1]:  # two chapters on one page: the first
            starts.append((chapter, index))
    if not starts:
        return []
    bounds = [0] + [i for _, i in starts[1:]] + [len(story_plan.pages)]
    return [(chapter, range(bounds[n], bounds[n + 1])) for n, (chapter, _) in enumerate(starts)]


def chapter_warnings(story: ResolvedStory, story_plan: StoryPlan) -> list[Problem]:
    kept = {id(c) for c, _ in chapter_pages(story, story_plan)}
    return [Problem(file=story.source, line=c.line, severity="warning",
                    message=f"chapter '{c.title}' has no pages: "
                            + (f"the story has {len(story_plan.pages)} pages"
                               if c.page is not None else "the story never shows its scene")
                            + " (or another chapter starts on the same page)",
                    hint="start it at a scene the story shows, or on one of its pages")
            for c in story.chapters if id(c) not in kept]
