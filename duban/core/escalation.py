"""What falls due: the sweep's decisions, as pure functions.

:func:`due_events` is given an item, the rules and ``today`` and returns the
entries the sweep should have written into the item's log by ``today`` and
that are not yet there.  Each is dated on the day it fell due, and is decided
only from entries dated *before* that day (the state at the close of the
previous day, which is what a morning cron run sees).  Hence a second sweep
on the same day finds nothing, and one sweep after a gap of several days
writes exactly what daily sweeps would have written.

Entries already in the log are matched by key (kind + lapse + round, due
date or deadline), so the same slip is never issued twice for the same lapse.

Small functions do the deciding, each over a :class:`Context`:

* :func:`deadline_runs` — a deadline lapsed while the unit still owed the
  work (``deadline:D``): a run up the ladder; :func:`overdue_consequences`,
  the consequences the count of such lapses triggers;
* :func:`due_soon` — the yellow light before the current deadline(s);
* :func:`periodic` — a periodic report due today (``report_due``, unless the
  unit already reported for the period), or missed (``report:P``, a run that
  climbs the ladder as far as the pack says);
* :func:`lookbacks` — look-back reviews (回头望) until the item is struck
  off, or (``lookback_until: done``) until the decision is carried out.

Runs climb in the order their lapses began.  Step 1 is issued on the first
working day after the lapse — or, with ``new_lapse: reached``, the step the
item's other lapses had already reached, since escalation never steps down;
each later step (or the same step again, for a step issued ``times`` times)
on the first working day after the previous slip's answer window, if the
lapse is still unresolved at the close of that window.  A step marked
``proposal`` (the referral, or a proposed 通报批评) waits for ``duban refer``.

Entries may be recorded late with their effective date (a report received on
11-11 typed on 11-16).  Such a fact can show that a slip already issued was
wrong: :func:`voids` finds every slip whose lapse was in fact resolved at the
close of the day before it was issued (and every later step of that lapse, and
the consequences counted from it).  They stay in the log with their numbers;
a ``void`` entry marks each, and voided entries count for nothing — neither for
the next step, nor for consequences, nor for scores.  The test is the sweep's
own: a report that came in late but before the slip voids the slip (a daily
sweep would not have issued it), while the late days still count; a report
that came in after the slip voids nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from duban.core.calendar import UnknownYear
from duban.core.entries import SLIP_KINDS, SWEEP_KINDS, Action, effective_order, recorded_on
from duban.core.errors import Problem
from duban.core.model import Item
from duban.core.pack import CategoryRule, RulePack
from duban.core.state import (
    ACTIVE,
    State,
    as_of,
    day_closer,
    deadline_candidates,
    deadline_lapses,
    is_void,
    open_referrals,
    periodic_reports,
    replay,
    rule_of,
    voided,
)
from duban.core.unitevents import unit_consequences

ONE = timedelta(days=1)
# n working days never span more than 2n + 14 calendar days (the longest break, 春节 or 国庆, is 8 days with its
# weekends): a deadline further off than that cannot be due soon, and its year's calendar need not be known yet
LONGEST_BREAK = 14


def entry_key(ev: dict) -> tuple | None:
    """What makes a sweep entry the same decision as another (None: not a sweep entry)."""
    kind = ev.get("kind")
    if kind in SLIP_KINDS:
        return (kind, ev.get("lapse"), ev.get("round") or 1)
    if kind == "due_soon":
        return (kind, ev.get("deadline"))
    if kind in ("report_due", "lookback"):
        return (kind, ev.get("due"))
    if kind == "consequence":
        return (kind, ev.get("rule"), ev.get("lapse"))
    return None


@dataclass(frozen=True)
class Run:
    """One lapse to climb the ladder for: its key, the day it began, and whether it still stands at a day's close."""

    lapse: str
    start: date
    unresolved: Callable[[date], bool]


