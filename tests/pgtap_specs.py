"""Specs of other domains for tests/test_pgtap.py: a help desk, and an issue tracker (the red
team's: identity keys on tenant and shared tables, a `unique` name on a shared table, enums,
defaults, a view, a materialized view, security definer functions)."""

HELPDESK = {
    "_project.yaml": """
project:
  name: helpdesk
  postgres: 15
  target: supabase
  tenancy:
    table: workspaces
    column: workspace_id
    membership: {table: agents, user_column: user_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, audit: false}
enums:
  agent_role: [lead, agent]
""",
    "tables.yaml": """
tables:
  workspaces:
    tenant: false
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
    access: {select: member, update: role:lead, insert: service, delete: service}
  agents:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, on_delete: cascade}}
      role: {type: agent_role, nullable: false, default: agent}
    unique: [[user_id]]
    access: {select: member, all: role:lead}
  tickets:
    audit: true
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      subject: {type: text, nullable: false}
      assignee_id: {type: uuid, references: {table: agents, on_delete: set_null}}
    access: {select: member, insert: member, update: role:lead, delete: role:lead}
""",
}

TRACKER = {
    "_project.yaml": """
project:
  name: tracker
  postgres: 15
  target: supabase
  extensions: [pgcrypto]
  tenancy:
    table: workspaces
    column: workspace_id
    membership: {table: workspace_members, user_column: user_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, soft_delete: false, audit: false}
enums:
  ws_role: [owner, maintainer, reporter]
  issue_state: [open, in_progress, blocked, closed]
  priority: [low, normal, high]
""",
    "tables.yaml": """
tables:
  workspaces:
    tenant: false
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
      slug: {type: text, nullable: false, unique: true, check: "slug ~ '^[a-z0-9][a-z0-9-]*$'"}
    access: {select: member, update: role:owner, insert: service, delete: service}
  workspace_members:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, on_delete: cascade}}
      role: {type: ws_role, nullable: false, default: reporter}
    unique: [[user_id]]
    access: {select: member, all: role:owner}
  labels:
    tenant: false
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      name: {type: text, nullable: false, unique: true}
    access: {select: member, insert: role:owner, update: role:owner, delete: service}
  projects:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
      archived: {type: boolean, nullable: false, default: false}
      code: {type: text, nullable: false, default: PRJ}
      lead_id: {type: uuid, references: {table: workspace_members, on_delete: set_null}}
    owner_column: lead_id
    access: {select: member, insert: role:owner, update: [owner, role:owner], delete: role:owner}
  issues:
    audit: true
    columns:
      id: {type: bigint, primary_key: true, identity: by_default}
      project_id: {type: uuid, nullable: false, references: {table: projects, on_delete: cascade}}
      summary: {type: text, nullable: false}
      state: {type: issue_state, nullable: false, default: open}
      prio: {type: priority, nullable: false, default: normal}
      assignee_id: {type: uuid, references: {table: workspace_members, on_delete: set_null}}
      label_id: {type: bigint, references: labels}
      confidential: {type: boolean, nullable: false, default: false}
    owner_column: assignee_id
    access: {select: [owner, role:owner, role:maintainer], insert: member, update: [owner, role:maintainer], delete: role:owner}
    policies:
      reporters_see_public_issues:
        for: select
        to: [authenticated]
        using: "not confidential and state <> 'blocked'"
  issue_comments:
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      issue_id: {type: bigint, nullable: false, references: {table: issues, on_delete: cascade}}
      author_id: {type: uuid, nullable: false, references: workspace_members}
      body: {type: text, nullable: false}
    owner_column: author_id
    access: {select: member, insert: member, update: owner, delete: [owner, role:owner]}
functions:
  my_workspace_names:
    returns: setof text
    language: sql
    security: definer
    volatility: stable
    body: |
      select w.name from public.workspaces w
      join public.workspace_members m on m.workspace_id = w.id
      where m.user_id = (select auth.uid())
  open_issue_count:
    returns: bigint
    language: sql
    security: definer
    volatility: stable
    arguments: [{name: p_project_id, type: uuid}]
    body: |
      select count(*) from public.issues i where i.project_id = p_project_id and i.state not in ('closed')
views:
  open_issues:
    query: |
      select i.id, i.workspace_id, i.project_id, i.summary, i.prio from issues i where i.state not in ('closed', 'blocked')
  issue_stats:
    materialized: true
    query: |
      select i.workspace_id, i.project_id, i.state, count(*) as n, max(i.prio) as top_prio
      from issues i group by 1, 2, 3
    indexes:
      - {columns: [workspace_id, project_id, state], unique: true}
""",
}
