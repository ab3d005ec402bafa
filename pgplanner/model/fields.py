"""Field declarations that carry their own range, unit and help text.

A Scenario field is declared once, with its bounds and unit; the window's sliders, the CLI options and
the validation messages are all read back from it through :class:`FieldSpec`. Changing a range in the
model therefore changes every place that shows or checks it.

The kind, unit, step, log scale and "auto" text travel as a typed :class:`Input` marker in the field's
metadata, the list pydantic keeps ``Annotated[...]`` markers in: the helpers below put it there, and
``Annotated[int, Input(kind="count")]`` works the same way.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, cast, get_args

import annotated_types
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from .units import format_size, parse_size

FieldKind = Literal["count", "size", "number", "choice", "flag", "text"]


class Input(NamedTuple):
    """How an input is shown and typed: its kind, unit, slider step and scale, and its "auto" rule.

    A named tuple, as is :class:`FieldSpec`: cheaper than a frozen dataclass to create at import (one class each).
    """

    kind: FieldKind
    unit: str = ""
    flat: str | None = None  # the CLI option and widget name, when not the field's own name
    auto: str | None = None  # how the value is derived when left empty; None if it must be given
    log: bool = False
    step: float = 1
    advanced: bool = False  # rarely changed: forms fold it away until asked
    accepts: str = ""  # a text input's values in words ("a host name or an IP address")


def _with(info: Any, marker: Input) -> Any:
    """``info`` (a FieldInfo; ``Field()`` is typed as its default) carrying ``marker`` among its metadata,
    as an ``Annotated`` marker would."""
    cast(FieldInfo, info).metadata.append(marker)
    return info


def count(
    default: int | None,
    lo: int,
    hi: int,
    title: str,
    description: str,
    *,
    unit: str = "connections",
    flat: str | None = None,
    auto: str | None = None,
    log: bool = False,
    advanced: bool = False,
) -> Any:
    """A whole-number field, such as a connection count."""
    return _field(
        default, lo, hi, title, description, kind="count", unit=unit, flat=flat, auto=auto, log=log, advanced=advanced
    )


def size(
    default: str | None,
    lo: str,
    hi: str,
    title: str,
    description: str,
    *,
    unit: str,
    flat: str | None = None,
    auto: str | None = None,
    log: bool = True,
    advanced: bool = False,
) -> Any:
    """A memory size in bytes; bounds and default are written as postgresql.conf sizes."""
    return _field(
        None if default is None else parse_size(default),
        parse_size(lo),
        parse_size(hi),
        title,
        description,
        kind="size",
        unit=unit,
        flat=flat,
        auto=auto,
        log=log,
        advanced=advanced,
    )


def number(
    default: float | None,
    lo: float,
    hi: float,
    title: str,
    description: str,
    *,
    unit: str,
    step: float,
    flat: str | None = None,
    log: bool = False,
    auto: str | None = None,
    advanced: bool = False,
) -> Any:
    """A real number such as a fraction or a time in milliseconds."""
    return _field(
        default, lo, hi, title, description, kind="number", unit=unit, flat=flat, step=step, log=log, auto=auto,
        advanced=advanced,
    )  # fmt: skip


def choice(
    default: str | None,
    title: str,
    description: str,
    *,
    flat: str | None = None,
    auto: str | None = None,
    advanced: bool = False,
) -> Any:
    """One of a Literal's values; the values themselves come from the annotation. With ``auto`` the
    default None means "derive it", as for a count or a size."""
    marker = Input("choice", flat=flat, auto=auto, advanced=advanced)
    return _with(Field(default, title=title, description=description), marker)


def flag(default: bool, title: str, description: str, *, flat: str | None = None) -> Any:
    """A yes/no switch."""
    return _with(Field(default, title=title, description=description), Input("flag", flat=flat))


def text(
    default: str | None,
    title: str,
    description: str,
    *,
    unit: str,
    accepts: str,
    auto: str | None = None,
    advanced: bool = False,
) -> Any:
    """Free text such as a network or a host name; its type's validator checks it, ``accepts`` says in words
    what it takes. ``unit`` names what is typed (``CIDR``, ``HOST``): the CLI shows it as the option's value."""
    marker = Input("text", unit=unit, auto=auto, advanced=advanced, accepts=accepts)
    return _with(Field(default, title=title, description=description), marker)


