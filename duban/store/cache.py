"""A rebuildable cache of parsed ledger files, kept in the git directory.

Reading a YAML file costs about half a millisecond; a ten-year ledger has
100,000 of them.  The cache keeps, per folder (``items/2026``,
``events/2026`` …), what loading each file produced, so that a command reads
only the files that changed and materialises only the items it needs.

For each folder, under ``<git dir>/duban-cache/<ledger>/``:

``items%2026.head``
    the cache key, a digest of every file's (name, modification time, size),
    the context the cross-references were checked in, every problem of the
    folder's files, and which items are settled (see
    :func:`duban.state.settled_on`) and since when;
``items%2026.files``
    per file: its modification time and size and what loading it found
    (read only when the folder changed);
``items%2026.live`` / ``items%2026.rest``
    the loaded records of the items in hand, and of the settled ones.

Every file is checked on every run: its modification time and size must match
what the cache saw, or it is read again.  A file modified in the two seconds
before the cache was written is not trusted (it could change again within the
same timestamp).  A cache file that is missing, unreadable, corrupt or from
another version of duban is ignored and rebuilt; the cache is only written
when its own lock is free, each file atomically, and the head, written last,
names the generation of the record files it goes with.  Delete the folder at
any time; ``DUBAN_CACHE=off`` runs without it.
"""

from __future__ import annotations

import os
import pickle
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import Any

FORMAT = 1
RACY_NS = 2_000_000_000
SOURCES = ("model.py", "yamlio.py", "schema.py", "state.py", "ledger.py", "cache.py", "unitevents.py", "errors.py")


def cache_key() -> tuple:
    """What the cached results depend on besides the files: the format, duban's version and code, Python."""
    from duban import __version__

    here = Path(__file__).parent
    stamps = []
    for name in SOURCES:
        try:
            st = os.stat(here / name)
            stamps.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((name, 0, 0))
    return FORMAT, __version__, tuple(sys.version_info[:2]), tuple(stamps)


