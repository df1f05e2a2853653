"""Issue #5: quarterly unit scores from the pack's scoring table.

The expected scores are worked out by hand from the seed tables:
灞桥 附件1 第五条 (the default pack) and 卓尼 评分细则 (a test pack below).
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from conftest import git

from duban.commands.setup import init_ledger
from duban.core.errors import UsageError
from duban.core.scoring import Period, parse_period


def scores(ledger, period, today, *more):
    res = ledger("score", period, "--json", *more, today=today)
    assert res.code == 0, res.err
    return {u["unit"]: u for u in res.json()["units"]}


def event(ledger, unit, kind, day, *more):
    res = ledger("event", unit, kind, "--date", day, *more, today=day)
    assert res.code == 0, res.err


def final_report(ledger, item, day, accept_on):
    assert ledger("report", item, "--unit", "fgw", "--text", "已办结", "--final", today=day).code == 0
    assert ledger("review", item, "accept", today=accept_on).code == 0


# ------------------------------------------------------------------ 灞桥 附件1


def test_lead_and_co_unit_on_an_item_done_on_time(ledger):
    # 第五条 1: 在规定时限内及时落实……按时上报，主办单位加 2 分，配合单位加 1 分
    item = ledger.issue(issued="2026-04-01", deadline="2026-04-10", co=["zjj"])
    final_report(ledger, item, "2026-04-09", "2026-04-13")
    got = scores(ledger, "Q2", "2026-06-30", "--year", "2026")
    assert (got["fgw"]["score"], got["fgw"]["bonus"], got["fgw"]["penalty"]) == (82, 2, 0)
    assert got["zjj"]["score"] == 81 and got["jyj"]["score"] == 80
    assert got["fgw"]["rank"] == 1 and got["zjj"]["rank"] == 2 and got["jyj"]["rank"] == 3
    assert got["jyj"]["rank"] == got["baqiao-jd"]["rank"]  # equal scores share a rank
    (delta,) = got["fgw"]["deltas"]
    assert delta == {
        "date": "2026-04-09",  # scored when the unit finished: its final report, not the review on 04-13
        "item": item,
        "title": "关于加快XX路改造工程的批示",
        "rule": "instruction-on-time",
        "label": "领导批示按时办结上报",
        "source": "附件1 第五条 1 在规定时限内及时落实……按时上报，主办单位加 2 分，配合单位加 1 分",
        "delta": 2,
        "counted": True,
        "note": None,
    }
    # the same item in another category scores nothing: 第四条 lists only six kinds of work
    other = ledger.issue(category="key_project", issued="2026-04-01", deadline="2026-04-10")
    final_report(ledger, other, "2026-04-09", "2026-04-13")
    assert scores(ledger, "Q2", "2026-06-30")["fgw"]["score"] == 82


def test_late_progress_report_costs_lead_two_and_co_one_once_per_item(ledger):
    # 第五条 1: 未按规定时限上报进展情况的，主办单位扣 2 分，配合单位扣 1 分。
    # Yellow leader instruction: a report every 2 weeks (三、(一)1(2)); issued 04-01, due 04-15, 04-29, 05-13 …
    item = ledger.issue(issued="2026-04-01", deadline="2026-06-30", co=["zjj"])
    ledger("report", item, "--unit", "fgw", "--text", "进展", today="2026-04-30")  # 04-15 and 04-29 missed
    got = scores(ledger, "Q2", "2026-05-08")
    assert got["fgw"]["score"] == 78 and got["zjj"]["score"] == 79
    # 单项不重复计分, 扣分取最高分: the second missed report is shown but not counted
    assert [d["date"] for d in got["fgw"]["deltas"]] == ["2026-04-16"]
    assert [(d["date"], d["note"]) for d in got["fgw"]["not_counted"]] == [("2026-04-30", "单项不重复计分，取最高分")]


def test_overdue_instruction_is_excused_by_a_progress_report_before_the_deadline(ledger):
    # 第五条 1: 对在规定时限内难以办结的事项，及时报告进展情况的不加分也不扣分
    reported = ledger.issue(category="leader_instruction", tier="blue", issued="2026-04-01", deadline="2026-04-10")
    silent = ledger.issue(
        category="leader_instruction", tier="blue", issued="2026-04-01", deadline="2026-04-10", lead="jyj"
    )
    ledger("report", reported, "--unit", "fgw", "--text", "难以按期办结，进展如下", today="2026-04-09")
    got = scores(ledger, "Q2", "2026-04-20")
    assert got["fgw"]["score"] == 80
    assert got["jyj"]["score"] == 78 and got["jyj"]["deltas"][0]["rule"] == "instruction-overdue-silent"
    assert silent


def test_unit_events_praise_criticism_secondments(ledger):
    # 其他事项1: 《督查专报》表扬 主办 +2 / 协办 +1，每次；通报批评 主办 −2 / 协办 −1
    # 其他事项2: 每抽用 1 次加 0.5 分
    item = ledger.issue(category="key_project", issued="2026-04-01", deadline="2026-06-30", co=["zjj"])
    event(ledger, "fgw", "praise", "2026-04-20", "--item", item)
    event(ledger, "zjj", "praise", "2026-04-20", "--item", item)
    event(ledger, "fgw", "praise", "2026-05-20", "--item", item)  # 每次: both count
    event(ledger, "jyj", "criticism", "2026-05-06")
    event(ledger, "zjj", "criticism", "2026-05-07", "--item", item)
    for day in ("2026-04-07", "2026-05-12", "2026-06-09"):
        event(ledger, "baqiao-jd", "secondment", day)
    got = scores(ledger, "Q2", "2026-06-15")
    assert got["fgw"]["score"] == 84
    assert got["zjj"]["score"] == 80  # +1 −1
    assert got["jyj"]["score"] == 78
    assert got["baqiao-jd"]["score"] == 81.5 and got["baqiao-jd"]["bonus"] == 1.5
    assert got["fgw"]["rank"] == 1 and got["baqiao-jd"]["rank"] == 2


def test_total_is_capped_at_100(ledger):
    # 第五条: 最高得分为 100 分
    for day in range(1, 12):
        event(ledger, "fgw", "praise", f"2026-04-{day:02d}")
    got = scores(ledger, "Q2", "2026-06-30")["fgw"]
    assert got["bonus"] == 22 and got["score"] == 100
    assert got["cuts"] == [
        "合计 102 超过最高分 100，按 100 计（附件1 第五条 基础分为 80 分……加分、扣分均取最高分；"
        "单项不重复计分，最高得分为 100 分）"
    ]
    text = ledger("score", "Q2", "--explain", "fgw", today="2026-06-30").out
    assert "合计 102 超过最高分 100" in text and "得分 100" in text


def test_two_non_cooperation_events_zero_the_year(ledger):
    # 其他事项3: 每发现一例扣 2 分，两次以上本年度督查工作评分为 0
    event(ledger, "jyj", "non_cooperation", "2026-02-10")
    assert scores(ledger, "Q1", "2026-03-31")["jyj"]["score"] == 78
    event(ledger, "jyj", "non_cooperation", "2026-05-10")
    event(ledger, "jyj", "praise", "2026-08-10")
    assert scores(ledger, "Q1", "2026-12-31")["jyj"]["score"] == 78  # before the second event
    for period in ("Q2", "Q3", "2026"):
        got = scores(ledger, period, "2026-12-31")["jyj"]
        assert got["score"] == 0 and "本年度评分为 0" in got["flags"], period
        assert got["rank"] == 4
    assert scores(ledger, "2026", "2026-12-31")["jyj"]["cuts"][0].startswith(
        "2026-05-10 起本年度评分为 0（non-cooperation-zero"
    )


def test_leader_criticism_costs_ten_and_the_years_excellence(ledger):
    # 其他事项4: 每次扣 10 分，并交区考核办取消年度评优资格
    event(ledger, "zjj", "leader_criticism", "2026-05-15", "--note", "区长在常务会上点名批评")
    q2 = scores(ledger, "Q2", "2026-12-31")["zjj"]
    assert q2["score"] == 70 and q2["flags"] == ["取消年度评优资格"]
    q3 = scores(ledger, "Q3", "2026-12-31")["zjj"]
    assert q3["score"] == 80 and q3["flags"] == ["取消年度评优资格"]  # the flag holds for the year
    assert scores(ledger, "Q1", "2026-12-31")["zjj"]["flags"] == []


def test_quarter_boundaries(ledger):
    event(ledger, "fgw", "praise", "2026-06-30")
    event(ledger, "zjj", "praise", "2026-07-01")
    q2, q3 = scores(ledger, "Q2", "2026-09-30"), scores(ledger, "Q3", "2026-09-30")
    assert (q2["fgw"]["score"], q2["zjj"]["score"]) == (82, 80)
    assert (q3["fgw"]["score"], q3["zjj"]["score"]) == (80, 82)
    # a partial quarter counts up to today only
    assert scores(ledger, "Q3", "2026-06-30")["zjj"]["score"] == 80


def test_period_parsing():
    today = date(2026, 5, 20)
    assert parse_period("Q2", None, today) == Period(2026, 2)
    assert parse_period("Q1", 2025, today) == Period(2025, 1)
    assert parse_period("2025Q4", None, today) == Period(2025, 4)
    assert parse_period("2026-q3", None, today) == Period(2026, 3)
    assert parse_period("2026", None, today) == Period(2026)
    assert parse_period(None, None, today) == Period(2026, 2)
    assert parse_period(None, None, today, "year") == Period(2026)
    assert (Period(2026, 2).start, Period(2026, 2).end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert (Period(2026, 4).end, Period(2026).label) == (date(2026, 12, 31), "2026年度")
    for bad in ("Q5", "2026Q", "第二季度"):
        with pytest.raises(UsageError):
            parse_period(bad, None, today)
    with pytest.raises(UsageError):
        parse_period("2025Q1", 2026, today)


def test_bad_period_is_a_usage_error(ledger):
    res = ledger("score", "Q7", today="2026-05-01")
    assert res.code == 2 and "Q1…Q4" in res.err


# ------------------------------------------------------------------ 卓尼 评分细则 (a test pack)

ZHUONI_SCORING = """\
source: 卓尼 附件1 一、考核方法 基础分 80 分，动态加分不超过 20 分，动态减分不超过 20 分
base: 80
caps: {bonus: 20, penalty: 20}
rules:
  - id: commendation
    when: {event: commendation}
    delta: {national: 4, province: 3, prefecture: 2, county: 1}
    source: 二、1 表彰加分 国家级、省级、州级、县级分别加 4、3、2、1 分
  - id: overdue
    when: overdue
    category: key_project
    role: lead
    delta: {red: -5, yellow: -3, blue: -2}
    source: 三、2 超期减分 特别重要、比较重要、一般重要每次分别减 5、3、2 分
  - id: poor-quality
    when: returned
    delta: {red: -5, yellow: -3, blue: -2}
    source: 三、3 质量减分
  - id: false-report
    when: {event: false_report}
    delta: {red: -5, yellow: -3, blue: -2}
    source: 三、4 问题减分
  - id: late-per-day
    when: overdue
    category: other
    per: day
    role: lead
    delta: -1
    source: 评分标准 迟报一天扣一分
