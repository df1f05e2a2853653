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
