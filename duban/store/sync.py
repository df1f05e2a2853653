"""A ledger shared through a git remote (the office's Gitea, GitLab or a bare repository on a shared disk).

* **Exchange** (``duban sync``; the sweep before and after): fetch the remote's branch, merge it into
  ours — fast-forward, or a merge commit built with plumbing whose item, event and counter files are
  merged by meaning (:mod:`duban.store.merge`) — move ``HEAD`` as every change does (journal, then
  ``update-ref``), then push; a rejected push (another copy pushed first) fetches and merges again.
* **Numbers** (ids, 文号, slip numbers): a copy draws them from its *lease* in ``counters.yaml``
  (``leases: {copy: {kind: {year: {next, last}}}}``).  When its lease is used up, it *claims* more
  from the remote: fetch, raise the counter on the remote's own tip in a commit that changes only
  ``counters.yaml``, push; when the push is rejected, again.  A claimed number belongs to that copy
  alone, so a number is final the moment it is given and a printed number never changes; offline, a
  copy gives the numbers it reserved beforehand (``duban sync --reserve N``), and refuses once they
  are gone.  Copies are told apart by a name kept in the clone's own git config (``duban.copy``),
  made anew when the repository is copied to another folder.
* **Publishing** (the sweep): numbers are taken straight from the counters just merged, and the
  change's commit is pushed *before* ``HEAD`` moves; if another copy pushed meanwhile, nothing has
  happened and the sweep runs again on the merged ledger, so no slip goes out twice.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from duban.core.errors import DubanError
from duban.core.merge import LEASES, merge_counters
from duban.store.counters import HEADER
from duban.store.counters import PATH as COUNTERS
from duban.store.git import TRAILER, Change, Repo, Tree, diff_tree, dirty, git, identity_args, is_ancestor, move_head
from duban.store.merge import ATTRIBUTES, merge_text, semantic
from duban.store.yamlio import YamlError, loads, rt_dumps, rt_loads

NET_TIMEOUT = float(os.environ.get("DUBAN_NET_TIMEOUT", "60"))
TRIES = 5
# a push another copy's push beat: refused as not a fast-forward, or the remote's ref moved under its lock
RACED = r"\[rejected\]|non-fast-forward|fetch first|\[remote rejected\] .*(lock|stale|failed to update)|cannot lock ref"
RECORDS = ("items", "events")  # the folders of the files merged by meaning (besides counters.yaml)


class Offline(DubanError):
    """The remote could not be reached."""


class Rejected(DubanError):
    """The remote moved on since we fetched (another copy pushed first)."""


@dataclass(frozen=True)
class Remote:
    name: str
    branch: str

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.name}/{self.branch}"


def remote_of(root: Path, name: str, branch: str = "") -> Remote:
    """The remote named in duban.yaml ``sync.remote``, which this clone must have."""
    if not git(root, "remote", "get-url", name, check=False).strip():
        raise DubanError(
            f"duban.yaml 设置了与远端 {name} 同步，但本副本的 git 没有名为 {name} 的远端；"
            f"请运行 git remote add {name} 地址（或 duban sync --remote 地址）"
        )
    if not branch:  # a ledger set up before the branch was written down: the remote's own, else ours
        theirs = git(root, "symbolic-ref", "--short", "-q", f"refs/remotes/{name}/HEAD", check=False).strip()
        ours = git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).strip()
        branch = theirs.removeprefix(f"{name}/") or ours or "main"
    return Remote(name, branch)


def _net(repo: Repo, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=NET_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise Offline(f"连接远端超时（{NET_TIMEOUT:g} 秒）") from None


def _why(proc: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in (proc.stderr or proc.stdout or "").splitlines() if ln.strip()]
    return lines[0] if lines else f"git 退出码 {proc.returncode}"


def fetch(repo: Repo, remote: Remote) -> str | None:
    """The remote branch's tip after fetching it (None: the remote has no such branch yet)."""
    proc = _net(repo, "fetch", "--quiet", "--no-tags", remote.name, f"+refs/heads/{remote.branch}:{remote.tracking}")
    if proc.returncode != 0:
        if "couldn't find remote ref" in (proc.stderr or ""):
            return None
        raise Offline(f"无法连接远端 {remote.name}: {_why(proc)}")
    return git(repo.root, "rev-parse", "--verify", "-q", remote.tracking, check=False).strip() or None


def push(repo: Repo, remote: Remote, sha: str) -> None:
    """Move the remote branch to ``sha`` if that is a fast-forward (else :class:`Rejected`)."""
    proc = _net(repo, "push", "--porcelain", remote.name, f"{sha}:refs/heads/{remote.branch}")
    if proc.returncode != 0:
        said = (proc.stdout or "") + (proc.stderr or "")
        if re.search(RACED, said):
            raise Rejected(f"远端 {remote.name} 已有更新")
        raise Offline(f"无法推送到远端 {remote.name}: {_why(proc)}")
    git(repo.root, "update-ref", remote.tracking, sha)


