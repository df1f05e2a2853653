"""Derived state: pure functions of (item, rules, calendar, today).

Nothing here is stored.  The allowed status changes are a data table,
:data:`TRANSITIONS`; an event not allowed in the current status is a
problem (``duban check``) and is ignored by the derivation.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from duban.core.calendar import UnknownYear
from duban.core.entries import AMENDABLE, SLIP_KINDS, effective_order, recorded_on
from duban.core.model import Item
from duban.core.pack import CategoryRule, RulePack
from duban.core.vocabulary import DEFAULT_WORDS, DEFAULTS, Words

STATUSES = tuple(DEFAULTS["status"])  # open, reported, returned, transferred, done, closed, forwarded, withdrawn
ACTIVE = ("open", "returned")  # the unit owes work; deadlines run
IN_HAND = (*ACTIVE, "reported", "transferred")  # in hand: a unit owes or awaits something (the default 台账)
SETTLED = ("closed", "forwarded", "withdrawn")  # nothing changes with time any more

_ANY_LIVE = {s: s for s in ("open", "reported", "returned", "transferred", "done")}
_ANY = {s: s for s in (*_ANY_LIVE, "closed", "forwarded")}
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
    "reassign": {"open": "open", "returned": "open", "transferred": "open"},
    "instruction": {"open": "open", "returned": "returned", "reported": "open", "done": "open"},
    "lookback_done": {"open": "open", "returned": "returned", "reported": "reported", "done": "done"},
    "close": {"done": "closed"},
    "referral_decision": _ANY_LIVE,
    "amendment": _ANY,
    "withdrawal": {s: "withdrawn" for s in _ANY if s != "closed"},
    "void": _ANY,
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


def replay(item: Item, today: date | None = None, words: Words = DEFAULT_WORDS, order=None) -> State:
    """Fold the log (events dated up to ``today``, in effective-date order) into status and deadline.

    ``order``: :func:`events_of` the item, when the caller replays it many times."""
    st = _start(item)
    for i, ev in order or events_of(item):
        if today is None or ev["date"] <= today:
            _step(item, st, i, ev, words)
    return st


def _start(item: Item) -> State:
    return State(status="", lead=item.lead, co=list(item.co), deadline=item.deadline, active_since=item.issued)


def _step(item: Item, st: State, i: int, ev: dict, words: Words) -> None:
    """One entry of the log folded into ``st`` (:func:`replay`)."""
    action = action_of(item, ev, st.lead)
    reason = refusal(st.status, action, words)
    if reason:
        if i >= 0:
            st.invalid.append((i, reason))
        return
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
    elif action == "amendment":
        if "co" in (ev.get("changes") or {}):
            st.co = list(ev["changes"]["co"].get("new") or [])
        if ev.get("deadline"):
            st.deadline = ev["deadline"]


def as_of(item: Item, day: date | None = None) -> Item:
    """The item with the corrections (``amendment`` entries) in effect on ``day`` (None: all of them)."""
    changes: dict[str, Any] = {
        k: c.get("new")
        for _, ev in effective_order(item.log)
        if ev.get("kind") == "amendment" and (day is None or ev["date"] <= day)
        for k, c in (ev.get("changes") or {}).items()
        if k in AMENDABLE and isinstance(c, dict)
    }
    if not changes:
        return item
    fields: dict[str, Any] = {k: list(v or []) if k == "co" else str(v or "") for k, v in changes.items()}
    return replace(item, **fields)


def void_key(ev: dict, kind: str | None = None) -> tuple:
    """What a void entry names, and what names a slip or consequence: its kind and lapse, and a slip's round or a
    consequence's rule."""
    kind = kind or ev.get("kind")
    if kind == "consequence":
        return (kind, ev.get("lapse"), ev.get("rule"))
    return (kind, ev.get("lapse"), ev.get("round") or 1)  # a step sent more than once: each time by its round


def voided(log: list[dict]) -> set[tuple]:
    """The keys (:func:`void_key`) of what the log's ``void`` entries void."""
    return {void_key(ev, ev.get("of")) for ev in log if ev.get("kind") == "void"}


def is_void(ev: dict, gone: set[tuple]) -> bool:
    """Whether a slip or consequence of the log is voided (``gone``: :func:`voided` of that log)."""
    return ev.get("kind") in (*SLIP_KINDS, "consequence") and void_key(ev) in gone


def events_of(item: Item) -> list[tuple[int, dict]]:
    """(log index, entry) in effective order, led by the registration (index -1 when the log lacks it)."""
    events = effective_order(item.log)
    if not any(ev.get("kind") == "issued" for _, ev in events):
        events.insert(0, (-1, {"date": item.issued, "kind": "issued"}))
    return events


def day_corrector(item: Item):
    """A memoised ``as_of(item, day)``: the item itself on every day when its log corrects nothing."""
    if not any(ev.get("kind") == "amendment" for ev in item.log):
        return lambda day: item
    cache: dict[date, Item] = {}

    def corrected(day: date) -> Item:
        if day not in cache:
            cache[day] = as_of(item, day)
        return cache[day]

    return corrected


