"""``duban verify``: the git history proves that the record was only ever appended to.

Walks the ledger's commits (first parent, oldest first) and, for every item and unit-event file each
commit changed, checks that

* every log entry once committed is still there, unless the commit is a duban undo (which says so);
* no slip number (kind, number), 文号 or item id is given to two places;
* no item or event file is deleted outside a duban undo.

What it has seen is kept in ``.git/duban-verify.sqlite`` (the last commit verified and every number's
owner), so the daily run reads only the new commits; ``--all`` starts again from the first commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from duban.core.entries import SLIP_KINDS
from duban.store.git import Repo, diff_tree, is_ancestor
from duban.store.history import Commit, commits
from duban.store.yamlio import YamlError, loads

STATE = "duban-verify.sqlite"
VERSION = 2


@dataclass(frozen=True)
class Violation:
    commit: str
    date: str
    author: str
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.commit[:10]} {self.date} {self.author} {self.path}:{self.line}: {self.what}"

    def as_dict(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.date,
            "author": self.author,
            "path": self.path,
            "line": self.line,
            "what": self.what,
        }


def verify(root: Path, everything: bool = False, digest: bool = False) -> tuple[list[Violation], int]:
    """Violations in the commits not yet verified (all with ``everything``); returns (violations, commits read).

    With ``digest`` (the sweep): every violation not yet put in a digest, whoever's verify found it."""
    repo = Repo(root)
    head = repo.head()
    if head is None:
        return [], 0
    with _State(repo.dir / STATE) as state:
        before_shown = int(state.meta.get("shown", 0))
        if everything:
            state.clear()
        found: list[Violation] = []
        last = state.meta.get("commit")
        if last and not is_ancestor(root, last, head):
            what = f"上次核验到的提交 {last[:10]} 已不在历史中：历史被改写过；已从头核验"
            found.append(Violation(head, "", "", ".git", 1, what))
            state.clear()
            last = None
        n = 0
        for c in commits(root, stop=last, reverse=True):
            found += _commit(repo, c, state.owners)
            n += 1
        new = found
        known = state.violations() + new
        shown = min(before_shown, len(known))
        if digest:
            found, shown = known[shown:], len(known)
        if n or digest:
            state.save(head, shown, new)
    return found, n


class _Owners:
    """Which place each number was first given to: looked up in the state database, new ones kept until saved."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.new: dict[str, list] = {}

    def get(self, key: str):
        if key in self.new:
            return self.new[key]
        row = self.db.execute("SELECT path, line, sha FROM owners WHERE key = ?", (key,)).fetchone()
        return list(row) if row else None

    def __setitem__(self, key: str, value: list) -> None:
        self.new[key] = value


class _State:
    """What verify has seen, in ``.git/duban-verify.sqlite``: the last commit verified, every number's owner,
    the violations found and how many a digest has shown.  Read by key, so a daily run costs what is new."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> _State:
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:  # a broken state is only a cache of the history: start again
            self.path.unlink(missing_ok=True)
            self.db = self._open()
        self.meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if self.meta.get("version") != str(VERSION):
            self.clear()
        self.owners = _Owners(self.db)
        return self

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.executescript(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE IF NOT EXISTS owners (key TEXT PRIMARY KEY, path TEXT, line INTEGER, sha TEXT);"
            "CREATE TABLE IF NOT EXISTS violations (n INTEGER PRIMARY KEY, json TEXT);"
        )
        return db

    def clear(self) -> None:
        self.db.executescript("DELETE FROM meta; DELETE FROM owners; DELETE FROM violations;")
        self.meta = {}
        if hasattr(self, "owners"):
            self.owners.new.clear()

    def violations(self) -> list[Violation]:
        return [Violation(**json.loads(j)) for (j,) in self.db.execute("SELECT json FROM violations ORDER BY n")]

    def save(self, head: str, shown: int, new: list[Violation]) -> None:
        """The owners and violations found now, the commit verified and how many violations a digest showed."""
        owners = [(k, *v) for k, v in self.owners.new.items()]
        self.db.executemany("INSERT OR REPLACE INTO owners VALUES (?, ?, ?, ?)", owners)
        found = [(json.dumps(v.as_dict(), ensure_ascii=False),) for v in new]
        self.db.executemany("INSERT INTO violations (json) VALUES (?)", found)
        rows = [("version", str(VERSION)), ("commit", head), ("shown", str(shown))]
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.db.commit()
        self.db.close()


