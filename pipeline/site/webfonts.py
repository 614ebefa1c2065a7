"""The lettering faces as the site serves them: the files, their licences, their @font-face.

The main face is served whole (`assets/lettering.ttf`, or `.otf`). Every other face the
lettering used is cut with fontTools to exactly the characters of the balloons lettered
with it (and their transcript lines), served as WOFF2 under the font's own family name,
next to its own licence: the package's licence file when it came with one, else what the
font's name table says (copyright, licence, licence URL). Subsetting a large CJK font
takes seconds, so each subset is kept in the build cache under a key of the face and the
characters: a rebuild that letters the same words does not cut again.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..lettering.fonts import Face, LetteringFont
from ..runtime.cache import Cache, digest
from ..specs import LetteredPanel, StoryPlan

MAIN_FAMILY = "PanelwrightLettering"


@dataclass
class WebFonts:
    """What the site serves for lettering."""

    families: list[str]  # the CSS family of each face of the chain (index = Balloon.face)
    data: dict[str, bytes] = field(default_factory=dict)  # site path -> bytes
    text: dict[str, str] = field(default_factory=dict)  # site path -> text (licences, css)

    @property
    def main_file(self) -> str:
        """The main face's site path (`assets/lettering.ttf` or `.otf`): pages preload it."""
        return next(path for path in self.data if path.startswith("assets/lettering."))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "font"


def _css_name(name: str) -> str:
    return re.sub(r"[\"'\\;{}<>]", "", name).strip() or "Lettering"


def needed_chars(plans: list[StoryPlan], lettered: dict[str, LetteredPanel]) -> dict[int, str]:
    """Face index -> the characters the site letters with it: each balloon's lettered
    text, its lines, and the line as written (the transcript shows it)."""
    chars: dict[int, set[str]] = {}
    for story_plan in plans:
        for panel in story_plan.panels:
            for b in lettered[panel.id].balloons:
                said = panel.lines[b.order].text if b.order < len(panel.lines) else ""
                chars.setdefault(b.face, set()).update(b.text, "".join(b.lines), said)
    return {face: "".join(sorted(c for c in found if c.isprintable()))
            for face, found in chars.items()}


def serve(root: str | Path, font: LetteringFont, plans: list[StoryPlan],
          lettered: dict[str, LetteredPanel]) -> WebFonts:
    """The lettering font files, their licences and `assets/lettering.css`."""
    main = font.faces[0]
    ext, kind = ("otf", "opentype") if main.data[:4] == b"OTTO" else ("ttf", "truetype")
    served = WebFonts(families=[MAIN_FAMILY])
    served.data[f"assets/lettering.{ext}"] = main.data
    served.text["assets/lettering-LICENSE.txt"] = licence_text(main)
    rules = [_face_rule(MAIN_FAMILY, f"lettering.{ext}", kind)]
    needed = needed_chars(plans, lettered)
    cache = Cache(root)
    used = set()
    for index, face in enumerate(font.faces[1:], start=1):
        family = _css_name(face.family)
        while family in used or family == MAIN_FAMILY:
            family = f"{family} {index}"
        used.add(family)
        served.families.append(family)
        chars = "".join(c for c in needed.get(index, "") if face.covers(c))
        if not chars:
            continue
        woff2, licence = subset_cached(cache, face, chars + " ")
        name = f"{_slug(family)}-{digest(woff2.hex())[:10]}"
        served.data[f"assets/fonts/{name}.woff2"] = woff2
        served.text[f"assets/fonts/{_slug(family)}-LICENSE.txt"] = licence
        rules.append(_face_rule(family, f"fonts/{name}.woff2", "woff2"))
    fallbacks = "".join(f'"{f}", ' for f in served.families[1:])
    rules.append('.reader main { font-family: system-ui, -apple-system, "Segoe UI", Roboto, '
                 f'{fallbacks}sans-serif; }}')
    cache.save()
    served.text["assets/lettering.css"] = "\n".join(rules) + "\n"
    return served


def _face_rule(family: str, url: str, kind: str) -> str:
    return (f'@font-face {{\n  font-family: "{family}";\n  src: url("{url}") '
            f'format("{kind}");\n  font-display: block;\n}}')


def subset_cached(cache: Cache, face: Face, chars: str) -> tuple[bytes, str]:
    """The face cut to `chars`, as WOFF2, and its licence text: from the cache when the
    same face was cut to the same characters before."""
    from fontTools import version as fonttools_version
    key = digest("webfont", face.digest, face.index, chars, fonttools_version)
    hit = cache.get(key, "woff2")
    if hit is not None and "licence" in hit[1]:
        return hit[0].read_bytes(), hit[1]["licence"]
    data, licence = subset(face, chars), licence_text(face)
    cache.put(key, "woff2", data, {"licence": licence})
    return data, licence


def subset(face: Face, chars: str) -> bytes:
    """`face` with only the glyphs for `chars` (and what shaping them needs), as WOFF2."""
    from fontTools import subset as cutter
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" etc.
    options = cutter.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # Arabic joining forms, marks, vertical punctuation
    options.name_IDs = ["*"]  # the name table keeps the family, copyright and licence
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(io.BytesIO(face.data), fontNumber=face.index, lazy=False)
    worker = cutter.Subsetter(options)
    worker.populate(unicodes=[ord(c) for c in chars])
    worker.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _names(face: Face) -> dict[int, str]:
    from fontTools.ttLib import TTFont
    try:
        font = TTFont(io.BytesIO(face.data), fontNumber=face.index, lazy=True)
        table = font["name"]
        return {i: str(table.getDebugName(i) or "") for i in (0, 1, 13, 14)}
    except Exception:  # a font without a readable name table: say what we know
        return {}


def licence_text(face: Face) -> str:
    """The licence to serve next to `face`, headed with the face's own name and copyright.

    The package's licence file when it has one (its opening copyright lines replaced by
    the font's own when they name another font); else the font's name table: copyright
    (ID 0), licence (ID 13), licence URL (ID 14)."""
    names = _names(face)
    copyright_ = names.get(0, "")
    head = f"{face.family} ({face.origin})\n{copyright_}\n\n".replace("\n\n\n", "\n\n")
    if face.licence_file and Path(face.licence_file).is_file():
        body = Path(face.licence_file).read_text(errors="replace")
        start = body.find("This Font Software is licensed")
        if start > 0 and face.family.lower() not in body[:start].lower():
            body = body[start:]
        return head + body
    parts = [names.get(13, ""), names.get(14, "")]
    body = "\n\n".join(p for p in parts if p)
    return head + (body or "The font names no licence; ask its maker before you publish it.")
