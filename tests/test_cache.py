"""The cache of loaded files: cold and warm runs agree, every change to a file is noticed,
a broken cache is rebuilt, problems come back from it; and the scoped loads give what full loads give."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import Ledger, git

import duban
from duban.commands.setup import init_ledger
from duban.core.errors import Problem
from duban.core.escalation import plan
from duban.core.model import Item
from duban.core.scoring import counts_from, parse_period, score
from duban.core.state import derive, replay, settled_on
from duban.store.cache import DB, Cache, cache_dir
from duban.store.ledger import Scope, _load_items, load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
TODAY = "2026-11-20"
COMMANDS = [
    ("list",),
    ("list", "--overdue"),
    ("list", "--json"),
    ("list", "--status", "closed", "--json"),
    ("show", "2026-0003"),
    ("check",),
    ("check", "--json"),
    ("sweep", "--dry-run", "--json"),
    ("score", "Q3", "--json"),
    ("score", "2026"),
    ("calendar", "2026-11"),
]


def age(path: Path, seconds: int) -> None:
    """Give a file a modification time in the past (files written in the last 2 s are not trusted)."""
    t = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(t, t))


@pytest.fixture
def sample(tmp_path) -> Ledger:
    root = init_ledger(tmp_path / "sample", sample=True, pack=None)
    for path in [*root.glob("items/*/*.yaml"), *root.glob("events/*/*.yaml"), root / "units.yaml"]:
        age(path, 60)
    return Ledger(root)


def outputs(led: Ledger, commands=COMMANDS) -> list:
    return [(args, r.code, r.out, r.err) for args in commands for r in [led(*args, today=TODAY)]]


def reread(root: Path, scope=None) -> list[str]:
    return load(root, scope=scope).reread


def rewrite(path: Path, text: str, seconds: int = 30) -> None:
    """Rewrite a file, dated a little in the past (but after the fixture's files)."""
    path.write_text(text, encoding="utf-8")
    age(path, seconds)


def test_cold_and_warm_runs_give_the_same_output(sample):
    cache = cache_dir(sample.root)
    assert not cache.exists()
    cold = outputs(sample)
    assert cache.is_dir() and (cache / DB).is_file()
    assert reread(sample.root) == []  # everything now comes from the cache
    assert outputs(sample) == cold
    os.environ["DUBAN_CACHE"] = "off"
    try:
        assert outputs(sample) == cold  # and without any cache at all
    finally:
        del os.environ["DUBAN_CACHE"]
    shutil.rmtree(cache)
    assert outputs(sample) == cold
    assert sample.clean()  # the cache is under .git, never in the ledger's files


def test_cache_lives_in_the_git_directory_of_a_ledger_in_a_subfolder(tmp_path):
    src = init_ledger(tmp_path / "x", sample=True, pack=None)
    office = tmp_path / "repo" / "office"
    shutil.copytree(src, office, ignore=shutil.ignore_patterns(".git"))
    git(tmp_path / "repo", "init", "-q")
    for path in office.rglob("*.yaml"):
        age(path, 60)
    assert cache_dir(office) == tmp_path / "repo" / ".git" / "duban-cache" / "ledger-office"
    assert load(office).reread
    assert load(office).reread == []


def test_an_edited_file_is_read_again(sample):
    sample("list", today=TODAY)
    path = sample.path("2026-0003")
    text = path.read_text(encoding="utf-8")
    rewrite(path, text.replace("纺织城片区老旧小区改造42个", "纺织城片区老旧小区改造43个"))
    assert reread(sample.root) == ["items/2026/2026-0003.yaml"]
    shown = sample("show", "2026-0003", "--json", today=TODAY).json()
    assert shown["title"] == "纺织城片区老旧小区改造43个"
    # the same size and a new time: still noticed
    rewrite(path, path.read_text(encoding="utf-8").replace("43个", "44个"), 20)
    assert sample("list", "--json", today=TODAY).json()[0]["id"]
    assert any(v["title"].endswith("44个") for v in sample("list", "--json", today=TODAY).json())


def test_a_file_changed_just_after_it_was_cached_is_not_trusted(sample):
    path = sample.path("2026-0003")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("42个", "41个"), encoding="utf-8")  # modified now: racy
    stamp = path.stat().st_mtime_ns
    sample("list", today=TODAY)
    path.write_text(text.replace("42个", "40个"), encoding="utf-8")  # same size …
    os.utime(path, ns=(stamp, stamp))  # … and the same time as the cache saw
    assert any(v["title"].endswith("40个") for v in sample("list", "--json", today=TODAY).json())


