"""The lock's history: every build after the first records what it changed, so that the model
after every released migration can be rebuilt (compiler.released.model_history) -- the model
`verify` holds each step of the chain to. Old locks without history still load and build."""
from __future__ import annotations

import json
import shutil

import pytest
from chains import STEPS, build_chain, compiled
from helpers import ROOT, run_cli

from compiler import lockfile
from compiler.checksums import compute
from compiler.diagnostics import CompileError
from compiler.model import to_data
from compiler.output import write_files
from compiler.pipeline import fresh_build, next_migration
from compiler.released import LOCK, SUM, model_history, read_state, released_files

EXAMPLE_BUILD = ROOT / "build"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory.mktemp("chain"))


def test_history_gives_back_the_model_of_every_step(chain):
    out, built = chain
    history = model_history(out)
    assert [name for name, _ in history] == [name for names, _ in built for name in names]
    models = dict(history)
    for names, spec in built:
        assert models[names[-1]] is not None, names
        assert to_data(models[names[-1]]) == to_data(compiled(spec)), names
        # Between the two migrations of a split build there is no spec's model.
        assert all(models[name] is None for name in names[:-1])
    assert sum(len(names) > 1 for names, _ in built) == 1, "the chain must include a split build"


def test_history_is_one_deterministic_line_per_build(chain, tmp_path):
    out, built = chain
    text = (out / LOCK).read_text(encoding="utf-8")
    again, _ = build_chain(tmp_path)
    assert (again / LOCK).read_text(encoding="utf-8") == text
    lines = text.splitlines()
    start = lines.index(' "history": [')
    entries = [json.loads(line.strip().rstrip(",")) for line in lines[start + 1:-2]]
    assert lines[-2:] == [" ]", "}"]
    assert len(entries) == len(built) - 1
    assert [e["after"] for e in entries] == [names[-1] for names, _ in built[1:]]
    split = [e for e in entries if "first" in e]
    assert [e["first"] for e in split] == [names[0] for names, _ in built if len(names) > 1]
    lock = lockfile.load_lock(text, "lock")
    for entry in lock.history:
        assert list(entry.added) == sorted(entry.added)
        assert [o.key for o in entry.before] == sorted(o.key for o in entry.before)
        assert entry.added or entry.before
    # The lock reads back as written, history included.
    assert lockfile.dump(lock.model, lock.migrations, lock.history) == text


def test_a_first_build_writes_no_history(tmp_path):
    out, _ = build_chain(tmp_path, STEPS[:1])
    assert '"history"' not in (out / LOCK).read_text(encoding="utf-8")
    ((name, model),) = model_history(out)
    assert name == "0001_initial" and model is not None


def test_fresh_build_is_the_initial_up_a_build_writes(chain):
    _, built = chain
    for _, spec in built:
        model = compiled(spec)
        empty = spec.parent / f"{spec.name}-fresh"
        assert fresh_build(model) == next_migration(spec, empty).files["migrations/0001_initial.up.sql"].decode()


def test_an_old_lock_loads_builds_and_starts_recording(tmp_path):
    out = tmp_path / "build"
    shutil.copytree(EXAMPLE_BUILD, out)
    # the example's lock as builds before history wrote it: the same model, no "history" key
    old = lockfile.dump(*lockfile.load((out / LOCK).read_text(encoding="utf-8"), LOCK))
    assert '"history"' not in old
    (out / LOCK).write_text(old, encoding="utf-8")
    released = json.loads(old)["migrations"]
    (out / SUM).write_text(compute(released_files(out, released)), encoding="utf-8")
    assert read_state(out).migrations == released
    history = model_history(out)
    assert [m is None for _, m in history] == [True] * (len(released) - 1) + [False]
    spec = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", spec)
    (spec / "crm" / "visits.yaml").write_text(
        "tables:\n  visits:\n    columns:\n      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}\n"
        "      note: {type: text}\n", encoding="utf-8")
    result = next_migration(spec, out)
    write_files(out, result.files)
    history = dict(model_history(out))
    assert to_data(history[result.migrations[-1]]) == to_data(compiled(spec))
    assert to_data(history[released[-1]]) == to_data(lockfile.load(old, "old")[0])
    assert all(history[name] is None for name in released[:-1])
    assert not next_migration(spec, out).files, "a rebuild after recording is not up to date"


def test_the_example_build_is_still_up_to_date():
    result = run_cli("build", "--check")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_a_build_with_history_is_up_to_date(chain):
    out, built = chain
    result = run_cli("build", "--check", "--schema", str(built[-1][1]), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def _edit_history(out, edit):
    path = out / LOCK
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    lines = json.dumps(data, indent=1, sort_keys=True)   # the loader reads any JSON layout
    path.write_text(lines, encoding="utf-8")
    migrations = data["migrations"] if isinstance(data.get("migrations"), list) else []
    (out / SUM).write_text(compute(released_files(out, migrations)), encoding="utf-8")


def _set(key, value):
    return lambda data: data.__setitem__(key, value)


def _entry(number, key, value):
    def edit(data):
        data["history"][number][key] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    (_set("history", {"after": "x"}), "history: expected a list"),
    (_entry(0, "after", "0009_nowhere"), "history entry 1: '0009_nowhere' is not a released migration"),
    (lambda d: d["history"].reverse(), "history entry 3: the build ends at"),
    (lambda d: d["history"].pop(), "history entry 2: the build ends at"),
    (_entry(2, "added", [["table", "public", "nothing"]]), "history entry 3: the build of 0005"),
    (_entry(1, "before", [{"family": "gizmo", "name": "x"}]), "not an object with a known family"),
    (_entry(1, "first", "0005_drop_notes_body_rename_notes_and_more"), "'first'"),
    (_entry(0, "colour", "blue"), "history entry 1: unknown key 'colour'"),
    (lambda d: d["history"].insert(0, dict(d["history"][0], after="0001_initial")),
     "history entry 1: the build of '0001_initial' is the first build"),
])
def test_a_malformed_history_is_E902(chain, tmp_path, edit, message):
    out = tmp_path / "build"
    shutil.copytree(chain[0], out)
    _edit_history(out, edit)
    with pytest.raises(CompileError) as caught:
        read_state(out)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E902"
    assert message in diagnostic.message, diagnostic.message
    assert diagnostic.message.startswith("cannot read the lock file: ")
