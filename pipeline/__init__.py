"""Panelwright: turn a folder of plain-text story files into a generated comic.

The import package is called ``pipeline`` because it *is* the pipeline:
load -> validate -> resolve -> story nodes -> plan -> art -> lettering -> compose -> site.
``pipeline.build.build`` runs those stages in order.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `from pipeline import Studio` without importing the whole pipeline at start-up
    if name == "Studio":
        from .studio.api import Studio
        return Studio
    raise AttributeError(name)
