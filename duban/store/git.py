"""Changing the ledger: one lock, one atomic change, exactly one git commit.

Every command that changes the ledger runs inside a :class:`Change`::

    with Change(root, "督办 2026-0007 立项: …", action="issue") as ch:
        ledger = load(root)          # load under the lock
        ch.write("items/2026/2026-0007.yaml", text)

The files are only collected while the command runs.  At the end the commit is built with git plumbing
before anything in the work tree is touched (blobs and the changed folders' trees written as objects,
``commit-tree``), a journal naming the commit is written under ``.git/``, and ``update-ref`` moves the
branch: that is the one instant the change happens.  Only then are the files written into the work
tree and the index.  A command killed before the branch moved leaves the work tree as it was; killed
after, the next duban command (under the same lock) finds the journal and finishes writing the files.
Hand edits to the touched files and to the configuration are committed first, as their own commit.
See docs/atomic-changes.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duban.core.errors import DubanError
from duban.store import fault
from duban.store.counters import PATH as COUNTERS
from duban.store.counters import Counters
from duban.store.yamlio import atomic_write, atomic_write_all, overlapping, remove_stale_temps
from duban.store.yamlio import held as _held

TRAILER = "Duban-Action"
UNDOES = "Duban-Undoes"
LOCK_WAIT = float(os.environ.get("DUBAN_LOCK_WAIT", "5"))
JOURNAL = "duban-journal.json"  # under .git/: the change whose commit is made but whose files may not be written
OUTPUTS = "duban-outputs.json"  # under .git/: forms a committed change still has to render
PUBLISHED = "duban-published.json"  # under .git/: forms and out/ files of a commit pushed before HEAD moved here
CONFIG_PATHS = ("duban.yaml", "units.yaml", COUNTERS, "rules", "templates")
HAND_EDIT = "手工修改（duban 在下一次操作前代为提交）: "


def git(root: Path, *args: str, check: bool = True, env: dict | None = None, input: str | bytes | None = None) -> str:
    """Run git in ``root``; long lists and messages go in through ``input`` (stdin), never as arguments."""
    out = _run(root, args, env, input, check)
    return out.decode("utf-8", errors="replace")


def _run(root: Path, args, env, input, check) -> bytes:
    fault.point("git")
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            input=input.encode("utf-8") if isinstance(input, str) else input,
            env={**os.environ, "GIT_LITERAL_PATHSPECS": "1", **(env or {})},
        )
    except FileNotFoundError:
        raise DubanError("找不到 git 命令；请先安装 git") from None
    if check and proc.returncode != 0:
        err = (proc.stderr or proc.stdout).decode("utf-8", errors="replace").strip()
        raise DubanError(f"git {' '.join(args[:2])} 失败: {err}")
    return proc.stdout


def identity_args(root: Path, name: str, email: str) -> list[str]:
    """-c user.name/-c user.email when git has no identity configured."""
    args = []
    if not git(root, "config", "user.name", check=False).strip():
        args += ["-c", f"user.name={name}"]
    if not git(root, "config", "user.email", check=False).strip():
        args += ["-c", f"user.email={email}"]
    return args


def is_ancestor(root: Path, a: str, b: str) -> bool:
    """Whether commit ``a`` is in ``b``'s history (False too when git does not know either)."""
    proc = subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=root, capture_output=True)
    return proc.returncode == 0


def diff_tree(root: Path, a: str | None, b: str) -> list[tuple[str, str | None, str | None]]:
    """(ledger path, blob in ``a`` or None, blob in ``b`` or None) for every file that differs between two
    commits (``a`` None: every file of ``b``, as added)."""
    args = ["diff-tree", "-r", "-z", "--no-commit-id", "--relative", "--no-renames"]
    fields = git(root, *args, *([a, b] if a else ["--root", b])).split("\0")
    out = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if meta.startswith(":"):
            _, _, old, new, status = meta[1:].split(" ")
            out.append((path, None if status == "A" else old, None if status == "D" else new))
    return out