def copy_name(repo: Repo) -> str:
    """This clone's name among the copies (kept in its own git config; a copied folder gets a new one)."""
    name = git(repo.root, "config", "--local", "duban.copy", check=False).strip()
    where = git(repo.root, "config", "--local", "duban.copydir", check=False).strip()
    if name and where == str(repo.dir):
        return name
    host = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-")[:20] or "copy"
    name = f"{host}-{secrets.token_hex(3)}"
    git(repo.root, "config", "--local", "duban.copy", name)
    git(repo.root, "config", "--local", "duban.copydir", str(repo.dir))
    return name


def install_driver(repo: Repo) -> None:
    """The git merge driver in this clone's config (the .gitattributes naming it is tracked)."""
    driver = f"{shlex.quote(sys.executable)} -m duban.store.merge %O %A %B %P"
    if git(repo.root, "config", "--local", "merge.duban.driver", check=False).strip() != driver:
        git(repo.root, "config", "--local", "merge.duban.name", "duban: 按内容合并事项、单位事件和编号计数器")
        git(repo.root, "config", "--local", "merge.duban.driver", driver)


def attributes_text(current: str) -> str | None:
    """``.gitattributes`` with duban's lines added (None when they are there)."""
    missing = [ln for ln in ATTRIBUTES.splitlines() if ln not in current.splitlines()]
    if not missing:
        return None
    return (current if not current or current.endswith("\n") else current + "\n") + "\n".join(missing) + "\n"


# ------------------------------------------------------------------ merging


def changed(repo: Repo, a: str, b: str) -> dict[str, str | None]:
    """Ledger path → blob in ``b`` (None: removed) for every file that differs between commits a and b."""
    return {path: new for path, _, new in diff_tree(repo.root, a, b)}


def _blob(repo: Repo, commit: str, rel: str) -> str | None:
    return git(repo.root, "rev-parse", "--verify", "-q", f"{commit}:{repo.full(rel)}", check=False).strip() or None


@dataclass
class Integration:
    tip: str | None
    files: dict[str, str | None] = field(default_factory=dict)
    conflicts: list[tuple[str, dict]] = field(default_factory=list)


def integrate(repo: Repo, head: str | None, theirs: str | None, ident: list[str], message: str) -> Integration:
    """Ours and the remote's tip made one: nothing, a fast-forward, or a merge commit (not yet on HEAD)."""
    if theirs is None or theirs == head or (head and is_ancestor(repo.root, theirs, head)):
        return Integration(head)
    if head is None or is_ancestor(repo.root, head, theirs):
        if head:
            _refuse_outside(repo, head, theirs)
        return Integration(theirs, changed(repo, head, theirs) if head else {})
    base = git(repo.root, "merge-base", head, theirs, check=False).strip()
    if not base:
        raise DubanError("本副本与远端的历史毫无关联（不是同一个台账）；已拒绝同步")
    _refuse_outside(repo, base, theirs)
    ours_changed, theirs_changed = changed(repo, base, head), changed(repo, base, theirs)
    entries: dict[str, str | None] = {}
    conflicts: list[tuple[str, dict]] = []
    both = [p for p in theirs_changed if p in ours_changed and ours_changed[p] != theirs_changed[p]]
    for p, blob in theirs_changed.items():
        if p not in ours_changed:
            entries[p] = blob
    if both:
        bases = {p: _blob(repo, base, p) for p in both}
        blobs = repo.read_blobs([b for p in both for b in (bases[p], ours_changed[p], theirs_changed[p]) if b])
        for p in both:
            o, t, b = ours_changed[p], theirs_changed[p], bases[p]
            if o is None or t is None:
                side = "本副本删除了它，远端改了它" if o is None else "远端删除了它，本副本改了它"
                raise DubanError(f"{p}: {side}，无法自动合并；请在一处恢复后再同步（未合并，台账仍是本副本的版本）")
            texts = [blobs[x].decode("utf-8") if x else None for x in (b, o, t)]
            if semantic(p):
                text, found = merge_text(p, texts[0], texts[1] or "", texts[2] or "")
                conflicts += [(p, c) for c in found]
            else:
                text = _merge_plain(p, texts[0] or "", texts[1] or "", texts[2] or "")
            entries[p] = repo.write_blob(text.encode("utf-8"))
    tip = Tree(repo, head).commit(entries, message, ident, parents=(theirs,))
    return Integration(tip, entries, conflicts)


