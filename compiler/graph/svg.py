"""SVG through Graphviz: the dot text piped into `dot -Tsvg`. Graphviz is a program, not a Python
dependency, so its absence is an expected condition with one clear line, not a traceback."""
from __future__ import annotations

import shutil
import subprocess


class GraphvizMissing(Exception):
    """`dot` is not on PATH."""


class GraphvizFailed(Exception):
    """`dot` ran and refused the input (a bug of the dot renderer: say what dot said)."""


def to_svg(dot_text: str, *, timeout: float = 300) -> bytes:
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing("graph --format svg needs Graphviz's `dot` on PATH: install graphviz "
                              "(apt-get install graphviz, brew install graphviz), or use --format dot or mermaid")
    done = subprocess.run([dot, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=timeout)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise GraphvizFailed(f"dot -Tsvg failed (exit {done.returncode}): {said[0] if said else 'no message'}")
    return done.stdout
