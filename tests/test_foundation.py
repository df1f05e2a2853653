"""Issue #2: the ledger, issue / list / show / check / log / undo, the git audit trail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, run_cli

from duban.commands.setup import init_ledger
from duban.core.errors import DubanError

# ---------------------------------------------------------------------- init


def test_init_creates_a_committed_ledger(tmp_path):
    root = init_ledger(tmp_path / "new", sample=False, pack=None)
    for name in ("duban.yaml", "units.yaml", "rules/categories.yaml", "rules/process.yaml", ".gitignore"):
        assert (root / name).is_file(), name
    assert "out/" in (root / ".gitignore").read_text()
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "--format=%s").splitlines() == ["督办 建立台账"]


def test_init_refuses_non_empty_folder_and_existing_ledger(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    with pytest.raises(DubanError, match="不是空目录"):
        init_ledger(tmp_path / "busy", sample=False, pack=None)
    root = init_ledger(tmp_path / "ok", sample=False, pack=None)
    with pytest.raises(DubanError, match="已经是台账"):
        init_ledger(root, sample=False, pack=None)
    assert (tmp_path / "busy" / "notes.txt").read_text() == "x"


def test_init_sample_is_a_valid_ledger(tmp_path):
    root = init_ledger(tmp_path / "s", sample=True, pack=None)
    res = run_cli("check", "--ledger", str(root), "--today", "2026-11-20", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    listed = run_cli("list", "--all", "--ledger", str(root), "--today", "2026-11-20", "--json")
    assert len(__import__("json").loads(listed.stdout)) >= 30


# --------------------------------------------------------------------- issue


def test_issue_writes_one_item_and_one_commit(ledger):
    before = ledger.head()
    item_id = ledger.issue(co=["zjj", "baqiao-jd"], basis="区长批示 2026-03-02", requirement="两周内拿出方案")
    assert item_id == "2026-0001"
    text = ledger.path(item_id).read_text(encoding="utf-8")
    assert "ref: 灞政督〔2026〕1号" in text
    assert "co: [zjj, baqiao-jd]" in text
    assert "- {date: 2026-03-02, kind: issued}" in text
    assert "&id" not in text
    assert ledger.commits()[0] == "督办 2026-0001 立项: 关于加快XX路改造工程的批示"
    assert git(ledger.root, "rev-parse", "HEAD~1").strip() == before
    assert ledger.files_in_head() == ["counters.yaml", "items/2026/2026-0001.yaml"]
    assert ledger.clean()
    second = ledger.issue(title="第二件")
    assert second == "2026-0002"
    assert "灞政督〔2026〕2号" in ledger.path(second).read_text(encoding="utf-8")


def test_issue_json_prints_the_item(ledger):
    res = ledger(
        "issue",
        "--title",
        "A",
        "--category",
        "work_style",
        "--tier",
        "blue",
        "--lead",
        "jyj",
        "--json",
        today="2026-03-02",
    )
    assert res.code == 0, res.err
    data = res.json()
    assert data["id"] == "2026-0001" and data["deadline"] == "2026-03-04" and data["status"] == "open"


def test_issue_deadline_from_the_pack(ledger):
    # 会议决定事项: 15 日内通报落实情况 → 2026-03-02 + 15 = 2026-03-17 (a Tuesday)
    item_id = ledger.issue(category="meeting_executive", deadline=None)
    assert "deadline: 2026-03-17" in ledger.path(item_id).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "option,value,expect",
    [
        ("lead", "nobody", "未知的单位 “nobody”"),
        ("category", "party", "未知的类别 “party”"),
        ("tier", "green", "未知的等级 “green”"),
    ],
)
def test_issue_refuses_unknown_keys_and_lists_valid_ones(ledger, option, value, expect):
    before = ledger.head()
    args = {"title": "X", "category": "leader_instruction", "tier": "red", "lead": "fgw", option: value}
    res = ledger("issue", *sum(([f"--{k}", v] for k, v in args.items()), []), today="2026-03-02")
    assert res.code == 1
    assert expect in res.err
    valid = {
        "lead": "fgw（区发展和改革委员会）",
        "category": "leader_instruction（区政府主要领导批示件）",
        "tier": "red（特别重要、特别紧急）",
    }[option]
    assert valid in res.err
    assert ledger.head() == before and ledger.clean()
    assert not (ledger.root / "items" / "2026").exists()


def test_issue_refuses_bad_dates_and_missing_clerk_deadline(ledger):
    res = ledger(
        "issue",
        "--title",
        "X",
        "--category",
        "leader_instruction",
        "--tier",
        "yellow",
        "--lead",
        "fgw",
        today="2026-03-02",
    )
    assert res.code == 1 and "--deadline" in res.err
    res = ledger(
        "issue",
        "--title",
        "X",
        "--category",
        "other",
        "--tier",
        "blue",
        "--lead",
        "fgw",
        "--deadline",
        "2026-02-30",
        today="2026-03-02",
    )
    assert res.code == 1 and "2026-02-30" in res.err
    res = ledger(
        "issue",
        "--title",
        "X",
        "--category",
        "other",
        "--tier",
        "blue",
        "--lead",
        "fgw",
        "--deadline",
        "2026-03-01",
        today="2026-03-02",
    )
    assert res.code == 1 and "早于立项日期" in res.err
    res = ledger(
        "issue",
        "--title",
        "X",
        "--category",
        "other",
        "--tier",
        "blue",
        "--lead",
        "fgw",
        "--co",
        "fgw",
        "--deadline",
        "2026-03-09",
        today="2026-03-02",
    )
    assert res.code == 1 and "协办单位" in res.err
    assert ledger.clean() and ledger.commits()[0] == "测试单位"


def test_title_with_markup_characters_survives(ledger):
    item_id = ledger.issue(title='A&B<C> "引号" #不是注释: 冒号')
    res = ledger("show", item_id, "--json", today="2026-03-02")
    assert res.json()["title"] == 'A&B<C> "引号" #不是注释: 冒号'


# ----------------------------------------------------------------- list/show


@pytest.fixture
def populated(ledger):
    ledger.issue(title="逾期的", lead="fgw", co=["zjj"], tier="red", deadline="2026-03-05")
    ledger.issue(title="临期的", lead="zjj", tier="yellow", deadline="2026-03-11")
    ledger.issue(title="宽裕的", lead="jyj", tier="blue", category="other", deadline="2026-04-30")
    forwarded = ledger(
        "issue",
        "--title",
        "转阅的",
        "--category",
        "other",
        "--tier",
        "blue",
        "--lead",
        "jyj",
        "--forward",
        today="2026-03-02",
    )
    assert forwarded.code == 0, forwarded.err
    return ledger


def test_list_sorted_by_deadline_with_filters(populated):
    def ids(*args):
        res = populated("list", "--json", *args, today="2026-03-09")
        assert res.code == 0, res.err
        return [r["title"] for r in res.json()]

    assert ids() == ["逾期的", "临期的", "宽裕的"]  # the items in hand, most urgent first
    assert ids("--all") == ["逾期的", "临期的", "宽裕的", "转阅的"]
    assert ids("--overdue") == ["逾期的"]
    assert ids("--unit", "zjj") == ["逾期的", "临期的"]
    assert ids("--tier", "blue", "--all") == ["宽裕的", "转阅的"]
    assert ids("--category", "other") == ["宽裕的"]
    assert ids("--due-within", "3") == ["临期的"]
    assert ids("--status", "forwarded") == ["转阅的"]
    assert ids("--status", "open") == ["逾期的", "临期的", "宽裕的"]
    bad = populated("list", "--status", "lost", today="2026-03-09")
    assert bad.code == 1 and "open（办理中）" in bad.err


def test_list_table_shows_tiers_and_days(populated):
    res = populated("list", today="2026-03-09")
    assert res.code == 0
    assert "逾期 4 天" in res.out and "剩 2 天" in res.out and "红" in res.out and "蓝" in res.out


def test_show_json_has_the_contract_fields(populated):
    data = populated("show", "2026-0001", "--json", today="2026-03-09").json()
    for key in (
        "id",
        "title",
        "category",
        "tier",
        "lead",
        "co",
        "issued",
        "deadline",
        "status",
        "overdue",
        "days_overdue",
        "log",
    ):
        assert key in data
    assert data["overdue"] is True and data["days_overdue"] == 4 and data["working_days_overdue"] == 2
    assert data["co"] == ["zjj"] and data["log"][0] == {"date": "2026-03-02", "kind": "issued"}
    assert data["due_soon"] is False
    assert populated("show", "2026-0002", "--json", today="2026-03-09").json()["due_soon"] is True
    text = populated("show", "2026-0001", today="2026-03-09").out
    assert "逾期的" in text and "区发展和改革委员会" in text and "立项交办" in text


def test_show_unknown_or_escaping_ids_are_refused(ledger):
    assert "没有编号" in ledger("show", "2026-0099").err
    for bad in ("../../etc/passwd", "2026-0001/../../x", "items"):
        res = ledger("show", bad)
        assert res.code == 1 and "格式不对" in res.err


# --------------------------------------------------------------------- check

ITEM = """\
id: 2026-0001
title: 测试事项
category: leader_instruction
tier: yellow
lead: fgw
co: [zjj]
issued: 2026-03-02
deadline: 2026-03-13
log:
  - {date: 2026-03-02, kind: issued}
  - {date: 2026-03-06, kind: report, unit: fgw, percent: 60, text: 已完成方案}
