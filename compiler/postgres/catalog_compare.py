"""Two catalog snapshots (:func:`.catalog.snapshot_catalog`) of the managed schemas compared
object by object, each difference classified by what it does to access: the one comparison
`verify --database-url` and `drift` share (each words the differences its own way).

  widens_access  an extra permissive policy, a missing restrictive one (the tenant fence), a
                 changed policy that admits more or restricts less (:mod:`compiler.policy_direction`),
                 RLS or FORCE switched off, an extra privilege (a grant to anon, authenticated,
                 PUBLIC or anyone), a security definer function changed (body, search_path) or a
                 function made definer, a view no longer security_invoker, an extra table that
                 the API roles may read without row level security, an API role made superuser
                 or BYPASSRLS or a member of a role (:mod:`.role_facts`, category "roles")
  missing        in the reference, not in the database (a missing permissive policy narrows)
  changed        on both sides, different, not widening access (a policy that now admits
                 less or restricts more: ``access`` says "narrower")
  extra          in the database only, not widening access (an extra restrictive policy)

Each difference also says how sure the widening is (``access``): "wider" when the change
provably widens (``true``, a dropped fence, a grant), "may widen" when the comparison cannot
tell (a policy expression rewritten, a definer function's body changed): still widens_access,
worded "may widen access" by drift and verify, "narrower" for a policy change that provably
narrows (``false``, the reference's expression AND more), None otherwise.

The reference is what the spec compiles to (a fresh build applied in a scratch database); the
live side is the database being held to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..policy_direction import MAY_WIDEN, WIDER, catalog_direction
from ..policy_direction import NARROWER as NARROWER  # drift and verify read a Difference's access by it
from .role_facts import bypasses, role_widenings

WIDENS, MISSING, CHANGED, EXTRA = "widens_access", "missing", "changed", "extra"
RANK = (WIDENS, MISSING, CHANGED, EXTRA)    # the worst classification of a key's fields wins
API_GRANTEES = {"anon", "authenticated", "PUBLIC"}
# Categories covering the whole database: only what the reference has is compared.
_WHOLE_DATABASE = {"extensions", "publications"}
# What one object of each category is called in a report.
NOUN = {"relations": "relation", "columns": "column", "constraints": "constraint", "indexes": "index",
        "policies": "policy", "triggers": "trigger", "functions": "function", "enums": "enum",
        "domains": "domain", "views": "view", "sequences": "sequence", "comments": "comment",
        "schemas": "schema", "extensions": "extension", "publications": "publication",
        "publication_tables": "publication member", "roles": "role"}

Snapshot = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Difference:
    """One object that differs: its facts on each side (None where it is absent)."""

    category: str                 # a snapshot category: "policies", "columns", ...
    key: str                      # "public.tickets.tickets_select"
    kind: str                     # one of RANK
    live: dict | None
    reference: dict | None
    access: str | None = None     # WIDER, MAY_WIDEN, NARROWER or None (see module doc)

    @property
    def may_only_widen(self) -> bool:
        """A widening the comparison cannot prove: worded "may widen access"."""
        return self.kind == WIDENS and self.access == MAY_WIDEN

    @property
    def presence(self) -> str:
        """missing, extra or changed: where the object is, whatever it does to access."""
        return MISSING if self.live is None else EXTRA if self.reference is None else CHANGED


def restrict(snapshot: Snapshot, schemas: set[str], verifier: str | None = None) -> Snapshot:
    """The snapshot without what lies outside the managed schemas (snapshot_catalog lists every
    schema and every publication member of the database), and without the privileges granted to
    ``verifier``: the role verify runs as when it is not a superuser needs them (live_rights)."""
    kept = {category: {key: _without_grantee(facts, verifier) for key, facts in rows.items()}
            for category, rows in snapshot.items()} if verifier else dict(snapshot)
    kept["schemas"] = {k: v for k, v in kept.get("schemas", {}).items() if k in schemas}
    kept["publication_tables"] = {k: v for k, v in kept.get("publication_tables", {}).items()
                                  if k.split(": ", 1)[-1].split(".")[0] in schemas}
    return kept


def _without_grantee(facts: dict, grantee: str) -> dict:
    if not facts.get("acl"):
        return facts
    return {**facts, "acl": [entry for entry in facts["acl"] if entry[1] != grantee]}


def compared_keys(live: Snapshot, reference: Snapshot) -> Iterator[tuple[str, str]]:
    """Every (category, key) the comparison looks at, whether it differs or not."""
    for category in sorted(live.keys() | reference.keys()):
        mine, theirs = live.get(category, {}), reference.get(category, {})
        if category == "roles":     # roles of both clusters, but those RLS never held (postgres)
            keys = {k for k in mine.keys() & theirs.keys() if not bypasses(theirs[k])}
        else:
            keys = theirs.keys() if category in _WHOLE_DATABASE else mine.keys() | theirs.keys()
        for key in sorted(keys):
            yield category, key


def catalog_differences(live: Snapshot, reference: Snapshot) -> list[Difference]:
    """Every differing object, the worst for access first, then by key."""
    found = []
    for category, key in compared_keys(live, reference):
        mine, theirs = live.get(category, {}).get(key), reference.get(category, {}).get(key)
        if category == "roles":     # only what widens: the spec does not define roles
            if role_widenings(mine, theirs):
                found.append(Difference(category, key, WIDENS, mine, theirs, WIDER))
        elif mine != theirs:
            kind, access = _classify(category, mine, theirs)
            found.append(Difference(category, key, kind, mine, theirs, access))
    return sorted(found, key=lambda d: (RANK.index(d.kind), d.key))


def _classify(category: str, live: dict | None, ref: dict | None) -> tuple[str, str | None]:
    """(classification, access) of one differing object."""
    if category == "policies":
        return _policy_kind(live, ref)
    if ref is None:
        return (WIDENS, WIDER) if _extra_widens(category, live) else (EXTRA, None)
    if live is None:
        return MISSING, None
    kinds = [_field_kind(category, name, live.get(name), ref.get(name), live)
             for name in live.keys() | ref.keys() if live.get(name) != ref.get(name)]
    kind = min(kinds, key=lambda k: (RANK.index(k[0]), k[1] != WIDER))
    return kind if kind[0] == WIDENS else (kind[0], None)


def _policy_kind(live: dict | None, ref: dict | None) -> tuple[str, str | None]:
    """A grant (permissive) widens when it is extra, a fence (restrictive) when it is missing;
    a changed one as :func:`compiler.policy_direction.catalog_direction` finds it."""
    access = catalog_direction(live, ref)
    if access in (WIDER, MAY_WIDEN):
        return WIDENS, access
    return (MISSING if live is None else EXTRA if ref is None else CHANGED), access


def _extra_widens(category: str, live: dict) -> bool:
    if category == "relations":
        return not live["rowsecurity"] and bool(grantees(live.get("acl")) & API_GRANTEES)
    if category == "functions":
        return live["security_definer"] and bool(grantees(live.get("acl")) & API_GRANTEES)
    return False


def _field_kind(category: str, name: str, live: Any, ref: Any, live_row: dict) -> tuple[str, str | None]:
    """(classification, access) of one differing field."""
    if name == "acl":
        return (WIDENS, WIDER) if set(map(tuple, live or ())) - set(map(tuple, ref or ())) else (MISSING, None)
    if category == "relations" and name in ("rowsecurity", "forcerowsecurity"):
        return (WIDENS, WIDER) if ref and not live else (CHANGED, None)
    if category == "relations" and name == "reloptions":
        lost = "security_invoker=true" in (ref or ()) and "security_invoker=true" not in (live or ())
        return (WIDENS, WIDER) if lost else (CHANGED, None)
    if category == "functions" and name == "security_definer":
        return (WIDENS, WIDER) if live else (CHANGED, None)
    if category == "functions" and live_row.get("security_definer"):
        return WIDENS, MAY_WIDEN        # a definer's body or settings: what it now does is unknown
    return CHANGED, None


def grantees(acl) -> set[str]:
    return {entry[1] for entry in acl or ()}
