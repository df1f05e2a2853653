"""The clerk's desk (issue 17): list, show, search, the Chinese command line, calendar and rules outside
a ledger, unit events; the 台账 in and out of Excel is in test_desk_excel.py, the board in test_desk_board.py."""

from __future__ import annotations

import pytest
from conftest import Ledger, run_cli
from typer.testing import CliRunner

from duban.cli import app
from duban.commands.setup import init_ledger

TODAY = "2026-11-20"


@pytest.fixture
def sample(tmp_path) -> Ledger:
    return Ledger(init_ledger(tmp_path / "sample", sample=True, pack=None))


# ------------------------------------------------------------------------- list


def test_list_shows_items_in_hand_most_urgent_first(sample):
    in_hand = sample("list", "--json", today=TODAY).json()
    everything = sample("list", "--all", "--json", today=TODAY).json()
    assert {v["status"] for v in in_hand} <= {"open", "reported", "returned", "transferred"}
    assert {"closed", "done"} <= {v["status"] for v in everything} and len(everything) > len(in_hand)
    overdue = [v["days_overdue"] for v in in_hand if v["overdue"]]
    assert overdue and in_hand[: len(overdue)] == [v for v in in_hand if v["overdue"]]  # overdue first …
    assert overdue == sorted(overdue, reverse=True)  # … the longest overdue at the top
    lefts = [v["days_left"] for v in in_hand if v["status"] in ("open", "returned") and not v["overdue"]]
    assert lefts == sorted(lefts)


def test_repeated_status_filters_combine_never_keep_the_last(sample):
    def statuses(*args):
        return {v["status"] for v in sample("list", "--json", *args, today=TODAY).json()}

    assert statuses("--status", "closed", "--status", "done") == {"closed", "done"}
    assert statuses("--status", "open", "--status", "reported") == {"open", "reported"}
    both = sample("list", "--json", "--unit", "fgw", "--unit", "jyj", "--all", today=TODAY).json()
    assert {v["lead"] for v in both} >= {"fgw", "jyj"}


def test_list_shows_how_far_an_item_was_escalated(sample):
    rows = {v["id"]: v for v in sample("list", "--json", today=TODAY).json()}
    referred = rows["2026-0019"]["escalation"]
    assert referred["kind"] == "referral" and referred["label"].startswith("追责问效移交单 2026-")
    assert rows["2026-0024"]["escalation"] is None
    plain = sample("list", today=TODAY).out
    assert "督办" in plain.splitlines()[1] and referred["label"] in plain


def test_list_text_and_leader_filters(sample):
    hits = sample("list", "--all", "--json", "--text", "老旧小区", today=TODAY).json()
    assert [v["id"] for v in hits] == ["2026-0003"]
    assert sample("list", "--json", "--leader", "某某", today=TODAY).json() == []


def test_piped_list_is_one_plain_line_per_item_with_whole_titles(sample):
    res = run_cli("list", "--ledger", str(sample.root), "--today", TODAY, env={"COLUMNS": "80"})
    rows = sample("list", "--json", today=TODAY).json()
    lines = res.stdout.splitlines()
    assert res.returncode == 0 and len(lines) == len(rows) + 2  # caption, header, one line per item
    assert not any(ch in res.stdout for ch in "│┃━─┏")
    for v, line in zip(rows, lines[2:], strict=True):
        assert line.startswith(v["id"]) and line.endswith(v["title"])


# ------------------------------------------------------------------------- show


def test_show_history_reads_as_chinese_sentences(sample):
    out = sample("show", "2026-0019", today=TODAY).out
    for internal in ("lapse=", "answer_by", "number=", "final=True", "co=[", "None"):
        assert internal not in out
    assert "发出工作提醒单 2026-6，致区卫生健康委员会，事由：逾期未办结（期限 2026-10-26），要求 10-29 前答复" in out
    assert "区卫生健康委员会报送进展报告（完成 40%）：已完成7个中心的标准化评估。" in out
    assert "督办情况：追责问效移交单 2026-1（建议）" in out
    history = sample("show", "2026-0019", "--json", today=TODAY).json()["history"]
    assert history[0] == {"date": "2026-10-09", "what": "立项交办", "text": "立项交办"}


