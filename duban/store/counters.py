"""The ledger's number counters (``counters.yaml``): item ids, 文号 and slip numbers.

A number once given is never given again.  Numbers are allocated only inside a
:class:`duban.store.git.Change` (``ch.counters.next(...)``), whose commit writes
the counters together with the files that carry the numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

from duban.core.errors import DubanError, Problem
from duban.core.merge import LEASES  # the numbers each copy of a shared ledger claimed (duban.store.sync)
from duban.core.model import ID_RE
from duban.store.yamlio import YamlError, flow_map, load_path, rt_dumps, rt_loads

PATH = "counters.yaml"

MAX_NUMBER = 1_000_000
HEADER = "# 编号计数器：由 duban 维护，保证立项编号、通知单号和各类文书编号不重复使用。\n{}\n"


class Counters:
    """The counters as read when the change began; ``changed`` once a number was allocated."""

    def __init__(self, root: Path, numbers=None):
        self.root = root
        self.numbers = numbers  # a shared ledger's claims (duban.store.sync.Claims): this copy's lease
        self.changed = False
        bad = problems(root)
        if bad:
            raise DubanError(
                "编号计数器文件有错误，为免重复编号，已拒绝操作（请按 git 历史修正）:\n" + "\n".join(map(str, bad[:5]))
            )
        path = root / PATH
        data = rt_loads(path.read_text(encoding="utf-8")) if path.exists() else None
        self.data = data if data is not None else rt_loads(HEADER)

    def next(self, kind: str, year: int, floor: int = 0) -> int:
        """The next number of ``kind`` in ``year`` (at least ``floor`` + 1)."""
        if self.numbers is not None:
            return self.numbers.take(self, kind, year, floor)
        if kind not in self.data or self.data[kind] is None:
            self.data[kind] = flow_map({})
        n = max(int(self.data[kind].get(year, 0) or 0), floor) + 1
        self.data[kind][year] = n
        self.changed = True
        return n

    def need(self, wants: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Numbers about to be taken — (kind, year) → (count, floor) — so that a shared ledger claims them all
        from the remote in one round trip instead of one per number (nothing to do in a ledger of one copy)."""
        if self.numbers is not None:
            self.numbers.need(self, wants)

    def text(self) -> str:
        return rt_dumps(self.data)


def problems(root: Path) -> list[Problem]:
    """What is wrong with counters.yaml: it must map each kind to {year: last number given}."""
    path = root / PATH
    if not path.exists():
        return []
    try:
        data, lines = load_path(path)
    except OSError as e:
        return [Problem(PATH, 1, f"无法读取: {e}")]
    except YamlError as e:
        return [Problem(PATH, e.line, e.message)]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [Problem(PATH, 1, "应为 类别: {年份: 已用到的编号} 的映射")]
    out = []
    for kind, years in data.items():
        line = lines.get((kind,), 1)
        if years is None:
            continue
        if kind == LEASES:
            out += _lease_problems(years, lines)
            continue
        if not isinstance(kind, str) or not isinstance(years, dict):
            out.append(Problem(PATH, line, f"{kind}: 应为 {{年份: 已用到的编号}}"))
            continue
        for year, n in years.items():
            ok_year = isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 9999
            ok_n = isinstance(n, int) and not isinstance(n, bool) and 0 <= n < MAX_NUMBER
            if not (ok_year and ok_n):
                where = lines.get((kind, year), line)
                out.append(
                    Problem(PATH, where, f"{kind}.{year}: 应为 年份: 0 到 {MAX_NUMBER - 1} 的整数，而不是 “{n}”")
                )
    return out


def _lease_problems(leases, lines) -> list[Problem]:
    """``leases: {copy: {kind: {year: {next: n, last: m}}}}`` — the numbers each copy claimed for itself."""
    shape = "leases: 应为 {副本: {类别: {年份: {next: 下一个号, last: 最后一个号}}}}"
    if not isinstance(leases, dict):
        return [Problem(PATH, lines.get((LEASES,), 1), shape)]
    out = []
    for copy, kinds in leases.items():
        for kind, years in (kinds or {}).items() if isinstance(kinds, dict) else [(None, None)]:
            for year, lease in (years or {}).items() if isinstance(years, dict) else [(None, None)]:
                ok = isinstance(lease, dict) and all(
                    isinstance(lease.get(k), int) and not isinstance(lease.get(k), bool) and 0 <= lease[k] <= MAX_NUMBER
                    for k in ("next", "last")
                )
                if not (ok and isinstance(year, int)):
                    where = lines.get((LEASES, copy, kind, year), lines.get((LEASES, copy), 1))
                    out.append(Problem(PATH, where, f"leases.{copy}.{kind}.{year}: {shape}"))
    return out


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
