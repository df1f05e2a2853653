"""Issue #4: the item lifecycle and the daily sweep, for the default pack (灞桥, seed 000).

Dates worked by hand from 2026's calendar: 03-07/08, 03-14/15, 03-21/22 are weekends.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import yaml
from conftest import Ledger, git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.commands.sweep import run as sweep_run
from duban.core.entries import SWEEP_KINDS
from duban.core.escalation import due_events
from duban.core.model import Item
from duban.core.state import replay
from duban.store.data import rules_dir
from duban.store.packs import load_pack

SLIPS = ("reminder", "urge", "warning", "referral")


def log(ledger, item_id):
    return yaml.safe_load(ledger.path(item_id).read_text(encoding="utf-8"))["log"]


def kinds(ledger, item_id, only=SWEEP_KINDS):
    return [(e["kind"], str(e["date"])) for e in log(ledger, item_id) if e["kind"] in only]


def sweep(ledger, day, *more):
    res = ledger("sweep", "--json", *more, today=day)
    assert res.code == 0, res.err
    return res.json()


def test_on_time_report_means_no_slips(ledger):
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-13")
    assert ledger("report", item, "--unit", "fgw", "--text", "已全部完成", "--final", today="2026-03-12").code == 0
    sweep(ledger, "2026-04-30")
    assert kinds(ledger, item, SLIPS) == []
    assert ledger("review", item, "accept", today="2026-04-30").code == 0
    assert ledger("show", item, "--json", today="2026-04-30").json()["status"] == "done"


def test_overdue_item_climbs_the_ladder_to_a_proposed_referral(ledger):
    # 五、(四): 提醒单 → (2日内答复, 三、(一)1(4)) → 警告单 → 建议启动追责问效移交单 (经区政府同意)
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-05")  # Thursday
    sweep(ledger, "2026-03-06")
    ev = log(ledger, item)
    assert ev[-1] == {
        "date": date(2026, 3, 6),
        "kind": "reminder",
        "number": "2026-1",
        "lapse": "deadline:2026-03-05",
        "unit": "fgw",
        "answer_by": date(2026, 3, 9),
    }
    # answer window: 03-06 + 2 days = Sunday 03-08 → Monday 03-09; 五、(四)2 多次催办: a second 提醒单 the next
    # working day (answer Thu 03-12), then the warning on Fri 03-13 (answer Sun 03-15 → Mon 03-16)
    sweep(ledger, "2026-03-09")
    assert kinds(ledger, item, SLIPS) == [("reminder", "2026-03-06")]
    sweep(ledger, "2026-03-10")
    assert log(ledger, item)[-1]["kind"] == "reminder" and log(ledger, item)[-1]["answer_by"] == date(2026, 3, 12)
    sweep(ledger, "2026-03-13")
    assert log(ledger, item)[-1]["kind"] == "warning" and log(ledger, item)[-1]["answer_by"] == date(2026, 3, 16)
    data = sweep(ledger, "2026-03-17")
    referral = log(ledger, item)[-1]
    assert referral["kind"] == "referral" and referral["status"] == "proposed" and str(referral["date"]) == "2026-03-17"
    assert any("待区政府决定" in p["what"] for p in data["pending"])
    # nothing more climbs; the proposal waits for a decision
    sweep(ledger, "2026-04-30")
    assert [k for k, _ in kinds(ledger, item, SLIPS)] == ["reminder", "reminder", "warning", "referral"]
    assert ledger("refer", item, "approve", "--text", "同意移交区监察委", today="2026-04-30").code == 0
    decision = log(ledger, item)[-1]
    assert (
        decision["kind"] == "referral_decision"
        and decision["decision"] == "approved"
        and decision["number"] == "2026-1"
    )
    assert any(e["kind"] == "referral" for e in log(ledger, item))  # the proposal stays in the log
    assert ledger("refer", item, "approve", today="2026-04-30").code == 1


def test_forwarded_item_is_never_late_or_escalated(ledger):
    res = ledger(
        "issue",
        "--title",
        "转阅",
        "--category",
        "other",
        "--tier",
        "red",
        "--lead",
        "fgw",
        "--forward",
        "--deadline",
        "2026-03-03",
        today="2026-03-02",
    )
    item = res.out.strip()
    sweep(ledger, "2026-06-30")
    assert kinds(ledger, item) == []
    view = ledger("show", item, "--json", today="2026-06-30").json()
    assert view["status"] == "forwarded" and view["overdue"] is False
    assert ledger("report", item, "--unit", "fgw", "--text", "x", today="2026-03-05").code == 1


def test_returned_report_gets_a_new_deadline_and_escalation_restarts(ledger):
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-13")
    ledger("report", item, "--unit", "fgw", "--text", "完成", "--final", today="2026-03-10")
    res = ledger("review", item, "return", "--reason", "反馈模糊，答复不全", today="2026-03-11")
    assert res.code == 0 and "2026-03-18" in res.out  # 五、(三); 5 working days from 03-11
    view = ledger("show", item, "--json", today="2026-03-16").json()
    assert view["status"] == "returned" and view["deadline"] == "2026-03-18"
    sweep(ledger, "2026-03-19")
    slips = [e for e in log(ledger, item) if e["kind"] in SLIPS]
    assert [(e["kind"], str(e["date"]), e["lapse"]) for e in slips] == [
        ("reminder", "2026-03-19", "deadline:2026-03-18")
    ]


def test_transfer_back_only_on_the_day_of_receipt(ledger):
    # 五、(三): 不属于自身职责范围内的，应当日向区政府办公室提出
    item = ledger.issue(category="other", tier="blue", deadline="2026-03-13")
    late = ledger("transfer-back", item, "--unit", "fgw", "--reason", "非本单位职责", today="2026-03-03")
    assert late.code == 1 and "2026-03-02 前" in late.err
    ok = ledger("transfer-back", item, "--unit", "fgw", "--reason", "非本单位职责", today="2026-03-02")
    assert ok.code == 0
    assert ledger("show", item, "--json", today="2026-03-02").json()["status"] == "transferred"
    sweep(ledger, "2026-03-20")
    assert kinds(ledger, item, SLIPS) == []  # waiting on the office, not the unit
    assert ledger("reassign", item, "--lead", "zjj", "--deadline", "2026-03-31", today="2026-03-20").code == 0
    view = ledger("show", item, "--json", today="2026-03-20").json()
    assert view["lead"] == "zjj" and view["status"] == "open" and view["deadline"] == "2026-03-31"


def test_reopened_item_runs_again(ledger):
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-13")
    ledger("report", item, "--unit", "fgw", "--text", "完成", "--final", today="2026-03-12")
    ledger("review", item, "accept", today="2026-03-13")
    assert (
        ledger("instruct", item, "--text", "区长再次批示：巩固成果", today="2026-04-01").code == 1
    )  # needs a deadline
    assert (
        ledger(
            "instruct", item, "--text", "区长再次批示：巩固成果", "--deadline", "2026-04-10", today="2026-04-01"
        ).code
        == 0
    )
    assert ledger("show", item, "--json", today="2026-04-01").json()["status"] == "open"
    sweep(ledger, "2026-04-13")
    assert kinds(ledger, item, SLIPS) == [("reminder", "2026-04-13")]


def test_yellow_light_before_the_deadline(ledger):
    ledger.issue(category="other", tier="yellow", deadline="2026-03-13")
    assert sweep(ledger, "2026-03-10")["actions"] == []
    data = sweep(ledger, "2026-03-11")  # 2 working days before Friday 03-13
    assert [(a["action"], a["date"]) for a in data["actions"]] == [("due_soon", "2026-03-11")]
    assert ledger("list", "--json", today="2026-03-11").json()[0]["due_soon"] is True


def test_second_sweep_on_the_same_day_makes_no_commit(ledger):
    ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    sweep(ledger, "2026-03-20")
    head = ledger.head()
    again = sweep(ledger, "2026-03-20")
    assert again["actions"] == [] and ledger.head() == head


def test_dry_run_changes_nothing(ledger):
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    head, before = ledger.head(), ledger.path(item).read_text(encoding="utf-8")
    data = sweep(ledger, "2026-03-20", "--dry-run")
    assert [a["action"] for a in data["actions"]] == ["due_soon", "reminder", "reminder", "warning", "referral"]
    assert ledger.head() == head and ledger.path(item).read_text(encoding="utf-8") == before
    assert [p.name for p in (ledger.root / "out").rglob("*.*")] == [f"{item}-督查通知单.docx"]  # from the issue


def test_one_commit_per_sweep_and_a_digest(ledger):
    a = ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    b = ledger.issue(title="第二件", category="other", tier="red", deadline="2026-03-06")
    before = len(ledger.commits())
    data = sweep(ledger, "2026-03-09")
    assert len(ledger.commits()) == before + 1
    message = git(ledger.root, "log", "-1", "--format=%B")
    assert message.startswith("督办 巡查 2026-03-09:") and f"{a} 2026-03-06 工作提醒单 2026-1" in message
    assert f"{b} 2026-03-09 工作提醒单 2026-2" in message  # numbered in date order, then item id
    digest = (ledger.root / "out" / "sweep" / "2026-03-09.md").read_text(encoding="utf-8")
    assert "# 督查日报 2026-03-09" in digest and "工作提醒单" in digest
    assert set(data) >= {"date", "actions", "problems"}
    assert set(data["actions"][0]) >= {"item", "action", "date", "number", "unit"}
    assert ledger.clean()


def test_quiet_prints_nothing_when_nothing_happened(ledger):
    ledger.issue(category="other", tier="yellow", deadline="2026-04-30")
    res = ledger("sweep", "--quiet", today="2026-03-03")
    assert res.code == 0 and res.out == ""


def test_broken_item_is_reported_and_the_rest_are_swept(ledger):
    good = ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    bad = ledger.root / "items" / "2026" / "2026-0099.yaml"
    bad.write_text("id: 2026-0099\ntitle: [oops\n", encoding="utf-8")
    res = ledger("sweep", "--json", today="2026-03-06")
    assert res.code == 1
    data = res.json()
    assert {a["item"] for a in data["actions"]} == {good}
    assert any(p["path"] == "items/2026/2026-0099.yaml" for p in data["problems"])
    assert bad.read_text(encoding="utf-8") == "id: 2026-0099\ntitle: [oops\n"


def test_close_requires_the_lookback_the_pack_asks_for(ledger):
    # a pack whose look-backs run until the item is struck off (lookback_until: closed, the default) demands one
    # after it is done; 灞桥's 常务会 look-backs run only until the decision is carried out (三、(一)3 直至落实)
    folder = ledger.root / "rules" / "categories.yaml"
    text = folder.read_text(encoding="utf-8")
    folder.write_text(text.replace("  lookback_until: done\n", "", 1), encoding="utf-8")
    git(ledger.root, "commit", "-qam", "规则包：常务会回头望至销号")
    item = ledger.issue(category="meeting_executive", tier="yellow", deadline=None)
    ledger("report", item, "--unit", "fgw", "--text", "完成", "--final", today="2026-03-10")
    ledger("review", item, "accept", today="2026-03-11")
    refused = ledger("close", item, today="2026-03-12")
    assert refused.code == 1 and "回头望" in refused.err
    sweep(ledger, "2026-04-03")
    assert kinds(ledger, item, ("lookback",)) == [("lookback", "2026-04-02")]  # 03-02 + 1 month
    ledger("lookback", item, "--text", "措施保持到位", today="2026-04-03")
    assert ledger("close", item, today="2026-04-03").code == 0
    assert ledger("show", item, "--json", today="2026-04-03").json()["status"] == "closed"
    sweep(ledger, "2026-09-30")
    assert len(kinds(ledger, item, ("lookback",))) == 1  # struck off: no more look-backs


def test_manual_slip_is_numbered_with_the_sweep(ledger):
    ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    b = ledger.issue(title="进展缓慢", category="other", tier="yellow", deadline="2026-04-30")
    sweep(ledger, "2026-03-06")
    res = ledger("escalate", b, "--step", "reminder", "--reason", "进展缓慢", today="2026-03-06")
    assert res.code == 0 and "2026-2" in res.out
    slip = log(ledger, b)[-1]
    assert slip["kind"] == "reminder" and slip["answer_by"] == date(2026, 3, 9) and slip["reason"] == "进展缓慢"
    assert ledger("escalate", b, "--step", "scolding", "--reason", "x", today="2026-03-06").code == 1


def test_count_of_overdue_lapses_triggers_a_consequence(ledger):
    # a test pack in the manner of 卓尼 第十二条: the same item overdue twice → 通报批评
    proc = ledger.root / "rules" / "process.yaml"
    proc.write_text(
        proc.read_text(encoding="utf-8").replace(
            "consequences: []",
            "consequences:\n  - {id: twice, count: overdue, at: 2, action: 通报批评并约谈, source: 第十二条}",
        ),
        encoding="utf-8",
    )
    git(ledger.root, "commit", "-qam", "pack")
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-05")
    sweep(ledger, "2026-03-06")
    ok = ledger(
        "extend",
        item,
        "--to",
        "2026-03-20",
        "--reason",
        "r",
        "--approved-by",
        "a",
        "--requested",
        "2026-03-04",
        today="2026-03-06",
    )
    assert ok.code == 0, ok.err
    sweep(ledger, "2026-03-24")
    cons = [e for e in log(ledger, item) if e["kind"] == "consequence"]
    assert [(c["rule"], str(c["date"]), c["count"]) for c in cons] == [("twice", "2026-03-23", 2)]


def test_periodic_reports_missed_climb_only_to_the_warning(ledger):
    # 三、(一)1(2): yellow leader instructions report every 2 weeks; process.yaml report_lapse up_to warning
    item = ledger.issue(category="leader_instruction", tier="yellow", deadline="2026-05-29")
    sweep(ledger, "2026-04-30")
    got = kinds(ledger, item, ("report_due", *SLIPS))
    assert got == [
        ("report_due", "2026-03-16"),
        ("reminder", "2026-03-17"),
        ("reminder", "2026-03-20"),
        ("warning", "2026-03-24"),
        ("report_due", "2026-03-30"),
        ("report_due", "2026-04-13"),
        ("report_due", "2026-04-27"),
    ]


# ------------------------------------------------------------- catch-up


def test_one_sweep_after_sixty_days_equals_daily_sweeps(ledger, tmp_path):
    ledger.issue(title="逾期", category="other", tier="yellow", deadline="2026-03-05")
    ledger.issue(title="双周报", category="leader_instruction", tier="yellow", deadline="2026-04-24")
    ledger.issue(title="红色当日", category="leader_instruction", tier="red", deadline=None, issued="2026-03-02")
    ledger.issue(title="常务会", category="meeting_executive", tier="blue", deadline=None, co=["zjj"])
    ledger.issue(title="政府工作报告", category="work_report", tier="blue", deadline=None)
    done = ledger.issue(title="按时办结", category="other", tier="blue", deadline="2026-03-20")
    ledger("report", done, "--unit", "fgw", "--text", "完成", "--final", today="2026-03-02")
    copy = Ledger(tmp_path / "copy")
    shutil.copytree(ledger.root, copy.root)
    day = date(2026, 3, 2)
    while day <= date(2026, 4, 30):
        sweep_run(ledger.root, day)
        day += timedelta(days=1)
    sweep_run(copy.root, date(2026, 4, 30))
    for path in sorted((ledger.root / "items").rglob("*.yaml")):
        twin = copy.root / path.relative_to(ledger.root)
        assert path.read_text(encoding="utf-8") == twin.read_text(encoding="utf-8"), path.name
    assert (ledger.root / "counters.yaml").read_text() == (copy.root / "counters.yaml").read_text()
    assert sum(1 for e in log(ledger, "2026-0001") if e["kind"] in SLIPS) == 4  # 提醒单 ×2, 警告单, 移交建议


# ------------------------------------------------------------- properties

PACK, _ = load_pack(rules_dir())
START = date(2026, 3, 2)


@st.composite
def histories(draw):
    """A random but well-formed life of one item: clerk events in date order."""
    category = draw(st.sampled_from(["other", "leader_instruction", "meeting_topic", "work_style"]))
    tier = draw(st.sampled_from(["red", "yellow", "blue"]))
    forward = draw(st.booleans()) and draw(st.booleans())
    deadline = START + timedelta(days=draw(st.integers(0, 20)))
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(1, 6),
                st.sampled_from(["progress", "final", "accept", "return", "extend", "close", "instruct", "lookback"]),
            ),
            max_size=10,
        )
    )
    return category, tier, forward, deadline, steps


def _clerk_event(kind, day, st_, item):
    lead = st_.lead
    if kind == "progress":
        return {"date": day, "kind": "report", "unit": lead, "text": "进展"}
    if kind == "final":
        return {"date": day, "kind": "report", "unit": lead, "text": "完成", "final": True}
    if kind == "accept":
        return {"date": day, "kind": "review", "result": "accepted"}
    if kind == "return":
        return {"date": day, "kind": "review", "result": "returned", "due": day + timedelta(days=7)}
    if kind == "extend" and st_.deadline:
        return {"date": day, "kind": "extension", "to": max(st_.deadline, day) + timedelta(days=10)}
    if kind == "close":
        return {"date": day, "kind": "close"}
    if kind == "instruct":
        return {"date": day, "kind": "instruction", "text": "再批示", "deadline": day + timedelta(days=9)}
    if kind == "lookback":
        return {"date": day, "kind": "lookback_done", "text": "回头望"}
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_sweep_never_escalates_finished_items_nor_repeats_a_step(history):
    from duban.core.state import action_of, refusal

    category, tier, forward, deadline, steps = history
    item = Item(
        id="2026-0001",
        title="t",
        category=category,
        tier=tier,
        lead="fgw",
        issued=START,
        deadline=None if forward else deadline,
        forward=forward,
        log=[{"date": START, "kind": "issued"}],
        path="items/2026/2026-0001.yaml",
    )
    plan = {}
    day = START
    for gap, kind in steps:
        day += timedelta(days=gap)
        plan.setdefault(day, []).append(kind)
    end = max([day, START]) + timedelta(days=30)
    d = START
    while d <= end:
        item.log.extend(dict(ev, number=ev.get("number")) for ev in due_events(item, PACK, d))
        for kind in plan.get(d, []):
            st_ = replay(item, d)
            ev = _clerk_event(kind, d, st_, item)
            if ev and not refusal(st_.status, action_of(item, ev, st_.lead)):
                item.log.append(ev)
        d += timedelta(days=1)
    seen = set()
    for ev in item.log:
        if ev["kind"] not in SLIPS:
            continue
        key = (ev["kind"], ev["lapse"], ev.get("round") or 1)
        assert key not in seen, f"{key} issued twice"
        seen.add(key)
        before = replay(item, ev["date"] - timedelta(days=1))
        assert before.status in ("open", "returned"), (ev, before.status)
        assert not forward


def test_report_from_file_with_attachment_and_unit_rules(ledger, tmp_path):
    item = ledger.issue(category="other", tier="yellow", deadline="2026-03-13", co=["zjj"])
    body = tmp_path / "落实情况.txt"
    body.write_text("一、基本情况\n已完成路面改造 60%。\n", encoding="utf-8")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 jpeg bytes")
    res = ledger(
        "report",
        item,
        "--unit",
        "fgw",
        "--file",
        str(body),
        "--percent",
        "60",
        "--attachment",
        str(photo),
        today="2026-03-06",
    )
    assert res.code == 0, res.err
    ev = log(ledger, item)[-1]
    assert ev["text"].startswith("一、基本情况") and ev["percent"] == 60
    assert ev["attachments"] == [f"attachments/{item}/现场照片.jpg"]
    assert (ledger.root / "attachments" / item / "现场照片.jpg").read_bytes() == photo.read_bytes()
    assert sorted(ledger.files_in_head()) == [f"attachments/{item}/现场照片.jpg", f"items/2026/{item}.yaml"]
    # 西城 第十二条(四): co-units report to the lead; only the lead sends the final report
    assert ledger("report", item, "--unit", "zjj", "--text", "配合完成", "--final", today="2026-03-06").code == 1
    assert ledger("report", item, "--unit", "zjj", "--text", "配合完成", today="2026-03-06").code == 0
    assert ledger("report", item, "--unit", "jyj", "--text", "x", today="2026-03-06").code == 1
    assert ledger("report", item, "--unit", "fgw", "--text", "x", "--date", "2026-03-09", today="2026-03-06").code == 1
    assert ledger("report", item, "--unit", "fgw", "--text", "x", "--percent", "120", today="2026-03-06").code == 1


# ------------------------------------------------------- unit-level consequences

WEINAN_ANKANG = """consequences:
  - {id: self-exam, count: unit_event, event: criticism, at: 1, action: 向党工委、管委会作出书面检查, source: 渭南 十六(二)}
  - {id: interview, count: unit_event, event: criticism, at: 2, action: 约谈主要负责人并取消年度评先树优资格, source: 渭南 十六(二)}
  - {id: accountability, count: unit_event, event: criticism, at: 3, and_more: true, action: 提出问责建议, source: 渭南 十六(三)}
  - {id: rectify, count: unit_event, event: criticism, at: 1, and_more: true, action: 一周内形成书面整改报告, owes: {days: 7}, source: 安康 二(六)}