def _refuse_outside(repo: Repo, a: str, b: str) -> None:
    """A ledger in a folder of a larger repository merges only its own folder: other files changed are git's."""
    if not repo.prefix:
        return
    paths = git(repo.root, "diff-tree", "-r", "-z", "--name-only", "--no-renames", a, b).split("\0")
    outside = [p for p in paths if p and not p.startswith(repo.prefix)]
    if outside:
        raise DubanError(
            f"远端改了台账文件夹 {repo.prefix} 以外的文件（{'、'.join(outside[:3])}），duban sync 只合并台账文件夹；"
            "请先在仓库根目录运行 git pull（台账文件同样按内容合并），再运行 duban sync（未做任何改动）"
        )


def _merge_plain(rel: str, base: str, ours: str, theirs: str) -> str:
    """A text file changed on both sides (units.yaml, a rule …): git's line merge, or a refusal."""
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(d) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        proc = subprocess.run(["git", "merge-file", "-p", *paths], capture_output=True)
    if proc.returncode != 0:
        raise DubanError(
            f"{rel}: 本副本和远端改了同一处，无法自动合并；请在一处改成与另一处一致后再同步（未合并，台账仍是本副本的版本）"
        )
    return proc.stdout.decode("utf-8")


# ------------------------------------------------------------------ exchange


@dataclass
class Exchanged:
    pulled: int = 0  # commits received
    pushed: int = 0  # commits sent
    conflicts: list[tuple[str, dict]] = field(default_factory=list)


def exchange(ch: Change, remote: Remote) -> Exchanged:
    """Under the change's lock: fetch, merge, push until the remote holds ours (see the module's doc)."""
    repo = ch.repo
    install_driver(repo)
    ident = identity_args(repo.root, *ch.author)
    done = Exchanged()
    for _ in range(TRIES):
        theirs = fetch(repo, remote)
        head = repo.head()
        # every hand edit of an item or event goes out too, not only those of files the merge writes
        _refuse_broken(repo)
        ch.commit_hand_edits([*RECORDS, *(changed(repo, head, theirs) if theirs and head else [])])
        head = repo.head()
        if theirs and head and theirs != head:
            done.pulled += int(git(repo.root, "rev-list", "--count", f"{head}..{theirs}").strip() or 0)
        message = f"督办 同步: 合并远端 {remote.name}/{remote.branch}\n\n{TRAILER}: sync\n"
        got = integrate(repo, head, theirs, ident, message)
        if got.tip and got.tip != head:
            move_head(repo, head, got.tip, got.files)
            done.conflicts += got.conflicts
        tip = repo.head()
        if tip is None or tip == theirs:
            return done
        count = f"{theirs}..{tip}" if theirs else tip
        try:
            push(repo, remote, tip)
        except Rejected:
            continue
        done.pushed = int(git(repo.root, "rev-list", "--count", count).strip() or 0)
        return done
    raise DubanError(f"远端 {remote.name} 一直在更新，重试 {TRIES} 次仍未同步成功；请稍后再运行 duban sync")


def _refuse_broken(repo: Repo) -> None:
    """An item or event file edited by hand into bad YAML is not sent to the other copies."""
    for rel in dirty(repo.root, list(RECORDS), repo.prefix):
        path = repo.root / rel
        if not semantic(rel) or not path.is_file():
            continue
        try:
            loads(path.read_text(encoding="utf-8"))
        except YamlError as e:
            raise DubanError(f"{rel}:{e.line}: {e.message}；改正后再同步（未做任何改动）") from None


def publisher(remote: Remote):
    """For a change that must reach the remote before it happens here (the sweep): push, else nothing."""

    def publish(repo: Repo, tip: str) -> None:
        push(repo, remote, tip)

    return publish


# ------------------------------------------------------------------ numbers


