"""The ledger's git history read back: commits with their duban action, and undo as a stack.

``duban undo`` reverts the most recent duban action not already undone; the next ``undo`` goes one
further back.  Each undo commit names the commit it reverts (``Duban-Undoes:``).  Hand commits are
never undone, and an undo never reaches across a hand commit that touched the same files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from duban.core.errors import DubanError
from duban.store.counters import PATH as COUNTERS
from duban.store.git import LOCK_WAIT, TRAILER, UNDOES, Change, diff_tree, dirty, git, has_head, is_ancestor

SEP, END = "\x1f", "\x1e"
FORMAT = (
    f"--format={END}%H{SEP}%P{SEP}%ad{SEP}%an{SEP}%s{SEP}%(trailers:key={TRAILER},valueonly,separator=%x2c)"
    f"{SEP}%(trailers:key={UNDOES},valueonly,separator=%x2c){SEP}"
)
PAGE = 200


@dataclass
class Commit:
    sha: str
    parents: list[str]
    date: str
    author: str
    subject: str
    action: str  # "" for a hand commit
    undoes: list[str]
    files: list[str] = field(default_factory=list)  # relative to the ledger

    @property
    def by_hand(self) -> bool:
        return self.action in ("", "hand-edit")

    def row(self) -> dict:
        return {"commit": self.sha[:10], "date": self.date, "author": self.author, "message": self.subject}


def commits(root: Path, start: str = "HEAD", stop: str | None = None, reverse: bool = False) -> Iterator[Commit]:
    """The first-parent history from ``start`` (newest first, or oldest first with ``reverse``), with files."""
    if not has_head(root):
        return
    span = f"{stop}..{start}" if stop else start
    skip = 0
    while True:
        args = ["log", "--first-parent", "--relative", "--name-only", "--no-renames", FORMAT]
        args += ["--date=format:%Y-%m-%d %H:%M"]
        args += ["--reverse", span] if reverse else [f"--skip={skip}", f"-n{PAGE}", span]
        out = git(root, *args)
        page = [_parse(rec) for rec in out.split(END) if rec.strip()]
        yield from page
        if reverse or len(page) < PAGE:
            return
        skip += PAGE


def _parse(rec: str) -> Commit:
    head, _, names = rec.rpartition(SEP)
    sha, parents, when, who, subject, action, undoes = (head.split(SEP) + [""] * 7)[:7]
    return Commit(
        sha,
        parents.split(),
        when,
        who,
        subject,
        action.strip(),
        [u.strip() for u in undoes.split(",") if u.strip()],
        [n for n in names.splitlines() if n.strip()],
    )


# ------------------------------------------------------------------- undo


@dataclass
class Undoable:
    commit: Commit
    blocked: str | None  # why this one (and everything older) cannot be undone


def undo_stack(root: Path, limit: int = 10) -> list[Undoable]:
    """What successive ``duban undo`` would revert, most recent first; the last one may be blocked."""
    out: list[Undoable] = []
    undone: set[str] = set()
    undo_parent = False
    hand: dict[str, Commit] = {}  # file → the newest hand commit above that touched it
    shared = _remote_tips(root)
    for n, c in enumerate(commits(root)):
        if c.action in SHARED_ACTIONS or any(is_ancestor(root, c.sha, tip) for tip in shared):
            why = f"{c.sha[:10]}（{c.subject}）及更早的改动已同步到远端，其他副本已有，不能撤销；请用新的记录更正"
            out.append(Undoable(c, why))
            break
        if undo_parent and not c.by_hand and c.action != "undo":
            undone.add(c.sha)
        undo_parent = False
        if c.action == "undo":
            undone.update(c.undoes)
            undo_parent = not c.undoes  # an older undo reverted the commit below it
            continue
        if c.by_hand:
            if n == 0:
                what = "手工提交" if not c.action else "手工修改的提交"
                return [Undoable(c, f"最近一次提交 {c.sha[:10]}（{c.subject}）是{what}，不是 duban 的操作，不能撤销")]
            for f in c.files:
                hand.setdefault(f, c)
            continue
        if c.action == "init":
            break
        if c.sha in undone:
            continue
        clash = sorted(f for f in c.files if f in hand and f != COUNTERS)
        if clash:
            h = hand[clash[0]]
            why = (
                f"在它之后有手工提交 {h.sha[:10]}（{h.subject}）改过同一文件 {'、'.join(clash)}，"
                f"撤销会跨过手工修改，不能撤销；请用 git 自行处理"
            )
            out.append(Undoable(c, why))
            break
        out.append(Undoable(c, None))
        if len(out) >= limit:
            break
    return out


SHARED_ACTIONS = ("sync", "sync-setup", "claim")  # what already reached the remote or came from it


def _remote_tips(root: Path) -> list[str]:
    """In a ledger shared through a remote (duban.yaml ``sync:``), the commits that remote is known to hold."""
    from duban.store.ledger import load_config

    name = load_config(root).sync_remote
    if not name:
        return []
    return git(root, "for-each-ref", "--format=%(objectname)", f"refs/remotes/{name}").split()


def undo(root: Path, author: tuple[str, str], wait: float = LOCK_WAIT) -> str:
    """Revert the most recent duban action not yet undone; returns the new commit's message."""
    with Change(root, "", "undo", author, wait) as ch:
        stack = undo_stack(root, 1)
        if not stack:
            raise DubanError("没有可撤销的 duban 操作")
        target = stack[0]
        if target.blocked:
            raise DubanError(target.blocked)
        c = target.commit
        changed = _changed(root, c)
        files = [p for p, _ in changed if p != COUNTERS]  # numbers once given out are never given again
        busy = dirty(root, files)
        if busy:
            raise DubanError("这些文件有未提交的修改，撤销会覆盖它们，已拒绝: " + "、".join(busy))
        blobs = ch.repo.read_blobs([old for p, old in changed if old and p != COUNTERS])
        for p, old in changed:
            if p == COUNTERS:
                continue
            if old:
                ch.write(p, blobs[old])
            else:
                ch.removed.append(p)
        ch.message = f"督办 撤销: {c.subject}"
        ch.trailers = {UNDOES: c.sha}
    if not ch.committed:
        raise DubanError("撤销后没有任何变化")
    return ch.message


def _changed(root: Path, c: Commit) -> list[tuple[str, str | None]]:
    """(path, blob before the commit or None) for each file the commit changed."""
    return [(path, old) for path, old, _ in diff_tree(root, c.parents[0], c.sha)]
