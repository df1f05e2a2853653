"""The model of a rule pack: the office's own 办法 as data.

Pure: time rules, cadences, category rules, the process (escalation ladder,
windows, consequences), the scoring table and the pack that holds them.
Reading the pack's YAML files is :mod:`duban.store.packs`.  Every rule carries
``source:`` citing its clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from duban.core.calendar import WorkCalendar, add_months, end_of
from duban.core.model import LEVELS, ROLES, TIERS
from duban.core.vocabulary import DEFAULT_WORDS, SLIPS, Words

STEPS = SLIPS  # the kinds of slip a ladder step can be
ROLLS = ("next", "none")
REPORT_FIELDS = {
    "percent": "完成百分比（--percent）",
    "investment": "已完成投资额（--investment）",
    "work": "已完成工程量（--work）",
}


# ------------------------------------------------------------------ time rules


@dataclass(frozen=True)
class TimeRule:
    """How a date is computed from a start date."""

    kind: str  # working_days | days | months | same_day | end_of | clerk | before_deadline
    n: int = 0
    period: str = ""
    roll: str = "next"
    source: str = ""

    def apply(self, cal: WorkCalendar, start: date) -> date:
        if self.kind == "working_days":
            return cal.add_working_days(start, self.n)
        if self.kind == "days":
            return cal.roll(start + timedelta(days=self.n), self.roll)
        if self.kind == "months":
            return cal.roll(add_months(start, self.n), self.roll)
        if self.kind == "same_day":
            return start
        if self.kind == "end_of":
            return cal.roll(end_of(self.period, start), self.roll)
        raise ValueError(f"rule {self.kind} gives no date")

    def describe(self) -> str:
        return {
            "working_days": f"{self.n} 个工作日",
            "days": f"{self.n} 日" + ("" if self.roll == "none" else "（遇节假日顺延）"),
            "months": f"{self.n} 个月" + ("" if self.roll == "none" else "（遇节假日顺延）"),
            "same_day": "当日",
            "end_of": {"month": "当月底", "quarter": "当季末", "year": "当年底"}.get(self.period, ""),
            "clerk": "由督查室逐项确定",
            "before_deadline": "期限届满前",
        }[self.kind]


# -------------------------------------------------------------------- cadences

CADENCE_UNITS = {"working_day": "个工作日", "day": "日", "week": "周", "month": "个月", "quarter": "个季度"}


@dataclass(frozen=True)
class Cadence:
    """A periodic duty: every N units, from the issue date or at period ends."""

    every: int
    unit: str  # working_day | day | week | month | quarter
    anchor: str = "issued"  # issued | period_end
    source: str = ""
    wording: str = ""

    def dates(self, cal: WorkCalendar, start: date, until: date) -> list[date]:
        """Due dates in (start, until], each rolled to a working day.

        Never looks at a day after ``until`` (which may be in a year the
        calendar does not know yet)."""
        out: list[date] = []
        if self.unit == "working_day":
            d, count = start, 0
            while d < until:
                d += timedelta(days=1)
                if cal.is_workday(d):
                    count += 1
                    if count % self.every == 0:
                        out.append(d)
            return out
        k = 1
        while True:
            raw = self.nth_raw(start, k)
            if raw > until:
                return out
            d = cal.next_workday(raw)
            if d > until:
                return out
            if d > start and (not out or d > out[-1]):
                out.append(d)
            k += 1

    def nth_raw(self, start: date, k: int) -> date:
        """The kth due date before rolling (not for working_day cadences)."""
        n = self.every * k
        per = {"month": 1, "quarter": 3}.get(self.unit, 0)
        if self.anchor == "period_end" and per:
            last = end_of(self.unit, start)
            return end_of("month", add_months(date(last.year, last.month, 1), per * self.every * (k - 1)))
        if self.unit == "day":
            return start + timedelta(days=n)
        if self.unit == "week":
            return start + timedelta(weeks=n)
        return add_months(start, n * per)

    def nth(self, cal: WorkCalendar, start: date, k: int) -> date:
        if self.unit == "working_day":
            return cal.add_working_days(start, self.every * k)
        return cal.next_workday(self.nth_raw(start, k))

    def describe(self) -> str:
        if self.wording:
            return self.wording
        base = f"每{'' if self.every == 1 else self.every}{CADENCE_UNITS[self.unit]}"
        if self.every == 1 and self.unit in ("day", "week", "month", "quarter"):
            base = "每" + {"day": "日", "week": "周", "month": "月", "quarter": "季度"}[self.unit]
        return base + ("末" if self.anchor == "period_end" else "")


# ------------------------------------------------------------------ categories


@dataclass(frozen=True)
class CategoryRule:
    key: str
    label: str
    source: str = ""
    deadline: TimeRule = TimeRule("clerk")
    max: TimeRule | None = None
    cadence: Cadence | None = None
    lookback: Cadence | None = None
    forward: bool = False  # 转阅(办): no report expected, never late
    note: str = ""
    supervise: Cadence | None = None  # the office's own duty (一日一督, 每周督办): listed in the digest, not the unit's
    lookback_until: str = "closed"  # closed: until struck off; done: until the decision is carried out (直至落实)
    report_requires: tuple[str, ...] = ()  # what every report must state: percent / investment / work (安康 二、(四))
    cadences: dict = field(default_factory=dict)  # name -> Cadence: reporting the clerk may choose at registration
    follow_up: Cadence | None = None  # 续报: after a progress answer, reports at this cadence until the final one
    notice_within: TimeRule | None = None  # the notice goes out within this of the minutes (灞桥 三、(一)3 一周内)


# --------------------------------------------------------------------- process


@dataclass(frozen=True)
class Step:
    step: str  # reminder | urge | warning | referral
    label: str
    answer: TimeRule | None = None  # how long the unit has to answer the slip
    proposal: bool = False  # a referral only proposes; it waits for approval
    source: str = ""
    form: str = ""  # the form (and number series) the step prints with, when not its own (西城: a second 催办单)
    times: int = 1  # how often the step is issued for one lapse before the next (灞桥: 多次催办)
    proposes: str = ""  # the unit event an approved proposal counts as (安康、渭南: 通报批评)
    note: str = ""

    @property
    def paper(self) -> str:
        return self.form or self.step


@dataclass(frozen=True)
class Consequence:
    """Something a count triggers.

    ``count: overdue`` counts the deadline lapses of one item (卓尼 第十二条);
    ``count: unit_event`` counts a unit's events of kind ``event`` in a
    calendar year (渭南 十六: 通报批评 once / twice / three times a year).
    ``at`` fires on exactly that count; ``and_more`` also on every later one.
    ``owes`` gives the unit a duty with a deadline (安康: 一周内书面整改报告).
    """

    id: str
    count: str
    at: int
    action: str
    source: str = ""
    event: str = ""
    and_more: bool = False
    owes: TimeRule | None = None
    note: str = ""

    def fires(self, n: int) -> bool:
        return n == self.at or (self.and_more and n > self.at)


@dataclass(frozen=True)
class Process:
    due_soon: TimeRule | None = None
    ladder: tuple[Step, ...] = ()
    ladder_source: str = ""
    return_answer: TimeRule | None = None  # the redo window of a 退办; None: the clerk gives it
    return_source: str = ""
    transfer_back_within: TimeRule | None = None
    transfer_back_source: str = ""
    extension_cutoff: TimeRule | None = None  # working_days before the deadline, or before_deadline
    extension_source: str = ""
    consequences: tuple[Consequence, ...] = ()
    unit_events: dict = field(default_factory=dict)  # kind -> {label, source}
    report_lapse_up_to: str | None = None  # the highest step a missed periodic report climbs to
    report_lapse_source: str = ""
    new_lapse: str = "first"  # first: a new lapse starts the ladder again; reached: at the step already reached
    new_lapse_source: str = ""
    co_units: str = ""  # how co-units report (西城: through the lead), printed on the notice
    co_units_source: str = ""

    def ladder_for(self, lapse: str) -> tuple[Step, ...]:
        if lapse.startswith("report:") and self.report_lapse_up_to:
            steps = [s.step for s in self.ladder]
            if self.report_lapse_up_to in steps:
                return self.ladder[: steps.index(self.report_lapse_up_to) + 1]
        return self.ladder

    def sequence(self, lapse: str) -> list[tuple[Step, int]]:
        """The slips one lapse can draw, in order: each step as often as its ``times`` (round 1, 2 …)."""
        return [(s, r) for s in self.ladder_for(lapse) for r in range(1, s.times + 1)]

    def step(self, kind: str) -> Step | None:
        return next((s for s in self.ladder if s.step == kind), None)

    def paper(self, kind: str) -> str:
        """The form a slip of this kind prints with, and whose number series it takes."""
        s = self.step(kind)
        return s.paper if s else kind


# --------------------------------------------------------------------- scoring

# What a scoring rule can count (``when:``; not ``on``, which YAML reads as true).  Item triggers come from the item logs,
# the others from unit events and from consequences the counts triggered.
TRIGGERS = {
    "done_on_time": "按时办结",  # final report by the deadline in force, accepted, never overdue
    "done_late": "逾期办结",  # accepted, but the item was overdue before its final report
    "overdue": "逾期未办结",  # a deadline lapsed without a final report (one per lapse)
    "report_late": "定期报送逾期",  # a periodic report missed its due date
    "returned": "办结报告被退办",  # review returned: the report was not good enough (退办)
    "slip": "收到督办文书",  # a reminder / urge / warning / referral slip; {slip: STEP} for one kind
    "event": "单位事件",  # {event: KIND}: a unit event recorded with duban event
    "consequence": "累计后果",  # {consequence: ID}: a consequence of process.yaml fired
}
TRIGGER_ARGS = {"slip": "step", "event": "event", "consequence": "consequence"}
LATE_TRIGGERS = ("overdue", "report_late")  # triggers with days late, for ``per: day``
PER_ITEM = {
    "all": "每次均计分",
    "once": "同一事项同一规则在一个考核期内只计一次",
    "highest": "同一事项在一个考核期内加分、扣分各只取最高的一项",
}
DIMENSIONS = (("role", ROLES), ("tier", dict.fromkeys(TIERS)), ("level", LEVELS))


@dataclass(frozen=True)
class ScoreRule:
    id: str
    on: str
    arg: str = ""  # the event kind, slip step or consequence id
    label: str = ""
    source: str = ""
    categories: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    silent: bool = False  # overdue only: just the lapses with no report from the lead before the deadline
    delta: object = None  # a number, or a mapping by role / tier / level (nested as needed)
    per: str = "occurrence"  # occurrence | day (days late)
    each_time: bool = False  # 每次: not merged by the pack's per_item convention
    at: int = 0  # with a count: fires on the at-th occurrence per unit per year …
    and_more: bool = False  # … and every later one
    flag: str = ""  # a mark on the unit (取消年度评优资格, 约谈 …)
    zero: bool = False  # the unit's score for the year is 0
    lasts: str = "period"  # period | year: how long the flag holds
    # counted per unit in the period, no points (西城: 催办、退办 counts for the year-end assessment)
    tally: bool = False
    note: str = ""  # the pack's reading, where the document is ambiguous

    def points(self, role: str, tier: str, level: str):
        """The delta for one occurrence; None when the rule gives none (e.g. no level recorded)."""
        value = self.delta
        while isinstance(value, dict):
            key = next((k for k in (role, tier, level) if k in value), None)
            if key is None:
                return None
            value = value[key]
        return value

    def dimensions(self) -> set[str]:
        """The dimensions (role / tier / level) the delta depends on."""
        found, stack = set(), [self.delta]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                for name, keys in DIMENSIONS:
                    if set(value) <= set(keys):
                        found.add(name)
                stack += value.values()
        return found

    def fires(self, n: int) -> bool:
        return not self.at or n == self.at or (self.and_more and n > self.at)


@dataclass(frozen=True)
class Scoring:
    base: Decimal = Decimal(0)
    cap_score: Decimal | None = None  # highest total
    cap_bonus: Decimal | None = None
    cap_penalty: Decimal | None = None
    per_item: str = "all"
    period: str = "quarter"
    source: str = ""
    rules: tuple[ScoreRule, ...] = ()
    done_on: str = "report"  # a completion counts on its final report's date (report) or the review's (review)


# ------------------------------------------------------------------------ pack


@dataclass
class RulePack:
    name: str = ""
    title: str = ""
    document: str = ""
    root: Path | None = None
    tiers: dict[str, dict] = field(default_factory=dict)
    categories: dict[str, CategoryRule] = field(default_factory=dict)
    tier_rules: dict[tuple[str, str], CategoryRule] = field(default_factory=dict)
    process: Process = field(default_factory=Process)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    scoring: Scoring = field(default_factory=Scoring)
    words: Words = DEFAULT_WORDS  # the office's words (:mod:`duban.core.vocabulary`)

    def rule(self, category: str, tier: str) -> CategoryRule:
        return self.tier_rules.get((category, tier)) or self.categories[category]

    def item_rule(self, item) -> CategoryRule:
        """The rule an item follows: its category and tier, with the reporting cadence the clerk chose (``cadence``)."""
        rule = self.rule(item.category, item.tier)
        chosen = rule.cadences.get(item.cadence) if item.cadence else None
        return replace(rule, cadence=chosen) if chosen else rule

    def needs_level(self, event_kind: str) -> bool:
        """Whether a scoring rule scores this unit event by level (卓尼: 国家/省/州/县 = 4/3/2/1)."""
        return any(r.on == "event" and r.arg == event_kind and "level" in r.dimensions() for r in self.scoring.rules)

    def tier_label(self, tier: str) -> str:
        return str(self.tiers.get(tier, {}).get("label", tier))
