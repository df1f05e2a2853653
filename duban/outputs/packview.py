"""The active rule pack as the clerk reads it (``duban rules``): plain rows of Chinese text."""

from __future__ import annotations

from duban.core.model import LEVELS, ROLES, TIERS
from duban.core.pack import REPORT_FIELDS, TRIGGERS, RulePack, ScoreRule
from duban.core.scoring import plain, points_text

PER_ITEM_WORDS = {
    "all": "每次均计分",
    "once": "单项同一规则一个考核期只计一次",
    "highest": "单项加分、扣分各取最高一项",
}


def cite(source: str, note: str = "") -> str:
    """A rule's clause, and the pack's reading of it where the document is ambiguous."""
    return f"{source}\n读法：{note}" if note else source


def category_rows(pack: RulePack) -> list[list[str]]:
    rows = []
    for key, base in pack.categories.items():
        for tier in TIERS:
            rule = pack.rule(key, tier)
            duties = [rule.cadence.describe() if rule.cadence else ""]
            if rule.follow_up:
                duties.append(f"报告阶段性进展后{rule.follow_up.describe()}，直至最终结果")
            if rule.cadences:
                duties.append(
                    "立项时可选（--cadence）：" + "、".join(f"{k} {c.describe()}" for k, c in rule.cadences.items())
                )
            if rule.notice_within:
                duties.append(f"会议纪要印发后 {rule.notice_within.describe()}内下发督查通知（--minutes-date）")
            if rule.supervise:
                duties.append(f"督查室{rule.supervise.describe()}")
            if rule.report_requires:
                duties.append("报告须说明" + "、".join(REPORT_FIELDS[k] for k in rule.report_requires))
            lookback = rule.lookback.describe() if rule.lookback else ""
            if lookback and rule.lookback_until == "done":
                lookback += "，直至办结落实"
            rows.append(
                [
                    f"{base.label}（{key}）",
                    pack.tier_label(tier),
                    "转阅（办），不需报送" if rule.forward else rule.deadline.describe(),
                    (rule.max.describe() + ("（硬上限，不顺延）" if rule.max.roll == "none" else ""))
                    if rule.max
                    else "",
                    "；".join(d for d in duties if d),
                    lookback,
                    cite(rule.source or base.source, rule.note),
                ]
            )
    return rows


def process_rows(pack: RulePack) -> list[list[str]]:
    p = pack.process
    rows = []
    if p.due_soon:
        rows.append(["临期提示", f"期限前 {p.due_soon.describe()}", p.due_soon.source])
    words = pack.words
    for i, step in enumerate(p.ladder, 1):
        answer = f"，{step.answer.describe()}内答复" if step.answer else ""
        what = "逾期后第一个工作日" if i == 1 else "上一步答复期满仍未办结的次一工作日"
        extra = [
            f"同一逾期发 {step.times} 次，每次答复期满仍未办结再发下一次" if step.times > 1 else "",
            f"按《{words.form(step.paper)}》印制、编号" if step.form else "",
            "建议，须批准" if step.proposal else "",
            f"批准后记为该单位的“{p.unit_events[step.proposes]['label']}”" if step.proposes else "",
        ]
        rows.append(
            [
                f"督办第 {i} 步",
                f"{what}发《{words.entry(step.step)}》{answer}" + "".join(f"（{x}）" for x in extra if x),
                cite(step.source, step.note),
            ]
        )
    if p.new_lapse == "reached":
        rows.append(["再次逾期", "同一事项再次逾期，从已到达的一步继续，不发较轻的文书", p.new_lapse_source])
    if p.report_lapse_up_to:
        rows.append(["定期报送逾期", f"最多升级到《{words.entry(p.report_lapse_up_to)}》", p.report_lapse_source])
    if p.co_units:
        rows.append(["协办单位", p.co_units, p.co_units_source])
    if p.return_answer:
        rows.append(["退办重办", f"{p.return_answer.describe()}内重新办理上报", p.return_source])
    if p.transfer_back_within:
        rows.append(
            ["退回（非本单位职责）", f"收到后{p.transfer_back_within.describe()}内提出", p.transfer_back_source]
        )
    if p.extension_cutoff:
        cut = (
            "期限届满前" if p.extension_cutoff.kind == "before_deadline" else f"期限前 {p.extension_cutoff.describe()}"
        )
        rows.append(["延期申请", f"须在{cut}提出", p.extension_source])
    for kind, body in p.unit_events.items():
        needs = [
            "须用 --item 指明事项" if body.get("item") else "",
            f"须在收到所针对文书之日起 {body['within'].describe()}内提出（--received）" if body.get("within") else "",
        ]
        rows.append(
            [
                "单位事件",
                f"{body.get('label', kind)}（duban event UNIT {kind}）" + "".join(f"；{x}" for x in needs if x),
                cite(str(body.get("source", "")), str(body.get("note", ""))),
            ]
        )
    for c in p.consequences:
        label = p.unit_events.get(c.event, {}).get("label", c.event)
        if c.count == "unit_event" and c.at == 1 and c.and_more:
            when = f"每次{label}"
        else:
            what = "同一事项逾期" if c.count == "overdue" else f"一年内{label}"
            when = f"{what} {c.at} 次{'及以上' if c.and_more else ''}"
        owes = f"（期限 {c.owes.describe()}；履行后用 duban fulfil 记录，未履行的日报每日提示）" if c.owes else ""
        rows.append(["累计后果", f"{when}：{c.action}{owes}", cite(c.source, c.note)])
    return rows


