"""Issue #15: recording the real world — effective dates, voided slips, amendments, withdrawals.

Dates worked by hand on the 2026 calendar, default pack (灞桥): 11-11 is a Wednesday, 11-14/15 a weekend.
A deadline of 11-11 lapses at its close; the 工作提醒单 comes on the next working day (Thu 11-12) with a
2-day answer window (11-14, a Saturday → Mon 11-16); the 警告单 the working day after (Tue 11-17).
"""

from __future__ import annotations

from datetime import date

import yaml
from conftest import git

SLIPS = ("reminder", "urge", "warning", "referral")


def log(ledger, item_id):
    return yaml.safe_load(ledger.path(item_id).read_text(encoding="utf-8"))["log"]


def sweep(ledger, day):
    res = ledger("sweep", "--json", today=day)
    assert res.code == 0, res.err
    return res.json()


def ok(ledger, *args, today):
    res = ledger(*args, today=today)
    assert res.code == 0, res.err
    return res.out


def scores(ledger, period, today):
    res = ledger("score", period, "--json", today=today)
    assert res.code == 0, res.err
    return {u["unit"]: u for u in res.json()["units"]}


def late_item(ledger, **more):
    """Issued 11-02, due 11-11; swept every working day from 11-12 to 11-16: one 工作提醒单, 2026-1."""
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-11", **more)
    for day in ("2026-11-12", "2026-11-13", "2026-11-16"):
        sweep(ledger, day)
    assert [(e["kind"], str(e["date"]), e["number"]) for e in log(ledger, item) if e["kind"] in SLIPS] == [
        ("reminder", "2026-11-12", "2026-1")
    ]
    return item


def test_on_time_final_report_typed_after_three_sweeps_voids_the_reminder(ledger):
    item = late_item(ledger, co=["zjj"])
    assert ledger("show", item, "--json", today="2026-11-16").json()["overdue"]
    out = ok(
        ledger,
        "report",
        item,
        "--unit",
        "fgw",
        "--final",
        "--text",
        "已办结",
        "--date",
        "2026-11-11",
        today="2026-11-16",
    )
    assert "已作废 工作提醒单 2026-1" in out
    entries = log(ledger, item)
    # appended in recorded order: the report after the reminder, with the day it was typed; the reminder kept
    report, void = entries[-2:]
    assert report["kind"] == "report" and report["date"] == date(2026, 11, 11)
    assert report["recorded"] == date(2026, 11, 16)
    assert void["kind"] == "void" and void["of"] == "reminder" and void["number"] == "2026-1"
    assert void["date"] == date(2026, 11, 16) and void["lapse"] == "deadline:2026-11-11" and void["reason"]
    assert any(e["kind"] == "reminder" and e["number"] == "2026-1" for e in entries)
    assert "作废 工作提醒单 2026-1" in ledger.commits()[0]
    view = ledger("show", item, "--json", today="2026-11-16").json()
    assert view["status"] == "reported" and not view["overdue"]
    assert [e["void"] for e in view["log"] if e["kind"] == "reminder"] == [True]
    assert "已作废" in ledger("show", item, today="2026-11-16").out
    # the second sweep of the day writes nothing; its digest asks the clerk to recall the paper slip
    again = sweep(ledger, "2026-11-16")
    assert again["actions"] == [] and again["commit"] is None
    assert any("作废" in p["what"] and "2026-1" in p["what"] for p in again["pending"])
    assert "2026-1" in (ledger.root / "out/sweep/2026-11-16.md").read_text(encoding="utf-8")
    # nothing climbs on: no 警告单 on 11-17, and the number 2026-1 is never given again
    assert sweep(ledger, "2026-11-17")["actions"] == []
    ok(ledger, "review", item, "accept", today="2026-11-17")
    got = scores(ledger, "Q4", "2026-12-31")
    assert got["fgw"]["score"] == 82 and got["fgw"]["penalty"] == 0  # +2 on time, not −2
    assert got["zjj"]["score"] == 81
    other = ledger.issue(issued="2026-11-02", deadline="2026-11-16")
    sweep(ledger, "2026-11-17")
    assert [e["number"] for e in log(ledger, other) if e["kind"] == "reminder"] == ["2026-2"]


