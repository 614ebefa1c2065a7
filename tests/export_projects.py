"""Small projects the export tests write and export (not fixtures on disk: each test
names what it relies on, a right-to-left manga and a left-to-right western)."""

from __future__ import annotations

from pathlib import Path

MANGA_LINES = ["Who goes there?", "Only the wind, sensei.", "Then the wind should knock."]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def manga(root: Path, extra_config: str = "") -> Path:
    """A right-to-left story of three pages in two scenes, and a one-page epilogue."""
    return write(root, {
        "panelwright.yaml": "title: Night Dojo\nlanguage: ja\nauthor: Aiko Tanaka\n"
                            "reading_direction: rtl\nstyle: plain\n" + extra_config,
        "styles/plain.yaml": "name: Plain\ntreatment: flat\n",
        "worlds/edo.yaml": "name: Edo\nscenes:\n"
                           "  - id: dojo\n    name: Old Dojo\n    time_of_day: night\n"
                           "  - id: street\n    name: Lantern Street\n    time_of_day: dusk\n",
        "characters/kenji.md": "---\nname: Kenji\n---\nA young swordsman.\n",
        "characters/sensei.md": "---\nname: Sensei\n---\nAn old master.\n",
        "stories/visitor.md": "---\ntitle: The Visitor\nworld: edo\n"
                              "summary: A knock at the dojo after dark.\n---\n\n"
                              "## Old Dojo\n\n[wide_shot] The dojo at night.\n\n"
                              f"SENSEI: {MANGA_LINES[0]}\n\n---\n\n"
                              f"[close_up] Kenji at the door.\n\nKENJI: {MANGA_LINES[1]}\n\n"
                              "---\n\n## Lantern Street\n\n[medium_shot] Sensei steps out.\n\n"
                              f"SENSEI: {MANGA_LINES[2]}\n",
        "stories/epilogue.md": "---\ntitle: Epilogue\nworld: edo\n---\n\n## Old Dojo\n\n"
                               "[wide_shot] Morning at the dojo.\n\nCAPTION: Dawn.\n",
    })


def with_chapters(root: Path) -> Path:
    """The manga with a date, two dated chapters (one at a scene, one at a page) and a
    site URL."""
    manga(root, "site_url: https://example.org/dojo\n")
    story = root / "stories" / "visitor.md"
    story.write_text(story.read_text().replace(
        "summary:", "date: 2024-03-01\nchapters:\n"
        "  - {title: The Knock, starts: 1}\n"
        "  - {title: Outside, starts: Lantern Street, date: 2024-04-15}\nsummary:"))
    return root
