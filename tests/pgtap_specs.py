"""Specs of other domains for tests/test_pgtap.py: a help desk (the issue tracker is
tests/cases/verify/tracker, shared with tests/test_isolation_lookups.py)."""

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