def cache_dir(root: Path) -> Path | None:
    """``<git dir>/duban-cache/<ledger>``; None outside git or with DUBAN_CACHE=off."""
    if os.environ.get("DUBAN_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    for d in (root, *root.parents):
        g = d / ".git"
        if g.is_dir():
            base = g
        elif g.is_file():
            text = g.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            base = (d / text[len("gitdir:") :].strip()).resolve()
        else:
            continue
        rel = root.relative_to(d).as_posix()
        return base / "duban-cache" / ("ledger" if rel == "." else "ledger-" + rel.replace("/", "%"))
    return None


# ------------------------------------------------------------------ scanning


def scan(root: Path, top: str) -> dict[str, list[tuple[str, int, int]]]:
    """Every YAML file under ``top``: folder → sorted (name, mtime_ns, size); hidden names skipped."""
    out: dict[str, list[tuple[str, int, int]]] = {}

    def walk(rel: str) -> None:
        files, subdirs = [], []
        try:
            it = os.scandir(root / rel)
        except (FileNotFoundError, NotADirectoryError):
            return
        with it:
            for e in it:
                name = e.name
                if name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    subdirs.append(name)
                elif name.endswith((".yaml", ".yml")):
                    try:
                        st = os.stat(e.path)
                    except OSError:  # a dangling link: reported when it is read
                        files.append((name, -1, -1))
                        continue
                    files.append((name, st.st_mtime_ns, st.st_size))
        if files:
            out[rel] = sorted(files)
        for s in sorted(subdirs):
            walk(f"{rel}/{s}")

    walk(top)
    return out


# ------------------------------------------------------------------ records


@dataclass
class Entry:
    """What loading one file found (everything but the record itself)."""

    settled: int = 0  # settled_on(item) as an ordinal; 0 while in hand
    problems: tuple = ()  # from reading and validating the file alone
    checks: tuple = ()  # duban check's findings about the file alone (invalid transitions)
    refs: tuple = ()  # cross-reference problems, in the head's context
    broken: bool = False  # the file did not load (refs aside)


Parse = Callable[[str], tuple[Any, Entry]]  # rel → (record or None, entry)
Refs = Callable[[Any], tuple]  # record → cross-reference problems


def notable(e: Entry) -> bool:
    return bool(e.problems or e.checks or e.refs or e.broken)


@dataclass
class Folder:
    """One folder's files as loaded: the notable entries (problems, broken files), and the records."""

    rel: str
    names: list[str]
    notes: dict[str, Entry]  # only files with problems or findings, or that did not load
    live: dict[str, Any]  # name → record: items in hand
    settled_max: int  # the latest settled ordinal among the folder's items (0: none)
    _rest: Callable[[], dict[str, tuple[int, Any]]]  # name → (settled ordinal, record)

    def records(self, settled_after: int | None = None) -> dict[str, Any]:
        """The items in hand, and the settled ones settled after the ordinal given (None: all of them)."""
        out = dict(self.live)
        if settled_after is None or settled_after < self.settled_max:
            out.update({n: r for n, (s, r) in self._rest().items() if settled_after is None or s > settled_after})
        return out


class Cache:
    def __init__(self, root: Path):
        self.dir = cache_dir(root)
        self.key = cache_key() if self.dir else None
        self._lock = None
        self._lock_tried = False
        self.reread: list[str] = []  # files read this run rather than taken from the cache

    # ------------------------------------------------------------- files
    def _path(self, rel: str, suffix: str) -> Path:
        return self.dir / f"{rel.replace('/', '%')}.{suffix}"

    def _read(self, rel: str, suffix: str, gen=None):
        """A cache file's value; None when missing, unreadable, corrupt or of another generation."""
        if not self.dir:
            return None
        try:
            with open(self._path(rel, suffix), "rb") as f:
                value = pickle.load(f)
        except Exception:  # truncated, corrupt, or pickled by other code: rebuilt
            return None
        if not isinstance(value, dict) or (gen is not None and value.get("gen") != gen):
            return None
        return value

    def _writable(self) -> bool:
        if not self._lock_tried:
            self._lock_tried = True
            try:
                from filelock import FileLock, Timeout

                self.dir.mkdir(parents=True, exist_ok=True)
                lock = FileLock(str(self.dir / "lock"))
                try:
                    lock.acquire(timeout=0)
                    self._lock = lock
                except Timeout:  # another duban is writing it: carry on without
                    pass
            except OSError:  # we may not write there: carry on without
                self._lock = None
        return self._lock is not None

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _write(self, rel: str, suffix: str, value) -> None:
        from duban.store.yamlio import atomic_write

        atomic_write(self._path(rel, suffix), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    # ------------------------------------------------------------- folders
    def folder(self, rel: str, files: list[tuple[str, int, int]], context, parse: Parse, refs: Refs) -> Folder:
        """One folder: from the cache when every file's time and size match, else the changed files read again."""
        digest = blake2b(repr(files).encode(), digest_size=16).digest()
        head = self._read(rel, "head")
        if head and head.get("key") != self.key:
            head = None
        if head and head["digest"] == digest and head["context"] == context:
            live = self._read(rel, "live", head["gens"][0])
            if live is not None:

                def rest(gen=head["gens"][1]):
                    value = self._read(rel, "rest", gen)
                    if value is None:  # vanished or corrupt since the head was read: read the files again
                        return self._rebuild(rel, files, digest, context, None, parse, refs)[1]
                    return value["records"]

                return Folder(rel, [f[0] for f in files], head["notes"], live["records"], head["settled_max"], rest)
        return self._rebuild(rel, files, digest, context, head, parse, refs)[0]

    def _rebuild(self, rel, files, digest, context, head, parse: Parse, refs: Refs):
        old = self._read(rel, "files", head["gens"]) if head else None
        stats, entries_before = (old["stats"], old["entries"]) if old else ({}, {})
        same_context = bool(old) and head["context"] == context
        old_live = old_rest = None
        now = time.time_ns()
        entries: dict[str, Entry] = {}
        live: dict[str, Any] = {}
        rest: dict[str, tuple[int, Any]] = {}
        for name, mtime, size in files:
            e, record = entries_before.get(name), None
            if e is not None and stats.get(name) == (mtime, size):
                if not e.broken:
                    if e.settled:
                        if old_rest is None:
                            old_rest = (self._read(rel, "rest", head["gens"][1]) or {}).get("records", {})
                        record = old_rest.get(name, (0, None))[1]
                    else:
                        if old_live is None:
                            old_live = (self._read(rel, "live", head["gens"][0]) or {}).get("records", {})
                        record = old_live.get(name)
                    if record is None:  # the record file lost it: read the file again
                        e = None
                    elif not same_context:
                        e.refs = refs(record)
            else:
                e = None
            if e is None:
                record, e = parse(f"{rel}/{name}")
                self.reread.append(f"{rel}/{name}")
                e.refs = refs(record) if record is not None else ()
            entries[name] = e
            if record is not None:
                if e.settled:
                    rest[name] = (e.settled, record)
                else:
                    live[name] = record
        notes = {n: e for n, e in entries.items() if notable(e)}
        settled_max = max((e.settled for e in entries.values()), default=0)
        if self.dir and self._writable():
            racy = {name for name, mtime, size in files if mtime > now - RACY_NS or mtime < 0}
            gens = (secrets.token_hex(8), secrets.token_hex(8))
            self._write(rel, "live", {"gen": gens[0], "records": live})
            self._write(rel, "rest", {"gen": gens[1], "records": rest})
            self._write(
                rel,
                "files",
                {"gen": gens, "entries": entries, "stats": {n: (m, s) for n, m, s in files if n not in racy}},
            )
            self._write(
                rel,
                "head",
                {
                    "key": self.key,
                    "digest": None if racy else digest,
                    "context": context,
                    "gens": gens,
                    "notes": notes,
                    "settled_max": settled_max,
                },
            )
        folder = Folder(rel, [f[0] for f in files], notes, live, settled_max, lambda: rest)
        return folder, rest
