"""The view column resolver (compiler/view_columns.py), query by query, and PostgreSQL's verdict
on each query: the resolver reports a problem exactly where PostgreSQL refuses the view, except
where a FROM item cannot be seen into (then it stays silent, and says so below)."""
from __future__ import annotations

import psycopg
import pytest
from pglast import parse_sql

from compiler.meaning.view_columns import Relation, resolve_query

LEADS = ("id", "organization_id", "email", "status", "owner_id", "created_at", "updated_at", "deleted_at")
TASKS = ("id", "organization_id", "title", "lead_id", "due_at", "completed_at")
OPEN_TASKS = ("id", "title")
RELATIONS = {
    "leads": Relation("table", "public", "leads", LEADS, {"mail": "did you mean email? (the column was renamed from mail)"}),
    "tasks": Relation("table", "public", "tasks", TASKS),
    "open_tasks": Relation("view", "public", "open_tasks", OPEN_TASKS),
}
DDL = """
create table public.leads (id uuid primary key, organization_id uuid not null, email text, status text,
    owner_id uuid, created_at timestamptz, updated_at timestamptz, deleted_at timestamptz);
create table public.tasks (id uuid primary key, organization_id uuid not null, title text, lead_id uuid,
    due_at timestamptz, completed_at timestamptz);
create view public.open_tasks as select id, title from public.tasks where completed_at is null;
"""


def relation_of(schema, name):
    return RELATIONS.get(name) if schema in (None, "public") else None


def resolve(query: str):
    return resolve_query(parse_sql(query)[0].stmt, relation_of, 15)


ACCEPTED = [
    "select id, email from leads",
    "select l.id, l.email from leads l",
    "select l.id, t.title from leads l join tasks t on t.lead_id = l.id",
    "select id, organization_id from leads join tasks using (id, organization_id)",
    "select organization_id, count(*) as n from leads group by organization_id order by n desc",
    "select date_trunc('day', created_at) as day, count(*) from leads group by day",
    "with recent as (select id, email from leads where created_at > now() - interval '1 day') "
    "select r.email from recent r",
    "select s.e from (select email as e from leads) s",
    "select l.email, (select count(*) from tasks t where t.lead_id = l.id) as tasks from leads l",
    "select email from leads l where exists (select 1 from tasks where lead_id = l.id)",
    "select ctid, xmin, email from leads",
    "select g.n from generate_series(1, 3) as g(n)",
    "select u.email from auth.users u",
    "select id, title from open_tasks",
    "select l.* from leads l",
    "select t.title from leads l left join lateral "
    "(select title from tasks where lead_id = l.id limit 1) t on true",
    "select j.email from (leads join tasks using (id)) as j",
    "select id from leads union all select id from tasks order by id",
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select n from r",
    "select email from leads order by created_at",
    "select status, count(*) from leads group by rollup (status)",
    "select row_number() over (partition by organization_id order by created_at) from leads",
    "select l from leads l",
    "select to_jsonb(l.*) from leads l",
    "select v.n, v.s from (values (1, 'a')) as v(n, s)",
    "select public.leads.email from public.leads",
    "select leads.email from leads",
    "select c.count from (select count(*) from leads) c",
    "select c.coalesce, c.int4 from (select coalesce(email, ''), 1::integer from leads) c",
    "select email from leads where owner_id in (select id from auth.users)",
    "select distinct on (organization_id) organization_id, email from leads order by organization_id, created_at",
    "select x from leads, generate_series(1, 2) x",
]

# (query, code, start of the message, hint)
REFUSED = [
    ("select id, emial from leads", "E402", "table 'leads' has no column 'emial'", "did you mean email?"),
    ("select l.no_such_column from leads l", "E402", "l.no_such_column: table 'leads' (as l) has no column", None),
    ("select t.titel from leads l join tasks t on t.lead_id = l.id", "E402",
     "t.titel: table 'tasks' (as t) has no column 'titel'", "did you mean title?"),
    ("select mail from leads", "E402", "table 'leads' has no column 'mail'",
     "did you mean email? (the column was renamed from mail)"),
    ("select id from leads join tasks on tasks.lead_id = leads.id", "E402",
     "column reference 'id' is ambiguous", "qualify it: leads.id or tasks.id"),
    ("select leads.email from leads l", "E401", "leads.email: no table, view or alias 'leads'",
     "'leads' is called 'l' in this query: write l.email"),
    ("select x.email from leads", "E401", "x.email: no table, view or alias 'x'", None),
    ("select s.email from (select id from leads) s", "E402", "s.email: subquery 's' has no column 'email'", None),
    ("with c as (select id from leads) select c.email from c", "E402", "c.email: CTE 'c' has no column", None),
    ("select nope from open_tasks", "E402", "view 'open_tasks' has no column 'nope'", None),
    ("select email from leads where nope > 1", "E402", "table 'leads' has no column 'nope'", None),
    ("select email from leads order by nope", "E402", "table 'leads' has no column 'nope'", None),
    ("select email from leads group by nope", "E402", "table 'leads' has no column 'nope'", None),
    ("select email from leads l where exists (select 1 from tasks t where t.lead_idx = l.id)", "E402",
     "t.lead_idx: table 'tasks' (as t) has no column 'lead_idx'", "did you mean lead_id?"),
    ("select title from leads join tasks using (lead_id)", "E402",
     "USING (lead_id): the left side of the join has no column 'lead_id'", None),
    ("select n from (select 1 as m) s", "E402", "subquery 's' has no column 'n'", None),
    ("select 1 from leads l join tasks t on t.lead_id = x.id", "E401", "x.id: no table, view or alias 'x'", None),
    ("select 1 from leads l, tasks t join open_tasks o on o.id = l.id", "E401", "l.id: no table, view or alias", None),
    ("select x from (select 1 as x)", "E502", "a subquery in FROM needs an alias",
     "add one: (select ...) as s"),
    ("select email from leads l, tasks t where l.id = t.lead_id and title = emial", "E402",
     "no table or view of its FROM has a column 'emial'", "did you mean email?"),
    ("select id from leads union select id from tasks order by title", "E402", "the result has no column", None),
]

