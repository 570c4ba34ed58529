"""The lock's JSON text of one model object, written straight from the dataclass: the text
`json.dumps(to_data(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"))` gives,
without building the dict of every object and sorting its keys again (a lock of a thousand tables
holds some 40,000 objects). Each dataclass gets one generated function, its fields in sorted order;
a value that is not a str, None, bool, int, tuple/list or model dataclass goes through json
itself (floats, dicts), so the text is the same byte for byte (tests/test_lock_json.py)."""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from json.encoder import encode_basestring  # the C escaper json uses when ensure_ascii=False

from .model import omitted_at_default, to_data

_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_ENCODERS: dict[type, object] = {}


def encode(value) -> str:
    """The compact, key-sorted JSON text of a model object or a value of one of its fields."""
    cls = value.__class__
    if cls is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if cls is int:
        return int.__repr__(value)
    if cls is tuple or cls is list:
        return "[" + ",".join([encode(item) for item in value]) + "]"
    encoder = _ENCODERS.get(cls)
    if encoder is None:
        if not (dataclasses.is_dataclass(cls) and isinstance(cls, type)):
            return _JSON(to_data(value))
        encoder = _object_encoder_of(cls)
    return encoder(value)


def _object_encoder(cls):
    """One function per dataclass: '{"a":<a>,"b":<b>}' over its fields sorted by name (to_data
    records every field, compare=False ones too), each field's text written in line for its
    declared type, after a check of the value's class; any other value goes through encode()."""
    hints = typing.get_type_hints(cls)
    # Constants by name: an f-string's expressions (Python 3.11) hold no quotes of its own kind.
    namespace = {"escape": encode_basestring, "encode": encode, "NULL": "null", "TRUE": "true",
                 "FALSE": "false", "OPEN": "[", "CLOSE": "]", "COMMA": ","}
    optional = omitted_at_default(cls)   # written only when off their default, as to_data does
    namespace["EMPTY"] = ""
    parts = []   # one f-string: the text is built once, not by a concatenation per field
    for i, name in enumerate(sorted(f.name for f in dataclasses.fields(cls))):
        text = _field_text(hints[name], f"obj.{name}", namespace)
        if name in optional:
            assert i > 0, f"{cls.__name__}.{name}: an optional field cannot come first"
            namespace[f"o_{name}"] = "," + encode_basestring(name) + ":"
            namespace[f"d_{name}"] = optional[name]
            parts.append(f"{{EMPTY if obj.{name} == d_{name} else o_{name} + ({text})}}")
            continue
        opening = (("{" if i == 0 else ",") + encode_basestring(name) + ":").replace("{", "{{")
        parts.append(f"{opening}{{{text}}}")
    body = "f" + repr("".join(parts) + "}}") if parts else "'{}'"
    exec(compile(f"def encode_object(obj):\n    return {body}\n", f"<lock_json {cls.__name__}>", "exec"), namespace)
    return namespace["encode_object"]


def _field_text(hint, value: str, namespace: dict) -> str:
    """The expression of a field's JSON text: str, str | None, bool, a model dataclass, a tuple of
    str or of a dataclass in line when the value is of that class; encode(v) otherwise."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _item_text(next(a for a in args if a is not type(None)), "v", namespace)
        return f"NULL if (v := {value}) is None else {inner}"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and _item_text(args[0], "x", namespace) != "encode(x)":
        item = _item_text(args[0], "x", namespace)
        return f"(OPEN + COMMA.join([{item} for x in v]) + CLOSE) if (v := {value}).__class__ is tuple else encode(v)"
    if hint is bool:
        return f"TRUE if (v := {value}) is True else FALSE if v is False else encode(v)"
    return _item_text(hint, f"(v := {value})", namespace, "v")


def _item_text(hint, value: str, namespace: dict, name: str | None = None) -> str:
    """A str or model dataclass value's text, checked by class (`name`: the value once bound)."""
    name = name or value
    if hint is str:
        return f"escape({name}) if {value}.__class__ is str else encode({name})"
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        encoder = _ENCODERS.get(hint) or _object_encoder_of(hint)
        if encoder is not encode:
            number = len(namespace)   # a name of its own (two classes may share a __name__)
            namespace[f"e{number}"], namespace[f"c{number}"] = encoder, hint
            return f"e{number}({name}) if {value}.__class__ is c{number} else encode({name})"
    return f"encode({name})" if value == name else f"encode({value})"


def _object_encoder_of(cls):
    _ENCODERS[cls] = encode   # while it is made: a field of its own type is written the generic way
    try:
        encoder = _ENCODERS[cls] = _object_encoder(cls)
    except BaseException:
        del _ENCODERS[cls]
        raise
    return encoder
