"""A past period's score looks again, on today, only at the items accepted after the period
(:func:`duban.core.scoring.accepted_between`): checked item by item against every item, and the scores with
memos taken in place of records are those of the whole ledger."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from test_cache import age

from duban.commands import queries
from duban.commands.setup import init_ledger
from duban.core.scoring import accepted_between, item_occurrences
from duban.store.ledger import load

DAYS = [
    (date(2026, 3, 31), date(2026, 11, 20)),
    (date(2026, 6, 30), date(2026, 7, 9)),
    (date(2025, 12, 31), date(2026, 2, 2)),
]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import gen

    root = tmp_path_factory.mktemp("later") / "big"
    gen.make(root, 400, 150, date(2026, 11, 20))
    return root


@pytest.mark.parametrize("sample", [False, True])
def test_only_items_accepted_after_a_period_give_it_completions_later(big, tmp_path, sample):
    root = init_ledger(tmp_path / "sample", sample=True, pack=None) if sample else big
    ledger = load(root)
    later = 0
    for until, today in DAYS:
        for item in ledger.items.values():
            then = set(item_occurrences(item, ledger.pack, until))
            new = [
                o
                for o in item_occurrences(item, ledger.pack, today)
                if o.on in ("done_on_time", "done_late") and o.date <= until and o not in then
            ]
            if new:
                later += 1
                assert accepted_between(item, until, today), (item.id, until, today, new)
    assert later > 0 or sample


def test_scores_of_past_periods_with_memos_are_those_without_a_cache(big, monkeypatch):
    taken = []

    def spy(*args, **kw):
        ledger = load(*args, **kw)
        taken.append(len(ledger.memoed))
        return ledger

    monkeypatch.setattr(queries, "load", spy)
    for until, today in DAYS:
        for period in ("Q1", "Q2", "Q3", str(until.year)):
            cold = [s.as_json() for s in queries.quarter_scores(big, period, until.year, today).scores]
            warm = [s.as_json() for s in queries.quarter_scores(big, period, until.year, today).scores]
            monkeypatch.setenv("DUBAN_CACHE", "off")
            want = [s.as_json() for s in queries.quarter_scores(big, period, until.year, today).scores]
            monkeypatch.delenv("DUBAN_CACHE")
            assert cold == warm == want, (period, until, today)
    assert max(taken) > 20  # settled items came as memos, not records


def test_a_past_periods_count_of_each_item_is_kept_and_is_that_of_its_record(tmp_path, monkeypatch):
    """An item not fixed by the end of a period already over is given, from the second score of the period on, as
    what the period counts of it (:func:`duban.core.scoring.on_last_day`, kept in the cache): the same scores as
    the whole ledger replayed, also with the completions that reviews after the period accept, and never on a day
    before that count holds (a score of the period asked for on an earlier day)."""
    from duban.core.scoring import DONE, on_last_day, parse_period, score

    given: list[dict] = []
    taken: list[int] = []  # of them, those that came as memos rather than records
    real = queries.fixed_scoring

    def spy(ledger, *args, **kw):
        got = real(ledger, *args, **kw)
        given.append(got[1])
        taken.append(sum(1 for kind, _, _ in ledger.memoed.values() if kind.startswith("occurrences@")))
        return got

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import gen

    big = tmp_path / "busy"
    gen.make(big, 2500, 50, date(2026, 11, 20))
    for path in big.glob("*/*/*.yaml"):  # files written in the last 2 s are read again, never taken as memos
        age(path, 60)
    monkeypatch.setattr(queries, "fixed_scoring", spy)
    full = load(big)
    cases = [("Q2", date(2026, 11, 20)), ("Q1", date(2026, 11, 20)), ("Q2", date(2026, 7, 9)), ("Q1", date(2026, 4, 9))]
    for period, today in cases:
        want = [s.as_json() for s in score(full, parse_period(period, 2026, today), today)]
        for run in ("first", "second"):
            got = [s.as_json() for s in queries.quarter_scores(big, period, 2026, today).scores]
            assert got == want, (period, today, run)
        until = parse_period(period, 2026, today).end
        for item_id, (main, done) in given[-1].items():  # each as its record says, on no day before it holds
            first, *value = on_last_day(full.items[item_id], full.pack, until)
            assert value == [main, done] and until < first <= today, (item_id, first)
            assert all(o.on in DONE and o.date <= until for o in done)
    assert len(given[0]) > 100 and any(done for _, done in given[0].values())
    assert [len(g) for g in given[::2]] == [len(g) for g in given[1::2]] and given[0] == given[1]
    assert taken[1::2] == [len(g) for g in given[1::2]] and not any(taken[::2][:2])
    # on 9 April, Q1's count of the items whose completion a review after 9 April accepts does not hold yet
    assert len(given[6]) < len(given[2])


def test_a_kept_count_goes_with_its_record_once_no_file_holds_it(big, tmp_path):
    """The counts of items in hand are kept under their records' digests: an edited item's old count is let go
    when the next score of the period keeps the new one (the memos do not grow with every edit)."""
    import shutil
    import sqlite3

    from duban.store.cache import DB, cache_dir

    root = tmp_path / "copy"
    shutil.copytree(big, root)
    for path in root.glob("*/*/*.yaml"):  # files written in the last 2 s are read again, never taken as memos
        age(path, 60)
    kind = queries.occurrences_on(date(2026, 6, 30))

    def kept() -> set[bytes]:
        db = sqlite3.connect(cache_dir(root) / DB)
        try:
            return {d for (d,) in db.execute("SELECT digest FROM memos WHERE kind = ?", (kind,))}
        finally:
            db.close()

    today = date(2026, 11, 20)
    queries.quarter_scores(root, "Q2", 2026, today)
    before = kept()
    ledger = load(root)
    item = next(i for i in ledger.items.values() if i.issued.year == 2026 and ledger.digests.get(i.id) in before)
    old = ledger.digests[item.id]
    edited = root / item.path
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(item.title, item.title + "（改）", 1), encoding="utf-8"
    )
    age(edited, 60)
    queries.quarter_scores(root, "Q2", 2026, today)
    after = kept()
    assert old not in after and len(after) == len(before)
    assert load(root).digests[item.id] in after
