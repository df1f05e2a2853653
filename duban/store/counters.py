"""The ledger's number counters (``counters.yaml``): item ids, 文号 and slip numbers.

A number once given is never given again.  Numbers are allocated only inside a
:class:`duban.store.git.Change` (``ch.counters.next(...)``), whose commit writes
the counters together with the files that carry the numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

from duban.core.model import ID_RE
from duban.store.yamlio import flow_map, rt_dumps, rt_loads

PATH = "counters.yaml"
HEADER = "# 编号计数器：由 duban 维护，保证立项编号、通知单号和各类文书编号不重复使用。\n{}\n"


class Counters:
    """The counters as read when the change began; ``changed`` once a number was allocated."""

    def __init__(self, root: Path):
        self.root = root
        self.changed = False
        path = root / PATH
        data = rt_loads(path.read_text(encoding="utf-8")) if path.exists() else None
        self.data = data if data is not None else rt_loads(HEADER)

    def next(self, kind: str, year: int, floor: int = 0) -> int:
        """The next number of ``kind`` in ``year`` (at least ``floor`` + 1)."""
        if kind not in self.data or self.data[kind] is None:
            self.data[kind] = flow_map({})
        n = max(int(self.data[kind].get(year, 0) or 0), floor) + 1
        self.data[kind][year] = n
        self.changed = True
        return n

    def text(self) -> str:
        return rt_dumps(self.data)


def max_item_number(root: Path, year: int) -> int:
    """The highest item number of ``year`` among the files present (a floor for the counter)."""
    folder = root / "items" / str(year)
    best = 0
    if folder.is_dir():
        for name in os.listdir(folder):
            m = ID_RE.match(name.rsplit(".", 1)[0])
            if m:
                best = max(best, int(m.group(2)))
    return best


def ref_number(prefix: str, year: int, n: int) -> str:
    """A 发文字号: 灞政督〔2026〕7号 (year in 〔〕, no leading zeros)."""
    return f"{prefix}〔{year}〕{n}号"
