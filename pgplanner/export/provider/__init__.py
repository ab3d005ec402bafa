"""provider/<provider>/: how to apply the plan on a managed service, in the provider's own tools.

Managed services do not take postgresql.conf or ALTER SYSTEM for server-level settings; each has a
parameter group, a flag, a CLI or nothing at all (a hard limit fixed by the plan). Every provider
gets a README with the plan's values and their derivations; providers with a CLI also get a script
or Terraform. Unknown providers get the README alone.
"""

from __future__ import annotations

from ...model import Plan
from . import aws, azure, gcp, hosted
from .common import Guide, facts_section, hard_limit_section, replicas_section, values_section

GENERIC_HOW = (
    "## How to apply\n\npgplanner has no recipe for this provider: set `max_connections` and `work_mem` to the "
    "values above in its parameter settings (max_connections usually needs a restart).\n"
)
GENERIC_INSTEAD = (
    "- Put the provider's pooler (or your own PgBouncer, `pgbouncer/pgbouncer.ini`) in front of the application.\n"
    "- Trim the budget lines that hold connections open (listeners, batch workers, long transactions).\n"
    "- Or choose a plan with a higher limit."
)
GUIDES: dict[str, Guide] = {
    "aws-rds": aws.RDS,
    "aws-aurora": aws.AURORA,
    "gcp-cloudsql": gcp.CLOUD_SQL,
    "azure-flexible": azure.FLEXIBLE_SERVER,
    **hosted.GUIDES,
}


def provider_folder(plan: Plan) -> str | None:
    provider = plan.scenario.provider
    return f"provider/{_slug(provider.provider)}" if provider else None


def render_provider(plan: Plan) -> dict[str, str]:
    """The files of provider/<provider>/ (empty without a provider plan)."""
    provider, folder = plan.scenario.provider, provider_folder(plan)
    if provider is None or folder is None:
        return {}
    guide = _guide(provider.provider) or Guide()
    if provider.hard_limit:
        how = hard_limit_section(plan, guide.instead(plan) if guide.instead else GENERIC_INSTEAD)
    else:
        how = guide.how(plan) if guide.how else GENERIC_HOW
    files = guide.files(plan)
    replicas = replicas_section(plan, guide.replicas)
    readme = f"# {provider.provider}: applying the plan\n\n{facts_section(plan)}\n{values_section(plan)}\n{how}"
    readme += f"\n{replicas}" if replicas else ""
    return {f"{folder}/README.md": readme, **{f"{folder}/{name}": text for name, text in files.items()}}


def _guide(provider: str) -> Guide | None:
    slug = _slug(provider)
    return GUIDES.get(slug) or next((g for key, g in GUIDES.items() if slug.startswith(key)), None)


def _slug(provider: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in provider.lower()).strip("-") or "provider"
