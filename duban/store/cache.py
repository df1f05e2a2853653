"""A rebuildable cache of parsed ledger files: one SQLite database in the git directory.

Reading a YAML file costs about half a millisecond; a ten-year ledger has
100,000 of them.  The cache keeps what loading each file produced, so that a
command reads only the files that changed and materialises only the items it
needs.  It lives in ``<git dir>/duban-cache/<ledger>/cache.sqlite``:

``files``
    a row per file (``folder``, ``name``): its modification time and size,
    the ordinal of the day its item was settled (:func:`duban.state.settled_on`;
    0 while in hand), its problems, ``duban check``'s findings, its
    cross-reference problems, whether it failed to load, and, as plain columns
    for queries, the item's derived status, current deadline (ISO date), lead
    unit, tier, category and title (as corrected), whether it was extended and its
    latest slip — what the 台账 prints of a settled item (:meth:`Folder.summaries`);
    and the digest of its record (the key of its memos); indexed on ``settled`` as well as by folder, so that
    a query of the items in hand, or settled after a day, reads their rows and not ten years' rows;
``records``
    the parsed record of each file that loaded, pickled, and the digest of the
    pickle (a table of its own, so that checking the files' stamps reads small
    rows only);
``folders``
    per folder, the context its cross-references were checked in (the units
    and categories of the moment), and its stamp: a digest of every file's
    name, modification time and size, kept only when all of them are older
    than two seconds and have their rows;
``memos``
    values derived from a record and something else (:func:`memos`), keyed on the record's digest and a
    digest of the something else (``context``), with the days they hold on (``first`` to ``last``, NULL: for
    ever): the occurrences a settled item gives every score from a day on, the days an item in hand gives
    the sweep nothing to do (the rule pack being the something else).  A command can take such values in
    place of the records they were derived from (:meth:`Folder.records`' ``memo``), so that the records are
    not even unpickled;
``views``, ``clean``, ``watched``
    what ``list`` and ``show`` print of an item, kept for the days it holds, the identity of the last
    load that found no problem (:mod:`duban.store.views`), and the clock of watchman's that a scan found
    every file as that identity says after (:mod:`duban.store.watch`);
``meta``
    the key: :data:`FORMAT`, duban's version and the shape of the stored
    record classes.  A database with another key is emptied and rebuilt, so a
    reinstall of the same version keeps it and an upgrade rebuilds it.

Every file is checked on every run: its modification time and size must match
its row, or it is read again.  Why every file: a program that writes a file in
place (most editors, ``echo >>``, a script) changes neither its folder's time
nor anything git knows before it stats the file itself, so a stat per file is
the least a sound check can do (about 3 µs here: 0.3 s of CPU for 100,000
files, shared with a forked process when a core is idle:
:func:`duban.store.stamps.scan`; ``git status`` does the same stats in C,
0.13 s, but runs a process and refreshes git's index; the quick way of ``list`` and ``show`` is spared it
while watchman, watching the ledger, says nothing changed: :mod:`duban.store.watch`).  What follows the stats
is proportional to what changed: a folder whose stamp matches the one stored is taken whole from the
database — only its files with problems are fetched, and its records when a
command asks for them, chosen by a query on the plain columns — and only a
folder whose stamp differs has its rows compared file by file.  A file
modified in the two seconds before the run started is stored without its
time, so it is read again next time (it could change again within the same
timestamp).  A cold build parses in worker processes when another core is
free, each doing all of a file's work (its row, its record pickled once) so that
the parent only gathers rows and unpickles just the records a command asks for;
its progress on stderr when that is a terminal.  Records are stored without
their line maps (:func:`duban.store.ledger.item_lines` reads one when a problem
needs its line).  A database that is missing,
corrupt, truncated or foreign is deleted and rebuilt; a row that cannot be
unpickled is read again from its file.  A run reads in one transaction and
writes, only if something changed, in the same transaction at the end (WAL
mode: readers never wait); when another duban holds the database, or wrote to
it meanwhile, the run simply does not write.  Beside the database,
``settings.pickle`` holds duban.yaml, units.yaml and the rule pack as loaded
(:func:`duban.store.ledger.settings`).  Delete the folder at any time;
``DUBAN_CACHE=off`` runs without it.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from duban.store.stamps import DB, RACY_NS, cache_path, digest, idle_cores, in_transaction, scan, stamp

__all__ = ["DB", "RACY_NS", "digest", "scan", "stamp"]  # here for their callers of old

FORMAT = 11  # bump whenever the tables or the meaning of a column change (10: watched, 11: files_settled)
BUSY_MS = 50  # how long a run waits for another duban's write before it gives up writing

SCHEMA = """
CREATE TABLE meta (key TEXT NOT NULL);
CREATE TABLE folders (folder TEXT PRIMARY KEY, context BLOB, stamp BLOB);
CREATE TABLE files (
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    mtime_ns INTEGER,           -- NULL: not to be trusted (modified just before it was read)
    size INTEGER,
    settled INTEGER NOT NULL,   -- settled_on() as an ordinal, 0 while in hand
    problems BLOB,              -- pickled tuples of Problem, NULL when none
    checks BLOB,
    refs BLOB,
    broken INTEGER NOT NULL,
    status TEXT,                -- derived status at the end of the log
    deadline TEXT,              -- current deadline, ISO
    lead TEXT,
    tier TEXT,                  -- as corrected (amendments) at the end of the log
    category TEXT,              -- as corrected
    horizon INTEGER,            -- the day of its last record (ordinal): from then on the columns hold for any day
    title TEXT,                 -- as corrected at the end of the log
    extended INTEGER,
    slip TEXT,                  -- the latest slip (state.last_slip) as JSON, NULL when none
    digest BLOB,                -- of the record's pickle (as in records), NULL when it did not load
    UNIQUE (folder, name)
);
CREATE INDEX files_settled ON files (settled);  -- the items in hand or settled after a day, of every folder at once
CREATE TABLE records (folder TEXT NOT NULL, name TEXT NOT NULL, digest BLOB NOT NULL, record BLOB NOT NULL,
                      PRIMARY KEY (folder, name));