def test_show_says_when_next_years_holidays_are_not_published(ledger):
    item = ledger.issue(issued="2026-11-02", deadline="2027-03-01", today="2026-11-02")
    out = ledger("show", item, today="2026-11-20").out
    assert "None" not in out
    assert "2027 年节假日尚未公布" in out


# ------------------------------------------------------------------------ search


def test_search_finds_words_in_titles_reports_and_settled_items(sample):
    hits = sample("search", "标准化", "评估", "--json", today=TODAY).json()
    assert [h["id"] for h in hits] == ["2026-0019"]
    assert any("评估" in m["snippet"] and "报送" in m["field"] for m in hits[0]["matches"])
    closed = [v for v in sample("list", "--status", "closed", "--json", today=TODAY).json()]
    word = closed[0]["title"][-6:]
    assert closed[0]["id"] in [h["id"] for h in sample("search", word, "--json", today=TODAY).json()]
    text = sample("search", "老旧小区", today=TODAY).out
    assert "2026-0003" in text and "找到 1 项" in text
    assert sample("search", "没有这个词的事项", today=TODAY).out.strip() == "没有找到"


def test_search_ranks_title_hits_first(ledger):
    a = ledger.issue(title="学校食堂检查", requirement="无", issued="2026-03-02")
    b = ledger.issue(title="道路维修", requirement="顺带检查学校食堂的排水", issued="2026-03-03")
    assert [h["id"] for h in ledger("search", "食堂", "--json", today="2026-03-09").json()] == [a, b]


# --------------------------------------------------------- the command line in Chinese


@pytest.mark.parametrize(
    "args, said",
    [
        (["lis"], "没有命令 “lis”；是否要找 'list'？"),
        (["issue", "--title", "x"], "缺少选项 --category"),
        (
            ["report", "2026-0001", "--unit", "fgw", "--text", "x", "--percent", "lots"],
            "--percent 的值无效: “lots”不是整数",
        ),
        (["list", "--bogus"], "没有选项 --bogus"),
        (["list", "--status"], "选项 --status 需要一个值"),
        (["show"], "缺少参数 ITEM"),
        (["show", "2026-0001", "extra"], "多余的参数: extra"),
    ],
)
def test_usage_errors_are_in_chinese(ledger, args, said):
    res = CliRunner().invoke(app, [args[0], "--ledger", str(ledger.root), *args[1:]])
    assert res.exit_code == 2
    assert f"错误: {said}" in res.stderr
    if args[0] != "list":  # with the command's context click gives the usage line
        assert "用法: root " in res.stderr and "查看帮助" in res.stderr
    for english in ("Usage", "Error", "Missing", "Invalid", "Try '", "No such"):
        assert english not in res.stderr


def test_help_is_in_chinese_with_completion():
    res = CliRunner().invoke(app, ["--help"])
    for english in ("Show this message and exit", "Usage:", "Install completion"):
        assert english not in res.stdout
    assert "显示本帮助并退出" in res.stdout and "--install-completion" in res.stdout


def test_messages_are_not_wrapped_when_piped(ledger):
    (ledger.root / "items" / "2026").mkdir(parents=True, exist_ok=True)
    rel = "items/2026/2026-0009.yaml"
    (ledger.root / rel).write_text(
        "id: 2026-0009\ntitle: [一个很长很长很长很长很长很长很长很长很长的标题\n", encoding="utf-8"
    )
    res = run_cli("check", "--ledger", str(ledger.root), "--today", "2026-03-09", env={"COLUMNS": "80"})
    line = next(x for x in res.stdout.splitlines() if x.startswith(rel))
    assert "YAML 语法错误: 方括号 [ ] 里的列表，缺少 “,” 或 “]”（方括号没有闭合？）" in line
    assert len(line) > 80


