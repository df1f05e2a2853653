"""Issue #15: a published quarter's scores stay as published; ``score`` says what the records give now."""

from __future__ import annotations

from conftest import git


def table(ledger, *more, today="2026-10-12"):
    res = ledger("score", "Q3", "--json", *more, today=today)
    assert res.code == 0, res.err
    return res.json(), {u["unit"]: u for u in res.json()["units"]}


def test_a_published_quarter_stays_byte_identical_and_score_shows_the_difference(ledger):
    done = ledger.issue(issued="2026-07-01", deadline="2026-07-10")
    assert ledger("report", done, "--unit", "fgw", "--final", "--text", "已办结", today="2026-07-09").code == 0
    assert ledger("review", done, "accept", today="2026-07-13").code == 0
    late = ledger.issue(issued="2026-09-01", deadline="2026-09-10", lead="zjj")  # silent and overdue: −2
    early = ledger("score", "Q3", "--publish", today="2026-09-30")
    assert early.code == 1 and "结束后才能发布" in early.err
    res = ledger("score", "Q3", "--publish", today="2026-10-09")
    assert res.code == 0, res.err
    path = ledger.root / "published" / "2026Q3.yaml"
    assert ledger.commits()[0] == "督办 发布2026年第三季度考核结果" and ledger.clean()
    published = path.read_bytes()
    data, units = table(ledger)
    assert (units["fgw"]["score"], units["zjj"]["score"]) == (82, 78) and data["differences"] == []
    assert data["published"] == "2026-10-09" and units["fgw"]["deltas"][0]["rule"] == "instruction-on-time"

    # a progress report received on 09-08, typed after the quarter was published: zjj was not silent
    res = ledger("report", late, "--unit", "zjj", "--text", "进展", "--date", "2026-09-08", today="2026-10-12")
    assert res.code == 0, res.err
    data, units = table(ledger)
    assert units["zjj"]["score"] == 78  # as published
    assert any(d.startswith("zjj") and "得分 78 → 80" in d for d in data["differences"])
    refused = ledger("score", "Q3", "--csv", str(ledger.root / "q3.csv"), today="2026-10-12")
    assert refused.code == 1 and "--recompute" in refused.err
    _, now = table(ledger, "--recompute")
    assert now["zjj"]["score"] == 80
    text = ledger("score", "Q3", today="2026-10-12")
    assert "2026-10-09 发布" in text.out and "得分 78 → 80" in text.err and "--recompute" in text.err

    # the office amends scoring.yaml: the published quarter does not move
    scoring = ledger.root / "rules" / "scoring.yaml"
    scoring.write_text(
        scoring.read_text(encoding="utf-8").replace("delta: {lead: 2, co: 1}", "delta: {lead: 3, co: 1}", 1),
        encoding="utf-8",
    )
    git(ledger.root, "commit", "-qam", "新考核办法")
    data, units = table(ledger)
    assert units["fgw"]["score"] == 82
    assert any("规则包已改动" in d for d in data["differences"])
    assert any(d.startswith("fgw") and "得分 82 → 83" in d for d in data["differences"])
    assert path.read_bytes() == published

    again = ledger("score", "Q3", "--publish", today="2026-10-12")
    assert again.code == 1 and "不能再次发布" in again.err and path.read_bytes() == published


def test_a_published_table_broken_by_hand_is_named_with_its_line(ledger):
    assert ledger("score", "Q3", "--publish", today="2026-10-09").code == 0
    (ledger.root / "published" / "2026Q3.yaml").write_text("period: 2026Q3\nunits: [unclosed\n", encoding="utf-8")
    res = ledger("score", "Q3", today="2026-10-12")
    assert res.code == 1 and "published/2026Q3.yaml:" in res.err and "Traceback" not in res.err + res.out
