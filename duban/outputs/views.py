"""What people read about items: the item view (``show``, ``list``, ``--json``), built from derived state."""

from __future__ import annotations

from datetime import date

from duban.core.errors import DubanError
from duban.core.escalation import owed_duties
from duban.core.model import Item
from duban.core.state import derive, next_lookback, periodic_reports


def iso(v):
    return v.isoformat() if isinstance(v, date) else v


def item_view(ledger, item: Item, today: date, full: bool = True) -> dict:
    pack = ledger.pack
    st = derive(item, pack, today)
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
        "path": item.path,
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
        view["log"] = [{k: iso(v) for k, v in ev.items()} for ev in item.log]
    return view
