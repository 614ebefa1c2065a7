"""Art, lettering and pages overlapping: each panel is lettered as soon as its art exists,
and each page baked as soon as its panels are lettered, while other panels are still
being drawn; the site's smaller copies of a new panel's art and of a new page are made
as soon as each exists (`site/images.py`), so the site render finds them in the cache.

Run one after another, the stages left the image servers idle while the build lettered
and baked (40 % of a build on one server, issue #21). Here one loop in the build's own
thread hands out the work as it becomes possible: remote panels are drawn in threads (as
many at once as the engine allows); CPU jobs (local engines' drawing, lettering, baking)
go to `Workers`, a few more at once than it has slots, the furthest stage first, so a
finished page leaves before more panels are drawn (the pictures' copies, which nothing
waits for, come after baking and lettering, before a local engine's next panel). Every
result is stored in the cache the moment it arrives, so a build that fails or is killed
keeps everything finished.
Keys, results and their order do not depend on the order work finishes in: the outputs
are those of the stages run one after another.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from .art import Todo, _draw, art_to_draw, draw_job, engine_failed, remote_limit, store_art
from .engines.errors import EngineError
from .lettering.fonts import LetteringFont
from .lettering.stage import letter_job, letter_keys
from .runtime.cache import Cache
from .runtime.parallel import Workers
from .site.images import Copies, Wanted, copies_job, page_wanted, panel_wanted
from .site.pages import BakeJob, art_bytes, bake_job, baker_common, page_keys
from .source.resolve import ResolvedProject
from .specs import LetteredPanel, PageSpec, PanelArt, PanelSpec, StoryPlan

Progress = Callable[[str, int, int], None]  # stage, done, total
Page = tuple[str, int]  # story, page number


@dataclass
class Made:
    """What the three stages made, in reading order whatever the order they finished in."""

    art: dict[str, PanelArt] = field(default_factory=dict)
    lettered: dict[str, LetteredPanel] = field(default_factory=dict)
    relettered: set[str] = field(default_factory=set)  # panels lettered anew
    letter_keys: dict[str, str] = field(default_factory=dict)
    pages: dict[Page, str] = field(default_factory=dict)  # page -> its baked image


def draw_letter_bake(project: ResolvedProject, plans: list[StoryPlan], font: LetteringFont,
                     font_digest: str, workers: Workers, progress: Progress | None = None,
                     copies: bool = True) -> Made:
    """Every panel's art and lettering and every page's baked image, from the cache or
    made, the three stages overlapping; `progress(stage, done, total)` is called for
    "drawing", "lettering", "pages" and "pictures" as each item is done, interleaved.
    Without `copies` (`serve`, which shows a new picture whole first and makes its
    copies after the tabs reloaded) no picture's copies are made here."""
    return _Flow(project, plans, font, font_digest, workers, progress, copies).run()