CREATE TABLE memos (kind TEXT NOT NULL, context BLOB NOT NULL, digest BLOB NOT NULL, first INTEGER NOT NULL,
                    last INTEGER, value BLOB NOT NULL, PRIMARY KEY (kind, digest, context));
CREATE TABLE views (kind TEXT NOT NULL, folder TEXT NOT NULL, name TEXT NOT NULL, digest BLOB NOT NULL,
                    context BLOB NOT NULL, since INTEGER NOT NULL, until INTEGER NOT NULL, until_all INTEGER NOT NULL,
                    view BLOB NOT NULL, PRIMARY KEY (kind, folder, name));
CREATE TABLE clean (code BLOB NOT NULL, probes BLOB NOT NULL, timezone TEXT NOT NULL, stamps BLOB NOT NULL);
CREATE TABLE watched (stamps BLOB NOT NULL, sock TEXT, watch TEXT, rel TEXT, clock TEXT, events BLOB);
"""
TABLES = {"meta", "folders", "files", "records", "memos", "views", "clean", "watched"}
COLUMNS = (
    "folder",
    "name",
    "mtime_ns",
    "size",
    "settled",
    "problems",
    "checks",
    "refs",
    "broken",
    "status",
    "deadline",
    "lead",
    "tier",
    "category",
    "horizon",
    "title",
    "extended",
    "slip",
    "digest",
)
CHUNK = 500  # names per query
SUMMARY = ("status", "deadline", "lead", "tier", "title", "extended", "slip")  # what Folder.summaries gives


def cache_dir(root: Path) -> Path | None:
    """``<git dir>/duban-cache/<ledger>``; None outside git or with DUBAN_CACHE=off."""
    path = cache_path(os.fspath(root))
    return Path(path) if path is not None else None


def cache_key(stored: tuple[type, ...] = ()) -> str:
    """What every row depends on besides its file: the format, duban's version, the stored classes' fields."""
    from duban import __version__

    shape = [(c.__module__, c.__qualname__, tuple(f.name for f in dataclasses.fields(c))) for c in stored]
    return f"{FORMAT} {__version__} {blake2b(repr(shape).encode(), digest_size=8).hexdigest()}"


# ------------------------------------------------------------------ records


class Facts(NamedTuple):
    """What later queries want of an item, stored as plain columns."""

    status: str
    deadline: str | None  # ISO date
    lead: str
    tier: str
    category: str
    horizon: int  # the day of the item's last record, as an ordinal: the columns hold on any day from then on
    title: str
    extended: bool
    slip: str | None  # JSON of state.last_slip()


@dataclass
class Entry:
    """What loading one file found (everything but the record itself)."""

    settled: int = 0  # settled_on(item) as an ordinal; 0 while in hand
    problems: tuple = ()  # from reading and validating the file alone
    checks: tuple = ()  # duban check's findings about the file alone (invalid transitions)
    refs: tuple = ()  # cross-reference problems, in the folder's context
    broken: bool = False  # the file did not load (refs aside)
    facts: Facts | None = None  # written to the database, not read back


Parse = Callable[[str], tuple[Any, Entry]]  # rel → (record or None, entry)
Refs = Callable[[Any], tuple]  # record → cross-reference problems


def notable(e: Entry) -> bool:
    return bool(e.problems or e.checks or e.refs or e.broken)


def _dump(value) -> bytes | None:
    return pickle.dumps(value, protocol=5) if value else None


def _load(blob: bytes | None):
    return pickle.loads(blob) if blob is not None else ()


class Folder:
    """One folder's files as loaded: the notable entries (problems, broken files), and the records on demand."""

    def __init__(
        self,
        cache: Cache,
        rel: str,
        names: list[str],
        notes: dict[str, Entry],
        settled: dict[str, int] | None,
        records: dict[str, Any],
        read: Callable[[str], tuple[Any, Entry]],
    ):
        self.rel = rel
        self.names = names
        self.notes = notes  # only files with problems or findings, or that did not load
        self._settled = settled  # name → settled ordinal (0: in hand), for every file that loaded; None: all rows fresh
        self._cache, self._records, self._read = cache, records, read

    def records(
        self,
        settled_after: int | None = None,
        where: tuple[str, tuple] | None = None,
        names: set[str] | None = None,
        memos: tuple[Memo, ...] = (),
    ) -> dict[str, Any]:
        """The items in hand, and the settled ones settled after the ordinal given (None: all of them); only
        those of ``names`` when given.

        ``where``: a condition on the plain columns that narrows the choice where every row is fresh (a
        superset of what the caller wants: it checks the records it gets).  ``memos``: files whose record has a
        memo of one of these kinds and contexts holding by its day are left out, their values in
        :attr:`Cache.memoed` (the first such memo; a file read again this run has no memo: its row is not yet
        stored)."""
        if names is not None:
            where = (f"name IN ({', '.join('?' * len(names))})", tuple(sorted(names)))
        if self._settled is None:  # every row is fresh: the database chooses
            chosen = self._cache._select(self.rel, settled_after, where)
            if chosen is not None:
                chosen = self._cache._memoed(self.rel, chosen, memos)
                self._records.update(self._cache._records(self.rel, chosen, self._record))
                return {n: r for n in chosen if (r := self._records[n]) is not None}
            self._settled = {}  # the database failed: every file read again
            for name in self.names:
                self._records[name], e = self._read(name)
                if not e.broken:
                    self._settled[name] = e.settled
        wanted = [
            n
            for n, s in self._settled.items()
            if (settled_after is None or not s or s > settled_after) and (names is None or n in names)
        ]
        missing = [n for n in wanted if n not in self._records]
        if memos and missing:
            missing = self._cache._memoed(self.rel, missing, memos)
            left = set(missing)
            wanted = [n for n in wanted if n in self._records or n in left]
        if missing:
            self._records.update(self._cache._records(self.rel, missing, self._record))
        return {n: r for n in wanted if (r := self._records[n]) is not None}

    def summaries(self, where: tuple[str, tuple]) -> dict[str, tuple] | None:
        """name → the plain columns (``SUMMARY``) of the loaded files meeting ``where``, when every row of the
        folder is fresh; None otherwise (then :meth:`records` gives every record)."""
        if self._settled is not None:
            return None
        return self._cache._summaries(self.rel, where)

    def _record(self, name: str):
        return self._read(name)[0]


