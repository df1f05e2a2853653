"""Pack baqiao-2018 (seed 000, 灞政办发〔2018〕28号): the document replayed rule by rule.

The ladder, 退回, the look-backs and the whole 附件1 table are also replayed in
test_lifecycle.py and test_scoring.py; this module covers the category table.
"""

from __future__ import annotations

from datetime import date

from packtools import deadline, due_dates, pack, slips, sweep

LEDGER_PACK = NAME = "baqiao-2018"
KEYS = {
    "leader_instruction",
    "key_project",
    "meeting_plenary",
    "meeting_executive",
    "meeting_mayor",
    "meeting_topic",
    "leader_concern",
    "business_environment",
    "investment_project",
    "work_report",
    "city_assigned",
    "proposal",
    "netizen_message",
    "arena_commitment",
    "work_style",
    "media_exposure",
    "other",
}


def test_all_fourteen_kinds_of_work_are_categories():
    # 二、督查工作任务: (一)1–6 重点督查 and (二)1–7 日常督查, with 会议 split by kind of meeting
    assert set(pack(NAME).categories) == KEYS


def test_leader_instructions_three_urgency_classes():
    # 三、(一)1(1) 红：紧急件务必当日办结，一日一督
    assert deadline(NAME, "leader_instruction", "red", date(2026, 4, 8)) == date(2026, 4, 8)
    assert due_dates(NAME, "leader_instruction", "red", date(2026, 4, 3), date(2026, 4, 9)) == [
        date(2026, 4, 7),
        date(2026, 4, 8),
        date(2026, 4, 9),
    ]  # 04-04…06 清明
    # (2) 黄：每2周上报落实情况; (3) 蓝：按规定时限 (the clerk sets it), 督查办每月汇总 (no unit duty)
    assert due_dates(NAME, "leader_instruction", "yellow", date(2026, 4, 1), date(2026, 5, 1)) == [
        date(2026, 4, 15),
        date(2026, 4, 29),
    ]
    assert deadline(NAME, "leader_instruction", "blue", date(2026, 4, 1)) is None
    assert pack(NAME).rule("leader_instruction", "blue").cadence is None


def test_meeting_decisions_fifteen_days_and_lookbacks():
    # 三、(一)3: 15日内通报落实情况; 常务会 一月一次回头望; 专题会 一季度一次回头望
    assert deadline(NAME, "meeting_executive", "yellow", date(2026, 3, 2)) == date(2026, 3, 17)
    assert deadline(NAME, "meeting_plenary", "blue", date(2026, 9, 24)) == date(
        2026, 10, 9
    )  # 15 days, a Friday after the National Day week
    p = pack(NAME)
    assert p.rule("meeting_executive", "yellow").lookback.describe() == "一月进行一次回头望"
    assert p.rule("meeting_topic", "yellow").lookback.unit == "quarter"


def test_work_report_quarterly_and_arena_monthly():
    # 三、(二)1 每季度报送; 三、(二)5 擂台赛每月报送
    assert deadline(NAME, "work_report", "yellow", date(2026, 1, 6)) == date(2026, 12, 31)
    assert due_dates(NAME, "work_report", "yellow", date(2026, 1, 6), date(2026, 12, 30)) == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    assert due_dates(NAME, "arena_commitment", "yellow", date(2026, 6, 15), date(2026, 9, 1))[:2] == [
        date(2026, 6, 30),
        date(2026, 7, 31),
    ]


def test_reminder_answered_within_two_days_then_warning_then_proposed_referral(ledger):
    # 三、(一)1(4) 提醒单 2日内答复; 五、(四) 提醒单 → 警告单 → 建议启动追责问效移交单
    item = ledger.issue(category="other", tier="blue", issued="2026-06-01", deadline="2026-06-10")
    sweep(ledger, "2026-06-22")
    # lapse Wed 06-10 → 提醒单 Thu 06-11, answer by Sat 06-13 → Mon 06-15 → 警告单 Tue 06-16, answer by Thu 06-18
    # → the proposal on the next working day, Mon 06-22 (Fri 06-19 is 端午)
    assert slips(ledger, item) == [("reminder", "2026-06-11"), ("warning", "2026-06-16"), ("referral", "2026-06-22")]


def test_transfer_back_only_on_the_day_of_receipt(ledger):
    # 五、(三) 应当日向区政府办公室提出，经同意后退回
    item = ledger.issue(category="other", issued="2026-06-01", deadline="2026-06-10")
    assert ledger("transfer-back", item, "--unit", "fgw", "--reason", "不属本单位职责", today="2026-06-02").code == 1
    assert ledger("transfer-back", item, "--unit", "fgw", "--reason", "不属本单位职责", today="2026-06-01").code == 0


def test_scoring_table_is_the_whole_of_annex_1():
    rules = pack(NAME).scoring.rules
    sources = " ".join(r.source for r in rules)
    for clause in (
        "第五条 1",
        "第五条 2",
        "第五条 3",
        "第五条 4",
        "第五条 5",
        "第五条 6",
        "其他事项1",
        "其他事项2",
        "其他事项3",
        "其他事项4",
    ):
        assert clause in sources, clause
    s = pack(NAME).scoring
    assert (s.base, s.cap_score, s.per_item, s.period) == (80, 100, "highest", "quarter")
