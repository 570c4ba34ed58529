"""The compile pipeline from a schema folder to a model, one phase after another."""
from __future__ import annotations

from pathlib import Path

from .loader import load_folder
from .lower import lower
from .model import Model
from .shape import check_shape
from .spec import merge


def compile_folder(folder: Path) -> Model:
    sources = load_folder(folder)
    check_shape(sources)
    spec = merge(sources)
    return lower(spec)
