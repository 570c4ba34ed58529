"""The CRM queries of issue 11, each in every case measured against its floor.

Cases of one query:
  floor       superuser, no RLS, hand-written `tenant = <org>` (the floor of the 1.3x budget)
  floor_same  as floor, plus `deleted_at is null` on a soft-delete table: the rows RLS returns
  rls         signed-in member under the generated policies, no tenant filter (the fence alone)
  rls_org     the same with the tenant filter too (what an app that knows its tenant sends)
  seed_floor  superuser on the seed-pattern copy, tenant filter
  seed        signed-in member on the copy under the seed's literal `IN (select ...)` policy
  seed_org    the same with the tenant filter
"""
from __future__ import annotations

from dataclasses import dataclass

from .seed import Seeding
from .spec import Target

PAGE = 50
CASES = {
    "floor": "superuser, no RLS, tenant filter (floor)",
    "floor_same": "floor + the policy's own filter (same rows)",
    "rls": "generated RLS, no tenant filter",
    "rls_org": "generated RLS, with tenant filter",
    "seed_floor": "superuser on the seed copy (its floor)",
    "seed": "seed IN (select ...) policy, no tenant filter",
    "seed_org": "seed IN (select ...) policy, tenant filter",
}
BASE = {"floor_same": "floor", "rls": "floor", "rls_org": "floor", "seed": "seed_floor", "seed_org": "seed_floor"}


@dataclass
class Case:
    query: str
    key: str
    sql: str
    write: bool

    @property
    def rls(self) -> bool:
        return self.key in ("rls", "rls_org", "seed", "seed_org")

    @property
    def base(self) -> str | None:
        return BASE.get(self.key)

    @property
    def judged(self) -> bool:
        return self.key in ("rls", "rls_org", "seed", "seed_org")


def _where(conds: list[str]) -> str:
    return f" where {' and '.join(conds)}" if conds else ""


@dataclass
class Queries:
    """Query texts for one target and tenant. Every value is SQL: literals for the timed runs,
    pgbench's variables (`:o`) in its scripts."""

    target: Target
    seeding: Seeding
    org: str                    # the tenant's uuid
    org_no: str                 # its number (what the seed derives the insert's parents from)
    cursor: str | None = None   # (recency, pk) of the first page's last row
    row: str | None = None      # the key of a live row of the tenant

    def shapes(self) -> dict[str, tuple[str, list[str], bool]]:
        """name -> (SQL with {t} for the table and {w} for its where clause, conditions, write)."""
        t = self.target
        cols = ", ".join(t.shown)
        status = [f"{t.status} = '{t.status_values[0]}'"] if t.status else []
        out = {"page": (f"select {cols} from {{t}}{{w}} order by {t.recency} desc limit {PAGE}", status, False)}
        if self.cursor:
            after = f"({t.recency}, {t.pk}) < {self.cursor}"
            out["next page"] = (f"select {cols} from {{t}}{{w}} order by {t.recency} desc, {t.pk} desc limit {PAGE}",
                                [after], False)
        group = f"{t.status}, count(*)" if t.status else "count(*)"
        tail = f" group by {t.status} order by {t.status}" if t.status else ""
        out["count by status" if t.status else "count"] = (f"select {group} from {{t}}{{w}}{tail}", [], False)
        if self.row:
            by_id = [f"{t.pk} = {self.row}"]
            out["one by id"] = ("select * from {t}{w}", by_id, False)
            pairs = self.seeding.values(t.table_obj, "1000000001", self.org_no, insert=True)
            names = ", ".join(c for c, _ in pairs)
            out["insert"] = (f"insert into {{t}} ({names}) select {', '.join(v for _, v in pairs)} returning {t.pk}",
                             [], True)
            change = (f"{t.status} = '{t.status_values[1 % len(t.status_values)]}'" if t.status
                      else f"{t.recency} = {t.recency}")
            out["update"] = (f"update {{t}} set {change}{{w}} returning {t.pk}", by_id, True)
        return out

    def cases(self, seed_copy: str | None) -> list[Case]:
        t = self.target
        org = f"{t.tenant} = {self.org}"
        live = [f"{t.soft_delete} is null"] if t.soft_delete else []
        out = []
        for name, (sql, conds, write) in self.shapes().items():
            tables = [("", t.qualified)] + ([("seed", f"public.{seed_copy}")] if seed_copy else [])
            for prefix, table in tables:
                variants = {"floor": [org] + conds, "floor_same": [org] + live + conds,
                            "rls": conds, "rls_org": [org] + conds}
                if name == "insert":
                    variants = {"floor": [], "rls": []}
                if not live or prefix:
                    variants.pop("floor_same", None)
                for key, where in variants.items():
                    key = {"": key, "seed": {"floor": "seed_floor", "rls": "seed", "rls_org": "seed_org"}.get(key)}[prefix]
                    if key:
                        out.append(Case(name, key, sql.format(t=table, w=_where(where)), write))
        return out
