"""What plan() makes cheaply must read exactly as what it would make the slow way.

A derivation written on first read (``Derivation.later``) reads, compares, pickles, unpacks and
is written out as the same derivation written at once; a model made by ``built`` holds and writes out
what pydantic's ``model_construct`` makes of the same values.
"""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from pydantic import BaseModel, ConfigDict

from pgplanner.model import Scenario, plan
from pgplanner.model.construct import built
from pgplanner.model.derivation import Derivation
from pgplanner.model.plan import MemoryFigures, Plan

from ..scenarios import SCENARIOS

EAGER = Derivation(
    formula="pool = 25 % of 10", calculation="10 x 0.25 = 2.5, rounded up to 3", inputs={"pool": "10"}, source="s"
)


def lazy(calls: list[int] | None = None) -> Derivation:
    def write() -> Derivation:
        if calls is not None:
            calls.append(1)
        return Derivation(*EAGER)

    return Derivation.later(write)


def test_a_lazy_derivation_reads_as_the_eager_one():
    d = lazy()
    parts = (d.formula, d.calculation, dict(d.inputs), d.source, d.note)
    assert parts == ("pool = 25 % of 10", "10 x 0.25 = 2.5, rounded up to 3", {"pool": "10"}, "s", "")
    assert d == EAGER
    assert d.__ne__(EAGER) is False
    assert str(d) == str(EAGER) and repr(d) == repr(EAGER)
    assert tuple(d) == tuple(EAGER) and d[1] == EAGER[1] and len(d) == 5
    formula, calculation, inputs, source, note = lazy()
    assert (formula, calculation, inputs, source, note) == tuple(EAGER)
    assert d.as_json() == EAGER.as_json() and d._asdict() == EAGER._asdict()
    assert d._replace(note="n") == EAGER._replace(note="n")


def test_a_lazy_derivation_survives_pickle_and_copy_as_a_plain_one():
    for copied in (pickle.loads(pickle.dumps(lazy())), copy.copy(lazy()), copy.deepcopy(lazy())):
        assert copied == EAGER and type(copied) is Derivation


def test_a_lazy_derivation_is_written_once_and_only_when_read():
    calls: list[int] = []
    d = lazy(calls)
    assert calls == []
    _ = d.formula, d.calculation, d.note, str(d)
    assert calls == [1]


def test_a_lazy_derivation_is_written_from_the_figures_it_was_given():
    """Figures are passed when the derivation is made, so whatever changes afterwards cannot reach its text."""
    figures = [10, 0.25]

    def write(pool: int, share: float) -> Derivation:
        return Derivation(formula="reserve = pool x share", calculation=f"{pool} x {share} = {pool * share:g}")

    d = Derivation.later(write, *figures)
    figures[:] = [99, 0.5]
    assert d.calculation == "10 x 0.25 = 2.5"
    assert d == Derivation(formula="reserve = pool x share", calculation="10 x 0.25 = 2.5")


def test_a_plan_with_lazy_derivations_writes_out_what_it_reads():
    """The JSON of every derivation is what its parts say (nothing written twice or left a placeholder)."""
    result = plan(Scenario().with_changes(cores=8, ram="32GB"))
    written = json.loads(result.model_dump_json())["derivations"]
    for path, d in result.derivations.items():
        assert written[path] == {**d._asdict(), "inputs": dict(d.inputs)}, path
        assert d.formula and d.calculation, path


def test_built_holds_what_model_construct_holds():
    result = plan(Scenario())
    values = dict(result.__dict__)
    made, slow = built(Plan, **values), Plan.model_construct(**values)
    assert made == slow and made.model_dump_json() == slow.model_dump_json()
    shuffled = dict(reversed(list(result.memory.__dict__.items())))  # out of order: written in field order
    assert list(built(MemoryFigures, **shuffled).model_dump()) == list(MemoryFigures.model_fields)


class Line(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    connections: int = 0
    why: str = ""


def test_built_fills_defaults_in_order_and_refuses_a_missing_or_unknown_field():
    line = built(Line, why="admins", key="admin")
    assert line == Line.model_construct(key="admin", why="admins") == Line(key="admin", why="admins")
    assert list(line.model_dump()) == ["key", "connections", "why"]
    with pytest.raises(TypeError, match="needs key"):
        built(Line, connections=3)
    with pytest.raises(TypeError, match="no colour"):
        built(Line, key="admin", colour="red")


def test_models_built_alike_share_no_state_a_copy_could_change():
    """Models given every field share one fields set; a copy with changes gets its own."""
    first = built(Line, key="a", connections=1, why="x")
    changed = first.model_copy(update={"why": "y"})
    changed.model_fields_set.add("extra")  # whatever a caller does to a copy's set
    assert built(Line, key="b", connections=2, why="z").model_fields_set == {"key", "connections", "why"}
    assert first.why == "x" and changed.why == "y"


def test_plans_read_late_write_out_as_plans_read_at_once():
    """Every explanation of a plan left unread while others are planned (through the same caches) is written,
    when at last read, as the same scenario planned afresh writes it: no writer sees a later plan's values."""
    scenarios = list(SCENARIOS.values())
    unread = [plan(scenario) for scenario in scenarios]
    for scenario in reversed(scenarios):
        plan(
            scenario.with_changes(cores=scenario.hardware.cores + 1, app_instances=scenario.workload.app_instances + 3)
        )
    late = [planned.model_dump_json() for planned in unread]
    assert late == [plan(scenario).model_dump_json() for scenario in scenarios]