@dataclass
class Context:
    """One item being swept: its rules, its state at the close of any day, and the decisions so far."""

    item: Item
    pack: RulePack
    rule: CategoryRule
    today: date
    closed: Callable[[date], State]
    existing: dict = field(default_factory=dict)  # key -> entry, in the log or decided in this sweep
    gone: set = field(default_factory=set)  # what the log's void entries void (state.voided)

    def new(self, ev: dict) -> dict | None:
        """``ev`` if it is not decided yet (then it counts as decided), else None."""
        key = entry_key(ev)
        if key in self.existing:
            return None
        self.existing[key] = ev
        return ev

    def first_position(self, lapse: str, seq: list, day: date) -> int:
        """Where a lapse starts on the ladder: the first step, or (``new_lapse: reached``) the step the item's
        slips for other lapses had reached before ``day`` — escalation never steps down."""
        if self.pack.process.new_lapse != "reached":
            return 0
        order = [(s.step, r) for s, r in self.pack.process.sequence("")]  # the whole ladder
        reached = max(
            (
                order.index((ev["kind"], ev.get("round") or 1))
                for ev in self.existing.values()
                if ev.get("kind") in SLIP_KINDS
                and not is_void(ev, self.gone)
                and ev.get("lapse") != lapse
                and ev["date"] < day
                and (ev["kind"], ev.get("round") or 1) in order
            ),
            default=0,
        )
        return min(reached, len(seq) - 1)

    def ladder(self, lapse: str, start: date, unresolved: Callable[[date], bool]) -> Iterator[dict]:
        """The ladder's steps for one lapse that are due and not yet issued, in order."""
        cal, prev = self.pack.calendar, start
        seq = self.pack.process.sequence(lapse)
        if not seq:
            return
        for step, rnd in seq[self.first_position(lapse, seq, cal.add_working_days(start, 1)) :]:
            logged = self.existing.get((step.step, lapse, rnd))
            if logged:
                day, answer_by = logged["date"], logged.get("answer_by")
            else:
                day = cal.add_working_days(prev, 1)
                if day > self.today or not unresolved(day - ONE):
                    return
                answer_by = step.answer.apply(cal, day) if step.answer else None
                ev = self.new(
                    {
                        "date": day,
                        "kind": step.step,
                        "number": None,
                        "lapse": lapse,
                        "round": rnd if rnd > 1 else None,
                        "unit": self.closed(day - ONE).lead,
                        "answer_by": answer_by,
                        "status": "proposed" if step.proposal else None,
                    }
                )
                if ev:
                    yield ev
            if answer_by is None or step.proposal:
                return
            prev = answer_by


def deadline_unresolved(closed: Callable[[date], State], deadline: date) -> Callable[[date], bool]:
    """Whether, at the close of a day, the unit still owed the work with ``deadline`` as its deadline."""

    def unresolved(day: date) -> bool:
        s = closed(day)
        return s.status in ACTIVE and s.deadline == deadline

    return unresolved


def report_unresolved(item: Item, closed: Callable[[date], State], window_start: date) -> Callable[[date], bool]:
    """Whether, at the close of a day, the lead had still sent no report since ``window_start``."""

    def unresolved(day: date) -> bool:
        s = closed(day)
        return s.status in ACTIVE and not any(
            ev.get("kind") == "report" and ev.get("unit") == s.lead and window_start < ev["date"] <= day
            for ev in item.log
        )

    return unresolved


def deadline_runs(cx: Context) -> list[Run]:
    """Lapsed deadlines, each a run up the ladder."""
    out = []
    for lapse in deadline_lapses(cx.item, cx.today, cx.closed):
        out.append(Run(lapse.key, lapse.deadline, deadline_unresolved(cx.closed, lapse.deadline)))
    return out


def overdue_consequences(cx: Context) -> Iterator[dict]:
    """The n-th deadline lapse that drew a slip triggers the pack's overdue consequences (卓尼 第十二条)."""
    lapses = 0
    for lapse in deadline_lapses(cx.item, cx.today, cx.closed):
        drawn = [
            ev
            for ev in cx.existing.values()
            if ev.get("kind") in SLIP_KINDS and ev.get("lapse") == lapse.key and not is_void(ev, cx.gone)
        ]
        if not drawn:
            continue
        first = min(drawn, key=lambda ev: ev["date"])
        lapses += 1
        for c in cx.pack.process.consequences:
            if c.count == "overdue" and lapses == c.at:
                ev = cx.new(
                    {
                        "date": first["date"],
                        "kind": "consequence",
                        "rule": c.id,
                        "action": c.action,
                        "unit": first.get("unit"),
                        "count": lapses,
                        "lapse": lapse.key,
                    }
                )
                if ev:
                    yield ev


