"""Migration layouts: how a canonical migration (NNNN_slug, up and down texts with part markers)
becomes the files a team's runner applies, and how those files read back into the canonical
texts that `migrate` and verify run. One module per layout; `base.py` and `units.py` hold what
the runner layouts share, `versions.py` their version stamps."""
from __future__ import annotations

from . import atlas, dbmate, flyway, golang_migrate, supabase
from .base import Canonical, MissingFile, Texts

ATLAS = "atlas"
LAYOUTS = ("atlas", "supabase", "dbmate", "flyway", "golang-migrate")
_MODULES = {"atlas": atlas, "supabase": supabase, "dbmate": dbmate, "flyway": flyway, "golang-migrate": golang_migrate}

__all__ = ["ATLAS", "LAYOUTS", "Canonical", "MissingFile", "Texts", "layout"]


def layout(name: str):
    """The layout object of a name of LAYOUTS (KeyError otherwise)."""
    return _MODULES[name].LAYOUT
