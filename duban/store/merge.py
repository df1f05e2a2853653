"""Two copies' versions of one ledger file merged into text: ``duban sync``'s merge and duban's git merge driver.

Item and unit-event files and ``counters.yaml`` are merged by their meaning (:mod:`duban.core.merge`),
on our text, so the clerk's comments and layout stay; theirs' new log entries go in at their dates'
places.  As a git merge driver (``python -m duban.store.merge %O %A %B %P``, installed in the ledger by
``duban init`` and ``duban sync``), a plain ``git merge`` or ``git pull`` merges them the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from duban.core.errors import DubanError
from duban.core.merge import CONFLICTS, LEASES, LOG, entry_key, merge_counters, merge_record
from duban.store.yamlio import YamlError, date_place, flow_list, flow_map, loads, rt_dumps, rt_loads

COUNTERS_NAME = "counters.yaml"
ATTRIBUTES = (
    "# duban：事项、单位事件文件和编号计数器按内容合并（duban sync / git merge 均适用）\n"
    "items/**/*.yaml merge=duban\n"
    "events/**/*.yaml merge=duban\n"
    "counters.yaml merge=duban\n"
)


def semantic(rel: str) -> bool:
    """Whether duban merges this ledger path by its meaning."""
    return rel == COUNTERS_NAME or (rel.startswith(("items/", "events/")) and rel.endswith((".yaml", ".yml")))


def _read(rel: str, side: str, text: str | None):
    if text is None or not text.strip():
        return None
    try:
        return loads(text)[0]
    except YamlError as e:
        raise DubanError(f"{rel}:{e.line}: {side}的版本有错误，无法合并: {e.message}") from None


def merge_text(rel: str, base: str | None, ours: str, theirs: str) -> tuple[str, list[dict]]:
    """The merged text of ``rel`` and the conflicts found now (field, both values)."""
    b, o, t = _read(rel, "共同祖先", base), _read(rel, "本副本", ours), _read(rel, "另一副本", theirs)
    if Path(rel).name == COUNTERS_NAME:
        return _counters_text(ours, merge_counters(o, t)), []
    if not isinstance(o, dict) or not isinstance(t, dict):
        raise DubanError(f"{rel}:1: 有一方的文件不是键值映射，无法合并")
    merged = merge_record(b if isinstance(b, dict) else None, o, t)
    doc = rt_loads(ours)
    for key in [k for k in doc if k not in merged.data]:
        del doc[key]
    for key, value in merged.data.items():
        if key in (LOG, CONFLICTS):
            continue
        if key not in doc or doc[key] != value:
            doc[key] = flow_list(value) if isinstance(value, list) else value
    if LOG in merged.data:
        if doc.get(LOG) is None:
            doc[LOG] = flow_list([], block=True)
        log = doc[LOG]
        for e in merged.removed:
            at = next(i for i, x in enumerate(log) if isinstance(x, dict) and entry_key(dict(x)) == entry_key(e))
            del log[at]
        for e in merged.added:
            try:
                at = date_place(log, e)
            except (TypeError, KeyError):
                at = len(log)
            log.insert(at, flow_map(e))
    if CONFLICTS in merged.data:
        doc[CONFLICTS] = flow_list([flow_map(c) for c in merged.data[CONFLICTS]], block=True)
    else:
        doc.pop(CONFLICTS, None)
    return rt_dumps(doc), merged.new_conflicts


def _counters_text(ours: str, merged: dict) -> str:
    from ruamel.yaml.comments import CommentedMap

    doc = rt_loads(ours) if ours.strip() else None
    if not isinstance(doc, dict):
        doc = CommentedMap()
    for kind, years in merged.items():
        if kind == LEASES and isinstance(years, dict):
            leases = CommentedMap()
            for copy, kinds in years.items():
                leases[copy] = CommentedMap((k, flow_map(v)) for k, v in kinds.items())
            doc[LEASES] = leases
        elif isinstance(doc.get(kind), dict) and isinstance(years, dict):
            for year, n in years.items():
                doc[kind][year] = n
        else:
            doc[kind] = flow_map(years) if isinstance(years, dict) else years
    return rt_dumps(doc)


def main(argv: list[str]) -> int:
    """git merge driver: ``%O %A %B %P``; the result replaces %A; exit 0 merged, 1 left as ours (reported)."""
    if len(argv) != 4:
        print("用法: python -m duban.store.merge 祖先 本副本 另一副本 路径", file=sys.stderr)
        return 2
    base, ours, theirs, rel = argv
    try:
        texts = [Path(p).read_text(encoding="utf-8") for p in (base, ours, theirs)]
        text, conflicts = merge_text(rel, texts[0], texts[1], texts[2])
    except (OSError, UnicodeDecodeError, DubanError) as e:
        print(f"duban 合并 {rel}: {e}", file=sys.stderr)
        return 1
    Path(ours).write_text(text, encoding="utf-8")
    for c in conflicts:
        print(
            f"duban 合并 {rel}: {c['field']} 两处改成了不同的值，已记入 conflicts:，请用 duban resolve 选定",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":  # pragma: no cover - run by git
    sys.exit(main(sys.argv[1:]))
