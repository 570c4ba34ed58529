"""What a view query's names resolve in: FROM items with their columns, nested scopes with
their CTEs, and the small rules of derived tables and alias column lists."""
from __future__ import annotations

from dataclasses import dataclass, field

SYSTEM_COLUMNS = ("tableoid", "xmin", "cmin", "xmax", "cmax", "ctid")


@dataclass
class Item:
    """One FROM item: the name that qualifies its columns and what each column reads."""

    refname: str | None
    label: str
    columns: dict                            # name -> frozenset of read keys
    open: bool = False                       # it may have columns not listed
    system: bool = False                     # a table: system columns exist
    whole: frozenset = frozenset()           # what `t.*` or a whole-row `t` reads
    hidden: set = field(default_factory=set)  # merged by USING/NATURAL: only qualified references see them
    relname: str | None = None               # the relation's own name, when an alias hides it
    schema: str | None = None
    hints: dict = field(default_factory=dict)

    def visible(self) -> list[str]:
        return [n for n in self.columns if n not in self.hidden]

    def has(self, name: str, qualified: bool) -> bool:
        if name in self.columns and (qualified or name not in self.hidden):
            return True
        return self.system and name in SYSTEM_COLUMNS


@dataclass
class Scope:
    parent: "Scope | None"
    items: list = field(default_factory=list)
    ctes: dict = field(default_factory=dict)     # name -> (columns, open)

    def chain(self):
        level = self
        while level is not None:
            yield level
            level = level.parent

    def cte(self, name: str):
        return next((level.ctes[name] for level in self.chain() if name in level.ctes), None)


def cte_columns(named: list, outputs: list) -> tuple[list, bool]:
    names = list(named) + [n for n in outputs[len(named):] if n]
    return names, None in outputs[len(named):]


def derived(name: str | None, label: str, outputs: list, alias) -> Item:
    columns = {n: frozenset() for n in outputs if n}
    if alias is not None and alias.colnames:
        renamed = [n.sval for n in alias.colnames]
        columns = {n: frozenset() for n in renamed + [o for o in outputs[len(renamed):] if o]}
    return Item(name, label, columns, open=None in outputs)


def renamed_columns(columns: dict, names: list[str]) -> dict:
    """An alias column list renames the first columns, in order."""
    old = list(columns.items())
    result = {new: reads for new, (_, reads) in zip(names, old)}
    for name, reads in old[len(names):]:
        result.setdefault(name, reads)
    return result


def is_local(name: str, scope: Scope) -> bool:
    return any(i.has(name, qualified=False) or i.open for i in scope.items)


def described(item: Item) -> str:
    if item.relname:
        return f"{item.label} as {item.refname}"
    return item.label