"""


@pytest.fixture
def zhuoni(ledger):
    (ledger.root / "rules" / "scoring.yaml").write_text(ZHUONI_SCORING, encoding="utf-8")
    proc = ledger.root / "rules" / "process.yaml"
    proc.write_text(
        proc.read_text(encoding="utf-8") + "  commendation: {label: 上级督查部门综合性表彰}\n"
        "  false_report: {label: 谎报瞒报}\n",
        encoding="utf-8",
    )
    git(ledger.root, "commit", "-qam", "卓尼 scoring")
    return ledger


def test_zhuoni_lapses_by_tier(zhuoni):
    # 超期减分: 红 −5 / 黄 −3 / 蓝 −2, each time, for the lead (承接单位)
    for tier, lead in (("red", "fgw"), ("yellow", "zjj"), ("blue", "jyj")):
        zhuoni.issue(
            category="key_project", tier=tier, lead=lead, co=["baqiao-jd"], issued="2026-04-01", deadline="2026-04-10"
        )
    got = scores(zhuoni, "Q2", "2026-04-20")
    assert [got[u]["score"] for u in ("fgw", "zjj", "jyj", "baqiao-jd")] == [75, 77, 78, 80]


def test_zhuoni_commendation_by_level_and_the_bonus_cap(zhuoni):
    event(zhuoni, "fgw", "commendation", "2026-04-08", "--level", "province")
    assert scores(zhuoni, "Q2", "2026-04-30")["fgw"]["score"] == 83
    for day in ("2026-04-09", "2026-04-10", "2026-04-13", "2026-04-14", "2026-04-15"):
        event(zhuoni, "fgw", "commendation", day, "--level", "national")
    got = scores(zhuoni, "Q2", "2026-04-30")["fgw"]
    assert (got["bonus"], got["score"]) == (20, 100)
    assert got["cuts"][0].startswith("加分 23 超过上限 20，按 20 计")
    # the pack scores this event by level: recording it without one is refused
    res = zhuoni("event", "fgw", "commendation", today="2026-04-30")
    assert res.code == 1 and "--level" in res.err


def test_zhuoni_penalty_cap_and_tiered_quality_and_false_reports(zhuoni):
    for _ in range(5):
        zhuoni.issue(category="key_project", tier="red", issued="2026-04-01", deadline="2026-04-10")
    got = scores(zhuoni, "Q2", "2026-04-20")["fgw"]
    assert (got["penalty"], got["score"]) == (20, 60) and len(got["deltas"]) == 5
    assert got["cuts"] == [
        "减分 25 超过上限 20，按 20 计（卓尼 附件1 一、考核方法 基础分 80 分，动态加分不超过 20 分，"
        "动态减分不超过 20 分）"
    ]
    item = zhuoni.issue(
        category="leader_instruction", tier="yellow", lead="zjj", issued="2026-04-01", deadline="2026-04-30"
    )
    zhuoni("report", item, "--unit", "zjj", "--text", "已完成", "--final", today="2026-04-10")
    assert zhuoni("review", item, "return", "--reason", "答非所问", today="2026-04-13").code == 0
    event(zhuoni, "zjj", "false_report", "2026-04-14", "--item", item)
    got = scores(zhuoni, "Q2", "2026-04-20")["zjj"]
    assert [(d["rule"], d["delta"]) for d in got["deltas"]] == [("poor-quality", -3), ("false-report", -3)]


def test_zhuoni_one_point_per_day_late_split_by_quarter(zhuoni):
    # 迟报一天扣一分: deadline Friday 05-08, final report Monday 05-11 → 3 days late (05-09, 05-10, 05-11)
    item = zhuoni.issue(category="other", tier="blue", issued="2026-04-20", deadline="2026-05-08")
    zhuoni("report", item, "--unit", "fgw", "--text", "已完成", "--final", today="2026-05-11")
    got = scores(zhuoni, "Q2", "2026-06-30")["fgw"]
    assert got["score"] == 77 and got["deltas"][0]["note"] == "逾期 3 天（2026-05-09～2026-05-11）"
    # across a quarter end: deadline 06-29, report 07-02 → one day in Q2 (06-30), two in Q3
    late = zhuoni.issue(category="other", tier="blue", lead="jyj", issued="2026-06-01", deadline="2026-06-29")
    zhuoni("report", late, "--unit", "jyj", "--text", "已完成", "--final", today="2026-07-02")
    assert scores(zhuoni, "Q2", "2026-09-30")["jyj"]["score"] == 79
    assert scores(zhuoni, "Q3", "2026-09-30")["jyj"]["score"] == 78
    # still late and unreported: counted up to today
    open_ = zhuoni.issue(category="other", tier="blue", lead="zjj", issued="2026-06-01", deadline="2026-06-29")
    assert open_ and scores(zhuoni, "Q3", "2026-07-05")["zjj"]["score"] == 75


# ------------------------------------------------------------------ explain, JSON, CSV, xlsx


def test_every_delta_on_the_sample_names_its_clause_and_exports_match(tmp_path):
    from conftest import Ledger
    from openpyxl import load_workbook

    sample = Ledger(init_ledger(tmp_path / "s", sample=True, pack=None))
    csv_path, xlsx_path = tmp_path / "得分.csv", tmp_path / "得分.xlsx"
    res = sample("score", "2026", "--json", "--csv", str(csv_path), "--xlsx", str(xlsx_path), today="2026-11-20")
    assert res.code == 0, res.err
    data = res.json()
    units = data["units"]
    assert data["period"]["label"] == "2026年度" and len(units) == 21
    deltas = [d for u in units for d in u["deltas"] + u["not_counted"]]
    assert len(deltas) > 5 and all(d["source"].startswith("附件1 第五条") for d in deltas)
    for u in units:
        assert u["score"] == u["base"] + u["bonus"] - u["penalty"]
        assert u["bonus"] - u["penalty"] == sum(d["delta"] for d in u["deltas"])
    assert [u["score"] for u in units] == sorted((u["score"] for u in units), reverse=True)
    table = [
        (u["rank"], u["unit"], u["name"], u["base"], u["bonus"], u["penalty"], u["score"], "、".join(u["flags"]))
        for u in units
    ]
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["排名", "单位代号", "单位", "基础分", "加分", "减分", "得分", "标记"]
    assert rows[1:] == [[str(v) for v in row] for row in table]
    wb = load_workbook(xlsx_path)
    sheet = wb["得分"]
    assert sheet["A1"].value == "2026年度督查工作考核得分"
    got = [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert got == table  # under the title, the note and the two-level header
    detail = list(wb["加减分明细"].iter_rows(min_row=4, values_only=True))
    assert len(detail) == len(deltas)
    # the terminal table carries the same numbers
    text = sample("score", "2026", today="2026-11-20").out
    top = units[0]
    assert top["name"] in text and f"{top['score']}" in text
    explain = sample("score", "2026", "--explain", top["unit"], today="2026-11-20").out
    assert all(d["source"] in explain.replace("\n", "") for d in top["deltas"])


def test_scoring_rules_are_validated_with_lines(ledger):
    (ledger.root / "rules" / "scoring.yaml").write_text(
        "base: 80\nrules:\n  - id: a\n    when: finished\n    delta: 1\n    source: x\n"
        "  - id: b\n    when: {event: gossip}\n    delta: 1\n    source: x\n"
        "  - id: c\n    when: done_on_time\n    delta: {lead: 2, red: 1}\n    source: x\n"
        "  - id: d\n    when: done_on_time\n    per: day\n    delta: 1\n    source: x\n",
        encoding="utf-8",
    )
    res = ledger("check", "--json", today="2026-04-01")
    assert res.code == 1
    got = [(p["line"], p["message"][:12]) for p in res.json() if p["path"] == "rules/scoring.yaml"]
    assert [line for line, _ in got] == [4, 8, 13, 17]
    assert "when 只能是" in got[0][1]


def test_score_without_a_scoring_table_says_so(ledger):
    (ledger.root / "rules" / "scoring.yaml").unlink()
    res = ledger("score", "Q2", today="2026-05-01")
    assert res.code == 1 and "scoring.yaml" in res.err


# ------------------------------------------------------------------ slips, late completion, consequences


def test_slips_late_completion_and_consequence_flags(ledger):
    # a test pack: 渭南 十六(二) 一年内通报批评两次 → 约谈、取消评先树优资格 (a consequence, flagged for the year);
    # a warning slip −1 and a late completion −1 (the kind of rule an office adds to its own table)
    proc = ledger.root / "rules" / "process.yaml"
    proc.write_text(
        proc.read_text(encoding="utf-8").replace(
            "consequences: []\n",
            "consequences:\n  - {id: interview, count: unit_event, event: criticism, at: 2, action: 约谈, source: 渭南 十六(二)}\n",
        ),
        encoding="utf-8",
    )
    (ledger.root / "rules" / "scoring.yaml").write_text(
        "base: 80\nrules:\n"
        "  - {id: warned, when: {slip: warning}, delta: -1, source: 测试 1}\n"
        "  - {id: late, when: done_late, delta: {lead: -1}, source: 测试 2}\n"
        "  - {id: talk, when: {consequence: interview}, flag: 约谈并取消年度评先树优资格, lasts: year, source: 渭南 十六(二)}\n",
        encoding="utf-8",
    )
    git(ledger.root, "commit", "-qam", "test pack")
    item = ledger.issue(category="other", issued="2026-04-01", deadline="2026-04-02", co=["zjj"])  # Thursday
    # 提醒单 04-03 (answer 04-05 → 清明 → 04-07), again 04-08 (answer 04-10); the 警告单 on Mon 04-13 (the unit's
    # final report comes that day, after the morning sweep, which the catch-up sweep of 08-07 writes)
    assert ledger("sweep", today="2026-04-10").code == 0
    final_report(ledger, item, "2026-04-13", "2026-04-14")
    event(ledger, "jyj", "criticism", "2026-05-06")
    event(ledger, "jyj", "criticism", "2026-08-06")
    assert ledger("sweep", today="2026-08-07").code == 0
    q2 = scores(ledger, "Q2", "2026-12-31")
    assert [(d["rule"], d["delta"]) for d in q2["fgw"]["deltas"]] == [("late", -1), ("warned", -1)]  # both 04-13
    assert q2["zjj"]["score"] == 80  # the slip went to the lead; late completion scores the lead only
    assert q2["jyj"]["flags"] == [] and scores(ledger, "Q3", "2026-12-31")["jyj"]["flags"] == [
        "约谈并取消年度评先树优资格"
    ]
    assert scores(ledger, "Q4", "2026-12-31")["jyj"]["flags"] == ["约谈并取消年度评先树优资格"]
