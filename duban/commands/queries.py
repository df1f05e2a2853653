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


IN_HAND = ("open", "reported", "returned", "transferred")  # what ``duban list`` shows by default


@dataclass(frozen=True)
class Filters:
    """``duban list``'s filters; empty ones do not filter, several values of one filter are alternatives.

    Without ``--all`` or a status, only the items in hand are listed.
    """

    status: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    overdue: bool = False
    due_within: int | None = None
    all: bool = False
    leader: str | None = None
    text: str | None = None

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.status or (() if self.all else IN_HAND)

    def scope(self, today: date) -> Scope | None:
        """Only the items not yet settled, unless settled ones can match."""
        settled = (not self.statuses or any(s in SETTLED for s in self.statuses)) and not (
            self.overdue or self.due_within is not None
        )
        return None if settled else Scope(live_on=today)

    def keep_item(self, item) -> bool:
        """What the item's own fields decide (cheap: before its state is derived)."""
        if self.tier and item.tier not in self.tier or self.category and item.category not in self.category:
            return False
        if self.leader and self.leader not in (getattr(item, "leader", "") or ""):
            return False
        return not self.text or any(
            self.text in (f or "") for f in (item.title, item.requirement, item.basis, item.ref)
        )

    def keep(self, v: dict) -> bool:
        """What the item's view decides."""
        if self.unit and v["lead"] not in self.unit and not set(self.unit) & set(v["co"]):
            return False
        if self.statuses and v["status"] not in self.statuses or self.overdue and not v["overdue"]:
            return False
        return self.due_within is None or (
            v["status"] in ACTIVE and v["days_left"] is not None and 0 <= v["days_left"] <= self.due_within
        )


def urgency(v: dict) -> tuple:
    """Most urgent first: overdue (longest first), then by days left; then what waits on the office; settled last."""
    rank = 0 if v["status"] in ACTIVE else 1 if v["status"] in IN_HAND else 2
    left = v["days_left"] if v["days_left"] is not None else 10**6
    return rank, left, v["deadline"] or "9999", v["id"]


def list_items(root: Path, filters: Filters, today: date) -> tuple[Ledger, list[dict]]:
    """The 台账: item views matching ``filters``, most urgent first."""
    unknown = [s for s in filters.status if s not in STATUSES]
    if unknown:
        from duban.core.vocabulary import DEFAULT_WORDS

        raise DubanError(
            f"未知的状态 “{unknown[0]}”；可用: " + "、".join(f"{k}（{DEFAULT_WORDS.status(k)}）" for k in STATUSES)
        )
    ledger = load(root, scope=filters.scope(today))
    views = (item_view(ledger, item, today, full=False) for item in ledger.items.values() if filters.keep_item(item))
    rows = [v for v in views if filters.keep(v)]
    rows.sort(key=urgency)
    return ledger, rows


def show_item(root: Path, item_id: str, today: date) -> tuple[Ledger, dict]:
    ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
    return ledger, item_view(ledger, ledger.item(item_id), today)


def default_pack():
    """The rule pack shipped with duban (for ``calendar`` and ``rules`` run outside a ledger)."""
    from duban.store.data import rules_dir
    from duban.store.packs import load_pack

    pack, _problems = load_pack(rules_dir(), "rules")
    return pack


def calendar_days(root: Path | None, args: list[str], today: date) -> tuple[date, date, bool, list[dict]]:
    """Days of a span (nothing: this year; a year; two dates); for a whole year only holidays and 调休 days.
    Outside a ledger (``root`` None) the shipped pack's calendar."""
    pack = load(root, only_config=True).pack if root is not None else default_pack()
    cal, words = pack.calendar, pack.words
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
