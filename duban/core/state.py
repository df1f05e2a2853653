"""Derived state: pure functions of (item, rules, calendar, today).

Nothing here is stored.  The allowed status changes are a data table,
:data:`TRANSITIONS`; an event not allowed in the current status is a
problem (``duban check``) and is ignored by the derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from duban.core.calendar import UnknownYear
from duban.core.model import Item
from duban.core.pack import RulePack
from duban.core.vocabulary import DEFAULT_WORDS, DEFAULTS, Words

STATUSES = tuple(DEFAULTS["status"])  # open, reported, returned, transferred, done, closed, forwarded
ACTIVE = ("open", "returned")  # the unit owes work; deadlines run

_ANY_LIVE = {s: s for s in ("open", "reported", "returned", "transferred", "done")}
# action -> {from status: to status}.  Sweep actions and slips change nothing.
TRANSITIONS: dict[str, dict[str, str]] = {
    "issued": {"": "open"},
    "issued_forward": {"": "forwarded"},
    "report": {"open": "open", "returned": "returned", "reported": "reported", "done": "done"},
    "report_final": {"open": "reported", "returned": "reported"},
    "review_accepted": {"reported": "done"},
    "review_returned": {"reported": "returned"},
    "extension": {"open": "open", "returned": "returned"},
    "transfer_back": {"open": "transferred"},
    "reassign": {"transferred": "open"},
    "instruction": {"open": "open", "returned": "returned", "reported": "open", "done": "open"},
    "lookback_done": {"open": "open", "returned": "returned", "reported": "reported", "done": "done"},
    "close": {"done": "closed"},
    "referral_decision": _ANY_LIVE,
    **{
        k: _ANY_LIVE
        for k in ("due_soon", "report_due", "lookback", "reminder", "urge", "warning", "referral", "consequence")
    },
}


def action_of(item: Item, ev: dict, lead: str) -> str:
    kind = ev.get("kind", "")
    if kind == "issued":
        return "issued_forward" if item.forward else "issued"
    if kind == "report":
        return "report_final" if ev.get("final") and ev.get("unit") == lead else "report"
    if kind == "review":
        return f"review_{ev.get('result')}"
    return kind


def refusal(status: str, action: str, words: Words = DEFAULT_WORDS) -> str | None:
    """None when ``action`` is allowed in ``status``; else the reason in Chinese."""
    allowed = TRANSITIONS.get(action, {})
    if status in allowed:
        return None
    froms = "、".join(words.status(s) for s in allowed if s) or "无"
    return f"事项当前状态为“{words.status(status)}”，不能{words.action(action)}（只有在 {froms} 状态下可以）"


@dataclass
class State:
    status: str
    lead: str
    co: list[str]
    deadline: date | None
    extended: bool = False
    overdue: bool = False
    days_overdue: int = 0
    working_days_overdue: int | None = None
    days_left: int | None = None
    working_days_left: int | None = None
    due_soon: bool = False
    reported_on: date | None = None  # the lead's final report
    done_on: date | None = None
    active_since: date | None = None  # issue date, or the latest reopening
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (log index, reason)
    calendar_missing: int | None = None  # a year the calendar does not know

    @property
    def light(self) -> str:
        if self.overdue:
            return "red"
        if self.due_soon:
            return "yellow"
        return "green" if self.status in ACTIVE else ""


def replay(item: Item, today: date | None = None) -> State:
    """Fold the log (events dated up to ``today``) into status and deadline."""
    st = State(status="", lead=item.lead, co=list(item.co), deadline=item.deadline, active_since=item.issued)
    events = (
        item.log
        if item.log and item.log[0].get("kind") == "issued"
        else [{"date": item.issued, "kind": "issued"}, *item.log]
    )
    offset = 0 if events is item.log else -1
    for i, ev in enumerate(events):
        if today is not None and ev.get("date") and ev["date"] > today:
            break
        action = action_of(item, ev, st.lead)
        reason = refusal(st.status, action)
        if reason:
            if i + offset >= 0:
                st.invalid.append((i + offset, reason))
            continue
        st.status = TRANSITIONS[action][st.status]
        d = ev.get("date")
        if action == "extension":
            st.deadline, st.extended = ev["to"], True
        elif action == "review_returned" and ev.get("due"):
            st.deadline = ev["due"]
        elif action == "report_final":
            st.reported_on = d
        elif action == "review_accepted":
            st.done_on = d
        elif action == "review_returned":
            st.reported_on = None
        elif action == "reassign":
            st.lead, st.co = ev["lead"], list(ev.get("co") or [])
            if ev.get("deadline"):
                st.deadline = ev["deadline"]
            st.active_since = d
        elif action == "instruction":
            if ev.get("deadline"):
                st.deadline = ev["deadline"]
            st.reported_on = st.done_on = None
            st.active_since = d
    return st


def day_closer(item: Item):
    """A memoised ``closed(day)``: the item's state at the close of ``day`` (the issue day at the earliest)."""
    cache: dict[date, State] = {}

    def closed(day: date) -> State:
        day = max(day, item.issued)
        if day not in cache:
            cache[day] = replay(item, day)
        return cache[day]

    return closed


