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
