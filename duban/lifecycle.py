"""The clerk's records of what happened to an item: each one event appended
to the item's log, checked against the status table and the rule pack,
and committed once."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from .actions import _counters, allocate, append_events
from .errors import DubanError
from .rules import STEP_LABELS
from .state import STATUS_LABELS, open_referrals
from .yamlio import rt_dumps


def _not_future(day: date, today: date, what: str = "日期") -> None:
    if day > today:
        raise DubanError(f"{what} {day} 晚于今天 {today}；不能记录将来的事")


def report(root: Path, item_id: str, *, unit: str, day: date, text: str, percent: int | None, final: bool,
           attachments: list[Path], today: date) -> None:
    _not_future(day, today)
    if percent is not None and not 0 <= percent <= 100:
        raise DubanError("--percent 应在 0 到 100 之间")
    if not text.strip():
        raise DubanError("报告内容不能为空（--text 或 --file）")
    for a in attachments:
        if not a.is_file():
            raise DubanError(f"附件 {a} 不存在")

    def check(ledger, item, st, _):
        if unit not in [st.lead, *st.co]:
            raise DubanError(f"{item.id}: {ledger.unit_name(unit)}（{unit}）不是该事项的承办单位；"
                             f"主办 {st.lead}，协办 {'、'.join(st.co) or '无'}")
        if final and unit != st.lead:
            raise DubanError(f"{item.id}: 办结报告由主办单位 {ledger.unit_name(st.lead)} 汇总报送；"
                             f"协办单位的情况请作为进展报告记录（不加 --final）")
        if item.forward:
            raise DubanError(f"{item.id}: 转阅(办)件不需报送落实情况")

    names = [f"attachments/{item_id}/{a.name}" for a in attachments]
    ev = {"date": day, "kind": "report", "unit": unit, "percent": percent, "final": True if final else None,
          "text": text.strip(), "attachments": names or None}
    what = "办结报告" if final else "进展报告"
    append_events(root, item_id, [ev], f"督办 {item_id} {what}: {unit}", "report", today, check,
                  files={n: a for n, a in zip(names, attachments)})


def review(root: Path, item_id: str, *, accept: bool, reason: str, today: date) -> date | None:
    due: list[date] = []

    def check(ledger, item, st, _):
        if not accept:
            if not reason.strip():
                raise DubanError("退办须写明理由（--reason）")
            due.append(ledger.pack.process.return_answer.apply(ledger.calendar, today))
            events[0]["due"] = due[0]

    events = [{"date": today, "kind": "review", "result": "accepted" if accept else "returned",
               "reason": reason.strip() or None}]
    msg = f"督办 {item_id} 审核通过，办结" if accept else f"督办 {item_id} 退办: {reason.strip()}"
    append_events(root, item_id, events, msg, "review", today, check)
    return due[0] if due else None


def transfer_back(root: Path, item_id: str, *, unit: str, reason: str, day: date, today: date) -> None:
    _not_future(day, today)

    def check(ledger, item, st, _):
        proc = ledger.pack.process
        if unit != st.lead:
            raise DubanError(f"{item.id}: 只有主办单位 {ledger.unit_name(st.lead)} 可以退回")
        if proc.transfer_back_within is None:
            raise DubanError(f"{item.id}: 本规则包没有退回的规定")
        received = st.active_since or item.issued
        last = proc.transfer_back_within.apply(ledger.calendar, received)
        if day > last:
            raise DubanError(f"{item.id}: 退回须在 {last} 前提出（收到通知 {received}，"
                             f"{proc.transfer_back_within.describe()}；{proc.transfer_back_source}），已超过时限")
        if not reason.strip():
            raise DubanError("退回须写明理由（--reason）")

    ev = {"date": day, "kind": "transfer_back", "unit": unit, "reason": reason.strip()}
    append_events(root, item_id, [ev], f"督办 {item_id} 退回: {unit} 认为不属本单位职责", "transfer-back", today, check)


def reassign(root: Path, item_id: str, *, lead: str, co: list[str], deadline: date | None, today: date) -> None:
    def check(ledger, item, st, _):
        for u in [lead, *co]:
            if u not in ledger.units:
                raise DubanError(f"未知的单位 “{u}”")
        if lead in co:
            raise DubanError("协办单位不能与主办单位相同")
        new = deadline
        if new is None:
            rule = ledger.pack.rule(item.category, item.tier).deadline
            new = st.deadline if rule.kind == "clerk" else rule.apply(ledger.calendar, today)
        if new is not None and new < today:
            raise DubanError(f"期限 {new} 已过，请用 --deadline 给出新的期限")
        ev["deadline"] = new

    ev = {"date": today, "kind": "reassign", "lead": lead, "co": flow_list(co)}
    append_events(root, item_id, [ev], f"督办 {item_id} 改派: 主办 {lead}", "reassign", today, check)


def flow_list(values):
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def instruct(root: Path, item_id: str, *, text: str, deadline: date | None, by_whom: str, today: date) -> None:
    def check(ledger, item, st, _):
        if st.status == "closed":
            raise DubanError(f"{item.id}: 已注结销号的事项不能重新打开；新的批示请另行立项（duban issue）")
        new = deadline
        if new is None and st.status in ("done", "reported"):
            rule = ledger.pack.rule(item.category, item.tier).deadline
            if rule.kind == "clerk":
                raise DubanError(f"{item.id}: 重新打开须给出新的期限（--deadline）")
            new = rule.apply(ledger.calendar, today)
        if new is not None and new < today:
            raise DubanError(f"期限 {new} 早于今天")
        ev["deadline"] = new

    ev = {"date": today, "kind": "instruction", "text": text.strip(), "by_whom": by_whom or None}
    append_events(root, item_id, [ev], f"督办 {item_id} 新批示: {text.strip()[:30]}", "instruct", today, check)


def lookback(root: Path, item_id: str, *, text: str, today: date) -> None:
    ev = {"date": today, "kind": "lookback_done", "text": text.strip()}
    append_events(root, item_id, [ev], f"督办 {item_id} 回头望", "lookback", today)


def close(root: Path, item_id: str, *, text: str, today: date) -> None:
    def check(ledger, item, st, _):
        rule = ledger.pack.rule(item.category, item.tier)
        if st.status == "done" and rule.lookback is not None:
            done = st.done_on
            if not any(ev.get("kind") == "lookback_done" and ev["date"] >= done for ev in item.log):
                raise DubanError(f"{item.id}: “{rule.label}”须在办结后做回头望（{rule.lookback.source}），"
                                 f"请先用 duban lookback 记录，再注结销号")

    ev = {"date": today, "kind": "close", "text": text.strip() or None}
    append_events(root, item_id, [ev], f"督办 {item_id} 注结销号", "close", today, check)


def escalate(root: Path, item_id: str, *, step: str, reason: str, today: date) -> str:
    """A slip issued by hand: numbered and logged like the sweep's."""
    if step not in STEP_LABELS:
        raise DubanError(f"未知的文书 “{step}”；可用: " + "、".join(f"{k}（{v}）" for k, v in STEP_LABELS.items()))
    if not reason.strip():
        raise DubanError("须写明事由（--reason）")
    number: list[str] = []

    def check(ledger, item, st, _):
        if st.status in ("closed", "forwarded"):
            raise DubanError(f"{item.id}: 事项状态为“{STATUS_LABELS[st.status]}”，不能下发督办文书")
        steps = {s.step: s for s in ledger.pack.process.ladder}
        s = steps.get(step)
        counters = _counters(root)
        n = allocate(counters, step, today.year)
        no = f"{today.year}-{n}"
        number.append(no)
        ev.update(number=no, unit=st.lead, lapse=f"manual:{no}",
                  answer_by=s.answer.apply(ledger.calendar, today) if s and s.answer else None,
                  # the pack says which step only proposes; a referral always does (条例 第二十一条)
                  status="proposed" if (s.proposal if s else step == "referral") else None)
        extra["counters.yaml"] = rt_dumps(counters)

    ev = {"date": today, "kind": step, "number": None, "reason": reason.strip()}
    extra: dict = {}
    append_events(root, item_id, [ev], f"督办 {item_id} 下发{STEP_LABELS[step]}: {reason.strip()[:30]}",
                  "escalate", today, check, texts=extra)
    return number[0]


def refer(root: Path, item_id: str, *, approve: bool, text: str, today: date) -> str:
    found: list[str] = []

    def check(ledger, item, st, _):
        open_ = open_referrals(item.log)
        if not open_:
            raise DubanError(f"{item.id}: 没有待决定的追责问效移交建议")
        found.append(open_[-1]["number"])
        ev["number"] = open_[-1]["number"]

    ev = {"date": today, "kind": "referral_decision", "decision": "approved" if approve else "rejected",
          "text": text.strip() or None}
    word = "批准" if approve else "不批准"
    append_events(root, item_id, [ev], f"督办 {item_id} 追责问效移交{word}", "refer", today, check)
    return found[0]