def test_added_deleted_and_renamed_files_are_noticed(sample):
    sample("list", today=TODAY)
    ids = lambda: {v["id"] for v in sample("list", "--json", today=TODAY).json()}  # noqa: E731
    before = ids()
    src = sample.path("2026-0003")
    text = src.read_text(encoding="utf-8")
    # added, in a new year's folder
    new = sample.root / "items" / "2025" / "2025-0001.yaml"
    new.parent.mkdir()
    new.write_text(text.replace("2026-0003", "2025-0001"), encoding="utf-8")
    assert ids() == before | {"2025-0001"}
    # deleted
    new.unlink()
    assert ids() == before
    # renamed: the file no longer matches its id, and says so with its new name
    src.rename(src.with_name("2026-0099.yaml"))
    res = sample("list", "--json", today=TODAY)
    assert ids() == before - {"2026-0003"}
    assert "items/2026/2026-0099.yaml:1: 编号 2026-0003 与文件名" in res.err
    assert res.code == 1


def sealed(led: Ledger) -> set[str]:
    """The folders whose stamp is stored (taken whole from the database while it matches)."""
    with database(led) as db:
        return {f for (f,) in db.execute("SELECT folder FROM folders WHERE stamp IS NOT NULL")}


def ids_of(led: Ledger, *args: str) -> set[str]:
    return {v["id"] for v in led("list", "--json", *args, today=TODAY).json()}


def test_an_in_place_edit_in_a_sealed_folder_is_noticed(sample):
    """A write in place changes neither the folder's time nor its listing: the file's own stat must tell."""
    assert reread(sample.root) and reread(sample.root) == []
    assert sealed(sample) == {"items/2026", "events/2026"}
    folder = sample.root / "items" / "2026"
    before = folder.stat().st_mtime_ns
    path = sample.path("2026-0003")
    text = path.read_text(encoding="utf-8")
    rewrite(path, text.replace("改造42个", "改造43个"))  # the same size
    assert folder.stat().st_mtime_ns == before
    assert reread(sample.root) == ["items/2026/2026-0003.yaml"]
    assert sample("show", "2026-0003", "--json", today=TODAY).json()["title"].endswith("改造43个")
    assert reread(sample.root) == []  # sealed again
    assert sealed(sample) == {"items/2026", "events/2026"}


def test_an_edit_that_unsettles_or_settles_an_item_is_noticed(sample):
    path = sample.path("2026-0004")  # struck off on 2026-03-09
    text = path.read_text(encoding="utf-8")
    assert "2026-0004" in ids_of(sample, "--status", "closed")
    assert "2026-0004" not in ids_of(sample, "--status", "done")
    reread(sample.root)
    assert "items/2026" in sealed(sample)
    close = next(line for line in text.splitlines(keepends=True) if "kind: close" in line)
    rewrite(path, text.replace(close, ""))  # in place: unsettled, done again
    assert "2026-0004" in ids_of(sample, "--status", "done")  # a scope of items in hand finds it
    assert "2026-0004" not in ids_of(sample, "--status", "closed")
    reread(sample.root)
    rewrite(path, text, 20)  # settled again
    assert "2026-0004" not in ids_of(sample, "--status", "done")
    assert "2026-0004" in ids_of(sample, "--status", "closed")
    # an item in hand that becomes overdue by an edit, and one that stops being overdue
    overdue = ids_of(sample, "--overdue")
    late = sorted(overdue)[0]
    path = sample.path(late)
    text = path.read_text(encoding="utf-8")
    rewrite(path, text.rstrip("\n") + "\n  - {date: 2026-11-19, kind: extension, to: 2026-12-31, reason: 延期}\n", 15)
    assert ids_of(sample, "--overdue") == overdue - {late}
    rewrite(path, text, 10)
    assert ids_of(sample, "--overdue") == overdue


