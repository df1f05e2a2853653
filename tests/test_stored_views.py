"""Item views kept in the cache (duban.store.views): what they print on every day of their window is what a
fresh replay prints; they are not used once anything they depend on changed; the quick way imports nothing of
duban.core; and the scan shared with a forked process finds what the serial scan finds."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.commands import quick
from duban.commands.queries import Filters, list_items, show_item
from duban.core.state import ACTIVE, IN_HAND
from duban.outputs.listing import json_text, list_caption, list_cells, plain_item, plain_list
from duban.outputs.views import item_view, table_until
from duban.store import git as git_module
from duban.store import stamps as cache_module
from duban.store import views
from duban.store.cache import cache_dir
from duban.store.ledger import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

TODAY = date(2026, 11, 20)


def age(root: Path, seconds: int = 60) -> None:
    t = time.time_ns() - seconds * 1_000_000_000
    for path in root.rglob("*"):
        if ".git" not in path.parts:
            os.utime(path, ns=(t, t), follow_symlinks=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    import gen

    root = tmp_path_factory.mktemp("views") / "ledger"
    gen.make(root, 300, 120, TODAY)
    age(root)
    return root


@pytest.fixture
def root(built, tmp_path) -> Path:
    import shutil

    copy = tmp_path / "ledger"
    shutil.copytree(built, copy, symlinks=True)
    age(copy)
    return copy


def test_the_copies_of_constants_are_the_originals():
    from duban.commands import quick

    assert views.ACTIVE == ACTIVE and views.JOURNAL == git_module.JOURNAL
    assert set(quick.IN_HAND) == set(IN_HAND)


def row(v: dict, day: date) -> tuple:
    """What the 台账, its order and its filters read of a view, the counts of days as stored."""
    n = views.normalized(v, day.toordinal())
    return (*list_cells(v)[:3], *list_cells(v)[4:], n["status"], n["lead"], n["co"], n["overdue"], n["days_left"],
            n["days_overdue"])  # fmt: skip


@pytest.fixture(scope="module")
def items(built):
    ledger = load(built)
    return ledger, sorted(ledger.items.values(), key=lambda i: i.id)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_what_the_table_prints_holds_until_the_day_table_until_gives(items, data):
    ledger, all_items = items
    item = data.draw(st.sampled_from(all_items))
    day = TODAY + timedelta(days=data.draw(st.integers(-400, 200)))
    view = item_view(ledger, item, day, full=False)
    until = table_until(item, view, day)
    later = day + timedelta(days=data.draw(st.integers(0, min(400, (until - day).days - 1))))
    assert row(item_view(ledger, item, later, full=False), later) == row(view, day)


def test_windows_are_longer_than_a_day_for_most_items(items):
    ledger, all_items = items
    longer = sum(
        table_until(i, item_view(ledger, i, TODAY, full=False), TODAY) > TODAY + timedelta(days=1) for i in all_items
    )
    assert longer > len(all_items) // 2


def fresh_list(root: Path, day: date, overdue: bool, table: bool, monkeypatch) -> str:
    """What a replay prints, with no cache at all."""
    with monkeypatch.context() as m:
        m.setenv("DUBAN_CACHE", "off")
        _, rows = list_items(root, Filters(overdue=overdue), day, table=table)
    return json_text(rows) if not table else plain_list(list_caption(len(rows), False, ()), rows)


def stored_list(root: Path, day: date, overdue: bool, table: bool) -> str | None:
    rows = quick.serve_list(str(root), day.isoformat(), overdue, table)
    if rows is None:
        return None
    return json_text(rows) if not table else plain_list(list_caption(len(rows), False, ()), rows)


def test_stored_views_print_what_a_fresh_replay_prints_day_after_day(root, monkeypatch):
    monkeypatch.delenv("DUBAN_TODAY", raising=False)
    served = {(o, t): 0 for o in (False, True) for t in (False, True)}
    for offset in range(0, 75, 3):
        day = TODAY + timedelta(days=offset)
        for overdue in (False, True):
            for table in (True, False):
                got = stored_list(root, day, overdue, table)
                if got is None:  # out of its window: the full way, which stores them again
                    list_items(root, Filters(overdue=overdue), day, table=table)
                    got = stored_list(root, day, overdue, table)
                    assert got is not None, (day, overdue, table)
                else:
                    served[overdue, table] += 1
                assert got == fresh_list(root, day, overdue, table, monkeypatch), (day, overdue, table)
    # the table's windows span days: most days are served without any replay (--json: on the day it was stored)
    assert served[False, True] > 5 and served[True, True] > 5


def test_show_is_served_on_its_day_only_and_as_replayed(root, monkeypatch):
    ledger = load(root)
    for item_id in sorted(ledger.items)[-40::4]:
        for day in (TODAY, TODAY + timedelta(days=1)):
            assert quick.serve_show(str(root), day.isoformat(), item_id) is None
            _, v = show_item(root, item_id, day)
            stored = quick.serve_show(str(root), day.isoformat(), item_id)
            assert stored is not None and plain_item(stored) == plain_item(v) and json_text(stored) == json_text(v)
            with monkeypatch.context() as m:
                m.setenv("DUBAN_CACHE", "off")
                assert json_text(show_item(root, item_id, day)[1]) == json_text(stored)


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Same size, the time moved by a microsecond only."""
    st_ = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    with open(path, "r+b") as f:
        f.write(text.replace(old, new, 1).encode())
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000))


