"""Named style presets: a look by name, as the seed's `"style": "fantasy_anime"`.

Each preset is a treatment, a palette and a guidance, plus the words a model engine is
told. A style file takes one with `preset: NAME` (its own fields win), and a story or a
comic panel may name one as its style when no style file of that name exists. A
project's own presets are style files (`styles/<name>.yaml`): a file named like a
preset replaces it. The palette reaches the procedural engine as a swatch the
resolver adds in place of anchor images (`palette_swatch`), when the style has none.
"""

from __future__ import annotations

import io

from pydantic import BaseModel

# The path of a preset's palette swatch among the project's assets: no file of the
# repo can have it, and model engines are never sent it (engines/prompts.py).
SWATCH_PREFIX = "<palette>/"


class Preset(BaseModel):
    treatment: str
    palette: list[str]
    guidance: str
    look: str  # the words a model engine's prompt carries


def _p(treatment: str, palette: str, guidance: str, look: str) -> Preset:
    return Preset(treatment=treatment, palette=palette.split(), guidance=guidance, look=look)


PRESETS: dict[str, Preset] = {
    "fantasy_anime": _p("flat", "#1d2b53 #4f6fb3 #9fc3e8 #f4e3c1 #e8a1b0", "high",
                        "fantasy anime, cel shading, luminous skies, clean line art"),
    "ink_wash": _p("watercolour", "#1a1a1a #4a4f55 #8c9196 #d9d6cc", "high",
                   "East Asian ink wash painting, sumi-e brush strokes, soft grey washes"),
    "manga": _p("halftone", "#111111 #555555 #a8a8a8 #f5f3ee", "high",
                "black and white manga, screentone shading, crisp ink lines"),
    "noir": _p("noir", "#0b0b0d #2e2f33 #8a8a8a #c9a227", "high",
               "film noir comic, hard shadows, venetian-blind light, one warm accent"),
    "ligne_claire": _p("flat", "#20323f #3f7cac #e8c547 #f1e9da #c0392b", "high",
                       "ligne claire, uniform clean outlines, flat bright colours, Franco-Belgian"),
    "watercolour_storybook": _p("watercolour", "#3d5a40 #88b07c #f2d492 #f6efe0 #c97b63",
                                "low", "picture-book watercolour, soft edges, paper texture"),
    "retro_pulp": _p("halftone", "#2b1d14 #a8322d #e0a526 #f2e6c9 #3a6f8f", "high",
                     "1950s pulp comic, Ben-Day dots, bold primaries, aged newsprint"),
    "superhero": _p("ink", "#101820 #1f4e9c #d62828 #f7c948 #f1f1f1", "high",
                    "American superhero comic, dynamic inking, saturated colours"),
    "cyberpunk_neon": _p("flat", "#0d0221 #261447 #ff3864 #2de2e6 #f6019d", "high",
                         "cyberpunk, neon-lit night city, magenta and cyan glow"),
    "pastel_slice_of_life": _p("flat", "#6b5b73 #a7c5bd #f7d6bf #fbeee6 #e5a4a4", "low",
                               "soft pastel slice-of-life, gentle light, rounded shapes"),
    "gothic_horror": _p("ink", "#0a0a0a #2c1a2e #5e3a4f #9d8f8f #b3001b", "high",
                        "gothic horror, heavy blacks, scratchy ink, blood-red accents"),
    "sepia_vintage": _p("watercolour", "#2e1f14 #6b4a2f #b08a5a #ead9b9", "low",
                        "vintage sepia illustration, faded paper, etched detail"),
    "sci_fi_cel": _p("flat", "#0f1c2e #2f5d8a #7fb7be #e8eef2 #f29e4c", "high",
                     "retro science-fiction cel animation, clean hard-surface shapes"),
    "moonlit_ink": _p("ink", "#0e1a2b #34507a #a9bcd0 #eef2f6", "high",
                      "moonlit night, cool blue ink, silver highlights"),
}


def preset_names() -> list[str]:
    return sorted(PRESETS)


def palette_swatch(colours: list[str]) -> bytes:
    """A small PNG running through `colours` from darkest to lightest: what the
    procedural engine reads an anchor's palette and tonal range from."""
    from PIL import Image

    rgb = sorted((tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours),
                 key=lambda c: c[0] * 299 + c[1] * 587 + c[2] * 114)
    width, height = 96, 64
    image = Image.new("RGB", (width, height))
    stops = len(rgb) - 1
    for x in range(width):
        t = x / (width - 1) * max(stops, 1)
        a, b = rgb[min(int(t), stops)], rgb[min(int(t) + 1, stops)]
        f = t - int(t)
        colour = tuple(round(a[k] + (b[k] - a[k]) * f) for k in range(3))
        for y in range(height):
            image.putpixel((x, y), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