def test_a_report_that_really_was_late_voids_nothing(ledger):
    item = late_item(ledger)
    out = ok(
        ledger,
        "report",
        item,
        "--unit",
        "fgw",
        "--final",
        "--text",
        "已办结",
        "--date",
        "2026-11-13",
        today="2026-11-16",
    )
    assert "作废" not in out
    assert not [e for e in log(ledger, item) if e["kind"] == "void"]
    assert not ledger("show", item, "--json", today="2026-11-16").json()["overdue"]


def test_a_report_between_the_reminder_and_its_answer_window_voids_only_the_later_steps(ledger):
    item = late_item(ledger)
    sweep(ledger, "2026-11-17")
    # 灞桥 五、(四)2 多次催办: a second 提醒单 (2026-2) before the 警告单
    assert [e["kind"] for e in log(ledger, item) if e["kind"] in SLIPS] == ["reminder", "reminder"]
    # received on Monday 11-16 (the last day of the reminder's answer window), typed on Wednesday
    out = ok(
        ledger,
        "report",
        item,
        "--unit",
        "fgw",
        "--final",
        "--text",
        "已办结",
        "--date",
        "2026-11-16",
        today="2026-11-18",
    )
    assert "工作提醒单 2026-2" in out and "2026-1" not in out
    voids = [e for e in log(ledger, item) if e["kind"] == "void"]
    assert [(v["of"], v["number"], v["round"]) for v in voids] == [("reminder", "2026-2", 2)]
    assert sweep(ledger, "2026-11-20")["actions"] == []


