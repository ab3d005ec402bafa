"""Hypothesis strategies for valid Scenarios, drawn from the model's own field specs.

Because the ranges come from the FieldSpecs, a change of range in the model changes what the
property tests explore; nothing here repeats a bound.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pgplanner.model import FIELDS, FieldSpec, Scenario

# What a text input takes, by the unit it names: networks for pg_hba.conf, a host for the pooler's server.
TEXT_VALUES = {
    "CIDR": ("samenet", "samehost", "localhost", "10.0.0.0/8", "10.0.1.0/24,192.168.0.0/16", "2001:db8::/32"),
    "HOST": ("db.example.com", "10.0.0.5", "mydb.abc123.eu-west-1.rds.amazonaws.com"),
}


def value_of(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "choice":
        values: st.SearchStrategy[Any] = st.sampled_from(spec.choices)
    elif spec.kind == "flag":
        values = st.booleans()
    elif spec.kind == "number":
        values = st.floats(spec.lo, spec.hi, allow_nan=False)
    elif spec.kind == "text":
        values = st.sampled_from(TEXT_VALUES[spec.unit])
    elif spec.kind == "size":
        # Log-uniform over the range, so megabytes and terabytes both get explored.
        values = st.floats(0, 1).map(lambda t: round(max(spec.lo, 1) * (spec.hi / max(spec.lo, 1)) ** t))
        values = values.map(lambda size: min(max(size, int(spec.lo)), int(spec.hi)))
    else:
        values = st.one_of(
            st.integers(int(spec.lo), min(int(spec.hi), int(spec.lo) + 64)), st.integers(int(spec.lo), int(spec.hi))
        )
    return st.one_of(st.none(), values) if spec.auto is not None else values


def scenarios() -> st.SearchStrategy[Scenario]:
    """Valid Scenarios: every input drawn from its field's range, auto fields sometimes left to derive."""
    return _SCENARIOS


# Built once: a strategy made afresh for every draw is validated afresh too, which took most of the
# property tests' time (about 0.1 s per scenario).
_SCENARIOS = st.fixed_dictionaries({flat: value_of(spec) for flat, spec in FIELDS.items()}).map(
    lambda changes: Scenario().with_changes(**changes)
)