def _field(
    default: Any,
    lo: float,
    hi: float,
    title: str,
    description: str,
    *,
    kind: FieldKind,
    unit: str,
    flat: str | None,
    auto: str | None = None,
    log: bool = False,
    step: float = 1,
    advanced: bool = False,
) -> Any:
    marker = Input(kind, unit=unit, flat=flat, auto=auto, log=log, step=step, advanced=advanced)
    return _with(Field(default, ge=lo, le=hi, title=title, description=description), marker)


class FieldSpec(NamedTuple):
    """Everything a form, a CLI option or an error message needs to know about one input."""

    group: str
    name: str
    flat: str
    title: str
    description: str
    kind: FieldKind
    default: Any
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    step: float = 1
    log: bool = False
    choices: tuple[str, ...] = ()
    auto: str | None = None  # how the value is derived when left empty; None if it must be given
    advanced: bool = False  # rarely changed: forms fold it away until asked
    accepts: str = ""  # a text input's values in words

    @property
    def path(self) -> str:
        return f"{self.group}.{self.name}"

    @property
    def bounds(self) -> tuple[float, float]:
        """``(lo, hi)`` of a count, size or number field: ``numeric()`` gives every one both."""
        if self.lo is None or self.hi is None:
            raise ValueError(f"{self.flat} is not a field with a range")
        return self.lo, self.hi

    @property
    def option(self) -> str:
        return "--" + self.flat.replace("_", "-")

    def format(self, value: Any) -> str:
        """``value`` as a user would type it: ``16GB``, ``0.2``, ``true``, ``auto``."""
        if value is None:
            return "auto"
        if self.kind == "size":
            return format_size(value)
        if self.kind == "flag":
            return "true" if value else "false"
        if self.kind == "number":
            return f"{value:g}"
        return str(value)

    def allowed(self) -> str:
        """The accepted values in words, e.g. ``a whole number from 1 to 1024``."""
        if self.kind == "count":
            text = f"a whole number from {self.lo:,.0f} to {self.hi:,.0f}"
        elif self.kind == "size":
            text = f"a size from {format_size(int(self.lo or 0))} to {format_size(int(self.hi or 0))}, such as 16GB"
        elif self.kind == "number":
            text = f"a number from {self.lo:g} to {self.hi:g}"
        elif self.kind == "choice":
            text = "one of " + ", ".join(self.choices)
        elif self.kind == "flag":
            text = "true or false"
        else:
            text = self.accepts or "text"
        if self.auto is not None:
            text += ", or auto"
        return text


def specs_of(group: str, model: type[BaseModel]) -> list[FieldSpec]:
    """The FieldSpecs of every declared input field of one Scenario group."""
    return [_spec(group, name, info) for name, info in model.model_fields.items()]


def _spec(group: str, name: str, info: FieldInfo) -> FieldSpec:
    marker = next((m for m in info.metadata if isinstance(m, Input)), Input("text"))
    lo = hi = None
    for constraint in info.metadata:
        if isinstance(constraint, annotated_types.Ge):
            lo = cast(float, constraint.ge)  # SupportsGe in general; the helpers above only set numbers
        elif isinstance(constraint, annotated_types.Le):
            hi = cast(float, constraint.le)
    return FieldSpec(
        group=group,
        name=name,
        flat=marker.flat or name,
        title=info.title or name,
        description=info.description or "",
        kind=marker.kind,
        default=info.default,
        lo=lo,
        hi=hi,
        unit=marker.unit,
        step=marker.step,
        log=marker.log,
        choices=_literal_values(info.annotation) if marker.kind == "choice" else (),
        auto=marker.auto,
        advanced=marker.advanced,
        accepts=marker.accepts,
    )


def _literal_values(annotation: Any) -> tuple[str, ...]:
    """The values of ``Literal[...]`` (possibly inside ``X | None``)."""
    args = get_args(annotation)
    if args and all(isinstance(a, str) for a in args):
        return args
    for arg in args:
        values = _literal_values(arg)
        if values:
            return values
    return ()
