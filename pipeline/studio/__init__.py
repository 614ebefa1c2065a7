"""The Python API (`Studio`) and its notebook displays and previews.

Names are re-exported lazily so that importing one part does not import them all.
"""


def __getattr__(name: str):
    if name == "Studio":
        from .api import Studio
        return Studio
    raise AttributeError(name)