"""


def with_consequences(ledger, text):
    proc = ledger.root / "rules" / "process.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("consequences: []\n", text), encoding="utf-8")
    git(ledger.root, "commit", "-qam", "pack: consequences")


def events_on_disk(ledger):
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ledger.root / "events").rglob("*.yaml"))]


def test_unit_event_is_recorded_as_its_own_file_and_commit(ledger):
    res = ledger("event", "fgw", "praise", "--level", "county", "--note", "督查专报第5期", today="2026-03-02")
    assert res.code == 0, res.err
    assert res.out.strip() == "已记录单位事件 2026-0001：区发展和改革委员会 2026-03-02 《督查专报》表扬（县(区)级）"
    assert events_on_disk(ledger) == [
        {
            "id": "2026-0001",
            "unit": "fgw",
            "kind": "praise",
            "date": date(2026, 3, 2),
            "level": "county",
            "note": "督查专报第5期",
        }
    ]
    assert ledger.commits()[0] == "督办 单位事件 2026-0001: 区发展和改革委员会 《督查专报》表扬"
    bad = ledger("event", "fgw", "gossip", today="2026-03-02")
    assert bad.code == 1 and "criticism（通报批评）" in bad.err
    assert ledger("event", "nobody", "praise", today="2026-03-02").code == 1
    assert ledger("event", "fgw", "praise", "--level", "galactic", today="2026-03-02").code == 1


def test_criticism_counts_per_unit_per_year_trigger_consequences(ledger):
    # 渭南 十六(二)(三): 一年内通报批评一次 → 书面检查; 两次 → 约谈、取消评先树优; 三次及以上 → 问责建议
    # 安康 二(六): 被通报单位自通报之日起一周内形成书面整改报告
    with_consequences(ledger, WEINAN_ANKANG)
    for day in ("2026-03-02", "2026-05-06", "2026-09-01", "2026-10-12"):
        assert ledger("event", "fgw", "criticism", today=day).code == 0
    ledger("event", "zjj", "criticism", today="2026-05-06")
    ledger("event", "zjj", "criticism", today="2026-12-01")
    data = sweep(ledger, "2026-12-02")
    got = [(a["unit"], a["date"], a["rule"], a["count"], a.get("due")) for a in data["actions"]]
    assert got == [
        ("fgw", "2026-03-02", "rectify", 1, "2026-03-09"),
        ("fgw", "2026-03-02", "self-exam", 1, None),
        ("fgw", "2026-05-06", "interview", 2, None),
        ("fgw", "2026-05-06", "rectify", 2, "2026-05-13"),
        ("zjj", "2026-05-06", "rectify", 1, "2026-05-13"),
        ("zjj", "2026-05-06", "self-exam", 1, None),
        ("fgw", "2026-09-01", "accountability", 3, None),
        ("fgw", "2026-09-01", "rectify", 3, "2026-09-08"),
        ("fgw", "2026-10-12", "accountability", 4, None),
        ("fgw", "2026-10-12", "rectify", 4, "2026-10-19"),
        ("zjj", "2026-12-01", "interview", 2, None),
        ("zjj", "2026-12-01", "rectify", 2, "2026-12-08"),
    ]
    assert all(a["item"] is None for a in data["actions"])
    written = [e for e in events_on_disk(ledger) if e["kind"] == "consequence"]
    assert len(written) == 12 and written[0]["source_event"] == "2026-0001"
    assert sweep(ledger, "2026-12-03")["actions"] == []  # never twice
    assert ledger("check", "--json", today="2026-12-03").code == 0


def test_unit_consequence_rule_must_name_a_known_event(ledger):
    with_consequences(ledger, "consequences:\n  - {id: x, count: unit_event, event: scolding, at: 1, action: y}\n")
    res = ledger("check", "--json", today="2026-03-02")
    assert res.code == 1
    assert any(p["path"] == "rules/process.yaml" and "unit_events" in p["message"] for p in res.json())