# What cannot be seen into is never an error here, even where PostgreSQL refuses it.
SILENT = [
    "select g.nope from generate_series(1, 3) g",
    "select u.nope from auth.users u",
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_accepted_queries_have_no_problems(query):
    assert resolve(query).problems == []


@pytest.mark.parametrize("query,code,message,hint", REFUSED)
def test_refused_queries_are_reported(query, code, message, hint):
    problems = resolve(query).problems
    assert len(problems) == 1, problems
    assert problems[0].code == code
    assert problems[0].message.startswith(message), problems[0].message
    assert problems[0].hint == hint


@pytest.mark.parametrize("query", SILENT)
def test_what_cannot_be_seen_into_is_not_an_error(query):
    assert resolve(query).problems == []


def test_postgresql_agrees(fresh_db):
    """Every accepted query creates a view on PostgreSQL 15; every refused one is refused."""
    with fresh_db.connect(autocommit=False) as conn:
        conn.execute(DDL)
        disagreements = []
        for query, expected in [(q, True) for q in ACCEPTED] + [(r[0], False) for r in REFUSED] + \
                [(q, False) for q in SILENT]:
            try:
                with conn.transaction():
                    conn.execute(f"create view public.probe as {query}")
                    conn.execute("drop view public.probe")
                accepted = True
            except psycopg.Error:
                accepted = False
            if accepted != expected:
                disagreements.append(query)
        assert disagreements == []


def test_reads_are_column_by_column():
    reads = resolve("select l.email from leads l join tasks t on t.lead_id = l.id where t.completed_at is null").reads
    assert reads == {("column", "public", "leads", "email"), ("column", "public", "leads", "id"),
                     ("column", "public", "tasks", "lead_id"), ("column", "public", "tasks", "completed_at")}


def test_a_star_postgresql_expands_reads_every_column_and_the_column_list():
    reads = resolve("select * from (select * from tasks) s").reads
    assert {("column", "public", "tasks", c) for c in TASKS} <= reads
    assert ("table-columns", "public", "tasks") in reads


def test_using_columns_read_both_sides():
    reads = resolve("select id from leads join tasks using (id)").reads
    assert reads == {("column", "public", "leads", "id"), ("column", "public", "tasks", "id")}


def test_views_read_views_by_column():
    assert resolve("select title from open_tasks").reads == {("column", "public", "open_tasks", "title")}


@pytest.mark.parametrize("query,outputs", [
    ("select id, email as mail, count(*), coalesce(status, 'x'), 1::integer, 1 + 1, "
     "case when true then 1 else 2 end, now(), current_date, exists (select 1) from leads group by id",
     ["id", "mail", "count", "coalesce", "int4", "?column?", "case", "now", "current_date", "exists"]),
    ("select l.*, t.title from leads l join tasks t on t.lead_id = l.id", [*LEADS, "title"]),
    ("select * from leads join tasks using (id)", ["id", *LEADS[1:], *[c for c in TASKS if c != "id"]]),
    ("select (select email from leads limit 1)", ["email"]),
    ("select case when true then id else owner_id end from leads", ["owner_id"]),
    ("select extract(epoch from created_at), position('a' in email), substring(email from 2), "
     "trim(both from email), email collate \"C\", created_at at time zone 'UTC', current_user, localtime(2), "
     "greatest(1, 2), nullif(email, ''), array[1], row(1, 2), (select 1), grouping(status) from leads "
     "group by created_at, email, status",
     ["extract", "position", "substring", "btrim", "email", "timezone", "current_user", "localtime",
      "greatest", "nullif", "array", "row", "?column?", "grouping"]),
])
def test_output_names_follow_postgresql(query, outputs, fresh_db):
    assert resolve(query).outputs == outputs
    with fresh_db.connect() as conn:
        conn.execute(DDL)
        names = [c.name for c in conn.execute(f"select * from ({query}) q limit 0").description]
    assert names == outputs