def due_soon(cx: Context) -> Iterator[dict]:
    lead = cx.pack.process.due_soon
    if lead is None:
        return
    for deadline in deadline_candidates(cx.item):
        if deadline - cx.today > timedelta(days=2 * lead.n + LONGEST_BREAK):
            continue
        if lead.kind == "working_days":
            start = cx.pack.calendar.sub_working_days(deadline, lead.n)
        else:
            start = deadline - timedelta(days=lead.n)
        start = max(start, cx.item.issued + ONE)
        if start > cx.today or start > deadline:
            continue
        st = cx.closed(start - ONE)
        if st.status in ACTIVE and st.deadline == deadline:
            ev = cx.new({"date": start, "kind": "due_soon", "deadline": deadline})
            if ev:
                yield ev


def periodic(cx: Context, now: State, runs: list[Run]) -> Iterator[dict]:
    """Periodic reports: the reminder on the due day (unless the unit has already reported for that period), and a
    run up the ladder (added to ``runs``) for a missed one.

    A unit silent since an earlier missed report is still in that lapse: no new one."""
    if cx.rule.cadence is None and cx.rule.follow_up is None:
        return
    item = cx.item
    previous_missed = False
    for p in periodic_reports(item, cx.pack, cx.today, now):
        before = cx.closed(p.due - ONE)
        window_start = p.since or item.issued
        early = p.reported_on is not None and p.reported_on < p.due
        if before.status in ACTIVE and not early:
            ev = cx.new({"date": p.due, "kind": "report_due", "due": p.due, "unit": before.lead})
            if ev:
                yield ev
        missed = p.reported_on is None
        continuing, previous_missed = previous_missed and missed, missed
        if p.due >= cx.today or not missed or continuing:
            continue
        unresolved = report_unresolved(item, cx.closed, window_start)
        if unresolved(p.due):
            runs.append(Run(f"report:{p.due}", p.due, unresolved))


def lookbacks(cx: Context) -> Iterator[dict]:
    if cx.rule.lookback is None:
        return
    ended = ("closed", "forwarded", "") + (("done",) if cx.rule.lookback_until == "done" else ())
    for due in cx.rule.lookback.dates(cx.pack.calendar, cx.item.issued, cx.today):
        if cx.closed(due - ONE).status not in ended:
            ev = cx.new({"date": due, "kind": "lookback", "due": due})
            if ev:
                yield ev


def due_events(item: Item, pack: RulePack, today: date) -> list[dict]:
    """The sweep entries due in ``item``'s log by ``today`` and not yet there, in date order."""
    if item.forward:
        return []
    now = replay(item, today)
    if now.status in ("closed", "withdrawn"):
        return []
    item = as_of(item, today)
    cx = Context(
        item,
        pack,
        pack.item_rule(item),
        today,
        day_closer(item),
        {k: ev for ev in item.log if (k := entry_key(ev)) is not None},
        voided(item.log),
    )
    runs = deadline_runs(cx)
    out = [*due_soon(cx), *periodic(cx, now, runs), *lookbacks(cx)]
    # lapses in the order they began, so a later one sees the steps an earlier one reached before it (new_lapse)
    for run in sorted(runs, key=lambda r: (r.start, r.lapse)):
        out += cx.ladder(run.lapse, run.start, run.unresolved)
    out += overdue_consequences(cx)
    return sorted(out, key=lambda ev: (ev["date"], SWEEP_KINDS.index(ev["kind"])))


# --------------------------------------------------------------------- voids


