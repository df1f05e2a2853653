"""Unit-level events recorded by the clerk (``duban event``): 通报批评, 表扬, 抽调人员 …,
one file each under ``events/YYYY/``, committed like items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken
from duban.core.errors import DubanError
from duban.core.model import LEVELS
from duban.core.unitevents import event_rel
from duban.store.ledger import Scope, load, normalize_id
from duban.store.yamlio import rt_dumps


def record(
    root: Path, *, unit: str, kind: str, level: str | None, item: str | None, day: date, note: str, today: date
) -> str:
    if day > today:
        raise DubanError(f"日期 {day} 晚于今天 {today}")
    with change(root, "", "event") as ch:
        ledger = load(root, scope=Scope(ids=(normalize_id(item),) if item else ()))
        refuse_if_broken(ledger)
        kinds = ledger.pack.process.unit_events
        if kind not in kinds:
            raise DubanError(
                f"未知的单位事件 “{kind}”；规则包定义的有: "
                + "、".join(f"{k}（{v['label']}）" for k, v in kinds.items())
            )
        if unit not in ledger.units:
            raise DubanError(f"未知的单位 “{unit}”")
        levels = "、".join(f"{k}（{v}）" for k, v in LEVELS.items())
        if level and level not in LEVELS:
            raise DubanError(f"级别只能是 {levels}")
        if not level and ledger.pack.needs_level(kind):
            raise DubanError(f"规则包按级别给“{kinds[kind]['label']}”计分，请用 --level 指明级别：{levels}")
        if item:
            ledger.item(item)
        ev_id = f"{day.year}-{ch.counters.next('event', day.year):04d}"
        text = event_text(
            {"id": ev_id, "unit": unit, "kind": kind, "date": day, "level": level, "item": item, "note": note}
        )
        ch.message = f"督办 单位事件 {ev_id}: {ledger.unit_name(unit)} {kinds[kind]['label']}"
        ch.write(event_rel(ev_id), text)
    return ev_id


def event_text(fields: dict) -> str:
    from ruamel.yaml.comments import CommentedMap

    return rt_dumps(CommentedMap((k, v) for k, v in fields.items() if v not in (None, "")))
