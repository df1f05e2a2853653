"""A plain, fast table writer for pipes and narrow terminals: one line per row, columns aligned by display
width (a Chinese character is two columns), no box drawing, no wrapping; the last column (the title) is
never cut, so a line can be longer than the terminal and is still whole when piped to grep or a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from unicodedata import east_asian_width


@lru_cache(maxsize=1 << 16)  # a table's cells repeat (units, statuses, tiers): each measured once
def width(text: str) -> int:
    """Display width in terminal columns (wide and full-width characters count two)."""
    return len(text) if text.isascii() else sum(map(_char_width, text))


@cache
def _char_width(c: str) -> int:
    return 2 if east_asian_width(c) in "WF" else 1


def plain_lines(header: Sequence[str], rows: Iterable[Sequence[str]], gap: int = 2) -> list[str]:
    """The table as lines: every column but the last padded to its widest cell."""
    n = len(header) - 1
    rows = [list(map(str, r)) for r in rows]
    measured = [list(map(width, r[:n])) for r in [list(header), *rows]]  # each cell measured once
    widths = [max(m[i] for m in measured) for i in range(n)]
    sep = " " * gap

    def line(cells: Sequence[str], sizes: list[int]) -> str:
        padded = [c + " " * (w - z) for c, z, w in zip(cells, sizes, widths, strict=False)]
        return (sep.join(padded) + sep + cells[-1]).rstrip()

    return [line(r, m) for r, m in zip([list(header), *rows], measured, strict=True)]
