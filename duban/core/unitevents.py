"""Unit-level events: 通报批评, 表扬, 抽调人员, 不配合督查 … and the consequences
their counts trigger.  One file per event, ``events/YYYY/YYYY-NNNN.yaml``,
committed like items; the kinds are those the active pack names in
``process.yaml`` → ``unit_events``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date

from duban.core.model import LEVELS, conflicts_of
from duban.core.schema import Source, check_fields, check_mapping

FIELDS = {
    "id": str,
    "unit": str,
    "kind": str,
    "date": date,
    "level": str,
    "item": str,
    "note": str,
    "rule": str,
    "count": int,
    "action": str,
    "due": date,
    "source_event": str,
    "received": date,
    "done": date,
    "done_note": str,
    "conflicts": list,  # what two copies changed differently (duban.core.merge)
}


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
    due: dt.date | None = None
    path: str = ""
    received: dt.date | None = None  # the day the unit received what it answers (an objection: the 通报 it contests)
    done: dt.date | None = None  # a consequence's duty (``due``) fulfilled on this day
    done_note: str = ""
    conflicts: list[dict] = field(default_factory=list)


def event_rel(event_id: str) -> str:
    return f"events/{event_id[:4]}/{event_id}.yaml"


def validate(src: Source, data, rel: str, ledger) -> UnitEvent | None:
    from duban.core.model import ID_RE

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
    body = kinds.get(data["kind"], {})
    if body.get("item") and not data.get("item"):
        src.error(("item",), f"规则包要求“{body['label']}”指明所涉事项（item）")
    if body.get("within") and not data.get("received"):
        src.error(("received",), f"规则包要求“{body['label']}”写明收到所针对文书的日期（received）")
    if not isinstance(data["date"], date):
        return None
    return UnitEvent(
        ev_id,
        str(data["unit"]),
        str(data["kind"]),
        data["date"],
        str(data.get("level") or ""),
        str(data.get("item") or ""),
        str(data.get("note") or ""),
        str(data.get("rule") or ""),
        int(data.get("count") or 0),
        str(data.get("action") or ""),
        data.get("due"),
        rel,
        data.get("received"),
        data.get("done"),
        str(data.get("done_note") or ""),
        conflicts_of(src, data),
    )


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
                out.append(
                    {
                        "date": e.date,
                        "kind": "consequence",
                        "unit": e.unit,
                        "rule": c.id,
                        "count": n,
                        "action": c.action,
                        "source_event": e.id,
                        "item": e.item or None,
                        "due": c.owes.apply(pack.calendar, e.date) if c.owes else None,
                    }
                )
    return sorted(out, key=lambda a: (a["date"], a["unit"], a["rule"]))
