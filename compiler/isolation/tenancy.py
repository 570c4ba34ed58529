"""The tenancy the probes attack, read from the compiled model: its own
:class:`~compiler.model.Tenancy`, the labels of the membership role enum, and the qualified
names the catalog is read with (the tenant root and the membership table live in ``public``)."""

from __future__ import annotations

from ..model import Model, Tenancy

PUBLIC = "public"


def tenancy_from_model(model: Model) -> Tenancy:
    """The model's tenancy settings; ValueError when it carries none (pass a Tenancy then)."""
    if model.tenancy is None:
        raise ValueError("the model carries no tenancy settings")
    return model.tenancy


def member_roles(model: Model, tenancy: Tenancy | None = None) -> tuple[str, ...]:
    """Labels of the membership role enum, most privileged first; () without a role column."""
    tenancy = tenancy or tenancy_from_model(model)
    if not tenancy.role_enum:
        return ()
    enum = next((o for o in model.objects if o.family == "enum" and o.name == tenancy.role_enum), None)
    return tuple(enum.values) if enum else ()


def qualified(schema: str, name: str) -> str:
    return f"{schema}.{name}"


def public(name: str) -> str:
    """``name`` qualified with ``public`` unless it already is qualified."""
    return name if "." in name else qualified(PUBLIC, name)


def split(name: str) -> tuple[str, str]:
    schema, _, table = name.partition(".")
    return schema, table