def test_yaml_syntax_messages_are_in_chinese(ledger):
    from duban.store.yamlio import YamlError, loads

    for text, said in [
        ("a: b: c\n", "这里不能出现 “:”"),
        ('a: "x\n', "引号中的文字，文件意外结束（引号没有闭合？）"),
        ("a:\n\t- b\n", "制表符"),
        ("a:\n  b: 1\n c: 2\n", "缩进不一致"),
    ]:
        with pytest.raises(YamlError) as e:
            loads(text)
        assert said in e.value.message
        assert not any(w in e.value.message for w in ("while ", "found ", "expected", "mapping values"))


def test_calendar_and_rules_work_outside_a_ledger(tmp_path):
    env = {"DUBAN_LEDGER": ""}
    cal = run_cli("calendar", "2026", "--json", cwd=tmp_path, env=env)
    assert cal.returncode == 0, cal.stderr
    assert {"date": "2026-10-01", "name": "国庆节"}.items() <= next(
        d for d in __import__("json").loads(cal.stdout) if d["date"] == "2026-10-01"
    ).items()
    rules = run_cli("rules", "--json", cwd=tmp_path, env=env)
    assert rules.returncode == 0 and __import__("json").loads(rules.stdout)["name"] == "baqiao-2018"
    assert run_cli("list", cwd=tmp_path, env=env).returncode == 1  # the 台账 itself still needs a ledger


def test_event_prints_a_clear_confirmation(ledger):
    res = ledger("event", "zjj", "criticism", "--note", "x", today="2026-03-02")
    assert res.code == 0
    assert res.out.startswith("已记录单位事件 2026-0001：区住房和城乡建设局 2026-03-02 ")


def on_terminal(argv: list[str], columns: int = 80) -> tuple[str, str]:
    """Run duban with stdout and stderr on pseudo-terminals; what each showed."""
    import os
    import pty
    import subprocess
    import sys

    out, out_tty = pty.openpty()
    err, err_tty = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "DUBAN_TODAY": ""}
    subprocess.run([sys.executable, "-m", "duban", *argv], stdout=out_tty, stderr=err_tty, env=env, timeout=60)
    os.close(out_tty)
    os.close(err_tty)
    seen = []
    for fd in (out, err):
        data = b""
        try:
            while chunk := os.read(fd, 65536):
                data += chunk
        except OSError:  # the terminal closed
            pass
        seen.append(data.decode("utf-8", "replace").replace("\r\n", "\n"))
    return seen[0], seen[1]


def test_a_terminal_sees_progress_and_a_pipe_does_not(sample):
    _, err = on_terminal(["list", "--ledger", str(sample.root), "--today", TODAY])
    assert "正在读取台账" in err
    piped = run_cli("list", "--ledger", str(sample.root), "--today", TODAY)
    assert piped.returncode == 0 and "正在" not in piped.stderr


def test_an_80_column_terminal_shows_each_title_whole_under_its_figures(sample):
    from duban.outputs.table import width

    out, _ = on_terminal(["list", "--ledger", str(sample.root), "--today", TODAY], columns=80)
    rows = sample("list", "--json", today=TODAY).json()
    lines = out.strip("\n").splitlines()[2:]
    assert len(lines) == 2 * len(rows)
    for v, figures, title in zip(rows, lines[::2], lines[1::2], strict=True):
        assert figures.startswith(v["id"]) and width(figures) <= 80
        assert title == f"    {v['lead_name']}  {v['title']}"


