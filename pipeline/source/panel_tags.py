"""A panel's settings among its outline tags: `[close_up, seed=7]`, `[art=FILE]`,
`[sketch=FILE]` (docs/format.md, "Control of each panel").

Kept apart from the outline's grammar (`outline.py`, which calls `read_setting` for a
tag with '=') so that the loader can find the images a story names (`image_references`)
without parsing the outline, and read them within the project's limits.
"""

from __future__ import annotations

import re

from ..errors import did_you_mean

TAGS = re.compile(r"^\[(?P<tags>[^\]]+)\]\s*")  # a paragraph's tags
TAG_SPLIT = re.compile(r"[,;·\s]+")
SETTING = re.compile(r"^(?P<key>[^\W\d][\w-]*)=(?P<value>.*)$")
# 'seed = 7': split at its spaces it would read as three tags, none a shot
SPACED = re.compile(r"(?P<key>[^\W\d][\w-]*)(?:\s+=\s*|=\s+)(?P<value>[^\s,;·=]*)")
PANEL_SETTINGS = ("seed", "art", "sketch")
IMAGE_SETTINGS = ("art", "sketch")
MAX_SEED = 2**32 - 1


def _path(value: str) -> str | None:
    """An image path as written, or None when it cannot name a file of the project."""
    path = value.strip().removeprefix("./")
    if not path or path.startswith(("/", "~")) or "\\" in path or ":" in path:
        return None
    return path


def unspaced(tags: str) -> tuple[str, list[tuple[str, str]]]:
    """The tags with 'key = value' closed up to 'key=value', and (what is wrong, the fix)
    for each: a setting is written without spaces round its '='."""
    wrong = [(f"'{m.group(0)}': a panel's setting is written without spaces round '='",
              f"write [{m.group('key')}={m.group('value') or '...'}]")
             for m in SPACED.finditer(tags)]
    return SPACED.sub(r"\g<key>=\g<value>", tags), wrong


def read_setting(key: str, value: str, settings: dict) -> tuple[str, str] | None:
    """Add `key=value` to a panel's `settings`; or (what is wrong, the fix) when it is
    not a setting, or not a good value (then the panel is drawn as if it were not there)."""
    name = key.lower()
    if name not in PANEL_SETTINGS:
        return (f"'{key}=' is not a setting of a panel",
                did_you_mean(name, list(PANEL_SETTINGS)) or "a panel's settings are seed=N "
                "(another draw of it), art=FILE (your own art) and sketch=FILE (the picture "
                "an engine starts from)")
    if name in settings:
        return (f"this panel has {name}= twice", f"keep one {name}= (the one you mean)")
    if name == "seed":
        if not value.isascii() or not value.isdigit() or int(value) > MAX_SEED:
            return (f"'seed={value}': a panel's seed is a whole number from 0 to {MAX_SEED}",
                    "write e.g. [seed=7]; each number is another draw of this panel, and "
                    "seed=0 (or none) is its first")
        settings["seed"] = int(value)
        return None
    path = _path(value)
    if path is None:
        return (f"'{key}={value}' does not name an image in the project",
                f"write the image's path from the project folder, e.g. "
                f"[{name}=drawings/gate.png] (no spaces or commas in it)")
    if any(other in settings for other in IMAGE_SETTINGS):
        return ("a panel may have one of art= and sketch=, not both",
                "art= is the panel's finished art; sketch= is where an engine starts "
                "drawing it: keep one")
    settings[name] = path
    return None


def image_references(body: str) -> list[str]:
    """The images a story's tags name (art= and sketch=), for the loader to read; what is
    wrong with them the outline's parser reports."""
    found = []
    for line in body.splitlines():
        tagged = TAGS.match(line.strip())
        for tag in TAG_SPLIT.split(unspaced(tagged.group("tags"))[0]) if tagged else []:
            setting = SETTING.match(tag)
            if setting and setting.group("key").lower() in IMAGE_SETTINGS:
                path = _path(setting.group("value"))
                if path:
                    found.append(path)
    return list(dict.fromkeys(found))
