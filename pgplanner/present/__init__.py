"""The words and tables people read, made once from a Plan: Qt-free, shared by every view.

The CLI report (:mod:`.plain`), the bundle's README (:mod:`.markdown`) and the window (:mod:`.html`
and the rows of :mod:`.tables`) all render the same content: the headline (:mod:`.summary`), the
result cards as finished views (:mod:`.cards`: value, caption, severity, the outputs each stands
for), the budget and kernel tables
(:mod:`.tables`), the derivations grouped by card and the warnings. A view chooses a format, never
the words or the numbers; a card takes the colour of the worst warning whose ``concerns`` meet its
``outputs``. The self-contained HTML report (:mod:`.report`, its plots drawn as SVG by :mod:`.svg`)
is made from the same parts, and two plans are compared in words by :mod:`.compare` (the CLI's
``compare``, the window's Compare tab and card deltas, the report of two plans). The queue at the pool,
when the scenario gives a demand, is put in words by :mod:`.latency`.
"""

from .cards import CARDS, CardSpec, CardView, card_views, derivation_groups
from .settings import SettingRow, settings_groups, versus_pgtune
from .summary import POOLER_LABEL, answer_line, blocking, blocking_errors, blocking_line, setup_line
from .tables import BudgetRow, KernelRow, budget_rows, kernel_rows, kernel_title

__all__ = [
    "CARDS",
    "POOLER_LABEL",
    "BudgetRow",
    "CardSpec",
    "CardView",
    "KernelRow",
    "SettingRow",
    "answer_line",
    "blocking",
    "blocking_errors",
    "blocking_line",
    "budget_rows",
    "card_views",
    "derivation_groups",
    "kernel_rows",
    "kernel_title",
    "settings_groups",
    "setup_line",
    "versus_pgtune",
]
