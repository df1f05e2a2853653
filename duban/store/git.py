"""Changing the ledger: one lock, atomic writes, exactly one git commit.

Every command that changes the ledger runs inside a :class:`Change`::

    with Change(root, "督办 2026-0007 立项: …", action="issue") as ch:
        ledger = load(root)          # load under the lock
        ch.write("items/2026/2026-0007.yaml", text)
    # → hand edits to the touched files committed first (their own commit),
    #   then the files written atomically and committed with the message.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from duban.core.errors import DubanError
from duban.store.counters import PATH as COUNTERS
from duban.store.counters import Counters
from duban.store.yamlio import atomic_write

TRAILER = "Duban-Action"
LOCK_WAIT = float(os.environ.get("DUBAN_LOCK_WAIT", "5"))


def git(root: Path, *args: str, check: bool = True, env: dict | None = None) -> str:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
    except FileNotFoundError:
        raise DubanError("找不到 git 命令；请先安装 git") from None
    if check and proc.returncode != 0:
        raise DubanError(f"git {' '.join(args[:2])} 失败: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def git_dir(root: Path) -> Path:
    out = git(root, "rev-parse", "--absolute-git-dir", check=False).strip()
    if not out:
        raise DubanError(f"{root} 不在 git 仓库中；duban 用 git 记录每一次改动，请先运行 git init")
    return Path(out)


def identity_args(root: Path, name: str, email: str) -> list[str]:
    """-c user.name/-c user.email when git has no identity configured."""
    args = []
    if not git(root, "config", "user.name", check=False).strip():
        args += ["-c", f"user.name={name}"]
    if not git(root, "config", "user.email", check=False).strip():
        args += ["-c", f"user.email={email}"]
    return args


def dirty(root: Path, paths: list[str]) -> list[str]:
    """Of ``paths``, those with uncommitted changes (modified, deleted or untracked)."""
    if not paths:
        return []
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
    found = []
    for entry in out.split("\0"):
        if len(entry) > 3:
            found.append(entry[3:])
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    return sorted(p[len(prefix) :] if prefix and p.startswith(prefix) else p for p in found)


def has_head(root: Path) -> bool:
    return bool(git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


@dataclass
class Change:
    root: Path
    message: str
    action: str
    author: tuple[str, str] = ("duban", "duban@localhost")
    wait: float = LOCK_WAIT
    pending: dict[str, str | bytes] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    committed: str | None = None
    hand_edit_commit: str | None = None
    _counters: Counters | None = None

    @property
    def counters(self) -> Counters:
        """The number counters, read under the lock; what is allocated is committed with the change."""
        if self._counters is None:
            self._counters = Counters(self.root)
        return self._counters

    # ------------------------------------------------------------ the lock
    def __enter__(self) -> Change:
        from filelock import FileLock, Timeout

        gd = git_dir(self.root)
        self._info = gd / "duban.lock.json"
        self._lock = FileLock(str(gd / "duban.lock"))
        try:
            self._lock.acquire(timeout=self.wait)
        except Timeout:
            holder = "另一个 duban 命令"
            try:
                info = json.loads(self._info.read_text(encoding="utf-8"))
                holder = f"进程 {info['pid']}（{info['command']}，始于 {info['since']}）"
            except (OSError, ValueError, KeyError):
                pass
            raise DubanError(f"台账正被{holder}占用，等待 {self.wait:g} 秒后仍未释放；请稍后再试") from None
        import sys

        self._info.write_text(
            json.dumps(
                {"pid": os.getpid(), "command": " ".join(sys.argv[:3]), "since": time.strftime("%Y-%m-%d %H:%M:%S")},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and (self.pending or self.removed or (self._counters and self._counters.changed)):
                self._commit()
        finally:
            try:
                self._info.unlink()
            except OSError:
                pass
            self._lock.release()

    # ------------------------------------------------------------ writing
    def write(self, rel: str, text: str) -> None:
        self.pending[rel] = text

    def copy(self, rel: str, src: Path) -> None:
        self.pending[rel] = Path(src).read_bytes()

    def _commit(self) -> None:
        root = self.root
        if self._counters is not None and self._counters.changed:
            self.pending[COUNTERS] = self._counters.text()
        ident = identity_args(root, *self.author)
        touched = sorted(set(self.pending) | set(self.removed))
        hand = [p for p in dirty(root, touched) if (root / p).exists() or p in self.pending]
        if hand:
            git(root, "add", "--", *hand)
            git(
                root,
                *ident,
                "commit",
                "-q",
                "--no-verify",
                "-m",
                "手工修改（duban 在下一次操作前代为提交）: " + "、".join(hand),
                "-m",
                f"{TRAILER}: hand-edit",
                "--",
                *hand,
            )
            self.hand_edit_commit = git(root, "rev-parse", "HEAD").strip()
        for rel, content in self.pending.items():
            atomic_write(root / rel, content)
        for rel in self.removed:
            (root / rel).unlink(missing_ok=True)
        git(root, "add", "-A", "--", *touched)
        changed = git(root, "diff", "--cached", "--name-only", "--", *touched).strip()
        if not changed:
            return
        git(
            root,
            *ident,
            "commit",
            "-q",
            "--no-verify",
            "-m",
            self.message,
            "-m",
            f"{TRAILER}: {self.action}",
            "--",
            *touched,
        )
        self.committed = git(root, "rev-parse", "HEAD").strip()


# --------------------------------------------------------------- history


def log_entries(root: Path, rel: str | None = None, limit: int | None = None) -> list[dict]:
    args = [
        "log",
        "--format=%H%x1f%ad%x1f%an%x1f%s%x1f%(trailers:key=Duban-Action,valueonly)%x1e",
        "--date=format:%Y-%m-%d %H:%M",
    ]
    if limit:
        args.append(f"-n{limit}")
    if rel:
        args += ["--follow", "--", rel]
    if not has_head(root):
        return []
    out = git(root, *args)
    rows = []
    for rec in out.split("\x1e"):
        rec = rec.strip("\n")
        if not rec:
            continue
        h, when, who, subject, action = (rec.split("\x1f") + [""] * 5)[:5]
        rows.append({"commit": h[:10], "date": when, "author": who, "message": subject, "action": action.strip()})
    return rows


def undo(root: Path, author: tuple[str, str], wait: float = LOCK_WAIT) -> str:
    """Revert the last duban action commit; returns the new commit's message."""
    with Change(root, "", "undo", author, wait) as ch:
        head = log_entries(root, limit=1)
        if not head:
            raise DubanError("仓库还没有任何提交，无可撤销")
        last = head[0]
        if not last["action"] or last["action"] in ("hand-edit", "init"):
            why = (
                "是手工提交"
                if not last["action"]
                else ("是手工修改的提交" if last["action"] == "hand-edit" else "是建立台账的提交")
            )
            raise DubanError(
                f"最近一次提交 {last['commit']}（{last['message']}）{why}，不是 duban 的操作，"
                f"不能撤销；请用 git 自行处理"
            )
        files = git(root, "show", "--name-only", "--relative", "--format=", "HEAD").split()
        busy = dirty(root, files)
        if busy:
            raise DubanError("这些文件有未提交的修改，撤销会覆盖它们，已拒绝: " + "、".join(busy))
        git(root, "revert", "--no-commit", "HEAD")
        # numbers once given out are never given again: keep the counters
        if COUNTERS in files:
            git(root, "checkout", "HEAD", "--", COUNTERS, check=False)
        message = f"督办 撤销: {last['message']}"
        ident = identity_args(root, *author)
        staged = git(root, "diff", "--cached", "--name-only").strip()
        if not staged:
            git(root, "revert", "--quit", check=False)
            raise DubanError("撤销后没有任何变化")
        git(root, *ident, "commit", "-q", "--no-verify", "-m", message, "-m", f"{TRAILER}: undo")
        git(root, "revert", "--quit", check=False)
        ch.committed = git(root, "rev-parse", "HEAD").strip()
        return message
