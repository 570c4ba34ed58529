"""`atlas-compile init`: a new project from the templates in templates/ (the spec files, the
editor's JSON Schema association, pre-commit, .gitignore). `files` decides what to write,
`command` writes it and reports."""
from .command import run_init

__all__ = ["run_init"]
