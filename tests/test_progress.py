"""Progress (compiler/progress.py): a line rewritten in place on a terminal, nothing when stderr
is not one. Proven on a real pseudo-terminal (the `pty` module) for `build` of a big spec and
for `migrate` on the suite's PostgreSQL, and with pipes for the quiet case."""
from __future__ import annotations

import io
import os
import pty
import subprocess
import threading
import time
from pathlib import Path

from helpers import CASES, ROOT, cli_command, run_cli

from compiler.progress import BIG, Progress, showing, step

CLEAR = "\r\033[K"
TABLES = BIG + 10


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def cli_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_on_terminal(*args: str, cwd: Path, timeout: float = 300) -> tuple[int, str, str]:
    """The command with stderr on a pseudo-terminal (as in a shell) and stdout on a pipe:
    (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*cli_command(), *args], cwd=cwd, env=cli_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:   # EIO: the command closed its end
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    stdout, _ = proc.communicate(timeout=timeout)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, stdout.decode(), shown.decode(errors="replace")


def big_project(root: Path) -> Path:
    """The snapshot cases' minimal project with TABLES tenant tables more: a big spec."""
    base = CASES / "snapshots" / "access_rules" / "schema"
    (root / "schema" / "core").mkdir(parents=True)
    (root / "schema" / "_project.yaml").write_text((base / "_project.yaml").read_text())
    (root / "schema" / "core" / "tables.yaml").write_text((base / "core" / "tables.yaml").read_text())
    tables = "".join(f"  item_{i:02d}:\n    columns:\n      id: {{type: uuid, primary_key: true, default_sql: "
                     f"gen_random_uuid()}}\n      name: {{type: text, nullable: false}}\n    access:\n"
                     f"      all: member\n" for i in range(TABLES))
    (root / "schema" / "items.yaml").write_text("tables:\n" + tables)
    return root


# -- the class -------------------------------------------------------------------------------

def test_quiet_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream)
    progress.step("working")
    progress.note("a line that stays")
    progress.done()
    assert stream.getvalue() == "a line that stays\n"


def test_on_a_terminal_a_step_is_one_line_rewritten_and_cleared():
    stream = FakeTerminal()
    progress = Progress(stream)
    progress.step("first")
    progress.step("second")
    progress.note("kept")
    progress.done()
    text = stream.getvalue()
    assert text.count(CLEAR) >= 3 and "first" in text and "second" in text
    assert text.endswith("kept\n"), "a note clears the live line first and then stays"


def test_with_a_delay_quick_steps_show_nothing_and_a_slow_one_shows():
    stream = FakeTerminal()
    progress = Progress(stream, delay=0.2)
    progress.step("quick")
    progress.step("slow")
    time.sleep(0.6)
    progress.done()
    text = stream.getvalue()
    assert "quick" not in text and "slow" in text


def test_a_big_spec_shows_every_step_at_once():
    stream = FakeTerminal()
    progress = Progress(stream, delay=60)
    progress.size(BIG)
    progress.step("lowering")
    progress.done()
    assert "lowering" in stream.getvalue()


def test_step_reaches_only_the_active_progress():
    stream = FakeTerminal()
    step("nobody listens")   # no command made a progress active: nothing, no error
    with showing(Progress(stream)):
        step("heard")
    step("after")
    text = stream.getvalue()
    assert "heard" in text and "after" not in text and text.endswith(CLEAR)


# -- build -----------------------------------------------------------------------------------

def test_a_big_build_shows_its_steps_on_a_terminal(tmp_path):
    project = big_project(tmp_path)
    code, stdout, shown = run_on_terminal("build", cwd=project)
    assert code == 0, shown
    assert "wrote build/migrations/0001_initial.up.sql and .down.sql" in stdout
    # Loading and the shape check come before the size is known: shown only when slow.
    for words in (f"lowering {TABLES + 2} tables", "rendering "):
        assert words in shown, shown
    assert CLEAR in shown and shown.rstrip("\r\n").endswith("\033[K"), "the live line is cleared at the end"


def test_a_big_build_is_quiet_when_stderr_is_not_a_terminal(tmp_path):
    project = big_project(tmp_path)
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "\033[" not in result.stdout


# -- migrate ---------------------------------------------------------------------------------

def test_migrate_shows_each_part_on_a_terminal_and_keeps_its_log(fresh_db):
    code, stdout, shown = run_on_terminal("migrate", "--database-url", fresh_db.conninfo(),
                                          "--out", str(ROOT / "build"), cwd=ROOT)
    assert code == 0, shown
    assert stdout.startswith("applied ")
    assert CLEAR in shown
    running = [line for line in shown.split(CLEAR) if line.endswith(": running")]
    assert running and all(" up: part " in line for line in running), shown
    done = [line for line in shown.replace("\r\n", "\n").split("\n") if " done in " in line]
    assert len(done) == len(running), "one lasting line per part, as off a terminal"


def test_migrate_is_quiet_off_a_terminal(fresh_db):
    result = run_cli("migrate", "--database-url", fresh_db.conninfo(), "--out", str(ROOT / "build"))
    assert result.returncode == 0, result.stderr
    assert "\033[" not in result.stderr and ": running" not in result.stderr
    # what stays: each part's line, and the server's notices (pg_cron lives in another database)
    assert all(" done in " in line or line.startswith("notice: ") for line in result.stderr.splitlines())