def delta_text(rule: ScoreRule, pack: RulePack) -> str:
    names = {**ROLES, **{t: pack.tier_label(t) for t in TIERS}, **LEVELS}

    def walk(value) -> str:
        if isinstance(value, dict):
            return " / ".join(f"{names.get(k, k)} {walk(v)}" for k, v in value.items())
        return points_text(value)

    parts = []
    if rule.delta is not None:
        parts.append(walk(rule.delta) + ("（每逾期一天）" if rule.per == "day" else ""))
    if rule.flag:
        parts.append(f"标记：{rule.flag}" + ("（当年有效）" if rule.lasts == "year" else ""))
    if rule.zero:
        parts.append("本年度评分为 0")
    if rule.tally:
        parts.append("计次数（不计分），列入标记")
    return "；".join(parts)


def scoring_rows(pack: RulePack) -> list[list[str]]:
    rows = []
    for r in pack.scoring.rules:
        when = TRIGGERS[r.on]
        if r.arg:
            label = pack.process.unit_events.get(r.arg, {}).get("label") if r.on == "event" else None
            if r.on == "consequence":
                label = next((c.action for c in pack.process.consequences if c.id == r.arg), None)
            elif r.on == "slip":
                label = pack.words.entry(r.arg)
            when += f"：{label or r.arg}"
        cats = [pack.categories[c].label if c in pack.categories else c for c in r.categories]
        filters = [
            f"类别 {'、'.join(cats)}" if cats else "",
            f"等级 {'、'.join(map(pack.tier_label, r.tiers))}" if r.tiers else "",
            f"{'、'.join(ROLES[x] for x in r.roles)}单位" if r.roles else "",
            "期限内未报告进展" if r.silent else "",
            f"每单位每年第 {r.at} 次{'起' if r.and_more else ''}" if r.at else "",
        ]
        rows.append(
            [
                r.id,
                r.label or when,
                when + ("；" + "，".join(f for f in filters if f) if any(filters) else ""),
                delta_text(r, pack),
                cite(r.source, r.note),
            ]
        )
    return rows


def scoring_summary(pack: RulePack) -> str:
    s = pack.scoring
    caps = [
        f"{what}不超过 {plain(cap)}"
        for what, cap in (("总分", s.cap_score), ("加分", s.cap_bonus), ("减分", s.cap_penalty))
        if cap is not None
    ]
    period = {"quarter": "按季度", "year": "按年度"}[s.period]
    done = {"report": "办结按办结报告的日期计入考核期", "review": "办结按审核通过的日期计入考核期"}[s.done_on]
    return (
        f"基础分 {plain(s.base)}；{'；'.join(caps) or '不设上限'}；{PER_ITEM_WORDS[s.per_item]}；{period}考核；{done}"
        + (f"（{s.source}）" if s.source else "")
    )