@dataclass(frozen=True)
class Lapse:
    """A deadline that passed while the unit still owed the work."""

    deadline: date
    resolved: date | None  # the day it ended (final report, extension, reassignment …); None: still running

    @property
    def key(self) -> str:
        return f"deadline:{self.deadline}"

    def late_days(self, today: date) -> tuple[date, date]:
        """The first and last late day: the day after the deadline up to the day it ended (or today)."""
        return self.deadline + timedelta(days=1), self.resolved or today


def deadline_candidates(item: Item) -> list[date]:
    """Every date that may have been the item's deadline: the first one, extensions, redo and reassignment dates."""
    return sorted(
        {
            d
            for d in [item.deadline, *(ev.get(k) for ev in item.log for k in ("to", "due", "deadline"))]
            if isinstance(d, date)
        }
    )


def deadline_lapses(item: Item, today: date, closed=None) -> list[Lapse]:
    """Deadlines D before ``today`` such that at the close of D the item was still owed with deadline D."""
    if item.forward:
        return []
    closed = closed or day_closer(item)
    days = sorted({ev["date"] for ev in item.log if isinstance(ev.get("date"), date)})
    out = []
    for d in deadline_candidates(item):
        if d >= today:
            continue
        st = closed(d)
        if st.status not in ACTIVE or st.deadline != d:
            continue
        resolved = next(
            (e for e in days if d < e <= today and not (closed(e).status in ACTIVE and closed(e).deadline == d)), None
        )
        out.append(Lapse(d, resolved))
    return out


def settled_on(item: Item) -> date | None:
    """The day from which nothing about the item changes with time, or None while it is in hand.

    An item is settled once it is struck off (销号) or was only forwarded (转阅) and no referral
    proposal waits for a decision: from the day of its last record on, no sweep writes to it, it is
    never overdue, and no score of a later year counts anything of it.  The cache and the commands
    that follow open items rather than history rely on this.
    """
    st = replay(item)
    if st.status not in ("closed", "forwarded") or open_referrals(item.log):
        return None
    return last_day(item)


def last_day(item: Item) -> date:
    """The day of the item's last record (its issue at the least): on any day from then on, its replayed status
    and deadline are those at the end of its log."""
    return max([item.issued, *(ev["date"] for ev in item.log if isinstance(ev.get("date"), date))])


def derive(item: Item, pack: RulePack, today: date) -> State:
    st = replay(item, today)
    if st.status not in ACTIVE or st.deadline is None:
        return st
    cal = pack.calendar
    st.days_left = (st.deadline - today).days
    st.overdue = st.days_left < 0
    st.days_overdue = max(0, -st.days_left)
    try:
        wd = cal.working_days_between(today, st.deadline)
        st.working_days_left = wd
        st.working_days_overdue = max(0, -wd)
        lead = pack.process.due_soon
        if lead and not st.overdue:
            st.due_soon = (wd if lead.kind == "working_days" else st.days_left) <= lead.n
    except UnknownYear as e:
        st.calendar_missing = e.year
    return st


def open_referrals(log: list[dict]) -> list[dict]:
    """Proposed 追责问效移交 slips that still wait for the government's decision."""
    decided = {ev.get("number") for ev in log if ev.get("kind") == "referral_decision"}
    return [ev for ev in log if ev.get("kind") == "referral" and ev.get("number") not in decided]


# ------------------------------------------------------------------ schedule


def initial_deadline(pack: RulePack, category: str, tier: str, issued: date) -> date | None:
    """The deadline the rules give at issue time; None when the clerk sets it."""
    rule = pack.rule(category, tier).deadline
    return None if rule.kind == "clerk" else rule.apply(pack.calendar, issued)


def max_deadline(pack: RulePack, item: Item) -> date | None:
    rule = pack.rule(item.category, item.tier).max
    return rule.apply(pack.calendar, item.issued) if rule else None


@dataclass(frozen=True)
class PeriodicDue:
    due: date
    reported_on: date | None  # the lead's first report in (previous due, due]; None: 缺报

    @property
    def on_time(self) -> bool:
        return self.reported_on is not None


def periodic_reports(item: Item, pack: RulePack, today: date, st: State | None = None) -> list[PeriodicDue]:
    """The periodic reports due so far (strictly before the deadline), each with its report."""
    rule = pack.rule(item.category, item.tier)
    st = st or replay(item, today)
    if rule.cadence is None or item.forward or st.deadline is None:
        return []
    start = st.active_since or item.issued
    until = min(today, st.deadline - timedelta(days=1))
    if st.reported_on:
        until = min(until, st.reported_on)
    reports = sorted(
        ev["date"]
        for ev in item.log
        if ev.get("kind") == "report" and ev.get("unit") == st.lead and ev["date"] <= today
    )
    out, prev = [], start
    for due in rule.cadence.dates(pack.calendar, start, until):
        out.append(PeriodicDue(due, next((d for d in reports if prev < d <= due), None)))
        prev = due
    return out


def next_lookback(item: Item, pack: RulePack, today: date) -> date | None:
    rule = pack.rule(item.category, item.tier)
    if rule.lookback is None:
        return None
    k = 1
    while True:
        d = rule.lookback.nth(pack.calendar, item.issued, k)
        if d > today:
            return d
        k += 1


def extension_cutoff(pack: RulePack, deadline: date) -> date | None:
    """The last day on which an extension may be requested, per the pack."""
    rule = pack.process.extension_cutoff
    if rule is None:
        return None
    if rule.kind == "before_deadline":
        return deadline - timedelta(days=1)
    return pack.calendar.sub_working_days(deadline, rule.n)
