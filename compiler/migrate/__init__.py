"""`atlas-compile migrate`: applies a build folder's released migrations to a live database part by
part (parts.py reads a file's parts, apply.py sends them, history.py records them, runner.py
decides what is pending). psycopg is the `verify` extra: the command imports this lazily."""
