"""Model objects from the lock's data, fast: model.from_data, but as one generated function per
dataclass that reads every field by name and calls the class once (a lock of a thousand tables
holds some 40,000 objects, nested columns and constraints included). An item that does not fit
the fast form (a field missing from an old lock, a value of another shape) is decoded again by
from_data itself, so what is accepted, what it becomes and every error stay from_data's."""
from __future__ import annotations

import dataclasses
import types
import typing

from .model import from_data, omitted_at_default

_DECODERS: dict[type, object] = {}


def decode(cls, data):
    """from_data(cls, data), through cls's generated decoder."""
    decoder = _DECODERS.get(cls) or _strict(cls)
    try:
        return decoder(data)
    except Exception:   # noqa: BLE001 - from_data decides: the same object, or its own error
        return from_data(cls, data)


def _decoder(cls):
    hints = typing.get_type_hints(cls)
    namespace: dict = {"cls": cls, "new": object.__new__}
    fields = dataclasses.fields(cls)
    optional = omitted_at_default(cls)   # absent from the lock at their default
    namespace.update({f"d_{name}": default for name, default in optional.items()})
    values = [(f.name, _conversion(hints[f.name], f"data.get({f.name!r}, d_{f.name})" if f.name in optional
                                   else f"data[{f.name!r}]", namespace, f"n{number}"))
              for number, f in enumerate(fields)]
    if hasattr(cls, "__post_init__") or not all(f.init for f in fields):
        source = f"def decode(data):\n    return cls({', '.join(f'{n}={v}' for n, v in values)})\n"
    else:
        # What the frozen __init__ would store, stored at once: its field-by-field
        # object.__setattr__ is most of the cost of a decode.
        items = ", ".join(f"{n!r}: {v}" for n, v in values)
        source = f"def decode(data):\n    obj = new(cls)\n    obj.__dict__.update({{{items}}})\n    return obj\n"
    exec(compile(source, f"<lock_decode {cls.__name__}>", "exec"), namespace)
    return namespace["decode"]


def _conversion(hint, value: str, namespace: dict, name: str) -> str:
    """An expression turning `value` (to_data's form of a `hint`) back, as from_data's converters
    do: dataclasses decoded, tuples made tuples (element by element), Optional kept None."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):   # a nested object: its decoder, any failure passed up
        namespace[name] = _strict(hint)
        return f"{name}({value})"
    if origin is tuple:
        args = typing.get_args(hint)
        inner = _conversion(args[0] if args else object, "item", namespace, name + "i")
        return f"tuple({value})" if inner == "item" else f"tuple([{inner} for item in {value}])"
    if origin in (typing.Union, types.UnionType):
        arg = next((a for a in typing.get_args(hint) if a is not type(None)), None)
        inner = "v" if arg is None else _conversion(arg, "v", namespace, name + "u")
        return value if inner == "v" else f"(None if (v := {value}) is None else {inner})"
    return value


def _strict(cls):
    """cls's generated decoder itself (no fallback: the outer item falls back whole)."""
    decoder = _DECODERS.get(cls)
    if decoder is None:
        decoder = _DECODERS[cls] = _decoder(cls)
    return decoder
