"""Proving builds sound on a real PostgreSQL: applying a build folder's migrations (chain) and
checking one spec change end to end (evolution).  Needs psycopg (the ``verify`` extra)."""
