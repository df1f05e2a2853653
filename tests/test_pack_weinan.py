"""Pack weinan-gxq (seed 004, 渭南高新区督促检查工作实施办法（试行）)."""

from __future__ import annotations

from datetime import date

from packtools import deadline, event, log, pack, scores, sweep

LEDGER_PACK = NAME = "weinan-gxq"


def test_leader_instructions_within_five_working_days():
    # 九 原则上应在接到办理通知5个工作日内报送办理结果 (across 清明: 04-02 → 04-10)
    assert deadline(NAME, "leader_instruction", "yellow", date(2026, 4, 2)) == date(2026, 4, 10)


def test_proposals_three_months_at_most_six(ledger):
    # 十 答复期限一般为3个月，最迟不得超过6个月
    assert deadline(NAME, "proposal", "blue", date(2026, 3, 2)) == date(2026, 6, 2)
    item = ledger.issue(category="proposal", tier="blue", issued="2026-03-02", deadline=None)
    ext = ("extend", item, "--reason", "涉及面广", "--approved-by", "管委会主任")
    assert ledger(*ext, "--to", "2026-09-03", today="2026-05-20").code == 1  # beyond 09-02
    assert ledger(*ext, "--to", "2026-09-02", today="2026-05-20").code == 0
    assert pack(NAME).rule("proposal", "blue").max.n == 6


def test_extension_requested_before_the_deadline(ledger):
    # 九 应提前……申请延长办理期限
    item = ledger.issue(category="other", issued="2026-03-02", deadline="2026-03-13")
    ext = ("extend", item, "--to", "2026-03-31", "--reason", "情况复杂", "--approved-by", "管委会副主任")
    assert ledger(*ext, "--requested", "2026-03-13", today="2026-03-13").code == 1
    assert ledger(*ext, "--requested", "2026-03-12", today="2026-03-13").code == 0


def test_review_returns_for_redo(ledger):
    # 四(五) 对不符合要求的，退承办单位重新办理
    item = ledger.issue(category="other", issued="2026-03-02", deadline="2026-03-13")
    ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-03-10")
    assert ledger("review", item, "return", "--reason", "未见佐证", today="2026-03-11").code == 0
    assert ledger("show", item, "--json", today="2026-03-11").json()["status"] == "returned"
    assert log(ledger, item)[-1]["due"] == date(2026, 3, 18)


def test_criticism_counts_per_unit_per_year(ledger):
    # 十六(二)(三): 一次 → 书面检查; 两次 → 约谈、取消评先树优; 三次及以上 → 问责建议
    for day in ("2026-03-02", "2026-06-01", "2026-09-01"):
        event(ledger, "fgw", "criticism", day)
    rules = [a["rule"] for a in sweep(ledger, "2026-09-02")["actions"]]
    assert rules == ["self-examination", "interview", "accountability"]
    got = scores(ledger, "2026", "2026-12-31")["fgw"]
    assert got["flags"] == ["书面检查", "约谈并取消年度评先树优资格", "提出问责建议"]
    q1 = scores(ledger, "Q1", "2026-12-31")["fgw"]
    assert q1["flags"] == ["书面检查"]


def test_six_months_is_a_hard_limit_even_across_a_holiday(ledger):
    # 十 最迟不得超过6个月: issued Fri 04-03 → six months is Sat 10-03, in the 国庆 holiday; no roll to 10-08
    item = ledger.issue(category="proposal", tier="blue", issued="2026-04-03", deadline=None)
    ext = ("extend", item, "--reason", "涉及面广", "--approved-by", "管委会主任")
    assert ledger(*ext, "--to", "2026-10-08", today="2026-06-20").code == 1
    assert ledger(*ext, "--to", "2026-09-30", today="2026-06-20").code == 0


def test_a_lapse_after_the_order_proposes_criticism_counted_per_calendar_year(ledger):
    # 十六(二) 下达督办令后，工作仍没有明显进展的，由区督查室对责任单位进行通报批评
    item = ledger.issue(category="other", issued="2026-03-02", deadline="2026-03-13")
    data = sweep(ledger, "2026-03-30")
    # 催办 Mon 03-16 (3 working days → 03-19), 督办令 Fri 03-20 (5 working days → Fri 03-27), proposal Mon 03-30
    assert [(e["kind"], str(e["date"])) for e in log(ledger, item) if e.get("number")] == [
        ("reminder", "2026-03-16"),
        ("urge", "2026-03-20"),
        ("referral", "2026-03-30"),
    ]
    assert any("通报批评（建议" in p["what"] for p in data["pending"])
    res = ledger("render", "urge", item, today="2026-03-30")
    assert res.code == 0 and res.out.strip().endswith("督办令-2026-1.docx")
    assert ledger("refer", item, "approve", today="2026-03-31").code == 0
    rules = [a["rule"] for a in sweep(ledger, "2026-04-01")["actions"]]
    assert rules == ["self-examination"]  # the approved proposal is the unit's first 通报批评 of 2026
    # 一年内 is the calendar year (the pack's reading): another on 2027-02-10 is again a first
    event(ledger, "fgw", "criticism", "2027-02-10")
    assert [a["rule"] for a in sweep(ledger, "2027-02-11")["actions"] if a.get("rule")] == ["self-examination"]


def test_an_answer_in_progress_keeps_a_weekly_follow_up_until_the_final_result(ledger):
    # 十二 一时没有明确结果的，要报告阶段性进展情况，并续报直至完成最终结果 (weekly: the pack's reading)
    item = ledger.issue(category="leader_instruction", tier="yellow", issued="2026-03-02", deadline=None)
    assert ledger("show", item, "--json", today="2026-03-02").json()["deadline"] == "2026-03-09"  # 5 working days
    ledger("report", item, "--unit", "fgw", "--text", "正在协调，阶段性进展", today="2026-03-06")
    ledger("report", item, "--unit", "fgw", "--text", "续报一", today="2026-03-12")
    sweep(ledger, "2026-03-24")
    # follow-ups from Fri 03-06: 03-13 (reported 03-12, not announced), 03-20 (missed) → 催办通知 Mon 03-23
    assert [str(e["due"]) for e in log(ledger, item) if e["kind"] == "report_due"] == ["2026-03-20"]
    assert [str(e["date"]) for e in log(ledger, item) if e.get("lapse") == "report:2026-03-20"] == ["2026-03-23"]
    ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-03-25")
    sweep(ledger, "2026-04-10")
    assert [str(e["due"]) for e in log(ledger, item) if e["kind"] == "report_due"] == ["2026-03-20"]  # no more
