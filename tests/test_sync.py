"""Two clerks, one ledger: a bare remote and clones in temporary folders, synced with ``duban sync`` (issue 19)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from duban.store.yamlio import loads
from tests.conftest import Ledger, git, issue_args, make_ledger


@pytest.fixture
def office(tmp_path):
    """The office's server (a bare repository) and two clerks' copies: ``main`` set it up, ``deputy`` cloned it."""
    main = make_ledger(tmp_path / "main")
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    res = main("sync", "--remote", str(server), today="2026-03-02")
    assert res.code == 0, res.err
    git(tmp_path, "clone", "-q", str(server), str(tmp_path / "deputy"))
    deputy = Ledger(tmp_path / "deputy")
    return main, deputy, server


def offline(server: Path):
    """The server unreachable (moved away) while the block runs."""

    class Away:
        def __enter__(self):
            server.rename(server.with_suffix(".away"))

        def __exit__(self, *exc):
            server.with_suffix(".away").rename(server)

    return Away()


def ok(res):
    assert res.code == 0, res.out + res.err
    return res


def item_ids(led: Ledger) -> list[str]:
    return sorted(p.stem for p in (led.root / "items").rglob("*.yaml"))


def files(led: Ledger) -> dict[str, bytes]:
    out = {}
    for p in sorted(led.root.rglob("*")):
        rel = p.relative_to(led.root).as_posix()
        if p.is_file() and not rel.startswith((".git/", "out/")):
            out[rel] = p.read_bytes()
    return out


def numbers(led: Ledger) -> list[str]:
    """Every id, 文号 and slip number in the ledger, once per place it is given."""
    out = []
    for p in sorted((led.root / "items").rglob("*.yaml")):
        data, _ = loads(p.read_text(encoding="utf-8"))
        out.append(f"id:{data['id']}")
        if data.get("ref"):
            out.append(f"ref:{data['ref']}")
        for e in data.get("log") or []:
            if e.get("number"):
                out.append(f"{e['kind']}:{e['number']}")
    for p in sorted((led.root / "events").rglob("*.yaml")) if (led.root / "events").is_dir() else []:
        out.append(f"event:{p.stem}")
    return out


def test_two_clerks_issue_and_sync_to_identical_ledgers(office):
    main, deputy, server = office
    a = main.issue(title="甲事项", today="2026-03-02")
    b = deputy.issue(title="乙事项", today="2026-03-02")
    assert a != b
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    ok(main("sync", today="2026-03-02"))
    assert files(main) == files(deputy)
    assert main.head() == deputy.head()
    nums = numbers(main)
    assert len(nums) == len(set(nums)) and len(item_ids(main)) == 2
    ok(main("check", today="2026-03-02"))
    ok(main("verify", "--all"))
    ok(deputy("verify", "--all"))


def claims(server: Path) -> list[str]:
    """The subjects of the claim commits on the server, oldest first."""
    return [s for s in git(server, "log", "--reverse", "--format=%s").splitlines() if "预留编号" in s]


def test_an_issue_or_an_import_claims_all_its_numbers_in_one_round_trip(office, tmp_path):
    from tests.test_desk_excel import messy_sheet

    main, _, server = office
    a = main.issue(title="甲事项", today="2026-03-02")
    assert len(claims(server)) == 1 and claims(server)[0].endswith(
        "预留编号: item 2026 第 1–1 号；notice 2026 第 1–1 号"
    )
    sheet = tmp_path / "台账.xlsx"
    messy_sheet(sheet)  # three rows of 2026 without a 文号
    ok(main("import", str(sheet), "--category", "key_project", today="2026-11-20"))
    assert len(claims(server)) == 2
    assert "item 2026 第 2–4 号" in claims(server)[1] and "notice 2026 第 2–4 号" in claims(server)[1]
    ok(main("sync", today="2026-11-20"))
    assert item_ids(main) == [a, "2026-0002", "2026-0003", "2026-0004"]
    nums = numbers(main)
    assert len(nums) == len(set(nums))
    ok(main("check", today="2026-11-20"))


def test_offline_numbers_come_from_the_reserve_and_never_clash(office):
    main, deputy, server = office
    ok(deputy("sync", "--reserve", "3", today="2026-03-02"))
    with offline(server):
        refused = main(*issue_args(title="离线"), today="2026-03-02")
        assert refused.code != 0 and "预留" in refused.err
        assert main.clean()
        ids = [deputy.issue(title=f"离线{i}", today="2026-03-02") for i in range(2)]
    ids += [main.issue(title="联网", today="2026-03-02")]
    for led in (deputy, main, deputy):
        ok(led("sync", today="2026-03-02"))
    assert files(main) == files(deputy)
    nums = numbers(main)
    assert len(nums) == len(set(nums)) and len(item_ids(main)) == 3


def test_reports_on_both_sides_are_united_once(office):
    main, deputy, server = office
    item = main.issue(title="两处都报", today="2026-03-02")
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    ok(main("report", item, "--unit", "fgw", "--text", "主办已推进", "--percent", "30", today="2026-03-05"))
    ok(deputy("report", item, "--unit", "fgw", "--text", "另一份报告", "--percent", "40", today="2026-03-06"))
    ok(main("sync", today="2026-03-06"))
    ok(deputy("sync", today="2026-03-06"))
    ok(main("sync", today="2026-03-06"))
    assert files(main) == files(deputy)
    log = loads(main.path(item).read_text(encoding="utf-8"))[0]["log"]
    texts = [e.get("text") for e in log if e["kind"] == "report"]
    assert sorted(texts) == ["主办已推进", "另一份报告"]
    ok(main("check", today="2026-03-06"))
    ok(main("verify", "--all"))


def test_a_field_changed_differently_on_both_sides_is_a_conflict_resolved_by_the_command(office):
    main, deputy, server = office
    item = main.issue(title="期限冲突", today="2026-03-02")
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    ok(main("extend", item, "--to", "2026-03-20", "--reason", "甲", "--approved-by", "王", today="2026-03-04"))
    ok(deputy("extend", item, "--to", "2026-03-27", "--reason", "乙", "--approved-by", "李", today="2026-03-04"))
    ok(main("sync", today="2026-03-04"))
    res = deputy("sync", today="2026-03-04")
    assert res.code == 1
    assert "2026-03-20" in res.out and "2026-03-27" in res.out and f"duban resolve {item} deadline" in res.out
    text = deputy.path(item).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    chk = deputy("check", today="2026-03-04")
    assert chk.code == 1 and "deadline" in chk.out
    ok(deputy("resolve", item, "deadline", "2026-03-27", today="2026-03-04"))
    ok(deputy("check", today="2026-03-04"))
    shown = ok(deputy("show", item, "--json", today="2026-03-04")).json()
    assert str(shown["deadline"]) == "2026-03-27"
    ok(deputy("sync", today="2026-03-04"))
    ok(main("sync", today="2026-03-04"))
    assert files(main) == files(deputy)
    ok(main("check", today="2026-03-04"))
    ok(main("verify", "--all"))


def test_the_sweep_syncs_and_never_sends_a_slip_twice(office):
    main, deputy, server = office
    item = main.issue(title="将逾期", deadline="2026-03-06", today="2026-03-02")
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    ok(main("sweep", "--no-forms", today="2026-03-10"))
    before = main.path(item).read_text(encoding="utf-8")
    ok(deputy("sweep", "--no-forms", today="2026-03-10"))  # syncs first: the slips are there already
    assert deputy.path(item).read_text(encoding="utf-8") == before
    ok(main("sync", today="2026-03-10"))
    assert files(main) == files(deputy)
    nums = numbers(main)
    assert len(nums) == len(set(nums))
    with offline(server):
        res = deputy("sweep", "--no-forms", today="2026-03-11")
        assert res.code != 0 and "--offline" in res.err


def test_plain_git_pull_uses_the_merge_driver(office):
    main, deputy, server = office
    item = main.issue(title="用 git pull", today="2026-03-02")
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    ok(main("report", item, "--unit", "fgw", "--text", "甲报告", today="2026-03-05"))
    ok(deputy("report", item, "--unit", "fgw", "--text", "乙报告", today="2026-03-05"))
    a, b = main.issue(title="甲新立项", today="2026-03-05"), deputy.issue(title="乙新立项", today="2026-03-05")
    ok(main("sync", today="2026-03-05"))
    git(deputy.root, "pull", "-q", "--no-rebase", "--no-edit", "origin", "master")  # no conflict to settle
    text = deputy.path(item).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and "甲报告" in text and "乙报告" in text
    counters = (deputy.root / "counters.yaml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in counters
    top = loads(counters)[0]["item"][2026]
    assert top >= max(int(a[5:]), int(b[5:])) and deputy.path(a).exists() and deputy.path(b).exists()
    shutil.rmtree(deputy.root / "out", ignore_errors=True)
    ok(deputy("check", today="2026-03-05"))


def test_undo_stops_at_what_the_remote_already_holds(office):
    main, deputy, server = office
    item = main.issue(title="撤销边界", today="2026-03-02")
    ok(main("sync", today="2026-03-02"))
    refused = main("undo")
    assert refused.code != 0 and "已同步到远端" in refused.err
    ok(main("report", item, "--unit", "fgw", "--text", "未同步的报告", today="2026-03-05"))
    ok(main("undo"))  # not yet on the remote: a duban undo as ever
    assert "未同步的报告" not in main.path(item).read_text(encoding="utf-8")


def test_counters_merge_and_a_copied_folder_gets_its_own_name(office, tmp_path):
    main, deputy, server = office
    ok(deputy("sync", "--reserve", "2", today="2026-03-02"))
    twin = Ledger(tmp_path / "twin")
    shutil.copytree(deputy.root, twin.root, symlinks=True)  # the deputy's folder copied to a laptop
    a = deputy.issue(title="副本", today="2026-03-02")
    b = twin.issue(title="复制的副本", today="2026-03-02")
    assert a != b  # the copy claimed its own numbers instead of reusing the deputy's lease
    for led in (deputy, twin, main, deputy, twin):
        ok(led("sync", today="2026-03-02"))
    assert files(main) == files(deputy) == files(twin)
    nums = numbers(main)
    assert len(nums) == len(set(nums))


def test_two_copies_sweeping_at_the_same_moment_send_each_slip_once(office):
    import os
    import subprocess
    import sys

    main, deputy, server = office
    items = [main.issue(title=f"同时巡查{i}", deadline="2026-03-06", today="2026-03-02") for i in range(3)]
    ok(main("sync", today="2026-03-02"))
    ok(deputy("sync", today="2026-03-02"))
    for day in ("2026-03-10", "2026-03-12", "2026-03-16"):  # reminders, then warnings: each day a race
        env = {**os.environ, "DUBAN_TODAY": day}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "duban", "sweep", "--no-forms"],
                cwd=led.root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for led in (main, deputy)
        ]
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, out + err  # the one that pushed second swept again on the merged ledger
    for led in (main, deputy, main):
        ok(led("sync", today="2026-03-16"))
    assert files(main) == files(deputy)
    nums = numbers(main)
    assert len(nums) == len(set(nums))
    for item in items:
        log = loads(main.path(item).read_text(encoding="utf-8"))[0]["log"]
        slips = [(e["kind"], e.get("lapse"), e.get("round")) for e in log if e.get("number")]
        assert slips and len(slips) == len(set(slips)), log
