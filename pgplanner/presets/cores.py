"""Physical cores from a plan's vCPUs.

pgplanner's ``hardware.cores`` counts physical cores (the pool range cores x 2 .. x 4 assumes one
active backend per hardware thread pair), but providers sell vCPUs. What a vCPU is depends on the
hardware, so every plan states its basis and the rule below turns vCPUs into cores:

- ``smt``: x86 with simultaneous multithreading, where each vCPU is one hyperthread ("each vCPU is a
  thread of a CPU core", AWS EC2; "each vCPU is implemented as a single hardware hyper-thread",
  Google Compute Engine; the same for Azure's D/E/B series): cores = vCPUs / 2.
- ``core``: one vCPU is a whole core (AWS Graviton: no SMT, so "each vCPU is a core"; Supabase's
  dedicated ARM computes): cores = vCPUs.
- ``shared``: burstable or fractional vCPUs time-sliced with other tenants: counted like hyperthreads,
  cores = vCPUs / 2.

Whole cores only, rounded down (a half core cannot run a backend), and at least 1.
"""

from __future__ import annotations

import math
from typing import Literal

from ..model.derivation import Derivation, capped, exact

CpuBasis = Literal["smt", "core", "shared"]

VCPUS_PER_CORE: dict[CpuBasis, int] = {"smt": 2, "core": 1, "shared": 2}
BASIS_WHY: dict[CpuBasis, str] = {
    "smt": "x86 with SMT: each vCPU is one hyperthread, two per physical core",
    "core": "each vCPU is a whole core (no SMT, e.g. AWS Graviton)",
    "shared": "shared or fractional vCPUs, time-sliced with other tenants: counted like hyperthreads",
}


def physical_cores(vcpus: float, basis: CpuBasis) -> tuple[int, Derivation]:
    per_core = VCPUS_PER_CORE[basis]
    cores = max(1, math.floor(vcpus / per_core))
    return cores, Derivation(
        formula=f"cores = max(vCPUs / {per_core}, 1), rounded down to whole cores",
        calculation=capped(
            f"{exact(vcpus)} / {per_core}", vcpus / per_core, at_least=1, result=cores, direction="down"
        ),
        note=BASIS_WHY[basis],
    )
