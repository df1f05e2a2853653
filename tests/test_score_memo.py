"""Scores from settled items' fixed occurrences (kept in the cache's memos): the same on any day from the day they
are fixed on, the same scores with and without them, and the same output cold, warm and without a cache — also after
an edit that unsettles a settled item, and after the rule pack changes."""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Ledger, git
from test_cache import age, rewrite

from duban.commands import queries
from duban.commands.setup import init_ledger
from duban.core.scoring import counts_from, fixed_occurrences, item_occurrences, parse_period, score
from duban.core.state import settled_on
from duban.store.cache import DB, cache_dir
from duban.store.ledger import Scope, load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
TODAY = "2026-11-20"
SCORES = [("score", "Q1", "--json"), ("score", "Q2"), ("score", "2026", "--json"), ("score", "Q3", "--explain", "zjj")]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    import gen

    root = tmp_path_factory.mktemp("memo") / "big"
    gen.make(root, 400, 150, date(2026, 11, 20))
    return root


def test_fixed_occurrences_are_those_of_every_later_day(big, tmp_path):
    """The claim :func:`fixed_occurrences` rests on, checked item by item on a ten-year ledger and the sample."""
    roots = [big, init_ledger(tmp_path / "sample", sample=True, pack=None)]
    seen = 0
    for root in roots:
        led = load(root)
        for item in led.items.values():
            found = fixed_occurrences(item, led.pack)
            if found is None:
                continue
            day, occs = found
            seen += 1
            for later in (day, day + timedelta(days=1), day + timedelta(days=45), max(day, date(2026, 12, 31))):
                assert item_occurrences(item, led.pack, later) == occs, (item.id, later)
    assert seen > 100


def test_scores_with_fixed_occurrences_are_the_scores_without(big):
    full = load(big)
    fixed, _ = queries.fixed_scoring(full)
    assert len(fixed) > 100
    for day in (date(2026, 11, 20), date(2026, 7, 1), date(2025, 12, 31), date(2025, 3, 3)):
        for period in ("Q1", "Q2", "Q4", str(day.year)):
            per = parse_period(period, None, day)
            scoped = load(big, scope=Scope(since=counts_from(per.year)))
            want = [s.as_json() for s in score(full, per, day)]
            assert [s.as_json() for s in score(scoped, per, day, queries.fixed_scoring(scoped)[0])] == want


def memo_rows(root: Path) -> int:
    db = sqlite3.connect(cache_dir(root) / DB)
    try:
        return db.execute("SELECT count(*) FROM memos").fetchone()[0]
    finally:
        db.close()


def outputs(led: Ledger) -> list:
    return [(args, r.code, r.out, r.err) for args in SCORES for r in [led(*args, today=TODAY)]]


def uncached(led: Ledger) -> list:
    os.environ["DUBAN_CACHE"] = "off"
    try:
        return outputs(led)
    finally:
        del os.environ["DUBAN_CACHE"]


def test_score_output_is_the_same_cold_warm_and_without_a_cache(big, tmp_path, monkeypatch):
    led = aged_clone(big, tmp_path)
    root = led.root
    cold = outputs(led)
    assert memo_rows(root) > 20  # the settled items' occurrences are kept
    assert outputs(led) == cold
    assert uncached(led) == cold

    # warm, the settled items' occurrences come from the memos: none is worked out again
    def nothing_fixed(item, pack):
        assert settled_on(item) is None, f"{item.id} worked out again"
        return None

    settled = load(root, scope=Scope(since=date(2025, 12, 25)))
    monkeypatch.setattr(queries, "fixed_occurrences", nothing_fixed)
    fixed, _ = queries.fixed_scoring(settled)
    monkeypatch.undo()
    assert fixed == queries.fixed_scoring(load(root, scope=Scope(since=date(2025, 12, 25))))[0]
    assert fixed == {i: f for i, item in settled.items.items() if (f := fixed_occurrences(item, settled.pack))}


def closed_item_scored(led: Ledger) -> tuple[Path, str]:
    """A closed item of 2026 whose completion counts in the year's scores."""
    table = led("score", "2026", "--json", today=TODAY).json()
    counted = {d["item"] for u in table["units"] for d in u["deltas"] if d["rule"].endswith("on-time")}
    items = load(led.root).items
    for item_id in sorted(counted, reverse=True):
        text = (led.root / items[item_id].path).read_text(encoding="utf-8")
        if "kind: close" in text:
            return led.root / items[item_id].path, text
    raise AssertionError("no closed item scored")


def aged_clone(big: Path, tmp_path: Path) -> Ledger:
    """A clone of the big ledger whose files are old enough for the cache to trust."""
    root = tmp_path / "copy"
    git(big.parent, "clone", "-q", str(big), str(root))
    for path in root.glob("*/*/*.yaml"):
        age(path, 60)
    return Ledger(root)


def test_an_edit_that_unsettles_a_settled_item_is_scored_afresh(big, tmp_path):
    led = aged_clone(big, tmp_path)
    before = outputs(led)
    path, text = closed_item_scored(led)
    # unsettled: the close and the accepting review go, in place; the unit's on-time completion no longer counts
    lines = text.splitlines(keepends=True)
    kept = [ln for ln in lines if "kind: close" not in ln and "result: accepted" not in ln]
    assert len(kept) < len(lines)
    rewrite(path, "".join(kept), 20)
    after = outputs(led)
    assert after == uncached(led)
    assert after != before
    rewrite(path, text, 10)  # settled again: the memo of that very record serves again
    assert outputs(led) == before == uncached(led)


def test_a_changed_rule_pack_is_scored_afresh(big, tmp_path):
    led = aged_clone(big, tmp_path)
    root = led.root
    before = outputs(led)
    assert memo_rows(root) > 20
    # a reporting cadence the settled items' missed reports depend on
    cats = root / "rules" / "categories.yaml"
    text = cats.read_text(encoding="utf-8")
    assert "cadence: {every: 2, unit: week," in text
    rewrite(cats, text.replace("cadence: {every: 2, unit: week,", "cadence: {every: 1, unit: week,"), 5)
    after = outputs(led)
    assert after == uncached(led) and after != before
    rewrite(cats, text, 4)  # back: the same scores as at first
    assert outputs(led) == before
