"""The sweep plans only the items that can act on the day: :func:`duban.core.escalation.wakes` gives the first day an
item in hand may do anything, kept in the cache's memos; an item the memos say is quiet today is not even loaded.
Checked against the full plan day by day, and end to end: daily sweeps with the memos and without a cache write the
same commits, files and digests."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Ledger, git
from test_score_memo import aged_clone

from duban.commands.setup import init_ledger
from duban.core.entries import SLIP_KINDS
from duban.core.escalation import QUIET_AHEAD, plan, wakes
from duban.store.cache import DB, cache_dir
from duban.store.ledger import Scope, load

START = date(2026, 11, 20)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import gen

    root = tmp_path_factory.mktemp("quiet") / "big"
    gen.make(root, 400, 150, START)
    return root


def item_plan(ledger, item, day: date):
    """What the plan of ``day`` says about this item alone."""
    alone = dataclasses.replace(ledger, items={item.id: item}, events=[], problems=[])
    res = plan(alone, day)
    return [a.entry for a in res.actions], res.pending, res.problems


@pytest.mark.parametrize("sample", [False, True])
def test_an_item_is_quiet_until_it_wakes(big, tmp_path, sample):
    """On every day from ``today`` to the day before :func:`wakes`, the plan does nothing for the item."""
    root = init_ledger(tmp_path / "sample", sample=True, pack=None) if sample else big
    quiet_days = 0
    for first in (START - timedelta(days=70), START - timedelta(days=25), START):
        ledger = load(root, scope=Scope(live_on=first))
        for item in ledger.items.values():
            until = wakes(item, ledger.pack, first)
            assert first <= until <= first + timedelta(days=QUIET_AHEAD + 1)
            if until == first:
                continue
            for day in sorted({first, first + (until - first) // 2, until - timedelta(days=1)}):
                assert item_plan(ledger, item, day) == ([], [], []), (item.id, first, day, until)
            quiet_days += (until - first).days
    assert quiet_days > (10 if sample else 1000)


def memo_rows(root: Path) -> int:
    db = sqlite3.connect(cache_dir(root) / DB)
    try:
        return db.execute("SELECT count(*) FROM memos WHERE kind = 'quiet'").fetchone()[0]
    finally:
        db.close()


def swept(led: Ledger, day: date) -> tuple:
    res = led("sweep", "--json", "--no-forms", today=day.isoformat())
    assert res.code == 0, res.err
    out = res.json()
    out.pop("commit")
    digest = led.root / "out" / "sweep" / f"{day}.md"
    return out, git(led.root, "rev-parse", "HEAD^{tree}"), digest.read_text(encoding="utf-8") if digest.exists() else ""


def test_daily_sweeps_with_quiet_memos_are_those_without_a_cache(big, tmp_path):
    from duban.commands.sweep import quiet_scope

    with_cache = aged_clone(big, tmp_path / "a")
    without = aged_clone(big, tmp_path / "b")
    acted = skipped = 0
    for n in range(0, 24, 2):
        day = START + timedelta(days=n)
        in_hand = len(load(with_cache.root, scope=Scope(live_on=day)).items)
        skipped += in_hand - len(load(with_cache.root, scope=quiet_scope(with_cache.root, day)).items)
        got = swept(with_cache, day)
        os.environ["DUBAN_CACHE"] = "off"
        try:
            want = swept(without, day)
        finally:
            del os.environ["DUBAN_CACHE"]
        assert got == want, day
        acted += len(got[0]["actions"])
    assert memo_rows(with_cache.root) > 50
    assert acted > 20 and skipped > 200  # the sweeps did things, and most items were not even loaded


def test_a_quiet_item_edited_by_hand_is_planned_again(big, tmp_path):
    """The memo is keyed on the record: an edit (here a deadline moved to tomorrow) wakes the item."""
    led = aged_clone(big, tmp_path)
    day = START + timedelta(days=1)
    led("sweep", "--no-forms", today=START.isoformat())
    ledger = load(led.root, scope=Scope(live_on=day))
    item = next(
        i
        for i in sorted(ledger.items.values(), key=lambda i: i.id)
        if wakes(i, ledger.pack, day) > day + timedelta(days=5)
        and i.deadline
        and "deadline:" in (led.root / i.path).read_text(encoding="utf-8")
    )
    path = led.root / item.path
    before = led("sweep", "--dry-run", "--json", today=(day + timedelta(days=4)).isoformat()).json()
    assert item.id not in {a["item"] for a in before["actions"]}
    text = path.read_text(encoding="utf-8")
    old = f"deadline: {item.deadline.isoformat()}"
    assert old in text
    path.write_text(text.replace(old, f"deadline: {day.isoformat()}", 1), encoding="utf-8")
    git(led.root, "commit", "-qam", "by hand")
    after = led("sweep", "--dry-run", "--json", today=(day + timedelta(days=4)).isoformat()).json()
    os.environ["DUBAN_CACHE"] = "off"
    try:
        want = led("sweep", "--dry-run", "--json", today=(day + timedelta(days=4)).isoformat()).json()
    finally:
        del os.environ["DUBAN_CACHE"]
    assert after == want
    assert item.id in {a["item"] for a in after["actions"]}


def test_the_sweeps_forms_from_the_items_as_written_are_those_read_from_the_files(big, tmp_path):
    """The slips are rendered from the items as written and read back once, not read again: the same bytes."""
    from duban.commands.publish import render_quietly

    led = aged_clone(big, tmp_path)
    res = led("sweep", "--json", today=START.isoformat())
    assert res.code == 0, res.err
    forms = res.json()["forms"]
    assert len(forms) >= 3
    swept_bytes = {f: Path(f).read_bytes() for f in forms}
    jobs = [
        (a["action"], a["item"], a["number"]) for a in res.json()["actions"] if a["item"] and a["action"] in SLIP_KINDS
    ]
    for f in forms:
        Path(f).unlink()
    paths, errors = render_quietly(led.root, jobs, START)
    assert not errors
    assert {str(p): p.read_bytes() for p in paths} == swept_bytes
