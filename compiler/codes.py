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
    "E406": "owner rule without a usable owner_column",
    "E407": "role:<name> is not a value of the membership role enum",
    "E408": "tenancy settings are inconsistent",
    "E409": "access rule not allowed here",
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
}
CODES["E503"] = "a materialized view of tenant data does not output the tenant column"
CODES["E504"] = "a function body does not parse"

# Warnings: the build goes on and writes the migration; the CLI prints them.
WARNINGS = {
    "W001": "data leaves the live schema or may not survive a cast (archived for down, or lost)",
    "W002": "enum values are removed: the migration fails while rows still hold them",
    "W003": "a column becomes NOT NULL without a value for existing rows: the migration fails while rows lack one",
}
