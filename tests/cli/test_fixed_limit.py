"""A plan that fixes max_connections (Heroku standard-0: 120) is judged by the connections this plan opens, and
``plan``, the report and the window say both counts, so a worst case for 13 is never read as one for 120.

With work_mem 4 MB one process of the heaviest query takes 10 MB + 2 MB of page tables (1 GB of shared_buffers
/ 4 kB x 8 B) + 4 MB x 4 + 4 MB x 2 x 1 = 36 MB: the 13 opened (pool 4 + reserve 1 + monitoring 3 + admin 2 +
3 superuser slots) need 13 x 36 MB = 468 MB; all 120 would need 120 x 36 MB = 4,320 MB = 4.22 GB.
"""

from __future__ import annotations

import re

from .runner import run

HEROKU = ("--preset", "heroku/standard-0", "--work-mem", "4MB")


def test_plan_says_which_connections_its_memory_figures_judge_and_what_all_would_need():
    text = " ".join(run("plan", *HEROKU).stdout.split())  # the warning wraps
    assert re.search(r"Worst-case memory 468 MB 13 opened x 36 MB", text)
    assert "No warnings" not in text
    assert (
        "heroku/standard-0 fixes max_connections at 120; this plan opens 13, and the memory figures (worst case "
        "468 MB, safe work_mem) judge those 13: all 120 running the heaviest query would need 4.22 GB" in text
    )


def test_the_report_says_it_too(tmp_path):
    out = tmp_path / "report.html"
    run("report", *HEROKU, "--out", str(out))
    page = " ".join(re.sub(r"<[^>]+>", " ", out.read_text()).split())
    assert "judge those 13: all 120 running the heaviest query would need 4.22 GB" in page
