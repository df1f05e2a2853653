"""The sweep's digest (``out/sweep/DATE.md``) is written with the sweep's commit: a sweep killed once its commit
has happened still leaves its digest, byte for byte as an uninterrupted one writes it, and a later sweep of the
same day adds its own below it instead of overwriting it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import git
from trustkit import base_ledger, copy, counts, duban, forked, many_items, tracked

DAY = "2026-03-20"
SWEEP = ("sweep", "--today", DAY)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def digest(root: Path, day: str = DAY) -> bytes | None:
    path = root / "out" / "sweep" / f"{day}.md"
    return path.read_bytes() if path.exists() else None


def killed_after_commit(base: Path, args: tuple[str, ...], tmp: Path) -> list[Path]:
    """Copies of ``base`` in which ``args`` was killed at one of its last file writes or git calls, once its
    commit had happened (its branch moved), nothing run since."""
    n = counts(base, args, tmp)
    before = head(base)
    out = []
    for kind in ("write", "git"):
        for at in range(n[kind], max(0, n[kind] - 12), -1):
            work = copy(base, tmp / f"killed-{kind}-{at}")
            code, err = forked(work, *args, fault=f"{kind}:{at}")
            assert code == -9, (kind, at, err)
            if head(work) != before:
                out.append(work)
    return out


def test_a_sweep_killed_after_its_commit_leaves_its_digest_byte_for_byte(tmp_path):
    base = base_ledger(tmp_path / "base").root
    many_items(base, 3)
    for args in (("sweep", "--no-forms", "--today", DAY), SWEEP):
        expected = copy(base, tmp_path / "expected")
        assert duban(expected, *args).returncode == 0
        want = digest(expected)
        assert want is not None and "今日动作" in want.decode()
        killed = killed_after_commit(base, args, tmp_path)
        assert len(killed) >= 5
        for work in killed:
            assert forked(work, "list", "--today", DAY)[0] == 0  # any command finishes the change first
            assert digest(work) == want, work.name
            assert tracked(work) == tracked(expected)
            assert not list((work / "out" / "sweep").glob(".*.tmp"))


def test_the_next_sweep_of_the_day_after_a_kill_keeps_the_killed_ones_digest(tmp_path):
    base = base_ledger(tmp_path / "base").root
    many_items(base, 3)
    expected = copy(base, tmp_path / "expected")
    assert duban(expected, *SWEEP).returncode == 0
    first = digest(expected)
    assert first is not None
    assert duban(expected, *SWEEP).returncode == 0  # uninterrupted, then once more the same day
    twice = digest(expected)
    assert twice is not None and twice.startswith(first)
    for work in killed_after_commit(base, SWEEP, tmp_path):
        code, err = forked(work, *SWEEP)  # the clerk's next sweep, the same day
        assert code == 0, err
        assert digest(work) == twice, work.name
        forms = sorted(p.name for p in (work / "out" / "2026").glob("*.docx"))
        assert forms == sorted(p.name for p in (expected / "out" / "2026").glob("*.docx")) and len(forms) >= 3


def test_a_later_sweep_of_the_same_day_is_added_below_the_first(tmp_path):
    root = base_ledger(tmp_path / "base").root
    many_items(root, 2)
    assert duban(root, "sweep", "--no-forms", "--today", DAY).returncode == 0
    first = digest(root)
    assert first is not None
    numbers = [line.split(" | ")[4] for line in first.decode().splitlines() if line.startswith("| 2026-")]
    assert any(n.startswith("2026-") for n in numbers)  # the slip numbers given under the lock

    many_items(root, 2)  # two more items, late too, entered later the same day
    assert duban(root, "sweep", "--no-forms", "--today", DAY).returncode == 0
    both = digest(root)
    assert both is not None and both.startswith(first + b"\n---\n\n")
    later = both[len(first) :].decode()
    assert f"# 督查日报 {DAY}（当日再次巡查）" in later and "2026-0003" in later and "2026-0001 |" not in later

    assert duban(root, "sweep", "--no-forms", "--today", DAY).returncode == 0  # nothing new: nothing added
    assert digest(root) == both


def test_a_form_write_killed_half_way_leaves_no_temporary_file_for_long(tmp_path):
    """A form's temporary file in out/, left by a writer killed half-way: the sweep that writes forms there
    removes it once old; never one that may still be written (new, or open in a process)."""
    root = base_ledger(tmp_path / "base").root
    many_items(root, 2)
    folder = root / "out" / "2026"
    folder.mkdir(parents=True)
    old = folder / ".2026-0001-工作提醒单-2026-1.docx.k3j9x0qa.tmp"
    new = folder / ".2026-0002-工作提醒单-2026-2.docx.p0w8e7zz.tmp"
    mine = folder / ".notes.txt"  # not a temporary file of atomic_write's shape
    for path in (old, new, mine):
        path.write_bytes(b"PK")
    hour_ago = time.time() - 3600
    for path in (old, mine):
        os.utime(path, (hour_ago, hour_ago))
    assert duban(root, *SWEEP).returncode == 0
    assert len(list(folder.glob("*.docx"))) >= 2
    assert not old.exists() and new.exists() and mine.exists()

    from duban.store.yamlio import remove_old_temps

    os.utime(new, (hour_ago, hour_ago))
    with open(new, "rb"):  # held open by its writer (where /proc tells): kept however old
        remove_old_temps([folder])
    assert new.exists()
    remove_old_temps([folder])
    assert not new.exists()


def test_a_shared_ledgers_sweep_killed_after_its_push_leaves_its_digest_at_the_next_sweep(tmp_path):
    """A shared ledger's sweep pushes its commit before it happens here; killed in between, the next sweep
    syncs the commit back and writes the killed one's digest, as an uninterrupted sweep wrote it."""
    from test_sync_adversarial import _office, _restore

    work = tmp_path / "work"
    main, _, server = _office(work)
    for i in range(2):
        main.issue(title=f"巡查{i}", deadline="2026-03-06", today="2026-03-02")
    assert main("sync", today="2026-03-02").code == 0
    snap = copy(work, tmp_path / "snap")
    assert main("sweep", "--no-forms", today="2026-03-10").code == 0
    want = digest(main.root, "2026-03-10")
    assert want is not None and "今日动作" in want.decode()
    pushed_only = 0
    for n in range(1, 200):
        _restore(snap, work)
        code, err = forked(main.root, "sweep", "--no-forms", "--today", "2026-03-10", fault=f"git:{n}")
        if code == 0:
            break
        assert code == -9, err
        pushed_only += git(server, "rev-parse", "HEAD") != git(main.root, "rev-parse", "HEAD")
        res = main("sweep", "--no-forms", today="2026-03-10")
        assert res.code == 0, res.err
        assert digest(main.root, "2026-03-10") == want, n
    assert pushed_only >= 1
