"""The model's plain data form for the lock file: to_data, and from_data its inverse, guided by
each dataclass's type hints; and OPTIONAL, the mark of a field the lock leaves out at its default.
"""
from __future__ import annotations

import dataclasses
import types
import typing

# A field added after locks were written: left out of the lock at its default, so the lock of a
# project that never uses it stays byte for byte what it was (to_data, lock_json, lock_decode).
OPTIONAL = types.MappingProxyType({"lock": "omit_default"})


# to_data and from_data run once per object and field of every lock read or written (tens of
# thousands for a thousand tables): each dataclass gets one function (to_data) or one list of
# field converters (from_data, from its type hints), worked out on first use.
_ATOMS = frozenset({str, int, bool, float, type(None)})
_CONVERTERS: dict[type, tuple] = {}
_TO_DATA: dict[type, object] = {}


def to_data(obj):
    """Plain JSON-able data for the lock file."""
    cls = type(obj)
    if cls in _ATOMS:
        return obj
    convert = _TO_DATA.get(cls)
    if convert is None:
        is_class = dataclasses.is_dataclass(cls)
        convert = _TO_DATA[cls] = _data_function(cls) if is_class else _generic_data
    return convert(obj)


def omitted_at_default(cls) -> dict[str, object]:
    """The fields of `cls` that the lock leaves out at their default (OPTIONAL), with it."""
    return {f.name: f.default for f in dataclasses.fields(cls) if f.metadata.get("lock") == "omit_default"}


def _data_function(cls):
    """A dataclass's to_data as one function: a dict display of its fields, each converted only
    when it is not a str, number, bool or None; an OPTIONAL field only when off its default."""
    optional = omitted_at_default(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in optional]
    items = ", ".join(f"{name!r}: (v if (v := obj.{name}).__class__ in _ATOMS else to_data(v))" for name in names)
    namespace = {"_ATOMS": _ATOMS, "to_data": to_data, **{f"d_{n}": d for n, d in optional.items()}}
    lines = [f"def data(obj):\n    d = {{{items}}}\n"]
    for name in optional:
        lines.append(f"    if (v := obj.{name}) != d_{name}:\n"
                     f"        d[{name!r}] = v if v.__class__ in _ATOMS else to_data(v)\n")
    exec(compile("".join(lines) + "    return d\n", "<to_data>", "exec"), namespace)
    return namespace["data"]


def _generic_data(obj):
    if isinstance(obj, (tuple, list)):
        return [value if value.__class__ in _ATOMS else to_data(value) for value in obj]
    if dataclasses.is_dataclass(obj):   # a dataclass type itself, as the generic rule had it
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    return obj


def from_data(cls, data):
    """The inverse of to_data, guided by the dataclass type hints."""
    converters = _CONVERTERS.get(cls)
    if converters is None:
        hints = typing.get_type_hints(cls)
        converters = _CONVERTERS[cls] = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))
    values = {}
    for name, convert in converters:
        if name in data:
            values[name] = data[name] if convert is None else convert(data[name])
    return cls(**values)


def _converter(hint):
    """A function turning to_data's form of a value of type `hint` back (None: as it is)."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return lambda value: from_data(hint, value)
    if origin is tuple:
        args = typing.get_args(hint)
        inner = _converter(args[0] if args else object)
        if inner is None:
            return tuple
        return lambda value: tuple(inner(v) for v in value)
    if origin in (typing.Union, types.UnionType):
        arg = next((a for a in typing.get_args(hint) if a is not type(None)), None)
        inner = None if arg is None else _converter(arg)
        if inner is None:
            return None
        return lambda value: None if value is None else inner(value)
    return None
