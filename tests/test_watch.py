"""The quick way past the stat of every file: a real watchman (a private server) watching a generated ledger; the
stored views are served without a scan only while watchman says nothing under items/ or events/ changed since a
clock taken before a scan that found the ledger clean, and any change, a restart or no watch goes back to the
scan."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stored_views import TODAY, age, built, edit_in_place, fresh_list, stored_list, warm  # noqa: F401

from duban.store import views, watch
from duban.store.cache import cache_dir


class Watchman:
    """A watchman server of the test's own (its socket, state and log in a short temporary folder)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="wm", dir="/tmp"))  # a socket's path must be short
        self.sock = str(self.dir / "sock")

    def run(self, *args: str) -> str:
        opts = [f"--sockname={self.sock}", f"--statefile={self.dir}/state", f"--logfile={self.dir}/log"]
        return subprocess.run(
            ["watchman", *opts, f"--pidfile={self.dir}/pid", "--no-pretty", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    def stop(self) -> None:
        """Shut the server down and wait until it is gone (a new one cannot start before)."""
        try:
            pid = int((self.dir / "pid").read_text().strip())
        except (OSError, ValueError):
            pid = None
        subprocess.run(["watchman", f"--sockname={self.sock}", "shutdown-server"], capture_output=True, timeout=60)
        for _ in range(200):
            try:
                if pid is None:
                    break
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        Path(self.sock).unlink(missing_ok=True)


@pytest.fixture
def watchman(monkeypatch):
    server = Watchman()
    monkeypatch.setenv("WATCHMAN_SOCK", server.sock)
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def root(built, tmp_path) -> Path:  # noqa: F811
    copy = tmp_path / "ledger"
    shutil.copytree(built, copy, symlinks=True)
    age(copy)
    return copy.resolve()


def watched_row(root: Path) -> tuple | None:
    with sqlite3.connect(cache_dir(root) / "cache.sqlite") as db:
        return db.execute("SELECT sock, watch, rel, clock FROM watched").fetchone()


def no_scan(monkeypatch):
    def scan(*args, **kwargs):
        raise AssertionError("scanned")

    monkeypatch.setattr(views, "scan_stamps", scan)


def test_a_watched_ledger_is_served_without_a_scan_until_anything_changes(root, watchman, monkeypatch):
    watchman.run("watch-project", str(root))
    before = warm(root)  # the full way stores the views; this serving scanned, found the ledger clean, kept a clock
    sock, where, rel, clock = watched_row(root)
    assert (sock, where, rel) == (watchman.sock, str(root), "") and clock.startswith("c:")
    with monkeypatch.context() as m:
        no_scan(m)
        for _ in range(3):
            assert stored_list(root, TODAY, False, True) == before  # no stat of any item file
    some = next(line.split()[0] for line in before.splitlines()[2:])
    path = root / "items" / some[:4] / f"{some}.yaml"
    title = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    edit_in_place(path, title, title[:-1] + ("乙" if title[-1] != "乙" else "甲"))
    with monkeypatch.context() as m:
        no_scan(m)
        assert stored_list(root, TODAY, False, True) is None  # watchman saw it: the scan is asked for
    assert stored_list(root, TODAY, False, True) is None  # and the scan sees the folder changed
    after = fresh_list(root, TODAY, False, True, monkeypatch)
    assert after != before and warm(root) == after
    with monkeypatch.context() as m:
        no_scan(m)
        assert stored_list(root, TODAY, False, True) == after
    hidden = root / "events" / ".note.tmp"  # a name no scan reads: still a change to watchman, so a scan again
    hidden.write_text("x", encoding="utf-8")
    with monkeypatch.context() as m:
        no_scan(m)
        assert stored_list(root, TODAY, False, True) is None
    assert stored_list(root, TODAY, False, True) == after  # the scan finds the ledger as it was: served, clock kept
    with monkeypatch.context() as m:
        no_scan(m)
        assert stored_list(root, TODAY, False, True) == after


def test_a_change_made_while_watchman_was_away_is_seen(root, watchman, monkeypatch):
    watchman.run("watch-project", str(root))
    before = warm(root)
    assert stored_list(root, TODAY, False, True) == before and watched_row(root)[3]
    watchman.stop()
    some = next(line.split()[0] for line in before.splitlines()[2:])
    path = root / "items" / some[:4] / f"{some}.yaml"
    title = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    edit_in_place(path, title, title[:-1] + ("乙" if title[-1] != "乙" else "甲"))
    with monkeypatch.context() as m:  # no server: no answer, so the scan, which sees the change
        no_scan(m)
        assert stored_list(root, TODAY, False, True) is None
    watchman.run("watch-project", str(root))  # a new run of watchman: its clocks are not the kept one's
    with monkeypatch.context() as m:
        no_scan(m)
        assert stored_list(root, TODAY, False, True) is None
    after = fresh_list(root, TODAY, False, True, monkeypatch)
    assert after != before and warm(root) == after


def test_a_ledger_watchman_does_not_watch_is_scanned_until_it_does(root, watchman, monkeypatch):
    other = Path(tempfile.mkdtemp(prefix="wmother", dir="/tmp"))
    try:
        watchman.run("watch-project", str(other))  # a server running, but for another folder
        before = warm(root)
        assert watched_row(root) is None  # nothing kept: asked again next time (one question, under a millisecond)
        assert stored_list(root, TODAY, False, True) == before and watched_row(root) is None
        watchman.run("watch-project", str(root))  # the clerk has it watch the ledger: the next scan keeps a clock
        assert stored_list(root, TODAY, False, True) == before and watched_row(root)[0] == watchman.sock
        with monkeypatch.context() as m:
            no_scan(m)
            assert stored_list(root, TODAY, False, True) == before
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_the_socket_named_is_asked_not_the_one_a_clock_was_kept_from(root, watchman, monkeypatch):
    """The clerk's next session, or the bench's next server: another socket, and the old one gone."""
    watchman.run("watch-project", str(root))
    before = warm(root)
    assert watched_row(root)[0] == watchman.sock
    watchman.stop()
    second = Watchman()
    try:
        second.run("watch-project", str(root))
        monkeypatch.setenv("WATCHMAN_SOCK", second.sock)
        with monkeypatch.context() as m:  # a clock of another server's stands for nothing: a scan
            no_scan(m)
            assert stored_list(root, TODAY, False, True) is None
        assert stored_list(root, TODAY, False, True) == before and watched_row(root)[0] == second.sock
        with monkeypatch.context() as m:
            no_scan(m)
            assert stored_list(root, TODAY, False, True) == before
    finally:
        second.stop()
        shutil.rmtree(second.dir, ignore_errors=True)


def test_no_watchman_changes_nothing(root, monkeypatch):
    monkeypatch.setenv("WATCHMAN_SOCK", "/nonexistent/sock")
    before = warm(root)
    assert watched_row(root) is None
    assert stored_list(root, TODAY, False, True) == before
    assert watch.changed_since("/nonexistent/sock", str(root), "", "c:1:1:1:1") is None


def test_any_file_under_items_or_events_is_a_change_and_nothing_else_is(tmp_path, watchman):
    root = (tmp_path / "l").resolve()
    for folder in ("items/2026", "events/2026", "rules"):
        (root / folder).mkdir(parents=True)
    watchman.run("watch-project", str(root))
    where, rel = watch.watching(watchman.sock, str(root))
    assert (where, rel) == (str(root), "")
    sub = root / "items" / "2026"
    assert watch.watching(watchman.sock, str(sub)) == (str(root), "items/2026")
    clock = watch.clock(watchman.sock, where)
    assert watch.changed_since(watchman.sock, where, rel, clock)[0] is False
    (root / "rules" / "x.yaml").write_text("a: 1\n", encoding="utf-8")  # settings are statted, not asked
    assert watch.changed_since(watchman.sock, where, rel, clock)[0] is False
    for name in ("items/2026/.x.yaml.tmp", "events/2026/notes.txt"):
        (root / name).write_text("x", encoding="utf-8")
        said = watch.changed_since(watchman.sock, where, rel, clock)
        assert said is not None and said[0] is True
        clock = said[1]
    assert watch.changed_since(watchman.sock, where, rel, "c:0:0:0:0")[0] is True  # another run's clock


def test_without_watchman_sock_watchman_is_never_asked(root, watchman, monkeypatch):
    watchman.run("watch-project", str(root))  # a server watching the ledger, but not named to duban
    monkeypatch.delenv("WATCHMAN_SOCK", raising=False)
    assert watch.socket_path() is None
    before = warm(root)
    assert stored_list(root, TODAY, False, True) == before and watched_row(root) is None


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSONISH, ascii_only=st.booleans(), floats=st.lists(st.floats(allow_nan=False, allow_infinity=False)))
def test_what_is_sent_and_read_is_json_as_the_json_module_writes_and_reads_it(value, ascii_only, floats):
    assert watch.dumps(value) == json.dumps(value)
    got = json.dumps([value, floats], ensure_ascii=ascii_only)
    for text in (got, f" \n{got}\r\n"):
        assert watch.loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize("data", [b"", b"\n", b'{"a": 1} x', b"NaN", b'{"a": -Infinity}', b'{"a": 1', b"\xff"])
def test_what_is_not_one_json_value_is_refused(data, monkeypatch):  # NaN and Infinity too, which json.loads takes
    with pytest.raises(ValueError):
        watch.loads(data)
    monkeypatch.setitem(sys.modules, "_json", None)  # a Python without json's C parts: json itself, as strict
    with pytest.raises(ValueError):
        watch.loads(data)


def test_a_watched_quick_way_imports_neither_json_nor_socket(root, watchman):
    """Both modules import re or enum: 10 ms of the 28 a watched ``show`` takes."""
    watchman.run("watch-project", str(root))
    before = warm(root)
    some = sorted((root / "items" / "2026").glob("*.yaml"))[-1].stem
    env = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY.isoformat()}
    subprocess.run([sys.executable, "-m", "duban", "show", some], env=env, capture_output=True, check=True)
    probe = (
        "import atexit, sys\n"
        "from duban.store import views, watch\n"
        "asked = []\n"
        "real = watch.ask\n"
        "watch.ask = lambda sock, command: asked.append(command[0]) or real(sock, command)\n"
        "views.scan_stamps = None  # served without a scan, or the full way (which prints the same)\n"
        "atexit.register(lambda: print(asked, sorted(m for m in ('re', 'enum', 'json', 'socket', 'selectors') "
        "if m in sys.modules), file=sys.stderr))\n"
        "sys.argv = ['duban', *sys.argv[1:]]\n"
        "from duban.cli import main\n"
        "main()\n"
    )
    for args in [("list",), ("show", some)]:
        p = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr.strip().splitlines()[-1] == "['query'] []", (args, p.stderr)
    p = subprocess.run([sys.executable, "-m", "duban", "list"], env=env, capture_output=True, text=True, check=True)
    assert p.stdout.strip() == before.strip()
