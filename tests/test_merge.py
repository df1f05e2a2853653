"""The meaning of a merge of two copies' versions of one file (duban/core/merge.py, duban/store/merge.py)."""

from __future__ import annotations

from datetime import date

import pytest

from duban.core.errors import DubanError
from duban.core.merge import merge_counters, merge_record
from duban.store.merge import merge_text
from duban.store.yamlio import loads
from tests.conftest import git, make_ledger

BASE = """\
# 事项（注释应保留）
id: 2026-0001
title: 甲
category: leader_instruction
tier: yellow
lead: fgw
issued: 2026-03-02
deadline: 2026-03-13
log:
  - {date: 2026-03-02, kind: issued}
"""


def with_log(*lines: str, head: str = BASE) -> str:
    return head + "".join(f"  - {line}\n" for line in lines)


REPORT_A = "{date: 2026-03-05, kind: report, unit: fgw, text: 甲}"
REPORT_B = "{date: 2026-03-04, kind: report, unit: fgw, text: 乙}"


def test_entries_from_both_sides_are_united_each_once_in_date_order_and_comments_kept():
    ours = with_log(REPORT_A)
    theirs = with_log(REPORT_A + "  ", REPORT_B)  # the same entry, written with other spacing, and a new one
    text, conflicts = merge_text("items/2026/2026-0001.yaml", BASE, ours, theirs)
    assert conflicts == []
    assert "# 事项（注释应保留）" in text
    log = loads(text)[0]["log"]
    assert [e.get("text") for e in log] == [None, "乙", "甲"]


def test_an_entry_recorded_on_both_days_is_one_entry():
    ours = with_log("{date: 2026-03-05, kind: report, unit: fgw, text: 甲, recorded: 2026-03-05}")
    theirs = with_log("{date: 2026-03-05, kind: report, unit: fgw, text: 甲, recorded: 2026-03-06}")
    log = loads(merge_text("items/2026/2026-0001.yaml", BASE, ours, theirs)[0])[0]["log"]
    assert len(log) == 2


def test_an_entry_removed_on_one_side_stays_removed():
    base = with_log(REPORT_A)
    ours = with_log(REPORT_A, REPORT_B)
    theirs = BASE  # an undo removed the report
    log = loads(merge_text("items/2026/2026-0001.yaml", base, ours, theirs)[0])[0]["log"]
    assert [e.get("text") for e in log] == [None, "乙"]


def test_top_level_fields_merge_three_way_and_a_clash_is_a_conflict_not_markers():
    ours = BASE.replace("title: 甲", "title: 甲（本处改）")
    theirs = BASE.replace("title: 甲", "title: 甲（他处改）").replace("tier: yellow", "tier: red")
    text, conflicts = merge_text("items/2026/2026-0001.yaml", BASE, ours, theirs)
    data = loads(text)[0]
    assert data["tier"] == "red" and data["title"] == "甲（本处改）"
    assert conflicts == [{"field": "title", "values": ["甲（本处改）", "甲（他处改）"], "by": "file"}]
    assert data["conflicts"] == conflicts and "<<<<" not in text


def test_two_extensions_to_different_days_are_a_conflict_and_to_the_same_day_are_not():
    ext = "{{date: 2026-03-10, kind: extension, to: {to}, reason: {r}}}"
    ours = with_log(ext.format(to="2026-03-20", r="甲"))
    same = with_log(ext.format(to="2026-03-20", r="乙"))
    other = with_log(ext.format(to="2026-03-27", r="乙"))
    assert merge_text("items/2026/2026-0001.yaml", BASE, ours, same)[1] == []
    _, conflicts = merge_text("items/2026/2026-0001.yaml", BASE, ours, other)
    assert conflicts == [{"field": "deadline", "values": [date(2026, 3, 20), date(2026, 3, 27)], "by": "log"}]


def test_a_conflict_resolved_on_one_side_stays_resolved():
    c = {"field": "title", "values": ["a", "b"], "by": "file"}
    base = {"id": "x", "title": "a", "conflicts": [c]}
    ours = {"id": "x", "title": "b"}  # resolved here
    theirs = {"id": "x", "title": "a", "conflicts": [c], "note": "另一处的备注"}
    merged = merge_record(base, ours, theirs)
    assert "conflicts" not in merged.data and merged.data["note"] == "另一处的备注"


def test_counters_take_the_larger_of_every_number_and_lease():
    ours = {"item": {2026: 7}, "leases": {"a": {"item": {2026: {"next": 8, "last": 7}}}}}
    theirs = {
        "item": {2026: 9, 2027: 1},
        "notice": {2026: 3},
        "leases": {"a": {"item": {2026: {"next": 6, "last": 7}}}},
    }
    assert merge_counters(ours, theirs) == {
        "item": {2026: 9, 2027: 1},
        "leases": {"a": {"item": {2026: {"next": 8, "last": 7}}}},
        "notice": {2026: 3},
    }


def test_a_broken_side_is_refused_with_file_and_line():
    with pytest.raises(DubanError, match=r"items/2026/2026-0001.yaml:\d+"):
        merge_text("items/2026/2026-0001.yaml", BASE, BASE, "id: [unclosed\n")


def test_init_installs_the_merge_driver(tmp_path):
    led = make_ledger(tmp_path / "l")
    assert "merge=duban" in (led.root / ".gitattributes").read_text(encoding="utf-8")
    assert "duban.store.merge" in git(led.root, "config", "merge.duban.driver")
