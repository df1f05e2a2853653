"""Unit-level events recorded by the clerk (``duban event``): 通报批评, 表扬, 抽调人员 …,
one file each under ``events/YYYY/``, committed like items; the unit event an approved
proposal counts as (``duban refer``); and the fulfilment of a duty a consequence
created (``duban fulfil``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken
from duban.core.errors import DubanError
from duban.core.model import LEVELS
from duban.core.unitevents import event_rel
from duban.store.ledger import Scope, load, normalize_id
from duban.store.yamlio import rt_dumps, rt_loads


def record(
    root: Path,
    *,
    unit: str,
    kind: str,
    level: str | None,
    item: str | None,
    day: date,
    note: str,
    today: date,
    received: date | None = None,
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
        body = kinds[kind]
        if unit not in ledger.units:
            raise DubanError(f"未知的单位 “{unit}”")
        levels = "、".join(f"{k}（{v}）" for k, v in LEVELS.items())
        if level and level not in LEVELS:
            raise DubanError(f"级别只能是 {levels}")
        if not level and ledger.pack.needs_level(kind):
            raise DubanError(f"规则包按级别给“{body['label']}”计分，请用 --level 指明级别：{levels}")
        if body.get("item") and not item:
            raise DubanError(f"“{body['label']}”须指明所涉事项（--item），按事项等级计分（{body.get('source', '')}）")
        check_window(ledger, kind, day, received)
        if item:
            ledger.item(item)
        ev_id = f"{day.year}-{ch.counters.next('event', day.year):04d}"
        text = event_text(
            {
                "id": ev_id,
                "unit": unit,
                "kind": kind,
                "date": day,
                "level": level,
                "item": item,
                "received": received,
                "note": note,
            }
        )
        ch.message = f"督办 单位事件 {ev_id}: {ledger.unit_name(unit)} {body['label']}"
        ch.write(event_rel(ev_id), text)
    return ev_id


def check_window(ledger, kind: str, day: date, received: date | None) -> None:
    """An event the pack allows only within a time after what it answers (卓尼 第十七条: 复核 within 30 days of
    receiving the 通报): refused, with the last day, when it comes later."""
    body = ledger.pack.process.unit_events[kind]
    within = body.get("within")
    if within is None:
        return
    if received is None:
        raise DubanError(f"“{body['label']}”须写明收到所针对文书的日期（--received），以核对 {within.describe()}的时限")
    if received > day:
        raise DubanError(f"收到日期 {received} 晚于事件日期 {day}")
    last = within.apply(ledger.calendar, received)
    if day > last:
        late = ledger.pack.process.unit_events.get(body.get("late", ""), {})
        instead = f"；逾期提报的，按“{late['label']}”记录（duban event UNIT {body['late']}）" if late else ""
        raise DubanError(
            f"“{body['label']}”须在收到之日（{received}）起 {within.describe()}内提出，即 {last} 前；"
            f"{day} 已超过时限（{within.source or body.get('source', '')}）{instead}"
        )


def proposal_event(ledger, item, slip: dict, day: date, text: str, ch) -> str | None:
    """An approved proposal whose ladder step ``proposes`` a unit event (安康、渭南: 通报批评) is that event:
    written in the same change, so it counts and scores like one recorded with ``duban event``."""
    step = ledger.pack.process.step(slip["kind"])
    if step is None or not step.proposes:
        return None
    ev_id = f"{day.year}-{ch.counters.next('event', day.year):04d}"
    fields = {
        "id": ev_id,
        "unit": slip.get("unit") or item.lead,
        "kind": step.proposes,
        "date": day,
        "item": item.id,
        "note": text or f"经批准的{ledger.pack.words.entry(slip['kind'])} {slip.get('number', '')}",
    }
    ch.write(event_rel(ev_id), event_text(fields))
    return ev_id


def fulfil(root: Path, event_id: str, *, day: date, note: str, today: date) -> str:
    """Record that the duty a consequence created (its ``due``) was fulfilled on ``day``."""
    if day > today:
        raise DubanError(f"日期 {day} 晚于今天 {today}")
    with change(root, "", "fulfil") as ch:
        ledger = load(root, scope=Scope(ids=()))
        refuse_if_broken(ledger)
        found = next((e for e in ledger.events if e.id == event_id), None)
        if found is None:
            raise DubanError(f"没有编号为 {event_id} 的单位事件（duban sweep 的日报列出待履行的事项及其编号）")
        if found.kind != "consequence" or found.due is None:
            raise DubanError(f"{event_id} 不是有履行期限的后果，无需记录履行")
        if found.done:
            raise DubanError(f"{event_id} 已于 {found.done} 记录履行")
        if day < found.date:
            raise DubanError(f"履行日期 {day} 早于后果产生之日 {found.date}")
        path = root / found.path
        data = rt_loads(path.read_text(encoding="utf-8"))
        data["done"] = day
        if note.strip():
            data["done_note"] = note.strip()
        late = (day - found.due).days
        ch.message = f"督办 履行 {event_id}: {ledger.unit_name(found.unit)} {found.action}" + (
            f"（逾期 {late} 天）" if late > 0 else ""
        )
        ch.write(found.path, rt_dumps(data))
    return f"{event_id} 已记录履行（{day}）" + (f"，较期限 {found.due} 逾期 {late} 天" if late > 0 else "")


def event_text(fields: dict) -> str:
    from ruamel.yaml.comments import CommentedMap

    return rt_dumps(CommentedMap((k, v) for k, v in fields.items() if v not in (None, "")))
