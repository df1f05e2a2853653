"""What people read about items: the item view (``show``, ``list``, ``--json``), built from derived state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from duban.core.entries import AMENDABLE_LABELS, SLIP_KINDS
from duban.core.errors import DubanError
from duban.core.escalation import owed_duties
from duban.core.model import Item
from duban.core.state import (
    ACTIVE,
    as_of,
    derive,
    is_void,
    last_slip,
    live_slips,
    next_lookback,
    periodic_reports,
    voided,
)


def iso(v):
    return v.isoformat() if isinstance(v, date) else v


def item_view(ledger, item: Item, today: date, full: bool = True) -> dict:
    pack = ledger.pack
    st = derive(item, pack, today)
    item = as_of(item, today)  # the registered fields as corrected so far
    rule = pack.item_rule(item)
    view = {
        "id": item.id,
        "title": item.title,
        "category": item.category,
        "category_label": rule.label,
        "tier": item.tier,
        "tier_label": pack.tier_label(item.tier),
        "tier_short": pack.words.tier_short(item.tier),
        "lead": st.lead,
        "lead_name": ledger.unit_name(st.lead),
        "co": st.co,
        "co_names": [ledger.unit_name(u) for u in st.co],
        "issued": iso(item.issued),
        "deadline": iso(st.deadline),
        "original_deadline": iso(item.deadline),
        "status": st.status,
        "status_label": pack.words.status(st.status),
        "overdue": st.overdue,
        "days_overdue": st.days_overdue,
        "working_days_overdue": st.working_days_overdue,
        "days_left": st.days_left,
        "working_days_left": st.working_days_left,
        "due_soon": st.due_soon,
        "extended": st.extended,
        "forward": item.forward,
        "ref": item.ref,
        "basis": item.basis,
        "leader": item.leader,
        "path": item.path,
        "escalation": escalation(item, pack.words),
        "light": st.light,
        "calendar_missing": st.calendar_missing,
    }
    if full:
        view["requirement"] = item.requirement
        try:
            dues = periodic_reports(item, pack, today, st)
            view["periodic_reports"] = [
                {"due": iso(p.due), "reported_on": iso(p.reported_on), "on_time": p.on_time} for p in dues
            ]
            view["missing_reports"] = [iso(p.due) for p in dues if p.reported_on is None]
            view["next_lookback"] = (
                iso(next_lookback(item, pack, today)) if st.status not in ("closed", "forwarded") else None
            )
        except DubanError as e:
            view["calendar_problem"] = str(e)
        cadence = rule.cadence or rule.follow_up
        view["cadence"] = cadence.describe() if cadence else None
        view["owed"] = [  # duties a consequence about this item created, not yet fulfilled (duban fulfil)
            {"id": e.id, "unit": e.unit, "action": e.action, "due": iso(e.due), "late": e.due < today}
            for e in owed_duties(ledger.events, today)
            if e.item == item.id
        ]
        gone = voided(item.log)
        # in the order recorded (the audit trail): ``recorded`` when it was not the day itself; voided slips marked
        view["log"] = [
            {k: iso(v) for k, v in ev.items()} | ({"void": True} if is_void(ev, gone) else {}) for ev in item.log
        ]
        view["history"] = [
            {
                "date": iso(ev.get("date")),
                "what": pack.words.entry(ev.get("kind", "")),
                "text": history_sentence(ev, pack.words, ledger.unit_name),
                **({"void": True} if is_void(ev, gone) else {}),
            }
            for ev in item.log
        ]
    return view


def table_until(item: Item, view: dict, day: date) -> date:
    """The first day after ``day`` on which what the 台账 prints of the item (and the list's order and filters)
    may differ from ``view``, its :func:`item_view` on ``day``, the counts of days aside (they move with the day:
    :func:`duban.store.views.normalized`).  From the item's last date on (a record, its recording, its issue),
    its replayed state and corrected fields are those at the end of its log; from then on only ``overdue``
    changes, the day after the deadline of an item in hand.  Before that day: the next day."""
    last = max(
        [item.issued, *(d for ev in item.log for d in (ev.get("date"), ev.get("recorded")) if isinstance(d, date))]
    )
    if day < last:
        return day + timedelta(days=1)
    if view["status"] in ACTIVE and view["deadline"] is not None:
        deadline = date.fromisoformat(view["deadline"])
        if day <= deadline:
            return deadline + timedelta(days=1)
    return date.max


# ------------------------------------------------------------- the clerk's words


def escalation(item: Item, words) -> dict | None:
    """The furthest the item has been escalated: its latest slip (提醒/催办/警告/移交单) with number and date."""
    slip = last_slip(item.log)
    return escalation_of(slip, words.entry) if slip else None


def escalation_of(slip: tuple, entry: Callable[[str], str]) -> dict:
    kind, number, day, shown, suffix = slip
    return {"kind": kind, "number": number, "date": iso(day), "label": f"{entry(kind)} {shown}".strip() + suffix}


def summary_rows(ledger, summaries) -> list[dict]:
    """What the 台账's table needs of items settled by the day asked for, from the cache's columns
    (:class:`duban.store.ledger.Summary`): the keys of :func:`item_view` that ``list``'s cells, order and
    status filter read, with the values item_view gives a settled item."""
    words = ledger.pack.words
    tier_short, status, unit, entry = map(cache, (words.tier_short, words.status, ledger.unit_name, words.entry))
    return [
        {
            "id": s.id,
            "title": s.title,
            "tier": s.tier,
            "tier_short": tier_short(s.tier),
            "lead": s.lead,
            "lead_name": unit(s.lead),
            "deadline": s.deadline,
            "status": s.status,
            "status_label": status(s.status),
            "overdue": False,
            "days_overdue": 0,
            "days_left": None,
            "extended": s.extended,
            "escalation": escalation_of(s.slip, entry) if s.slip else None,
            "light": "",
        }
        for s in summaries
    ]


def slips_text(item: Item, words) -> str:
    """Every slip issued, in order: 工作提醒单 2026-1（09-22）；督查工作警告单 2026-2（10-08）."""
    return "；".join(
        f"{words.entry(ev['kind'])} {ev.get('number', '')}（{_md(ev.get('date'))}）" for ev in live_slips(item.log)
    )


def latest_report(item: Item) -> dict | None:
    reports = [ev for ev in item.log if ev.get("kind") == "report"]
    return reports[-1] if reports else None


def _md(d) -> str:
    return d.strftime("%m-%d") if isinstance(d, date) else str(d or "")


def _lapse(lapse: str | None) -> str:
    kind, _, what = (lapse or "").partition(":")
    return {"deadline": f"逾期未办结（期限 {what}）", "report": f"{what} 应报未报"}.get(kind, "")


def history_sentence(ev: dict, words, unit_name) -> str:
    """One log entry as the clerk would say it (``show``): no internal keys, no ``True``, no ``['cgj']``."""
    kind = ev.get("kind", "")
    unit = unit_name(ev["unit"]) if ev.get("unit") else ""
    word = words.entry(kind)
    if kind == "issued":
        s = word
    elif kind == "report":
        s = f"{unit}报送{'办结报告' if ev.get('final') else '进展报告'}"
        figures = [
            f"完成 {ev['percent']}%" if ev.get("percent") is not None else "",
            f"已完成投资额 {ev['investment']}" if ev.get("investment") else "",
            f"已完成工程量 {ev['work']}" if ev.get("work") else "",
        ]
        if any(figures):
            s += "（" + "，".join(f for f in figures if f) + "）"
        if ev.get("text"):
            s += f"：{str(ev['text']).strip()}"
        if ev.get("attachments"):
            s += f"（附件 {len(ev['attachments'])} 个）"
    elif kind == "review":
        if ev.get("result") == "accepted":
            s = "审核通过，办结"
        else:
            s = "审核退办，重办" + (f"，重办期限 {iso(ev['due'])}" if ev.get("due") else "")
        if ev.get("reason"):
            s += f"；意见：{ev['reason']}"
    elif kind == "extension":
        s = f"延期至 {iso(ev.get('to'))}"
        more = [
            f"理由：{ev['reason']}" if ev.get("reason") else "",
            f"{ev['approved_by']}批准" if ev.get("approved_by") else "",
            f"{iso(ev['requested'])} 申请" if ev.get("requested") else "",
        ]
        if any(more):
            s += "（" + "，".join(m for m in more if m) + "）"
    elif kind == "transfer_back":
        s = f"{unit}提出退回（不属本单位职责）" + (f"：{ev['reason']}" if ev.get("reason") else "")
    elif kind == "reassign":
        s = f"改派主办单位为{unit_name(ev.get('lead', ''))}"
        if ev.get("co"):
            s += "，协办单位" + "、".join(unit_name(u) for u in ev["co"])
        if ev.get("deadline"):
            s += f"，期限 {iso(ev['deadline'])}"
    elif kind == "instruction":
        s = f"{ev.get('by_whom') or '领导'}新批示：{ev.get('text', '')}"
        if ev.get("deadline"):
            s += f"，新期限 {iso(ev['deadline'])}"
    elif kind in ("lookback_done", "close"):
        s = word + (f"：{ev['text']}" if ev.get("text") else "")
    elif kind == "due_soon":
        s = f"{word}（期限 {iso(ev.get('deadline'))}）"
    elif kind == "report_due":
        s = f"{word}（{unit}应于 {iso(ev.get('due'))} 报送）"
    elif kind == "lookback":
        s = f"{word}（应于 {iso(ev.get('due'))} 回头望）"
    elif kind in SLIP_KINDS:
        s = f"发出{word} {ev.get('number', '')}"
        if ev.get("status") == "proposed":
            s += "（建议，待区政府决定）"
        why = _lapse(ev.get("lapse")) or ev.get("reason", "")
        s += "".join(
            part
            for part in (
                f"，致{unit}" if unit else "",
                f"，事由：{why}" if why else "",
                f"，要求 {_md(ev['answer_by'])} 前答复" if ev.get("answer_by") else "",
            )
        )
    elif kind == "referral_decision":
        s = f"区政府{'批准' if ev.get('decision') == 'approved' else '不批准'}移交建议 {ev.get('number', '')}".rstrip()
        if ev.get("text"):
            s += f"：{ev['text']}"
    elif kind == "consequence":
        s = f"{word}：{ev.get('action') or ev.get('rule', '')}" + (f"（{unit}）" if unit else "")
        if ev.get("count"):
            s += f"，第 {ev['count']} 次"
    elif kind == "amendment":

        def shown(key: str, value) -> str:
            if key == "co":
                return "、".join(unit_name(u) for u in value or []) or "无"
            return str(value) if value not in (None, "") else "（空）"

        parts = [
            f"{AMENDABLE_LABELS.get(k, k)} {shown(k, c.get('old'))} → {shown(k, c.get('new'))}"
            for k, c in (ev.get("changes") or {}).items()
            if isinstance(c, dict)
        ]
        s = f"{word}：" + "；".join(parts) + (f"；理由：{ev['reason']}" if ev.get("reason") else "")
        if ev.get("deadline"):
            s += f"；期限按规则重算为 {iso(ev['deadline'])}"
    elif kind == "withdrawal":
        s = word + (f"：{ev['reason']}" if ev.get("reason") else "")
    elif kind == "void":
        what = words.entry(ev.get("of", ""))
        s = f"{word}{what} {ev.get('number', '')}".rstrip() + (f"：{ev['reason']}" if ev.get("reason") else "")
    else:
        rest = "；".join(f"{v}" for k, v in ev.items() if k not in ("date", "kind") and v not in (None, ""))
        s = word + (f"：{rest}" if rest else "")
    if ev.get("by"):
        s += f"（经办：{ev['by']}）"
    if ev.get("note"):
        s += f"（备注：{ev['note']}）"
    return s
