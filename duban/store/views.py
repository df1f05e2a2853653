"""Item views kept in the cache, so that ``list`` and ``show`` print without replaying an item, or importing
duban.core at all, on a day their stored view still holds.

What ``list`` and ``show`` print of an item depends on its record, the settings (duban.yaml, units.yaml, the
rule pack), the unit events (duties owed), duban's code and the day.  After a run of ``list`` (in hand or
``--overdue``) or ``show`` on a ledger without problems, the cache holds, per item the run viewed, its view
(:func:`duban.outputs.views.item_view`) as computed for that day D, keyed on the digest of its record and
on a digest of the code, the settings' files and the unit events' folders (``context``), with the first later
day on which what the table prints of it may differ (``until``: :func:`duban.outputs.views.table_until`)
and on which anything else of the view may (``until_all``: the next day).  The counts of days that move
with the day (days left, days overdue) are stored as the day they count from, so the stored view holds for
every day of its window (:func:`normalized`, :func:`on_day`).

Beside them, ``clean``: the identity of the last load that found no problem — a digest of duban's code, the
settings' files as statted, and the stamps of every folder of items and events (:func:`duban.store.stamps.stamp`,
none of them racy).  A run whose scan gives the same identity reads the same files, settings and code, so it
finds no problem either: :class:`Clean` then serves the stored views (:mod:`duban.commands.quick`), after the
same stat of every file as any other run, or watchman's word that nothing changed since such a stat (the table
``watched``: :mod:`duban.store.watch`).  Anything else (a folder changed, a view missing or out of its
window, a change killed half-way, no cache) serves nothing, and the command runs the full way, which stores
the views again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from datetime import date, datetime

from duban.store.stamps import DB, blake2b, cache_path, digest, dumps, in_transaction, loads, scan_stamps, upwards

TOPS = ("items", "events")  # the folders a load scans
ACTIVE = ("open", "returned")  # = duban.core.state.ACTIVE (a test says so)
JOURNAL = "duban-journal.json"  # = duban.store.git.JOURNAL: a change killed half-way (a test says so)


# ------------------------------------------------------------------ identities


def code_stamp() -> bytes:
    """A digest of duban's code as installed: every module's name, modification time and size."""
    base = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    h = blake2b(str(base).encode(), digest_size=16)
    for folder, dirs, files in sorted(os.walk(base)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                h.update(f"\0{folder}/{name}\0{st.st_mtime_ns}\0{st.st_size}".encode())
    return h.digest()


def folders_digest(stamps: dict[str, bytes | None], top: str | None = None) -> bytes | None:
    """A digest of the folders' stamps (those under ``top`` only, when given); None when one is racy."""
    h = blake2b(digest_size=16)
    for rel in sorted(stamps):
        if top is None or rel == top or rel.startswith(top + "/"):
            s = stamps[rel]
            if s is None:
                return None
            h.update(rel.encode() + b"\0" + s)
    return h.digest()


def context(code: bytes, probes: list, events: bytes) -> bytes:
    """What a view depends on besides its record and the day: the code, the settings' files as statted (their
    repr: the same for equal probes, unlike their pickle), the unit events' folders."""
    return digest(code + repr(probes).encode() + events)


# ------------------------------------------------------------------ days that move


def normalized(view: dict, day: int) -> dict:
    """The view with its counts of days stored as the day (ordinal) they count from: the same for every day
    on which the view holds."""
    v = dict(view)
    if v.get("days_left") is not None:
        v["days_left"] += day
    if v.get("overdue"):
        v["days_overdue"] -= day
    return v


def on_day(view: dict, day: int) -> dict:
    """The stored view as it reads on ``day`` (ordinal)."""
    if view.get("days_left") is not None:
        view["days_left"] -= day
    if view.get("overdue"):
        view["days_overdue"] += day
    return view


# ------------------------------------------------------------------ storing (the full way)


