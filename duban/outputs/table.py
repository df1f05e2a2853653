"""A plain, fast table writer for pipes and narrow terminals: one line per row, columns aligned by display
width (a Chinese character is two columns), no box drawing, no wrapping; the last column (the title) is
never cut, so a line can be longer than the terminal and is still whole when piped to grep or a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from unicodedata import east_asian_width


def width(text: str) -> int:
    """Display width in terminal columns (wide and full-width characters count two)."""
    return len(text) if text.isascii() else sum(map(_char_width, text))


@cache
def _char_width(c: str) -> int:
    return 2 if east_asian_width(c) in "WF" else 1


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


def plain_lines(header: Sequence[str], rows: Iterable[Sequence[str]], gap: int = 2) -> list[str]:
    """The table as lines: every column but the last padded to its widest cell."""
    rows = [list(map(str, r)) for r in rows]
    widths = [max([width(header[i]), *(width(r[i]) for r in rows)]) for i in range(len(header) - 1)]
    sep = " " * gap

    def line(cells: Sequence[str]) -> str:
        return (sep.join(pad(c, w) for c, w in zip(cells, widths, strict=False)) + sep + cells[-1]).rstrip()

    return [line(header), *(line(r) for r in rows)]