def warm(root: Path) -> str:
    list_items(root, Filters(), TODAY, table=True)
    out = stored_list(root, TODAY, False, True)
    assert out is not None
    return out


def test_nothing_stored_is_used_once_a_file_it_depends_on_changes(root, monkeypatch):
    before = warm(root)
    some = next(line.split()[0] for line in before.splitlines()[2:])
    path = root / "items" / some[:4] / f"{some}.yaml"
    title = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    edit_in_place(path, title, title[:-1] + ("乙" if title[-1] != "乙" else "甲"))
    assert stored_list(root, TODAY, False, True) is None  # the folder's stamp moved
    after = fresh_list(root, TODAY, False, True, monkeypatch)
    assert after != before and warm(root) == after
    units = root / "units.yaml"
    text = units.read_text(encoding="utf-8")
    link, event = root / "items" / "2026" / "x.yaml", root / "events" / "2026" / "e.yaml"
    journal = cache_dir(root).parents[1] / views.JOURNAL
    changes = [
        (lambda: units.write_text(text + "\n", "utf-8"), lambda: units.write_text(text, "utf-8")),
        (lambda: link.symlink_to(root / "nowhere.yaml"), link.unlink),  # a dangling link
        (lambda: event.parent.mkdir(parents=True, exist_ok=True) or event.write_text("{}\n", "utf-8"), event.unlink),
        (lambda: journal.write_text("{}", "utf-8"), journal.unlink),  # a change killed half-way
    ]
    for do, undo in changes:
        age(root)
        warm(root)
        show_item(root, some, TODAY)
        assert quick.serve_show(str(root), TODAY.isoformat(), some) is not None
        do()
        assert stored_list(root, TODAY, False, True) is None
        assert quick.serve_show(str(root), TODAY.isoformat(), some) is None
        undo()


def test_a_file_modified_just_now_is_never_served_from_stored_views(root):
    warm(root)
    path = next((root / "items" / "2026").glob("*.yaml"))
    path.write_bytes(path.read_bytes())  # the same bytes, modified now: racy
    assert stored_list(root, TODAY, False, True) is None
    list_items(root, Filters(), TODAY, table=True)
    assert stored_list(root, TODAY, False, True) is None  # still racy: the load is not taken as clean