def keep(ledger, kind: str, day: date, views: Iterable[tuple]) -> None:
    """Store views (item, view, until) computed for ``day`` where the cache lacks one that holds, and the
    ledger's identity as clean, when the load found no problem and nothing it read was racy.  Busy, read-only
    or no cache: nothing is stored (the next run computes them again)."""
    if ledger.problems or ledger.probes is None:
        return
    folders = folders_digest(ledger.stamps)
    events = folders_digest(ledger.stamps, "events")
    d = cache_path(str(ledger.root))
    if folders is None or events is None or d is None or not os.path.isfile(db_path := os.path.join(d, DB)):
        return
    code, probes = code_stamp(), dumps(ledger.probes, protocol=5)
    ctx, today = context(code, ledger.probes, events), day.toordinal()
    rows = []
    for item, view, until in views:
        dg = ledger.digests.get(item.id)
        if dg is not None:
            folder, name = item.path.rsplit("/", 1)
            until_all = today + 1
            rows.append((kind, folder, name, dg, ctx, today, max(until.toordinal(), until_all), until_all, view))
    try:
        db = sqlite3.connect(db_path, timeout=0.05, isolation_level=None)
    except sqlite3.Error:
        return

    def write(db: sqlite3.Connection) -> bool:
        held = _stored(db, kind, [(r[1], r[2]) for r in rows])
        fresh = [
            (*r[:8], dumps(normalized(r[8], today), protocol=5))
            for r in rows
            if not _holds(held.get((r[1], r[2])), r[3], ctx, today)
        ]
        clean = (code, probes, ledger.config.timezone or "", folders)
        if not fresh and db.execute("SELECT * FROM clean").fetchall() == [clean]:
            return False  # all there already: nothing written
        db.executemany("INSERT OR REPLACE INTO views VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fresh)
        db.execute("DELETE FROM clean")
        db.execute("INSERT INTO clean VALUES (?, ?, ?, ?)", clean)
        return True

    in_transaction(db, write)


def _stored(db: sqlite3.Connection, kind: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    out = {}
    for folder in sorted({f for f, _ in keys}):
        for name, dg, ctx, since, until, until_all in db.execute(
            "SELECT name, digest, context, since, until, until_all FROM views WHERE kind = ? AND folder = ?",
            (kind, folder),
        ):
            out[folder, name] = (dg, ctx, since, until, until_all)
    return out


def _holds(row: tuple | None, dg: bytes, ctx: bytes, day: int) -> bool:
    """Whether a stored row (digest, context, since, until, until_all) holds wholly on the day for the record
    and context (its ``until`` then as good as one computed today)."""
    return row is not None and row[0] == dg and row[1] == ctx and row[2] <= day < row[4]


# ------------------------------------------------------------------ serving (the quick way)


def ask_watchman(root: str, watched: tuple | None) -> tuple[bool, tuple | None]:
    """Before the scan, when ``WATCHMAN_SOCK`` names watchman's socket (:mod:`duban.store.watch`), given the
    ``watched`` row kept with the clean identity: (whether the scan is spared — the socket named is the row's and
    nothing changed since its clock —, the row to keep should the scan find the identity: the socket, the watch,
    the ledger in it and the clock now; None: nothing to keep, as when no watch holds the ledger).  A row of
    another socket (another server, the clerk's next session) is not asked: the socket named is."""
    from duban.store import watch

    named = watch.socket_path()
    if named is None:
        return False, None  # watchman not named: never asked
    if watched is not None and watched[0] == named:
        sock, where, rel, clock, _ = watched
        said = watch.changed_since(sock, where, rel, clock)
        if said is not None:
            return (True, None) if not said[0] else (False, (sock, where, rel, said[1]))
    found = watch.watching(named, root)  # a first look, or the kept watch gone: one more question
    now = watch.clock(named, found[0]) if found else None
    return False, ((named, *found, now) if found and now else None)


def _keep_watched(path: str, row: tuple) -> None:
    """Keep watchman's clock with the identity the scan just found (busy: not kept)."""
    try:
        db = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    except sqlite3.Error:
        return

    def write(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM watched")
        db.execute("INSERT INTO watched VALUES (?, ?, ?, ?, ?, ?)", row)

    in_transaction(db, write)


class Clean:
    """A ledger found as it was at the last load without problems: its cache open, one snapshot."""

    def __init__(self, db: sqlite3.Connection, ctx: bytes, timezone: str):
        self.db, self.ctx, self.timezone = db, ctx, timezone

    @classmethod
    def open(cls, root: str) -> Clean | None:
        """The ledger's cache when every file is as at the last clean load; None otherwise."""
        git = next((g for d in upwards(root) if os.path.exists(g := os.path.join(d, ".git"))), None)
        d = cache_path(root)
        if git is None or not os.path.isdir(git) or os.path.exists(os.path.join(git, JOURNAL)) or d is None:
            return None  # a change to finish, a worktree, no cache: the full way
        path = os.path.join(d, DB)
        if not os.path.isfile(path):
            return None
        now = time.time_ns()  # before any file is statted
        try:
            db = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            db.execute("BEGIN")
            row = db.execute("SELECT code, probes, timezone, stamps FROM clean").fetchone()
            if row is None or row[0] != code_stamp():
                raise LookupError
            code, probes, timezone, folders = row
            probes = loads(probes)
            for probe, was in probes:
                try:
                    st = os.stat(probe)
                    now_ = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    now_ = None
                if now_ != was:
                    raise LookupError
            seen = db.execute("SELECT sock, watch, rel, clock, events FROM watched WHERE stamps = ?", (folders,))
            watched = seen.fetchone()
            spared, keep = ask_watchman(root, watched)
            if spared:  # watchman: nothing changed since a scan found every file so
                return cls(db, context(code, probes, watched[4]), timezone)
            stamps = {rel: s for top in TOPS for rel, s in scan_stamps(root, top, now).items()}
            if folders_digest(stamps) != folders or (events := folders_digest(stamps, "events")) is None:
                raise LookupError
            stored = dict(db.execute("SELECT folder, stamp FROM folders"))  # every row of every folder written
            if any(stored.get(rel) != s for rel, s in stamps.items()):
                raise LookupError
            if keep is not None:
                _keep_watched(path, (folders, *keep, events))
            return cls(db, context(code, probes, events), timezone)
        except Exception:  # anything unexpected: the full way
            db.close()
            return None

    def today(self, given: str | None) -> date:
        """As :func:`duban.commands.clock.ledger_today` gives the day (ValueError for a bad date)."""
        given = given or os.environ.get("DUBAN_TODAY")
        if given:
            return date.fromisoformat(str(given).strip())
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone or "Asia/Shanghai")).date()

    def views(self, kind: str, where: str, args: tuple, day: date, table: bool) -> list[dict] | None:
        """The stored views of the items whose files meet ``where``, as they read on ``day``; None when one is
        missing or does not hold."""
        today = day.toordinal()
        rows = self.db.execute(  # files.digest: of the record stored with the row (duban.store.cache)
            "SELECT f.digest, v.digest, v.context, v.since, v.until, v.until_all, v.view FROM files f "
            "LEFT JOIN views v ON v.kind = ? AND v.folder = f.folder AND v.name = f.name "
            f"WHERE (f.folder = 'items' OR f.folder LIKE 'items/%') AND NOT f.broken AND ({where})",
            (kind, *args),
        ).fetchall()
        out = []
        for current, dg, ctx, since, until, until_all, view in rows:
            if view is None or ctx != self.ctx or not since <= today < (until if table else until_all):
                return None
            if current is None or current != dg:
                return None
            out.append(on_day(loads(view), today))
        return out

    def close(self) -> None:
        self.db.close()
