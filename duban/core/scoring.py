"""Unit scores for an assessment period, from the pack's scoring table.

One pipeline of pure functions:

* :func:`occurrences` turns item logs and unit events into dated facts —
  "unit U, as lead of item X, let a deadline lapse on D" — each carrying the
  role, tier, category and level a rule may look at;
* :func:`score` matches every rule of ``scoring.yaml`` against them, counts
  per unit and year where a rule asks for a count, applies the pack's
  per-item convention and caps, and returns one :class:`UnitScore` per unit,
  each delta naming its rule and clause.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from duban.core.calendar import UnknownYear
from duban.core.errors import UsageError
from duban.core.model import Item
from duban.core.pack import STEPS, TRIGGERS, RulePack, ScoreRule
from duban.core.state import (
    day_closer,
    day_corrector,
    deadline_candidates,
    deadline_lapses,
    is_void,
    periodic_reports,
    replay,
    voided,
)

ONE = timedelta(days=1)
QUARTER_NAMES = "一二三四"


# ------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.quarter - 1) + 1, 1) if self.quarter else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if not self.quarter or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - ONE

    @property
    def label(self) -> str:
        return f"{self.year}年第{QUARTER_NAMES[self.quarter - 1]}季度" if self.quarter else f"{self.year}年度"

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    def as_json(self) -> dict:
        return {"code": self.code, "label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


PERIOD_RE = re.compile(r"^(?:(\d{4})[-\s]?)?[Qq]([1-4])$|^(\d{4})$")


def counts_from(year: int) -> date:
    """The earliest day an item settled on may still count in a score of ``year``.

    A settled item's occurrences all fall on or before the day after it settled (a missed periodic
    report counts from the day after it was due); counts, flags and zeroing are per year.
    """
    return date(year, 1, 1) - timedelta(days=7)


def parse_period(text: str | None, year: int | None, today: date, default: str = "quarter") -> Period:
    """``Q2`` (with ``year`` or this year), ``2026Q2``, ``2026-Q2`` or ``2026``; none: the period of ``today``."""
    if not text:
        return Period(year or today.year, (today.month - 1) // 3 + 1 if default == "quarter" else None)
    m = PERIOD_RE.match(text.strip())
    if not m:
        raise UsageError(f"考核期 “{text}” 看不懂：应为 Q1…Q4（可加 --year 2026）、2026Q2 或整年 2026")
    if m.group(3):
        return Period(int(m.group(3)))
    written = int(m.group(1)) if m.group(1) else None
    if written and year and written != year:
        raise UsageError(f"考核期 {text} 与 --year {year} 不一致")
    return Period(written or year or today.year, int(m.group(2)))


# --------------------------------------------------------------- occurrences


class Occurrence(NamedTuple):
    """One dated fact a scoring rule may count (a named tuple: tens of thousands are made for a year's scores,
    a fifth of the time of a frozen dataclass)."""

    on: str  # a key of rules.TRIGGERS
    arg: str  # the slip step, event kind or consequence id
    date: date
    unit: str
    role: str  # lead | co
    item: str = ""
    tier: str = ""
    category: str = ""
    level: str = ""
    late: tuple[dt.date, dt.date] | None = None  # first and last late day, for ``per: day``
    silent: bool = False  # an overdue lapse with no report from this unit itself before the deadline
    ref: str = ""  # the unit event's id, or the slip's number


def item_occurrences(item: Item, pack: RulePack, today: date) -> list[Occurrence]:
    """What one item's log says about its units, up to ``today``.

    A withdrawn item (撤销立项) says nothing; voided slips and consequences count for nothing; the tier
    and category are those in effect on the day of each occurrence (corrections by ``amendment``)."""
    closed = day_closer(item)
    if item.forward or closed(date.max).status == "withdrawn":
        return []
    corrected = day_corrector(item)
    gone = voided(item.log)
    out: list[Occurrence] = []

    def add(
        on: str,
        day: date,
        units=None,
        arg: str = "",
        late=None,
        ref: str = "",
        at: date | None = None,
        silent: frozenset = frozenset(),
    ):
        st = closed(at or day)
        then = corrected(day)
        for unit in units or [st.lead, *st.co]:
            out.append(
                Occurrence(
                    on,
                    arg,
                    day,
                    unit,
                    "lead" if unit == st.lead else "co",
                    item.id,
                    then.tier,
                    then.category,
                    late=late,
                    ref=ref,
                    silent=unit in silent,
                )
            )

    lapses = deadline_lapses(item, today, closed)
    for lapse in lapses:
        start, end = lapse.late_days(today)
        st = closed(lapse.deadline)
        spoke = {
            ev.get("unit")
            for ev in item.log
            if ev.get("kind") == "report" and st.active_since <= ev["date"] <= lapse.deadline
        }
        silent = frozenset(u for u in [st.lead, *st.co] if u not in spoke)  # each unit's own reports
        add("overdue", start, late=(start, end), at=lapse.deadline, silent=silent)

    invalid = {i for i, _ in closed(today).invalid}
    for i, ev in enumerate(item.log):
        day, kind = ev.get("date"), ev.get("kind")
        if not isinstance(day, date) or day > today or i in invalid or is_void(ev, gone):
            continue
        if kind == "review" and ev.get("result") == "accepted":
            st = closed(day)
            reported = st.reported_on or day
            late = any(st.active_since <= lapse.deadline < reported for lapse in lapses)
            # scored when the unit finished (its final report), unless the pack dates it by the review
            add("done_late" if late else "done_on_time", day if pack.scoring.done_on == "review" else reported, at=day)
        elif kind == "review" and ev.get("result") == "returned":
            add("returned", day)
        elif kind in STEPS:
            add("slip", day, units=[ev.get("unit") or closed(day).lead], arg=kind, ref=str(ev.get("number") or ""))
        elif kind == "consequence":
            add("consequence", day, units=[ev.get("unit") or closed(day).lead], arg=str(ev.get("rule", "")))

    for p in periodic_reports(item, pack, today, closed(today)):
        if p.on_time or p.due >= today:
            continue
        lead = closed(p.due).lead
        answered = min(
            (
                ev["date"]
                for ev in item.log
                if ev.get("kind") == "report" and ev.get("unit") == lead and p.due < ev["date"] <= today
            ),
            default=None,
        )
        add("report_late", p.due + ONE, late=(p.due + ONE, answered or today), at=p.due)
    return out


def fixed_occurrences(item: Item, pack: RulePack) -> tuple[date, list[Occurrence]] | None:
    """A settled item's occurrences on every day from the first returned on, or None when that is not provable.

    Past ``F``, the day after the day after the latest date the item names (its issue, every record's date and
    recorded date, every date that may have been its deadline, its final report), :func:`item_occurrences` no
    longer depends on the day ``today`` it is asked for, for a settled item (:func:`duban.state.settled_on`):

    * every comparison of ``today`` with a date of the item (``d >= today``, ``day > today``, ``ev["date"] <=
      today``, ``p.due >= today``) comes out the same, as all those dates are before ``F``; ``closed(today)`` is
      the state at the end of the log;
    * a lapse's end and a missed periodic report's answer are record dates, or ``today`` when there is none:
      an occurrence whose last late day is ``F`` itself is such a one, and makes the item not provably fixed;
    * the periodic reports due end at the day before the deadline, or, for a follow-up cadence, at ``today`` —
      cut at the final report (``reported_on``): so a settled item that is neither withdrawn nor forwarded must
      have a final report for its dues to be fixed (a closed item always has one: 销号 follows an accepted review
      of a final report, and only a return or a new instruction, which leave the closed status, clear it).

    The pack's rules and calendar are the other input: whoever keeps the result keys it on the pack."""
    from duban.core.state import settled_on

    if settled_on(item) is None:
        return None
    end = replay(item)
    dates = [
        item.issued,
        *deadline_candidates(item),
        *(d for ev in item.log for k in ("date", "recorded") if isinstance(d := ev.get(k), date)),
    ]
    if end.reported_on is not None:
        dates.append(end.reported_on)
    elif not item.forward and end.status != "withdrawn":
        return None
    day = max(dates) + 2 * ONE
    out = item_occurrences(item, pack, day)
    if any(o.late and o.late[1] >= day for o in out):
        return None
    return day, out


