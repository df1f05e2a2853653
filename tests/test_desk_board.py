"""``duban board`` opened in a real headless Chromium (the system package; ``.ci/run`` installs it through
tools/install-system-deps.sh): the numbers the page shows after its script ran are those of ``list --json``
and ``score --json``, the page fetches nothing, and a screenshot is taken.

Set ``DUBAN_SCREENSHOTS=DIR`` to keep the screenshot (the README's docs/board.png is made that way)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import Ledger

from duban.commands.setup import init_ledger

TODAY = "2026-11-20"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is not installed: run tools/install-system-deps.sh (as .ci/run does)"
    return found


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    root = init_ledger(tmp_path_factory.mktemp("board") / "sample", sample=True, pack=None)
    led = Ledger(root)
    res = led("board", today=TODAY)
    assert res.code == 0, res.err
    path = Path(res.out.strip())
    assert path == root / "out" / "board.html"
    return led, path


def browse(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), *FLAGS, *args, path.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )


def test_board_is_one_self_contained_page(board):
    _, path = board
    html = path.read_text(encoding="utf-8")
    assert "<style>" in html and "<script>" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing from the network
    assert "@page{size:A4 landscape" in html


def test_board_in_a_browser_shows_the_ledgers_numbers(board):
    led, path = board
    dom = browse(path, "--dump-dom").stdout
    rows = led("list", "--json", today=TODAY).json()

    def count(id_: str) -> int:
        return int(re.search(rf'id="{id_}" data-count="(\d+)"', dom)[1])

    assert count("count-in-hand") == len(rows)
    assert count("count-red") == sum(v["overdue"] for v in rows) > 0
    assert count("count-yellow") == sum(v["due_soon"] for v in rows)
    assert count("count-green") == sum(v["light"] == "green" for v in rows)
    ledger_table = dom[dom.index('id="ledger"') :]
    assert re.findall(r'<tr data-id="([\d-]+)" data-light', ledger_table) == [v["id"] for v in rows]
    assert f'id="shown">{len(rows)}<' in dom and 'data-ready="1"' in dom  # the page's script ran
    overdue = dom[dom.index('id="overdue"') : dom.index('id="due-soon"')]
    assert re.findall(r'data-id="([\d-]+)"', overdue) == [v["id"] for v in rows if v["overdue"]]
    scores = {u["unit"]: u["score"] for u in led("score", "--json", today=TODAY).json()["units"]}
    shown = dict(re.findall(r'data-unit="([^"]+)"[^>]*>.*?<td class="n">([\d.]*)</td></tr>', dom))
    assert {u: float(s) for u, s in shown.items() if s} == {u: float(s) for u, s in scores.items()}


def test_board_screenshot(board, tmp_path):
    _, path = board
    shot = tmp_path / "board.png"
    browse(path, f"--screenshot={shot}", "--window-size=1400,1800")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 1800)
    keep = os.environ.get("DUBAN_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "board.png")
