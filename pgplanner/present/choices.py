"""The words for each choice an input offers ("hdd" is "HDD", the web profile "Web application"): the window's
combo boxes and the sentences that name a changed input say them alike."""

from __future__ import annotations

from ..model.defaults import CORE_MULTIPLIER

WORKLOADS = {"cpu": "CPU-bound", "mixed": "Mixed", "io": "I/O-bound"}
CHOICE_LABELS = {
    **{kind: f"{label} (cores x {CORE_MULTIPLIER[kind]})" for kind, label in WORKLOADS.items()},
    "hdd": "HDD",
    "ssd": "SSD",
    "nvme": "NVMe",
    "network": "Network volume",
    "linux": "Linux",
    "macos": "macOS",
    "freebsd": "FreeBSD",
    "windows": "Windows",
    "none": "None (direct connections)",
    "pgbouncer": "PgBouncer",
    "pgcat": "PgCat",
    "provider": "Provider's pooler",
    "profile:web": "Web application",
    "profile:oltp": "OLTP (many small writes)",
    "profile:analytics": "Analytics (large scans)",
    "profile:mixed": "Mixed",
    "profile:desktop": "Desktop / development",
    "listen:localhost": "localhost (a pooler on this server)",
    "listen:all": "All interfaces (other hosts)",
    "heuristic": "Heuristic (kernel default)",
    "strict": "Strict (allocations fail)",
    "transaction": "Transaction",
    "session": "Session",
    "statement": "Statement",
    # short: a combo is as wide as its longest entry; the tooltip names the drivers
    "client_kind:unknown": "Not said",
    "client_kind:plain": "Sends queries only",
    "client_kind:stateful": "Sets session state",
}


def choice_label(flat: str, value: object) -> str:
    """A choice's words; ``flat:value`` keys tell apart values two inputs share (a mixed profile or workload)."""
    return CHOICE_LABELS.get(f"{flat}:{value}", CHOICE_LABELS.get(str(value), str(value)))
