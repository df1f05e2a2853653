"""Unit-level events: 通报批评, 表扬, 抽调人员, 不配合督查 … and the consequences
their counts trigger.  One file per event, ``events/YYYY/YYYY-NNNN.yaml``,
committed like items; the kinds are those the active pack names in
``process.yaml`` → ``unit_events``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import DubanError
from .model import LEVELS
from .schema import Source, check_fields, check_mapping

FIELDS = {"id": str, "unit": str, "kind": str, "date": date, "level": str, "item": str, "note": str,
          "rule": str, "count": int, "action": str, "due": date, "source_event": str}


@dataclass
class UnitEvent:
    id: str
    unit: str
    kind: str
    date: date
    level: str = ""
    item: str = ""
    note: str = ""
    rule: str = ""  # for consequences written by the sweep
    count: int = 0
    action: str = ""
    due: date | None = None
    path: str = ""


def event_rel(event_id: str) -> str:
    return f"events/{event_id[:4]}/{event_id}.yaml"


def validate(src: Source, data, rel: str, ledger) -> UnitEvent | None:
    from .model import ID_RE

    if not check_mapping(src, data, (), set(FIELDS), ("id", "unit", "kind", "date")):
        return None
    if not check_fields(src, data, (), FIELDS):
        return None
    ev_id = str(data["id"])
    if not ID_RE.match(ev_id) or rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] != ev_id:
        src.error(("id",), f"编号 {ev_id} 与文件名 {rel} 不符")
    kinds = {**ledger.pack.process.unit_events, "consequence": {}}
    if data["kind"] not in kinds:
        src.error(("kind",), f"未知的单位事件 “{data['kind']}”（规则包定义的有: {'、'.join(kinds)}）")
    if ledger.units and data["unit"] not in ledger.units:
        src.error(("unit",), f"未知的单位 “{data['unit']}”")
    if data.get("level") and data["level"] not in LEVELS:
        src.error(("level",), f"level 只能是 {' / '.join(LEVELS)}")
    elif not data.get("level") and ledger.pack.needs_level(data["kind"]):
        src.error(("kind",), f"规则包按级别给 “{data['kind']}” 计分，此事件缺少 level（{' / '.join(LEVELS)}）")
    if not isinstance(data["date"], date):
        return None
    return UnitEvent(ev_id, str(data["unit"]), str(data["kind"]), data["date"], str(data.get("level") or ""),
                     str(data.get("item") or ""), str(data.get("note") or ""), str(data.get("rule") or ""),
                     int(data.get("count") or 0), str(data.get("action") or ""), data.get("due"), rel)


def unit_consequences(events: list[UnitEvent], pack, today: date) -> list[dict]:
    """Consequences the counts of unit events have triggered by ``today`` and that are not yet recorded."""
    done = {(e.rule, e.unit, e.date.year, e.count) for e in events if e.kind == "consequence"}
    out = []
    for c in pack.process.consequences:
        if c.count != "unit_event":
            continue
        counts: dict[tuple[str, int], int] = {}
        for e in events:
            if e.kind != c.event or e.date > today:
                continue
            key = (e.unit, e.date.year)
            counts[key] = counts.get(key, 0) + 1
            n = counts[key]
            if c.fires(n) and (c.id, e.unit, e.date.year, n) not in done:
                out.append({"date": e.date, "kind": "consequence", "unit": e.unit, "rule": c.id, "count": n,
                            "action": c.action, "source_event": e.id,
                            "due": c.owes.apply(pack.calendar, e.date) if c.owes else None})
    return sorted(out, key=lambda a: (a["date"], a["unit"], a["rule"]))


def record(root: Path, *, unit: str, kind: str, level: str | None, item: str | None, day: date, note: str,
           today: date) -> str:
    from .actions import _counters, allocate, change, refuse_if_broken
    from .ledger import Scope, load, normalize_id
    from .yamlio import rt_dumps

    if day > today:
        raise DubanError(f"日期 {day} 晚于今天 {today}")
    with change(root, "", "event") as ch:
        ledger = load(root, scope=Scope(ids=(normalize_id(item),) if item else ()))
        refuse_if_broken(ledger)
        kinds = ledger.pack.process.unit_events
        if kind not in kinds:
            raise DubanError(f"未知的单位事件 “{kind}”；规则包定义的有: "
                             + "、".join(f"{k}（{v['label']}）" for k, v in kinds.items()))
        if unit not in ledger.units:
            raise DubanError(f"未知的单位 “{unit}”")
        levels = "、".join(f"{k}（{v}）" for k, v in LEVELS.items())
        if level and level not in LEVELS:
            raise DubanError(f"级别只能是 {levels}")
        if not level and ledger.pack.needs_level(kind):
            raise DubanError(f"规则包按级别给“{kinds[kind]['label']}”计分，请用 --level 指明级别：{levels}")
        if item:
            ledger.item(item)
        counters = _counters(root)
        ev_id = f"{day.year}-{allocate(counters, 'event', day.year):04d}"
        text = event_text({"id": ev_id, "unit": unit, "kind": kind, "date": day, "level": level, "item": item,
                           "note": note})
        ch.message = f"督办 单位事件 {ev_id}: {ledger.unit_name(unit)} {kinds[kind]['label']}"
        ch.write(event_rel(ev_id), text)
        ch.write("counters.yaml", rt_dumps(counters))
    return ev_id


def event_text(fields: dict) -> str:
    from ruamel.yaml.comments import CommentedMap

    from .yamlio import rt_dumps

    return rt_dumps(CommentedMap((k, v) for k, v in fields.items() if v not in (None, "")))