def event_occurrences(ledger, today: date) -> list[Occurrence]:
    """Unit events (duban event) and the consequences their counts triggered."""
    out = []
    for e in ledger.events:
        if e.date > today:
            continue
        item = ledger.items.get(e.item)
        st = replay(item, e.date) if item else None
        role = "co" if st and e.unit != st.lead and e.unit in st.co else "lead"
        on, arg = ("consequence", e.rule) if e.kind == "consequence" else ("event", e.kind)
        out.append(
            Occurrence(
                on,
                arg,
                e.date,
                e.unit,
                role,
                e.item,
                item.tier if item else "",
                item.category if item else "",
                e.level,
                ref=e.id,
            )
        )
    return out


Fixed = dict[str, tuple[date, list[Occurrence]]]  # item id → fixed_occurrences(item, pack), where not None
# item id → what score() counts of it in place of its record: on_last_day(item, …)[1:], or a window's occurrences and []
Given = dict[str, tuple[list[Occurrence], list[Occurrence]]]
DONE = ("done_on_time", "done_late")


def occurrences(ledger, today: date, fixed: Fixed | None = None, given: Given | None = None) -> list[Occurrence]:
    """Every occurrence up to ``today``; ``fixed``: settled items' occurrences known already (:func:`fixed_occurrences`),
    also of items the ledger holds no record of (those must be fixed by ``today``); ``given``: items' occurrences on
    ``today`` known already (:func:`on_last_day`, :func:`occurrences_window`), in place of their records."""
    given = given or {}
    items = [i for i in ledger.items.values() if i.id not in given]
    out = event_occurrences(ledger, today) + items_occurrences(items, ledger.pack, today, fixed)
    for item_id, (day, occs) in (fixed or {}).items():
        if item_id not in ledger.items and item_id not in given:
            assert day <= today, (item_id, day, today)
            out += occs
    for occs, _ in given.values():
        out += occs
    return sorted(out, key=occurrence_order)