class Claims:
    """Numbers for a shared ledger: this copy's lease, topped up from the remote (see the module's doc)."""

    def __init__(self, root: Path, remote: Remote, author: tuple[str, str]):
        self.root, self.remote, self.author = root, remote, author
        self._copy: str | None = None

    def copy(self, repo: Repo) -> str:
        if self._copy is None:
            self._copy = copy_name(repo)
        return self._copy

    def take(self, counters, kind: str, year: int, floor: int) -> int:
        """The next number of this copy's lease, claiming one more from the remote when it is used up."""
        self.need(counters, {(kind, year): (1, floor)})
        lease = _lease(counters.data, self.copy(Repo(self.root)), kind, year)
        assert lease is not None
        n = max(int(lease["next"]), floor + 1)
        lease["next"] = n + 1
        counters.changed = True
        return n

    def need(self, counters, wants: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Make sure this copy's leases hold ``count`` numbers above ``floor`` for every (kind, year) wanted,
        claiming those they do not from the remote — all in one round trip."""
        me = self.copy(Repo(self.root))
        short = {key: want for key, want in wants.items() if _left(_lease(counters.data, me, *key), want[1]) < want[0]}
        if short:
            self.claim(counters, short)

    def claim(self, counters, wants: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Reserve, for every (kind, year) wanted, ``count`` more numbers above ``floor`` for this copy on the
        remote, in one commit that changes only the counters; record them here."""
        repo = Repo(self.root)
        me = self.copy(repo)
        ident = identity_args(repo.root, *self.author)
        for _ in range(TRIES):
            try:
                tip = fetch(repo, self.remote)
            except Offline as e:
                raise DubanError(
                    f"{e}；本副本预留的编号已用完，不能离线编号，未做任何改动。"
                    f"联网后重试；要离线工作，先在联网时运行 duban sync --reserve 10 预留编号"
                ) from None
            if tip is None:
                raise DubanError(f"远端 {self.remote.name} 上还没有台账；请先运行 duban sync 把台账推送上去")
            blob = _blob(repo, tip, COUNTERS)
            text = repo.read_blobs([blob])[blob].decode("utf-8") if blob else HEADER
            try:
                theirs = loads(text)[0] or {}
            except YamlError as e:
                raise DubanError(f"远端的 {COUNTERS}:{e.line} 有错误，为免重复编号，不能编号: {e.message}") from None
            merged = merge_counters(_plain(counters.data), theirs)
            doc = rt_loads(text) or rt_loads(HEADER)
            claimed, said = {}, []
            for (kind, year), (count, floor) in wants.items():
                if _left(_lease(merged, me, kind, year), floor) >= count:
                    continue  # claimed before by a change that did not happen: reused
                top = max(int((merged.get(kind) or {}).get(year, 0) or 0), floor)
                claimed[kind, year] = lease = {"next": top + 1, "last": top + count}
                _set(doc, me, kind, year, top + count, lease)
                said.append(f"{kind} {year} 第 {top + 1}–{top + count} 号")
            if claimed:
                message = f"督办 {me} 预留编号: {'；'.join(said)}\n\n{TRAILER}: claim\n"
                sha = Tree(repo, tip).commit({COUNTERS: repo.write_blob(rt_dumps(doc).encode("utf-8"))}, message, ident)
                assert sha is not None
                try:
                    push(repo, self.remote, sha)
                except Rejected:
                    continue
                except Offline as e:
                    raise DubanError(f"{e}；未能预留编号，未做任何改动，请稍后重试") from None
                for (kind, year), lease in claimed.items():
                    merged = merge_counters(merged, {kind: {year: lease["last"]}, LEASES: {me: {kind: {year: lease}}}})
            for kind, year in wants:
                _adopt(counters, merged, me, kind, year)
            return
        raise DubanError(f"远端 {self.remote.name} 一直在更新，重试 {TRIES} 次仍未能预留编号；请稍后再试")

    def reserve(self, counters, kinds: list[str], year: int, n: int) -> dict[str, int]:
        """For working offline: ``n`` numbers of each kind claimed for this copy, where its lease is used up.

        A lease is one range; what is left of it is used first, and topped up once it is gone."""
        me = self.copy(Repo(self.root))
        used_up = [kind for kind in kinds if _left(_lease(counters.data, me, kind, year), 0) == 0]
        if used_up:
            self.claim(counters, {(kind, year): (n, 0) for kind in used_up})
        return dict.fromkeys(used_up, n)


def _plain(data) -> dict:
    return loads(rt_dumps(data))[0] or {}


def _left(lease, floor: int) -> int:
    """How many numbers above ``floor`` a lease still holds."""
    return 0 if lease is None else max(0, int(lease["last"]) - max(int(lease["next"]), floor + 1) + 1)


def _lease(data, copy: str, kind: str, year: int):
    try:
        lease = data[LEASES][copy][kind][year]
    except (KeyError, TypeError):
        return None
    return lease if isinstance(lease, dict) and "next" in lease and "last" in lease else None


def _set(doc, copy: str, kind: str, year: int, top: int, lease: dict) -> None:
    from ruamel.yaml.comments import CommentedMap

    from duban.store.yamlio import flow_map

    if not isinstance(doc.get(kind), dict):
        doc[kind] = flow_map({})
    doc[kind][year] = max(int(doc[kind].get(year, 0) or 0), top)
    if not isinstance(doc.get(LEASES), dict):
        doc[LEASES] = CommentedMap()
    mine = doc[LEASES].setdefault(copy, CommentedMap())
    years = mine.setdefault(kind, flow_map({}))
    years[year] = flow_map(lease)


def _adopt(counters, merged: dict, copy: str, kind: str, year: int) -> None:
    lease = _lease(merged, copy, kind, year)
    top = int((merged.get(kind) or {}).get(year, 0) or 0)
    assert lease is not None
    _set(counters.data, copy, kind, year, top, dict(lease))
    counters.changed = True