def has_head(root: Path) -> bool:
    return bool(git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


class Repo:
    """The git repository holding a ledger: where its files, objects and locks are."""

    def __init__(self, root: Path):
        out = git(
            root,
            "rev-parse",
            "--absolute-git-dir",
            "--git-common-dir",
            "--git-path",
            "objects",
            "--show-object-format",
            "--show-prefix",
            check=False,
        ).splitlines()
        if len(out) < 4:
            raise DubanError(f"{root} 不在 git 仓库中；duban 用 git 记录每一次改动，请先运行 git init")
        self.root = root
        self.dir = Path(out[0])
        self.common = (root / out[1]).resolve()
        self.objects = (root / out[2]).resolve()
        self.algo = out[3].strip()
        self.prefix = out[4].strip() if len(out) > 4 else ""  # the ledger's folder inside the repository
        self.zero = "0" * (64 if self.algo == "sha256" else 40)

    def head(self) -> str | None:
        return git(self.root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a loose git object (as ``git hash-object -w`` does); returns its name."""
        return self.write_object(b"blob", data)

    def write_object(self, kind: bytes, data: bytes) -> str:
        """Store a loose git object of this kind; returns its name."""
        return self.write_objects(kind, [data])[0]

    def write_blobs(self, contents: list[bytes]) -> list[str]:
        """:meth:`write_blob` for each (:meth:`write_objects`)."""
        return self.write_objects(b"blob", contents)

    def write_objects(self, kind: bytes, contents: list[bytes]) -> list[str]:
        """Store loose git objects of this kind; returns their names.  The new ones are written by threads at
        once (their fsyncs overlap), each after its fault point."""
        raws = [b"%s %d\0" % (kind, len(data)) + data for data in contents]
        names = [hashlib.new(self.algo, raw).hexdigest() for raw in raws]
        new = {}
        for name, raw in zip(names, raws, strict=True):
            path = self.objects / name[:2] / name[2:]
            if name not in new and not path.exists():
                new[name] = (path, raw)
        overlapping(_store_object, list(new.values()))
        return names

    def read_blobs(self, names: list[str]) -> dict[str, bytes]:
        """The contents of these blobs (one ``git cat-file --batch``)."""
        names = sorted(set(names))
        if not names:
            return {}
        out = _run(self.root, ("cat-file", "--batch"), None, "".join(n + "\n" for n in names).encode(), True)
        blobs, at = {}, 0
        for name in names:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            if len(header) < 3 or header[1] != b"blob":
                raise DubanError(f"git 对象 {name} 缺失或不是文件")
            size = int(header[2])
            blobs[name] = out[end + 1 : end + 1 + size]
            at = end + 1 + size + 1
        return blobs

    def full(self, rel: str) -> str:
        """A ledger path as the index names it (from the repository's top)."""
        return self.prefix + rel


def _store_object(path: Path, raw: bytes) -> None:
    """A loose object's file: on the disk (fsynced) under a temporary name, then renamed to its own."""
    path.parent.mkdir(exist_ok=True)
    tmp = path.parent / f"tmp_duban_{os.getpid()}_{path.name}"  # the whole name: objects are written at once
    with open(tmp, "wb") as f:
        f.write(zlib.compress(raw, 1))
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, path)


# --------------------------------------------------------------- the change


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
    trailers: dict[str, str] = field(default_factory=dict)  # more trailers for the commit message
    outputs: list = field(default_factory=list)  # forms to render once committed (kept under .git/ until done)
    # files outside the history (the sweep's digest, out/sweep/DATE.md), written whole under the lock as the
    # change happens: kept in its journal with the tracked files, so that a kill cannot part them from the commit
    out_files: dict[str, str] = field(default_factory=dict)
    numbers: Any = None  # a shared ledger's claims (duban.store.sync.Claims): numbers from this copy's lease
    publish: Callable[[Repo, str], None] | None = None  # push the commit before HEAD moves (may refuse)
    _counters: Counters | None = None

    @property
    def counters(self) -> Counters:
        """The number counters, read under the lock; what is allocated is committed with the change.

        A shared ledger's change gives numbers from the copy's lease, unless it publishes its commit
        to the remote before it happens (then the counters just merged are the remote's)."""
        if self._counters is None:
            self._counters = Counters(self.root, None if self.publish else self.numbers)
        return self._counters

    # ------------------------------------------------------------ the lock
    def __enter__(self) -> Change:
        self.repo = Repo(self.root)
        self._lock, self._info = _acquire(self.repo, self.wait)
        try:
            recover(self.repo)
        except BaseException:
            _release(self._lock, self._info)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            _release(self._lock, self._info)

    # ------------------------------------------------------------ writing
    def write(self, rel: str, text: str | bytes) -> None:
        self.pending[rel] = text

    def copy(self, rel: str, src: Path) -> None:
        self.pending[rel] = Path(src).read_bytes()

    def _commit(self) -> None:
        repo, root = self.repo, self.root
        if self._counters is not None and self._counters.changed:
            self.pending[COUNTERS] = self._counters.text()
        touched = sorted(set(self.pending) | set(self.removed))
        head = repo.head()
        hand = hand_edits(repo, touched)
        if not touched and not hand:
            write_out_files(repo, self.out_files)  # nothing to commit: only these
            return
        ident = identity_args(root, *self.author)
        self._write(Tree(repo, head), head, hand, ident)

    def commit_hand_edits(self, paths: list[str]) -> None:
        """Now, as their own commit: hand edits of these paths and of the configuration (before a merge writes them)."""
        repo = self.repo
        hand = hand_edits(repo, paths)
        if not hand:
            return
        head = repo.head()
        files: dict[str, str | None] = {}
        tip = self._hand_commit(Tree(repo, head), head, hand, identity_args(self.root, *self.author), files)
        if tip and tip != head:
            move_head(repo, head, tip, files)

    def commit_files(self, files: Mapping[str, str | bytes], message: str, action: str) -> None:
        """Now, as their own commit (after any hand edits of them): duban's own files, such as a setting."""
        self.commit_hand_edits(list(files))
        repo, head = self.repo, self.repo.head()
        entries: dict[str, str | None] = {rel: repo.write_blob(_bytes(c)) for rel, c in files.items()}
        tip = Tree(repo, head).commit(
            entries, f"{message}\n\n{TRAILER}: {action}\n", identity_args(self.root, *self.author)
        )
        if tip and tip != head:
            move_head(repo, head, tip, entries, {rel: _bytes(c) for rel, c in files.items()}, action=action)

    def _hand_commit(self, tree: Tree, head: str | None, hand: list[str], ident: list[str], files: dict) -> str | None:
        repo, root = self.repo, self.root
        entries = {p: repo.write_blob((root / p).read_bytes()) if (root / p).is_file() else None for p in hand}
        parent = tree.commit(entries, HAND_EDIT + "、".join(hand) + f"\n\n{TRAILER}: hand-edit\n", ident)
        self.hand_edit_commit = parent if parent != head else self.hand_edit_commit
        files.update(entries)
        return parent

    def _write(self, tree: Tree, head: str | None, hand: list[str], ident: list[str]) -> None:
        repo = self.repo
        files: dict[str, str | None] = {}
        parent = head
        if hand:
            parent = self._hand_commit(tree, head, hand, ident, files)
        blobs = repo.write_blobs([_bytes(c) for c in self.pending.values()])
        entries: dict[str, str | None] = dict(zip(self.pending, blobs, strict=True))
        entries.update({rel: None for rel in self.removed})
        trailers = "".join(f"{k}: {v}\n" for k, v in {TRAILER: self.action, **self.trailers}.items())
        new = tree.commit(entries, f"{self.message}\n\n{trailers}", ident)
        files.update(entries)
        tip = new or parent
        if tip is None or tip == head:
            write_out_files(repo, self.out_files)
            return
        if self.publish is not None:
            if self.outputs or self.out_files:  # a kill after the push: written once HEAD holds the commit (next sync)
                published = {"commit": tip, "outputs": self.outputs, "out": self.out_files}
                atomic_write(repo.dir / PUBLISHED, json.dumps(published, ensure_ascii=False))
            self.publish(repo, tip)  # refused: nothing has happened here
        self.committed = new if new != parent else None
        contents = {rel: _bytes(c) for rel, c in self.pending.items()}
        move_head(repo, head, tip, files, contents, self.outputs, self.action, self.out_files)


def move_head(
    repo: Repo,
    head: str | None,
    tip: str,
    files: dict[str, str | None],
    contents: dict[str, bytes] | None = None,
    outputs: list | None = None,
    action: str = "sync",
    out_files: dict[str, str] | None = None,
) -> None:
    """The one instant a change happens: journal, ``update-ref HEAD tip head``, then the files written."""
    journal: dict[str, Any] = {"old": head or "", "new": tip, "files": sorted(files.items()), "outputs": outputs or []}
    if out_files:
        journal["out"] = out_files
    atomic_write(repo.dir / JOURNAL, json.dumps(journal, ensure_ascii=False))
    git(repo.root, "update-ref", "-m", f"duban: {action}", "HEAD", tip, head or repo.zero)
    finish(repo, journal, contents)


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


class Tree:
    """Commits built from ``head``, one on top of the other: only the trees of the folders that change are read
    (``git ls-tree``) and written (as loose objects, as :meth:`Repo.write_blob` writes blobs) — not the whole
    index of a ledger of 100,000 files."""

    def __init__(self, repo: Repo, head: str | None):
        self.repo, self.parent = repo, head
        self._trees: dict[str, dict[str, tuple[str, str]]] = {}  # trees read
        self.tree = git(repo.root, "rev-parse", f"{head}^{{tree}}").strip() if head else repo.write_object(b"tree", b"")

    def commit(
        self, entries: dict[str, str | None], message: str, ident: list[str], parents: tuple[str, ...] = ()
    ) -> str | None:
        """The commit of ``entries`` (path → blob, None to remove) on the last one; the parent if nothing changed.

        With more ``parents`` (a merge), the commit is made even when the tree is the same."""
        tree = self._apply(self.tree, {self.repo.full(p): sha for p, sha in entries.items()})
        if tree is None:
            tree = self.repo.write_object(b"tree", b"")
        if tree == self.tree and not parents:
            return self.parent
        every = [*([self.parent] if self.parent else []), *parents]
        args = ["commit-tree", tree, *(a for p in every for a in ("-p", p)), "-F", "-"]
        self.parent = git(self.repo.root, *ident, *args, input=message).strip()
        self.tree = tree
        return self.parent

    def _apply(self, tree: str | None, entries: dict[str, str | None]) -> str | None:
        """The tree ``tree`` (None: none) with ``entries`` (paths inside it → blob, None to remove); None when
        it ends up empty (git keeps no empty folders)."""
        listing = self._read(tree) if tree else {}
        below: dict[str, dict[str, str | None]] = {}
        for path, sha in entries.items():
            name, _, rest = path.partition("/")
            if rest:
                below.setdefault(name, {})[rest] = sha
            elif sha is None:
                listing.pop(name, None)
            else:
                listing[name] = ("100644", sha)
        for name, inner in below.items():
            mode, sha = listing.get(name, ("", ""))
            sub = self._apply(sha if mode == "40000" else None, inner)
            if sub is None:
                listing.pop(name, None)
            else:
                listing[name] = ("40000", sub)
        if not listing:
            return None
        if tree and listing == self._read(tree):
            return tree
        order = sorted(listing, key=lambda n: n + "/" if listing[n][0] == "40000" else n)
        data = b"".join(b"%s %s\0" % (listing[n][0].encode(), n.encode()) + bytes.fromhex(listing[n][1]) for n in order)
        return self.repo.write_object(b"tree", data)

    def _read(self, tree: str) -> dict[str, tuple[str, str]]:
        """A tree's entries: name → (mode as git writes it in a tree, object)."""
        if tree not in self._trees:
            out = {}
            for line in git(self.repo.root, "ls-tree", "-z", "--full-tree", tree).split("\0"):
                if line:
                    meta, name = line.split("\t", 1)
                    mode, _, sha = meta.split(" ")
                    out[name] = (mode.lstrip("0"), sha)
            self._trees[tree] = out
        return dict(self._trees[tree])


def index_info(repo: Repo, entries) -> str:
    items = entries.items() if isinstance(entries, dict) else entries
    return "".join(f"100644 {sha}\t{repo.full(p)}\0" if sha else f"0 {repo.zero}\t{repo.full(p)}\0" for p, sha in items)


def finish(repo: Repo, journal: dict, contents: dict[str, bytes] | None = None) -> None:
    """Write a committed change's files into the work tree and the index, and its files outside the history
    (``out``: the sweep's digest); then drop its journal."""
    from duban.store.paths import inside

    contents = contents or {}
    files = [(p, sha) for p, sha in journal["files"]]
    blobs = repo.read_blobs([sha for p, sha in files if sha and p not in contents])
    writes = _out_writes(repo, journal.get("out"))
    for rel, sha in files:
        path = inside(repo.root, rel)
        if sha is None:
            path.unlink(missing_ok=True)
            continue
        data = contents[rel] if rel in contents else blobs[sha]
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        writes.append((path, data))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as aside:  # the index takes only names and blobs, not the files: both at once
        index = aside.submit(git, repo.root, "update-index", "-z", "--index-info", input=index_info(repo, files))
        atomic_write_all(writes)
    index.result()
    outputs = [*(journal.get("outputs") or []), *_reached(repo, journal)]
    if outputs:  # added to those of a change killed before it rendered them
        jobs = _pending(repo)
        jobs += [j for j in outputs if j not in jobs]
        atomic_write(repo.dir / OUTPUTS, json.dumps(jobs, ensure_ascii=False))
    (repo.dir / JOURNAL).unlink(missing_ok=True)


def _reached(repo: Repo, journal: dict) -> list:
    """The forms of a change pushed before it happened here (:data:`PUBLISHED`), once the journal's commit holds
    its commit (the change itself, or a sync that brought it back after a kill); its files outside the history
    are written now, but those the journal has written already."""
    published = _json(repo.dir / PUBLISHED)
    if not isinstance(published, dict):
        return []
    commit, tip = str(published.get("commit")), journal["new"]
    if commit != tip and not is_ancestor(repo.root, commit, tip):
        return []  # not yet, or never (a push refused)
    out, written = published.get("out"), journal.get("out")
    if isinstance(out, dict):
        written = written if isinstance(written, dict) else {}
        write_out_files(repo, {rel: text for rel, text in out.items() if written.get(rel) != text})
    (repo.dir / PUBLISHED).unlink(missing_ok=True)
    outputs = published.get("outputs")
    return outputs if isinstance(outputs, list) else []


def _out_writes(repo: Repo, out) -> list[tuple[Path, bytes]]:
    """(path, bytes) of a change's files outside the history (``out``: path → text), from its journal."""
    from duban.store.paths import inside

    if not isinstance(out, dict):
        return []
    return [(inside(repo.root, rel), _bytes(text)) for rel, text in out.items() if isinstance(text, str)]


def write_out_files(repo: Repo, out) -> None:
    """Under the lock: a change's files outside the history (the sweep's digest), each written whole."""
    atomic_write_all(_out_writes(repo, out))


def recover(repo: Repo) -> None:
    """Under the lock: clear locks left by a killed git, then finish or forget a change killed half-way."""
    clear_stale_locks(repo)
    # the private index that versions before commits were built from trees left behind
    (repo.dir / "duban-index").unlink(missing_ok=True)
    path = repo.dir / JOURNAL
    if not path.exists():
        return
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal = {}
    if journal.get("new") and journal["new"] == repo.head():
        finish(repo, journal)  # the branch had moved: the change happened, its files are written now
        # and what the killed command was writing, in threads at once, left no temporary file behind
        from duban.store.paths import inside

        paths = [inside(repo.root, rel) for rel, _ in journal.get("files", [])]
        remove_stale_temps([*paths, *(path for path, _ in _out_writes(repo, journal.get("out")))])
    else:
        path.unlink(missing_ok=True)  # it had not: nothing in the work tree was touched


def settle(root: Path) -> None:
    """Before reading a ledger: if a change was killed half-way, wait for the lock and finish it."""
    gd = _quick_git_dir(root)
    if gd is not None and not (gd / JOURNAL).exists():
        return
    try:
        repo = Repo(root)
    except DubanError:
        return
    if not (repo.dir / JOURNAL).exists():
        return
    try:
        lock, info = _acquire(repo, LOCK_WAIT)
    except DubanError:
        return  # another command holds the lock and will finish it
    try:
        recover(repo)
    finally:
        _release(lock, info)


def _quick_git_dir(root: Path) -> Path | None:
    """``.git`` of the nearest repository above ``root`` when it is a plain folder (no subprocess)."""
    for d in (root, *root.parents):
        g = d / ".git"
        if g.is_dir():
            return g
        if g.exists():
            return None
    return None


def clear_stale_locks(repo: Repo) -> None:
    """Remove git's lock files that no living process holds (a git killed half-way leaves them)."""
    candidates = [p for p in repo.dir.glob("*.lock") if p.name != "duban.lock"]  # index, HEAD, duban-index …
    candidates.append(repo.common / "packed-refs.lock")
    heads = repo.common / "refs" / "heads"
    if heads.is_dir():
        candidates += list(heads.rglob("*.lock"))
    for lock in candidates:
        deadline = time.monotonic() + 2
        while lock.exists():
            held = _held(lock)
            try:
                age = time.time() - lock.stat().st_mtime
            except OSError:
                break
            if held is False or (held is None and age > 60) or time.monotonic() > deadline and held is not True:
                lock.unlink(missing_ok=True)
                break
            if time.monotonic() > deadline:
                raise DubanError(f"git 正在使用仓库（{lock.name} 被进程占用）；请稍后再试")
            time.sleep(0.05)


def _acquire(repo: Repo, wait: float):
    import sys

    from filelock import FileLock, Timeout

    info_path = repo.dir / "duban.lock.json"
    lock = FileLock(str(repo.dir / "duban.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        holder = "另一个 duban 命令"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            holder = f"进程 {info['pid']}（{info['command']}，始于 {info['since']}）"
        except (OSError, ValueError, KeyError):
            pass
        raise DubanError(f"台账正被{holder}占用，等待 {wait:g} 秒后仍未释放；请稍后再试") from None
    info = {"pid": os.getpid(), "command": " ".join(sys.argv[:3]), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        info_path.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass
    return lock, info_path


def _release(lock, info_path: Path) -> None:
    try:
        info_path.unlink()
    except OSError:
        pass
    lock.release()


def hand_edits(repo: Repo, touched: list[str]) -> list[str]:
    """Of the touched paths and the configuration, those changed by hand since the last commit."""
    return dirty(repo.root, [*CONFIG_PATHS, *touched], repo.prefix)


def dirty(root: Path, paths: list[str], prefix: str | None = None) -> list[str]:
    """Of ``paths`` (files or folders), the files with uncommitted changes (modified, deleted or untracked).

    git is asked about the paths' folders (a short argument list however many files), then filtered."""
    if not paths:
        return []
    folders = sorted({p.rsplit("/", 1)[0] if "/" in p else p for p in paths})
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *folders)
    if prefix is None:
        prefix = git(root, "rev-parse", "--show-prefix").strip()
    wanted = set(paths)
    found = []
    for entry in out.split("\0"):
        if len(entry) > 3:
            p = entry[3:]
            p = p[len(prefix) :] if prefix and p.startswith(prefix) else p
            parts = p.split("/")
            if any("/".join(parts[:i]) in wanted for i in range(1, len(parts) + 1)):
                found.append(p)
    return sorted(found)


def pending_outputs(root: Path) -> list:
    """Forms committed changes still have to render (they are rendered after the commit; a kill can come first)."""
    try:
        return _pending(Repo(root))
    except DubanError:
        return []


def _pending(repo: Repo) -> list:
    jobs = _json(repo.dir / OUTPUTS)
    jobs = jobs if isinstance(jobs, list) else []
    published = _json(repo.dir / PUBLISHED)
    if isinstance(published, dict) and isinstance(published.get("outputs"), list):
        if is_ancestor(repo.root, str(published.get("commit")), "HEAD"):
            jobs += [j for j in published["outputs"] if j not in jobs]
    return jobs


def _json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def outputs_done(root: Path, done: list) -> None:
    """The forms of ``done`` (jobs as :func:`pending_outputs` gives them) are rendered: under the lock, they
    leave the pending list, and the jobs a change committed meanwhile stay (a commit published but never
    reached here never will be: dropped).  The lock held by another command: the list stays, and the next
    sweep renders those forms again (the same bytes)."""
    repo = Repo(root)
    try:
        lock, info = _acquire(repo, LOCK_WAIT)
    except DubanError:
        return
    try:
        rendered, pending = [list(j) for j in done], _json(repo.dir / OUTPUTS)
        left = [j for j in pending if j not in rendered] if isinstance(pending, list) else []
        if left:
            atomic_write(repo.dir / OUTPUTS, json.dumps(left, ensure_ascii=False))
        else:
            (repo.dir / OUTPUTS).unlink(missing_ok=True)
        (repo.dir / PUBLISHED).unlink(missing_ok=True)
    finally:
        _release(lock, info)


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
