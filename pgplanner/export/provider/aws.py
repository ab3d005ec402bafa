"""AWS RDS and Aurora: a custom DB parameter group (aws CLI script and Terraform), then a reboot.

max_connections is static on both: it applies at the next reboot (ApplyMethod pending-reboot);
work_mem is dynamic. On Aurora max_connections is an instance-level parameter, so the group is an
instance parameter group of the aurora-postgresql family and every instance needs it. With RDS Proxy
in front, the proxy's MaxConnectionsPercent is set to hold the backends the plan gives it.
"""

from __future__ import annotations

import math

from ...model import Plan
from ...model.budget import PROVIDER_LINE
from ...model.derivation import n, rounded
from ...model.pinning import avoid_pinning, pinning_pooler
from .common import Guide, script, value_comments, work_mem_kb


def proxy_percent(plan: Plan) -> tuple[int, str] | None:
    """MaxConnectionsPercent for RDS Proxy: its pool, pinned sessions and headroom over max_connections."""
    offer = pinning_pooler(plan.scenario)
    if offer is None:
        return None
    reserve_keys = {f"{PROVIDER_LINE}.{r.key}" for r in offer.reserves}
    headroom = sum(line.connections for line in plan.budget if line.key in reserve_keys)
    pooled = plan.server_connections - plan.pinned_clients
    exact = 100 * (plan.server_connections + headroom) / plan.max_connections
    percent = min(100, max(1, math.ceil(exact)))
    arithmetic = rounded(
        f"100 x ({n(pooled)} pooled + {n(plan.pinned_clients)} pinned + {n(headroom)} headroom) / "
        f"{n(plan.max_connections)}",
        round(exact, 1),
        percent,
        "up",
    )
    return percent, arithmetic


def _family(plan: Plan, aurora: bool) -> str:
    return f"{'aurora-postgresql' if aurora else 'postgres'}{plan.scenario.hardware.pg_version}"


def _apply_script(plan: Plan, aurora: bool) -> str:
    family = _family(plan, aurora)
    instances = "an instance of the cluster; run once for the writer and each reader" if aurora else "the instance"
    body = f"""
: "${{DB_INSTANCE:?set DB_INSTANCE to the identifier of {instances}}}"
GROUP=${{GROUP:-pgplanner-{family}}}

if ! aws rds describe-db-parameter-groups --db-parameter-group-name "$GROUP" > /dev/null 2>&1; then
    aws rds create-db-parameter-group --db-parameter-group-name "$GROUP" \\
        --db-parameter-group-family {family} --description "pgplanner plan"
fi
# max_connections is static: it applies at the next reboot. work_mem applies at once.
aws rds modify-db-parameter-group --db-parameter-group-name "$GROUP" --parameters \\
    "ParameterName=max_connections,ParameterValue={plan.max_connections},ApplyMethod=pending-reboot" \\
    "ParameterName=work_mem,ParameterValue={work_mem_kb(plan)},ApplyMethod=immediate"
aws rds modify-db-instance --db-instance-identifier "$DB_INSTANCE" \\
    --db-parameter-group-name "$GROUP" --apply-immediately
aws rds wait db-instance-available --db-instance-identifier "$DB_INSTANCE"
aws rds reboot-db-instance --db-instance-identifier "$DB_INSTANCE"
"""
    proxy = proxy_percent(plan)
    if proxy is not None:
        body += f"""
# RDS Proxy: MaxConnectionsPercent = {proxy[1]}
if [ -n "${{DB_PROXY:-}}" ]; then
    aws rds modify-db-proxy-target-group --db-proxy-name "$DB_PROXY" --target-group-name default \\
        --connection-pool-config MaxConnectionsPercent={proxy[0]}
fi
"""
    return script(plan, f"a {family} parameter group with the plan's values", body)


def _terraform(plan: Plan, aurora: bool) -> str:
    family = _family(plan, aurora)
    comments = "\n".join(value_comments(plan))
    return f"""{comments}
# Attach it with parameter_group_name = aws_db_parameter_group.pgplanner.name on the aws_db_instance
# ({"every aws_rds_cluster_instance" if aurora else "the instance"}), then reboot: max_connections is static.
resource "aws_db_parameter_group" "pgplanner" {{
  name   = "pgplanner-{family}"
  family = "{family}"

  parameter {{
    name         = "max_connections"
    value        = "{plan.max_connections}"
    apply_method = "pending-reboot"
  }}

  parameter {{
    name  = "work_mem"
    value = "{work_mem_kb(plan)}"
  }}
}}
"""


def _how(plan: Plan, aurora: bool) -> str:
    family = _family(plan, aurora)
    scope = (
        "an instance parameter group (max_connections is an instance-level parameter on Aurora) attached to "
        "every instance of the cluster"
        if aurora
        else "a custom DB parameter group attached to the instance"
    )
    return f"""## How to apply

Default parameter groups cannot be edited, so the plan goes into {scope}, family `{family}`:

- `apply.sh`: the aws CLI steps (create the group if missing, set the values, attach, reboot). Run
  with `DB_INSTANCE=<identifier> sh apply.sh`.
- `parameter_group.tf`: the same group as Terraform (`aws_db_parameter_group`).

max_connections is static: it takes effect after the reboot. work_mem is dynamic.{_proxy(plan)}
"""


def _proxy(plan: Plan) -> str:
    proxy = proxy_percent(plan)
    if proxy is None:
        return ""
    advice = avoid_pinning(plan.scenario)
    pinned = (
        f" It pins {n(plan.pinned_clients)} clients to backends of their own."
        if plan.pinned_clients
        else " The plan assumes no client pins."
    )
    return (
        f"\n\nRDS Proxy: set MaxConnectionsPercent to {proxy[0]} ({proxy[1]}); `DB_PROXY=<name>` makes `apply.sh` "
        f"set it.{pinned}" + (f" Settings that keep clients unpinned: {advice}." if advice else "")
    )


def _guide(aurora: bool) -> Guide:
    return Guide(
        how=lambda plan: _how(plan, aurora),
        files=lambda plan: {"apply.sh": _apply_script(plan, aurora), "parameter_group.tf": _terraform(plan, aurora)},
        replicas="attach the same instance parameter group to every reader instance"
        if aurora
        else "give each read replica the same custom parameter group",
    )


RDS = _guide(aurora=False)
AURORA = _guide(aurora=True)
