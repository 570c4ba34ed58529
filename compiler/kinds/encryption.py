"""Encrypted columns (issue 12): the project's key (family encryption_key) and each encrypted
column's trigger (family encrypted_column), next to templates/encryption_key/ and
templates/encrypted_column/.

The key is made by the migration on the server (gen_random_bytes), in Supabase Vault when
vault.decrypted_secrets exists then, else in atlas_private.encryption_key, a table no API role
may read; no statement text carries it. atlas_private.encrypt_value / decrypt_value (security
definer) use it; pgcrypto's schema is looked up when the migration runs (Supabase puts it in
`extensions`). A stored value is `atlas1:` and the base64 of pgp_sym_encrypt's output.

Turning encryption on for a table that stays (the online form): the main transaction creates the
trigger (BEFORE INSERT OR UPDATE, an ordinary one: ENABLE ALWAYS would not survive a column
restore's DISABLE / ENABLE TRIGGER USER), then the rows, and the values of the column that the
table's audit trail holds from before it was sensitive, are encrypted in committed batches
outside a transaction (the batched backfill's DO block on rows not yet `atlas1:`: `SET c
= c` and the trigger encrypts, or, in a superuser's batches, which run as replica so that no
trigger fires, the batch calls encrypt_value itself; a row the application writes meanwhile is
encrypted by the trigger).
Turning it off: before the main transaction, one DO block drops the trigger and decrypts in
batches (the audit trail's values too) (the key and decrypt_value are still there); the main transaction then drops the trigger
function. A plain form (a table created by the migration, or a renamed one) does the same in the
main transaction.

A column that is archived, or a table archived with it, keeps its ciphertext: the archive holds
the values as they are stored (ArchiveEncrypted drops the trigger and function only), and the restore
puts the ciphertext back before RestoreEncrypted makes the trigger again. The key outlives every ciphertext: when
no encrypted column is left (removed or turned off), ArchiveKey moves the key table to
atlas_archive as <number>_encryption_key (a Vault secret stays where it is) and its down moves it
back; a later migration that encrypts again makes a new key, and the downs, run in order, bring
the archived key back before any archive made under it is restored."""
from __future__ import annotations

from dataclasses import dataclass

from ..names import fit
from .base import REMOVE, TABLE_SCAN, Create, Drop, Twin, _Whole, pair
from .kind import Kind, register
from .stages import BUILD, CATALOG, MAIN, PRE, ROWS, Piece, nothing, undone_by

ENCRYPTED_STAYS = ("nothing to take back: the rows stay encrypted, and the main transaction's down decrypts them "
                   "when it drops the trigger")


def _online(op) -> tuple | None:
    if op.on_new_table or op.verb not in ("create", "drop"):
        return None
    if op.verb == "create":
        return (Piece(MAIN, "arm", CATALOG), Piece(BUILD, "encrypt_rows", ROWS,
                                                  ("the trigger encrypts each row the batches touch (SET c = c)",)))
    return (Piece(PRE, "decrypt_rows", ROWS, ("drops the trigger first, so that nothing encrypts the values again",)),
            Piece(MAIN, "drop_function", CATALOG))


def _undo(op, piece) -> tuple | None:
    """A runner layout's file down: the up's batches leave the rows encrypted (its main
    transaction's down decrypts them); turning encryption off, the main transaction's file is
    taken back by the trigger function alone, the first file by the trigger again and the rows
    encrypted again (one DO block, as the file is one statement)."""
    if piece.form == "encrypt_rows":
        return (nothing(ENCRYPTED_STAYS),)
    if piece.form == "decrypt_rows":
        return (undone_by(op.reverse(), PRE, "rearm", ROWS),)
    if piece.form == "drop_function":   # the trigger went with the first file, and comes back with its down
        return (undone_by(op.reverse(), MAIN, "function_only"),)
    return None


def _reads_rows(op) -> bool:
    return not op.on_new_table and op.verb in ("create", "drop")


class _LeavesWithItsValues(_Whole):
    phase = REMOVE
    hazards = ()


@dataclass(frozen=True)
class ArchiveEncrypted(_LeavesWithItsValues):
    """The trigger and its function of a column that leaves with its values (archived, or its
    table archived): the values are archived as they are stored, encrypted (diff/encryption.py
    puts this in place of the Drop that would decrypt them)."""

    verb = "archive"


@dataclass(frozen=True)
class RestoreEncrypted(_LeavesWithItsValues):
    """ArchiveEncrypted's reverse: the values restored are ciphertext already, the trigger comes back."""

    verb = "restore"


pair(ArchiveEncrypted, RestoreEncrypted)


@dataclass(frozen=True)
class _KeyArchived(Twin):
    obj: object      # the EncryptionKey
    archive: str     # the key table's name in atlas_archive
    family = "encryption_key"
    phase = REMOVE
    hazards = ()

    @property
    def key(self):
        return self.obj.key

    @property
    def needs(self):
        return self.obj.requires


@dataclass(frozen=True)
class ArchiveKey(_KeyArchived):
    """No encrypted column is left: the functions go, the key is kept in atlas_archive (archives
    made under it may hold its ciphertext), and a Vault secret stays in Vault."""

    verb = "archive"


@dataclass(frozen=True)
class RestoreKey(_KeyArchived):
    verb = "restore"


pair(ArchiveKey, RestoreKey)


def archived_key_name(number: int) -> str:
    return fit(f"{number:04d}_encryption_key")


def _remove_key(obj, ctx) -> list:
    return [ArchiveKey(obj, archived_key_name(ctx.number))]


def _phrase(op, rebuilt) -> str | None:
    if op.verb in ("create", "drop"):
        return f"{'encrypt' if op.verb == 'create' else 'decrypt'}_{op.obj.table}_{op.obj.column}"
    return None   # archived with its column or table: the archive names the migration


_SUMMARY = {"create": "encrypt", "drop": "decrypt", "archive": "stop encrypting (archived encrypted)",
            "restore": "encrypt again (restored encrypted)"}

register(Kind(
    "encryption_key", rank=17, operations=(Create, Drop, ArchiveKey, RestoreKey), removed=_remove_key,
    names=lambda obj: [(("relation", "atlas_private", "encryption_key"), "the encryption key table")]))

KIND = register(Kind(
    "encrypted_column", rank=17, leads_slug=True, create_hazards=(TABLE_SCAN,), drop_hazards=(TABLE_SCAN,), online=_online,
    undo=_undo, reads_rows=_reads_rows, operations=(Create, Drop, ArchiveEncrypted, RestoreEncrypted), phrase=_phrase,
    summary=lambda op: f"{_SUMMARY[op.verb]} column {op.obj.table}.{op.obj.column}",
    # its trigger shares the table's namespace of triggers with the spec's own (E602)
    names=lambda obj: [(("trigger", obj.schema, obj.table, obj.trigger),
                        f"the trigger that encrypts {obj.table}.{obj.column}")]))
