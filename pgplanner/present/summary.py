"""The headline: what was planned for, and the answer in one line."""

from __future__ import annotations

from ..model import Plan, PlanWarning, human_size
from ..model.derivation import n
from .choices import choice_label

POOLER_LABEL = {"none": "no pooler", "pgbouncer": "PgBouncer", "pgcat": "PgCat", "provider": "provider pooler"}


def setup_line(plan: Plan) -> str:
    """``4 cores, 16 GB RAM, PostgreSQL 18 (Linux, SSD); PgBouncer, transaction mode``: the platform and the
    storage in the words the form gives them."""
    s = plan.scenario
    hw, pooler = s.hardware, s.pooler
    platform, storage = choice_label("platform", hw.platform), choice_label("storage", hw.storage)
    where = s.provider.id if s.provider else f"{platform}, {storage}"
    pooling = POOLER_LABEL[pooler.kind] + (f", {pooler.mode} mode" if pooler.kind != "none" else "")
    cores = f"{hw.cores} core{'s' if hw.cores != 1 else ''}"
    return f"{cores}, {human_size(hw.ram)} RAM, PostgreSQL {hw.pg_version} ({where}); {pooling}"


def answer_line(plan: Plan) -> str:
    """``max_connections = 30 (required 21, recommended 30)``."""
    return (
        f"max_connections = {n(plan.max_connections)}"
        f" (required {n(plan.max_connections_required)}, recommended {n(plan.max_connections_recommended)})"
    )


def blocking_errors(plan: Plan) -> list[PlanWarning]:
    """The plan's error-severity warnings: each one blocks it (``plan`` exits 1, ``export`` refuses it)."""
    return [w for w in plan.warnings if w.blocking]


def blocking(plan: Plan) -> int:
    """How many blocking errors the plan has."""
    return len(blocking_errors(plan))


def blocking_line(warning: PlanWarning) -> str:
    """``blocking error SHARED_BUFFERS_OVER_RAM: shared_buffers (8 GB) is ...``: one line on stderr."""
    return f"blocking error {warning.code}: {warning.message}"
