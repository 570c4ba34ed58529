"""The lock's fast paths (compiler/lock_json.py, compiler/lock_decode.py) give exactly what the
generic ones give: each object's line is json.dumps of its to_data, byte for byte, and each
decoded object is from_data's (type, fields, errors); the diff's `unchanged` keys, which spare
the lock's history a second comparison, are only keys whose released object equals the new one."""
from __future__ import annotations

import json
from dataclasses import dataclass, fields

import pytest
from helpers import ROOT

from compiler import lockfile
from compiler.diff import diff_models
from compiler.lock_decode import decode
from compiler.lock_json import encode
from compiler.model import FAMILIES, Column, Constraint, Grant, Table, Tenancy, View, from_data, to_data
from compiler.pipeline import compile_folder

JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
LOCKS = sorted((ROOT / "tests" / "cases").rglob("schema.lock.json")) + [ROOT / "build" / "schema.lock.json"]


def _strict(a, b) -> bool:
    """Equal, and of the same types all the way down (1 == True and (1,) != [1] are not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_strict(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_strict(a[k], b[k]) for k in a)
    if hasattr(a, "__dataclass_fields__"):
        return all(_strict(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    return a == b


class _Text(str):
    pass


@dataclass(frozen=True)
class _Other:   # another class with a column's first fields
    name: str
    type: str


ODD = "quote\" back\\slash \n\t\r\b\f \x00\x1f \x7f é ü 漢 \u2028\u2029 😀 {}[],:"


@pytest.mark.parametrize("obj", [
    Column("a", "text", default=ODD, comment=""),
    Column(ODD, "numeric(10, 2)", nullable=False, identity="always", sensitive=True),
    Table("public", "t", (Column("id", "uuid"),), (Constraint("c", "check", ("a", ODD), expression="a > 1.5"),),
          revoke_from=(), grants=()),
    View("public", "v", "select 1", reads=(("table", "public", "t"), ("column", "public", "t", ODD))),
    Tenancy("orgs", "id", "organization_id", "members", "user_id", current_tenant_key=ODD),
    (1, True, False, None, 1.5, float("inf"), -0.0, 10**30, {"b": [1, {"z": 1, "a": ODD}], "a": None}),
    # values of other types than the fields declare: written as json writes them, not as declared
    Column(_Text("a"), 1, nullable=0, default=2.5, comment=("x",), sensitive=None),
    Table("public", "t", [Column("id", "uuid")], (Grant("r", ("s",)), "x"), revoke_from="abc", grants=[ODD, 1]),
    Table("public", "t", (_Other("id", "uuid"),), kind={"a": (1, 2)}),
])
def test_an_object_encodes_as_json_of_its_data(obj):
    assert encode(obj) == JSON(to_data(obj))


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: str(p.relative_to(ROOT).parent))
def test_every_released_lock_encodes_and_decodes_as_before(lock):
    raw = lock.read_bytes()
    data = json.loads(raw)
    for family, items in data["objects"].items():
        for item in items:
            obj = decode(FAMILIES[family], item)
            assert _strict(obj, from_data(FAMILIES[family], item))
            assert encode(obj) == JSON(to_data(obj)) == JSON(item)
    state = lockfile.load_lock(raw, "schema.lock.json")
    assert lockfile.dump(state.model, state.migrations, state.history, state.layout).encode() == raw


def test_an_item_of_an_old_lock_or_the_wrong_shape_decodes_as_from_data_does():
    item = to_data(Table("public", "t", (Column("id", "uuid"),)))
    del item["grants"]                   # an old lock: the field's default
    del item["columns"][0]["origin"]     # a nested one too
    assert _strict(decode(Table, item), from_data(Table, item))
    for bad in ({**item, "columns": 5}, {"name": "t"}, [1, 2], "text"):
        with pytest.raises(Exception) as fast:
            decode(Table, bad)
        with pytest.raises(Exception) as generic:
            from_data(Table, bad)
        assert (type(fast.value), str(fast.value)) == (type(generic.value), str(generic.value))


def test_unchanged_keys_are_keys_whose_released_object_equals_the_new_one():
    old = lockfile.load_lock((ROOT / "build" / "schema.lock.json").read_bytes(), "lock").model
    new = compile_folder(ROOT / "schema")
    changes = diff_models(old, new)
    before, after = old.by_key(), new.by_key()
    assert changes.unchanged == {key for key in set(before) & set(after) if before[key] == after[key]}
