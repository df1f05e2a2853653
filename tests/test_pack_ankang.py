"""Pack ankang-2014 (seed 001, 安政办发〔2014〕134号)."""

from __future__ import annotations

from datetime import date

from packtools import deadline, event, pack, scores, slips, sweep

LEDGER_PACK = NAME = "ankang-2014"


def test_deadlines_are_set_item_by_item():
    # 二、(二) 制定督查台账，明确责任单位和完成时限: every category leaves the deadline to the clerk
    for key in pack(NAME).categories:
        assert deadline(NAME, key, "yellow", date(2026, 3, 2)) is None
    assert {"work_report", "meeting_executive", "proposal", "leader_instruction", "media_exposure", "other"} <= set(
        pack(NAME).categories
    )


def test_early_warning_then_reminder_then_urging(ledger):
    # 二、(二) 派发、提醒、预警: a warning 3 working days ahead (the pack's reading), then 提醒 and 催办
    item = ledger.issue(category="work_report", tier="yellow", issued="2026-03-02", deadline="2026-03-13")
    res = sweep(ledger, "2026-03-10")
    assert [a["action"] for a in res["actions"]] == ["due_soon"] and res["actions"][0]["date"] == "2026-03-10"
    sweep(ledger, "2026-03-20")
    # 03-13 Friday lapses: 提醒 Monday 03-16, answer 3 working days → 03-19, 催办 03-20
    assert slips(ledger, item) == [("reminder", "2026-03-16"), ("urge", "2026-03-20")]


def test_criticism_owes_a_rectification_report_within_a_week_and_costs_excellence(ledger):
    # 二、(六) 被通报单位必须在自通报之日起的一周内……形成书面整改报告；年度目标责任考核不得评为优秀
    event(ledger, "fgw", "criticism", "2026-05-06")
    data = sweep(ledger, "2026-05-07")
    (a,) = data["actions"]
    assert (a["unit"], a["rule"], a["due"]) == ("fgw", "rectify", "2026-05-13")
    got = scores(ledger, "2026", "2026-12-31")
    assert got["fgw"]["flags"] == ["年度目标责任考核不得评为优秀"] and got["zjj"]["flags"] == []


def test_init_and_the_main_job(ledger):
    assert ledger("sweep", today="2026-11-20").code == 0
    assert ledger("list", today="2026-11-20").code == 0
    assert "领导重要批示件" in ledger("rules", today="2026-11-20").out.replace("\n", "")