def test_deleted_and_renamed_files_in_a_sealed_folder_are_noticed(sample):
    before = ids_of(sample)
    reread(sample.root)
    assert "items/2026" in sealed(sample)
    gone = sample.path("2026-0005")
    text = gone.read_text(encoding="utf-8")
    gone.unlink()
    assert ids_of(sample) == before - {"2026-0005"}
    reread(sample.root)
    moved = sample.path("2026-0006")
    moved.rename(gone)  # another item under a deleted item's name: the same times and size as before
    res = sample("list", "--json", today=TODAY)
    assert "items/2026/2026-0005.yaml:1: 编号 2026-0006 与文件名" in res.err
    moved.write_text(gone.read_text(encoding="utf-8"), encoding="utf-8")
    gone.write_text(text, encoding="utf-8")
    for p in (moved, gone):
        age(p, 30)
    assert ids_of(sample) == before
    assert sample.clean()


def test_a_clone_and_a_copy_give_the_same_output(sample, tmp_path):
    cold = outputs(sample)
    reread(sample.root)
    clone = Ledger(tmp_path / "clone")
    git(tmp_path, "clone", "-q", str(sample.root), str(clone.root))  # no cache, new times
    assert outputs(clone) == cold
    assert outputs(clone) == cold
    copy = Ledger(tmp_path / "copy")
    shutil.copytree(sample.root, copy.root, symlinks=True)  # the cache and the times come along
    assert reread(copy.root) == []
    assert outputs(copy) == cold
    path = copy.path("2026-0003")
    rewrite(path, path.read_text(encoding="utf-8").replace("改造42个", "改造44个"))
    assert reread(copy.root) == ["items/2026/2026-0003.yaml"]
    assert sample("show", "2026-0003", "--json", today=TODAY).json()["title"].endswith("改造42个")
    assert copy("show", "2026-0003", "--json", today=TODAY).json()["title"].endswith("改造44个")


def test_problems_are_stored_and_reported_warm_as_cold(sample):
    bad = sample.path("2026-0005")
    rewrite(bad, bad.read_text(encoding="utf-8").replace("tier: yellow", "tier: [yellow"))
    unit = sample.path("2026-0006")
    rewrite(unit, unit.read_text(encoding="utf-8").replace("lead: wjw", "lead: nobody"))
    cold = sample("check", today=TODAY)
    assert "items/2026/2026-0005.yaml:4" in cold.out and "未知的单位 “nobody”" in cold.out and cold.code == 1
    assert reread(sample.root) == []
    warm = sample("check", today=TODAY)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    led = load(sample.root)
    assert {"items/2026/2026-0005.yaml", "items/2026/2026-0006.yaml"} <= led.broken
    assert "2026-0005" not in led.items and "2026-0006" not in led.items
    # the units change: cross references are checked again, without reading the items again
    units = sample.root / "units.yaml"
    rewrite(units, units.read_text(encoding="utf-8").replace("id: wjw,", "id: nobody,"))
    after = load(sample.root)
    assert after.reread == []
    assert not any("nobody" in p.message for p in after.problems)
    assert any("未知的单位 “wjw”" in p.message for p in after.problems)
    shutil.rmtree(cache_dir(sample.root))
    cold = load(sample.root)
    assert (cold.problems, cold.broken, cold.checks) == (after.problems, after.broken, after.checks)


def database(led: Ledger) -> sqlite3.Connection:
    return sqlite3.connect(cache_dir(led.root) / DB, isolation_level=None)


def all_files(led: Ledger) -> list[str]:
    """Every item file, then every event file, as the loader reads them."""
    return [
        p.relative_to(led.root).as_posix()
        for top in ("items", "events")
        for p in sorted(led.root.glob(f"{top}/*/*.yaml"))
    ]


