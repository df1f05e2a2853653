"""Paths inside a ledger."""

from __future__ import annotations

from pathlib import Path

from duban.core.errors import DubanError


def inside(root: Path, rel: str) -> Path:
    """``root/rel``, refusing any path that would leave the ledger."""
    path = (root / rel).resolve()
    if path != root and root not in path.parents:
        raise DubanError(f"路径 {rel} 超出了台账目录")
    return path
