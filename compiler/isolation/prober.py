"""What every probe stands on: sessions as a member of tenant A or as ``anon``, statements tried
in savepoints that are always rolled back, the verdict on a refused write, and the positive
controls (signed in for real; A sees, inserts and updates its own rows) without which a probe
that finds no leak would prove nothing."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import psycopg
from psycopg import ClientCursor, sql

from ..model import DeclaredAccess
from ..postgres.session import acting_as
from . import catalog
from .report import ERROR, FAIL, PASS, Finding
from .rows import ident
from .seeding import Seed, SeededTenant
from .signin import sign_in_of
from .tenancy import split

INSUFFICIENT_PRIVILEGE = "42501"  # permission denied and "violates row-level security policy"
FOREIGN_KEY_VIOLATION = "23503"
OWN = object()   # a session names the signed-in member's own tenant (scalar modes of current_tenant)


@dataclass
class Outcome:
    rowcount: int | None = None
    rows: list | None = None
    error: psycopg.Error | None = None
    statement: str | None = None   # what was run, values bound
    looked: bool = False           # attempt_and_look: the superuser's look found what it sought

    @property
    def sqlstate(self) -> str | None:
        return self.error.sqlstate if self.error is not None else None

    def describe(self) -> str:
        if self.error is not None:
            message = str(self.error).strip().splitlines()[0] if str(self.error).strip() else type(self.error).__name__
            return f"error {self.sqlstate}: {message}"
        return f"{self.rowcount} row(s)"


def bound(conn: psycopg.Connection, query: Any, params: Any = None) -> str:
    """The statement as text with its values bound, as a report shows it."""
    try:
        return ClientCursor(conn).mogrify(query, params)
    except (psycopg.Error, TypeError, ValueError):   # a value the client cannot quote: show the shape
        return query.as_string(conn) if isinstance(query, sql.Composable) else str(query)


def attempt(conn: psycopg.Connection, query: Any, params: Any = None) -> Outcome:
    """Run one statement in a savepoint that is always rolled back."""
    statement = bound(conn, query, params)
    try:
        with conn.transaction(force_rollback=True):
            cur = conn.execute(query, params)
            rows = cur.fetchall() if cur.description else None
            return Outcome(rowcount=cur.rowcount, rows=rows, statement=statement)
    except psycopg.Error as exc:
        return Outcome(error=exc, statement=statement)


class Prober:
    """Probes one seeded database as members of A (every role, or only ``actor_role`` where
    given) and as anon."""

    def __init__(self, conn: psycopg.Connection, seed: Seed, actor_role: str | None,
                 access: Mapping[str, DeclaredAccess] | None = None) -> None:
        self.conn = conn
        self.seed = seed
        self.access = dict(access or {})   # "schema.table" -> the spec's rules (else read from the model)
        self.t = seed.tenancy
        self.a = seed.tenants["A"]
        self.b = seed.tenants["B"]
        roles = list(self.a.users)
        self.actor_role = actor_role or roles[0]
        if self.actor_role not in self.a.users:
            raise ValueError(f"no seeded member with role {self.actor_role!r} (roles: {roles})")
        # the roles the attacks on B run as: every role of A, unless one was asked for
        self.roles: tuple[str, ...] = (actor_role,) if actor_role else tuple(roles)
        self.sign_in = sign_in_of(self.t)
        self.anonymous_error: tuple[str | None, str] | None = None   # set by signed_in()
        self.findings: list[Finding] = []

    # -- sessions ---------------------------------------------------------------------------

    @contextmanager
    def scope(self) -> Iterator[None]:
        """A transaction (savepoint) rolled back at exit, with deferred constraints checked at once."""
        with self.conn.transaction(force_rollback=True):
            self.conn.execute("set constraints all immediate")
            yield

    @contextmanager
    def as_member(self, role: str | None = None, *, of: SeededTenant | None = None, tenant: Any = OWN):
        """Signed in as the member of ``of`` (default A) with ``role``, naming ``tenant``."""
        of = of or self.a
        with self.as_user(of.users[role or self.actor_role], tenant=of.id if tenant is OWN else tenant) as session:
            yield session

    @contextmanager
    def as_user(self, user: str, db_role: str = "authenticated", *, tenant: Any = OWN):
        """Signed in as ``user`` (claims and settings as the spec reads them) under ``db_role``.
        In the scalar modes of ``current_tenant`` the request names ``tenant`` (default A, the
        tenant the probes act as; None names none), as an app would; memberships mode names
        none."""
        tenant = self.a.id if tenant is OWN else tenant
        with acting_as(self.conn, user, db_role, claims=self.sign_in.claims(tenant),
                       settings=self.sign_in.values(user, tenant)) as session:
            yield session

    @contextmanager
    def as_anon(self):
        # not signed in: the user settings are empty, as on a pooled connection between requests
        with acting_as(self.conn, None, "anon", settings=self.sign_in.values(None)) as session:
            yield session

    def actor(self, role: str | None = None) -> str:
        return f"A:{role or self.actor_role}"

    def all_roles(self) -> str:
        return f"A:{'|'.join(self.a.users)}"

    def attempt_and_look(self, conn: psycopg.Connection, query: Any, params: Any, look: Any,
                         look_params: Any) -> Outcome:
        """Like :func:`attempt`, then, still inside the rolled-back savepoint, ``look`` as the
        session's own (superuser) role: what did the statement leave (a soft-deleted row)?"""
        statement = bound(conn, query, params)
        try:
            with conn.transaction(force_rollback=True):
                cur = conn.execute(query, params)
                out = Outcome(rowcount=cur.rowcount, statement=statement)
                conn.execute("reset role")   # undone with the savepoint
                row = conn.execute(look, look_params).fetchone()
                out.looked = bool(row and row[0])
                return out
        except psycopg.Error as exc:
            return Outcome(error=exc, statement=statement)

    def refresh_materialized_views(self) -> None:
        """Materialized views hold what the seed wrote only once refreshed."""
        for v in self.seed.model.of("view"):
            if v.materialized:
                self.conn.execute(sql.SQL("refresh materialized view {}").format(sql.Identifier(v.schema, v.name)))

    # -- verdicts ---------------------------------------------------------------------------

    def add(self, table: str, probe: str, actor: str, status: str, detail: str,
            outcome: Outcome | None = None, subject: str | None = None) -> None:
        self.findings.append(Finding(
            table=table, probe=probe, actor=actor, status=status, detail=detail,
            sqlstate=outcome.sqlstate if outcome else None,
            rowcount=outcome.rowcount if outcome and outcome.error is None else None, subject=subject,
            statement=outcome.statement if outcome else None))

    def is_refusal(self, outcome: Outcome) -> bool:
        """Refused by privileges or row level security (42501), or, for a caller that is not
        signed in, by ``current_user_id`` itself: ``current_setting('app.user_id')::uuid``
        raises without a user, before any row is reached."""
        if outcome.sqlstate == INSUFFICIENT_PRIVILEGE:
            return True
        return outcome.error is not None and self.anonymous_error == (outcome.sqlstate, outcome.describe())

    def refused_or_none(self, table, probe, actor, outcome: Outcome, what: str, subject=None) -> None:
        """Writes to rows the actor must not reach: refused (42501) or 0 rows, nothing else."""
        self._judge_write(table, probe, actor, outcome, what, subject, reached="let the statement reach the rows; "
                          "it failed only later", succeeded=(PASS if outcome.rowcount == 0 else FAIL,
                                                             f"{outcome.rowcount} row(s) affected"))

    def refused(self, table, probe, actor, outcome: Outcome, what: str, subject=None) -> None:
        """Inserts (or moves) that must be refused by privileges or row level security."""
        self._judge_write(table, probe, actor, outcome, what, subject, reached="admitted the row; only a later "
                          "check stopped it", succeeded=(FAIL, f"succeeded ({outcome.rowcount} row(s))"))

    def _judge_write(self, table, probe, actor, outcome: Outcome, what: str, subject, *, reached: str,
                     succeeded: tuple[str, str]) -> None:
        if outcome.error is None:
            status, detail = succeeded[0], f"{what}: {succeeded[1]}"
        elif self.is_refusal(outcome):
            status, detail = PASS, f"{what}: refused ({outcome.describe()})"
        else:
            status, detail = FAIL, f"{what}: row level security {reached} ({outcome.describe()})"
        self.add(table, probe, actor, status, detail, outcome, subject)

    def anon_reads(self, table: str, probe: str, judge) -> None:
        """``select count(*)`` as anon; ``judge(n)`` gives (status, detail) for n rows read."""
        with self.as_anon() as s:
            out = attempt(s.conn, sql.SQL("select count(*) from {}").format(ident(table)))
        if out.error is not None:
            status = PASS if self.is_refusal(out) else ERROR
            self.add(table, probe, "anon", status, f"select: {out.describe()}", out)
        else:
            self.add(table, probe, "anon", *judge(out.rows[0][0]), out)

    def attack_values(self, qualified: str, tenant: str, attacker: str) -> dict[str, Any]:
        """A valid row of ``tenant`` ("A" or "B"); on the membership table the obvious attack:
        make ``attacker`` (a user id) a member of that tenant with the top role."""
        overrides: dict[str, Any] = {}
        if qualified == self.seed.membership:
            overrides[self.t.user_column] = attacker
            if self.t.role_column and self.seed.roles:
                overrides[self.t.role_column] = self.seed.roles[0]
        return self.seed.valid_values(self.conn, qualified, tenant, overrides)

    # -- positive controls ------------------------------------------------------------------

    def member_may(self, qualified: str, command: str) -> bool:
        """The signed-in role holds the privilege and a permissive policy (generated or raw) of
        the table lets some member run ``command``: then some role of A must manage it."""
        schema, name = split(qualified)
        return catalog.table_privilege(self.conn, "authenticated", schema, name, command) and any(
            p.family == "policy" and (p.schema, p.table) == (schema, name) and p.permissive
            and p.command in (command, "all") and {"authenticated", "public"} & set(p.roles)
            for p in self.seed.model.objects)

    def select_other(self, qualified: str, column: str, probe: str, control: bool = False) -> None:
        """(a): every role of A sees no row whose tenant is not A.  With ``control``, first the
        positive control: where members may read the table, some role of A sees A's own rows
        (seen by nobody, "0 rows of other tenants" would prove nothing)."""
        count = sql.SQL("select count(*) filter (where {c} is distinct from %s), count(*) filter (where {c} = %s) "
                        "from {t}").format(c=sql.Identifier(column), t=ident(qualified))
        outcomes = {}
        for role in self.a.users:
            with self.as_member(role) as s:
                outcomes[role] = attempt(s.conn, count, (self.a.id, self.a.id))
        if control and self.member_may(qualified, "select"):
            seen = {role: out.rows[0][1] for role, out in outcomes.items() if out.error is None}
            best = max(seen, key=seen.get) if seen else None
            if best is None or not seen[best]:
                self.add(qualified, "own_rows_visible", self.all_roles(), FAIL,
                         "no role of A sees any of A's own seeded rows, though members may read the table: "
                         "the probes are not really signed in (or the seed is hidden from every role), so "
                         "seeing no row of other tenants proves nothing")
            else:
                self.add(qualified, "own_rows_visible", self.actor(best), PASS, f"sees {seen[best]} of A's own row(s)")
        for role, out in outcomes.items():
            actor = self.actor(role)
            if out.error is not None:
                status = PASS if out.sqlstate == INSUFFICIENT_PRIVILEGE else ERROR
                self.add(qualified, probe, actor, status, f"select: {out.describe()}", out)
                continue
            foreign, own = out.rows[0]
            self.add(qualified, probe, actor, PASS if foreign == 0 else FAIL,
                     f"sees {foreign} row(s) of other tenants ({own} of its own)", out)

    def own_writes(self, qualified: str, statements: dict[str, tuple[Any, list]]) -> None:
        """Positive controls for writes: where members may run the command, some role of A
        inserts its own valid row / updates its own row (refusing B proves nothing otherwise)."""
        for command, (query, params) in statements.items():
            if not self.member_may(qualified, command):
                continue
            last = None
            for role in self.a.users:
                with self.as_member(role) as s:
                    last = attempt(s.conn, query, params)
                if last.error is None and last.rowcount:
                    self.add(qualified, f"own_{command}", self.actor(role), PASS,
                             f"{command} of A's own row: {last.describe()}", last)
                    break
            else:
                self.add(qualified, f"own_{command}", self.all_roles(), FAIL,
                         f"no role of A can {command} A's own row, though members may {command} rows of the "
                         f"table ({last.describe()}): refusals of B's rows prove nothing", last)

    def signed_in(self) -> bool:
        """Every role of A is signed in for real: ``current_user_id``, evaluated in its session,
        returns its user id.  Otherwise every other probe would pass without testing anything."""
        expression = self.t.current_user_id
        user_sql = sql.SQL("select ({})::text").format(sql.SQL(expression))
        if not self.sign_in.problem:
            with self.as_anon() as s:
                out = attempt(s.conn, user_sql)
            if out.error is not None:
                self.anonymous_error = (out.sqlstate, out.describe())
        for role, user in self.a.users.items():
            if self.sign_in.problem:
                self.add(self.seed.membership, "sign_in", self.actor(role), FAIL,
                         f"the probes cannot sign in: {self.sign_in.problem} (current_user_id: {expression})")
                continue
            with self.as_member(role) as s:
                out = attempt(s.conn, user_sql)
            got = out.rows[0][0] if out.error is None else out.describe()
            if got == str(user):
                self.add(self.seed.membership, "sign_in", self.actor(role), PASS,
                         f"current_user_id returns the member's user id {user}", out)
            else:
                how = ", ".join(self.sign_in.settings) or "JWT claims"
                self.add(self.seed.membership, "sign_in", self.actor(role), FAIL,
                         f"the probes cannot sign in: signed in as {user} ({how}), "
                         f"current_user_id ({expression}) returns {got}", out)
        return not any(f.status == FAIL for f in self.findings if f.probe == "sign_in")
