"""What every changing command shares: its change (lock, counters, one commit) and the refusal of a broken ledger."""

from __future__ import annotations

from pathlib import Path

from duban.core.errors import DubanError
from duban.store.git import Change
from duban.store.ledger import Ledger, find_root, load_config


def find_ledger(given: Path | None) -> Path:
    """--ledger, else DUBAN_LEDGER, else the nearest duban.yaml above the working directory."""
    return find_root(given)


def change(root: Path, message: str, action: str, publish: bool = False) -> Change:
    """The ledger's change for one command, committed under the office's git identity.

    In a ledger shared through a remote (duban.yaml ``sync:``), numbers come from this copy's lease
    (:mod:`duban.store.sync`); with ``publish`` the commit must reach the remote before it happens here."""
    cfg = load_config(root)
    author = (cfg.author_name, cfg.author_email)
    remote = shared(root)
    if remote is None:
        return Change(root, message, action, author)
    from duban.store.git import Repo
    from duban.store.sync import Claims, install_driver, publisher

    install_driver(Repo(root))  # a clone that never ran duban sync: a plain git pull merges by meaning too
    return Change(
        root,
        message,
        action,
        author,
        numbers=Claims(root, remote, author),
        publish=publisher(remote) if publish else None,
    )


def shared(root: Path):
    """The remote this ledger is shared through (duban.yaml ``sync: {remote: …}``), or None."""
    cfg = load_config(root)
    if not cfg.sync_remote:
        return None
    from duban.store.sync import remote_of

    return remote_of(root, cfg.sync_remote, cfg.sync_branch)


def refuse_if_broken(ledger: Ledger) -> None:
    """Refuse a change when the configuration, units or rule pack have errors."""
    core = [p for p in ledger.problems if p.severity == "error" and not p.path.startswith("items/")]
    if core:
        shown = "\n".join(str(p) for p in core[:10])
        raise DubanError(f"台账配置有错误，已拒绝操作（先修正，duban check 列出全部问题）:\n{shown}")
