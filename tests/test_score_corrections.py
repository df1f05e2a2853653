"""Scores count each occurrence with the tier and category in effect on its day (corrections by ``amend``),
from one memoised lookup per item (:func:`duban.core.state.day_corrector`) rather than a sort of the log for
every occurrence."""

from __future__ import annotations

from datetime import date, timedelta

from duban.core.scoring import item_occurrences
from duban.core.state import as_of, day_corrector
from duban.store.ledger import load


def ok(ledger, *args, today):
    res = ledger(*args, today=today)
    assert res.code == 0, res.err
    return res


def test_each_occurrence_takes_the_tier_in_effect_on_its_day(ledger):
    item = ledger.issue(issued="2026-04-01", deadline="2026-04-10")
    ok(ledger, "amend", item, "--tier", "red", "--reason", "登记有误", "--date", "2026-04-20", today="2026-04-21")
    ok(ledger, "report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-05-05")
    ok(ledger, "review", item, "accept", today="2026-05-06")
    led = load(ledger.root)
    got = {(o.on, o.date, o.tier) for o in item_occurrences(led.items[item], led.pack, date(2026, 6, 30))}
    # late from 04-11 while still yellow; finished (its final report) on 05-05, red by then
    assert ("overdue", date(2026, 4, 11), "yellow") in got and ("done_late", date(2026, 5, 5), "red") in got


def test_the_memoised_lookup_is_as_of_on_every_day(ledger):
    plain = ledger.issue(issued="2026-04-01", deadline="2026-04-10")
    amended = ledger.issue(issued="2026-04-01", deadline="2026-04-10")
    ok(ledger, "amend", amended, "--tier", "red", "--reason", "更正", "--date", "2026-04-05", today="2026-04-06")
    ok(ledger, "amend", amended, "--category", "meeting_plenary", "--reason", "更正", today="2026-04-08")
    led = load(ledger.root)
    for item_id in (plain, amended):
        item = led.items[item_id]
        corrected = day_corrector(item)
        for day in (date(2026, 3, 31) + timedelta(days=n) for n in range(12)):
            assert corrected(day) == as_of(item, day), (item_id, day)
    assert day_corrector(led.items[plain])(date(2026, 4, 9)) is led.items[plain]  # nothing to correct: itself
    assert day_corrector(led.items[amended])(date(2026, 4, 9)).tier == "red"


def test_the_pack_digest_follows_the_official_calendar_table_and_the_pack(ledger, tmp_path):
    """Memos (settled items' occurrences, quiet days) are keyed on pack_digest: another holiday table (an upgrade
    of chinese_calendar) or an edited pack file gives another digest; the same files give the same one."""
    from duban.store.packs import official_calendar_file, pack_digest

    led = load(ledger.root)
    table = tmp_path / "constants.py"
    table.write_bytes(official_calendar_file().read_bytes())
    before = pack_digest(ledger.root, led.pack, "x", calendar=table)
    assert pack_digest(ledger.root, led.pack, "x") == before == pack_digest(ledger.root, led.pack, "x", table)
    table.write_bytes(table.read_bytes().replace(b"2026", b"2027", 1))
    assert pack_digest(ledger.root, led.pack, "x", calendar=table) != before
    assert pack_digest(ledger.root, led.pack, "y") != before
    rules = ledger.root / "rules" / "scoring.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")
    assert pack_digest(ledger.root, led.pack, "x") != before
