"""The kernel settings, semaphores and MaxBackends write their explanations on first read
(Derivation.later): whichever way a reader first touches one, it reads as the derivation written at once."""

import pytest

from pgplanner.model import Derivation

from .helpers import plan_for

# Plans that take every branch: pooled and not, PostgreSQL 13 and 18, huge pages or not, strict overcommit.
INPUTS = [
    {},
    {"pooler": "none", "pg_version": 13, "max_connections": 800},
    {"ram": "256GB", "shared_buffers": "64GB", "overcommit": "strict", "clients": 5000},
    {"platform": "windows", "max_connections": 2000, "pg_version": 17},
]

# Each a first read of a lazy derivation, and what it gives for the derivation written at once.
READERS = {
    "a part": lambda d: (d.formula, d.calculation, dict(d.inputs), d.source, d.note),
    "as JSON": lambda d: d.as_json(),
    "as text": str,
    "as a tuple": lambda d: tuple(d[:2]) + tuple(d[2:]),
    "as a dict": lambda d: d._asdict(),
    "replaced": lambda d: d._replace(note="x").as_json(),
    "compared": lambda d: d == Derivation(d.formula, d.calculation, d.inputs, d.source, d.note),
}


def _explained(inputs):
    result = plan_for(**inputs)
    return [
        *(setting.derivation for setting in result.kernel_settings),
        result.semaphores.derivation,
        result.derivations["max_backends"],
    ]


@pytest.mark.parametrize("inputs", INPUTS)
@pytest.mark.parametrize("reader", READERS)
def test_a_lazy_explanation_reads_as_one_written_at_once(inputs, reader):
    read = READERS[reader]
    lazy = _explained(inputs)
    assert any(type(d) is not Derivation for d in lazy)  # the plan made some to be written later
    written = [Derivation(*tuple(d)) for d in _explained(inputs)]
    assert all(type(d) is Derivation for d in written)
    assert [read(d) for d in lazy] == [read(d) for d in written]
