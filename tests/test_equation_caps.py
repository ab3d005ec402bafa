"""The equation checker reads caps written as min()/max(), so a cap in a derivation is checked, not skipped.

Each case is worked by hand: min(8 GB x 0.25, 2 GB) is min(2 GB, 2 GB) = 2 GB; 1 GB / 16 = 64 MB;
ceil(33 / 2) = 17, so min(17, 4, 33) = 4; 16 GB - 2 GB - 30 x 10.6 MB = 13.7 GB, so
max(min(12 GB, 13.7 GB), 4 GB) = 12 GB.
"""

from __future__ import annotations

import pytest

from .equations import equations, false_equations

TRUE = [
    "min(8 GB x 0.25, 2 GB) = 2 GB",
    "min(max(1 GB / 16, 64 MB), 2 GB) = 64 MB",
    "min(max(64 GB / 16, 64 MB), 2 GB) = 2 GB",
    "min(ceil(33 / 2), 4, 33) = 4",
    "max(min(16 GB x 0.75, 16 GB - 2 GB - 30 x 10.6 MB), 4 GB) = 12 GB",
    "min(2 x 1,024, 2,000) = 2,000",
    "given: 4 GB; min(4 GB, 2 GB) = 2 GB, the most PostgreSQL 17 on windows accepts",
    "max(min(1 GB x 0.75, 1 GB - 512 MB - 20 x 10.6 MB), 256 MB) = 300 MB, rounded down to whole MB: 299 MB",
]
FALSE = [
    ("min(8 GB x 0.25, 2 GB) = 1 GB", "min(8 GB x 0.25, 2 GB) = 1 GB"),  # the cap is 2 GB
    ("min(max(1 GB / 16, 64 MB), 2 GB) = 128 MB", "min(max(1 GB / 16, 64 MB), 2 GB) = 128 MB"),
    ("min(ceil(33 / 2), 4, 33) = 17", "min(ceil(33 / 2), 4, 33) = 17"),  # the uncapped value
    ("x: max(3, 8 / 4) = 2", "max(3, 8 / 4) = 2"),  # the floor is 3
]


@pytest.mark.parametrize("text", TRUE)
def test_a_true_cap_is_read_and_holds(text):
    assert equations(text), text
    assert false_equations(text) == []


@pytest.mark.parametrize("text, wrong", FALSE)
def test_a_false_cap_is_caught(text, wrong):
    assert false_equations(text) == [wrong]
