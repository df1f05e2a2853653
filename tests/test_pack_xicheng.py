"""Pack xicheng-2016 (seed 002, 西政发〔2016〕3号)."""

from __future__ import annotations

from datetime import date

from docx import Document
from packtools import deadline, log, slips, sweep

LEDGER_PACK = NAME = "xicheng-2016"


def test_media_exposure_within_seven_days():
    # 第十二条(四) 新闻媒体曝光事项应在7日内办结 (calendar days, rolled past a holiday)
    assert deadline(NAME, "media_exposure", "yellow", date(2026, 3, 2)) == date(2026, 3, 9)
    assert deadline(NAME, "media_exposure", "yellow", date(2026, 9, 24)) == date(2026, 10, 8)  # 10-01 → 国庆 → 10-08


def test_weekly_or_monthly_reports_are_the_clerks_choice(ledger):
    # 第十二条(四) 正常办理需较长时间的事项，承办单位以周报、月报等方式定期报送: chosen at registration, none by default
    plain = ledger.issue(category="key_project", tier="yellow", issued="2026-03-02", deadline="2026-06-30")
    assert ledger("show", plain, "--json", today="2026-05-31").json()["periodic_reports"] == []
    monthly = ledger.issue(
        category="key_project", tier="yellow", issued="2026-03-02", deadline="2026-06-30", cadence="monthly"
    )
    dues = ledger("show", monthly, "--json", today="2026-05-31").json()["periodic_reports"]
    assert [p["due"] for p in dues] == ["2026-04-02", "2026-05-06"]  # 05-02 falls in 劳动节 → 05-06
    weekly = ledger.issue(
        category="leader_instruction", tier="red", issued="2026-03-02", deadline="2026-03-31", cadence="weekly"
    )
    dues = ledger("show", weekly, "--json", today="2026-03-17").json()["periodic_reports"]
    assert [p["due"] for p in dues] == ["2026-03-09", "2026-03-16"]
    bad = ledger(
        "issue",
        "--title",
        "t",
        "--category",
        "media_exposure",
        "--tier",
        "red",
        "--lead",
        "fgw",
        "--cadence",
        "weekly",
        today="2026-03-02",
    )
    assert bad.code == 1 and "没有可选的定期报送" in bad.err
    assert (
        ledger(
            "issue",
            "--title",
            "t",
            "--category",
            "other",
            "--tier",
            "red",
            "--lead",
            "fgw",
            "--deadline",
            "2026-03-31",
            "--cadence",
            "daily",
            today="2026-03-02",
        ).code
        == 1
    )


def test_notice_urge_return_and_forward_forms(ledger):
    # 第十一条(一)(三): 《督查通知单》交办; 逾期 → 《督查催办单》; 不符合要求 → 《督查退办单》
    item = ledger.issue(category="other", tier="yellow", co=["zjj"], issued="2026-03-02", deadline="2026-03-13")
    sweep(ledger, "2026-03-16")
    assert slips(ledger, item) == [("urge", "2026-03-16")]
    res = ledger("render", "urge", item, today="2026-03-16")
    assert res.code == 0 and "督查催办单" in Document(res.out.strip()).paragraphs[0].text
    # co-units report to the lead (第十二条(四)); only the lead sends the final report
    assert ledger("report", item, "--unit", "zjj", "--text", "配合意见", "--final", today="2026-03-17").code == 1
    assert ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today="2026-03-17").code == 0
    assert ledger("review", item, "return", "--reason", "数据不准确", today="2026-03-18").code == 0
    assert log(ledger, item)[-1]["due"].isoformat() == "2026-03-25"  # 5 working days (the pack's reading)
    assert ledger("render", "return", item, today="2026-03-18").code == 0
    # 第十二条(一) 转阅（办）事项: 《领导批示转阅（办）单》, no report expected, never late
    fwd = ledger.issue(
        title="转阅：市政府关于冬季供暖的通知",
        category="leader_instruction",
        lead="jyj",
        issued="2026-03-02",
        deadline=None,
        forward=True,
    )
    sweep(ledger, "2026-04-30")
    assert slips(ledger, fwd) == []
    assert ledger("render", "forward", fwd, today="2026-04-30").code == 0