class Cache:
    def __init__(self, root: Path, stored: tuple[type, ...] = ()):
        """``stored``: the dataclasses the records are made of (their fields are part of the key)."""
        self.root = root
        self.reread: list[str] = []  # files read this run rather than taken from the cache
        self.digests: dict[str, bytes] = {}  # file → digest of its stored record (the key of its memos)
        # file → (kind, first day, value) of a memo taken for its record
        self.memoed: dict[str, tuple[str, int, bytes]] = {}
        self.now = time.time_ns()  # before any file is statted: later modifications have later times
        self.db: sqlite3.Connection | None = None
        self._contexts: dict[str, Any] = {}  # folder → context, as stored
        self._stamps: dict[str, bytes] = {}  # folder → stamp, as stored
        self._rows: list[tuple] = []  # rows of files read again, to write
        self._blobs: list[tuple[str, str, bytes, bytes]] = []  # and their records (with their digests)
        self._pending: dict[str, bytes] = {}  # file → its record pickled, for the files read this run
        self._ahead: dict[str, Prepared] = {}  # file → what parsing it ahead (parse_all) made, until its folder
        self._refs: list[tuple] = []  # (refs, folder, name) to update
        self._gone: list[tuple[str, str]] = []  # (folder, name) to delete
        self._folders: dict[str, tuple[Any, bytes | None]] = {}  # folder → (context, stamp), to write
        self._memos: dict[Memo, dict[bytes, tuple[int, bytes]]] = {}  # memos that hold, by their record's digest
        self._seen: set[str] = set()
        self.stamps: dict[str, bytes | None] = {}  # folder → its stamp as scanned this run (None: racy)
        self._tops: set[str] = set()
        self._corrupt = False
        self._empty = False  # the database was set up (emptied) by this run
        d = cache_dir(root)
        if d is not None:
            self.path = d / DB
            self._open(cache_key(stored))

    # ------------------------------------------------------------- the database
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _open(self, key: str) -> None:
        """Open the database for this run; a corrupt one is deleted and made anew, any other failure means none."""
        for _attempt in (1, 2):
            db = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = self._connect()
                db.execute("BEGIN")  # one snapshot for the whole run
                if not self._ours(db, key):
                    db.execute("ROLLBACK")
                    self._reset(db, key)
                    db.execute("BEGIN")
                    if not self._ours(db, key):  # another version set it up meanwhile
                        raise sqlite3.OperationalError("busy")
                for folder, context, stamp in db.execute("SELECT folder, context, stamp FROM folders"):
                    try:
                        self._contexts[folder] = pickle.loads(context)
                    except Exception:  # unreadable: the folder's cross-references are checked again
                        continue
                    if stamp is not None:
                        self._stamps[folder] = stamp
                self.db = db
                return
            except (sqlite3.Error, OSError) as e:  # busy, read-only, or not a database
                if db is not None:
                    db.close()
                if not (isinstance(e, sqlite3.Error) and _corrupt(e)):
                    return
                self._delete()

    @staticmethod
    def _ours(db: sqlite3.Connection, key: str) -> bool:
        """Whether the database is this version's cache."""
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        try:
            return tables == TABLES and db.execute("SELECT key FROM meta").fetchall() == [(key,)]
        except sqlite3.OperationalError:  # a table of that name, but not ours
            return False

    def _reset(self, db: sqlite3.Connection, key: str) -> None:
        """An empty, foreign or outdated database: emptied and set up for this version (busy: raises)."""
        db.execute("PRAGMA journal_mode = WAL")  # kept in the file
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._ours(db, key):  # another duban set it up meanwhile
                db.execute("COMMIT")
                return
            for kind, name in db.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%'"
            ).fetchall():
                db.execute(f'DROP {kind} IF EXISTS "{name}"')
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES (?)", (key,))
            db.execute("COMMIT")
            self._empty = True
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _delete(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:  # gone already, or not ours to delete: the next run tries again
                pass

    def _fail(self, e: sqlite3.Error) -> None:
        """The database failed mid-run: the rest of the run goes without it (a corrupt one is deleted at close)."""
        self._corrupt = self._corrupt or _corrupt(e)
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None

    def close(self) -> None:
        """Write what this run read again, in the run's transaction; nothing when busy or outdated."""
        db, self.db = self.db, None
        if db is not None:
            try:
                self._write(db)
                db.execute("COMMIT")
            except sqlite3.Error as e:  # busy, or another duban wrote meanwhile: its rows are as good
                self._corrupt = self._corrupt or _corrupt(e)
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            db.close()
        if self._corrupt:
            self._delete()

    def _write(self, db: sqlite3.Connection) -> None:
        for top in self._tops:  # folders that are gone
            for f in [f for f in self._contexts if f not in self._seen and (f == top or f.startswith(top + "/"))]:
                for table in ("files", "records", "folders", "views"):
                    db.execute(f"DELETE FROM {table} WHERE folder = ?", (f,))
        if not self._empty:  # rows replaced (a database this run set up has none: a row written meanwhile by
            # another duban makes the inserts fail, and this run writes nothing)
            gone = self._gone + [row[:2] for row in self._rows]
            for table in ("files", "records", "views"):
                db.executemany(f"DELETE FROM {table} WHERE folder = ? AND name = ?", gone)
        db.executemany(f"INSERT INTO files ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", self._rows)
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?)", self._blobs)
        db.executemany("UPDATE files SET refs = ? WHERE folder = ? AND name = ?", self._refs)
        db.executemany(
            "INSERT OR REPLACE INTO folders VALUES (?, ?, ?)",
            [(f, pickle.dumps(c, protocol=5), s) for f, (c, s) in self._folders.items()],
        )

    # ------------------------------------------------------------- folders
    def folders(self, top: str, context, parse: Parse, refs: Refs) -> list[Folder]:
        """Every folder of YAML files under ``top``, in path order (folders no longer there leave the cache).

        The files of folders the database knows nothing of (a cold build, or no database) are parsed first,
        on every core."""
        self._tops.add(top)
        found = scan(self.root, top)
        self._ahead.update(
            parse_all(
                [f"{rel}/{f[0]}" for rel, files in found.items() if rel not in self._contexts for f in files],
                parse,
                refs,
            )
        )
        return [self.folder(rel, files, context, parse, refs) for rel, files in found.items()]

    def folder(self, rel: str, files: list[tuple[str, int, int]], context, parse: Parse, refs: Refs) -> Folder:
        """One folder: whole from the database when its stamp matches; else each file from its row when its time
        and size match, else read again."""
        self._seen.add(rel)
        names = list(map(itemgetter(0), files))
        sealed = self.stamps[rel] = stamp(files, self.now)
        stats: dict[str, tuple[int, int]] = {}  # name → (mtime, size), made when a file is compared or read

        def read(name: str):
            record, e = parse(f"{rel}/{name}")
            e.refs = refs(record) if record is not None else ()
            if not stats:
                stats.update((n, (m, z)) for n, m, z in files)
            self._store(rel, name, stats[name], *prepared(record, e))
            return record, e

        if sealed is not None and self._stamps.get(rel) == sealed and self._contexts.get(rel) == context:
            fresh = self._notes(rel, len(names))
            if fresh is not None:
                return Folder(self, rel, names, fresh, None, {}, read)
        stats.update((n, (m, z)) for n, m, z in files)
        stored = self._stored(rel)
        notes: dict[str, Entry] = {}
        settled: dict[str, int] = {}
        records: dict[str, Any] = {}
        read_now: set[str] = set()  # the files read this run (their records, if parsed ahead, wait as pickles)
        for name, stat in stats.items():
            row = stored.pop(name, None)
            if row is not None and row[0] == stat:
                _, s, e = row
            else:
                ahead = self._ahead.pop(f"{rel}/{name}", None)
                if ahead is not None:
                    tail, blob, e = ahead
                    self._store(rel, name, stat, tail, blob)
                    e = e or Entry(tail[0])
                else:
                    records[name], e = read(name)
                read_now.add(name)
                s = e.settled
            if e is not None and notable(e):
                notes[name] = e
            if e is None or not e.broken:
                settled[name] = s
        self._gone += [(rel, name) for name in stored]
        if rel not in self._contexts or self._contexts[rel] != context:  # units or categories changed: refs again
            kept = [n for n in settled if n not in read_now]
            records.update(self._records(rel, kept, lambda n: read(n)[0]))
            for n in kept:
                e = notes.pop(n, None) or Entry(settled[n])
                e.refs = refs(records[n])
                self._refs.append((_dump(e.refs), rel, n))
                if notable(e):
                    notes[n] = e
        if rel not in self._contexts or self._contexts[rel] != context or self._stamps.get(rel) != sealed:
            self._folders[rel] = (context, sealed)  # every file now has its row: the stamp stands for them
        return Folder(self, rel, names, notes, settled, records, read)

    def _notes(self, rel: str, count: int) -> dict[str, Entry] | None:
        """A fresh folder's files with problems or findings, or that did not load; None when the database fails
        or does not hold ``count`` rows for the folder."""
        if self.db is None:
            return None
        try:
            if self.db.execute("SELECT count(*) FROM files WHERE folder = ?", (rel,)).fetchone() != (count,):
                return None
            rows = self.db.execute(
                "SELECT name, settled, problems, checks, refs, broken FROM files WHERE folder = ? AND "
                "(problems IS NOT NULL OR checks IS NOT NULL OR refs IS NOT NULL OR broken)",
                (rel,),
            ).fetchall()
            return {n: Entry(s, _load(p), _load(c), _load(r), bool(b)) for n, s, p, c, r, b in rows}
        except sqlite3.Error as e:
            self._fail(e)
        except Exception:  # a row that does not unpickle: the folder is compared file by file
            pass
        return None

    def _select(self, rel: str, settled_after: int | None, where: tuple[str, tuple] | None) -> list[str] | None:
        """The names of a fresh folder's loaded files in hand or settled after the ordinal, and meeting ``where``;
        None when the database fails."""
        if self.db is None:
            return None
        query = "SELECT name FROM files WHERE folder = ? AND NOT broken"
        args: tuple = (rel,)
        if settled_after is not None:
            query += " AND (settled = 0 OR settled > ?)"
            args += (settled_after,)
        if where is not None:
            query += f" AND ({where[0]})"
            args += where[1]
        try:
            return [n for (n,) in self.db.execute(query + " ORDER BY name", args)]
        except sqlite3.Error as e:
            self._fail(e)
            return None

    def _memoed(self, rel: str, names: list[str], memos: tuple[Memo, ...]) -> list[str]:
        """``names`` but those whose stored record has a memo as one of ``memos`` asks (the first that does, kept
        in :attr:`memoed`)."""
        if self.db is None or not names or not memos:
            return names
        try:
            for memo in memos:
                if memo not in self._memos:  # every memo that holds, once a run (fewer rows than a folder has files)
                    self._memos[memo] = {
                        d: (first, value)
                        for d, first, value in self.db.execute(
                            "SELECT digest, first, value FROM memos WHERE kind = ? AND context = ? AND first <= ? "
                            "AND (last IS NULL OR last >= ?)",
                            (memo.kind, memo_context(memo.context), memo.on, memo.on),
                        )
                    }
            found = [(memo.kind, self._memos[memo]) for memo in memos if self._memos[memo]]
            digests: dict[str, bytes] = {}
            for i in range(0, len(names) if found else 0, CHUNK):
                chunk = names[i : i + CHUNK]
                digests.update(
                    self.db.execute(
                        f"SELECT name, digest FROM files WHERE folder = ? AND name IN ({', '.join('?' * len(chunk))})",
                        (rel, *chunk),
                    )
                )
        except sqlite3.Error as e:
            self._fail(e)
            return names
        out = []
        for name in names:
            d = digests.get(name) or b""
            got = next(((kind, *value) for kind, held in found if (value := held.get(d)) is not None), None)
            if got is not None:
                self.memoed[f"{rel}/{name}"] = got
            else:
                out.append(name)
        return out

    def _summaries(self, rel: str, where: tuple[str, tuple]) -> dict[str, tuple] | None:
        if self.db is None:
            return None
        try:
            rows = self.db.execute(
                f"SELECT name, {', '.join(SUMMARY)} FROM files WHERE folder = ? AND NOT broken AND ({where[0]})",
                (rel, *where[1]),
            ).fetchall()
        except sqlite3.Error as e:
            self._fail(e)
            return None
        return {r[0]: r[1:] for r in rows}

    def _stored(self, rel: str) -> dict[str, tuple[tuple[int, int], int, Entry | None]]:
        """The folder's rows: name → ((mtime, size), settled, entry when notable).  Rows that do not unpickle are left out."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT name, mtime_ns, size, settled, problems, checks, refs, broken "
                "FROM files WHERE folder = ? AND mtime_ns IS NOT NULL",
                (rel,),
            ).fetchall()
        except sqlite3.Error as e:
            self._fail(e)
            return {}
        out: dict[str, tuple[tuple[int, int], int, Entry | None]] = {}
        for name, mtime, size, settled, problems, checks, refs, broken in rows:
            if problems is None and checks is None and refs is None and not broken:
                out[name] = ((mtime, size), settled, None)
                continue
            try:
                out[name] = (
                    (mtime, size),
                    settled,
                    Entry(settled, _load(problems), _load(checks), _load(refs), bool(broken)),
                )
            except Exception:  # unpickling can raise almost anything: read the file again
                pass
        return out

    def _store(self, rel: str, name: str, stat: tuple[int, int], tail: tuple, blob: bytes | None) -> None:
        """A row to write at the end of the run (``tail``, ``blob``: :func:`prepared`); a file modified just before
        the run is stored without its time.  Its record, if not yet made, is unpickled from ``blob`` when asked
        for."""
        self.reread.append(f"{rel}/{name}")
        if self.db is not None:
            mtime, size = stat
            trusted = 0 <= mtime <= self.now - RACY_NS
            self._rows.append((rel, name, mtime if trusted else None, size, *tail))
        if blob is not None:
            d = tail[-1]
            self._pending[f"{rel}/{name}"] = blob
            if self.db is not None:
                self._blobs.append((rel, name, d, blob))
                self.digests[f"{rel}/{name}"] = d

    def _records(self, rel: str, names: list[str], read: Callable[[str], Any]) -> dict[str, Any]:
        """The stored records of these files of the folder; one missing or that does not unpickle is read again."""
        out: dict[str, Any] = {}
        collecting = gc.isenabled()
        gc.disable()  # unpickling makes many objects and no garbage: a third faster without the collector
        try:
            for name in names:  # parsed this run: not yet in the database
                blob = self._pending.get(f"{rel}/{name}")
                if blob is not None:
                    out[name] = pickle.loads(blob)
            if out:
                names = [n for n in names if n not in out]
            db = self.db
            for i in range(0, len(names) if db is not None else 0, CHUNK):
                chunk = names[i : i + CHUNK]
                assert db is not None
                for name, d, blob in db.execute(
                    "SELECT name, digest, record FROM records WHERE folder = ? AND name IN "
                    f"({', '.join('?' * len(chunk))})",
                    (rel, *chunk),
                ):
                    try:
                        out[name] = pickle.loads(blob)
                    except Exception:  # unpickling can raise almost anything
                        continue
                    self.digests[f"{rel}/{name}"] = d
        except sqlite3.Error as e:
            self._fail(e)
        finally:
            if collecting:
                gc.enable()
        for name in names:
            if name not in out:
                out[name] = read(name)
        return out


# -------------------------------------------------------------------- memos


def _memo_db(root: Path) -> sqlite3.Connection | None:
    d = cache_dir(root)
    if d is None or not (d / DB).is_file():
        return None
    try:
        return sqlite3.connect(d / DB, timeout=BUSY_MS / 1000, isolation_level=None)
    except sqlite3.Error:
        return None


def memo_context(context: bytes) -> bytes:
    """The stored context of memos: ``context`` with the cache key (format, duban's version)."""
    return digest(cache_key().encode() + context)


@dataclass(frozen=True)
class Memo:
    """Memos a command takes in place of records (:meth:`Folder.records`): of ``kind`` in ``context``, holding
    on the day ``on`` (an ordinal)."""

    kind: str
    context: bytes
    on: int


def memos(root: Path, kind: str, context: bytes, digests: list[bytes]) -> dict[bytes, tuple[int, bytes]]:
    """The values of ``kind`` stored for these record digests (:attr:`Cache.digests`) in ``context`` (whatever
    else the values depend on, e.g. a digest of the rule pack), each with its first day; none when there is no
    cache.

    Sound by construction: a value is found only under the digest of the very record it was derived from and
    the same context and cache key (format, duban's version), so an edited file or pack finds nothing."""
    db = _memo_db(root)
    if db is None:
        return {}
    ctx = memo_context(context)
    out: dict[bytes, tuple[int, bytes]] = {}
    try:
        for i in range(0, len(digests), CHUNK):
            chunk = digests[i : i + CHUNK]
            for d, day, value in db.execute(
                "SELECT digest, first, value FROM memos WHERE kind = ? AND context = ? AND digest IN "
                f"({', '.join('?' * len(chunk))})",
                (kind, ctx, *chunk),
            ):
                out[d] = (day, value)
    except sqlite3.Error:  # not (yet) this version's cache, or broken: the values are derived again
        return {}
    finally:
        db.close()
    return out


def keep_memos(
    root: Path,
    kind: str,
    context: bytes,
    values: dict[bytes, tuple[int, int | None, bytes]],
    now: int | None = None,
    orphans: bool = False,
) -> None:
    """Store values of ``kind`` (record digest → (first day, last day or None, value)) in ``context``; those of
    other contexts go (a pack that changed leaves no values behind), with ``now`` those that ended before it,
    and with ``orphans`` those of records no file holds any more (values of items in hand, whose records
    change).  Busy, read-only or outdated: nothing is stored."""
    db = _memo_db(root) if values else None
    if db is None:
        return
    ctx = memo_context(context)

    def write(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM memos WHERE kind = ? AND context != ?", (kind, ctx))
        if now is not None:
            db.execute("DELETE FROM memos WHERE kind = ? AND last < ?", (kind, now))
        if orphans:
            db.execute(
                "DELETE FROM memos WHERE kind = ? AND digest NOT IN (SELECT digest FROM files WHERE digest IS NOT NULL)",
                (kind,),
            )
        db.executemany(
            "INSERT OR REPLACE INTO memos VALUES (?, ?, ?, ?, ?, ?)",
            [(kind, ctx, d, first, last, v) for d, (first, last, v) in values.items()],
        )

    in_transaction(db, write)


PARALLEL_MIN = 200  # files to parse before worker processes pay for themselves
_JOB: tuple[Parse, Refs] | None = None  # the parser and the cross-reference check the worker processes inherit


def prepared(record, e: Entry) -> tuple[tuple, bytes | None]:
    """What is stored of a file: its row but for folder, name, time and size (``COLUMNS[4:]``), and its record
    pickled."""
    blob = pickle.dumps(record, protocol=5) if record is not None else None
    facts = e.facts or (None,) * len(Facts._fields)
    return (
        e.settled,
        _dump(e.problems),
        _dump(e.checks),
        _dump(e.refs),
        int(e.broken),
        *facts,
        digest(blob) if blob is not None else None,
    ), blob


Prepared = tuple[tuple, bytes | None, Entry | None]  # prepared() and the entry when notable


def _prepare(rel: str, parse: Parse, refs: Refs) -> Prepared:
    record, e = parse(rel)
    e.refs = refs(record) if record is not None else ()
    tail, blob = prepared(record, e)
    e.facts = None  # in the row already
    return tail, blob, e if notable(e) else None


def _prepare_in_worker(rel: str) -> tuple[str, Prepared]:
    assert _JOB is not None
    return rel, _prepare(rel, *_JOB)


def parse_all(rels: list[str], parse: Parse, refs: Refs) -> dict[str, Prepared]:
    """Parse many files, each as :func:`prepared` stores it (the records stay pickled until asked for): in
    worker processes (one per core) when there are enough of them and a core is idle; progress on stderr when
    it is a terminal."""
    out: dict[str, Prepared] = {}
    if not rels:
        return out
    show = len(rels) >= PARALLEL_MIN and sys.stderr.isatty()

    def progress(i: int) -> None:
        if show and (i % 250 == 0 or i == len(rels)):
            print(f"\r正在读取台账文件（首次建立缓存）{i}/{len(rels)}", end="", file=sys.stderr, flush=True)

    collecting = gc.isenabled()
    gc.disable()  # parsing makes millions of objects and no garbage: about a tenth less time without the collector
    try:
        _parse_all(rels, parse, refs, out, progress)
    finally:
        if collecting:
            gc.enable()
    if show:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    return out


def _parse_all(rels: list[str], parse: Parse, refs: Refs, out: dict, progress: Callable[[int], None]) -> None:
    global _JOB
    cores = min(os.cpu_count() or 1, 8)
    # a worker's results cost about 1 % more CPU to send back (5 µs a file of some 400: compact rows, records
    # pickled once), so workers pay as soon as one other core is not wanted by another process
    if cores > 1 and idle_cores() >= 1 and len(rels) >= PARALLEL_MIN:
        import multiprocessing

        _JOB = (parse, refs)  # inherited by the forked workers: neither need be picklable
        # each batch of files sent back costs the parent about 0.6 ms of CPU (threads woken, a message unpickled),
        # taken from the workers' cores: 40 batches a worker, not one per 50 files (at 100k: 1.0 s of the parent's
        # CPU less, the cold load 16.6-17.5 s -> 15.6 s), while no worker waits long for another's last batch
        size = max(50, len(rels) // (cores * 40))
        try:
            with multiprocessing.get_context("fork").Pool(cores) as pool:
                for i, (rel, done) in enumerate(pool.imap_unordered(_prepare_in_worker, rels, chunksize=size), 1):
                    out[rel] = done
                    progress(i)
        except OSError:  # no processes to be had: here, one by one
            pass
        finally:
            _JOB = None
    for rel in rels:
        if rel not in out:
            out[rel] = _prepare(rel, parse, refs)
            progress(len(out))


def _corrupt(e: sqlite3.Error) -> bool:
    """Whether the error says the file is not a (sound) database, rather than busy or unwritable."""
    return getattr(e, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or type(e) is sqlite3.DatabaseError
