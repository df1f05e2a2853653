"""Issue #3: extensions and the derived schedule of an item."""

from __future__ import annotations

import pytest
from conftest import git


def set_cutoff(ledger, cutoff: str):
    proc = ledger.root / "rules" / "process.yaml"
    text = proc.read_text(encoding="utf-8").replace("  cutoff: before_deadline", f"  cutoff: {cutoff}")
    proc.write_text(text, encoding="utf-8")
    git(ledger.root, "commit", "-qam", "pack: extension cut-off")


def extend(ledger, item, requested, to="2026-03-31"):
    return ledger(
        "extend",
        item,
        "--to",
        to,
        "--reason",
        "征地未完成",
        "--approved-by",
        "分管副区长",
        "--requested",
        requested,
        today="2026-03-12",
    )


def test_three_working_days_before_the_deadline(ledger):
    # 西城 第十二条(四): 在办理时限前3个工作日书面提出延期申请. Deadline Friday 2026-03-13:
    # the 3rd working day before it is Tuesday 03-10.
    set_cutoff(ledger, "{working_days: 3}")
    item = ledger.issue(category="other", deadline="2026-03-13")
    late = extend(ledger, item, "2026-03-11")
    assert late.code == 1 and "截止日 2026-03-10" in late.err and "3 个工作日" in late.err
    assert ledger.commits()[0].startswith("督办 2026-0001 立项")
    assert extend(ledger, item, "2026-03-10").code == 0
    assert ledger("show", item, "--json", today="2026-03-12").json()["deadline"] == "2026-03-31"


def test_three_working_days_across_a_holiday(ledger):
    # deadline 2026-10-09: 10-01..07 are the National Day holidays → 3 working days before is 09-29
    set_cutoff(ledger, "{working_days: 3}")
    item = ledger.issue(category="other", issued="2026-09-21", deadline="2026-10-09")
    assert (
        ledger(
            "extend",
            item,
            "--to",
            "2026-10-30",
            "--reason",
            "r",
            "--approved-by",
            "a",
            "--requested",
            "2026-09-30",
            today="2026-09-30",
        ).code
        == 1
    )
    assert (
        ledger(
            "extend",
            item,
            "--to",
            "2026-10-30",
            "--reason",
            "r",
            "--approved-by",
            "a",
            "--requested",
            "2026-09-29",
            today="2026-09-30",
        ).code
        == 0
    )


def test_before_the_deadline(ledger):
    # 渭南 九: 提前……申请延长办理期限; the default pack reads it the same way
    item = ledger.issue(category="other", deadline="2026-03-13")
    late = extend(ledger, item, "2026-03-13")
    assert late.code == 1 and "截止日 2026-03-12" in late.err
    assert extend(ledger, item, "2026-03-12").code == 0


def test_extension_past_the_maximum_is_refused(ledger):
    # 渭南 十: 答复期限一般为3个月……最迟不得超过6个月 (as a test pack on the proposal category)
    cats = ledger.root / "rules" / "categories.yaml"
    text = cats.read_text(encoding="utf-8").replace(
        "proposal:\n  label: 人大代表建议和政协委员提案\n  source: 二、(二)3；三、(二)3 须按期办复完毕\n  deadline: clerk",
        "proposal:\n  label: 人大代表建议和政协委员提案\n  source: 二、(二)3；三、(二)3 须按期办复完毕\n"
        "  deadline: {months: 3}\n  max: {months: 6, source: 渭南 十}",
    )
    cats.write_text(text, encoding="utf-8")
    git(ledger.root, "commit", "-qam", "pack: proposals")
    item = ledger.issue(category="proposal", deadline=None, issued="2026-03-02")
    assert ledger("show", item, "--json", today="2026-03-02").json()["deadline"] == "2026-06-02"
    too_far = ledger("extend", item, "--to", "2026-09-03", "--reason", "r", "--approved-by", "a", today="2026-05-20")
    assert too_far.code == 1 and "最长期限 2026-09-02" in too_far.err
    assert (
        ledger("extend", item, "--to", "2026-09-02", "--reason", "r", "--approved-by", "a", today="2026-05-20").code
        == 0
    )


def test_extension_must_move_the_deadline_later(ledger):
    item = ledger.issue(category="other", deadline="2026-03-13")
    res = ledger("extend", item, "--to", "2026-03-13", "--reason", "r", "--approved-by", "a", today="2026-03-05")
    assert res.code == 1 and "须晚于现期限" in res.err


# ------------------------------------------------------------ derived schedule


@pytest.mark.parametrize(
    "category,tier,issued,deadline,reports,today,expected_dues,missing",
    [
        # 三、(一)1(1) 一日一督 — red leader instructions: the office's daily urging, no report the unit owes
        ("leader_instruction", "red", "2026-03-02", "2026-03-06", ["2026-03-03"], "2026-03-06", [], []),
        # 三、(一)1(2) 每2周 — yellow leader instructions
        (
            "leader_instruction",
            "yellow",
            "2026-03-02",
            "2026-04-30",
            ["2026-03-13"],
            "2026-04-20",
            ["2026-03-16", "2026-03-30", "2026-04-13"],
            ["2026-03-30", "2026-04-13"],
        ),
        # 三、(一)2 每周督办 — red key projects: the office supervises weekly, the unit owes no weekly report
        ("key_project", "red", "2026-03-02", "2026-03-31", ["2026-03-09"], "2026-03-25", [], []),
        # 三、(二)5 擂台赛 每月 — month ends (05-31 is a Sunday → 06-01)
        (
            "arena_commitment",
            "yellow",
            "2026-03-10",
            "2026-12-31",
            ["2026-04-28"],
            "2026-06-10",
            ["2026-03-31", "2026-04-30", "2026-06-01"],
            ["2026-03-31", "2026-06-01"],
        ),
        # 三、(二)1 政府工作报告 一季一报 — quarter ends
        (
            "work_report",
            "blue",
            "2026-01-06",
            None,
            ["2026-03-31", "2026-07-03"],
            "2026-11-20",
            ["2026-03-31", "2026-06-30", "2026-09-30"],
            ["2026-06-30"],
        ),  # 07-03 is Q3's report
    ],
)
def test_periodic_reports_due_and_missing(
    ledger, category, tier, issued, deadline, reports, today, expected_dues, missing
):
    item = ledger.issue(category=category, tier=tier, issued=issued, deadline=deadline)
    for day in reports:
        assert ledger("report", item, "--unit", "fgw", "--text", "进展", today=day).code == 0
    view = ledger("show", item, "--json", today=today).json()
    assert [p["due"] for p in view["periodic_reports"]] == expected_dues
    assert view["missing_reports"] == missing
    assert all(p["on_time"] == (p["due"] not in missing) for p in view["periodic_reports"])


def test_next_lookback_and_days_left_in_working_days(ledger):
    item = ledger.issue(category="meeting_topic", deadline=None, issued="2026-09-21")  # quarterly 回头望
    view = ledger("show", item, "--json", today="2026-09-30").json()
    assert view["deadline"] == "2026-10-08"  # 09-21 + 15 = 10-06, National Day → 10-08
    assert view["days_left"] == 8 and view["working_days_left"] == 1
    assert view["next_lookback"] == "2026-12-21"
