"""The one policy judge (compiler/policy_direction.py) that `plan`'s hand-written policies and the
catalog comparison of `drift` and `verify --database-url` share: which way a policy's change
moves access, from the text alone. Pure: no database (the SQL it reads is proven in
test_plan_access.py, test_drift.py and test_verify_live.py)."""
from __future__ import annotations

import pytest

from compiler.policy_direction import (
    CHANGED,
    EQUIVALENT,
    MAY_WIDEN,
    NARROWER,
    UNKNOWN,
    WIDER,
    catalog_direction,
    direction,
    read,
    spec_facts,
    top_level_terms,
)


def spec(using="escalated", command="select", permissive=True, roles=("authenticated",), with_check=None):
    """A model policy as plan_policies.policy_data describes it."""
    return {"command": command, "permissive": permissive, "roles": list(roles), "using": using,
            "with_check": with_check}


FENCE = dict(permissive=False, command="all")

# (case, old, new, direction): plan's hand-written policies, old -> new
SPEC_CASES = [
    ("made true", spec(), spec("TRUE"), WIDER),
    ("ORed onto", spec(), spec("escalated OR subject = 'urgent'"), WIDER),
    ("ANDed onto", spec(), spec("escalated AND subject <> ''"), NARROWER),
    ("made false", spec(), spec("false"), NARROWER),
    ("negated", spec(), spec("NOT escalated"), UNKNOWN),
    ("rewritten", spec(), spec("subject <> ''"), UNKNOWN),
    ("an OR term dropped", spec("a OR b OR c"), spec("(a OR c)"), NARROWER),
    ("a neutral literal", spec(), spec("escalated OR false"), EQUIVALENT),
    ("terms reordered", spec("a AND b"), spec("b AND a"), EQUIVALENT),
    ("whitespace", spec("a  =  1"), spec("(a = 1)"), EQUIVALENT),
    ("whitespace in a literal is not", spec("s = 'a  b'"), spec("s = 'a b'"), UNKNOWN),
    ("AND binds tighter than OR", spec("a OR b"), spec("a OR b AND c"), NARROWER),
    ("nor is a depth-0 AND of an OR a conjunct", spec("c"), spec("a OR b AND c"), UNKNOWN),
    ("BETWEEN's AND is no cut", spec("x BETWEEN 1 AND 2"), spec("x BETWEEN 1 AND 2 AND y"), NARROWER),
    ("nor CASE's", spec("CASE WHEN a AND b THEN c END"), spec("CASE WHEN a AND b THEN c END AND d"), NARROWER),
    ("a quoted AND is no cut", spec("s = 'x AND y'"), spec("s = 'x'"), UNKNOWN),
    ("roles to public", spec(), spec(roles=()), WIDER),
    ("a role more", spec(), spec(roles=("authenticated", "anon")), WIDER),
    ("a role less", spec(roles=("authenticated", "anon")), spec(), NARROWER),
    ("another role", spec(roles=("anon",)), spec(), CHANGED),
    ("roles reordered", spec(roles=("a", "b")), spec(roles=("b", "a")), EQUIVALENT),
    ("a role more, the condition unknown", spec(), spec("NOT escalated", roles=("authenticated", "anon")), WIDER),
    ("a role more, the condition stricter", spec(), spec("escalated AND x", roles=("authenticated", "anon")),
     CHANGED),
    ("a role less, the condition unknown", spec(roles=("a", "b")), spec("NOT escalated", roles=("a",)), UNKNOWN),
    ("select to all", spec(), spec(command="all"), WIDER),
    ("all to select", spec(command="all"), spec(), NARROWER),
    ("select to insert", spec(), spec(None, command="insert", with_check="escalated"), CHANGED),
    ("update's check from its using", spec("a", command="update"), spec("a", command="update", with_check="a"),
     EQUIVALENT),
    ("update's check loosened", spec("a", command="update"), spec("a", command="update", with_check="TRUE"), WIDER),
    ("a check where a grant had none", spec(None, command="all", with_check="a"), spec("b", command="all",
                                                                                         with_check="a"), WIDER),
    ("a fence loosened", spec(**FENCE), spec("TRUE", **FENCE), WIDER),
    ("a fence ANDed onto", spec(**FENCE), spec("escalated AND x", **FENCE), NARROWER),
    ("a fence over more roles", spec(**FENCE), spec(**FENCE, roles=()), NARROWER),
    ("a fence to one command", spec(**FENCE), spec(**dict(FENCE, command="select")), WIDER),
    ("a fence over more roles, loosened", spec(**FENCE), spec("escalated OR x", **FENCE, roles=()), CHANGED),
    ("a fence made a grant", spec(**FENCE), spec(command="all"), WIDER),
    ("a grant made a fence", spec(), spec(permissive=False), NARROWER),
    ("a grant added", None, spec(), WIDER),
    ("a grant dropped", spec(), None, NARROWER),
    ("a fence added", None, spec(**FENCE), NARROWER),
    ("a fence dropped", spec(**FENCE), None, WIDER),
    ("a grant of nothing added", None, spec("false"), EQUIVALENT),
    ("a grant of nothing given roles", spec("false"), spec("false", roles=()), EQUIVALENT),
    ("a fence of nothing given a condition", spec("true", **FENCE), spec("x", **FENCE), NARROWER),
]


