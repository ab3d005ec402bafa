"""AWS RDS and Aurora: a custom DB parameter group (aws CLI script and Terraform), then a reboot.

max_connections is static on both: it applies at the next reboot (ApplyMethod pending-reboot);
work_mem is dynamic. On Aurora max_connections is an instance-level parameter, so the group is an
instance parameter group of the aurora-postgresql family and every instance needs it.
"""

from __future__ import annotations

from ...model import Plan
from .common import Guide, script, value_comments, work_mem_kb


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

max_connections is static: it takes effect after the reboot. work_mem is dynamic. AWS keeps a few
slots for its own agents (`rds_superuser`, `rds_reserved` on 16+): leave headroom above the budget.
With RDS Proxy in front, its `MaxConnectionsPercent` of max_connections caps the proxy's backends.
"""


def _guide(aurora: bool) -> Guide:
    return Guide(
        how=lambda plan: _how(plan, aurora),
        files=lambda plan: {"apply.sh": _apply_script(plan, aurora), "parameter_group.tf": _terraform(plan, aurora)},
    )


RDS = _guide(aurora=False)
AURORA = _guide(aurora=True)
