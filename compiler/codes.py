"""Every error code the compiler reports, by family. Tests assert each one is produced."""

CODES = {
    # YAML and files
    "E101": "YAML syntax error",
    "E102": "duplicate key in a mapping",
    "E103": "a spec file is not a mapping",
    "E104": "a spec file is not valid UTF-8",
    "E105": "YAML aliases expand too far (alias bomb) or the document is too large",
    "E106": "the schema folder is missing or holds no spec files",
    # shape (spec.schema.json)
    "E201": "the file does not match spec.schema.json",
    # definitions
    "E301": "an object is defined twice",
    "E302": "project is missing",
    # references
    "E401": "unknown table",
    "E402": "unknown column",
    "E403": "a foreign key target is not a primary key or unique",
    "E404": "unknown type",
    "E405": "unknown function",
    "E406": "owner_column is not a column of the table, or an owner rule has no owner_column",
    "E407": "role:<name> is not a value of the membership role enum",
    "E408": "tenancy settings are inconsistent",
    "E409": "access rule not allowed here",
    "E410": "a backfill_sql reads a column the same migration adds (NULL when the rows are filled)",
    "E411": "a partition declaration PostgreSQL cannot hold (column, interval, a unique or reference without the partition column)",
    "E412": "a materialized view's refresh cannot be done as declared (not materialized, no unique index, an interval cron cannot say)",
    "E413": "target citus: Citus refuses the spec as written (a key without the distribution column, a foreign key it cannot enforce, a subquery in a policy)",
    "E414": "an encrypted column cannot work as declared (not sensitive, no pgcrypto, not text, or in a key, index, check, policy, view query or partition)",
    # expressions
    "E501": "not exactly one SQL expression",
    "E502": "a view query is not exactly one SELECT statement",
    # names
    "E601": "invalid identifier",
    "E602": "two objects would share a name",
    "E603": "renamed_from is inconsistent",
    # values
    "E701": "a default does not fit the column type",
    "E702": "an enum default is not a member of the enum",
    "E703": "default and default_sql are both given",
    "E704": "identity on a non-integer column",
    "E705": "invalid column definition",
    "E706": "a table with audit, soft_delete or realtime has no primary key",
    # graph
    "E801": "a dependency cycle that cannot be broken",
    # build state
    "E901": "a released migration was edited, removed or reordered",
    "E902": "build/schema.lock.json is unreadable",
    "E903": "build/ is out of date",
    "E904": "the migration layout (or its folder) differs from the released one, or is unknown",
}
CODES["E503"] = "a materialized view of tenant data does not output the tenant column"
CODES["E504"] = "a function body does not parse"

# Warnings: the build goes on and writes the migration; the CLI prints them.
WARNINGS = {
    "W001": "data leaves the live schema or may not survive a cast (archived for down, or lost)",
    "W002": "enum values are removed: the migration fails while rows still hold them",
    "W003": "a column becomes NOT NULL without a value for existing rows: the migration fails while rows lack one",
    "W004": "a tenant table becomes shared: its unique keys become global, across tenants",
}
# Warnings about the spec itself, not the migration (lower/access_warnings.py): access rules that
# are slow or risky. Printed by every build and plan, each at its spec line, until fixed or
# silenced with `warnings: {ignore: [W1xx]}` on the table, the function or the project.
SPEC_WARNINGS = {
    "W101": "a policy expression calls a function that does not depend on the row outside a subselect: "
            "it runs once per row; (select f()) runs once per statement",
    "W102": "a column a policy filters rows on has no index leading with it (after the tenant column on "
            "tenant tables)",
    "W103": "more than one permissive policy for the same role and command on a table: PostgreSQL "
            "evaluates each and ORs them",
    "W104": "a table leaves a write command without an access rule: it falls back to member, so every "
            "member may write",
    "W105": "a security definer function does not keep to its fixed search_path = '': its body names the "
            "spec's objects without a schema, or sets search_path",
    "W106": "an index serves only operators that are not leakproof (ILIKE and similarity for trigram "
            "opclasses, jsonb and array containment for GIN): under row level security PostgreSQL never "
            "makes them index conditions for API roles, only for roles that bypass it",
    "W107": "target citus: a distributed or reference table has triggers: Citus refuses them unless "
            "citus.enable_unsafe_triggers is on, and runs them on the shards",
    "W108": "a materialized view reads a soft-delete table without reading its deleted_at: it counts "
            "the soft-deleted rows (a materialized view is filled past row level security)",
}
WARNINGS.update(SPEC_WARNINGS)