@pytest.mark.parametrize("old, new, expected", [c[1:] for c in SPEC_CASES], ids=[c[0] for c in SPEC_CASES])
def test_a_spec_policys_change(old, new, expected):
    assert direction(spec_facts(old), spec_facts(new)) == expected


def row(qual="(org_id = ANY (ids()))", cmd="SELECT", permissive="PERMISSIVE", roles=("authenticated",),
        with_check=None):
    """A pg_policies row of a catalog snapshot."""
    return {"permissive": permissive, "roles": list(roles), "cmd": cmd, "qual": qual, "with_check": with_check}


REF_FENCE = row("(org_id = ANY (ids()))", cmd="ALL", permissive="RESTRICTIVE")

# (case, reference, live, access): the catalog comparison, the reference (the spec) -> the database
CATALOG_CASES = [
    ("the fence dropped", REF_FENCE, None, WIDER),
    ("the fence opened", REF_FENCE, row("true", cmd="ALL", permissive="RESTRICTIVE", with_check="true"), WIDER),
    ("an extra grant", None, row(), WIDER),
    ("an extra fence", None, REF_FENCE, NARROWER),
    ("a grant missing", row(), None, NARROWER),
    ("an extra grant of nothing", None, row("false"), None),
    ("closed", row(cmd="UPDATE"), row("false", cmd="UPDATE", with_check="false"), NARROWER),
    ("the spec's AND more", row(), row("((org_id = ANY (ids())) AND (status <> 'solved'::text))"), NARROWER),
    ("nested ANDs flattened", row("((deleted_at IS NULL) AND (a AND b))"),
     row("(((deleted_at IS NULL) AND a) AND (b AND c))"), NARROWER),
    ("a conjunct less", row("((deleted_at IS NULL) AND (org_id = ANY (ids())))", cmd="DELETE"),
     row("(deleted_at IS NULL)", cmd="DELETE"), WIDER),
    ("ORed onto", row(), row("((org_id = ANY (ids())) OR (owner_id = uid()))"), WIDER),
    ("rewritten", row(), row("(role IS NOT NULL)"), MAY_WIDEN),
    ("a role more, rewritten", row(), row("(role IS NOT NULL)", roles=("authenticated", "anon")), WIDER),
    ("roles reordered", row(roles=("anon", "authenticated")), row(roles=("authenticated", "anon")), None),
    ("to public", row(), row(roles=("public",)), WIDER),
    ("from public", row(roles=("public",)), row(), NARROWER),
    ("another role", row(), row(roles=("anon",)), WIDER),
    ("a grant to one command", row(cmd="ALL"), row(), NARROWER),
    ("a grant to another command", row(), row(cmd="DELETE"), WIDER),
    ("the fence to one command", REF_FENCE, row("(org_id = ANY (ids()))", cmd="SELECT", permissive="RESTRICTIVE"),
     WIDER),
    ("the fence made a grant", REF_FENCE, row("(org_id = ANY (ids()))", cmd="ALL"), WIDER),
    ("a grant made a fence", row(), row(permissive="RESTRICTIVE"), NARROWER),
    ("a check that was the using", row("(a = 1)", cmd="UPDATE"), row("(a = 1)", cmd="UPDATE", with_check="(a = 1)"),
     None),
    ("a check loosened", row("(a = 1)", cmd="UPDATE"), row("(a = 1)", cmd="UPDATE", with_check="true"), WIDER),
]


@pytest.mark.parametrize("ref, live, expected", [c[1:] for c in CATALOG_CASES], ids=[c[0] for c in CATALOG_CASES])
def test_a_catalog_policys_change(ref, live, expected):
    assert catalog_direction(live, ref) == expected


SPLITS = [
    ("deleted_at IS NULL AND (a OR b)", " AND ", ["deleted_at IS NULL", "a OR b"]),
    ("(a) OR ((b))", " OR ", ["a", "b"]),
    ("(a) OR (b)", " AND ", ["(a) OR (b)"]),
    ("x = 'a OR b' OR \"or\" = 1", " OR ", ["x = 'a OR b'", '"or" = 1']),
    ("x = 'it''s' OR y", " OR ", ["x = 'it''s'", "y"]),
    ("x BETWEEN 1 AND 2 AND y", " AND ", ["x BETWEEN 1 AND 2", "y"]),
    ("CASE WHEN a OR b THEN c END OR d", " OR ", ["CASE WHEN a OR b THEN c END", "d"]),
    ("t.order_id = 1 OR ARRAY[a OR b] = c", " OR ", ["t.order_id = 1", "ARRAY[a OR b] = c"]),
    ("a or b", " OR ", ["a", "b"]),
    ("(a = ')') AND b", " AND ", ["a = ')'", "b"]),
]


@pytest.mark.parametrize("expression, operator, terms", SPLITS)
def test_the_depth_0_splitter(expression, operator, terms):
    assert top_level_terms(expression, operator) == terms


def test_true_and_false_fold():
    assert read("a OR TRUE") == read("true") and read("(a AND false)") == read("FALSE")
    assert read("a AND true") == read("a") == read("((a))")