def voids(item: Item, pack: RulePack, today: date, reason: str) -> list[dict]:
    """``void`` entries (dated ``today``) for the slips and consequences that ``item``'s log now shows to be wrong.

    A slip is wrong when its lapse was resolved at the close of the day before it was issued (the
    test the sweep itself applies); every later step of that lapse goes with it.  A consequence is
    wrong when its lapse no longer drew a valid first slip, or no longer is the n-th lapse it counted.
    Slips by hand (``manual:N``) are the clerk's decision and are never voided here."""
    if item.forward:
        return []
    closed, gone = day_closer(item), voided(item.log)

    def unresolved(lapse: str, issued: date) -> Callable[[date], bool] | None:
        """The lapse's test for a slip issued on ``issued`` (None: by hand, kept)."""
        kind, _, day = lapse.partition(":")
        if kind == "deadline":
            return deadline_unresolved(closed, date.fromisoformat(day))
        if kind != "report":
            return None
        st = closed(issued)  # the periodic reports that were due as the records now say
        for p in periodic_reports(item, pack, issued, st):
            if p.due == date.fromisoformat(day):
                return report_unresolved(item, closed, p.since or item.issued)
        return lambda _day: False  # no such report was due: the lapse never was

    def void(ev: dict, why: str) -> dict:
        keys = ("number", "lapse", "rule") if ev["kind"] == "consequence" else ("number", "lapse", "round")
        return {"date": today, "kind": "void", "of": ev["kind"], **{k: ev.get(k) for k in keys}, "reason": why}

    out: list[dict] = []
    wrong: set[str] = set()
    first_steps: list[str] = []  # each lapse once, in the order of its first slip
    for _, ev in effective_order(item.log):
        lapse = str(ev.get("lapse") or "")
        if ev.get("kind") not in SLIP_KINDS:
            continue
        if lapse not in first_steps:
            first_steps.append(lapse)
        if is_void(ev, gone):
            wrong.add(lapse)
            continue
        check = unresolved(lapse, ev["date"])
        if lapse in wrong or (check is not None and not check(ev["date"] - ONE)):
            wrong.add(lapse)
            out.append(void(ev, reason))
    rank, ranks = 0, {}
    for lapse in first_steps:
        if lapse.startswith("deadline:") and lapse not in wrong:
            rank += 1
            ranks[lapse] = rank
    for _, ev in effective_order(item.log):
        if ev.get("kind") != "consequence" or is_void(ev, gone) or not str(ev.get("lapse")).startswith("deadline:"):
            continue
        if ev["lapse"] in wrong or ranks.get(ev["lapse"]) != ev.get("count"):
            out.append(void(ev, reason))
    return out


def recent_voids(item: Item, since: date, today: date) -> list[dict]:
    """The void entries recorded in (``since``, ``today``]: the paper slips the clerk should recall."""
    return [ev for ev in item.log if ev.get("kind") == "void" and since < recorded_on(ev) <= today]


# ---------------------------------------------------------------------- plan


@dataclass
class SweepResult:
    date: date
    actions: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # what needs the clerk today
    commit: str | None = None
    digest: str | None = None  # the digest file written, relative to the ledger
    forms: list[str] = field(default_factory=list)  # the slips rendered after the commit
    form_errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        def iso(v):
            return v.isoformat() if isinstance(v, date) else v

        return {
            "date": self.date.isoformat(),
            "actions": [
                {
                    "item": a.item,
                    "action": a.kind,
                    "number": None,
                    "unit": None,
                    **{k: iso(v) for k, v in a.entry.items()},
                }
                for a in self.actions
            ],
            "pending": self.pending,
            "problems": [p.as_dict() for p in self.problems],
            "commit": self.commit,
            "forms": [str(p) for p in self.forms],
        }


def supervision_due(item: Item, pack: RulePack, today: date, st: State) -> str | None:
    """The office's own supervision of an open item falling due today (一日一督, 每周督办), as the digest says it."""
    rule = rule_of(pack, item, today)
    if rule.supervise is None or item.forward or st.status not in ACTIVE:
        return None
    try:
        if today not in rule.supervise.dates(pack.calendar, item.issued, today):
            return None
    except UnknownYear:
        return None
    return f"今日督办：{rule.supervise.describe()}（{rule.supervise.source}）"


def notice_late(item: Item, pack: RulePack) -> str | None:
    """A notice issued later than the pack allows after the meeting minutes (灞桥 三、(一)3 一周内下发督查通知)."""
    rule = rule_of(pack, item)
    if rule.notice_within is None or item.minutes is None:
        return None
    try:
        last = rule.notice_within.apply(pack.calendar, item.minutes)
    except UnknownYear:
        return None
    if item.issued <= last:
        return None
    return (
        f"督查通知于 {item.issued} 下发，晚于会议纪要印发（{item.minutes}）后 {rule.notice_within.describe()}的 {last}"
        f"（{rule.notice_within.source or rule.source}）"
    )


def owed_duties(events: list, today: date) -> list:
    """Duties a consequence created (``owes``) that are not yet recorded as fulfilled (``duban fulfil``)."""
    return [e for e in events if e.kind == "consequence" and e.due and not e.done and e.date <= today]


def owed_text(e, today: date) -> str:
    late = (today - e.due).days
    return f"{e.action}（应于 {e.due} 前）" + (f"，已逾期 {late} 天" if late > 0 else "，尚未履行")


