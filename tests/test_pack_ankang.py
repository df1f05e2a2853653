"""Pack ankang-2014 (seed 001, 安政办发〔2014〕134号)."""

from __future__ import annotations

from datetime import date

from conftest import git
from packtools import deadline, event, log, pack, scores, slips, sweep

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


def test_slips_print_as_the_documents_words(ledger):
    # 二、(二) 提醒、预警: the first step is a 督查提醒, and the notice promises it
    item = ledger.issue(category="work_report", tier="yellow", issued="2026-03-02", deadline="2026-03-13")
    from docx import Document

    notice = Document(next((ledger.root / "out").rglob("*督查通知单.docx")))
    assert "督查提醒" in "".join(c.text for t in notice.tables for r in t.rows for c in r.cells) + "".join(
        p.text for p in notice.paragraphs
    )
    sweep(ledger, "2026-03-16")
    res = ledger("render", "reminder", item, today="2026-03-16")
    assert res.code == 0 and res.out.strip().endswith("督查提醒-2026-1.docx")
    assert "督查提醒 | 2026-1" in (ledger.root / "out/sweep/2026-03-16.md").read_text(encoding="utf-8")


def test_a_lapse_after_urging_proposes_criticism_which_owes_a_rectification_report(ledger):
    # 二、(六) 未按时完成……由政府办公室进行通报批评; 被通报单位必须在自通报之日起的一周内……形成书面整改报告
    item = ledger.issue(category="work_report", tier="yellow", issued="2026-03-02", deadline="2026-03-13")
    data = sweep(ledger, "2026-03-26")
    # 提醒 Mon 03-16 (answer 3 working days → 03-19), 催办 Fri 03-20 (→ Wed 03-25), proposal Thu 03-26
    assert slips(ledger, item) == [("reminder", "2026-03-16"), ("urge", "2026-03-20"), ("referral", "2026-03-26")]
    assert log(ledger, item)[-1]["status"] == "proposed"
    assert any("通报批评（建议" in p["what"] for p in data["pending"])
    assert ledger("refer", item, "approve", "--text", "同意通报批评", today="2026-03-27").code == 0
    (a,) = sweep(ledger, "2026-03-28")["actions"]
    # the approved criticism is the unit's 通报批评 of 03-27: rectification due a week later, Fri 04-03
    assert (a["unit"], a["rule"], a["due"]) == ("fgw", "rectify", "2026-04-03")
    assert scores(ledger, "2026", "2026-12-31")["fgw"]["flags"] == ["年度目标责任考核不得评为优秀"]
    # not recorded by 04-07: the sweep reminds every day, in the digest
    late = [p for p in sweep(ledger, "2026-04-07")["pending"] if "整改报告" in p["what"]]
    assert late and "已逾期 4 天" in late[0]["what"]
    assert "已逾期 4 天" in (ledger.root / "out/sweep/2026-04-07.md").read_text(encoding="utf-8")
    (owed,) = ledger("show", item, "--json", today="2026-04-07").json()["owed"]
    assert (owed["id"], owed["due"], owed["late"]) == (a["id"], "2026-04-03", True)
    res = ledger("fulfil", a["id"], "--date", "2026-04-08", "--note", "整改报告已收", today="2026-04-08")
    assert res.code == 0 and "逾期 5 天" in res.out
    assert not any("整改报告" in p["what"] for p in sweep(ledger, "2026-04-09")["pending"])
    assert ledger("fulfil", a["id"], today="2026-04-09").code == 1  # already recorded


def test_project_reports_state_investment_work_and_percent(ledger):
    # 二、(四) 涉及项目类进展情况还要说明已完成投资额和工程量，并相应说明完成任务的百分比
    item = ledger.issue(category="key_project", tier="yellow", issued="2026-03-02", deadline="2026-06-30")
    base = ("report", item, "--unit", "fgw", "--text", "主体完工")
    res = ledger(*base, "--percent", "60", today="2026-04-01")
    assert res.code == 1 and "已完成投资额" in res.err and "已完成工程量" in res.err
    ok = ledger(*base, "--percent", "60", "--investment", "1200万元", "--work", "路基3公里", today="2026-04-01")
    assert ok.code == 0, ok.err
    assert {k: log(ledger, item)[-1][k] for k in ("percent", "investment", "work")} == {
        "percent": 60,
        "investment": "1200万元",
        "work": "路基3公里",
    }
    assert "1200万元" in ledger("show", item, today="2026-04-01").out
    # other kinds of work need no project figures
    other = ledger.issue(category="work_report", tier="yellow", issued="2026-03-02", deadline="2026-06-30")
    assert ledger("report", other, "--unit", "fgw", "--text", "进展", today="2026-04-01").code == 0


def test_a_report_follows_the_category_as_corrected(ledger):
    # 二、(四) applies to an item the clerk corrected into a project: the corrected category's rule decides
    item = ledger.issue(category="work_report", tier="yellow", issued="2026-03-02", deadline="2026-06-30")
    fixed = ledger("amend", item, "--category", "key_project", "--reason", "登记有误", today="2026-03-10")
    assert fixed.code == 0, fixed.err
    assert fixed.out.strip() == f"{item} 类别: work_report → key_project"
    assert "category" not in fixed.out
    message = git(ledger.root, "log", "-1", "--format=%s")
    assert "更正 类别" in message and "category" not in message
    res = ledger("report", item, "--unit", "fgw", "--text", "主体完工", "--percent", "60", today="2026-04-01")
    assert res.code == 1 and "已完成投资额" in res.err and "重点项目" in res.err
    # a report dated before the correction follows the category of its day
    early = ledger("report", item, "--unit", "fgw", "--text", "开工", "--date", "2026-03-05", today="2026-04-01")
    assert early.code == 0, early.err
