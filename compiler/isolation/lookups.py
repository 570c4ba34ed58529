"""The ``lookups`` probe: functions the API may call must not answer about another tenant.

Differential, so it needs no idea of what a function means.  Every function of the managed
schemas that ``anon`` or ``authenticated`` may execute (trigger functions aside; security
definer or not, from the spec or added by hand: read from the catalog) is called as every role
of A and as anon, with argument sets drawn from B's identifiers, A's and one that exists
nowhere (:mod:`.lookup_calls`).  Then, in a savepoint, tenant B is removed and every call made
again: an output that changes means the function answered about B (``lookup_other_tenant``
FAIL, with the call, both outputs and the statement).  Errors are outputs too (sqlstate and
message).  A call whose output differs between two identical calls is not deterministic and
is left out (SKIP when no call is left).

A security invoker function runs with the caller's rights, so what it tells about B the
caller could read directly: where the caller reads some of B's rows directly (public data,
judged by the table probes), a change is explained and passes; where it reads none, a change
is a leak through something else (a definer function, a view) and fails.

Positive control (``lookup_answers_own``): a function some call of which, as a member of A,
mentions A's tenant, users or rows answers about A (PASS); one the policies rely on to answer
about the signed-in user must do so for some role of A (else FAIL).  Functions of
which that cannot be told get no control.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from psycopg import sql

from .lookup_calls import (
    ApiFunction,
    Value,
    argument_sets,
    call_statement,
    callable_functions,
    candidates,
    describe_call,
    identifiers,
    refresh_materialized_views,
    remove_tenant,
    tenant_relations,
)
from .prober import Outcome, Prober, attempt
from .report import ERROR, FAIL, PASS, SKIP

STATEMENT_TIMEOUT = "5s"   # per call: a function that loops must not stall the probes
SHOWN = 160                # characters of an output a finding shows
OTHER, OWN = "lookup_other_tenant", "lookup_answers_own"


@dataclass
class Plan:
    function: ApiFunction
    sets: list[tuple[Value, ...]]
    total: int                    # argument sets there were before the cap


@dataclass(frozen=True)
class Call:
    text: str                     # the output (or the error), as compared
    statement: str


@dataclass(frozen=True)
class Actor:
    name: str                     # "A:owner", "anon"
    db_role: str                  # "authenticated", "anon"
    role: str | None              # the membership role, None for anon


def lookups(p: Prober, _=None) -> None:
    schemas = p.seed.model.managed_schemas()
    functions = callable_functions(p.conn, schemas)
    if not functions:
        return
    actors = [Actor(p.actor(r), "authenticated", r) for r in p.roles] + [Actor("anon", "anon", None)]
    with p.scope():
        p.conn.execute(sql.SQL("set local statement_timeout = {}").format(sql.Literal(STATEMENT_TIMEOUT)))
        refresh_materialized_views(p.conn, schemas)
        pools = [identifiers(p.seed, p.b), identifiers(p.seed, p.a)]
        plans = [_plan(f, pools) for f in functions]
        before = _run(p, plans, actors)
        with p.conn.transaction(force_rollback=True):
            problem = remove_tenant(p.conn, p.seed, p.b, schemas)
            after = {} if problem else _run(p, plans, actors)
        if problem:
            for plan in plans:
                p.add(plan.function.qualified, OTHER, "superuser", ERROR, problem)
            return
        changed = {k for k in before if before[k].text != after[k].text}
        again = _run(p, plans, actors, only=changed)
        unstable = {k for k in changed if again[k].text != before[k].text}
        reads_b = _DirectReads(p, schemas)
        own = _own_tokens(pools)
        meant = _meant_for_the_user(p)
        for i, plan in enumerate(plans):
            _control(p, i, plan, actors, before, own, meant)
            for actor in actors:
                if actor.db_role in plan.function.executors:
                    _judge(p, i, plan, actor, before, after, changed - unstable, unstable, reads_b)


def _plan(function: ApiFunction, pools) -> Plan:
    n = len(function.arguments)
    values = [candidates(a, i >= n - function.defaults, pools) for i, a in enumerate(function.arguments)]
    sets, total = argument_sets(function, values)
    return Plan(function, sets, total)


@contextmanager
def _session(p: Prober, actor: Actor) -> Iterator:
    with (p.as_member(actor.role) if actor.role is not None else p.as_anon()) as s:
        yield s


def _run(p: Prober, plans: list[Plan], actors: list[Actor], only: set | None = None) -> dict[tuple, Call]:
    """Every call of every plan, as every actor whose role may execute the function:
    (plan index, actor name, set index) -> the call's output."""
    calls: dict[tuple, Call] = {}
    for actor in actors:
        keys = [(i, actor.name, j) for i, plan in enumerate(plans) if actor.db_role in plan.function.executors
                for j in range(len(plan.sets))]
        keys = [k for k in keys if only is None or k in only]
        if not keys:
            continue
        with _session(p, actor) as s:
            for key in keys:
                plan = plans[key[0]]
                out = attempt(s.conn, *call_statement(plan.function, plan.sets[key[2]]))
                text = f"error {out.sqlstate}: {out.describe().split(': ', 1)[-1]}" if out.error is not None \
                    else out.rows[0][0]
                calls[key] = Call(text, out.statement or "")
    return calls