def test_the_views_served_are_found_by_an_index_not_by_reading_every_row_of_files(root, monkeypatch):
    """A ten-year ledger's settled items are most of ``files``: the quick way's queries must not read them all
    (at 100k a scan of the table is 20-35 ms, the index 3 ms)."""
    some = sorted((root / "items" / "2026").glob("*.yaml"))[-1].stem
    list_items(root, Filters(overdue=True), TODAY, table=True)
    warm(root)
    show_item(root, some, TODAY)
    said: list[str] = []
    connect = views.sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(said.append)  # each statement with its values
        return db

    monkeypatch.setattr(views.sqlite3, "connect", traced)
    assert quick.serve_list(str(root), TODAY.isoformat(), True, True)
    assert quick.serve_list(str(root), TODAY.isoformat(), False, True)
    assert quick.serve_show(str(root), TODAY.isoformat(), some)
    monkeypatch.undo()
    asked = [s for s in said if "FROM files" in s]
    assert len(asked) == 3
    db = sqlite3.connect(cache_dir(root) / views.DB)
    for statement in asked:
        plan = [row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + statement)]
        assert not any(step.startswith("SCAN f") for step in plan), (statement, plan)
    db.close()


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print(sorted({m for m in sys.modules if m.startswith(('duban.core', "
    "'duban.commands.queries', 'duban.store.ledger', 'duban.store.cache', 'dataclasses', 'yaml', 'rich', "
    "'typer'))}), file=sys.stderr))\n"
    "sys.argv = ['duban', *sys.argv[1:]]\n"
    "from duban.cli import main\n"
    "main()\n"
)


def test_the_quick_way_imports_nothing_of_duban_core(root):
    env = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY.isoformat()}
    some = sorted((root / "items" / "2026").glob("*.yaml"))[-1].stem
    for args in [("list",), ("list", "--overdue"), ("list", "--overdue", "--json"), ("show", some)]:
        subprocess.run([sys.executable, "-m", "duban", *args], env=env, capture_output=True, check=True)
        p = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr.strip().splitlines()[-1] == "[]", (args, p.stderr)


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "t"
    for year in range(2017, 2027):
        d = root / "items" / str(year)
        d.mkdir(parents=True)
        for i in range(30):
            (d / f"{year}-{i:04d}.yaml").write_text("x" * i, encoding="utf-8")
        (d / ".hidden.yaml").write_text("", encoding="utf-8")
        (d / "notes.txt").write_text("", encoding="utf-8")
    (root / "items" / "2020" / "sub").mkdir()
    (root / "items" / "2020" / "sub" / "a.yml").write_text("", encoding="utf-8")
    (root / "items" / "2021" / "gone.yaml").symlink_to(root / "nowhere")
    (root / "items" / "top.yaml").write_text("", encoding="utf-8")
    return root


def test_the_forked_scan_finds_what_the_serial_scan_finds(tmp_path, monkeypatch):
    root = tree(tmp_path)
    monkeypatch.setenv("DUBAN_SCAN_FORK", "off")
    serial = cache_module.scan(root, "items")
    stamps = cache_module._scan(root, "items", len)
    monkeypatch.setenv("DUBAN_SCAN_FORK", "on")
    forks = []
    real = cache_module._fork_scan
    monkeypatch.setattr(cache_module, "_fork_scan", lambda *a: forks.append(a[1]) or real(*a))
    assert list(cache_module.scan(root, "items").items()) == list(serial.items())
    assert cache_module._scan(root, "items", len) == stamps
    assert cache_module.scan_stamps(root, "items", time.time_ns()) == {
        rel: cache_module.stamp(files, time.time_ns()) for rel, files in serial.items()
    }
    assert forks and forks[0] == [f"items/{y}" for y in range(2018, 2027, 2)]
    assert ("gone.yaml", -1, -1) in serial["items/2021"] and "items/2020/sub" in serial
    parent = os.getpid()

    def fails_in_child(files):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return len(files)

    assert cache_module._scan(root, "items", fails_in_child) == stamps  # the parent scans the child's share
    assert cache_module.scan(root, "missing") == {}


def test_cache_path_and_find_root_without_pathlib(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    nested = repo / "office" / "ledger"
    nested.mkdir(parents=True)
    assert cache_module.cache_path(str(repo)) == str(repo / ".git" / "duban-cache" / "ledger")
    assert cache_dir(nested) == repo / ".git" / "duban-cache" / "ledger-office%ledger"
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").write_text(f"gitdir: {repo / '.git' / 'worktrees' / 'w'}\n", encoding="utf-8")
    assert cache_dir(work) == repo / ".git" / "worktrees" / "w" / "duban-cache" / "ledger"
    (work / ".git").write_text("nonsense\n", encoding="utf-8")
    assert cache_dir(work) is None
    monkeypatch.chdir(repo)
    assert cache_dir(Path("office/ledger")) == Path(".git/duban-cache/ledger-office%ledger")
    monkeypatch.delenv("DUBAN_LEDGER", raising=False)
    (nested / "duban.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(nested / "..")
    assert cache_module.find_root() is None
    monkeypatch.chdir(nested)
    assert cache_module.find_root() == str(nested.resolve())
    assert cache_module.find_root(str(nested / "..")) is None
    monkeypatch.setenv("DUBAN_LEDGER", str(nested))
    assert cache_module.find_root() == str(nested.resolve())


def test_idle_cores_counts_what_runs_now_besides_this_process():
    from duban.store.stamps import idle_cores

    cores = os.cpu_count() or 1
    assert idle_cores("1.93 1.50 0.80 1/312 4242\n") == cores  # a busy last minute, nothing else runnable now
    assert idle_cores("0.01 0.02 0.00 3/312 4242\n") == cores - 2  # two others runnable now
    assert abs(idle_cores("garbled") - (cores - os.getloadavg()[0])) < 1  # no instant count: the load average
    assert idle_cores() <= cores
