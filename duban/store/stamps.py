"""Which YAML files a ledger has and whether they changed, and where its cache lives: the part of the cache
(:mod:`duban.store.cache`) that every run needs, with nothing but the standard library (the quick way of
:mod:`duban.store.views` imports this alone).

A folder's stamp is a digest of its files' names, modification times and sizes (:func:`stamp`); the scan
that stats every file (:func:`scan`) is shared with a forked process when a core is idle and the ledger is
big enough to pay for it."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable
from operator import itemgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the quick way
if TYPE_CHECKING:
    import sqlite3

try:  # the same function as hashlib's, without loading OpenSSL (a few milliseconds at every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b
try:  # the C pickler alone: pickle.py imports re and enum, a tenth of the quick way's start
    from _pickle import dumps, loads
except ImportError:  # pragma: no cover - another Python
    from pickle import dumps, loads

RACY_NS = 2_000_000_000
DB = "cache.sqlite"
CONFIG = "duban.yaml"
Files = list[tuple[str, int, int]]  # (name, mtime_ns, size), by name


def cache_path(root: str) -> str | None:
    """``<git dir>/duban-cache/<ledger>``; None outside git or with DUBAN_CACHE=off (as text: pathlib costs a
    tenth of the quick way's time; :func:`duban.store.cache.cache_dir` gives a Path)."""
    if os.environ.get("DUBAN_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    for d in upwards(root):
        g = os.path.join(d, ".git")
        if os.path.isdir(g):
            base = g
        elif os.path.isfile(g):
            with open(g, encoding="utf-8", errors="replace") as f:
                text = f.read().strip()
            if not text.startswith("gitdir:"):
                return None
            base = os.path.realpath(os.path.join(d, text[len("gitdir:") :].strip()))
        else:
            continue
        rel = os.path.relpath(root, d).replace(os.sep, "/")
        return os.path.join(base, "duban-cache", "ledger" if rel == "." else "ledger-" + rel.replace("/", "%"))
    return None


def upwards(path: str) -> list[str]:
    """The folder and every folder above it (as ``Path.parents`` gives them, ``.`` last for a relative one)."""
    out = [path]
    while (up := os.path.dirname(out[-1]) or ".") != out[-1]:
        out.append(up)
    return out


def find_root(explicit: str | os.PathLike | None = None) -> str | None:
    """The ledger's root: --ledger, else DUBAN_LEDGER, else the nearest folder with a duban.yaml above the
    working directory; None when there is none (:func:`duban.store.ledger.find_root` says why)."""
    given = explicit or os.environ.get("DUBAN_LEDGER")
    if given:
        root = os.path.realpath(os.path.expanduser(given))
        return root if os.path.isfile(os.path.join(root, CONFIG)) else None
    here = os.path.realpath(os.getcwd())
    return next((d for d in upwards(here) if os.path.isfile(os.path.join(d, CONFIG))), None)


# ------------------------------------------------------------------ scanning


def scan(root: str | os.PathLike, top: str) -> dict[str, Files]:
    """Every YAML file under ``top``: folder → sorted (name, mtime_ns, size); hidden names skipped.  The folders
    under ``top`` are shared with a forked process when that pays (:func:`_forking_pays`): the same stats, in
    about half the time."""
    return _scan(root, top, None)


def scan_stamps(root: str | os.PathLike, top: str, now: int) -> dict[str, bytes | None]:
    """Every folder of YAML files under ``top`` → its :func:`stamp` (what a forked process sends back is the
    stamps alone)."""
    return _scan(root, top, lambda files: stamp(files, now))


def _scan(root: str | os.PathLike, top: str, shape: Callable[[Files], object] | None) -> dict:
    top_files, subdirs = _listing(root, top)
    units = [f"{top}/{s}" for s in sorted(subdirs)]
    out: dict[str, object] = {}
    if top_files:
        out[top] = shape(top_files) if shape else top_files
    theirs = units[1::2] if _forking_pays(root, units) else []
    child = _fork_scan(root, theirs, shape) if theirs else None
    mine = {unit: _walk(root, unit, shape) for unit in units if child is None or unit not in theirs}
    got = _collect(*child) if child is not None else {}
    for unit in units:
        found = mine.get(unit)
        out.update(found if found is not None else got.get(unit) or _walk(root, unit, shape))
    return out


def _listing(root: str | os.PathLike, rel: str) -> tuple[Files, list[str]]:
    """A folder's YAML files, sorted (name, mtime_ns, size; -1, -1 for a dangling link), and its subfolders."""
    files, subdirs = [], []
    stat = os.stat
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    try:
        with os.scandir(fd) as it:
            for e in it:
                name = e.name
                if name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    subdirs.append(name)
                elif name.endswith((".yaml", ".yml")):
                    try:
                        st = stat(name, dir_fd=fd)  # relative to the folder: no path to resolve
                    except OSError:  # a dangling link: reported when it is read
                        files.append((name, -1, -1))
                        continue
                    files.append((name, st.st_mtime_ns, st.st_size))
    finally:
        os.close(fd)
    files.sort(key=itemgetter(0))  # names are unique: by name alone (a third of the time of tuples)
    return files, subdirs


def _walk(root: str | os.PathLike, top: str, shape=None) -> dict[str, object]:
    """:func:`scan` of one folder, in this process: depth first, subfolders in name order."""
    out: dict[str, object] = {}

    def walk(rel: str) -> None:
        files, subdirs = _listing(root, rel)
        if files:
            out[rel] = shape(files) if shape else files
        for s in sorted(subdirs):
            walk(f"{rel}/{s}")

    walk(top)
    return out


def idle_cores(loadavg: str | None = None) -> float:
    """How many cores no other process wants at this instant: the cores less the tasks runnable now besides
    this one (the fourth field of ``/proc/loadavg``, ``runnable/total``, counts this process too).  Not the
    one-minute load average: that still counts the commands that ran just before this one (a benchmark's,
    a script's) and that are gone; it is used only where the instant count is missing.  ``loadavg``: the
    file's text (for tests)."""
    cores = os.cpu_count() or 1
    try:
        if loadavg is None:
            with open("/proc/loadavg", encoding="ascii") as f:
                loadavg = f.read()
        runnable = int(loadavg.split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cores - os.getloadavg()[0]
    return cores - max(0, runnable - 1)


# bytes of folder entries before a second process pays for itself: about 30,000 files on ext4 (measured: at
# 10,000 files a fork gains 5 ms of 100 on an idle machine and costs 10 ms of CPU; at 100,000 it halves the scan)
SCAN_FORK_MIN = 1024 * 1024


def _forking_pays(root: str | os.PathLike, units: list[str]) -> bool:
    """Whether to share the folders with a forked process: two of them or more, another core idle
    (:func:`idle_cores`), and folders big enough (their size as folders, a hint at their number of
    entries: ``SCAN_FORK_MIN``).  ``DUBAN_SCAN_FORK=off`` never forks, ``=on`` forks whatever the load and size
    (for tests and benchmarks)."""
    setting = os.environ.get("DUBAN_SCAN_FORK", "").lower()
    if len(units) < 2 or setting in ("off", "0", "no", "false") or not hasattr(os, "fork"):
        return False
    if setting == "on":
        return True
    if idle_cores() < 2:
        return False
    size = 0
    for unit in units:
        try:
            size += os.stat(os.path.join(root, unit)).st_size
        except OSError:
            pass
    return size >= SCAN_FORK_MIN


def _fork_scan(root: str | os.PathLike, units: list[str], shape) -> tuple[int, int] | None:
    """Start a forked process that walks the units (:func:`_walk`) and sends what it found down a pipe: (its
    end of the pipe, its pid), or None when no process is to be had."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: scan, send, and leave at once, running nothing of the parent's (no atexit, no flush)
        code = 1
        try:
            os.close(r)
            data = dumps({unit: _walk(root, unit, shape) for unit in units}, protocol=5)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return r, pid


def _collect(fd: int, pid: int) -> dict[str, dict[str, object]]:
    """What the forked scan sent; nothing when it failed or died (the caller then scans those units itself)."""
    try:
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return {}
        got = loads(data)
        return got if isinstance(got, dict) else {}
    except Exception:  # a truncated or foreign message: scanned here
        return {}


def stamp(files: list[tuple[str, int, int]], now: int) -> bytes | None:
    """A folder's stamp: a digest of its files' names, times and sizes; None when one of them was modified in
    the two seconds before ``now`` (or has no time), as it could change again within the same timestamp."""
    times = array("q", map(itemgetter(1), files))
    if times and not 0 <= min(times) <= max(times) <= now - RACY_NS:
        return None
    h = blake2b("\0".join(map(itemgetter(0), files)).encode(), digest_size=16)
    h.update(times)
    h.update(array("q", map(itemgetter(2), files)))
    return h.digest()


def digest(blob: bytes) -> bytes:
    return blake2b(blob, digest_size=16).digest()


def in_transaction(db: sqlite3.Connection, write: Callable[[sqlite3.Connection], bool | None]) -> None:
    """``write(db)`` in one immediate transaction, committed unless it returns False (nothing to write); a
    database error (busy, read-only, another version's tables) rolls it back quietly, as a cache that cannot be
    written is only worked out again next time.  The connection is closed."""
    import sqlite3

    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK" if write(db) is False else "COMMIT")
    except sqlite3.Error:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
    finally:
        db.close()