def spoil_rows(path: Path) -> None:
    """Rows that do not unpickle: one record, one file's problems."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE records SET record = x'80059999' WHERE name = '2026-0003.yaml'")
        db.execute("UPDATE files SET problems = x'00' WHERE name = '2026-0001.yaml'")
    db.close()


DAMAGE = {
    "garbage": lambda path: path.write_bytes(b"\x80\x05garbage" + os.urandom(64)),
    "truncated": lambda path: os.truncate(path, 3 * 4096),
    "garbled pages": lambda path: path.write_bytes(path.read_bytes()[:4096] + os.urandom(path.stat().st_size - 4096)),
    "empty": lambda path: path.write_bytes(b""),
    "foreign": lambda path: (
        path.unlink(),
        sqlite3.connect(path)
        .executescript("CREATE TABLE files (x); CREATE TABLE meta (key); INSERT INTO meta VALUES ('x');")
        .close(),
    ),
    "bad rows": spoil_rows,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("edit", [False, True])
def test_a_damaged_database_is_ignored_and_rebuilt(sample, damage, edit):
    cold = outputs(sample, COMMANDS[:4])
    path = cache_dir(sample.root) / DB
    assert path.stat().st_size > 5 * 4096 and not path.with_name(DB + "-wal").exists()
    DAMAGE[damage](path)
    if edit:  # the folder changed too
        item = sample.path("2026-0003")
        rewrite(item, item.read_text(encoding="utf-8"))
    assert outputs(sample, COMMANDS[:4]) == cold
    assert reread(sample.root) == []  # rebuilt, whole
    with database(sample) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == len(all_files(sample))


def test_a_database_from_another_format_or_version_is_ignored(sample, monkeypatch):
    cold = outputs(sample, COMMANDS[:3])
    with database(sample) as db:
        db.execute("UPDATE meta SET key = '1 0.0.0 0'")
    assert reread(sample.root) == all_files(sample)
    assert outputs(sample, COMMANDS[:3]) == cold
    assert reread(sample.root) == []
    monkeypatch.setattr("duban.store.cache.FORMAT", 99)
    assert reread(sample.root) == all_files(sample)
    monkeypatch.undo()
    monkeypatch.setattr(duban, "__version__", "9.9.9")  # an upgrade
    assert reread(sample.root) == all_files(sample)
    assert outputs(sample, COMMANDS[:3]) == cold
    assert reread(sample.root) == []


def test_a_reinstall_keeps_the_cache(sample):
    """Only the format, the version and the stored classes' fields key the cache, not duban's source files."""
    cold = outputs(sample, COMMANDS[:3])
    sources = list(Path(duban.__file__).parent.rglob("*.py"))
    stamps = {p: p.stat().st_mtime_ns for p in sources}
    try:
        now = time.time_ns()
        for p in sources:  # what reinstalling duban does to its files
            os.utime(p, ns=(now, now))
        assert reread(sample.root) == []
        assert outputs(sample, COMMANDS[:3]) == cold
    finally:
        for p, t in stamps.items():
            os.utime(p, ns=(t, t))


def test_query_columns_are_filled(sample):
    sample("list", today=TODAY)
    with database(sample) as db:
        rows = {
            name: row
            for name, *row in db.execute(
                "SELECT name, settled, status, deadline, lead, tier, category FROM files WHERE folder = 'items/2026'"
            )
        }
    led = load(sample.root)
    assert rows["2026-0004.yaml"][:2] == [date(2026, 3, 9).toordinal(), "closed"]
    assert rows["2026-0003.yaml"][:2] == [0, "open"]
    for item in led.items.values():
        settled, status, deadline, lead, tier, category = rows[item.path.rsplit("/", 1)[1]]
        st = replay(item)
        assert (status, deadline, lead, tier, category) == (
            st.status,
            st.deadline and st.deadline.isoformat(),
            st.lead,
            item.tier,
            item.category,
        )
        assert settled == (settled_on(item).toordinal() if settled_on(item) else 0)


def test_a_busy_database_only_means_no_writing(sample):
    cold = outputs(sample, COMMANDS[:3])
    with database(sample) as db:
        db.execute("DELETE FROM files")
    holder = database(sample)
    holder.execute("BEGIN IMMEDIATE")  # another duban is writing
    try:
        assert outputs(sample, COMMANDS[:3]) == cold
        assert reread(sample.root) == all_files(sample)  # nothing written meanwhile
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    outputs(sample, COMMANDS[:1])
    assert reread(sample.root) == []


def test_a_run_does_not_write_over_what_another_wrote_meanwhile(sample):
    sample("list", today=TODAY)
    path = sample.path("2026-0003")
    slow = Cache(sample.root, (Item, Problem))  # a run that started before the edit
    rewrite(path, path.read_text(encoding="utf-8").replace("42个", "43个"))
    assert reread(sample.root) == ["items/2026/2026-0003.yaml"]  # a quicker run, which wrote the new row
    led = load(sample.root, only_config=True)
    _load_items(led, slow, None)  # reads the file again, as its snapshot is older
    slow.close()
    assert led.item("2026-0003").title.endswith("43个")
    assert slow.reread == ["items/2026/2026-0003.yaml"]
    assert reread(sample.root) == []
    assert load(sample.root).item("2026-0003").title.endswith("43个")


def test_concurrent_runs_agree_and_leave_a_sound_database(sample):
    """Several duban processes building the cache at once: the same output, one sound database."""
    import subprocess

    env = {**os.environ, "DUBAN_LEDGER": str(sample.root), "DUBAN_TODAY": TODAY}
    cmd = [sys.executable, "-m", "duban", "list", "--json"]
    expected = sample("list", "--json", today=TODAY).out
    shutil.rmtree(cache_dir(sample.root))
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    assert [p.communicate()[0] for p in procs] == [expected] * 4
    assert reread(sample.root) == []
    with database(sample) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_unusable_cache_place_means_no_cache(sample):
    cold = outputs(sample, COMMANDS[:3])
    shutil.rmtree(cache_dir(sample.root))
    cache_dir(sample.root).write_text("not a folder")  # the database cannot be made
    assert outputs(sample, COMMANDS[:3]) == cold
    assert reread(sample.root) == all_files(sample)


def test_settled_on(sample):
    led = load(sample.root)
    closed = led.item("2026-0004")  # 注结销号 on 2026-03-09
    assert settled_on(closed) == date(2026, 3, 9)
    assert settled_on(led.item("2026-0003")) is None  # in hand
    forwarded = next(i for i in led.items.values() if i.forward)
    assert settled_on(forwarded) == max([forwarded.issued, *(e["date"] for e in forwarded.log)])


def test_scoped_loads_give_what_full_loads_give(tmp_path):
    """On a ten-year synthetic ledger: sweep, overdue list and scores from the items in scope alone."""
    import gen

    root = tmp_path / "big"
    gen.make(root, 400, 150, date(2026, 11, 20))
    for path in root.glob("*/*/*.yaml"):
        age(path, 60)  # every folder sealed: the scopes are chosen by the database
    load(root)
    full = load(root)
    assert not full.reread
    assert not [p for p in full.problems if p.severity == "error"]
    for day in (date(2026, 11, 20), date(2026, 6, 30), date(2025, 3, 3)):
        live = load(root, scope=Scope(live_on=day))
        assert len(live.items) < len(full.items)
        overdue = {i for i, item in full.items.items() if derive(item, full.pack, day).overdue}
        chosen = load(root, scope=Scope(overdue_on=day))
        assert overdue <= set(chosen.items) and len(chosen.items) <= len(live.items)
        if day == date(2026, 11, 20):  # on a past day nearly every live item has records after it: all are chosen
            assert len(chosen.items) < len(live.items)
        assert chosen.problems == full.problems
        assert live.problems == full.problems
        a, b = plan(full, day), plan(live, day)
        assert (a.actions, a.pending, a.problems) == (b.actions, b.pending, b.problems)
        for period in ("Q1", "Q2", "2026", "2025Q4"):
            per = parse_period(period, None, day)
            scoped = load(root, scope=Scope(since=counts_from(per.year)))
            assert [s.as_json() for s in score(scoped, per, day)] == [s.as_json() for s in score(full, per, day)]
    g = git(root, "status", "--porcelain")
    assert g == ""


def test_sweep_lines_are_inserted_without_touching_other_bytes():
    from duban.store.yamlio import insert_log_lines

    text = (
        "id: 2026-0001\n# 手工注释\nlog:\n  - {date: 2026-01-05, kind: issued}\n  # 中间的注释\n"
        "  - {date: 2026-02-01, kind: report, unit: fgw, text: 进展}  # 行尾注释\n"
    )
    ev = {"date": date(2026, 1, 20), "kind": "reminder", "number": "2026-3", "lapse": "deadline:2026-01-19"}
    assert insert_log_lines(text, [ev]) == text.replace(
        "  # 中间的注释\n",
        "  - {date: 2026-01-20, kind: reminder, number: 2026-3, lapse: deadline:2026-01-19}\n  # 中间的注释\n",
    )
    late = {"date": date(2026, 3, 1), "kind": "due_soon", "deadline": date(2026, 3, 3)}
    assert insert_log_lines(text, [late]).endswith(
        "# 行尾注释\n  - {date: 2026-03-01, kind: due_soon, deadline: 2026-03-03}\n"
    )
    # another shape (a block mapping entry): left to the full round trip
    assert insert_log_lines("log:\n  - date: 2026-01-05\n    kind: issued\n", [late]) is None
    assert insert_log_lines("log: [{date: 2026-01-05, kind: issued}]\n", [late]) is None
