"""`refresh:` of a materialized view: the generated refresh function and, where the project has
pg_cron, the job that runs it. A pass after the views: it reads the private materialized view
and its indexes that lower/views.py made, and records the Refresh on that view."""
from __future__ import annotations

import re
from dataclasses import replace

from .. import names
from ..meaning.context import Context
from ..model import PRIVATE, Function, Refresh, Schedule
from ..sqltext import qualified

_EVERY = re.compile(r"^(?:(\d+) )?(minute|hour|day)s?$")
_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}
SAYABLE = ("a number of minutes dividing 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30), "
           "of hours dividing 24 (1, 2, 3, 4, 6, 8, 12) or 1 day")


def cron_expression(minutes: int) -> str | None:
    """The five-field cron expression that fires every `minutes`, evenly spaced, or None when
    cron cannot say it (`*/7` fires at :56 and again at :00; `*/2` days restarts each month)."""
    if minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    hours, rest = divmod(minutes, 60)
    if not rest and hours < 24 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    return "0 0 * * *" if minutes == 24 * 60 else None


def interval_text(minutes: int) -> str:
    """The normalized interval, in the largest unit that divides it: 60 minutes is "1 hour"."""
    for unit in ("day", "hour", "minute"):
        count, rest = divmod(minutes, _MINUTES[unit])
        if not rest:
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError(minutes)


def _every(ctx: Context, entry, text) -> tuple[str, str] | None:
    """(normalized interval, cron expression) of `every`, or None after reporting E412."""
    match = _EVERY.match(str(text).strip())
    minutes = int(match[1] or 1) * _MINUTES[match[2]] if match else 0
    cron = cron_expression(minutes) if minutes else None
    if cron is None:
        ctx.error("E412", f"materialized view '{entry.name}' refresh: cron cannot run a job every '{text}' "
                          "at even intervals", entry, "refresh", "every", hint=f"use {SAYABLE}")
        return None
    return interval_text(minutes), cron


def _unusable(index) -> str | None:
    """Why REFRESH ... CONCURRENTLY cannot use the index (None: it can)."""
    if not index.unique:
        return "not unique"
    if index.where:
        return "unique but partial: it has a where clause"
    return None


def _check_concurrently(ctx: Context, entry, indexes) -> bool:
    reasons = [f"{index.name} ({why})" for index in indexes if (why := _unusable(index))]
    if len(reasons) < len(indexes):
        return True
    have = ", ".join(reasons) if reasons else "none"
    ctx.error("E412", f"materialized view '{entry.name}' refresh: concurrently needs a unique index on "
                      "plain columns without a where clause under its `indexes` (REFRESH MATERIALIZED VIEW "
                      f"CONCURRENTLY refuses a view without one); its indexes: {have}",
              entry, "refresh", "concurrently",
              hint="add `{columns: [...], unique: true}` to the view's indexes, on columns that identify a row")
    return False


def refresh_function(ctx: Context, view: str, refresh: Refresh, scheduled: bool) -> Function:
    """atlas_private.refresh_<view>(): runs as its owner (the materialized view's, who alone may
    REFRESH it) and only the owner may call it, as the pg_cron job does: no API role can reach
    atlas_private's functions but through a grant (service_role has no usage on the schema, and
    PostgREST serves only `public`), so none is given."""
    how = "CONCURRENTLY " if refresh.concurrently else ""
    if refresh.every:
        when = (f" every {refresh.every} by pg_cron job atlas_refresh_{view}" if scheduled
                else f"; meant to run every {refresh.every} (not scheduled: pg_cron is not in project.extensions)")
    else:
        when = ""
    return Function(
        PRIVATE, names.fit(f"refresh_{view}"), "void", "plpgsql",
        f"BEGIN\n    REFRESH MATERIALIZED VIEW {how}{qualified(PRIVATE, view)};\nEND",
        security="definer", search_path="",
        comment=f"Refreshes materialized view {view}{' concurrently' if refresh.concurrently else ''}{when}.",
        reads=(("view", PRIVATE, view),))


def with_refreshes(ctx: Context, objects: list) -> list:
    """`objects` with each refreshed materialized view's Refresh recorded, its refresh function
    and, where pg_cron is in project.extensions and `every` is set, its Schedule."""
    views = {o.name: i for i, o in enumerate(objects) if o.family == "view" and o.schema == PRIVATE}
    result, added = list(objects), []
    cron = "pg_cron" in ctx.project.extensions
    for entry in ctx.spec.views.values():
        spec = entry.get("refresh")
        if spec is None:
            continue
        if not entry.get("materialized"):
            ctx.error("E412", f"view '{entry.name}' is not materialized: there is nothing to refresh",
                      entry, "refresh", hint="add `materialized: true`, or remove `refresh`")
            continue
        if entry.name not in views:
            continue   # its query was refused, and reported
        indexes = [o for o in objects if o.family == "index" and o.on_view and o.table == entry.name]
        concurrently = bool(spec.get("concurrently", False))
        every = _every(ctx, entry, spec["every"]) if spec.get("every") is not None else (None, None)
        if every is None or (concurrently and not _check_concurrently(ctx, entry, indexes)):
            continue
        refresh = Refresh(concurrently, every[0])
        at = views[entry.name]
        result[at] = replace(result[at], refresh=refresh)
        function = refresh_function(ctx, entry.name, refresh, scheduled=cron)
        added.append(function)
        if cron and refresh.every:
            added.append(Schedule(f"atlas_refresh_{entry.name}", every[1],
                                  f"SELECT {qualified(PRIVATE, function.name)}()", calls=(function.key,)))
    return result + added
