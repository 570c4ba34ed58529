"""Old model vs new model -> operations. Objects are compared by key; a changed object is
replaced (dropped and created) unless its family knows a finer change."""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import CompileError, Diagnostic, Location
from .model import Model
from .ops import Create, Drop
from .plan import order


@dataclass
class Changes:
    operations: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def diff_models(old: Model, new: Model) -> Changes:
    before, after = old.by_key(), new.by_key()
    operations = []
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if a is not None and a.family == "table" or b is not None and b.family == "table":
            raise CompileError([Diagnostic(
                "E903", f"changing table {key[2]} needs an incremental migration, which this build "
                        "cannot write yet", Location("schema"))])
        if a is not None:
            operations.append(Drop(a))
        if b is not None:
            operations.append(Create(b))
    return Changes(order(operations))


def slug_for(operations: list) -> str:
    """A short deterministic name for what a migration does."""
    words = []
    for op in operations:
        word = f"{op.verb}_{op.obj.key[-1]}"
        if word not in words:
            words.append(word)
    slug = "_".join(words[:3]) if len(words) <= 3 else f"{words[0]}_and_{len(words) - 1}_more"
    return slug[:60].rstrip("_") or "changes"
