"""pg_cron jobs: cron.schedule on create, cron.unschedule on drop (so `down` removes the job).
A changed schedule or command is unscheduled and scheduled again (the default change). A job
holds its command as text, so nothing is rebuilt around what it calls."""
from __future__ import annotations

from .base import Create, Drop
from .kind import Kind, register

_VERBS = {"create": "schedule", "drop": "unschedule"}

#: Extensions the server lets be created in one database of the cluster only, with the setting
#: that names it (pg_cron: Supabase's `postgres`). Elsewhere, or where the library is not
#: preloaded (the setting is undefined), extension/create.sql.j2 raises a notice instead, and
#: the schedules, made only where pg_cron is installed, are not made: the same migration
#: applies in a team's dev and CI databases.
ONE_DATABASE = {"pg_cron": "cron.database_name"}

KIND = register(Kind(
    "schedule", rank=15, operations=(Create, Drop),
    names=lambda obj: [(("schedule", obj.name), f"pg_cron job {obj.name}")],
    phrase=lambda op, rebuilt: f"{_VERBS[op.verb] if op.key not in rebuilt else 'reschedule'}_{op.key[-1]}"))