def test_extension_at_least_three_working_days_before_the_deadline(ledger):
    # 第十二条(四) 在办理时限前3个工作日书面提出延期申请: deadline Friday 03-13 → last day Tuesday 03-10
    item = ledger.issue(category="other", issued="2026-03-02", deadline="2026-03-13")
    args = ("extend", item, "--to", "2026-03-31", "--reason", "需市级审批", "--approved-by", "分管副区长")
    assert ledger(*args, "--requested", "2026-03-11", today="2026-03-11").code == 1
    assert ledger(*args, "--requested", "2026-03-10", today="2026-03-11").code == 0


def test_adjusting_a_task_gives_it_a_new_deadline(ledger):
    # 第十一条(四) 调整或置换: 经区政府批准后，按置换后的项目进行督查落实
    item = ledger.issue(category="key_project", issued="2026-03-02", deadline="2026-06-30")
    res = ledger(
        "instruct", item, "--text", "经区政府批准，置换为XX街区改造项目", "--deadline", "2026-11-30", today="2026-05-10"
    )
    assert res.code == 0
    assert ledger("show", item, "--json", today="2026-07-15").json()["deadline"] == "2026-11-30"


def test_quarterly_summary_counts_urging_and_returns_without_points(ledger):
    # 第十二条(四) 催办、退办情况均纳入年底绩效考核 (no points in the document: counts); 第十五条 屡次迟报 → 通报
    a = ledger.issue(category="other", issued="2026-04-01", deadline="2026-04-10")
    b = ledger.issue(category="other", issued="2026-04-01", deadline="2026-04-17")
    sweep(ledger, "2026-04-24")
    # a: lapse Fri 04-10 → 催办单 Mon 04-13 (answer Thu 04-16), second 催办单 Fri 04-17;
    # b: lapse Fri 04-17 → 催办单 Mon 04-20 (answer 04-23), second Fri 04-24: four 催办单, fgw late twice
    assert len(slips(ledger, a)) == len(slips(ledger, b)) == 2
    ledger("report", a, "--unit", "fgw", "--text", "已办结", "--final", today="2026-04-24")
    ledger("review", a, "return", "--reason", "结果不实", today="2026-04-27")
    got = ledger("score", "Q2", "--json", today="2026-06-30").json()["units"]
    fgw = next(u for u in got if u["unit"] == "fgw")
    assert fgw["tallies"] == {"被催办": 4, "被退办": 1} and fgw["score"] == 0
    assert fgw["flags"] == ["屡次迟报（季度汇总中通报）", "被催办 4 次", "被退办 1 次"]
    assert "被催办 4 次" in ledger("score", "Q2", today="2026-06-30").out
    res = ledger("render", "bulletin", "Q2", today="2026-06-30")
    assert res.code == 0, res.err


def text_of(path):
    doc = Document(path)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_second_step_is_another_urge_slip_never_a_warning(ledger):
    # 第十二条(四) 制发《督查催办单》进行催办: the document has no 警告单; the second step is a second 催办单,
    # numbered in the same series
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-13")
    sweep(ledger, "2026-03-20")
    # lapse Fri 03-13 → 催办单 Mon 03-16, answer 3 working days → Thu 03-19 → second 催办单 Fri 03-20
    assert slips(ledger, item) == [("urge", "2026-03-16"), ("warning", "2026-03-20")]
    assert [e["number"] for e in log(ledger, item) if e["kind"] in ("urge", "warning")] == ["2026-1", "2026-2"]
    res = ledger("render", "warning", item, today="2026-03-20")
    assert res.code == 0 and res.out.strip().endswith("督查催办单-2026-2.docx")
    text = text_of(res.out.strip())
    assert "督查催办单" in text and "警告" not in text


def test_the_notice_says_co_units_report_through_the_lead(ledger):
    # 第十二条(四) 协办单位在办理时限内提前将相关办理情况或意见函告主办单位……一般不单独报送办理报告
    ledger.issue(category="other", tier="yellow", co=["zjj"], issued="2026-03-02", deadline="2026-03-13")
    notice = next((ledger.root / "out").rglob("*督查通知单.docx"))
    text = text_of(notice)
    assert "函告主办单位" in text and "督查催办单" in text


def test_units_named_in_the_quarterly_summary_are_recorded(ledger):
    # 第十五条 对督查事项屡次迟报的单位，将视情况予以通报: a unit event, kept for the year-end assessment
    res = ledger("event", "fgw", "criticism", "--date", "2026-06-30", "--note", "二季度屡次迟报", today="2026-06-30")
    assert res.code == 0, res.err
    assert "屡次迟报" in ledger("rules", today="2026-06-30").out
