"""Issue #15 on the 卓尼 pack (seed 003): a report that came in over the weekend, typed on Monday.

评分标准: 迟报一天扣一分.  Due Friday 2026-03-06; the final report arrived on Saturday 03-07 and was
typed on Monday 03-09, after the morning sweep had issued the 督办提示 for the lapse.
"""

from __future__ import annotations

from packtools import log, scores, sweep

LEDGER_PACK = "zhuoni-2022"


def test_a_weekend_report_typed_on_monday_costs_one_day_not_three(ledger):
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-06")
    sweep(ledger, "2026-03-09")
    (slip,) = [e for e in log(ledger, item) if e["kind"] == "reminder"]
    res = ledger(
        "report", item, "--unit", "fgw", "--text", "已上报", "--final", "--date", "2026-03-07", today="2026-03-09"
    )
    assert res.code == 0, res.err
    got = scores(ledger, "2026", "2026-12-31")["fgw"]
    assert got["score"] == 79 and [(d["rule"], d["delta"]) for d in got["deltas"]] == [("late-per-day", -1)]
    # the report was late, but in before the slip: the sweep of 03-09 would not have issued it
    assert f"{slip['number']}" in res.out and "已作废" in res.out
    assert sweep(ledger, "2026-03-10")["actions"] == []


def test_typed_on_the_day_it_came_in_the_same_figures(ledger):
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-06")
    res = ledger("report", item, "--unit", "fgw", "--text", "已上报", "--final", today="2026-03-07")
    assert res.code == 0, res.err
    sweep(ledger, "2026-03-09")
    assert [e["kind"] for e in log(ledger, item) if e["kind"] in ("reminder", "urge")] == []
    assert scores(ledger, "2026", "2026-12-31")["fgw"]["score"] == 79


def test_voiding_the_first_of_three_lapses_recounts_the_consequences(ledger):
    # 第十二条: two lapses of one item → 通报批评并约谈; three → 取消评先评优资格.  Lapses on 03-05, 03-12, 03-19
    # (as in test_pack_zhuoni); then the clerk finds the first extension was signed on 03-05, before its deadline
    item = ledger.issue(category="key_project", tier="blue", issued="2026-03-02", deadline="2026-03-05")
    sweep(ledger, "2026-03-06")
    ext = ("extend", item, "--reason", "客观原因", "--approved-by", "县长")
    assert ledger(*ext, "--to", "2026-03-12", "--requested", "2026-03-04", today="2026-03-06").code == 0
    sweep(ledger, "2026-03-13")
    assert ledger(*ext, "--to", "2026-03-19", "--requested", "2026-03-11", today="2026-03-13").code == 0
    sweep(ledger, "2026-03-20")
    rules = [(e["rule"], e["lapse"]) for e in log(ledger, item) if e["kind"] == "consequence"]
    assert rules == [("overdue-twice", "deadline:2026-03-12"), ("overdue-thrice", "deadline:2026-03-19")]

    res = ledger(*ext, "--to", "2026-03-12", "--requested", "2026-03-04", "--date", "2026-03-05", today="2026-03-23")
    assert res.code == 0, res.err
    voids = [(v["of"], v["lapse"]) for v in log(ledger, item) if v["kind"] == "void"]
    assert voids == [
        ("reminder", "deadline:2026-03-05"),
        ("consequence", "deadline:2026-03-12"),
        ("consequence", "deadline:2026-03-19"),
    ]
    # the next sweep counts again: the lapse of 03-19 is now the second
    (again,) = sweep(ledger, "2026-03-24")["actions"]
    assert (again["rule"], again["lapse"], again["date"]) == ("overdue-twice", "deadline:2026-03-19", "2026-03-20")
    # no consequence again; the ladder goes on for the lapse still running (督查催办 after the 2-day window)
    assert [a["action"] for a in sweep(ledger, "2026-03-25")["actions"]] == ["urge"]
    got = scores(ledger, "2026", "2026-12-31")["fgw"]
    assert got["flags"] == ["通报批评并约谈"]
    assert [d["delta"] for d in got["deltas"]] == [-2, -2]
