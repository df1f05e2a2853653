"""The audit trail from git: an item's history, and undoing duban's actions one step at a time."""

from __future__ import annotations

from pathlib import Path

from duban.core.errors import DubanError
from duban.store.git import log_entries
from duban.store.history import undo as revert_last
from duban.store.history import undo_stack as stack
from duban.store.ledger import item_rel, load_config, normalize_id


def item_history(root: Path, item: str) -> tuple[str, list[dict]]:
    """Every commit that touched the item's file, newest first."""
    item_id = normalize_id(item)
    rows = log_entries(root, item_rel(item_id))
    if not rows:
        raise DubanError(f"git 历史中没有事项 {item_id} 的记录")
    return item_id, rows


def undo(root: Path) -> str:
    """Revert the most recent duban action not already undone; returns the new commit's message."""
    cfg = load_config(root)
    return revert_last(root, (cfg.author_name, cfg.author_email))


def undo_stack(root: Path) -> list:
    """What successive undos would revert, newest first (with why one cannot be undone)."""
    return stack(root)
