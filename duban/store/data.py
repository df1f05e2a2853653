"""Where the shipped defaults live: rule pack, templates, sample ledger.

In a wheel they sit under ``duban/_data``; in a source checkout (editable
install) they are the repository root, which is itself the sample ledger.
"""

from __future__ import annotations

from pathlib import Path

PKG = Path(__file__).resolve().parents[1]  # the duban package


def _source_root() -> Path:
    """The repository root of a source checkout (itself the sample ledger); outside one, the package's _data."""
    root = PKG.parent
    return root if (root / "duban.yaml").is_file() and (root / "rules").is_dir() else PKG / "_data"


def rules_dir() -> Path:
    built = PKG / "_data" / "rules"
    return built if built.is_dir() else _source_root() / "rules"


def templates_dir() -> Path:
    built = PKG / "_data" / "templates"
    return built if built.is_dir() else _source_root() / "templates"


def sample_dir() -> Path:
    built = PKG / "_data" / "sample"
    return built if built.is_dir() else _source_root()


def packs_dir() -> Path:
    built = PKG / "_data" / "packs"
    return built if built.is_dir() else _source_root() / "packs"


def shipped_packs() -> dict[str, Path]:
    """Every rule pack shipped with duban, by the ``name`` in its pack.yaml (the default first)."""
    from duban.store.yamlio import load_path

    others = sorted(p for p in packs_dir().iterdir() if p.is_dir()) if packs_dir().is_dir() else []
    out: dict[str, Path] = {}
    for folder in (rules_dir(), *others):
        if (folder / "pack.yaml").is_file():
            meta, _ = load_path(folder / "pack.yaml")
            if isinstance(meta, dict) and meta.get("name"):
                out[str(meta["name"])] = folder
    return out