def test_completion_offers_item_ids_units_categories_and_tiers(sample, monkeypatch):
    from duban.cli.common import complete_category, complete_item, complete_tier, complete_unit

    monkeypatch.setenv("DUBAN_LEDGER", str(sample.root))
    assert "2026-0019" in complete_item("2026-001") and all(i.startswith("2026-001") for i in complete_item("2026-001"))
    assert complete_unit("fg") == ["fgw"]
    assert "leader_instruction" in complete_category("lea")
    assert complete_tier("r") == ["red"] and complete_tier("") == ["red", "yellow", "blue"]
    # a unit retired is given no new items: not offered from its retirement on
    assert sample("unit", "retire", "fgw", "--force", "--reason", "机构改革", today="2026-06-01").code == 0
    monkeypatch.setenv("DUBAN_TODAY", "2026-05-31")
    assert complete_unit("fg") == ["fgw"]
    monkeypatch.setenv("DUBAN_TODAY", "2026-06-01")
    assert complete_unit("fg") == []
    monkeypatch.setenv("DUBAN_LEDGER", str(sample.root / "nowhere"))
    assert complete_item("") == [] and complete_unit("") == []


def test_every_kind_of_entry_has_a_sentence_without_internal_keys():
    from datetime import date as d

    from duban.core.entries import DECLARATIONS
    from duban.core.vocabulary import DEFAULT_WORDS
    from duban.outputs.views import history_sentence

    entries = {
        "issued": {},
        "report": {"unit": "fgw", "percent": 60, "final": True, "text": "已完成", "attachments": ["a.pdf"]},
        "review": {"result": "returned", "reason": "材料不全", "due": d(2026, 4, 1)},
        "extension": {"to": d(2026, 5, 1), "reason": "汛期", "approved_by": "分管副区长", "requested": d(2026, 3, 9)},
        "transfer_back": {"unit": "fgw", "reason": "不属本单位职责"},
        "reassign": {"lead": "zjj", "co": ["jyj"], "deadline": d(2026, 6, 1)},
        "instruction": {"text": "抓紧办理", "by_whom": "区长", "deadline": d(2026, 6, 30)},
        "lookback_done": {"text": "未反弹"},
        "close": {"text": "销号"},
        "due_soon": {"deadline": d(2026, 3, 13)},
        "report_due": {"due": d(2026, 3, 16), "unit": "fgw"},
        "lookback": {"due": d(2026, 5, 1)},
        "reminder": {"number": "2026-1", "lapse": "deadline:2026-09-21", "unit": "fgw", "answer_by": d(2026, 9, 24)},
        "urge": {"number": "2026-2", "lapse": "report:2026-03-16", "unit": "fgw"},
        "warning": {"number": "2026-3", "lapse": "manual:1", "reason": "进展缓慢"},
        "referral": {"number": "2026-4", "lapse": "deadline:2026-09-21", "status": "proposed"},
        "referral_decision": {"decision": "approved", "number": "2026-4", "text": "同意"},
        "consequence": {"rule": "r1", "action": "约谈主要负责人", "unit": "fgw", "count": 2},
        "amendment": {
            "changes": {"tier": {"old": "yellow", "new": "red"}, "co": {"old": [], "new": ["zjj"]}},
            "reason": "误录",
        },
        "withdrawal": {"reason": "重复立项"},
        "void": {"of": "reminder", "number": "2026-1", "lapse": "deadline:2026-09-21", "reason": "已按期报送"},
    }
    assert set(entries) == set(DECLARATIONS)
    names = {"fgw": "区发展和改革委员会", "zjj": "区住房和城乡建设局", "jyj": "区教育局"}.get
    for kind, fields in entries.items():
        said = history_sentence(
            {"date": d(2026, 3, 2), "kind": kind, "note": "备注文字", **fields}, DEFAULT_WORDS, names
        )
        assert "=" not in said and "True" not in said and "None" not in said and "[" not in said, said
        assert "fgw" not in said and "zjj" not in said and "备注文字" in said, said
    assert history_sentence({"kind": "reminder", **entries["reminder"]}, DEFAULT_WORDS, names) == (
        "发出工作提醒单 2026-1，致区发展和改革委员会，事由：逾期未办结（期限 2026-09-21），要求 09-24 前答复"
    )