class _Flow:
    def __init__(self, project: ResolvedProject, plans: list[StoryPlan], font: LetteringFont,
                 font_digest: str, workers: Workers, progress: Progress | None,
                 copies: bool = True):
        self.project, self.plans, self.workers = project, plans, workers
        self.make_copies = copies
        self.panels: list[PanelSpec] = [p for sp in plans for p in sp.panels]
        self.progress = progress
        self.cache = Cache(project.root)
        self.made = Made()
        # "pictures": the copies asked for so far; its total grows as art and pages are made
        self.done = {"drawing": 0, "lettering": 0, "pages": 0, "pictures": 0}
        self.totals = {"drawing": len(self.panels), "lettering": len(self.panels),
                       "pages": sum(len(sp.pages) for sp in plans), "pictures": 0}
        self.copies = Copies(project.root)
        self.letters = (font, project.config.lettering)
        self.letter_key = letter_keys(project.config.lettering, font_digest)
        self.page_key = page_keys(project, font_digest)
        self.baker = baker_common(project, font)
        self.styles = {s.id: s.style for s in project.stories}
        self.spec = {p.id: p for p in self.panels}
        self.page_of: dict[str, tuple[str, PageSpec]] = {}  # panel id -> story, its page
        self.waiting: dict[Page, int] = {}  # page -> its panels not lettered yet
        for story_plan in plans:
            for page in story_plan.pages:
                self.waiting[(story_plan.story, page.number)] = len(page.panels)
                for panel_id in page.panels:
                    self.page_of[panel_id] = (story_plan.story, page)
        # CPU jobs not handed out yet, by stage: the furthest stage is handed out first
        self.to_bake: deque[tuple[Page, BakeJob]] = deque()
        self.to_letter: deque[str] = deque()
        self.to_copy: deque[tuple[str, tuple]] = deque()  # plan key, `copies_job` item
        self.to_draw: deque[int] = deque()  # local engines: indexes into self.todo
        self.running: dict[Future, tuple[str, object]] = {}
        self.threads: set[Future] = set()  # remote draws, waiting on a service
        self.todo: Todo = []
        self.failure: BaseException | None = None
        self.failed_at: object = None

    def tick(self, stage: str) -> None:
        self.done[stage] += 1
        if self.progress:
            self.progress(stage, self.done[stage], self.totals[stage])

    def run(self) -> Made:
        found, self.todo = art_to_draw(self.project, self.panels, self.cache)
        threads = None
        limit = remote_limit(self.todo)
        if limit is not None:  # waiting on a service: threads here, not CPU workers
            threads = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="panelwright-draw")
            for index, (_, job, _) in enumerate(self.todo):
                future = threads.submit(_draw, job)
                self.running[future] = ("draw", index)
                self.threads.add(future)
        else:
            self.to_draw.extend(range(len(self.todo)))
        try:
            for story_plan in self.plans:  # a page without panels is ready at once
                for page in story_plan.pages:
                    if not page.panels:
                        self.page_ready(story_plan.story, page)
            for panel_id, art in found.items():
                self.drawn(panel_id, art)
            while self.running or (self.failure is None and self._more()):
                if self.failure is None:
                    self._hand_out()
                finished, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=self._order):
                    kind, what = self.running.pop(future)
                    try:
                        result = future.result()
                    except BaseException as exc:  # noqa: BLE001 - raised once drained
                        self._failed(kind, what, exc)
                        continue
                    self._finished(kind, what, result)
        finally:
            if threads is not None:
                threads.shutdown(wait=True, cancel_futures=True)
            self.cache.save()
            self.copies.save()
        if isinstance(self.failure, EngineError):
            failed = engine_failed(self.failure, self.todo, self.made.art)
            failed.__context__ = self.failure  # the service's status, for `build --json`
            raise failed from None
        if self.failure is not None:
            raise self.failure
        return self._in_order()

    def _failed(self, kind: str, what: object, exc: BaseException) -> None:
        """Nothing new starts; what is in flight finishes and is kept. The failure
        reported is the first panel in reading order that failed (or any other error)."""
        first = isinstance(exc, EngineError) and kind == "draw"
        if self.failure is None or (first and isinstance(self.failure, EngineError)
                                    and what < self.failed_at):
            self.failure, self.failed_at = exc, what if first else -1
        for future in [f for f in self.running if f.cancel()]:
            del self.running[future]

    def _order(self, future: Future) -> tuple[int, int]:
        """Results that finish together are handled in reading order, draws first."""
        kind, what = self.running[future]
        return ({"draw": 0, "letter": 1, "bake": 2, "copy": 3}[kind],
                what if isinstance(what, int) else 0)

    def _more(self) -> bool:
        return bool(self.to_bake or self.to_letter or self.to_copy or self.to_draw)

    def _hand_out(self) -> None:
        """Give the workers one more CPU job than their slots (so none waits for the
        next), the furthest stage first."""
        busy = sum(1 for future in self.running if future not in self.threads)
        while busy <= self.workers.slots and self._more():
            if self.to_bake:
                where, job = self.to_bake.popleft()
                future = self.workers.submit(bake_job, job, self.baker)
                self.running[future] = ("bake", (where, job))
            elif self.to_letter:
                panel_id = self.to_letter.popleft()
                future = self.workers.submit(letter_job, (self.spec[panel_id],
                                                          self.made.art[panel_id]), self.letters)
                self.running[future] = ("letter", panel_id)
            elif self.to_copy:
                plan_key, item = self.to_copy.popleft()
                future = self.workers.submit(copies_job, item)
                self.running[future] = ("copy", plan_key)
            else:
                index = self.to_draw.popleft()
                future = self.workers.submit(draw_job, self.todo[index][1])
                self.running[future] = ("draw", index)
            busy += 1

    def _finished(self, kind: str, what: object, result: object) -> None:
        if kind == "draw":
            spec, job, inputs = self.todo[what]
            data, figures = result
            art = store_art(self.cache, spec, job, inputs, data, figures)
            self.drawn(spec.id, art)
            if spec.id in self.page_of:
                _, page = self.page_of[spec.id]
                box = page.slots[page.panels.index(spec.id)]
                self.copy([panel_wanted(art, page, box)], data)
        elif kind == "copy":
            self.copies.keep(what, result)
            self.tick("pictures")
        elif kind == "letter":
            self.cache.put_json(self.made.letter_keys[what], result.model_dump(mode="json"))
            self.made.relettered.add(what)
            self.lettered(what, result)
        else:
            (where, job) = what
            self.made.pages[where] = str(self.cache.put(job.key, "jpg", result))
            self.tick("pages")
            self.copy(page_wanted(where[0], job.page, self.made.pages[where]), result)

    def copy(self, wanted: list[Wanted], data: bytes) -> None:
        """A picture just made: jobs for its copies the site shows (its file's path
        travels, or its bytes to workers without this machine's files)."""
        if not self.make_copies:
            return
        jobs = self.copies.jobs(wanted, None if self.workers.shares_files else data)
        self.to_copy.extend(jobs)
        self.totals["pictures"] += len(jobs)

    def drawn(self, panel_id: str, art: PanelArt) -> None:
        """A panel's art exists: its lettering from the cache, or a job to letter it."""
        self.made.art[panel_id] = art
        self.tick("drawing")
        key = self.made.letter_keys[panel_id] = self.letter_key(self.spec[panel_id], art)
        cached = self.cache.get_json(key)
        if cached is None:
            self.to_letter.append(panel_id)
        else:
            self.lettered(panel_id, LetteredPanel.model_validate(cached))

    def lettered(self, panel_id: str, lettering: LetteredPanel) -> None:
        """A panel is lettered: when it was its page's last, its page is ready."""
        self.made.lettered[panel_id] = lettering
        self.tick("lettering")
        story, page = self.page_of[panel_id]
        self.waiting[(story, page.number)] -= 1
        if not self.waiting[(story, page.number)]:
            self.page_ready(story, page)

    def page_ready(self, story: str, page: PageSpec) -> None:
        """Every panel of a page is lettered: the page from the cache, or a job to bake it."""
        where = (story, page.number)
        key = self.page_key(story, page, self.made.art,
                            [self.made.letter_keys[p] for p in page.panels])
        hit = self.cache.get(key, "jpg")
        if hit is not None:
            self.made.pages[where] = str(hit[0])
            self.tick("pages")
            return
        self.to_bake.append((where, BakeJob(
            key=key, style=self.styles[story], page=page,
            art={p: self.made.art[p] for p in page.panels},
            lettered={p: self.made.lettered[p] for p in page.panels},
            images={} if self.workers.shares_files else art_bytes(self.made.art, page.panels))))

    def _in_order(self) -> Made:
        made, ids = self.made, [p.id for p in self.panels]
        return Made(art={i: made.art[i] for i in ids},
                    lettered={i: made.lettered[i] for i in ids},
                    relettered=made.relettered,
                    letter_keys={i: made.letter_keys[i] for i in ids},
                    pages={(sp.story, page.number): made.pages[(sp.story, page.number)]
                           for sp in self.plans for page in sp.pages})
