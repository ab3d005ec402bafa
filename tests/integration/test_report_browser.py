"""The HTML report opened in a real browser (headless Chromium), as the colleague it is sent to would.

It must render with the network cut off (everything inline), show its three plots (their colours are
on the screen, and gone when the plots are taken out), and say the same numbers as ``plan --json``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pgplanner.assets import example_scenarios
from pgplanner.present import palette
from pgplanner.present.charts.text import estimate

from ..cli.runner import run
from .real import missing

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_SIZE = "1320,6000"
COUNTED_UNITS = {"B": 1, "kB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}
OPTIONS = ("--cores", "8", "--ram", "32GB", "--app-instances", "6", "--pool-per-instance", "10")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        missing("headless Chromium is not installed (Debian package chromium)")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
        f"--window-size={PAGE_SIZE}", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def screenshot(tmp_path: Path, page: Path) -> np.ndarray:
    """The page as Chromium draws it, as an (height, width, 3) array of RGB."""
    from PySide6.QtGui import QImage

    png = tmp_path / f"{page.stem}.png"
    chromium(tmp_path, f"--screenshot={png}", page.as_uri())
    image = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), "Chromium wrote no screenshot"
    row = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=row * image.height()).reshape(image.height(), row)
    return data[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def pixels_of(image: np.ndarray, hex_colour: str, tolerance: int = 24) -> int:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image.astype(int) - rgb).max(axis=2) <= tolerance).sum())


class _Figures(HTMLParser):
    """The text of every element carrying ``data-path`` in the DOM Chromium rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        path = dict(attrs).get("data-path")
        self._open.append((tag, path or ""))
        if path:
            self.found[path] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, path in self._open:
            if path:
                self.found[path] += data


def rendered_dom(tmp_path: Path, page: Path) -> str:
    """The page's DOM after Chromium ran it."""
    return chromium(tmp_path, "--dump-dom", page.as_uri()).stdout


def shown_figures(dom: str) -> dict[str, str]:
    parser = _Figures()
    parser.feed(dom)
    return parser.found


def json_value(plan_json: dict[str, Any], path: str) -> Any:
    if path.startswith("settings."):
        return {s["name"]: s["value"] for s in plan_json["settings"]}[path.split(".", 1)[1]]
    value: Any = plan_json
    for key in path.split("."):
        value = value[key]
    return value


def check_figure(path: str, text: str, expected: Any) -> None:
    """``text`` shows ``expected``: counts exactly, sizes to the three figures shown, settings verbatim."""
    text = text.strip()
    if path.startswith("settings."):  # as postgresql.conf spells it: quoted where a space or sign needs it
        quoted = len(text) >= 2 and text[0] == text[-1] == "'"
        assert (text[1:-1].replace("''", "'") if quoted else text) == expected, path
        return
    if expected is None:
        return  # "none", "no pooler": nothing to compare
    if text.endswith("%"):  # a share: "59 %", "0.29 %", "< 0.1 %"
        if text.startswith("<"):
            assert expected < float(text[1:-1]) / 100, path
        else:
            assert float(text[:-1]) / 100 == pytest.approx(expected, rel=0.05, abs=0.005), path
        return
    if text.endswith(" ms"):  # three significant figures
        assert float(text[:-3].replace(",", "")) == pytest.approx(expected, rel=0.006), path
        return
    number = re.match(r"([\d,.]+)\s*(B|kB|MB|GB|TB)?", text)
    assert number, f"{path}: {text!r} shows no number"
    shown = float(number.group(1).replace(",", ""))
    if number.group(2):
        assert shown * COUNTED_UNITS[number.group(2)] == pytest.approx(expected, rel=0.006), path
    else:
        assert shown == pytest.approx(expected, abs=0.5), path


def test_report_renders_offline_with_its_plots_and_the_plan_numbers(tmp_path: Path):
    page = tmp_path / "report.html"
    assert run("report", *OPTIONS, "--out", str(page)).status == 0
    html = page.read_text()
    fetched = re.compile(r"<script|<link|<img|<iframe|@import|url\((?!#)|src=|https?://")
    assert not fetched.search(html.replace("xmlns='http://www.w3.org/2000/svg'", ""))  # a name, not a fetch

    image = screenshot(tmp_path, page)
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    without_plots = screenshot(tmp_path, bare)
    # Each plot's own ink: the direct curve and worst case (vermillion), the productive target (green),
    # the pool's bar (blue): on the screen, and gone with the plots (the rest of the page uses them less).
    for colour, least in ((palette.VERMILLION, 300), (palette.GREEN, 150), (palette.BLUE, 3000)):
        assert pixels_of(image, colour) - pixels_of(without_plots, colour) > least, f"{colour} is not on the screen"

    plan_json = run("plan", *OPTIONS, "--json").json()
    dom = rendered_dom(tmp_path, page)
    figures = shown_figures(dom)
    expected_paths = {"max_connections", "ram_ceiling", "productive_target", "pool_size", "memory.worst_case_bytes"}
    assert expected_paths <= set(figures)
    for path, text in figures.items():
        check_figure(path, text, json_value(plan_json, path))
    text = re.sub(r"<[^>]+>", "", dom)
    answer = f"max_connections = {plan_json['max_connections']:,} (required {plan_json['max_connections_required']:,}"
    assert answer in text