def _judge(p: Prober, i: int, plan: Plan, actor: Actor, before, after, changed, unstable, reads_b) -> None:
    f = plan.function
    keys = [(i, actor.name, j) for j in range(len(plan.sets))]
    judged = [k for k in keys if k not in unstable]
    capped = f" (the first {len(plan.sets)} of {plan.total} argument sets)" if plan.total > len(plan.sets) else ""
    if not judged:
        p.add(f.qualified, OTHER, actor.name, SKIP,
              f"{f.signature}: the output differs between two identical calls (not deterministic): "
              "nothing to compare")
        return
    leaks = [k for k in judged if k in changed]
    kind = "security definer" if f.definer else "security invoker"
    if not leaks:
        tried = (f"{len(judged)} argument set(s) of B's, A's and unknown identifiers{capped}" if f.arguments
                 else "called without arguments")
        p.add(f.qualified, OTHER, actor.name, PASS,
              f"{f.signature} ({kind}): {tried}: no output changes when tenant B is removed")
        return
    first = leaks[0]
    call = f"{describe_call(f, plan.sets[first[2]])} ({kind})"
    outputs = f"before {_short(before[first].text)}, after {_short(after[first].text)}"
    direct = [] if f.definer else reads_b.tables(actor)
    if direct:
        p.add(f.qualified, OTHER, actor.name, PASS,
              f"{call}: the output changes when tenant B is removed ({outputs}), but the function runs with "
              f"the caller's rights and {actor.name} reads B's rows directly ({', '.join(direct[:3])}: "
              "judged by the table probes)", Outcome(statement=before[first].statement))
        return
    p.add(f.qualified, OTHER, actor.name, FAIL,
          f"{call}: the output changes when tenant B is removed, so the function answers about B "
          f"({len(leaks)} of {len(judged)} argument set(s){capped}): {outputs}", Outcome(statement=before[first].statement))


def _control(p: Prober, i: int, plan: Plan, actors: list[Actor], before, own, meant: set[str]) -> None:
    """Some call as a member of A mentions A's identifiers; required of the lookups the
    policies rely on, reported for the others where it holds."""
    f = plan.function
    members = [a for a in actors if a.role is not None and a.db_role in f.executors]
    if not members or own is None:
        return
    for actor in members:
        for j, values in enumerate(plan.sets):
            call = before.get((i, actor.name, j))
            if call is not None and own.search(call.text):
                p.add(f.qualified, OWN, actor.name, PASS,
                      f"{describe_call(f, values)} answers about A: {_short(call.text)}")
                return
    if f.qualified in meant:
        p.add(f.qualified, OWN, "A:" + "|".join(a.role for a in members), FAIL,
              f"{f.signature}: no call as any role of A mentions A's tenant, users or rows, though the "
              "policies rely on it to answer about the signed-in user: that nothing of B comes "
              "back proves nothing")


def _own_tokens(pools) -> re.Pattern | None:
    """A's uuids and longer text values that are not also B's, as whole words: what marks an
    answer about A (``seed-s-1`` is not found in ``seed-s-12``)."""
    b, a = pools
    theirs = {str(v.value) for values in b.values() for v in values}
    mine = {str(v.value) for v in a["uuid"]} | {str(v.value) for v in a["text"] if len(str(v.value)) >= 4}
    words = sorted(mine - theirs, key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in words)) if words else None


def _meant_for_the_user(p: Prober) -> set[str]:
    """Functions the policies call: lookups of the signed-in user (a view's rows function may
    rightly return nothing, its materialized view holding no row of A)."""
    return {f"{n[1]}.{n[2]}" for o in p.seed.model.of("policy") for n in o.needs if n and n[0] == "function"}


class _DirectReads:
    """Which relations with the tenant column show an actor some of B's rows, asked once per
    actor (only for an invoker function whose output changed)."""

    def __init__(self, p: Prober, schemas: list[str]) -> None:
        self.p = p
        self.relations = tenant_relations(p.conn, schemas, p.t.column)
        self.cache: dict[str, list[str]] = {}

    def tables(self, actor: Actor) -> list[str]:
        if actor.name not in self.cache:
            seen = []
            with _session(self.p, actor) as s:
                for schema, name, _ in self.relations:
                    q = sql.SQL("select exists (select from {} where {} = %s)").format(
                        sql.Identifier(schema, name), sql.Identifier(self.p.t.column))
                    out = attempt(s.conn, q, (self.p.b.id,))
                    if out.error is None and out.rows[0][0]:
                        seen.append(f"{schema}.{name}")
            self.cache[actor.name] = seen
        return self.cache[actor.name]


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."