def occurrence_order(o: Occurrence) -> tuple:
    return (o.date, o.unit, o.item, o.on, o.arg, o.ref)


def items_occurrences(items, pack: RulePack, today: date, fixed: Fixed | None = None) -> list[Occurrence]:
    """The occurrences of these items up to ``today`` (``fixed``: see :func:`occurrences`), unsorted."""
    out: list[Occurrence] = []
    for item in items:
        known = fixed.get(item.id) if fixed else None
        out += known[1] if known is not None and known[0] <= today else item_occurrences(item, pack, today)
    return out


def accepted_between(item: Item, start: date, end: date) -> bool:
    """Whether the log has a review accepting the work dated in (``start``, ``end``].

    Only such an item can give :func:`item_occurrences` on ``end`` a ``done_*`` occurrence dated by ``start`` that
    it does not give on ``start``: one dated by ``start`` comes from an accepted review dated by ``start`` (it is
    dated by the review or the final report before it), and everything it depends on — the state at the close of
    the review's day, the lapses before it, which entries are void or invalid — is the same on both days."""
    return any(
        ev.get("kind") == "review" and ev.get("result") == "accepted" and start < ev["date"] <= end for ev in item.log
    )


def on_last_day(item: Item, pack: RulePack, until: date) -> tuple[date, list[Occurrence], list[Occurrence]]:
    """What :func:`score` counts of an item for a period whose last day counted, ``until``, is over: its
    occurrences on ``until``, and the ``done_*`` ones dated by ``until`` that a review after it accepts; with the
    first day on which :func:`score` counts those (the day after ``until``, or the day of the item's last entry
    when a review after ``until`` accepts the work).

    From that day on, whether a review accepts the work after ``until`` (:func:`accepted_between`) no longer
    depends on ``today``, nor do the ``done_*`` occurrences of the item on ``today`` (each comes from an accepted
    review dated by ``today``, and depends on the state at the close of that day, the lapses before it and which
    entries are void or invalid, all the same on any later day): a pure function of the record, the pack and
    ``until``, which a cache may keep."""
    main = item_occurrences(item, pack, until)
    if pack.scoring.done_on != "report" or not accepted_between(item, until, date.max):
        return until + ONE, main, []
    day = max(d for ev in item.log if isinstance(d := ev.get("date"), date))
    seen = set(main)
    later = [o for o in item_occurrences(item, pack, day) if o.on in DONE and o.date <= until and o not in seen]
    return day, main, later


