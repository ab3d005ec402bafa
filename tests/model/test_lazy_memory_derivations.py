"""A derivation written when first read (Derivation.later) reads the same as one written at once.

The memory, server, pooling and budget models write their derivations lazily; every way a view, an
export or a test reads a derivation must see the text an eager one would hold. The expected values are
hand-made derivations, and a plan's lazy derivations against their own eager copies (rebuilt from their
parts).
"""

from __future__ import annotations

import json
import pickle

from pydantic import TypeAdapter

from pgplanner.model import plan
from pgplanner.model.derivation import Derivation

from .helpers import plan_for

EAGER = Derivation(
    formula="available = RAM - shared_buffers - OS reserve",
    calculation="1 GB - 256 MB - 292 MB = 476 MB",
    inputs={"RAM": "1 GB"},
    source="a source",
    note="a note",
)


def test_a_lazy_derivation_reads_as_the_eager_one_every_way():
    written = []

    def write() -> Derivation:
        written.append(1)
        return EAGER

    lazy = Derivation.later(write)
    assert written == []  # nothing is written until something is read
    assert (lazy.formula, lazy.calculation, dict(lazy.inputs), lazy.source, lazy.note) == (
        "available = RAM - shared_buffers - OS reserve",
        "1 GB - 256 MB - 292 MB = 476 MB",
        {"RAM": "1 GB"},
        "a source",
        "a note",
    )
    assert written == [1]  # written once, on the first read
    assert lazy == EAGER
    assert not lazy != EAGER  # noqa: SIM202 (__ne__ is redirected on its own)
    assert tuple(lazy) == tuple(EAGER) and lazy[1] == EAGER[1]
    assert str(lazy) == str(EAGER) and repr(lazy) == repr(EAGER)
    assert lazy.as_json() == EAGER.as_json() and lazy._asdict() == EAGER._asdict()
    assert lazy._replace(note="") == EAGER._replace(note="")
    assert type(pickle.loads(pickle.dumps(Derivation.later(lambda: EAGER)))) is Derivation
    adapter = TypeAdapter(Derivation)
    assert adapter.dump_json(lazy) == adapter.dump_json(EAGER)
    assert written == [1]


def test_a_plan_s_lazy_derivations_read_as_their_eager_copies():
    for result in (plan_for(), plan_for(pooler="none", ram="1GB", cores=1), plan_for(profile="desktop")):
        derivations = result.derivations
        eager = {path: Derivation(*d) for path, d in derivations.items()}
        for path, d in derivations.items():
            assert type(eager[path]) is Derivation
            assert d == eager[path], path
            assert str(d) == str(eager[path]), path
            assert d.as_json() == eager[path].as_json(), path
        dumped = json.loads(json.dumps({path: d.as_json() for path, d in derivations.items()}))
        assert dumped == {path: d.as_json() for path, d in eager.items()}


def test_the_same_scenario_planned_twice_reads_the_same():
    """Lazy derivations shared through the model's caches read the same in every plan that holds them."""
    first, second = plan_for(), plan_for()
    assert {p: str(d) for p, d in first.derivations.items()} == {p: str(d) for p, d in second.derivations.items()}
    assert plan(first.scenario).to_json_dict() == first.to_json_dict()
