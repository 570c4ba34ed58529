"""Schemas and extensions: created before everything else, dropped after it."""
from __future__ import annotations

from .base import Create, Drop
from .kind import Kind, register

SCHEMA = register(Kind("schema", rank=0, early=True, operations=(Create, Drop)))
EXTENSION = register(Kind("extension", rank=1, early=True, operations=(Create, Drop)))
