"""An engine's abilities are part of its declared interface: a plugin that is not a
whole engine is refused when it is loaded, by its entry point's name, and the
built-in engines say what they can do instead of being probed for it."""

from __future__ import annotations

import textwrap

import pytest

from pipeline import engines
from pipeline.engines import (IMAGE_GROUP, TEXT_GROUP, Engine, ImageEngine, NotAnEngine, TextEngine,
                              engine_class, load_engine)

PLUGIN = '''
from typing import ClassVar
from pipeline.engines import Drawing, Engine, EngineSettings

class HalfSettings(EngineSettings):
    size: int = 3

class HalfEngine:  # written before the contract: no draw, no abilities
    name: ClassVar[str] = "half"
    version: ClassVar[str] = "1"
    Settings = HalfSettings
    def __init__(self, settings):
        self.settings = settings

def not_a_class(settings):
    return None

class WholeEngine(Engine):
    name: ClassVar[str] = "whole"
    version: ClassVar[str] = "1"
    Settings = HalfSettings
    def draw(self, request):
        raise NotImplementedError
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A third-party package installed on the path, registering three image engines."""
    (tmp_path / "half_plugin.py").write_text(PLUGIN)
    info = tmp_path / "half_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: half-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [panelwright.image_engines]
        half = half_plugin:HalfEngine
        function = half_plugin:not_a_class
        whole = half_plugin:WholeEngine
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    engines.available.cache_clear()
    yield
    engines.available.cache_clear()


def test_an_engine_without_its_method_is_refused_by_name(plugin):
    with pytest.raises(NotAnEngine) as refused:
        load_engine(IMAGE_GROUP, "half", {})
    message = str(refused.value)
    assert "'half'" in message and "half_plugin:HalfEngine" in message
    assert "draw" in message and "max_in_flight" in message and "secret_fields" in message
    assert "pipeline.engines.Engine" in message  # and what to do about it


def test_an_entry_point_that_is_not_a_class_is_refused(plugin):
    with pytest.raises(NotAnEngine, match="half_plugin:not_a_class.*not a class"):
        load_engine(IMAGE_GROUP, "function", {})


def test_a_plugin_derived_from_the_base_gets_every_default(plugin):
    engine = load_engine(IMAGE_GROUP, "whole", {"size": 5})
    assert isinstance(engine, ImageEngine)
    assert engine.settings.size == 5
    assert engine.max_in_flight is None and engine.secret_fields == frozenset()


def test_the_built_in_engines_declare_their_abilities():
    scripted, model = engine_class(TEXT_GROUP, "scripted"), engine_class(TEXT_GROUP, "openai")
    assert (scripted.generate_only, model.generate_only) == (False, True)
    for name in ("procedural", "automatic1111", "comfyui", "openai", "diffusers"):
        cls = engine_class(IMAGE_GROUP, name)
        assert issubclass(cls, Engine) and cls.secret_fields == frozenset()
    assert load_engine(IMAGE_GROUP, "procedural", {}).max_in_flight is None  # a process pool
    remote = load_engine(IMAGE_GROUP, "automatic1111", {"max_in_flight": 5})
    assert isinstance(remote, ImageEngine) and remote.max_in_flight == 5
    assert isinstance(load_engine(TEXT_GROUP, "scripted", {}), TextEngine)


def test_check_reports_a_plugin_that_is_not_an_engine_at_its_line(plugin, copy_project):
    from pipeline.build import check
    root = copy_project("valid")
    with open(root / "panelwright.yaml", "a") as config:
        config.write("engines:\n  image: half\n")
    [problem] = [p for p in check(root) if p.severity == "error"]
    assert problem.file == "panelwright.yaml" and problem.line is not None
    assert "half_plugin:HalfEngine" in problem.message and "draw" in problem.message
