"""Google Cloud SQL: database flags set with gcloud; changing max_connections restarts the instance.

``gcloud sql instances patch --database-flags`` replaces every flag the instance has, so the script
takes the flags to keep in EXTRA_FLAGS rather than silently dropping them.
"""

from __future__ import annotations

from ...model import Plan
from .common import Guide, script, work_mem_kb


def _flags(plan: Plan) -> str:
    return f"max_connections={plan.max_connections},work_mem={work_mem_kb(plan)}"


def _apply(plan: Plan) -> str:
    body = f"""
: "${{INSTANCE:?set INSTANCE to the Cloud SQL instance name}}"
# --database-flags REPLACES every flag on the instance. List the current ones with
#   gcloud sql instances describe "$INSTANCE" --format="value(settings.databaseFlags)"
# and pass those you keep as EXTRA_FLAGS=name=value,name=value.
flags="{_flags(plan)}${{EXTRA_FLAGS:+,$EXTRA_FLAGS}}"
gcloud sql instances patch "$INSTANCE" --database-flags="$flags"
"""
    return script(plan, "Cloud SQL database flags (the instance restarts)", body)


def _how(plan: Plan) -> str:
    return f"""## How to apply

Cloud SQL takes server settings as database flags: `INSTANCE=<name> sh apply.sh` runs
`gcloud sql instances patch --database-flags={_flags(plan)}`, which restarts the instance.
`--database-flags` replaces all flags already set: pass those you keep in `EXTRA_FLAGS`. A flag set
by hand no longer follows the tier's default when the instance is resized.
"""


CLOUD_SQL = Guide(
    how=_how,
    files=lambda plan: {"apply.sh": _apply(plan)},
    replicas="set the same database flags on each read replica with `gcloud sql instances patch`",
)
