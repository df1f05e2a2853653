"""Scores of the current period from items' occurrences kept over the days of their window
(:func:`duban.core.scoring.occurrences_window`): the claim the window rests on, checked day by day; the same scores
with and without the kept windows, on the day they were kept and on later days of their windows; and windows let go
with their records and once over."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import make_ledger
from test_cache import age

from duban.commands import queries
from duban.core.scoring import item_occurrences, occurrences_window, on_window_day, parse_period, score
from duban.core.state import settled_on
from duban.store.cache import DB, cache_dir
from duban.store.ledger import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
ONE = timedelta(days=1)
PER_DAY = """\
  - id: overdue-per-day
    label: 逾期每天扣分
    when: overdue
    per: day
    delta: -0.1
    source: 测试用：逾期一天扣 0.1 分
  - id: report-late-per-day
    label: 缺报每天扣分
    when: report_late
    per: day
    delta: -0.1
    source: 测试用：缺报一天扣 0.1 分
"""


@pytest.fixture(scope="module")
def busy(tmp_path_factory) -> Path:
    import gen

    root = tmp_path_factory.mktemp("window") / "busy"
    gen.make(root, 1500, 300, date(2026, 11, 20))
    # rules that count each late day (as zhuoni-2022's 迟报一天扣一分), so that the scores show every late range's end
    scoring = root / "rules" / "scoring.yaml"
    scoring.write_text(
        scoring.read_text(encoding="utf-8").replace("\nrules:\n", "\nrules:\n" + PER_DAY, 1), encoding="utf-8"
    )
    for path in root.glob("*/*/*.yaml"):  # files written in the last 2 s are read again, never taken as memos
        age(path, 60)
    return root


def window_days(item, pack, day: date, span: int = 70) -> tuple[int, int]:
    """Check the window of ``item`` on ``day`` on each of its days (the first ``span`` and the last); (its length,
    how many late ranges run in it)."""
    end, occs, running = occurrences_window(item, pack, day)
    assert end > day
    days = [day + ONE * k for k in range(min(span, (end - day).days))] + [end - ONE]
    for t in days:
        assert on_window_day(occs, running, t) == item_occurrences(item, pack, t), (item.id, day, t, end)
    return (end - day).days, len(running)


def test_an_items_occurrences_are_those_of_its_window_on_every_day_of_it(busy):
    led = load(busy)
    lengths, running = [], 0
    for day in (date(2026, 1, 5), date(2026, 3, 31), date(2026, 6, 15), date(2026, 11, 20), date(2025, 12, 20)):
        for item in led.items.values():
            if settled_on(item) is None or settled_on(item) >= day - ONE * 30:
                n, r = window_days(item, led.pack, day)
                lengths.append(n)
                running += r
    assert len(lengths) > 1000 and running > 50  # ranges that run to the day asked for, kept with the day
    assert sum(n > 30 for n in lengths) > len(lengths) / 3  # most windows hold for weeks, not a day


def test_a_follow_up_cadence_ends_the_window_after_each_report_due(tmp_path):
    """weinan-gxq's 续报 each week after the lead's first progress report, past the deadline too: a window ends the
    day after each report falls due, and a missed one runs to the day asked for."""
    led = make_ledger(tmp_path / "ledger", "weinan-gxq")
    led.issue(category="leader_instruction", tier="yellow", issued="2026-03-02", deadline="2026-03-09")
    item_id = load(led.root).items.popitem()[0]
    assert led("report", item_id, "--unit", "fgw", "--text", "正在推进", today="2026-03-05").code == 0
    ledger = load(led.root)
    item = ledger.items[item_id]
    ends, ran = set(), 0
    day = date(2026, 3, 1)
    while day < date(2026, 5, 31):
        end, _, running = occurrences_window(item, ledger.pack, day)
        window_days(item, ledger.pack, day)
        ends.add(end)
        ran += bool(running)
        day += ONE
    weekly = {d for d in ends if date(2026, 3, 13) <= d <= date(2026, 5, 31)}
    assert len(weekly) >= 10 and ran > 50


def taken(root: Path, day: date, period: str) -> tuple[list[dict], int]:
    """The period's scores on ``day`` through the command's path, and how many items came as kept windows."""
    ledger = {}
    real = queries.fixed_scoring

    def spy(led, *args, **kw):
        ledger["it"] = led
        return real(led, *args, **kw)

    queries.fixed_scoring = spy
    try:
        got = [s.as_json() for s in queries.quarter_scores(root, period, 2026, day).scores]
    finally:
        queries.fixed_scoring = real
    return got, sum(1 for kind, _, _ in ledger["it"].memoed.values() if kind == queries.WINDOWS)


def windows_kept(root: Path) -> dict[bytes, tuple[int, int]]:
    db = sqlite3.connect(cache_dir(root) / DB)
    try:
        rows = db.execute("SELECT digest, first, last FROM memos WHERE kind = ?", (queries.WINDOWS,))
        return {d: (first, last) for d, first, last in rows}
    finally:
        db.close()


@pytest.mark.parametrize("period", ["2026", "Q4"])
def test_scores_from_kept_windows_are_the_scores_without(busy, tmp_path, period):
    root = tmp_path / "copy"
    shutil.copytree(busy, root)
    full = load(root)
    first, *later = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 27), date(2026, 12, 30)]
    want = [s.as_json() for s in score(full, parse_period(period, 2026, first), first)]
    got, n = taken(root, first, period)
    assert got == want and n == 0  # the first score keeps the windows …
    kept = windows_kept(root)
    assert len(kept) > 200
    got, n = taken(root, first, period)
    assert got == want and n > 200  # … the next takes them
    for day in later:  # on later days of the windows too, with the late ranges that run moved to the day
        want = [s.as_json() for s in score(full, parse_period(period, 2026, day), day)]
        got, n = taken(root, day, period)
        assert got == want, day
        assert n > 0, day
        assert all(last >= day.toordinal() for _, last in windows_kept(root).values())  # the ended ones went


def test_a_kept_window_goes_with_its_record(busy, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(busy, root)
    day = date(2026, 11, 20)
    queries.quarter_scores(root, "2026", 2026, day)
    before = windows_kept(root)
    ledger = load(root)
    item = next(i for i in ledger.items.values() if ledger.digests.get(i.id) in before)
    old = ledger.digests[item.id]
    edited = root / item.path
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(item.title, item.title + "（改）", 1), encoding="utf-8"
    )
    age(edited, 60)
    got, n = taken(root, day, "2026")
    assert got == [s.as_json() for s in score(load(root), parse_period("2026", 2026, day), day)]
    after = windows_kept(root)
    assert old not in after and load(root).digests[item.id] in after and len(after) == len(before)
    assert n == len(before) - 1  # every other item came as its kept window
