"""The catalog as ``pgplanner presets`` shows it: a JSON list for scripts, a table for people."""

from __future__ import annotations

from typing import Any

from ..model.derivation import n
from ..model.units import human_size
from .catalog import Catalog, Preset

COLUMNS = ("preset", "vCPU", "cores", "RAM", "max_conn", "limit", "reserved", "pooler", "conf.", "as of")


def preset_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """One JSON object per plan (aliases listed, not repeated), with its provider's notes."""
    return [{**_row(preset), "provider_notes": preset.plan.provider_notes} for preset in catalog]


def _row(preset: Preset) -> dict[str, Any]:
    p = preset.plan
    return {
        "id": p.id,
        "provider": p.provider,
        "provider_name": preset.provider_name,
        "plan": p.plan,
        "label": preset.label,
        "aliases": list(preset.aliases),
        "vcpus": p.vcpus,
        "cores": preset.cores,
        "ram_bytes": p.ram,
        "max_connections": p.max_connections,
        "hard_limit": p.hard_limit,
        "reserved": p.reserved,
        "reserves": [r.model_dump(mode="json") for r in p.reserves],
        "max_connections_settable": list(p.max_connections_settable) if p.max_connections_settable else None,
        "guidance": [g.model_dump(mode="json") for g in p.guidance],
        "scaling": p.scaling.model_dump(mode="json") if p.scaling else None,
        "pooler": p.pooler.model_dump(mode="json") if p.pooler else None,
        "source": p.source,
        "as_of": p.as_of,
        "confidence": p.confidence,
        "notes": p.notes,
    }


def render_table(catalog: Catalog) -> str:
    """Aligned columns, one line per plan, a blank line between providers."""
    lines: list[list[str]] = [list(COLUMNS)]
    previous = None
    for preset in catalog:
        p = preset.plan
        if previous is not None and p.provider != previous:
            lines.append([])
        previous = p.provider
        lines.append(
            [
                p.id,
                f"{p.vcpus:g}",
                str(preset.cores),
                human_size(p.ram),
                n(p.max_connections),
                "hard" if p.hard_limit else "param",
                str(p.reserved),
                p.pooler.name if p.pooler else "-",
                p.confidence,
                p.as_of,
            ]
        )
    widths = [max(len(line[i]) for line in lines if line) for i in range(len(COLUMNS))]
    return "\n".join(_aligned(line, widths) for line in lines) + "\n"


NUMERIC_COLUMNS = {1, 2, 4, 6}


def _aligned(cells: list[str], widths: list[int]) -> str:
    if not cells:
        return ""
    pairs = enumerate(zip(cells, widths, strict=True))
    padded = (cell.rjust(w) if i in NUMERIC_COLUMNS else cell.ljust(w) for i, (cell, w) in pairs)
    return "  ".join(padded).rstrip()
