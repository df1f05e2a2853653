"""The sweep's report when nobody watches (cron's mail, a pipe, a file): plain lines, one per action, no box drawing;
the same actions as ``--json``."""

from __future__ import annotations


def test_a_piped_sweep_prints_one_plain_line_per_action(ledger):
    first = ledger.issue(deadline="2026-03-04")
    second = ledger.issue(title="关于推进老旧小区改造的批示", deadline="2026-03-09")
    planned = ledger("sweep", "--dry-run", "--json", today="2026-03-20").json()["actions"]
    assert len(planned) >= 3 and {a["item"] for a in planned} == {first, second}
    res = ledger("sweep", "--no-forms", today="2026-03-20")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == "督查日报 2026-03-20"
    assert lines[1].split() == ["事项", "标题", "日期", "动作", "编号", "单位"]
    rows = [line for line in lines[2:] if line.startswith(("2026-",))]
    assert len(rows) == len(planned)
    assert sum(r.startswith(first) for r in rows) == sum(a["item"] == first for a in planned)
    assert any("关于推进老旧小区改造的批示" in r for r in rows)
    assert not any(ch in res.out for ch in "│┃━─┏┗")  # no table borders
    quiet = ledger("sweep", "--no-forms", "--quiet", today="2026-03-20")
    assert quiet.code == 0 and quiet.out == ""