def plan(ledger, today: date) -> SweepResult:
    """What a sweep would do today (pure with respect to the ledger)."""
    res = SweepResult(today, problems=[p for p in ledger.problems if p.severity == "error"])
    pack = ledger.pack
    try:  # voids recorded since the previous working day's sweep are listed: the paper slips to recall
        since = pack.calendar.sub_working_days(today, 1) - ONE
    except UnknownYear:
        since = today - timedelta(days=4)
    for item in sorted(ledger.items.values(), key=lambda i: i.id):
        new: list[dict] = []
        try:
            new = due_events(item, pack, today)
        except UnknownYear as e:
            res.problems.append(Problem(item.path, 1, f"{item.id}: {e}"))
        res.actions += [Action(item.id, ev) for ev in new]
        st = replay(item, today)
        for v in recent_voids(item, since, today):
            what = pack.words.entry(v.get("of", ""))
            res.pending.append(
                {
                    "item": item.id,
                    "title": item.title,
                    "what": f"{pack.words.entry('void')}: {what} {v.get('number') or v.get('rule') or ''}"
                    f"（{v.get('reason', '')}），请收回已发出的文书",
                }
            )
        if st.status == "reported":
            res.pending.append({"item": item.id, "what": "待审核办结报告", "title": item.title})
        elif st.status == "transferred":
            res.pending.append({"item": item.id, "what": "单位已退回，待改派", "title": item.title})
        proposals = open_referrals(item.log + new)
        if proposals:
            res.pending.append(
                {
                    "item": item.id,
                    "title": item.title,
                    "what": f"{pack.words.entry('referral')}（建议，{len(proposals)} 份）待区政府决定",
                }
            )
        duty = supervision_due(item, pack, today, st)
        if duty:
            res.pending.append({"item": item.id, "title": item.title, "what": duty})
        late = notice_late(item, pack) if today - item.issued < timedelta(days=7) else None
        if late:  # said in the digests of the notice's first week
            res.pending.append({"item": item.id, "title": item.title, "what": late})
    res.pending += [
        {"item": e.id, "title": ledger.unit_name(e.unit), "what": owed_text(e, today)}
        for e in owed_duties(ledger.events, today)
    ]
    try:
        res.actions += [Action(None, c) for c in unit_consequences(ledger.events, pack, today)]
    except UnknownYear as e:
        res.problems.append(Problem("rules/process.yaml", 1, str(e)))
    res.actions.sort(key=Action.order)
    return res


# ---------------------------------------------------------------------- quiet

QUIET_AHEAD = 28  # how many days ahead :func:`wakes` looks
VOID_WINDOW = 16  # a void recorded on day r is listed by no sweep after r + 16 (a working day is at most 15 days back)


def wakes(item: Item, pack: RulePack, today: date) -> date:
    """The first day on or after ``today`` on which :func:`plan` may do anything for ``item`` — an action or
    something pending — while its log stays as it is; ``today`` when unsure.  At most ``QUIET_AHEAD + 1`` days on.

    Sound because of what :func:`due_events` promises: a sweep after a gap writes exactly what daily sweeps would
    have written, so the earliest entry due by a far day is the first a daily sweep writes (none due: none
    written).  The pending part of the plan is bounded from the same log: a recent void, a report to review or a
    transfer, an open referral and a notice's first week each make the item unsure; the office's own
    supervision wakes it on its next date.  An entry dated after ``today`` makes it unsure too."""
    if any(ev["date"] > today for ev in item.log) or item.issued > today - timedelta(days=7):
        return today
    st = replay(item, today)
    if st.status in ("reported", "transferred") or open_referrals(item.log):
        return today
    if any(ev.get("kind") == "void" and recorded_on(ev) >= today - timedelta(days=VOID_WINDOW) for ev in item.log):
        return today
    far = today + timedelta(days=QUIET_AHEAD)
    try:
        due = due_events(item, pack, far)
        rule = rule_of(pack, item, today)
        supervised = (
            rule.supervise.dates(pack.calendar, item.issued, far)
            if rule.supervise is not None and not item.forward and st.status in ACTIVE
            else []
        )
    except UnknownYear:
        return today
    return min([ev["date"] for ev in due] + [d for d in supervised if d >= today] + [far + ONE])
