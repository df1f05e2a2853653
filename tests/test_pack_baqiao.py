"""Pack baqiao-2018 (seed 000, 灞政办发〔2018〕28号): the document replayed rule by rule.

The ladder, 退回, the look-backs and the whole 附件1 table are also replayed in
test_lifecycle.py and test_scoring.py; this module covers the category table.
"""

from __future__ import annotations

from datetime import date

from packtools import deadline, due_dates, log, pack, scores, slips, sweep

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
    "npc_cppcc_supervised",
    "netizen_message",
    "arena_commitment",
    "work_style",
    "media_exposure",
    "other",
}


def test_all_fourteen_kinds_of_work_are_categories():
    # 二、督查工作任务: (一)1–6 重点督查 and (二)1–7 日常督查, with 会议 split by kind of meeting, and 附件1 第五条 3's
    # 人大、政协有关会议、调研、视察提出需要督办的事项 apart from the 建议提案 themselves
    assert set(pack(NAME).categories) == KEYS


def test_leader_instructions_three_urgency_classes():
    # 三、(一)1(1) 红：紧急件务必当日办结; 一日一督 is the office's own duty, not a report the unit owes
    assert deadline(NAME, "leader_instruction", "red", date(2026, 4, 8)) == date(2026, 4, 8)
    red = pack(NAME).rule("leader_instruction", "red")
    assert red.cadence is None and red.supervise.describe() == "一日一督"
    # (2) 黄：每2周上报落实情况; (3) 蓝：按规定时限 (the clerk sets it), 督查办每月汇总 (no unit duty)
    assert due_dates(NAME, "leader_instruction", "yellow", date(2026, 4, 1), date(2026, 5, 1)) == [
        date(2026, 4, 15),
        date(2026, 4, 29),
    ]
    assert deadline(NAME, "leader_instruction", "blue", date(2026, 4, 1)) is None
    assert pack(NAME).rule("leader_instruction", "blue").cadence is None


def pending(ledger, day):
    return [p["what"] for p in sweep(ledger, day)["pending"]]


def test_red_instructions_are_urged_every_working_day_while_open(ledger):
    # 三、(一)1(1) 区政府督查办实行一日一督: issued Friday 04-03, due the same day; 04-04…06 is 清明
    item = ledger.issue(category="leader_instruction", tier="red", issued="2026-04-03", deadline=None)
    assert not any("一日一督" in w for w in pending(ledger, "2026-04-03"))  # the notice itself goes out that day
    assert not any("一日一督" in w for w in pending(ledger, "2026-04-06"))  # a holiday: no urging
    assert any("一日一督" in w for w in pending(ledger, "2026-04-07"))  # still open after the lapse
    ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-04-07")
    ledger("review", item, "accept", today="2026-04-07")
    assert not any("一日一督" in w for w in pending(ledger, "2026-04-08"))  # done: no more urging
    # 三、(一)2 对部分重点项目……每周进行一次督办: an office duty in the digest, the unit owes no weekly report
    ledger.issue(category="key_project", tier="red", issued="2026-03-02", deadline="2026-06-30")
    assert any("每周督办一次" in w for w in pending(ledger, "2026-03-09"))
    assert not any("每周督办一次" in w for w in pending(ledger, "2026-03-10"))
    assert "每周督办一次" in (ledger.root / "out/sweep/2026-03-09.md").read_text(encoding="utf-8")


def test_meeting_lookbacks_run_until_the_decision_is_carried_out(ledger):
    # 三、(一)3 专题会决定事项，一季度进行一次“回头望”，直至决定事项落实: done on 03-11, so no look-back on 06-02
    item = ledger.issue(category="meeting_topic", tier="blue", issued="2026-03-02", deadline=None)
    ledger("report", item, "--unit", "fgw", "--text", "已落实", "--final", today="2026-03-10")
    ledger("review", item, "accept", today="2026-03-11")
    sweep(ledger, "2026-07-01")
    assert [e for e in log(ledger, item) if e["kind"] == "lookback"] == []
    assert ledger("close", item, today="2026-07-01").code == 0  # no look-back demanded once carried out
    # while not carried out the look-backs run: issued 03-02, first quarterly one on 06-02
    open_ = ledger.issue(category="meeting_topic", tier="blue", issued="2026-03-02", deadline=None)
    sweep(ledger, "2026-07-01")
    assert [str(e["date"]) for e in log(ledger, open_) if e["kind"] == "lookback"] == ["2026-06-02"]


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


def test_two_reminders_before_a_warning_then_the_proposed_referral(ledger):
    # 三、(一)1(4) 提醒单 2日内答复; 五、(四)2 经过多次催办仍未完成的才下发警告单 (the pack: two 提醒单)
    item = ledger.issue(category="other", tier="blue", issued="2026-06-01", deadline="2026-06-10")
    sweep(ledger, "2026-06-26")
    # lapse Wed 06-10 → 提醒单 Thu 06-11, answer by Sat 06-13 → Mon 06-15 → 2nd 提醒单 Tue 06-16, answer Thu 06-18
    # → 警告单 on the next working day, Mon 06-22 (Fri 06-19 is 端午), answer Wed 06-24 → proposal Thu 06-25
    assert slips(ledger, item) == [
        ("reminder", "2026-06-11"),
        ("reminder", "2026-06-16"),
        ("warning", "2026-06-22"),
        ("referral", "2026-06-25"),
    ]
    assert [e.get("round") for e in log(ledger, item) if e["kind"] == "reminder"] == [None, 2]


