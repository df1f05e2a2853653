"""Issue #14: history that proves itself (verify), undo as a stack, numbers checked, no traceback,
safe outputs and the configuration under the same audit."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

from conftest import GIT_ID, git, run_cli

HAND = ["-c", "user.name=张三", "-c", "user.email=z@x.cn"]


def hand_commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, *HAND, "commit", "-qm", message)


def swept(ledger):
    """An item with a reminder and a warning issued by the sweep."""
    item = ledger.issue(deadline="2026-03-04")
    res = ledger("sweep", "--no-forms", today="2026-03-20")
    assert res.code == 0, res.err
    return item


# ------------------------------------------------------------------ verify


def test_verify_passes_on_duban_history_and_is_incremental(ledger):
    swept(ledger)  # the sweep verified what came before it
    assert ledger("verify", "--json").json() == {"commits": 1, "violations": []}  # the sweep's own commit
    assert ledger("verify", "--json").json()["commits"] == 0  # remembered under .git/
    every = ledger("verify", "--all", "--json")
    assert every.code == 0 and every.json()["commits"] >= 4


def test_verify_catches_a_deleted_entry_in_a_hand_commit(ledger):
    item = swept(ledger)
    path = ledger.path(item)
    text = path.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "kind: warning" in t)
    path.write_text("".join(t for t in text.splitlines(True) if "kind: warning" not in t), encoding="utf-8")
    hand_commit(ledger.root, "整理")
    res = ledger("verify")
    assert res.code == 1
    assert f"items/2026/{item}.yaml:{line}:" in res.out and "测试" in res.out and "被删除或改写" in res.out
    assert re.search(r"^[0-9a-f]{10} \d{4}-\d\d-\d\d", res.out, re.M)  # commit and date
    # check alone cannot see it; the next sweep puts it at the top of its digest
    ledger("sweep", "--no-forms", today="2026-03-21")
    digest = (ledger.root / "out" / "sweep" / "2026-03-21.md").read_text(encoding="utf-8")
    assert digest.splitlines()[2].startswith("## 台账历史核验") and "被删除或改写" in digest


def test_verify_catches_a_rewritten_number_and_a_deleted_item(ledger):
    first = swept(ledger)
    second = ledger.issue(title="第二件", deadline="2026-03-04")
    ledger("sweep", "--no-forms", today="2026-03-20")
    p2 = ledger.path(second)
    text = p2.read_text(encoding="utf-8")
    p2.write_text(text.replace("number: 2026-2", "number: 2026-1"), encoding="utf-8")
    hand_commit(ledger.root, "改号")
    ledger.path(first).unlink()
    hand_commit(ledger.root, "删掉")
    res = ledger("verify")
    assert res.code == 1
    assert "已给过" in res.out and f"items/2026/{first}.yaml" in res.out
    assert "事项文件被删除" in res.out and "改号" not in res.out


def test_undo_of_an_issue_is_not_a_violation(ledger):
    ledger.issue()
    assert ledger("undo").code == 0
    assert ledger("verify", "--all").code == 0


# ------------------------------------------------------------------ undo


def test_undo_is_a_stack(ledger):
    item = ledger.issue()
    ledger("report", item, "--unit", "fgw", "--text", "一", today="2026-03-05")
    ledger("report", item, "--unit", "fgw", "--text", "二", today="2026-03-06")
    listed = ledger("undo", "--list", "--json").json()
    assert [r["message"] for r in listed][:3] == [
        f"督办 {item} 进展报告: fgw",
        f"督办 {item} 进展报告: fgw",
        f"督办 {item} 立项: 关于加快XX路改造工程的批示",
    ]
    assert ledger("undo").code == 0
    assert "text: 二" not in ledger.path(item).read_text(encoding="utf-8")
    assert ledger("undo").code == 0  # one further back, not a redo
    text = ledger.path(item).read_text(encoding="utf-8")
    assert "text: 一" not in text and "kind: issued" in text
    assert ledger("undo").code == 0
    assert not ledger.path(item).exists()
    assert ledger("undo").code == 1  # nothing left but the ledger's set-up
    assert ledger("verify", "--all").code == 0


def test_undo_refuses_across_a_hand_commit_on_the_same_file(ledger):
    item = ledger.issue()
    other = ledger.issue(title="另一件")
    path = ledger.path(item)
    path.write_text(path.read_text(encoding="utf-8").replace("title: 关于", "title: 有关"), encoding="utf-8")
    hand_commit(ledger.root, "改标题")
    res = ledger("undo")
    assert res.code == 1 and "手工提交" in res.err  # the newest commit is by hand
    ledger("report", other, "--unit", "fgw", "--text", "进展", today="2026-03-05")
    assert ledger("undo").code == 0  # the report
    assert ledger("undo").code == 0  # the second issue: the hand commit did not touch it
    res = ledger("undo")
    assert res.code == 1 and "改标题" in res.err  # the first issue: across the hand edit of its file
    assert path.exists()


# ------------------------------------------------------------------ numbers


def test_check_reports_repeated_ref_and_slip_numbers_with_both_places(ledger):
    a = swept(ledger)
    b = ledger.issue(title="第二件", deadline="2026-03-04")
    ledger("sweep", "--no-forms", today="2026-03-20")
    pa, pb = ledger.path(a), ledger.path(b)
    ta = pa.read_text(encoding="utf-8")
    ref_a = re.search(r"^ref: (.*)$", ta, re.M).group(1)
    tb = re.sub(r"^ref: .*$", f"ref: {ref_a}", pb.read_text(encoding="utf-8"), flags=re.M)
    pb.write_text(tb.replace("number: 2026-2", "number: 2026-1"), encoding="utf-8")
    res = ledger("check", "--json", today="2026-03-20")
    found = [p for p in res.json() if "重复" in p["message"]]
    assert res.code == 1
    assert any(p["path"].endswith(f"{b}.yaml") and f"items/2026/{a}.yaml:" in p["message"] for p in found)
    assert any("文号" in p["message"] for p in found) and any("2026-1" in p["message"] for p in found)


# ------------------------------------------------------------------ no traceback


def test_deep_nesting_is_a_problem_and_the_others_carry_on(ledger):
    good = ledger.issue(deadline="2026-03-04")
    bad = ledger.issue(title="坏文件")
    ledger.path(bad).write_text("id: x\nx: " + "[" * 10000 + "]" * 10000 + "\n", encoding="utf-8")
    for args in (["check"], ["list"], ["score", "Q1"], ["sweep", "--no-forms"]):
        res = ledger(*args, today="2026-03-20")
        assert res.code == 1 and "嵌套层次过深" in res.out + res.err, args
    assert "kind: reminder" in ledger.path(good).read_text(encoding="utf-8")  # swept all the same


def test_bad_counters_refuse_changes_without_touching_anything(ledger):
    (ledger.root / "counters.yaml").write_bytes(b"item: {2026: \xff\xfe}\n")
    head = ledger.head()
    args = ("--category", "leader_instruction", "--tier", "yellow", "--lead", "fgw", "--deadline", "2026-03-09")
    res = ledger("issue", "--title", "T", *args, today="2026-03-02")
    assert res.code == 1 and "counters.yaml" in res.err
    assert ledger.head() == head and not (ledger.root / "items" / "2026").exists()
    res = ledger("check", today="2026-03-20")
    assert res.code == 1 and "counters.yaml:1:" in res.out


def test_empty_log_does_not_stop_the_sweep(ledger):
    a = ledger.issue(deadline="2026-03-04")
    b = ledger.issue(title="第二件", deadline="2026-03-04")
    p = ledger.path(a)
    p.write_text(re.sub(r"^log:\n(  - .*\n)+", "log:\n", p.read_text(encoding="utf-8"), flags=re.M))
    hand_commit(ledger.root, "清空记录")
    res = ledger("sweep", "--no-forms", today="2026-03-20")
    assert "Traceback" not in res.err
    assert "kind: reminder" in ledger.path(b).read_text(encoding="utf-8")


def test_user_text_is_never_markup(ledger):
    item = ledger.issue()
    p = ledger.path(item)
    p.write_text(p.read_text(encoding="utf-8").replace("tier: yellow", 'tier: "[/x]"'), encoding="utf-8")
    for args in (["list"], ["score", "Q1"], ["list", "--category", "[/x]"], ["show", "[/bold]"]):
        res = ledger(*args, today="2026-03-20")
        assert res.code in (1, 2), args
    res = run_cli("calendar", "99999", "--ledger", str(ledger.root))
    assert res.returncode in (1, 2) and "Traceback" not in res.stderr and "99999" in res.stderr


# ------------------------------------------------------------------ outputs


def test_render_never_writes_into_git_or_over_ledger_files(ledger):
    item = ledger.issue()
    for target in (f"items/2026/{item}.yaml", "counters.yaml", ".git/HEAD", "units.yaml"):
        before = (ledger.root / target).read_bytes() if (ledger.root / target).exists() else None
        res = ledger("render", "notice", item, "-o", str(ledger.root / target), today="2026-03-05")
        assert res.code == 1, target
        after = (ledger.root / target).read_bytes() if (ledger.root / target).exists() else None
        assert after == before
    assert ledger("check", today="2026-03-05").code == 0


def test_attachments_of_one_name_are_stored_apart_and_files_follow_the_umask(ledger, tmp_path):
    item = ledger.issue()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, two = tmp_path / "a" / "照片.jpg", tmp_path / "b" / "照片.jpg"
    one.write_bytes(b"1")
    two.write_bytes(b"2")
    old = os.umask(0o022)
    try:
        res = ledger("report", item, "--unit", "fgw", "--text", "t", "--attachment", str(one), today="2026-03-05")
        assert res.code == 0, res.err
        res = ledger("report", item, "--unit", "fgw", "--text", "u", "--attachment", str(two), today="2026-03-06")
        assert res.code == 0, res.err
    finally:
        os.umask(old)
    folder = ledger.root / "attachments" / item
    assert (folder / "照片.jpg").read_bytes() == b"1" and (folder / "照片-2.jpg").read_bytes() == b"2"
    for p in (ledger.path(item), folder / "照片.jpg"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644


def test_a_retried_report_is_recorded_once(ledger):
    item = ledger.issue()
    for _ in range(2):
        assert ledger("report", item, "--unit", "fgw", "--text", "同一份", today="2026-03-05").code == 0
    assert ledger.path(item).read_text(encoding="utf-8").count("同一份") == 1


# ------------------------------------------------------------------ configuration


def test_hand_edited_configuration_is_committed_and_a_clone_shows_the_same(ledger, tmp_path):
    units = ledger.root / "units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8") + "  - {id: new, name: 新单位, kind: 部门, contact: 甲, phone: '1'}\n",
        encoding="utf-8",
    )
    res = ledger("check", today="2026-03-05")
    assert "units.yaml" in res.out and "未提交" in res.out
    ledger.issue(lead="new")
    subjects = ledger.commits()
    assert subjects[1].startswith("手工修改") and "units.yaml" in subjects[1] and ledger.clean()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ledger.root), str(clone)], check=True, env={**os.environ, **GIT_ID})
    for args in (["list", "--json"], ["score", "Q1", "--json"]):
        here = run_cli(*args, "--ledger", str(ledger.root), "--today", "2026-03-20")
        there = run_cli(*args, "--ledger", str(clone), "--today", "2026-03-20")
        assert here.returncode == there.returncode == 0, there.stderr
        assert here.stdout == there.stdout


def test_stale_git_locks_are_cleared(ledger):
    gd = Path(git(ledger.root, "rev-parse", "--absolute-git-dir").strip())
    for lock in ("index.lock", "duban-index.lock", "HEAD.lock", "refs/heads/master.lock"):
        (gd / lock).write_text("")  # left by a git killed half-way: no process holds them
    item = ledger.issue()
    assert ledger.path(item).exists() and ledger.clean()
    assert not list(gd.glob("*index.lock"))