def test_back_dating_before_registration_or_into_the_future_is_refused(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-11")
    before = ledger.head()
    res = ledger("report", item, "--unit", "fgw", "--text", "进展", "--date", "2026-11-01", today="2026-11-05")
    assert res.code == 1 and "早于该事项的立项日期 2026-11-02" in res.err
    res = ledger("report", item, "--unit", "fgw", "--text", "进展", "--date", "2026-11-06", today="2026-11-05")
    assert res.code == 1 and "晚于今天" in res.err
    res = ledger("review", item, "accept", "--date", "2026-11-04", today="2026-11-05")
    assert res.code == 1 and "2026-11-04" in res.err  # nothing to accept on that day
    assert ledger.head() == before and ledger.clean()


def test_a_back_dated_record_that_would_undo_a_later_one_is_refused(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-20")
    ok(ledger, "report", item, "--unit", "fgw", "--final", "--text", "已办结", today="2026-11-10")
    ok(ledger, "review", item, "accept", today="2026-11-11")
    before = ledger.head()
    # a 退回 on the day of issue (within its time limit) would make the final report of 11-10 impossible
    res = ledger(
        "transfer-back", item, "--unit", "fgw", "--reason", "不属本单位职责", "--date", "2026-11-02", today="2026-11-12"
    )
    assert res.code == 1 and "不再成立" in res.err
    assert ledger.head() == before


def test_back_dated_extension_approved_before_the_deadline_voids_the_reminder(ledger):
    item = late_item(ledger)
    out = ok(
        ledger,
        "extend",
        item,
        "--to",
        "2026-11-30",
        "--reason",
        "需协调",
        "--approved-by",
        "分管副区长",
        "--date",
        "2026-11-10",
        today="2026-11-16",
    )
    assert "已作废 工作提醒单 2026-1" in out
    view = ledger("show", item, "--json", today="2026-11-16").json()
    assert view["deadline"] == "2026-11-30" and not view["overdue"]


def test_verify_check_and_history_after_back_dating(ledger):
    item = late_item(ledger)
    ok(
        ledger,
        "report",
        item,
        "--unit",
        "fgw",
        "--final",
        "--text",
        "已办结",
        "--date",
        "2026-11-11",
        today="2026-11-16",
    )
    assert ledger("check", today="2026-11-16").code == 0
    # the history is append-only: every commit only added lines to the item file
    for sha in git(ledger.root, "log", "--format=%H", "--", str(ledger.path(item))).split():
        diff = git(ledger.root, "show", "--format=", "--unified=0", sha, "--", str(ledger.path(item)))
        assert not [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]


# ------------------------------------------------------------------ co-units


def test_a_co_unit_that_reported_in_time_is_not_silent(ledger):
    # 附件1 第五条 1: 期限内未报告进展 costs the lead 2 and the co-unit 1 — each for its own silence
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-11", co=["zjj", "jyj"])
    ok(ledger, "report", item, "--unit", "zjj", "--text", "配合单位进展", today="2026-11-09")
    got = scores(ledger, "Q4", "2026-11-20")
    assert got["fgw"]["score"] == 78  # the lead said nothing
    assert got["zjj"]["score"] == 80  # reported before the deadline
    assert got["jyj"]["score"] == 79  # said nothing either


# ---------------------------------------------------------- amend, withdraw


def test_amend_records_old_and_new_values_from_its_effective_date(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-20", leader="张副区长")
    assert ledger("show", item, "--json", today="2026-11-03").json()["leader"] == "张副区长"
    out = ok(
        ledger,
        "amend",
        item,
        "--title",
        "关于加快YY路改造工程的批示",
        "--tier",
        "red",
        "--co",
        "zjj",
        "--leader",
        "李副区长",
        "--reason",
        "登记有误",
        "--date",
        "2026-11-04",
        today="2026-11-05",
    )
    assert "李副区长" in out
    amendment = log(ledger, item)[-1]
    assert amendment["kind"] == "amendment" and amendment["reason"] == "登记有误"
    assert amendment["changes"]["tier"] == {"old": "yellow", "new": "red"}
    assert amendment["changes"]["co"] == {"old": [], "new": ["zjj"]}
    assert amendment["changes"]["leader"] == {"old": "张副区长", "new": "李副区长"}
    # the file's registered fields stay as they were
    assert yaml.safe_load(ledger.path(item).read_text(encoding="utf-8"))["tier"] == "yellow"
    view = ledger("show", item, "--json", today="2026-11-05").json()
    assert (view["title"], view["tier"], view["co"], view["leader"]) == (
        "关于加快YY路改造工程的批示",
        "red",
        ["zjj"],
        "李副区长",
    )
    listed = ledger("list", "--json", today="2026-11-05").json()
    assert [(r["id"], r["tier"], r["leader"]) for r in listed] == [(item, "red", "李副区长")]
    assert [r["id"] for r in ledger("list", "--leader", "李副区长", "--json", today="2026-11-05").json()] == [item]
    assert ledger("list", "--leader", "张副区长", "--json", today="2026-11-05").json() == []
    assert [r["id"] for r in ledger("list", "--tier", "red", "--json", today="2026-11-05").json()] == [item]
    # zjj is a co-unit from 11-04 on: it may report
    ok(ledger, "report", item, "--unit", "zjj", "--text", "进展", today="2026-11-05")
    assert ledger("check", today="2026-11-05").code == 0


def test_amend_refusals(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-20")
    before = ledger.head()
    for args, word in [
        (["--tier", "purple"], "未知的等级"),
        (["--category", "nope"], "未知的类别"),
        (["--co", "nobody"], "未知的单位"),
        (["--co", "fgw"], "协办单位不能与主办单位相同"),
        (["--title", " "], "标题不能为空"),
        (["--tier", "yellow"], "没有要更正的"),
    ]:
        res = ledger("amend", item, *args, "--reason", "更正", today="2026-11-05")
        assert res.code == 1 and word in res.err, (args, res.err)
    res = ledger("amend", item, "--tier", "red", "--reason", " ", today="2026-11-05")
    assert res.code == 1 and "理由" in res.err
    assert ledger.head() == before and ledger.clean()


def test_a_withdrawn_item_leaves_lists_sweeps_and_scores_and_its_id_is_never_reused(ledger):
    wrong = ledger.issue(issued="2026-11-02", deadline="2026-11-05", lead="jyj")
    ok(ledger, "withdraw", wrong, "--reason", "重复立项", today="2026-11-03")
    assert ledger.path(wrong).is_file()
    assert log(ledger, wrong)[-1]["kind"] == "withdrawal"
    assert ledger("list", "--json", today="2026-11-10").json() == []
    assert [r["id"] for r in ledger("list", "--status", "withdrawn", "--json", today="2026-11-10").json()] == [wrong]
    assert sweep(ledger, "2026-11-10")["actions"] == []
    assert scores(ledger, "Q4", "2026-11-30")["jyj"]["score"] == 80
    res = ledger("report", wrong, "--unit", "jyj", "--text", "进展", today="2026-11-10")
    assert res.code == 1 and "撤销立项" in res.err
    res = ledger("withdraw", wrong, "--reason", "再撤一次", today="2026-11-10")
    assert res.code == 1
    assert ledger("withdraw", wrong, "--reason", "", today="2026-11-10").code == 1
    assert ledger.issue(issued="2026-11-10", deadline="2026-11-20") != wrong
    assert ledger("check", today="2026-11-10").code == 0


def test_reassign_in_any_active_status(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-20", co=["zjj"])
    ok(
        ledger,
        "reassign",
        item,
        "--lead",
        "jyj",
        "--reason",
        "职责调整",
        "--deadline",
        "2026-11-27",
        today="2026-11-05",
    )
    entry = log(ledger, item)[-1]
    assert (entry["kind"], entry["lead"], entry["reason"]) == ("reassign", "jyj", "职责调整")
    view = ledger("show", item, "--json", today="2026-11-05").json()
    assert (view["lead"], view["co"], view["deadline"], view["status"]) == ("jyj", [], "2026-11-27", "open")
    res = ledger("reassign", item, "--lead", "jyj", today="2026-11-06")
    assert res.code == 1 and "无需改派" in res.err
    ok(ledger, "report", item, "--unit", "jyj", "--final", "--text", "已办结", today="2026-11-10")
    res = ledger("reassign", item, "--lead", "fgw", today="2026-11-11")
    assert res.code == 1 and "改派" in res.err


def test_a_correction_changes_the_deadline_only_when_asked(ledger):
    # 灞桥 三、(一)3: meeting decisions are due in 15 days; 三、(一)1(1): a red instruction the same day
    item = ledger.issue(category="other", issued="2026-11-02", deadline="2026-11-30")
    ok(ledger, "amend", item, "--category", "meeting_plenary", "--reason", "应为常务会议决定", today="2026-11-03")
    assert ledger("show", item, "--json", today="2026-11-03").json()["deadline"] == "2026-11-30"
    ok(ledger, "amend", item, "--tier", "red", "--reason", "重算", "--recompute-deadline", today="2026-11-03")
    view = ledger("show", item, "--json", today="2026-11-03").json()
    assert (view["category"], view["tier"], view["deadline"]) == ("meeting_plenary", "red", "2026-11-17")
    assert log(ledger, item)[-1]["deadline"] == date(2026, 11, 17)
    assert ledger("check", today="2026-11-03").code == 0
    urgent = ledger.issue(issued="2026-11-02", deadline="2026-11-20")
    res = ledger("amend", urgent, "--tier", "red", "--reason", "紧急", "--recompute-deadline", today="2026-11-03")
    assert res.code == 1 and "早于更正日期" in res.err


def test_check_names_a_void_of_nothing_and_a_record_before_it_happened(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2026-11-20")
    path = ledger.path(item)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text
        + "  - {date: 2026-11-05, kind: void, of: reminder, number: 2026-9, lapse: deadline:2026-11-01, reason: 误}\n"
        + "  - {date: 2026-11-06, recorded: 2026-11-05, kind: report, unit: fgw, text: 进展}\n",
        encoding="utf-8",
    )
    res = ledger("check", "--json", today="2026-11-10")
    assert res.code == 1
    lines = len(text.splitlines())
    problems = [(p["line"], p["message"]) for p in res.json()]
    assert any(ln == lines + 1 and "作废的 reminder（deadline:2026-11-01）不在" in m for ln, m in problems), problems
    assert any(ln == lines + 2 and "早于事件日期" in m for ln, m in problems), problems