"""


def write_item(ledger, text, name="2026-0001"):
    path = ledger.root / "items" / name[:4] / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"items/{name[:4]}/{name}.yaml"


def check(ledger):
    res = ledger("check", "--json", today="2026-03-09")
    return res.code, [(p["path"], p["line"], p["message"]) for p in res.json() if p["severity"] == "error"]


def test_check_clean_item_passes(ledger):
    write_item(ledger, ITEM)
    assert check(ledger) == (0, [])


@pytest.mark.parametrize(
    "old,new,line,fragment",
    [
        ("tier: yellow\n", "tier: [yellow\n", 4, "YAML 语法错误"),
        ("tier: yellow\n", "tier: yellow\ncolour: red\n", 5, "未知的键 “colour”"),
        ("title: 测试事项\n", "", 1, "缺少必填字段 “title”"),
        ("deadline: 2026-03-13\n", "deadline: 下周五\n", 8, "应为日期"),
        ("deadline: 2026-03-13\n", "deadline: 2026-02-30\n", 8, "应为日期"),
        ("percent: 60", "percent: 六十", 11, "应为整数"),
        ("lead: fgw\n", "lead: nobody\n", 5, "未知的单位 “nobody”"),
        ("co: [zjj]\n", "co: [zjj, ghost]\n", 6, "未知的单位 “ghost”"),
        ("category: leader_instruction\n", "category: gossip\n", 3, "未知的类别 “gossip”"),
        ("tier: yellow\n", "tier: purple\n", 4, "未知的等级 “purple”"),
        ("id: 2026-0001\n", "id: 2026-0002\n", 1, "不符（应存放为 items/2026/2026-0002.yaml）"),
        ("{date: 2026-03-06, kind: report", "{date: 2026-03-01, kind: report", 11, "早于立项日期"),
        ("kind: report,", "kind: gossip,", 11, "未知的事件类型"),
        ("lead: fgw\n", "lead: fgw\nlead: zjj\n", 6, "重复的键"),
    ],
)
def test_check_reports_each_problem_with_file_and_line(ledger, old, new, line, fragment):
    rel = write_item(ledger, ITEM.replace(old, new, 1))
    code, problems = check(ledger)
    assert code == 1
    assert any(p == rel and ln == line and fragment in msg for p, ln, msg in problems), problems


def test_check_reports_all_problems_not_just_the_first(ledger):
    write_item(ledger, ITEM.replace("lead: fgw", "lead: nobody").replace("tier: yellow", "tier: purple"))
    write_item(
        ledger, ITEM.replace("2026-0001", "2026-0002").replace("issued: 2026-03-02", "issued: 明天"), "2026-0002"
    )
    code, problems = check(ledger)
    assert code == 1 and len(problems) == 3


def test_check_duplicate_ids(ledger):
    write_item(ledger, ITEM)
    (ledger.root / "items" / "2026" / "copy").mkdir()
    (ledger.root / "items" / "2026" / "copy" / "2026-0001.yaml").write_text(ITEM, encoding="utf-8")
    code, problems = check(ledger)
    assert code == 1
    assert any("重复" in m for _, _, m in problems)


def test_check_invalid_transition_in_log(ledger):
    write_item(ledger, ITEM + "  - {date: 2026-03-07, kind: close}\n")
    code, problems = check(ledger)
    assert problems == [
        ("items/2026/2026-0001.yaml", 12, "log[2]: 事项当前状态为“办理中”，不能注结销号（只有在 已办结 状态下可以）")
    ]


def test_check_invalid_rule_pack(ledger):
    cats = ledger.root / "rules" / "categories.yaml"
    cats.write_text(
        cats.read_text(encoding="utf-8").replace("deadline: {days: 2,", "deadline: {dayz: 2,"), encoding="utf-8"
    )
    code, problems = check(ledger)
    assert code == 1
    assert any(p == "rules/categories.yaml" and "dayz" in m for p, _, m in problems), problems


def test_python_object_tag_is_refused_and_harms_nothing(ledger, tmp_path):
    marker = tmp_path / "pwned"
    payload = ITEM.replace("title: 测试事项", f"title: !!python/object/apply:os.system ['touch {marker}']")
    rel = write_item(ledger, payload)
    code, problems = check(ledger)
    assert code == 1 and any(p == rel and ln == 2 and "不允许的 YAML 标签" in m for p, ln, m in problems)
    assert not marker.exists()
    # other commands carry on, report the broken file, and change nothing
    res = ledger("list", "--json", today="2026-03-09")
    assert res.code == 1 and res.json() == [] and rel in res.err
    assert not marker.exists()


def test_broken_item_is_reported_and_others_still_listed(ledger):
    ledger.issue(title="好的")
    write_item(ledger, "id: 2026-0009\ntitle: [broken\n", "2026-0009")
    res = ledger("list", "--json", today="2026-03-09")
    assert [r["title"] for r in res.json()] == ["好的"]
    assert "items/2026/2026-0009.yaml:2" in res.err or "items/2026/2026-0009.yaml:3" in res.err
    assert (ledger.root / "items/2026/2026-0009.yaml").exists()


def test_rules_folder_cannot_escape_the_ledger(ledger):
    cfg = ledger.root / "duban.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("rules: rules", "rules: ../../etc"), encoding="utf-8")
    code, problems = check(ledger)
    assert code == 1 and any("超出了台账目录" in m for _, _, m in problems)


# ------------------------------------------------------ audit trail and git


def test_comment_and_key_order_survive_an_edit(ledger):
    item_id = ledger.issue(deadline="2026-03-13")
    path = ledger.path(item_id)
    text = path.read_text(encoding="utf-8")
    text = text.replace("tier: yellow\n", "tier: yellow   # 区长特别交代，按黄色督办\n")
    text = "# 王敏 3月2日 登记\n" + text
    path.write_text(text, encoding="utf-8")
    git(ledger.root, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qam", "clerk comment")
    res = ledger(
        "extend",
        item_id,
        "--to",
        "2026-03-31",
        "--reason",
        "征地未完成",
        "--approved-by",
        "分管副区长",
        today="2026-03-10",
    )
    assert res.code == 0, res.err
    diff = git(ledger.root, "diff", "HEAD~1", "HEAD", "--unified=0", "--", f"items/2026/{item_id}.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        "+  - {date: 2026-03-10, kind: extension, to: 2026-03-31, reason: 征地未完成, approved_by: 分管副区长}"
    ]
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# 王敏 3月2日 登记\n") and "# 区长特别交代，按黄色督办" in after


def test_hand_edit_is_committed_separately_first(ledger):
    item_id = ledger.issue()
    path = ledger.path(item_id)
    path.write_text(path.read_text(encoding="utf-8").replace("关于加快", "关于尽快"), encoding="utf-8")
    res = ledger("extend", item_id, "--to", "2026-03-31", "--reason", "r", "--approved-by", "a", today="2026-03-10")
    assert res.code == 0, res.err
    subjects = ledger.commits()
    assert subjects[0].startswith("督办 2026-0001 延期至 2026-03-31")
    assert subjects[1].startswith("手工修改") and "items/2026/2026-0001.yaml" in subjects[1]
    hand = git(ledger.root, "show", "HEAD~1", "--unified=0")
    assert "+title: 关于尽快XX路改造工程的批示" in hand and "extension" not in hand
    assert ledger.clean()


def test_commit_contains_only_touched_files(ledger):
    ledger.issue()
    (ledger.root / "scratch.txt").write_text("clerk's notes")
    ledger.issue(title="第二件")
    assert ledger.files_in_head() == ["counters.yaml", "items/2026/2026-0002.yaml"]
    assert "scratch.txt" in git(ledger.root, "status", "--porcelain")


def test_works_without_git_identity(ledger, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    git(ledger.root, "config", "--unset-all", "user.name") if git_has(ledger.root, "user.name") else None
    ledger.issue()
    assert git(ledger.root, "log", "-1", "--format=%an <%ae>").strip() == "区政府督查办 <dcb@x.cn>"


def git_has(root, key):
    return subprocess.run(["git", "config", key], cwd=root, capture_output=True).returncode == 0


def test_log_shows_history_of_an_item(ledger):
    item_id = ledger.issue()
    ledger("extend", item_id, "--to", "2026-03-31", "--reason", "r", "--approved-by", "a", today="2026-03-10")
    rows = ledger("log", item_id, "--json").json()
    assert [r["message"] for r in rows] == [
        "督办 2026-0001 延期至 2026-03-31: r",
        "督办 2026-0001 立项: 关于加快XX路改造工程的批示",
    ]


def test_undo_reverts_last_action_but_never_reuses_ids(ledger):
    ledger.issue()
    second = ledger.issue(title="第二件")
    res = ledger("undo")
    assert res.code == 0 and "撤销" in res.out
    assert not ledger.path(second).exists()
    assert ledger.commits()[0] == "督办 撤销: 督办 2026-0002 立项: 第二件"
    third = ledger.issue(title="第三件")
    assert third == "2026-0003"
    assert "灞政督〔2026〕3号" in ledger.path(third).read_text(encoding="utf-8")


def test_undo_refuses_when_head_is_not_a_duban_action(ledger):
    ledger.issue()
    (ledger.root / "note.txt").write_text("x")
    git(ledger.root, "add", "note.txt")
    git(ledger.root, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "clerk's own commit")
    before = ledger.head()
    res = ledger("undo")
    assert res.code == 1 and "不是 duban 的操作" in res.err
    assert ledger.head() == before


def test_two_processes_racing_get_distinct_ids(ledger):
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "duban",
                "issue",
                "--title",
                f"并发{i}",
                "--category",
                "work_style",
                "--tier",
                "blue",
                "--lead",
                "fgw",
                "--ledger",
                str(ledger.root),
                "--today",
                "2026-03-02",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**__import__("os").environ, "DUBAN_LOCK_WAIT": "60"},
        )
        for i in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    ids = sorted(o[0].strip() for o in outs)
    assert ids == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    titles = sorted(ledger.path(i).read_text(encoding="utf-8").split("title: ")[1].split("\n")[0] for i in ids)
    assert titles == ["并发0", "并发1", "并发2", "并发3"]
    assert len(ledger.commits()) == 2 + 4 and ledger.clean()


def test_lock_held_elsewhere_gives_clear_message(ledger):
    from filelock import FileLock

    lock = FileLock(str(ledger.root / ".git" / "duban.lock"))
    (ledger.root / ".git" / "duban.lock.json").write_text(
        '{"pid": 4242, "command": "duban sweep", "since": "2026-03-02 07:00:00"}', encoding="utf-8"
    )
    with lock:
        res = run_cli(
            "issue",
            "--title",
            "X",
            "--category",
            "work_style",
            "--tier",
            "blue",
            "--lead",
            "fgw",
            "--ledger",
            str(ledger.root),
            "--today",
            "2026-03-02",
            env={"DUBAN_LOCK_WAIT": "0.5"},
        )
    assert res.returncode == 1
    assert "进程 4242（duban sweep" in res.stderr
    assert ledger.commits()[0] == "测试单位"


def test_ledger_discovery_walks_up_and_env(ledger):
    sub = ledger.root / "items"
    res = run_cli("list", "--json", "--today", "2026-03-02", cwd=sub)
    assert res.returncode == 0, res.stderr
    res = run_cli("list", "--json", "--today", "2026-03-02", cwd=Path("/"), env={"DUBAN_LEDGER": str(ledger.root)})
    assert res.returncode == 0, res.stderr
    res = run_cli("list", cwd=Path("/"))
    assert res.returncode == 1 and "duban.yaml" in res.stderr
