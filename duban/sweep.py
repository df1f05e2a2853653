"""The daily sweep.

:func:`due_events` is pure: given an item, the rules and ``today`` it
returns the sweep events that should be in the item's log by ``today`` and
are not yet there.  Each is dated on the day it fell due, and is decided
only from events dated *before* that day (the state at the close of the
previous day, which is what a morning cron run sees).  Hence a second
sweep on the same day finds nothing, and one sweep after a gap of several
days writes exactly what daily sweeps would have written.

Events already in the log are matched by key (kind + lapse, due date or
deadline), so the same step is never issued twice for the same lapse.

Lapses that start the ladder:

* ``deadline:D`` — at the close of D the item was still open with deadline D;
* ``report:P``   — a periodic report due on P had not come in by the close of P.

Step 1 is issued on the first working day after the lapse; each later step
on the first working day after the previous step's answer window, if the
lapse is still unresolved at the close of that window.  A step marked
``proposal`` (the referral) waits for ``duban refer``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .calendar import UnknownYear
from .errors import Problem
from .model import EVENT_LABELS, Item
from .rules import STEPS, RulePack
from .state import ACTIVE, day_closer, deadline_candidates, deadline_lapses, open_referrals, periodic_reports, replay

SWEEP_KINDS = ("due_soon", "report_due", "lookback", "reminder", "urge", "warning", "referral", "consequence")
ONE = timedelta(days=1)


def _key(ev: dict):
    kind = ev.get("kind")
    if kind in STEPS:
        return (kind, ev.get("lapse"))
    if kind == "due_soon":
        return (kind, ev.get("deadline"))
    if kind in ("report_due", "lookback"):
        return (kind, ev.get("due"))
    if kind == "consequence":
        return (kind, ev.get("rule"), ev.get("lapse"))
    return None


def due_events(item: Item, pack: RulePack, today: date) -> list[dict]:
    cal, proc = pack.calendar, pack.process
    rule = pack.rule(item.category, item.tier)
    existing = {k: ev for ev in item.log if (k := _key(ev)) is not None}
    out: list[dict] = []
    closed_day = day_closer(item)

    def want(ev: dict) -> None:
        if _key(ev) not in existing:
            out.append(ev)
            existing[_key(ev)] = ev

    def ladder(lapse: str, start: date, unresolved) -> int:
        """Walk the ladder for one lapse; returns how many steps stand issued."""
        prev = start
        issued = 0
        for step in proc.ladder_for(lapse):
            logged = existing.get((step.step, lapse))
            if logged:
                day, answer_by = logged["date"], logged.get("answer_by")
            else:
                day = cal.add_working_days(prev, 1)
                if day > today or not unresolved(day - ONE):
                    return issued
                answer_by = step.answer.apply(cal, day) if step.answer else None
                st = closed_day(day - ONE)
                want({"date": day, "kind": step.step, "number": None, "lapse": lapse, "unit": st.lead,
                      "answer_by": answer_by, "status": "proposed" if step.proposal else None})
            issued += 1
            if answer_by is None or step.proposal:
                return issued
            prev = answer_by
        return issued

    if item.forward:
        return []
    now = replay(item, today)
    if now.status == "closed":
        return []

    # --- deadline lapses, in date order, and the consequences their count triggers
    lapses = 0
    for lapse in deadline_lapses(item, today, closed_day):

        def unresolved(day, deadline=lapse.deadline):
            s = closed_day(day)
            return s.status in ACTIVE and s.deadline == deadline

        if ladder(lapse.key, lapse.deadline, unresolved):
            lapses += 1
            first = existing.get((proc.ladder[0].step, lapse.key)) if proc.ladder else None
            for c in proc.consequences:
                if c.count == "overdue" and lapses == c.at and first:
                    want({"date": first["date"], "kind": "consequence", "rule": c.id, "action": c.action,
                          "unit": first.get("unit"), "count": lapses, "lapse": lapse.key})

    # --- yellow light before the current deadline(s)
    if proc.due_soon is not None:
        for deadline in deadline_candidates(item):
            if deadline - today > timedelta(days=2 * proc.due_soon.n + 14):
                continue  # far off: not due soon yet (and its year's calendar may not be known yet)
            if proc.due_soon.kind == "working_days":
                start = cal.sub_working_days(deadline, proc.due_soon.n)
            else:
                start = deadline - timedelta(days=proc.due_soon.n)
            start = max(start, item.issued + ONE)
            if start > today or start > deadline:
                continue
            st = closed_day(start - ONE)
            if st.status in ACTIVE and st.deadline == deadline:
                want({"date": start, "kind": "due_soon", "deadline": deadline})

    # --- periodic reports: due today (report_due), missed (ladder)
    if rule.cadence is not None:
        previous_missed, prev_due = False, now.active_since or item.issued
        for p in periodic_reports(item, pack, today, now):
            if closed_day(p.due - ONE).status in ACTIVE:
                want({"date": p.due, "kind": "report_due", "due": p.due, "unit": closed_day(p.due - ONE).lead})
            missed = p.reported_on is None
            # a unit silent since an earlier missed report is still in that lapse: no new one
            continuing, previous_missed = previous_missed and missed, missed
            window_start, prev_due = prev_due, p.due
            if p.due >= today or not missed or continuing:
                continue

            def unresolved(day, window_start=window_start):
                s = closed_day(day)
                return s.status in ACTIVE and not any(
                    ev.get("kind") == "report" and ev.get("unit") == s.lead and window_start < ev["date"] <= day
                    for ev in item.log)

            if unresolved(p.due):
                ladder(f"report:{p.due}", p.due, unresolved)

    # --- look-backs (回头望) until the item is struck off
    if rule.lookback is not None:
        for due in rule.lookback.dates(cal, item.issued, today):
            if closed_day(due - ONE).status not in ("closed", "forwarded", ""):
                want({"date": due, "kind": "lookback", "due": due})

    return sorted(out, key=lambda ev: (ev["date"], SWEEP_KINDS.index(ev["kind"])))


# --------------------------------------------------------------------- apply

@dataclass
class SweepResult:
    date: date
    actions: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # what needs the clerk today
    commit: str | None = None
    digest: Path | None = None
    forms: list[Path] = field(default_factory=list)  # the slips rendered after the commit

    def as_json(self) -> dict:
        iso = lambda v: v.isoformat() if isinstance(v, date) else v  # noqa: E731
        return {"date": self.date.isoformat(),
                "actions": [{"number": None, "unit": None, **{k: iso(v) for k, v in a.items()}}
                            for a in self.actions],
                "pending": self.pending,
                "problems": [p.as_dict() for p in self.problems], "commit": self.commit,
                "forms": [str(p) for p in self.forms]}


def plan(ledger, today: date) -> SweepResult:
    """What a sweep would do today (pure with respect to the ledger)."""
    res = SweepResult(today, problems=[p for p in ledger.problems if p.severity == "error"])
    pack = ledger.pack
    for item in sorted(ledger.items.values(), key=lambda i: i.id):
        new: list[dict] = []
        try:
            new = due_events(item, pack, today)
        except UnknownYear as e:
            res.problems.append(Problem(item.path, 1, f"{item.id}: {e}"))
        res.actions += [{"item": item.id, "action": ev["kind"], **ev} for ev in new]
        st = replay(item, today)
        if st.status == "reported":
            res.pending.append({"item": item.id, "what": "待审核办结报告", "title": item.title})
        elif st.status == "transferred":
            res.pending.append({"item": item.id, "what": "单位已退回，待改派", "title": item.title})
        proposals = open_referrals(item.log + new)
        if proposals:
            res.pending.append({"item": item.id, "what": f"追责问效移交建议（{len(proposals)} 份）待区政府决定",
                                "title": item.title})
    from .unitevents import unit_consequences

    try:
        res.actions += [{"item": None, "action": "consequence", **c}
                        for c in unit_consequences(ledger.events, pack, today)]
    except UnknownYear as e:
        res.problems.append(Problem("rules/process.yaml", 1, str(e)))
    res.actions.sort(key=lambda a: (a["date"], a["item"] or "", SWEEP_KINDS.index(a["kind"])))
    return res


def run(root: Path, today: date, dry_run: bool = False):
    """Sweep the ledger; returns (result, the ledger as loaded before the sweep's writes)."""
    from .actions import _counters, allocate, change, refuse_if_broken
    from .ledger import Scope, load
    from .yamlio import date_place, flow_map, insert_log_lines, rt_dumps, rt_loads

    scope = Scope(live_on=today)  # a settled item has nothing left for the sweep
    if dry_run:
        ledger = load(root, scope=scope)
        return plan(ledger, today), ledger
    with change(root, "", "sweep") as ch:
        ledger = load(root, scope=scope)
        refuse_if_broken(ledger)
        res = plan(ledger, today)
        if not res.actions:
            return res, ledger
        counters = _counters(root)
        for a in res.actions:  # numbers in date order, then item id
            if a["kind"] in STEPS:
                a["number"] = f"{a['date'].year}-{allocate(counters, a['kind'], a['date'].year)}"
        by_item: dict[str, list[dict]] = {}
        for a in res.actions:
            if a["item"] is None:  # a unit-level consequence: its own event file
                from .unitevents import event_rel, event_text

                a["id"] = f"{a['date'].year}-{allocate(counters, 'event', a['date'].year):04d}"
                fields = {k: a.get(k) for k in ("id", "unit", "kind", "date", "rule", "count", "action", "due",
                                                "source_event")}
                ch.write(event_rel(a["id"]), event_text(fields))
                continue
            by_item.setdefault(a["item"], []).append(a)
        for item_id, actions in by_item.items():
            item = ledger.items[item_id]
            text = (root / item.path).read_text(encoding="utf-8")
            events = [{k: v for k, v in a.items() if k not in ("item", "action") and v is not None} for a in actions]
            quick = insert_log_lines(text, events)  # each at its date's place, where a daily sweep would have put it
            if quick is not None:
                ch.write(item.path, quick)
                continue
            data = rt_loads(text)
            log = data["log"]
            for ev in events:
                log.insert(date_place(log, ev), flow_map(ev))
            ch.write(item.path, rt_dumps(data))
        if any(a["kind"] in STEPS or a["item"] is None for a in res.actions):
            ch.write("counters.yaml", rt_dumps(counters))
        lines = [f"{a['item'] or a['unit']} {a['date']} {action_label(a)}{' ' + a['number'] if a.get('number') else ''}"
                 for a in res.actions]
        ch.message = f"督办 巡查 {today}: {len(res.actions)} 项动作\n\n" + "\n".join(lines)
    res.commit = ch.committed
    return res, ledger


def action_label(a: dict) -> str:
    """How an action reads in the digest, the table and the commit message."""
    label = EVENT_LABELS[a["kind"]]
    if a.get("status") == "proposed":
        label += "（建议）"
    if a["kind"] == "consequence":
        label += f"：{a['action']}" + (f"（{a['due']} 前）" if a.get("due") else "")
    return label


def digest_markdown(res: SweepResult, ledger) -> str:
    out = [f"# 督查日报 {res.date}", ""]
    if res.actions:
        out += ["## 今日动作", "", "| 事项 | 标题 | 日期 | 动作 | 编号 | 单位 |", "|---|---|---|---|---|---|"]
        for a in res.actions:
            item = ledger.items.get(a["item"] or "")
            unit = ledger.unit_name(a.get("unit")) if a.get("unit") else ""
            out.append(f"| {a['item'] or ''} | {item.title if item else ''} | {a['date']} | {action_label(a)} | "
                       f"{a.get('number') or ''} | {unit} |")
    else:
        out.append("今日无到期动作。")
    if res.pending:
        out += ["", "## 待督查室处理", ""]
        out += [f"- {p['item']} {p['title']}：{p['what']}" for p in res.pending]
    if res.problems:
        out += ["", "## 台账问题", ""]
        out += [f"- {p}" for p in res.problems]
    return "\n".join(out) + "\n"
