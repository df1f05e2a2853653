"""One vocabulary: every word a clerk reads about a slip, a status or a tier comes
from the active rule pack, with the documented defaults where it says nothing."""

from __future__ import annotations

from pathlib import Path

from conftest import git
from docx import Document

from duban.core.vocabulary import DEFAULTS, words


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def rename_first_slip(ledger, word: str = "督查催办单") -> None:
    pack = ledger.root / "rules" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + f"words:\n  slip: {{reminder: {word}}}\n", encoding="utf-8")
    git(ledger.root, "commit", "-qam", "规则包：第一步文书改称督查催办单")


def test_defaults_and_overrides():
    w = words({"slip": {"reminder": "督办提示"}, "status": {"open": "在办"}}, {"red": "红色"})
    assert (w.entry("reminder"), w.form("reminder"), w.status("open"), w.tier_short("red")) == (
        "督办提示",
        "督办提示",
        "在办",
        "红色",
    )
    assert w.entry("warning") == DEFAULTS["entry"]["warning"] and w.holiday("National Day") == "国庆节"


def test_a_pack_that_renames_the_first_slip_gets_its_word_everywhere(ledger):
    rename_first_slip(ledger)
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-05")
    notice = next((ledger.root / "out" / "2026").glob(f"{item}-*.docx"))
    assert "将下发督查催办单" in docx_text(notice) and "工作提醒单" not in docx_text(notice)

    res = ledger("sweep", today="2026-03-06")
    assert res.code == 0, res.err
    digest = (ledger.root / "out" / "sweep" / "2026-03-06.md").read_text(encoding="utf-8")
    assert "督查催办单" in digest and "工作提醒单" not in digest
    message = git(ledger.root, "log", "-1", "--format=%B")
    assert "督查催办单 2026-1" in message and "工作提醒单" not in message
    slip = ledger.root / "out" / "2026" / f"{item}-督查催办单-2026-1.docx"
    assert slip.is_file() and "工作提醒单" not in docx_text(slip)
    assert not list((ledger.root / "out").rglob("*工作提醒单*"))

    shown = ledger("show", item, today="2026-03-06")
    assert "督查催办单" in shown.out and "工作提醒单" not in shown.out
    rules = [row[1] for row in ledger("rules", "--json").json()["process"]]  # [环节, 规定, 依据 (the clause quoted)]
    assert any("发《督查催办单》" in r for r in rules) and not any("工作提醒单" in r for r in rules)


def test_the_default_pack_keeps_its_words(ledger):
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-05")
    assert ledger("sweep", today="2026-03-06").code == 0
    assert (ledger.root / "out" / "2026" / f"{item}-工作提醒单-2026-1.docx").is_file()
    assert "发《工作提醒单》" in ledger("rules").out


def test_tier_shorts_come_from_tiers_yaml(ledger):
    tiers = ledger.root / "rules" / "tiers.yaml"
    tiers.write_text(tiers.read_text(encoding="utf-8").replace("short: 红", "short: 特急"), encoding="utf-8")
    git(ledger.root, "commit", "-qam", "等级简称")
    ledger.issue(category="other", tier="red", issued="2026-03-02", deadline="2026-03-20")
    listing = ledger("list", today="2026-03-03")
    assert "特急" in listing.out


def test_an_unknown_word_is_a_problem_with_its_line(ledger):
    pack = ledger.root / "rules" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "words:\n  slip: {scolding: 训斥单}\n", encoding="utf-8")
    res = ledger("check", today="2026-03-03")
    assert res.code == 1 and "rules/pack.yaml:" in res.out and "scolding" in res.out


def test_calendar_names_holidays_in_chinese(ledger):
    days = ledger("calendar", "2026", "--json").json()
    assert {d["name"] for d in days if d["kind"] == "holiday"} >= {"国庆节", "春节", "元旦"}


def test_a_return_needs_a_window_from_the_pack_or_the_clerk(ledger):
    process = ledger.root / "rules" / "process.yaml"
    text = process.read_text(encoding="utf-8")
    start = text.index("\nreturn:")
    end = text.index("\n\n", start + 1)  # the block ends at the next blank line
    process.write_text(text[:start] + text[end:], encoding="utf-8")
    git(ledger.root, "commit", "-qam", "去掉退办期限")
    item = ledger.issue(category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-20")
    assert ledger("report", item, "--unit", "fgw", "--text", "完成", "--final", today="2026-03-10").code == 0
    refused = ledger("review", item, "return", "--reason", "不实", today="2026-03-11")
    assert refused.code == 1 and "--due" in refused.err
    ok = ledger("review", item, "return", "--reason", "不实", "--due", "2026-03-18", today="2026-03-11")
    assert ok.code == 0 and "2026-03-18" in ok.out