def test_comparison_report_shows_both_plans_as_plan_json_says(tmp_path: Path):
    direct, pooled = (str(example_scenarios()[name]) for name in ("direct-1000", "pgbouncer-100"))
    page = tmp_path / "compare.html"
    assert run("report", "--scenario", direct, "--compare", pooled, "--out", str(page)).status == 1
    sides = {side: run("plan", "--scenario", path, "--json").json() for side, path in (("a", direct), ("b", pooled))}
    figures = shown_figures(rendered_dom(tmp_path, page))
    for side, plan_json in sides.items():
        mine = {path[2:]: text for path, text in figures.items() if path.startswith(f"{side}.")}
        assert {"max_connections", "ram_ceiling", "memory.heavy_fraction_bytes"} <= set(mine)
        for path, text in mine.items():
            if path != "throughput.at_max_connections":  # not in plan --json: see the compare tests
                check_figure(path, text, json_value(plan_json, path))
    assert pixels_of(screenshot(tmp_path, page), palette.GHOST) > 200  # the baseline's marks, in grey


GEOMETRY = """<script>
const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
const sides = [...document.querySelectorAll('.pair > section')];
const found = {
  sections: sides.map(box),
  tables: sides.map(s => [...s.querySelectorAll('table')].map(box)),
  texts: [...document.querySelectorAll('svg g text')].map(t => [t.textContent, t.getComputedTextLength(),
                                                            +t.getAttribute('font-size')]),
  scales: [...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().width /
                                                                 s.viewBox.baseVal.width),
};
document.body.insertAdjacentHTML('beforeend', '<pre id=geometry>' + JSON.stringify(found) + '</pre>');
</script>"""


def geometry(tmp_path: Path, page: Path) -> dict[str, Any]:
    """Where Chromium lays the page out at 1,280 pixels: the two plans' sections and tables, and how long
    each word on the plots really is (measured by a script added to a copy of the page)."""
    probe = tmp_path / f"{page.stem}-measured.html"
    probe.write_text(page.read_text().replace("</body>", GEOMETRY + "</body>"))
    dom = chromium(tmp_path, "--window-size=1280,2400", "--dump-dom", probe.as_uri()).stdout
    written = re.findall(r"<pre id=\"?geometry\"?>(.*?)</pre>", dom, re.S)[
        -1
    ]  # the last: the script's own text is first
    return json.loads(html.unescape(written))


def test_the_comparison_at_1280_pixels_keeps_both_plans_apart_and_their_plot_words_in_place(tmp_path: Path):
    direct, pooled = (str(example_scenarios()[name]) for name in ("direct-1000", "pgbouncer-100"))
    page = tmp_path / "compare.html"
    run("report", "--scenario", direct, "--compare", pooled, "--out", str(page))
    found = geometry(tmp_path, page)
    (a_left, a_right, *_), (b_left, b_right, *_) = found["sections"]
    assert a_right <= b_left
    for (left, right), tables in zip(((a_left, a_right), (b_left, b_right)), found["tables"], strict=True):
        assert all(left - 0.5 <= t[0] and t[1] <= right + 0.5 for t in tables)  # no table past its half
    # The plots' words were placed with a conservative estimate of their width: in the browser each is
    # no wider than that, so the places chosen (nothing overlapping, crossed or cut) hold on the screen.
    for text, length, size in found["texts"]:
        assert length <= estimate(size)(text) + 0.5, text
    memory = re.findall(r"<svg.*?</svg>", page.read_text(), re.S)[1]
    ticks = [t for t in re.findall(r"<text [^>]*text-anchor='middle' font-size='11'>([\d.,k]+)</text>", memory)]
    assert ticks and all(float(t.rstrip("k").replace(",", "")) * (1000 if t.endswith("k") else 1) < 5000 for t in ticks)
    assert "A: max_connections 1,000" in memory and "B: max_connections 100" in memory


def test_every_chart_of_the_report_is_drawn_at_one_scale(tmp_path: Path):
    """The budget chart's words were a quarter larger than the plots' beside it: drawn wider on the page."""
    page = tmp_path / "report.html"
    run("report", *OPTIONS, "--out", str(page))
    scales = geometry(tmp_path, page)["scales"]
    assert len(scales) == 3 and max(scales) - min(scales) < 0.01, scales


def test_the_latency_section_shows_the_plan_s_figures(tmp_path: Path):
    """With a demand the report has the latency chart and table, each figure as plan --json has it; without a
    pooler no pool is named in it."""
    options = ("--cores", "16", "--txn-ms", "10", "--demand-tps", "2000")
    for extra in ((), ("--pooler", "none")):
        page = tmp_path / "latency.html"
        assert run("report", *options, *extra, "--out", str(page)).status == 0
        plan_json = run("plan", *options, *extra, "--json").json()
        figures = {
            path: text
            for path, text in shown_figures(rendered_dom(tmp_path, page)).items()
            if path.startswith("latency.")
        }
        expected = "latency.direct.p99_ms" if extra else "latency.at_pool_size.p99_ms"
        assert expected in figures and "latency.direct.mean_ms" in figures
        for path, text in figures.items():
            check_figure(path, text, json_value(plan_json, path))
        section = page.read_text().split("<h2>Latency</h2>", 1)[1].split("<h2>", 1)[0]
        assert "<svg" in section
        assert ("pool of" in section) != bool(extra), extra