def _tracked(path: str) -> bool:
    return path.startswith(("items/", "events/")) and path.endswith((".yaml", ".yml"))


def _commit(repo: Repo, c: Commit, owners: _Owners) -> list[Violation]:
    changes = [ch for ch in diff_tree(repo.root, c.parents[0] if c.parents else None, c.sha) if _tracked(ch[0])]
    if not changes:
        return []
    blobs = repo.read_blobs([s for _, a, b in changes for s in (a, b) if s])
    undo = c.action == "undo"
    out = []

    def bad(path, line, what):
        out.append(Violation(c.sha, c.date, c.author, path, line, what))

    for path, old, new in changes:
        before = _parse(blobs.get(old)) if old else None
        after = _parse(blobs.get(new)) if new else None
        if new is None:
            if not undo:
                what = "事项文件" if path.startswith("items/") else "单位事件文件"
                bad(path, 1, f"{what}被删除，且不是 duban 的撤销操作")
            continue
        if path.startswith("items/") and after is not None:
            out += _owners(c, path, after, owners)
        if before is None or after is None or undo or not path.startswith("items/"):
            continue
        old_lines = before[1]
        kept = Counter(_key(e) for e in _log(after[0]))
        for i, e in enumerate(_log(before[0])):
            k = _key(e)
            if kept[k] > 0:
                kept[k] -= 1
                continue
            line = old_lines.get(("log", i), 1)
            bad(path, line, f"log[{i}] 已提交的记录被删除或改写（原为 {_show(e)}），且不是 duban 的撤销操作")
    return out


def _owners(c: Commit, path: str, parsed, owners: _Owners) -> list[Violation]:
    """Every number in this version of an item file: claimed here, or already given to another place."""
    data, lines = parsed
    out = []
    keys: list[tuple[str, int, str]] = []
    if isinstance(data, dict):
        item_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        keys.append((f"id:{item_id}", lines.get(("id",), 1), f"事项编号 {item_id}"))
        if isinstance(data.get("ref"), str) and data["ref"].strip():
            keys.append((f"ref:{data['ref'].strip()}", lines.get(("ref",), 1), f"文号 {data['ref'].strip()}"))
    seen_here: set[str] = set()
    for i, e in enumerate(_log(data)):
        if e.get("kind") in SLIP_KINDS and e.get("number") not in (None, ""):
            k = f"{e['kind']}:{e['number']}"
            line = lines.get(("log", i), 1)
            if k in seen_here:
                out.append(
                    Violation(
                        c.sha, c.date, c.author, path, line, f"编号 {e['number']}（{e['kind']}）在同一事项中出现两次"
                    )
                )
            seen_here.add(k)
            keys.append((k, line, f"编号 {e['number']}（{e['kind']}）"))
    for k, line, what in keys:
        owner = owners.get(k)
        if owner is None:
            owners[k] = [path, line, c.sha[:10]]
        elif owner[0] != path:
            out.append(
                Violation(
                    c.sha,
                    c.date,
                    c.author,
                    path,
                    line,
                    f"{what} 已给过 {owner[0]}:{owner[1]}（提交 {owner[2]}），又被用于此处",
                )
            )
    return out


def _parse(blob: bytes | None):
    if blob is None:
        return None
    try:
        return loads(blob.decode("utf-8"))
    except (YamlError, UnicodeDecodeError, RecursionError):
        return None


def _log(data) -> list[dict]:
    log = data.get("log") if isinstance(data, dict) else None
    return [e for e in log if isinstance(e, dict)] if isinstance(log, list) else []


def _key(e: dict) -> str:
    return json.dumps({k: v for k, v in e.items() if k != "recorded"}, sort_keys=True, default=str, ensure_ascii=False)


def _show(e: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in e.items()) + "}"
