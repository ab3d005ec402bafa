"""How an output was reached, in words and with the user's own numbers.

Every figure pgplanner shows can answer "why this number?": the formula as a DBA would say it, the
same formula with the scenario's values substituted, and where needed a note on the source or a cap
that applied. The window shows them on the cards, the CLI prints them, the export writes them as
comments beside each setting.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Derivation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    formula: str  # "RAM ceiling = available / typical memory per connection"
    calculation: str  # "10 GB / 10 MB = 1,024"
    note: str = ""  # a cap that applied, a source, a caveat

    def __str__(self) -> str:
        text = f"{self.formula}: {self.calculation}"
        return f"{text} ({self.note})" if self.note else text


def n(value: float) -> str:
    """A count or rate for prose: thousands separators, at most one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
