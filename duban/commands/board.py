"""``duban board``: what the leaders' board shows, as data (the page itself is :mod:`duban.outputs.board`)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from duban.commands.queries import urgency
from duban.core.errors import DubanError
from duban.core.state import IN_HAND, live_slips
from duban.outputs.views import item_view
from duban.store.ledger import Ledger, Scope, load


def board_data(root: Path, today: date) -> tuple[Ledger, dict]:
    """Counts by status (the items of this year and all still in hand) and by light, per-unit figures,
    the overdue and due-soon lists, the 台账 of items in hand, and this period's scores when the pack
    has a scoring table."""
    ledger = load(root, scope=Scope(since=date(today.year, 1, 1)))
    views = sorted((item_view(ledger, item, today, full=False) for item in ledger.items.values()), key=urgency)
    in_hand = [v for v in views if v["status"] in IN_HAND]
    words = ledger.pack.words
    units: dict[str, dict] = {}
    for v in in_hand:
        u = units.setdefault(v["lead"], {"unit": v["lead"], "name": v["lead_name"], "in_hand": 0, "overdue": 0})
        u["in_hand"] += 1
        u["overdue"] += v["overdue"]
    slips: Counter = Counter()
    for item in ledger.items.values():
        for ev in live_slips(item.log):
            if ev.get("date", today).year == today.year:
                slips[ev.get("unit") or item.lead] += 1
    period, scores = _scores(root, today)
    for uid in set(slips) | set(scores):
        units.setdefault(uid, {"unit": uid, "name": ledger.unit_name(uid), "in_hand": 0, "overdue": 0})
    for uid, u in units.items():
        u["slips"] = slips.get(uid, 0)
        u["score"] = scores.get(uid)
    status_counts = Counter(v["status"] for v in views)
    return ledger, {
        "office": ledger.config.office or ledger.config.short,
        "today": today.isoformat(),
        "status": [{"status": s, "label": words.status(s), "count": status_counts[s]} for s in words.section("status")],
        "light": {k: sum(v["light"] == k for v in in_hand) for k in ("red", "yellow", "green")},
        "in_hand": len(in_hand),
        "units": sorted(units.values(), key=lambda u: (-u["overdue"], -u["in_hand"], u["unit"])),
        "overdue": [v for v in in_hand if v["overdue"]],
        "due_soon": [v for v in in_hand if v["due_soon"]],
        "items": in_hand,
        "scores_period": period,
    }


def _scores(root: Path, today: date) -> tuple[str, dict]:
    """This period's label and unit -> score; nothing when the pack has no scoring table."""
    from duban.commands.queries import quarter_scores
    from duban.core.scoring import number

    try:
        res = quarter_scores(root, None, None, today)
    except DubanError:
        return "", {}
    return res.period.label, {s.unit: number(s.score) for s in res.scores}
