"""Issue #18, the one-day sweep: its slips rendered by worker processes while it commits, its files and git
objects written with their fsyncs overlapping, its new log lines dumped at once — and nothing else changed:
the same commit, the same digest, the same forms byte for byte, and a kill still leaves before or after."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import git
from hypothesis import given, settings
from hypothesis import strategies as st
from trustkit import base_ledger, copy, counts, duban, forked, many_items, tracked

from duban.commands import publish
from duban.store import stamps
from duban.store.git import Repo, _held
from duban.store.yamlio import _umask, atomic_write_all, flow_lines, flow_map, loads, remove_stale_temps, rt_dumps

DAY = "2026-03-20"
SWEEP = ("sweep", "--today", DAY)


@pytest.fixture(scope="module")
def fifty(tmp_path_factory) -> Path:
    """A ledger of 50 items late on DAY: the sweep issues a slip for each."""
    led = base_ledger(tmp_path_factory.mktemp("fifty") / "base")
    many_items(led.root, 50)
    return led.root


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "out").rglob("*")) if p.is_file()}


def test_slips_rendered_while_committing_are_the_ones_rendered_after(tmp_path, fifty, monkeypatch):
    serial, early = copy(fifty, tmp_path / "serial"), copy(fifty, tmp_path / "early")
    monkeypatch.setattr(publish, "EARLY_FORMS", 10**9)  # never before the commit
    monkeypatch.setattr(publish, "PARALLEL_FORMS", 10**9)  # nor in workers after it
    assert forked(serial, *SWEEP)[0] == 0

    began = tmp_path / "began"
    real = publish.begin_rendering

    def begin(root, day, forms):
        rendering = real(root, day, forms)
        began.write_text(f"{forms} {len(rendering.pool._pool) if rendering else 0}")  # in the forked command
        return rendering

    monkeypatch.setattr(publish, "EARLY_FORMS", 16)
    monkeypatch.setattr(publish, "begin_rendering", begin)
    monkeypatch.setattr(stamps, "idle_cores", lambda: 2.0)  # whatever else runs now
    assert forked(early, *SWEEP)[0] == 0
    slips, workers = map(int, began.read_text().split())
    assert slips >= 50 and workers == 2

    assert git(early, "rev-parse", "HEAD^{tree}") == git(serial, "rev-parse", "HEAD^{tree}")
    assert tracked(early) == tracked(serial)
    got, want = outputs(early), outputs(serial)
    assert got == want
    assert sum(name.endswith(".docx") for name in got) >= 50 and f"out/sweep/{DAY}.md" in got


def test_a_sweep_killed_while_its_workers_render_leaves_none_holding_the_ledger(tmp_path, fifty):
    expected = copy(fifty, tmp_path / "expected")
    assert duban(expected, *SWEEP).returncode == 0
    assert sum(name.endswith(".docx") for name in outputs(expected)) >= publish.EARLY_FORMS  # rendered early
    committed = counts(fifty, ("sweep", "--no-forms", "--today", DAY), tmp_path)["write"] - 1  # but the digest
    work = copy(fifty, tmp_path / "work")
    for at in (committed - 60, committed - 2):  # among the git objects; among the files put in the work tree
        res = duban(work, *SWEEP, fault=f"write:{at}")
        assert res.returncode == -9, res.stderr
        lock = Repo(work).dir / "duban.lock"
        deadline = time.monotonic() + 2
        while _held(lock) and time.monotonic() < deadline:  # the workers die with the command
            time.sleep(0.05)
        assert not _held(lock)
    res = duban(work, *SWEEP)
    assert res.returncode == 0, res.stderr
    assert tracked(work) == tracked(expected)
    docx = {name: data for name, data in outputs(expected).items() if name.endswith(".docx")}
    assert {name: data for name, data in outputs(work).items() if name.endswith(".docx")} == docx


def test_finishing_a_killed_change_removes_the_temporary_files_its_threads_left(tmp_path, fifty):
    """A sweep killed while its threads put the committed files in the work tree: a thread may have made its
    temporary file and not yet renamed it.  The next command finishes the change and removes such files."""
    args = ("sweep", "--no-forms", "--today", DAY)
    last = counts(fifty, args, tmp_path)["write"] - 1  # the digest is the last write
    for at in range(last - 1, last - 30, -1):
        work = copy(fifty, tmp_path / f"killed-{at}")
        assert duban(work, *args, fault=f"write:{at}").returncode == -9
        journal = Repo(work).dir / "duban-journal.json"
        if journal.exists():
            break
    else:
        pytest.fail("no kill came while the work tree was written")
    rel = next(rel for rel, _ in json.loads(journal.read_text(encoding="utf-8"))["files"] if rel.startswith("items/"))
    folder, name = rel.rsplit("/", 1)
    half = work / folder / f".{name}.q7x2m0ab.tmp"  # as a killed thread leaves it (mkstemp's shape)
    other = work / folder / ".notes.yaml.q7x2m0ab.tmp"  # not a file of the change: not ours to remove
    half.write_bytes(b"id: 20")
    other.write_bytes(b"x")
    assert duban(work, "list", "--today", DAY).returncode in (0, 1)  # any command finishes the change first
    assert not journal.exists() and not half.exists() and other.exists()


def test_files_written_together_each_whole_with_the_umask_mode(tmp_path):
    old = tmp_path / "a" / "old.yaml"
    old.parent.mkdir()
    old.write_text("旧内容\n", encoding="utf-8")
    files = [(old, "新内容\n"), *((tmp_path / "a" / f"{i}.yaml", f"第 {i} 个\n".encode()) for i in range(40))]
    files.append((tmp_path / "b" / "c" / "deep.yaml", b"x"))  # its folders made
    mask = os.umask(0o027)
    try:
        atomic_write_all(files)
    finally:
        os.umask(mask)
    assert old.read_text(encoding="utf-8") == "新内容\n"
    for path, content in files:
        want = content.encode("utf-8") if isinstance(content, str) else content
        assert path.read_bytes() == want
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.umask(mask) == mask  # the threads left the process umask as it was
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_failed_write_among_many_is_raised_and_the_others_are_whole(tmp_path):
    (tmp_path / "file").write_text("a file, not a folder")
    files = [(tmp_path / f"{i}.txt", b"ok") for i in range(10)]
    files.insert(5, (tmp_path / "file" / "x.txt", b"no"))
    with pytest.raises(OSError):
        atomic_write_all(files)
    assert all(path.read_bytes() == b"ok" for path, _ in files if path.parent == tmp_path)


def test_blobs_written_together_are_git_objects(tmp_path):
    git(tmp_path, "init", "-q")
    repo = Repo(tmp_path)
    contents = [f"内容 {i}\n".encode() for i in range(30)] + [b"same", b"same"]
    existing = repo.write_blob(b"already there")
    names = repo.write_blobs([*contents, b"already there"])
    assert names[-1] == existing
    assert names[-2] == names[-3]
    for name, data in zip(names, [*contents, b"already there"], strict=True):
        assert (tmp_path / "f").write_bytes(data) and git(tmp_path, "hash-object", "f").strip() == name
        assert git(tmp_path, "cat-file", "blob", name).encode() == data
    assert not list((tmp_path / ".git" / "objects").rglob("tmp_duban_*"))


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
values = st.one_of(text, st.integers(-(10**6), 10**6), st.dates(), st.booleans(), st.none())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(["date", "kind", "number", "note", "unit", "rule"]), values), max_size=6)
)
def test_flow_lines_in_one_dump_are_each_entry_dumped_alone(events):
    lines = flow_lines(events)
    alone = [rt_dumps([flow_map(ev)]).strip()[1:].strip() for ev in events]
    if lines is None:  # an entry over more than one line: the caller dumps each alone
        assert any(len(line.splitlines()) > 1 for line in alone)
    else:
        assert lines == alone


@pytest.mark.parametrize("extra", [None, "list", 2100, 4200])
def test_flow_lines_of_repeated_equal_and_nested_values_are_each_entry_dumped_alone(extra):
    """Each distinct pair is dumped once: equal values of other types (True, 1) stay apart, a list is dumped
    with its entry, and a line near the width the emitter breaks at is dumped whole."""
    events = [
        {"date": date(2026, 11, 20), "kind": "reminder", "lapse": "deadline:2026-11-16", "number": f"2026-{i}"}
        for i in range(5)
    ]
    events += [{"flag": True, "n": 1}, {"flag": 1, "n": True}, {"flag": None, "n": "1"}, {}]
    if extra == "list":
        events.append({"units": ["a", "b"], "kind": "x"})
    elif extra:  # one long text, or three that make a line too long together
        events.append({"kind": "note", "note": "长" * extra} if extra < 4096 else {k: "长" * 1500 for k in "abc"})
    lines = flow_lines(events)
    alone = [rt_dumps([flow_map(ev)]).strip()[1:].strip() for ev in events]
    if extra == 4200:
        assert lines is None and len(alone[-1].splitlines()) > 1
    else:
        assert lines == alone
    assert lines is None or lines[5:7] == ["{flag: true, n: 1}", "{flag: 1, n: true}"]


def test_stale_temporary_files_of_the_files_named_are_removed_and_nothing_else(tmp_path):
    folder = tmp_path / "items" / "2026"
    folder.mkdir(parents=True)
    item = folder / "2026-0001.yaml"
    item.write_text("id: 2026-0001\n", encoding="utf-8")
    stale = [folder / ".2026-0001.yaml.k3j_x9qa.tmp", folder / ".2026-0001.yaml.00000000.tmp"]
    kept = [
        folder / ".2026-0002.yaml.k3j_x9qa.tmp",  # another file's: not named
        folder / ".2026-0001.yaml.tmp",  # not mkstemp's shape
        folder / "2026-0001.yaml.k3j_x9qa.tmp",
        folder / "notes.tmp",
    ]
    for p in stale + kept:
        p.write_bytes(b"half")
    remove_stale_temps([item, tmp_path / "missing" / "x.yaml"])  # a folder that is not there: nothing to do
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept) and item.exists()


def test_the_umask_is_read_without_being_set(tmp_path):
    mask = os.umask(0o027)
    try:
        assert _umask() == 0o027
        with open("/proc/self/status", encoding="ascii") as f:  # read from /proc: never set to 022 meanwhile
            assert "Umask:\t0027" in f.read()
    finally:
        os.umask(mask)


@pytest.mark.parametrize(
    "text", ["1: a\n'1': b\n", "log:\n  - {date: 2026-01-05, '1': x, 1: y}\n", "a: {x: 1}\n'a': 2\n"]
)
def test_keys_of_the_same_text_are_refused_with_and_without_line_maps(text):
    """A key written twice with the same text (1 and '1') is a repeated key, whether the file is read for its
    data only (the quick way, loads(lines=False)) or to be reported on."""
    errors = []
    for lines in (True, False):
        try:
            loads(text, lines=lines)
        except Exception as e:  # YamlError
            errors.append((type(e).__name__, getattr(e, "line", None), str(e)))
    assert len(errors) == 2 and errors[0] == errors[1] and errors[0][0] == "YamlError", errors
