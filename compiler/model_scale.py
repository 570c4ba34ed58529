"""Model objects of scale and data protection (issue 12): pg_cron schedules, Citus
distributions, the encryption key and encrypted columns. Frozen dataclasses like the rest of
the model (model.py registers their families); the key itself is never in any of them."""
from __future__ import annotations

from dataclasses import dataclass

from .names import fit as _fit
from .schema_names import PRIVATE


@dataclass(frozen=True)
class Schedule:
    """A pg_cron job (`cron.schedule`): a materialized view's refresh, partition maintenance."""

    name: str                    # job name, unique in cron.job: atlas_<what>_<object>
    cron: str                    # five-field cron expression, e.g. "*/15 * * * *"
    command: str                 # the SQL the job runs, e.g. "SELECT atlas_private.refresh_x()"
    calls: tuple[tuple[str, ...], ...] = ()   # keys of the objects the command needs
    family = "schedule"

    @property
    def key(self):
        return ("schedule", self.name)

    @property
    def requires(self):
        return {("extension", "pg_cron"), *self.calls}


@dataclass(frozen=True)
class Distribution:
    """target citus: a table made distributed by a column, colocated with another, or a
    reference table copied to every node. Skipped with a notice where Citus is absent."""

    schema: str
    table: str
    method: str                  # hash (create_distributed_table) | reference (create_reference_table)
    column: str | None = None    # the distribution column (hash)
    colocate_with: str | None = None   # table whose shards these rows sit beside
    after: tuple[tuple[str, ...], ...] = ()   # distributions that must exist first (keys' targets)
    family = "distribution"

    @property
    def key(self):
        return ("distribution", self.schema, self.table)

    @property
    def requires(self):
        deps = {("table", self.schema, self.table), *self.after}
        if self.colocate_with and self.colocate_with != self.table:
            deps.add(("distribution", self.schema, self.colocate_with))
        return deps


# What a stored ciphertext starts with: the format's version (a key rotation may add atlas2:).
CIPHERTEXT_PREFIX = "atlas1:"


@dataclass(frozen=True)
class EncryptionKey:
    """The key of the project's encrypted columns (issue 12), made on the server when the
    migration runs (Supabase Vault where vault.decrypted_secrets exists then, else a private
    table no API role reaches), with the functions that encrypt and decrypt under it. The key
    itself is never in the model, the lock or a migration."""

    name: str = "atlas_encryption_key"   # the Vault secret's name
    readers: tuple[str, ...] = ()        # who may call decrypt (the accessors' readers)
    family = "encryption_key"
    prefix = CIPHERTEXT_PREFIX

    @property
    def key(self):
        return ("encryption_key", self.name)

    @property
    def requires(self):
        return {("schema", PRIVATE), ("extension", "pgcrypto")}


@dataclass(frozen=True)
class EncryptedColumn:
    """One `encrypted: true` column: a trigger encrypts what the application writes; the rows
    already there are encrypted in batches when it is turned on, decrypted when it is off."""

    schema: str
    table: str
    column: str
    family = "encrypted_column"
    prefix = CIPHERTEXT_PREFIX

    @property
    def key(self):
        return ("encrypted_column", self.schema, self.table, self.column)

    @property
    def requires(self):
        return {("table", self.schema, self.table), ("column", self.schema, self.table, self.column),
                ("encryption_key", EncryptionKey.name)}

    @property
    def trigger(self) -> str:
        """PostgreSQL fires BEFORE row triggers by name: a spec's BEFORE INSERT/UPDATE row trigger
        on the table must sort before this one (E414), so that this one sees the final value."""
        return _fit(f"encrypt_{self.column}")

    @property
    def function(self) -> str:
        return _fit(f"encrypt_{self.table}_{self.column}")

    @property
    def audit(self) -> str:
        """The table's audit trail, if it has one (looked up when the migration runs): rows from
        before the column was sensitive hold its plaintext, encrypted with the rows."""
        return _fit(f"{self.table}_audit")
