"""The compile pipeline from a schema folder to a model, one phase after another."""
from __future__ import annotations

from pathlib import Path

from .hints import RenameHints
from .loader import load_folder
from .lower import lower_with_hints
from .model import Model
from .shape import check_shape
from .spec import merge


def compile_folder(folder: Path) -> Model:
    return compile_with_hints(folder)[0]


def compile_with_hints(folder: Path) -> tuple[Model, RenameHints]:
    """The model of the spec and its renamed_from hints (which the diff alone uses)."""
    sources = load_folder(folder)
    check_shape(sources)
    spec = merge(sources)
    return lower_with_hints(spec)
