"""Functions: replaced in place while the signature holds, else dropped and created again."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import PRIVATE, PUBLIC, Function
from .base import CREATE, Create, Drop, SelfInverse
from .kind import Kind, register, whole_object_phrase


@dataclass(frozen=True)
class ReplaceFunction(SelfInverse):
    """Same signature and return type: CREATE OR REPLACE keeps every dependent in place."""

    before: Function
    after: Function
    family = "function"
    verb = "replace"
    phase = CREATE
    hazards = ()
    swaps = ("before", "after")

    @property
    def key(self):
        return self.after.key

    @property
    def needs(self):
        return self.after.requires

    @property
    def restores_api_roles(self) -> bool:
        """Back to a function anyone may call (a definer made invoker, or a down): the EXECUTE
        that PUBLIC and, by Supabase's default privileges, anon and authenticated held is given
        back, so the catalog is what creating it gave."""
        return self.before.revokes_api_roles and self.after.executable_by_public


def _changed(original, before, after, ctx) -> list:
    if (before.arguments, before.returns) == (after.arguments, after.returns):
        return [ReplaceFunction(before, after)]
    return [Drop(original), Create(after)]


def _depends_on(function) -> set:
    # PostgreSQL keeps no column dependencies for an sql function's body, so a function
    # is rebuilt only when a relation it reads is (its return type may be that relation).
    return set(function.requires) if function.reads else set()


def _names_enum(function, name: str) -> bool:
    words = " ".join([function.returns] + [a.type for a in function.arguments]).replace("[]", " ").replace("(", " ")
    return any(w.removeprefix(PUBLIC + ".").strip('"') == name for w in words.split())


def _phrase(op, rebuilt) -> str | None:
    if op.key[1] == PRIVATE:
        return None   # a generated helper: named by the table or view it serves
    return whole_object_phrase(op, rebuilt)


KIND = register(Kind(
    "function", rank=3, changed=_changed, rebuilt_around=True, depends_on=_depends_on, names_enum=_names_enum,
    names=lambda obj: [(("function", obj.schema, obj.name), f"function {obj.name}")],
    phrase=_phrase, operations=(Create, Drop, ReplaceFunction)))
