"""A row that changes partition on a soft_delete table moves instead of being soft-deleted
(issue 12, red team F1).

PostgreSQL runs an UPDATE that moves a row to another partition as a DELETE from the source
partition and an INSERT into the other one, and fires the source partition's BEFORE DELETE
row triggers: the soft-delete trigger would keep the row where it was with deleted_at set, so
anyone with the update rule could delete rows the delete rule forbids them. PostgreSQL 15 tells
the trigger nothing about the move, so a BEFORE UPDATE trigger marks it: when the row as it will
be written no longer fits the partition it is in, its key is recorded in a temporary table that
only the function's owner writes (made by the security definer soft-delete function itself,
ON COMMIT DELETE ROWS, so a mark never outlives the transaction), and on DELETE the same
function lets a marked row through, consuming the mark. One function for both: it lives as long
as the table's soft delete, so a table that stops being partitioned, whose trigger stays until
the swap, loses no function first. A GUC would be forgeable (any role may call
set_config); a temporary table of the same name made by the user is not the owner's, and is
ignored by the soft delete (and refused by the mark). The move is audited as the DELETE and the
INSERT PostgreSQL runs (AFTER UPDATE triggers do not fire for a moved row).
"""
from __future__ import annotations

from ..model import PRIVATE, PUBLIC, Trigger
from ..sqltext import ident, literal

MARKS = "pg_temp.atlas_partition_moves"
# Row triggers fire in name order: this one comes last, so it judges the row as the other
# BEFORE UPDATE triggers (updated_at) leave it.
MARK_TRIGGER = "zz_mark_partition_move"

_OWNED = (f"EXISTS (SELECT FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_roles AS r ON r.oid = c.relowner\n"
          f"              WHERE c.oid = pg_catalog.to_regclass('{MARKS}') AND c.relkind = 'r' "
          "AND r.rolname = current_user)")

# On UPDATE: the partition constraint PostgreSQL checks, evaluated on the new row; false means
# the row moves, and its key is marked. Tables named through to_regclass: the marks are made at
# run time. On DELETE: a marked row's DELETE is its move, and goes through.
_START = f"""DECLARE
  v_check text;
  v_fits boolean;
  v_marked integer;
BEGIN
  IF tg_op = 'UPDATE' THEN
    v_check := pg_catalog.pg_get_partition_constraintdef(tg_relid);
    IF v_check IS NOT NULL THEN
      EXECUTE 'SELECT ' || v_check || ' FROM (SELECT ($1).*) AS t' INTO v_fits USING new;
    END IF;
    IF v_fits IS FALSE THEN
      IF pg_catalog.to_regclass('{MARKS}') IS NULL THEN
        CREATE TEMPORARY TABLE atlas_partition_moves (relid oid NOT NULL, row_key jsonb NOT NULL) ON COMMIT DELETE ROWS;
      ELSIF NOT {_OWNED} THEN
        RAISE EXCEPTION 'cannot move the row to another partition: {MARKS} is not the table owner''s';
      END IF;
      EXECUTE pg_catalog.format('INSERT INTO %s (relid, row_key) VALUES ($1, $2)', pg_catalog.to_regclass('{MARKS}'))
        USING tg_relid, {{key}};
    END IF;
    RETURN new;
  END IF;
  IF {_OWNED} THEN
    EXECUTE pg_catalog.format('DELETE FROM %s WHERE relid = $1 AND row_key = $2', pg_catalog.to_regclass('{MARKS}'))
      USING tg_relid, {{key}};
    GET DIAGNOSTICS v_marked = ROW_COUNT;
    IF v_marked > 0 THEN
      RETURN old;
    END IF;
  END IF;
"""


def soft_delete_start(draft) -> str:
    """The soft-delete function's first lines. On a partitioned table the function is also the
    BEFORE UPDATE trigger that marks a move (one function for both: it lives exactly as long as
    the table's soft delete, whether or not the table is partitioned)."""
    if draft.partition is None:
        return "BEGIN\n"
    columns = "ARRAY[" + ", ".join(literal(c) for c in draft.primary_key) + "]"
    key = ("(SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(old)) "
           f"AS e WHERE e.key = ANY ({columns}))")
    return _START.replace("{key}", key)


def mark_trigger(draft, function: str, bypasses: str) -> list:
    """`bypasses`: the call that tells a role bypassing row level security, whose DELETE is
    no soft delete (and needs no mark)."""
    if draft.partition is None:
        return []
    column = ident(draft.partition.column)
    return [Trigger(PUBLIC, draft.name, MARK_TRIGGER, "before", ("update",), "row", PRIVATE, function,
                    when=f"old.{column} IS DISTINCT FROM new.{column} AND NOT {bypasses}")]
