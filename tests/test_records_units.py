"""Issue #15: the units of the ledger — add, edit, retire — each one commit, units.yaml kept as the clerk wrote it."""

from __future__ import annotations

import pytest
import yaml

from duban.commands.units import edit_unit
from duban.core.errors import DubanError


def units(ledger):
    return {u["id"]: u for u in yaml.safe_load((ledger.root / "units.yaml").read_text(encoding="utf-8"))["units"]}


def test_add_edit_and_list_keep_the_file_and_commit_once_each(ledger):
    before = len(ledger.commits())
    res = ledger("unit", "add", "mzj", "--name", "区民政局", "--kind", "部门", "--phone", "029-11", today="2026-11-02")
    assert res.code == 0, res.err
    text = (ledger.root / "units.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 承办单位（测试）\n")  # the clerk's comment stays
    assert text.rstrip().endswith("- {id: mzj, name: 区民政局, kind: 部门, phone: 029-11}")
    assert ledger.commits()[0] == "督办 单位 mzj 新增: 区民政局" and len(ledger.commits()) == before + 1
    res = ledger("unit", "edit", "mzj", "--phone", "029-12", "--contact", "周敏", today="2026-11-02")
    assert res.code == 0 and "029-11 → 029-12" in res.out
    assert units(ledger)["mzj"]["phone"] == "029-12" and units(ledger)["mzj"]["contact"] == "周敏"
    listed = ledger("unit", "list", "--json", today="2026-11-02").json()
    assert [u["id"] for u in listed][-1] == "mzj" and listed[-1]["retired"] is None
    ledger.issue(lead="mzj", issued="2026-11-02", deadline="2026-11-20")
    assert ledger("check", today="2026-11-02").code == 0 and ledger.clean()


def test_unit_refusals_change_nothing(ledger):
    before = ledger.head()
    for args, word in [
        (["add", "fgw", "--name", "重复"], "已有"),
        (["add", "Bad Id", "--name", "某局"], "只能用小写字母"),
        (["add", "mzj"], "单位名称"),
        (["edit", "nobody", "--phone", "1"], "没有代号"),
        (["edit", "fgw", "--name", ""], "不能为空"),
        (["edit", "fgw", "--kind", "部门"], "没有要修改的"),
        (["retire", "nobody"], "没有代号"),
        (["retire", "fgw", "--force"], "理由"),
        (["retire", "fgw", "--date", "2026-12-01"], "晚于今天"),
        (["frobnicate", "fgw"], ""),
    ]:
        res = ledger("unit", *args, today="2026-11-02")
        assert res.code in (1, 2) and word in res.err, (args, res.err)
    assert ledger.head() == before and ledger.clean()


def test_a_retired_unit_keeps_its_history_but_gets_no_new_items(ledger):
    item = ledger.issue(lead="jyj", issued="2026-11-02", deadline="2026-11-06")
    res = ledger("unit", "retire", "jyj", today="2026-11-03")
    assert res.code == 1 and item in res.err and "改派" in res.err
    assert ledger("report", item, "--unit", "jyj", "--final", "--text", "已办结", today="2026-11-04").code == 0
    assert ledger("unit", "retire", "jyj", "--date", "2026-11-05", today="2026-11-05").code == 1  # awaits review
    assert ledger("review", item, "accept", today="2026-11-05").code == 0
    res = ledger("unit", "retire", "jyj", "--date", "2026-11-05", today="2026-11-05")
    assert res.code == 0, res.err
    assert units(ledger)["jyj"]["retired"].isoformat() == "2026-11-05"
    res = ledger("unit", "retire", "jyj", today="2026-11-06")
    assert res.code == 1 and "已于 2026-11-05 撤销" in res.err
    # no new item, no co-unit role, no reassignment to it; its history and scores stay
    res = ledger(
        "issue", "--title", "新事项", "--category", "other", "--tier", "blue", "--lead", "jyj", today="2026-11-06"
    )
    assert res.code == 1 and "已于 2026-11-05 撤销" in res.err
    other = ledger.issue(issued="2026-11-06", deadline="2026-11-20")
    assert ledger("amend", other, "--co", "jyj", "--reason", "补充协办", today="2026-11-06").code == 1
    assert ledger("reassign", other, "--lead", "jyj", today="2026-11-06").code == 1
    assert ledger("show", item, "--json", today="2026-11-06").json()["lead_name"] == "区教育局"
    assert any(u["unit"] == "jyj" for u in ledger("score", "Q4", "--json", today="2026-11-30").json()["units"])
    assert ledger("check", today="2026-11-06").code == 0


def test_retire_with_force_and_a_reason(ledger):
    ledger.issue(lead="zjj", issued="2026-11-02", deadline="2026-11-20")
    res = ledger("unit", "retire", "zjj", "--force", "--reason", "机构改革并入区城管局", today="2026-11-03")
    assert res.code == 0, res.err
    assert units(ledger)["zjj"]["note"] == "2026-11-03 撤销: 机构改革并入区城管局"
    assert "机构改革" in ledger.commits()[0]


def test_an_unknown_unit_field_is_a_usage_error(ledger):
    before = ledger.head()
    assert ledger("unit", "edit", "fgw", "--colour", "red", today="2026-11-02").code == 2
    assert ledger("unit", "add", "mzj", "--name", "区民政局", "--address", "x", today="2026-11-02").code == 2
    assert ledger.head() == before
    with pytest.raises(DubanError, match="单位没有字段 colour"):
        edit_unit(ledger.root, "fgw", {"colour": "red"})
    assert ledger.head() == before and ledger.clean()
