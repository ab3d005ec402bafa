"""Autoscaling plans: a range of capacity units (Aurora Serverless v2 ACU, Neon CU) resolved as one plan.

A provider that scales a database between a minimum and a maximum sets max_connections from that
range, not from the machine of the moment: Aurora Serverless v2 from the maximum ACU (and at most
2,000 when the minimum is 0.5 ACU), Neon from the maximum CU but at most 8 x the minimum CU, over a
range at most 8 CU wide. The hardware is taken at the maximum, what the plan scales to under load.
Every value carries its arithmetic, like the catalog's other figures.
"""

from __future__ import annotations

import re

from ..model.derivation import Derivation, n
from ..model.units import human_size
from .rules import Context
from .schema import AutoscalingSpec, PlanSpec, ProviderFile

NUMBER = r"\d{1,4}(?:\.\d{1,4})?"


class RangeError(ValueError):
    """A range the provider does not allow; the message says which ranges it does."""


def units(value: float) -> str:
    return f"{value:g}"


def range_id(spec: AutoscalingSpec, low: float, high: float, prefix: str | None = None) -> str:
    return f"{spec.prefixes[0] if prefix is None else prefix}{units(low)}-{units(high)}{spec.suffix}"


def parse_range(spec: AutoscalingSpec, plan: str) -> tuple[float, float] | None:
    """(minimum, maximum) named by ``plan``; None when it is not a range id; RangeError when out of range."""
    for prefix in spec.prefixes:
        pattern = re.escape(prefix) + rf"(?:(?P<low>{NUMBER})-)?(?P<high>{NUMBER}){re.escape(spec.suffix)}"
        found = re.fullmatch(pattern, plan)
        if found:
            break
    else:
        return None
    high = float(found["high"])
    if found["low"] is None:
        if spec.short_minimum is None:
            return None
        low = min(spec.short_minimum, high)
    else:
        low = float(found["low"])
    if not spec.allows_range(low, high):
        steps = f"in steps of {units(spec.step)}" if spec.step else "at " + ", ".join(map(units, spec.sizes))
        widest = f" and at most {units(spec.widest)} {spec.unit} above it" if spec.widest is not None else ""
        raise RangeError(
            f"{spec.label} ranges run from {units(spec.lowest)} to {units(spec.highest)} {spec.unit} {steps}, "
            f"the maximum at least the minimum{widest}"
        )
    return low, high


def scaled_plan(provider: ProviderFile, spec: AutoscalingSpec, low: float, high: float) -> tuple[PlanSpec, Derivation]:
    """The range ``low``..``high`` as a plan, with how its max_connections was reached."""
    if spec.sizing_factor is None:
        sizing, sizing_text = high, f"the maximum, {units(high)} {spec.unit}"
    else:
        sizing = min(high, spec.sizing_factor * low)
        sizing_text = f"min({units(high)}, {units(spec.sizing_factor)} x {units(low)}) = {units(sizing)} {spec.unit}"
    value, how = _at(provider, spec, sizing)
    calculation = f"sized by {sizing_text}: {how}"
    settable = None
    cap = spec.low_minimum_cap
    if cap is not None and low <= cap.minimum_at_most:
        capped = min(value, cap.max_connections)
        calculation += (
            f"; a minimum of {units(low)} {spec.unit} caps it: min({n(value)}, {n(cap.max_connections)}) = {n(capped)}"
        )
        value, settable = capped, (1, cap.max_connections)
    sized_by = (
        "the maximum"
        if spec.sizing_factor is None
        else f"the maximum, at most {units(spec.sizing_factor)} x the minimum"
    )
    capped_when = (
        f", at most {n(cap.max_connections)} when the minimum is {units(cap.minimum_at_most)} {spec.unit} or less"
        if cap is not None
        else ""
    )
    why = Derivation(
        formula=f"max_connections = the value documented for {sized_by} {spec.unit}{capped_when}",
        calculation=calculation,
        inputs={"minimum": f"{units(low)} {spec.unit}", "maximum": f"{units(high)} {spec.unit}"},
        source=spec.source,
        note=cap.source if cap is not None and settable is not None else "",
    )
    ram = round(high * spec.ram_per_unit)
    vcpus = high * spec.vcpus_per_unit
    plan = PlanSpec(
        id=range_id(spec, low, high),
        aliases=tuple(_aliases(spec, low, high)),
        label=f"{spec.label} {units(low)}-{units(high)} {spec.unit} ({vcpus:g} vCPU, {human_size(ram)} at the maximum)",
        vcpus=vcpus,
        ram=ram,
        cpu=spec.cpu,
        max_connections=value,
        max_connections_settable=settable,
        source=spec.source,
        as_of=spec.as_of,
        confidence=spec.confidence,
        notes=spec.notes,
    )
    return plan, why


def _aliases(spec: AutoscalingSpec, low: float, high: float) -> list[str]:
    names = [range_id(spec, low, high, prefix) for prefix in spec.prefixes[1:]]
    if spec.short_minimum is not None and low == min(spec.short_minimum, high):
        names += [f"{prefix}{units(high)}{spec.suffix}" for prefix in spec.prefixes]
    return names


def _at(provider: ProviderFile, spec: AutoscalingSpec, sizing: float) -> tuple[int, str]:
    """max_connections at ``sizing`` units: documented, else the provider's formula, else the size below."""
    table = dict(spec.max_connections_at)
    if sizing in table:
        return table[sizing], f"documented {n(table[sizing])} at {units(sizing)} {spec.unit}"
    last = max(table)
    if sizing > last:
        return table[last], f"from {units(last)} {spec.unit} up the documented value stays {n(table[last])}"
    rule = provider.max_connections_rule
    if rule is not None:
        ram = round(sizing * spec.ram_per_unit)
        value, why = rule.evaluate(Context(ram=ram))
        return value, f"not documented at {units(sizing)} {spec.unit}, so the provider's formula: {why.calculation}"
    below = max((size for size in table if size < sizing), default=min(table))
    return table[
        below
    ], f"not documented at {units(sizing)} {spec.unit}: the value of {units(below)} {spec.unit}, {n(table[below])}"
