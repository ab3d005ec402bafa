"""``built(Model, **values)``: a pydantic model from values the model layer computed and typed itself.

plan() makes about twenty models on every slider tick (the Plan, its figures, budget lines, warnings).
Validating them would only repeat what the code already guarantees, so they are built without it, as
pydantic's ``model_construct`` builds them; but ``model_construct`` also searches every field for aliases
on every call, and that search was a tenth of plan()'s time. These models have no aliases, no private
attributes and no post-init hook (checked once per class), so what is left is filling the defaults in
field order (the order ``model_dump`` writes them in).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

Model = TypeVar("Model", bound=BaseModel)

# A named tuple from all its fields in order, in one C call: namedtuple's generated __new__ is a Python function,
# and plan() makes a hundred named tuples per slider tick (settings, kernel settings, lazy derivations).
new_tuple = tuple.__new__

_new = object.__new__
# The slots a BaseModel keeps its state in, set through their descriptors as model_construct sets them.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


@functools.cache
def _layout(cls: type[BaseModel]) -> tuple[tuple[str, ...], dict[str, Any], set[str]]:
    """The field names in order, the defaults of those that have one, and the set of every field (the fields set of
    a model given them all, shared: a frozen model never changes it, and ``model_copy`` copies it before adding to
    it); refuses a model this cannot build."""
    if cls.__pydantic_post_init__ or cls.__private_attributes__ or cls.model_config.get("extra") == "allow":
        raise TypeError(f"{cls.__name__} needs model_construct: it has a post-init hook, private or extra attributes")
    defaults: dict[str, Any] = {}
    for name, field in cls.__pydantic_fields__.items():
        if field.alias not in (None, name) or field.validation_alias is not None:
            raise TypeError(f"{cls.__name__}.{name} has an alias: build it with model_construct")
        if field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name} has a default factory: build it with model_construct")
        if field.default is not PydanticUndefined:
            defaults[name] = field.default
    return tuple(cls.__pydantic_fields__), defaults, set(cls.__pydantic_fields__)


def built(cls: type[Model], **values: Any) -> Model:
    """An instance of ``cls`` holding ``values`` (and the defaults of fields not given), not validated."""
    names, defaults, every = _layout(cls)
    given_names = every
    if tuple(values) != names:  # given out of order, or some left to their defaults
        values, given_names = _completed(cls, names, defaults, values)
    made = _new(cls)
    _set_dict(made, values)
    _set_fields_set(made, given_names)
    _set_extra(made, None)
    _set_private(made, None)
    return made


def _completed(
    cls: type[BaseModel], names: tuple[str, ...], defaults: dict[str, Any], given: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """Every field in order, the defaults filled in, and the names given; refuses a missing or unknown field.

    Apart from :func:`built`: its comprehensions would make every call of ``built`` keep cells for the variables they
    read, about fifty objects per plan() for a path most calls never take."""
    wrong = [name for name in names if name not in given and name not in defaults] + [
        f"no {name}" for name in given if name not in cls.__pydantic_fields__
    ]
    if wrong:
        raise TypeError(f"{cls.__name__} needs {', '.join(wrong)}")
    return {name: given[name] if name in given else defaults[name] for name in names}, set(given)