def occurrences_window(item: Item, pack: RulePack, today: date) -> tuple[date, list[Occurrence], tuple[int, ...]]:
    """An item's occurrences on ``today`` (:func:`item_occurrences`), with the first later day ``end`` on which
    they may differ otherwise than by the late ranges that run to the day asked for, and the positions of those
    ranges: on every day from ``today`` to the day before ``end``, the occurrences are these with those ranges
    ending on that day (:func:`on_window_day`) — a pure function of the record, the pack and ``today``, which a
    cache may keep for the days of its window (so that only the items whose occurrences may change on a day are
    replayed on it).

    Let ``end`` be the earliest of: a date the item names after ``today`` (its issue, a record's date or recorded
    date), the day after a date on or after ``today`` that may be its deadline, the day after a periodic report
    due on or after ``today`` (reckoned as if nothing were recorded meanwhile: nothing is, before ``end``), and
    the next 1 January.  On any day ``t`` from ``today`` to the day before ``end``, :func:`item_occurrences`
    compares ``t`` with the item's dates alone, and each comparison comes out as on ``today``:

    * no record is dated after ``today`` and by ``t``: the state at the close of ``t`` is that of ``today``
      (its entries that are invalid too), the entries counted (``day > t``) and each lapse's end and each
      periodic report's answer (records dated by ``t``) are those of ``today``;
    * no date that may be the deadline is on or after ``today`` and before ``t``: the lapses (deadlines before
      ``t``) are those of ``today``;
    * no report falls due on or after ``today`` and before ``t``: the missed reports counted (``due < t``) are
      those of ``today``.

    So only a late range whose end is ``t`` itself (a lapse not ended, a report not given) moves with ``t``:
    those are the occurrences whose last late day is ``today`` and the next day on the next day (the two days
    are compared; anything else that differs between them, which the above rules out, gives a window of one
    day)."""
    out = item_occurrences(item, pack, today)
    try:
        end = _window_end(item, pack, today)
    except UnknownYear:
        end = today + ONE
    if end <= today + ONE:
        return today + ONE, out, ()
    nxt = item_occurrences(item, pack, today + ONE)
    if len(nxt) != len(out):
        return today + ONE, out, ()
    running = []
    for i, (a, b) in enumerate(zip(out, nxt, strict=True)):
        if a == b:
            continue
        if a.late and a.late[1] == today and a._replace(late=(a.late[0], today + ONE)) == b:
            running.append(i)
        else:
            return today + ONE, out, ()
    return end, out, tuple(running)


def _window_end(item: Item, pack: RulePack, today: date) -> date:
    """The ``end`` of :func:`occurrences_window`."""
    named = [item.issued, *(d for ev in item.log for k in ("date", "recorded") if isinstance(d := ev.get(k), date))]
    year_end = date(today.year, 12, 31)
    return min(
        [
            year_end + ONE,
            *(d for d in named if d > today),
            *(d + ONE for d in deadline_candidates(item) if d >= today),
            *(p.due + ONE for p in periodic_reports(item, pack, today, beyond=year_end) if p.due >= today),
        ]
    )


def on_window_day(occs: list[Occurrence], running: tuple[int, ...], day: date) -> list[Occurrence]:
    """The occurrences of :func:`occurrences_window` on ``day``, a day of their window."""
    if not running:
        return occs
    occs = list(occs)
    for i in running:
        o = occs[i]
        assert o.late is not None
        occs[i] = o._replace(late=(o.late[0], day))
    return occs


# --------------------------------------------------------------------- score


@dataclass
class Delta:
    date: date
    rule: ScoreRule
    points: Decimal
    item: str = ""
    title: str = ""
    note: str = ""
    counted: bool = True

    def as_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "item": self.item or None,
            "title": self.title or None,
            "rule": self.rule.id,
            "label": rule_label(self.rule),
            "source": self.rule.source,
            "delta": number(self.points),
            "counted": self.counted,
            "note": self.note or None,
        }


