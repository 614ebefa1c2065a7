"""How the project's objects look in a notebook: HTML cards, tables and images.

Thin views over the plain models (which stay display-free): a character as a card
with its avatar, a scene as a card with a thumbnail, story nodes as a table, a
panel as its picture with its spec beside it, a page as it appears on the site.
Images are inlined as data URIs; every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from PIL import Image

from ..format.model import Character, SceneCard
from ..specs import PanelSpec, StoryNode

CARD = ("border:1px solid #ccc;border-radius:8px;padding:12px;display:flex;gap:14px;"
        "font-family:sans-serif;max-width:760px;background:#fff;color:#111")


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th style='text-align:left;padding-right:10px'>{escape(k)}</th>"
                   f"<td>{escape(str(v))}</td></tr>" for k, v in pairs if v not in ("", None, []))


class View:
    """A model with a rich display; attribute access goes through to the model."""

    def __init__(self, model: Any):
        self.model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r})"


class CharacterView(View):
    def __init__(self, model: Character, avatar: bytes | None):
        super().__init__(model)
        self.avatar = avatar

    def _repr_html_(self) -> str:
        c = self.model
        image = (f"<img src='{data_uri(self.avatar)}' style='width:140px;height:140px;"
                 f"object-fit:cover;border-radius:50%'>" if self.avatar else "")
        return (f"<div style='{CARD}'>{image}<div><h3 style='margin:0'>{escape(c.name)}</h3>"
                f"<table>{_rows([('id', c.id), ('personality', c.personality), ('first_mes', c.first_mes), ('tags', ', '.join(c.tags))])}</table>"
                f"<p>{escape(c.description)}</p></div></div>")


class SceneView(View):
    def __init__(self, model: SceneCard, thumbnail: Image.Image | None = None):
        super().__init__(model)
        self.thumbnail = thumbnail

    def _repr_html_(self) -> str:
        s = self.model
        image = (f"<img src='{data_uri(png_bytes(self.thumbnail))}' style='width:240px'>"
                 if self.thumbnail is not None else "")
        swatches = "".join(f"<span style='display:inline-block;width:18px;height:18px;"
                           f"background:{escape(c)};margin-right:3px'></span>" for c in s.palette)
        return (f"<div style='{CARD}'>{image}<div><h3 style='margin:0'>{escape(s.name)}</h3>"
                f"<table>{_rows([('id', s.id), ('time of day', s.time_of_day.value), ('weather', s.weather.value), ('place', s.place.value if s.place else 'from the words')])}</table>"
                f"<p>{swatches}</p><p>{escape(s.description)}</p></div></div>")


class NodesTable(View):
    def __init__(self, model: list[StoryNode]):
        super().__init__(model)

    def __iter__(self):
        return iter(self.model)

    def __len__(self) -> int:
        return len(self.model)

    def __getitem__(self, index: int) -> StoryNode:
        return self.model[index]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("id", "scene", "camera", "cast",
                                                  "description", "words"))
        body = ""
        for n in self.model:
            camera = " ".join(v.value for v in (n.shot, n.angle) if v) or "(planner)"
            words = "<br>".join(escape(f"{w.speaker or w.kind.value.upper()}: {w.text}")
                                for w in n.lines)
            body += (f"<tr><td>{escape(n.id)}</td><td>{escape(n.scene)}</td>"
                     f"<td>{escape(camera)}</td><td>{escape(', '.join(n.characters))}</td>"
                     f"<td>{escape(n.description)}</td><td>{words}</td></tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class PanelView(View):
    """A drawn panel: `image` is its art (a PIL image), `spec` its PanelSpec."""

    def __init__(self, model: PanelSpec, image: Image.Image):
        super().__init__(model)
        self.spec = model
        self.image = image

    def _repr_png_(self) -> bytes:
        return png_bytes(self.image)

    def _repr_html_(self) -> str:
        s = self.spec
        preview = self.image.copy()
        preview.thumbnail((480, 480))
        return (f"<div style='{CARD}'><img src='{data_uri(png_bytes(preview))}' "
                f"style='max-width:480px'><table>{_rows([('id', s.id), ('scene', s.scene), ('shot', s.camera.shot.value), ('angle', s.camera.angle.value), ('chosen by', s.camera.chosen_by), ('cast', ', '.join(s.characters)), ('size', f'{s.width}×{s.height}'), ('seed', s.seed), ('style', s.style), ('description', s.description)])}</table></div>")


class PageView(View):
    """A comic page as it appears on the site, lettering included."""

    def __init__(self, model: Any, image: Image.Image):
        super().__init__(model)
        self.image = image

    def _repr_png_(self) -> bytes:
        return png_bytes(self.image)

    def _repr_html_(self) -> str:
        return (f"<figure style='margin:0'><img src='{data_uri(png_bytes(self.image))}' "
                f"style='max-width:640px;box-shadow:0 2px 8px #0004'><figcaption>"
                f"{escape(self.model.story)}, page {self.model.number} "
                f"({escape(self.model.layout)})</figcaption></figure>")


class Progress:
    """A progress bar in a notebook (updated in place), a plain line elsewhere."""

    def __init__(self, label: str):
        self.label = label
        self.handle = None
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
            if get_ipython() is not None and getattr(get_ipython(), "kernel", None):
                self.handle = display(HTML(self._html(0, 1)), display_id=True)
                self._html_cls = HTML
        except ImportError:
            pass

    def _html(self, done: int, total: int) -> str:
        return (f"<div style='font-family:sans-serif'>{escape(self.label)}: "
                f"<progress value='{done}' max='{max(total, 1)}' style='width:300px'>"
                f"</progress> {done}/{total}</div>")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.handle is not None:
            self.handle.update(self._html_cls(self._html(done, total)))