def day_closer(item: Item):
    """``closed(day)``: the item's state at the close of ``day`` (the issue day at the earliest), as
    :func:`replay` gives it; the returned states are shared, never to be changed.

    The log is folded once, the state kept at the close of each day it names: the entries dated by a day come
    first in effective order, so the state at its close is the fold of a prefix.  (Only a log dated before the
    item's issue, whose registration :func:`events_of` puts first, is out of date order: then each day asked
    for is replayed, once.)"""
    order = events_of(item)
    dates = [ev["date"] for _, ev in order]
    if any(a > b for a, b in pairwise(dates)):
        return _replaying_closer(item, order)
    days: list[date] = []
    states: list[State] = []
    st = _start(item)
    for n, (i, ev) in enumerate(order):
        _step(item, st, i, ev, DEFAULT_WORDS)
        if n + 1 == len(order) or dates[n + 1] != dates[n]:
            days.append(dates[n])
            states.append(_snapshot(st))
    initial = _start(item)

    def closed(day: date) -> State:
        k = bisect_right(days, max(day, item.issued)) - 1
        return states[k] if k >= 0 else initial

    return closed


def _snapshot(st: State) -> State:
    """A copy of ``st`` whose lists are its own (a fifth of the time of :func:`dataclasses.replace`)."""
    copy = object.__new__(State)
    copy.__dict__.update(st.__dict__)
    copy.co, copy.invalid = list(st.co), list(st.invalid)
    return copy


def _replaying_closer(item: Item, order: list[tuple[int, dict]]):
    cache: dict[date, State] = {}

    def closed(day: date) -> State:
        day = max(day, item.issued)
        if day not in cache:
            cache[day] = replay(item, day, order=order)
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


def settled_on(item: Item, st: State | None = None) -> date | None:
    """The day from which nothing about the item changes with time, or None while it is in hand.

    An item is settled once it is struck off (销号) or was only forwarded (转阅) and no referral
    proposal waits for a decision: from the day of its last record on, no sweep writes to it, it is
    never overdue, and no score of a later year counts anything of it.  The cache and the commands
    that follow open items rather than history rely on this.  ``st``: ``replay(item)`` if the caller has it.
    """
    if st is None:
        if not item.forward and not any(action_of(item, ev, "") in SETTLING for ev in item.log):
            return None  # no entry that can settle it: in hand, without folding the log
        st = replay(item)
    if st.status not in SETTLED or open_referrals(item.log):
        return None
    return last_day(item)


# the actions that lead from a status in hand to a settled one (a forwarded item's registration, 销号, 撤销立项)
SETTLING = frozenset(
    a for a, moves in TRANSITIONS.items() if any(to in SETTLED and was not in SETTLED for was, to in moves.items())
)


def live_slips(log: list[dict]) -> list[dict]:
    """The log's slips (提醒/催办/警告/移交单) that no ``void`` entry voids, in the log's order."""
    gone = voided(log)
    return [ev for ev in log if ev.get("kind") in SLIP_KINDS and not is_void(ev, gone)]


def last_slip(log: list[dict]) -> tuple | None:
    """The item's latest slip not voided (提醒/催办/警告/移交单): (kind, number, date, the number as shown, the
    referral's decision as the clerk reads it or ""); None when it has none."""
    slips = live_slips(log)
    if not slips:
        return None
    last = slips[-1]
    suffix = ""
    if last.get("status") == "proposed":
        decided = [ev for ev in log if ev.get("kind") == "referral_decision" and ev.get("number") == last.get("number")]
        suffix = (
            {"approved": "（已批准）", "rejected": "（未批准）"}.get(str(decided[-1].get("decision")), "")
            if decided
            else "（建议）"
        )
    return last["kind"], last.get("number"), last.get("date"), f"{last.get('number', '')}", suffix


def last_day(item: Item) -> date:
    """The day of the item's last record, as recorded (its issue at the least): on any day from then on, its
    replayed status and deadline are those at the end of its log (a record dated back changes them only from
    the day it was recorded)."""
    return max([item.issued, *(recorded_on(ev) for ev in item.log if isinstance(ev.get("date"), date))])


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
    gone = voided(log)
    return [
        ev for ev in log if ev.get("kind") == "referral" and ev.get("number") not in decided and not is_void(ev, gone)
    ]


# ------------------------------------------------------------------ schedule


def rule_of(pack: RulePack, item: Item, day: date | None = None) -> CategoryRule:
    """The rule of the item's category and tier as corrected on ``day`` (None: by every correction)."""
    current = as_of(item, day)
    return pack.rule(current.category, current.tier)


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
    since: date | None = None  # the previous due date (or the start): the report window is (since, due]

    @property
    def on_time(self) -> bool:
        return self.reported_on is not None


def periodic_reports(
    item: Item, pack: RulePack, today: date, st: State | None = None, beyond: date | None = None
) -> list[PeriodicDue]:
    """The periodic reports due so far (strictly before the deadline), each with its report; or, for a rule with
    ``follow_up`` (续报), those due after the lead's first progress report until its final one, past the deadline too.
    ``beyond``: also those that will fall due after ``today`` up to that day, if nothing is recorded meanwhile."""
    rule = pack.item_rule(item)
    st = st or replay(item, today)
    if item.forward or st.deadline is None:
        return []
    last = max(today, beyond) if beyond else today
    cadence, until = rule.cadence, min(last, st.deadline - timedelta(days=1))
    start: date | None = st.active_since or item.issued
    if cadence is None and rule.follow_up is not None:
        cadence, until = rule.follow_up, last
        start = next(
            (
                ev["date"]
                for ev in item.log
                if ev.get("kind") == "report" and ev.get("unit") == st.lead and start <= ev["date"] <= today
            ),
            None,
        )
    if cadence is None or start is None:
        return []
    if st.reported_on:
        until = min(until, st.reported_on)
    reports = sorted(
        ev["date"]
        for ev in item.log
        if ev.get("kind") == "report" and ev.get("unit") == st.lead and ev["date"] <= today
    )
    out, prev = [], start
    for due in cadence.dates(pack.calendar, start, until):
        out.append(PeriodicDue(due, next((d for d in reports if prev < d <= due), None), prev))
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