@dataclass
class UnitScore:
    unit: str
    name: str
    base: Decimal
    bonus: Decimal = Decimal(0)  # after the cap
    penalty: Decimal = Decimal(0)  # after the cap, as a positive number
    score: Decimal = Decimal(0)
    rank: int = 0
    flags: list[str] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    cuts: list[str] = field(default_factory=list)  # how caps and zeroing changed the sum
    zeroed: bool = False
    tallies: dict[str, int] = field(default_factory=dict)  # rule label -> occurrences in the period (``tally``)

    def as_json(self) -> dict:
        return {
            "unit": self.unit,
            "name": self.name,
            "base": number(self.base),
            "bonus": number(self.bonus),
            "penalty": number(self.penalty),
            "score": number(self.score),
            "rank": self.rank,
            "flags": self.flags,
            "deltas": [d.as_json() for d in self.deltas if d.counted],
            "not_counted": [d.as_json() for d in self.deltas if not d.counted],
            "cuts": self.cuts,
            "tallies": self.tallies,
        }


def number(x: Decimal) -> int | float:
    return int(x) if x == x.to_integral_value() else float(x)


def plain(x) -> str:
    """A Decimal without trailing zeros (80, 1.5); anything else as text."""
    return format(x.normalize(), "f") if isinstance(x, Decimal) else str(x)


def points_text(x: Decimal) -> str:
    return plain(x) if x <= 0 else "+" + plain(x)


def rule_label(rule: ScoreRule) -> str:
    return rule.label or TRIGGERS[rule.on]


def matches(rule: ScoreRule, o: Occurrence) -> bool:
    return (
        rule.on == o.on
        and (not rule.arg or rule.arg == o.arg)
        and (not rule.categories or o.category in rule.categories)
        and (not rule.tiers or o.tier in rule.tiers)
        and (not rule.roles or o.role in rule.roles)
        and (not rule.silent or o.silent)
    )


def score(
    ledger,
    period: Period,
    today: date,
    fixed: Fixed | None = None,
    titles: dict[str, str] | None = None,
    given: Given | None = None,
) -> list[UnitScore]:
    """Every unit's score for ``period``, counting what happened up to ``today`` (``fixed``: see :func:`occurrences`;
    ``titles``: those of the items in ``fixed`` or ``given`` the ledger holds no record of; ``given``: what is counted
    of these items in place of their records: :func:`on_last_day` for the period's last day counted, or their
    occurrences on ``today`` from :func:`occurrences_window` with no later completions)."""
    scoring = ledger.pack.scoring
    given = given or {}
    until = min(period.end, today)
    occs = occurrences(ledger, until, fixed, given)
    if today > until and scoring.done_on == "report":  # finished in the period, accepted after it (a later review)
        seen = set(occs)
        later = [i for i in ledger.items.values() if i.id not in given and accepted_between(i, until, today)]
        occs += sorted(
            [
                *(
                    o
                    for o in items_occurrences(later, ledger.pack, today, fixed)
                    if o.on in DONE and o.date <= until and o not in seen
                ),
                *(o for _, done in given.values() for o in done),
            ],
            key=occurrence_order,
        )
    titles = {**(titles or {}), **{i.id: i.title for i in ledger.items.values()}}
    units = {u: UnitScore(u, ledger.unit_name(u), scoring.base) for u in ledger.units}
    for o in occs:
        units.setdefault(o.unit, UnitScore(o.unit, ledger.unit_name(o.unit), scoring.base))

    by_on: dict[str, list[Occurrence]] = {}  # in their order: a rule matches only occurrences of its ``on``
    for o in occs:
        by_on.setdefault(o.on, []).append(o)
    for rule in scoring.rules:
        counts: dict[tuple[str, int], int] = {}
        for o in by_on.get(rule.on, []):
            if not matches(rule, o):
                continue
            key = (o.unit, o.date.year)
            counts[key] = counts.get(key, 0) + 1
            if not rule.fires(counts[key]):
                continue
            us = units[o.unit]
            in_period = period.start <= o.date <= until
            in_year = o.date.year == period.year and o.date <= until
            if rule.flag and (in_period or (rule.lasts == "year" and in_year)) and rule.flag not in us.flags:
                us.flags.append(rule.flag)
            if rule.zero and in_year and not us.zeroed:
                us.zeroed = True
                us.cuts.append(f"{o.date} 起本年度评分为 0（{rule.id}，{rule.source}）")
            if rule.tally:
                if in_period:
                    us.tallies[rule_label(rule)] = us.tallies.get(rule_label(rule), 0) + 1
                continue
            pts = rule.points(o.role, o.tier, o.level)
            if pts is None or pts == 0:
                continue
            note = f"第 {counts[key]} 次" if rule.at else ""
            if rule.per == "day" and o.late:
                first, last = max(o.late[0], period.start), min(o.late[1], until)
                days = (last - first).days + 1
                if days <= 0:
                    continue
                note = f"逾期 {days} 天（{first}～{last}）"
                pts *= days
            elif not in_period:
                continue
            us.deltas.append(Delta(o.date, rule, pts, o.item, titles.get(o.item, ""), note))

    for us in units.values():
        us.deltas.sort(key=lambda d: (d.date, d.item, d.rule.id))
        if scoring.per_item != "all":
            _merge_per_item(us.deltas, scoring.per_item)
        _total(us, scoring)
    return _ranked(list(units.values()), list(ledger.units))