def test_escalation_never_steps_down(ledger):
    # 五、(四): a yellow instruction misses its 2-weekly report (due Mon 03-16) and climbs to the 警告单; when its
    # deadline (Fri 03-27) then lapses, it continues at the 警告单 instead of a fresh 提醒单
    item = ledger.issue(category="leader_instruction", tier="yellow", issued="2026-03-02", deadline="2026-03-27")
    sweep(ledger, "2026-04-03")
    # report lapse: 提醒单 03-17 (answer 03-19), 提醒单 03-20 (answer Sun 03-22 → 03-23), 警告单 03-24 (up to here);
    # deadline lapse: 警告单 Mon 03-30 (answer Wed 04-01), proposal Thu 04-02
    assert slips(ledger, item) == [
        ("reminder", "2026-03-17"),
        ("reminder", "2026-03-20"),
        ("warning", "2026-03-24"),
        ("warning", "2026-03-30"),
        ("referral", "2026-04-02"),
    ]


def test_the_digest_asks_only_for_reports_not_yet_made(ledger):
    # 三、(一)1(2) 每2周上报: due 03-16 and 03-30; the unit reported on 03-12, so 03-16 is not announced
    item = ledger.issue(category="leader_instruction", tier="yellow", issued="2026-03-02", deadline="2026-04-24")
    ledger("report", item, "--unit", "fgw", "--text", "进展", today="2026-03-12")
    sweep(ledger, "2026-03-30")
    assert [str(e["due"]) for e in log(ledger, item) if e["kind"] == "report_due"] == ["2026-03-30"]


def test_completion_counts_in_the_quarter_the_unit_finished(ledger):
    # 附件1 第五条 1: final report Tue 03-31 (the deadline), accepted Wed 04-01 → a Q1 completion (+2)
    item = ledger.issue(category="leader_instruction", tier="blue", issued="2026-03-02", deadline="2026-03-31")
    ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-03-31")
    ledger("review", item, "accept", today="2026-04-01")
    assert scores(ledger, "Q1", "2026-06-30")["fgw"]["score"] == 82
    assert scores(ledger, "Q2", "2026-06-30")["fgw"]["score"] == 80


def test_exposure_not_thorough_costs_the_co_unit_too(ledger):
    # 附件1 第五条 6 整改不及时、不彻底的主办单位扣 2 分，配合单位扣 1 分
    item = ledger.issue(
        category="media_exposure", tier="yellow", co=["zjj"], issued="2026-03-02", deadline="2026-03-13"
    )
    ledger("report", item, "--unit", "fgw", "--text", "已整改", "--final", today="2026-03-10")
    ledger("review", item, "return", "--reason", "整改不彻底", today="2026-03-11")
    got = scores(ledger, "Q1", "2026-03-12")
    assert (got["fgw"]["score"], got["zjj"]["score"]) == (78, 79)


def test_npc_cppcc_supervised_items_finished_on_time_score(ledger):
    # 附件1 第五条 3 人大、政协……提出需要督办的事项，及时完成并按时上报的主办单位加 2 分，配合单位加 1 分
    item = ledger.issue(
        category="npc_cppcc_supervised", tier="yellow", co=["zjj"], issued="2026-03-02", deadline="2026-03-20"
    )
    ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-03-18")
    ledger("review", item, "accept", today="2026-03-19")
    got = scores(ledger, "Q1", "2026-03-31")
    assert (got["fgw"]["score"], got["zjj"]["score"]) == (82, 81)


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


def test_the_notice_goes_out_within_a_week_of_the_minutes(ledger):
    # 三、(一)3 《会议纪要》印发后，督查办一周内下发督查通知: minutes Mon 03-02 → by Mon 03-09
    ok = ledger(
        "issue",
        "--title",
        "常务会决定",
        "--category",
        "meeting_executive",
        "--tier",
        "yellow",
        "--lead",
        "fgw",
        "--issued",
        "2026-03-09",
        "--minutes-date",
        "2026-03-02",
        today="2026-03-09",
    )
    assert ok.code == 0 and "注意" not in ok.err
    late = ledger(
        "issue",
        "--title",
        "常务会决定",
        "--category",
        "meeting_executive",
        "--tier",
        "yellow",
        "--lead",
        "fgw",
        "--issued",
        "2026-03-10",
        "--minutes-date",
        "2026-03-02",
        today="2026-03-10",
    )
    assert late.code == 0 and "晚于会议纪要印发（2026-03-02）后 7 日" in late.err and "2026-03-09" in late.err
    item = late.out.strip()
    assert any(p["item"] == item and "晚于会议纪要" in p["what"] for p in sweep(ledger, "2026-03-10")["pending"])
    # 15日内通报落实情况, counted from the notice (the pack's anchor): 03-10 + 15 = 03-25
    assert ledger("show", item, "--json", today="2026-03-10").json()["deadline"] == "2026-03-25"
    assert not any(p["item"] == item for p in sweep(ledger, "2026-03-17")["pending"])  # said in the first week


def test_an_item_corrected_to_red_is_urged_every_working_day(ledger):
    # 三、(一)1(1) 一日一督 follows the tier as corrected (duban amend), in the digest and in the quiet days
    item = ledger.issue(category="leader_instruction", tier="yellow", issued="2026-04-01", deadline="2026-06-30")
    assert not any("一日一督" in w for w in pending(ledger, "2026-04-08"))
    assert ledger("amend", item, "--tier", "red", "--reason", "登记有误", today="2026-04-09").code == 0
    assert any("一日一督" in w for w in pending(ledger, "2026-04-09"))
    assert any("一日一督" in w for w in pending(ledger, "2026-04-10"))
