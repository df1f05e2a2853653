"""`duban rules` reads, clause by clause, like each pack's document (issue 20): every rule with its clause,
and the pack's reading where the document is ambiguous."""

from __future__ import annotations

import pytest
from conftest import make_ledger

EXPECTED = {
    "baqiao-2018": [
        ("process", "同一逾期发 2 次", "五、(四)1"),
        ("process", "从已到达的一步继续", "五、(四)"),
        ("categories", "督查室一日一督", "三、(一)1(1)"),
        ("categories", "一季度进行一次回头望，直至办结落实", "直至决定事项落实"),
        ("scoring", "人大政协督办事项及时完成并按时上报", "附件1 第五条 3"),
    ],
    "ankang-2014": [
        ("process", "批准后记为该单位的“通报批评”", "二、(六)"),
        ("process", "每次通报批评：一周内向政府说明情况", "duban fulfil"),
    ],
    "xicheng-2016": [
        ("process", "按《督查催办单》印制、编号", "原文没有警告单"),
        ("process", "函告主办单位", "第十二条(四)"),
        ("process", "屡次迟报", "第十五条"),
    ],
    "zhuoni-2022": [
        ("process", "须用 --item 指明事项", "附件1 三、4"),
        ("process", "30 日（遇节假日顺延）内提出（--received）", "第十七条"),
        ("scoring", "异议材料逾期提报", "附件1 三、2"),
    ],
    "weinan-gxq": [
        ("categories", "6 个月（硬上限，不顺延）", "读法：6 个月是硬上限"),
        ("process", "《督办令》", "十六(二)"),
        ("process", "一年内通报批评 1 次", "自然年"),
    ],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_rules_print_each_rule_with_its_clause(tmp_path, name):
    ledger = make_ledger(tmp_path / "ledger", name)
    res = ledger("rules", "--json", today="2026-03-02")
    assert res.code == 0, res.err
    data = res.json()
    for section, rule, clause in EXPECTED[name]:
        rows = [" | ".join(row) for row in data[section]]
        assert any(rule in row and clause in row for row in rows), (section, rule, clause)


def test_the_new_fields_are_checked_with_file_and_line(tmp_path):
    import shutil

    from duban.store.data import shipped_packs
    from duban.store.packs import load_pack

    folder = tmp_path / "pack"
    shutil.copytree(shipped_packs()["zhuoni-2022"], folder)
    proc = folder / "process.yaml"
    text = proc.read_text(encoding="utf-8")
    text = text.replace("  from: reached", "  from: sideways").replace(
        "    label: 督办提示\n", "    label: 督办提示\n    form: memo\n    times: 0\n    proposes: praise\n"
    )
    text = text.replace("    late: late_objection\n", "    late: nothing\n").replace(
        "  within: {days: 30,", "  within: {hours: 30,"
    )
    proc.write_text(text, encoding="utf-8")
    _, problems = load_pack(folder, "rules")
    said = {(p.path, p.message.split(" ")[0]) for p in problems}
    assert {m for _, m in said} >= {"form", "times", "proposes", "from", "late"}
    assert all(p.path == "rules/process.yaml" and p.line > 1 for p in problems)
    assert any("within" in p.message for p in problems)
