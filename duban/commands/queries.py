"""The read commands as library functions: the 台账 filtered, one item, the
working-day calendar, the rule pack, the quarter's scores.  Each loads only
the items it can concern and returns data; the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from duban.commands.clock import span
from duban.core.errors import DubanError
from duban.core.scoring import Period, UnitScore, counts_from, parse_period, score
from duban.core.state import ACTIVE, STATUSES
from duban.outputs.views import item_view
from duban.store.ledger import Ledger, Scope, load, normalize_id

SETTLED = ("closed", "forwarded")


@dataclass(frozen=True)
class Filters:
    """``duban list``'s filters; empty ones do not filter."""

    status: str | None = None
    unit: str | None = None
    tier: str | None = None
    category: str | None = None
    overdue: bool = False
    due_within: int | None = None

    def scope(self, today: date) -> Scope | None:
        """Only the items in hand, unless settled ones can match; only those that can be overdue with --overdue."""
        settled = self.status in SETTLED or not (self.status or self.overdue or self.due_within is not None)
        if settled:
            return None
        return Scope(overdue_on=today) if self.overdue else Scope(live_on=today)

    def keep_item(self, item) -> bool:
        """What the item's own fields decide (cheap: before its state is derived)."""
        return not (self.tier and item.tier != self.tier or self.category and item.category != self.category)

    def keep(self, v: dict) -> bool:
        """What the item's view decides."""
        if self.unit and self.unit != v["lead"] and self.unit not in v["co"]:
            return False
        if self.status and v["status"] != self.status or self.overdue and not v["overdue"]:
            return False
        return self.due_within is None or (
            v["status"] in ACTIVE and v["days_left"] is not None and 0 <= v["days_left"] <= self.due_within
        )


def list_items(root: Path, filters: Filters, today: date) -> tuple[Ledger, list[dict]]:
    """The 台账: item views matching ``filters``, by deadline then id."""
    if filters.status and filters.status not in STATUSES:
        from duban.core.vocabulary import DEFAULT_WORDS

        raise DubanError(
            f"未知的状态 “{filters.status}”；可用: " + "、".join(f"{k}（{DEFAULT_WORDS.status(k)}）" for k in STATUSES)
        )
    ledger = load(root, scope=filters.scope(today))
    views = (item_view(ledger, item, today, full=False) for item in ledger.items.values() if filters.keep_item(item))
    rows = [v for v in views if filters.keep(v)]
    rows.sort(key=lambda v: (v["deadline"] or "9999", v["id"]))
    return ledger, rows


def show_item(root: Path, item_id: str, today: date) -> tuple[Ledger, dict]:
    ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
    return ledger, item_view(ledger, ledger.item(item_id), today)


def calendar_days(root: Path, args: list[str], today: date) -> tuple[date, date, bool, list[dict]]:
    """Days of a span (nothing: this year; a year; two dates); for a whole year only holidays and 调休 days."""
    ledger = load(root, only_config=True)
    cal, words = ledger.calendar, ledger.pack.words
    start, stop, whole_year = span(args, today)
    days = []
    d = start
    while d <= stop:
        kind, name = cal.kind(d)
        if not whole_year or kind in ("holiday", "adjusted_workday"):
            days.append(
                {
                    "date": d.isoformat(),
                    "weekday": "一二三四五六日"[d.weekday()],
                    "kind": kind,
                    "kind_label": words.word("day", kind),
                    "name": words.holiday(name) if name else name,
                    "workday": kind in ("workday", "adjusted_workday"),
                }
            )
        d += timedelta(days=1)
    return start, stop, whole_year, days


@dataclass
class Scores:
    ledger: Ledger
    period: Period
    scores: list[UnitScore]


def quarter_scores(root: Path, period: str | None, year: int | None, today: date, explain: str | None = None) -> Scores:
    """Every unit's score for the period (the items since the start of its year's counting)."""
    ledger = load(root, scope=Scope(since=counts_from(parse_period(period, year, today).year)))
    if not ledger.pack.scoring.rules:
        raise DubanError(
            f"规则包 {ledger.pack.name or ledger.config.rules} 没有考核计分表（{ledger.config.rules}/scoring.yaml）"
        )
    per = parse_period(period, year, today, ledger.pack.scoring.period)
    if explain and explain not in ledger.units:
        raise DubanError(f"未知的单位 “{explain}”（见 units.yaml）")
    return Scores(ledger, per, score(ledger, per, today))


def check_pack(folder: Path, shown_as: str):
    """``duban rules --check``: a pack folder loaded on its own; (pack, problems)."""
    from duban.store.packs import load_pack

    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise DubanError(f"{folder} 不是目录")
    return load_pack(folder, shown_as)


def settings(root: Path) -> Ledger:
    """The ledger's settings, units and pack, without the items."""
    return load(root, only_config=True)
