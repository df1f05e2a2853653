"""What every changing command shares: its change (lock, counters, one commit) and the refusal of a broken ledger."""

from __future__ import annotations

from pathlib import Path

from duban.core.errors import DubanError
from duban.store.git import Change
from duban.store.ledger import Ledger, find_root, load_config


def find_ledger(given: Path | None) -> Path:
    """--ledger, else DUBAN_LEDGER, else the nearest duban.yaml above the working directory."""
    return find_root(given)


def change(root: Path, message: str, action: str) -> Change:
    """The ledger's change for one command, committed under the office's git identity."""
    cfg = load_config(root)
    return Change(root, message, action, (cfg.author_name, cfg.author_email))


def refuse_if_broken(ledger: Ledger) -> None:
    """Refuse a change when the configuration, units or rule pack have errors."""
    core = [p for p in ledger.problems if p.severity == "error" and not p.path.startswith("items/")]
    if core:
        shown = "\n".join(str(p) for p in core[:10])
        raise DubanError(f"台账配置有错误，已拒绝操作（先修正，duban check 列出全部问题）:\n{shown}")
