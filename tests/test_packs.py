"""Issue #7: every shipped pack initialises a ledger, runs the main job and reads back in `duban rules`."""

from __future__ import annotations

import pytest
from conftest import Ledger

from duban.commands.setup import init_ledger
from duban.store.data import shipped_packs
from duban.store.packs import load_pack

PACKS = ["baqiao-2018", "ankang-2014", "xicheng-2016", "zhuoni-2022", "weinan-gxq"]


def test_five_packs_are_shipped_default_first():
    assert list(shipped_packs())[0] == PACKS[0] and sorted(shipped_packs()) == sorted(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_init_with_pack_then_the_main_job(tmp_path, name):
    led = Ledger(init_ledger(tmp_path / name, sample=False, pack=None if name == PACKS[0] else name))
    assert (led.root / "rules" / "pack.yaml").read_text(encoding="utf-8").count(f"name: {name}") == 1
    res = led(
        "issue",
        "--title",
        "测试事项",
        "--category",
        "other",
        "--tier",
        "yellow",
        "--lead",
        "example",
        "--deadline",
        "2026-11-13",
        today="2026-11-02",
    )
    assert res.code == 0, res.err
    assert led("sweep", today="2026-11-20").code == 0
    listing = led("list", "--json", today="2026-11-20")
    assert listing.code == 0 and listing.json()[0]["overdue"]
    assert led("check", today="2026-11-20").code == 0


@pytest.mark.parametrize("name", PACKS)
def test_rules_lists_every_category_and_every_clause(tmp_path, name):
    led = Ledger(init_ledger(tmp_path / name, sample=False, pack=None if name == PACKS[0] else name))
    pack, problems = load_pack(led.root / "rules")
    assert problems == []
    data = led("rules", "--json", today="2026-11-20").json()
    assert {row[0] for row in data["categories"]} == {f"{c.label}（{k}）" for k, c in pack.categories.items()}
    assert all(row[-1] for row in data["categories"] + data["process"] + data["scoring"])  # every rule cites a clause
    text = led("rules", today="2026-11-20").out.replace("\n", "").replace("│", "").replace(" ", "")
    for c in pack.categories.values():
        assert c.label.replace(" ", "") in text or c.label[:6] in text


def test_rules_check_reports_problems_with_lines(tmp_path, ledger):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in ("pack.yaml", "tiers.yaml", "categories.yaml", "process.yaml"):
        (bad / f).write_text((ledger.root / "rules" / f).read_text(encoding="utf-8"), encoding="utf-8")
    (bad / "process.yaml").write_text("due_soon: {weeks: 2}\nladder: []\n", encoding="utf-8")
    res = ledger("rules", "--check", str(bad))
    assert res.code == 1 and f"{bad}/process.yaml:1:" in res.out


def test_duban_yaml_may_name_a_shipped_pack(ledger):
    import shutil

    shutil.rmtree(ledger.root / "rules")
    cfg = ledger.root / "duban.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("rules: rules", "rules: zhuoni-2022"), encoding="utf-8")
    data = ledger("rules", "--json", today="2026-11-20").json()
    assert data["name"] == "zhuoni-2022"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("rules: zhuoni-2022", "rules: nowhere"), encoding="utf-8")
    res = ledger("check", today="2026-11-20")
    assert res.code == 1 and "找不到规则包" in res.out + res.err