def _merge_per_item(deltas: list[Delta], mode: str) -> None:
    """The pack's 单项不重复计分 convention: ``once`` per rule, or only the ``highest`` bonus and deduction."""
    groups: dict[tuple, list[Delta]] = {}
    for d in deltas:
        if d.item and not d.rule.each_time:
            sign = d.points > 0
            groups.setdefault((d.item, sign) if mode == "highest" else (d.item, d.rule.id), []).append(d)
    for group in groups.values():
        keep = max(group, key=lambda d: abs(d.points))  # the first of equals: the earliest
        for d in group:
            if d is not keep:
                d.counted = False
                d.note = (d.note + "；" if d.note else "") + (
                    "单项不重复计分，取最高分" if mode == "highest" else "单项不重复计分"
                )


def _total(us: UnitScore, scoring) -> None:
    src = f"（{scoring.source}）" if scoring.source else ""

    def capped(value: Decimal, cap: Decimal | None, what: str, limit: str) -> Decimal:
        if cap is None or value <= cap:
            return value
        us.cuts.append(f"{what} {plain(value)} 超过{limit} {plain(cap)}，按 {plain(cap)} 计{src}")
        return cap

    bonus = capped(
        sum((d.points for d in us.deltas if d.counted and d.points > 0), Decimal(0)), scoring.cap_bonus, "加分", "上限"
    )
    penalty = capped(
        -sum((d.points for d in us.deltas if d.counted and d.points < 0), Decimal(0)),
        scoring.cap_penalty,
        "减分",
        "上限",
    )
    total = capped(us.base + bonus - penalty, scoring.cap_score, "合计", "最高分")
    us.bonus, us.penalty, us.score = bonus, penalty, Decimal(0) if us.zeroed else total
    us.flags += [f"{label} {n} 次" for label, n in us.tallies.items()]
    if us.zeroed:
        us.flags.append("本年度评分为 0")


def _ranked(scores: list[UnitScore], order: list[str]) -> list[UnitScore]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4); ties keep the units.yaml order."""
    pos = {u: i for i, u in enumerate(order)}
    scores.sort(key=lambda s: (-s.score, pos.get(s.unit, len(pos)), s.unit))
    for i, s in enumerate(scores):
        s.rank = scores[i - 1].rank if i and s.score == scores[i - 1].score else i + 1
    return scores


# ------------------------------------------------------------------- tables
# One source for the terminal table, the CSV and the workbook, so they always agree.

SCORE_HEADER = ["排名", "单位代号", "单位", "基础分", "加分", "减分", "得分", "标记"]
EXPLAIN_HEADER = ["日期", "事项", "标题", "规则", "依据", "分值", "计入", "说明"]


def score_rows(scores: list[UnitScore]) -> list[list]:
    return [[s.rank, s.unit, s.name, s.base, s.bonus, s.penalty, s.score, "、".join(s.flags)] for s in scores]


def explain_rows(us: UnitScore) -> list[list]:
    return [
        [
            str(d.date),
            d.item,
            d.title,
            f"{d.rule.id} {rule_label(d.rule)}",
            d.rule.source,
            d.points,
            "计入" if d.counted else "未计",
            d.note,
        ]
        for d in us.deltas
    ]
