"""``duban list`` (in hand, or ``--overdue``) and ``duban show`` from the item views kept in the cache
(:mod:`duban.store.views`), with the standard library alone: nothing of duban.core is imported.  None
whenever they cannot serve; the command then runs the full way (:mod:`duban.commands.queries`), which stores
the views again."""

from __future__ import annotations

from duban.store.stamps import find_root
from duban.store.views import ACTIVE, Clean

IN_HAND = (
    "open",
    "returned",
    "reported",
    "transferred",
)  # duban.core.state.IN_HAND, for the quick way (a test compares)


def urgency(v: dict) -> tuple:
    """The 台账's order: most urgent first: overdue (longest first), then by days left; then what waits on the
    office; settled last."""
    rank = 0 if v["status"] in ACTIVE else 1 if v["status"] in IN_HAND else 2
    left = v["days_left"] if v["days_left"] is not None else 10**6
    return rank, left, v["deadline"] or "9999", v["id"]


def _clean(given_root: str | None) -> Clean | None:
    """The ledger found from ``--ledger`` (or as the full way finds it), if it is as at its last clean load."""
    root = find_root(given_root)
    return Clean.open(root) if root is not None else None


def serve_list(given_root: str | None, given_day: str | None, overdue: bool, table: bool) -> list[dict] | None:
    """``duban list`` (in hand, or ``--overdue``) from the stored views; None when they cannot serve."""
    clean = _clean(given_root)
    if clean is None:
        return None
    try:
        day = clean.today(given_day)
        # the items Scope(live_on=day) / Scope(overdue_on=day) loads (duban.store.ledger.Scope)
        where = "(f.settled = 0 OR f.settled > ?)"
        args: tuple = (day.toordinal(),)
        if overdue:
            where += f" AND (f.horizon > ? OR (f.status IN ({', '.join('?' * len(ACTIVE))}) AND f.deadline < ?))"
            args += (day.toordinal(), *ACTIVE, day.isoformat())
        views = clean.views("list", where, args, day, table)
    finally:
        clean.close()
    if views is None:
        return None
    rows = [v for v in views if v["status"] in IN_HAND and (v["overdue"] or not overdue)]
    rows.sort(key=urgency)
    return rows


def serve_show(given_root: str | None, given_day: str | None, item_id: str) -> dict | None:
    """``duban show ITEM`` from its stored view; None when it cannot serve."""
    item_id = item_id.strip()
    year, _, number = item_id.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(number) >= 4 and number.isdigit() and item_id.isascii()):
        return None
    clean = _clean(given_root)
    if clean is None:
        return None
    try:
        day = clean.today(given_day)
        views = clean.views("show", "f.folder = ? AND f.name = ?", (f"items/{year}", f"{item_id}.yaml"), day, False)
    finally:
        clean.close()
    return views[0] if views and len(views) == 1 else None
