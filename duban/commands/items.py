"""The clerk's actions on items, as library functions: register (``issue``) and
every record of what happened since (report, review, extension, 退回, 改派,
new instruction, 回头望, 销号, a slip by hand, a referral decision).

Each takes the ledger lock, loads under it, checks the action against the
status table and the rule pack, appends to the item's log and commits once
(:func:`append_events`).  Numbers are allocated inside that change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken
from duban.commands.clock import not_future
from duban.core.entries import SLIP_KINDS, encode
from duban.core.errors import DubanError
from duban.core.pack import TIERS
from duban.core.state import (
    ACTIVE,
    action_of,
    extension_cutoff,
    initial_deadline,
    max_deadline,
    open_referrals,
    refusal,
    replay,
)
from duban.store.counters import max_item_number, ref_number
from duban.store.ledger import Ledger, Scope, inside, item_rel, load, normalize_id
from duban.store.yamlio import flow_list, flow_map, rt_dumps, rt_loads

# --------------------------------------------------------------------- issue


def issue_item(
    root: Path,
    *,
    title: str,
    category: str,
    tier: str,
    lead: str,
    co: list[str],
    issued: date | None,
    deadline: date | None,
    basis: str,
    ref: str | None,
    requirement: str,
    today: date,
    forward: bool = False,
) -> str:
    with change(root, "", "issue") as ch:
        ledger = load(root, only_config=True)
        refuse_if_broken(ledger)
        pack = ledger.pack
        issued = issued or today
        if not title.strip():
            raise DubanError("标题不能为空")
        if category not in pack.categories:
            raise DubanError(
                f"未知的类别 “{category}”；可用的类别: "
                + "、".join(f"{k}（{c.label}）" for k, c in pack.categories.items())
            )
        if tier not in TIERS:
            raise DubanError(
                f"未知的等级 “{tier}”；可用的等级: " + "、".join(f"{t}（{pack.tier_label(t)}）" for t in TIERS)
            )
        for u in [lead, *co]:
            if u not in ledger.units:
                raise DubanError(
                    f"未知的单位 “{u}”；可用的单位: " + "、".join(f"{k}（{v.name}）" for k, v in ledger.units.items())
                )
        if lead in co or len(set(co)) != len(co):
            raise DubanError("协办单位不能与主办单位相同，也不能重复")
        rule = pack.rule(category, tier)
        forward = forward or rule.forward
        if deadline is None and not forward:
            deadline = initial_deadline(pack, category, tier, issued)
            if deadline is None:
                raise DubanError(
                    f"“{rule.label}”类事项的期限由督查室逐项确定（{rule.deadline.source or rule.source}），"
                    f"请用 --deadline YYYY-MM-DD 指定"
                )
        if deadline is not None and deadline < issued:
            raise DubanError(f"期限 {deadline} 早于立项日期 {issued}")
        year = issued.year
        n = ch.counters.next("item", year, max_item_number(root, year))
        item_id = f"{year}-{n:04d}"
        if ref is None:
            ref = ref_number(ledger.config.ref_prefix, year, ch.counters.next("notice", year))
        text = item_text(
            item_id=item_id,
            title=title,
            category=category,
            tier=tier,
            basis=basis,
            ref=ref,
            lead=lead,
            co=co,
            issued=issued,
            deadline=deadline,
            requirement=requirement,
            forward=forward,
        )
        ch.message = f"督办 {item_id} 立项: {title.strip()}"
        ch.write(item_rel(item_id), text)
    return item_id


def item_text(
    *, item_id, title, category, tier, basis, ref, lead, co, issued, deadline, requirement, forward=False
) -> str:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    m = CommentedMap()
    m["id"] = item_id
    m["title"] = title.strip()
    m["category"] = category
    m["tier"] = tier
    if basis:
        m["basis"] = basis
    if ref:
        m["ref"] = ref
    m["lead"] = lead
    m["co"] = flow_list(co)
    m["issued"] = issued
    if deadline is not None:
        m["deadline"] = deadline
    if forward:
        m["forward"] = True
    if requirement:
        m["requirement"] = LiteralScalarString(requirement.rstrip("\n") + "\n")
    m["log"] = flow_list([flow_map({"date": issued, "kind": "issued"})], block=True)
    return rt_dumps(m)


# ------------------------------------------------------------ appending events


def append_events(
    root: Path, item_id: str, events: list[dict], message: str, action: str, check=None, files: dict | None = None
) -> Ledger:
    """Append events to one item's log under the lock, after checking them.

    ``check(ledger, item, state, change)`` may raise DubanError to refuse (and
    may complete the events, allocating numbers from ``change.counters``).  ``files`` maps ledger paths to files to copy
    in, in the same commit.
    """
    with change(root, message, action) as ch:
        ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
        refuse_if_broken(ledger)
        item = ledger.item(item_id)
        if events and all(already_recorded(item.log, ev) for ev in events):
            return ledger  # a retry of a command that was recorded already: nothing twice
        state = replay(item)
        if check:
            check(ledger, item, state, ch)
        for ev in events:
            reason = refusal(state.status, action_of(item, ev, state.lead), ledger.pack.words)
            if reason:
                raise DubanError(f"{item.id}: {reason}")
            last = item.log[-1]["date"] if item.log else item.issued
            if ev["date"] < last:
                raise DubanError(
                    f"{item.id}: 日期 {ev['date']} 早于该事项最近一条记录的日期 {last}；记录须按日期先后追加"
                )
        path = root / item.path
        data = rt_loads(path.read_text(encoding="utf-8"))
        if data.get("log") is None:
            data["log"] = flow_list([], block=True)
        for ev in events:
            data["log"].append(flow_map(encode(ev)))
        ch.write(item.path, rt_dumps(data))
        for rel, src in (files or {}).items():
            inside(root, rel)
            ch.copy(rel, src)
    return ledger


def already_recorded(log: list, ev: dict) -> bool:
    """Whether ``ev`` is in ``log`` already, field for field (when it was recorded aside)."""
    want = {k: v for k, v in encode(ev).items() if k != "recorded"}
    return any({k: v for k, v in old.items() if k != "recorded"} == want for old in log if isinstance(old, dict))


# ---------------------------------------------------------------------- views


# ----------------------------------------------------------------------- init


# -------------------------------------------------------------------- extend


def extend_item(
    root: Path, item_id: str, *, to: date, reason: str, approved_by: str, requested: date | None, today: date
) -> str:
    requested = requested or today

    def check(ledger, item, st, _ch):
        pack = ledger.pack
        if st.status not in ACTIVE:
            raise DubanError(f"{item.id}: 事项当前状态为“{pack.words.status(st.status)}”，不能延期")
        if st.deadline is None:
            raise DubanError(f"{item.id}: 事项没有期限，无需延期")
        if to <= st.deadline:
            raise DubanError(f"{item.id}: 新期限 {to} 须晚于现期限 {st.deadline}")
        cutoff = extension_cutoff(pack, st.deadline)
        src = pack.process.extension_source
        if cutoff is not None and requested > cutoff:
            rule = pack.process.extension_cutoff
            words = f"期限前 {rule.describe()}" if rule.kind == "working_days" else rule.describe()
            raise DubanError(f"{item.id}: 延期申请日 {requested} 已超过截止日 {cutoff}（{words}；{src}），不予延期")
        limit = max_deadline(pack, item)
        if limit is not None and to > limit:
            rule = pack.rule(item.category, item.tier)
            raise DubanError(
                f"{item.id}: 新期限 {to} 超过了“{rule.label}”的最长期限 {limit}"
                f"（立项后 {rule.max.describe()}；{rule.max.source}）"
            )

    ev = {
        "date": today,
        "kind": "extension",
        "to": to,
        "reason": reason,
        "approved_by": approved_by,
        "requested": requested if requested != today else None,
    }
    append_events(root, item_id, [ev], f"督办 {item_id} 延期至 {to}: {reason}", "extend", check)
    return item_id


# ------------------------------------------------------------- other records


def report(
    root: Path,
    item_id: str,
    *,
    unit: str,
    day: date,
    text: str,
    percent: int | None,
    final: bool,
    attachments: list[Path],
    today: date,
) -> None:
    not_future(day, today)
    if percent is not None and not 0 <= percent <= 100:
        raise DubanError("--percent 应在 0 到 100 之间")
    if not text.strip():
        raise DubanError("报告内容不能为空（--text 或 --file）")
    for a in attachments:
        if not a.is_file():
            raise DubanError(f"附件 {a} 不存在")

    def check(ledger, item, st, _ch):
        for name, src in files.items():  # another report may have stored a file of this name meanwhile
            if (root / name).is_file() and (root / name).read_bytes() != src.read_bytes():
                raise DubanError(f"附件 {name} 刚被另一次操作占用，请重试")
        if unit not in [st.lead, *st.co]:
            raise DubanError(
                f"{item.id}: {ledger.unit_name(unit)}（{unit}）不是该事项的承办单位；"
                f"主办 {st.lead}，协办 {'、'.join(st.co) or '无'}"
            )
        if final and unit != st.lead:
            raise DubanError(
                f"{item.id}: 办结报告由主办单位 {ledger.unit_name(st.lead)} 汇总报送；"
                f"协办单位的情况请作为进展报告记录（不加 --final）"
            )
        if item.forward:
            raise DubanError(f"{item.id}: 转阅(办)件不需报送落实情况")

    files = attachment_names(root, item_id, attachments)
    names = list(files)
    ev = {
        "date": day,
        "kind": "report",
        "unit": unit,
        "percent": percent,
        "final": True if final else None,
        "text": text.strip(),
        "attachments": names or None,
    }
    what = "办结报告" if final else "进展报告"
    append_events(
        root,
        item_id,
        [ev],
        f"督办 {item_id} {what}: {unit}",
        "report",
        check,
        files=files,
    )


def attachment_names(root: Path, item_id: str, attachments: list[Path]) -> dict[str, Path]:
    """Where each attachment is stored: its own name, unless that is taken by another file (then 名-2.ext …).

    A file already stored with the same content keeps its name, so a retried report is the same entry."""
    out: dict[str, Path] = {}
    folder = f"attachments/{normalize_id(item_id)}"
    for a in attachments:
        data = a.read_bytes()
        own = a.name if not a.name.startswith(".") else "_" + a.name  # never a .git or another hidden file
        stem, dot, ext = own.rpartition(".") if "." in own.lstrip(".") else (own, "", "")
        n = 1
        while True:
            name = f"{folder}/{own if n == 1 else f'{stem}-{n}{dot}{ext}'}"
            prior, stored = out.get(name), root / name
            if prior.read_bytes() == data if prior else not stored.is_file() or stored.read_bytes() == data:
                break
            n += 1
        inside(root, name)
        out[name] = a
    return out


def review(root: Path, item_id: str, *, accept: bool, reason: str, today: date) -> date | None:
    due: list[date] = []

    def check(ledger, item, st, _ch):
        if not accept:
            if not reason.strip():
                raise DubanError("退办须写明理由（--reason）")
            due.append(ledger.pack.process.return_answer.apply(ledger.calendar, today))
            events[0]["due"] = due[0]

    events = [
        {
            "date": today,
            "kind": "review",
            "result": "accepted" if accept else "returned",
            "reason": reason.strip() or None,
        }
    ]
    msg = f"督办 {item_id} 审核通过，办结" if accept else f"督办 {item_id} 退办: {reason.strip()}"
    append_events(root, item_id, events, msg, "review", check)
    return due[0] if due else None


def transfer_back(root: Path, item_id: str, *, unit: str, reason: str, day: date, today: date) -> None:
    not_future(day, today)

    def check(ledger, item, st, _ch):
        proc = ledger.pack.process
        if unit != st.lead:
            raise DubanError(f"{item.id}: 只有主办单位 {ledger.unit_name(st.lead)} 可以退回")
        if proc.transfer_back_within is None:
            raise DubanError(f"{item.id}: 本规则包没有退回的规定")
        received = st.active_since or item.issued
        last = proc.transfer_back_within.apply(ledger.calendar, received)
        if day > last:
            raise DubanError(
                f"{item.id}: 退回须在 {last} 前提出（收到通知 {received}，"
                f"{proc.transfer_back_within.describe()}；{proc.transfer_back_source}），已超过时限"
            )
        if not reason.strip():
            raise DubanError("退回须写明理由（--reason）")

    ev = {"date": day, "kind": "transfer_back", "unit": unit, "reason": reason.strip()}
    append_events(root, item_id, [ev], f"督办 {item_id} 退回: {unit} 认为不属本单位职责", "transfer-back", check)


def reassign(root: Path, item_id: str, *, lead: str, co: list[str], deadline: date | None, today: date) -> None:
    def check(ledger, item, st, _ch):
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
    append_events(root, item_id, [ev], f"督办 {item_id} 改派: 主办 {lead}", "reassign", check)


def instruct(root: Path, item_id: str, *, text: str, deadline: date | None, by_whom: str, today: date) -> None:
    def check(ledger, item, st, _ch):
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
    append_events(root, item_id, [ev], f"督办 {item_id} 新批示: {text.strip()[:30]}", "instruct", check)


def lookback(root: Path, item_id: str, *, text: str, today: date) -> None:
    ev = {"date": today, "kind": "lookback_done", "text": text.strip()}
    append_events(root, item_id, [ev], f"督办 {item_id} 回头望", "lookback")


def close(root: Path, item_id: str, *, text: str, today: date) -> None:
    def check(ledger, item, st, _ch):
        rule = ledger.pack.rule(item.category, item.tier)
        if st.status == "done" and rule.lookback is not None:
            done = st.done_on
            if not any(ev.get("kind") == "lookback_done" and ev["date"] >= done for ev in item.log):
                raise DubanError(
                    f"{item.id}: “{rule.label}”须在办结后做回头望（{rule.lookback.source}），"
                    f"请先用 duban lookback 记录，再注结销号"
                )

    ev = {"date": today, "kind": "close", "text": text.strip() or None}
    append_events(root, item_id, [ev], f"督办 {item_id} 注结销号", "close", check)


def escalate(root: Path, item_id: str, *, step: str, reason: str, today: date) -> str:
    """A slip issued by hand: numbered and logged like the sweep's."""
    if step not in SLIP_KINDS:
        raise DubanError(f"未知的文书 “{step}”；可用: {'、'.join(SLIP_KINDS)}")
    if not reason.strip():
        raise DubanError("须写明事由（--reason）")
    number: list[str] = []

    def check(ledger, item, st, ch):
        if st.status in ("closed", "forwarded"):
            raise DubanError(f"{item.id}: 事项状态为“{ledger.pack.words.status(st.status)}”，不能下发督办文书")
        steps = {s.step: s for s in ledger.pack.process.ladder}
        s = steps.get(step)
        no = f"{today.year}-{ch.counters.next(step, today.year)}"
        number.append(no)
        ch.message = f"督办 {item_id} 下发{ledger.pack.words.entry(step)}: {reason.strip()[:30]}"
        ev.update(
            number=no,
            unit=st.lead,
            lapse=f"manual:{no}",
            answer_by=s.answer.apply(ledger.calendar, today) if s and s.answer else None,
            # the pack says which step only proposes; a referral always does (条例 第二十一条)
            status="proposed" if (s.proposal if s else step == "referral") else None,
        )

    ev = {"date": today, "kind": step, "number": None, "reason": reason.strip()}
    append_events(root, item_id, [ev], "", "escalate", check)
    return number[0]


def refer(root: Path, item_id: str, *, approve: bool, text: str, today: date) -> str:
    found: list[str] = []

    def check(ledger, item, st, _ch):
        open_ = open_referrals(item.log)
        if not open_:
            raise DubanError(f"{item.id}: 没有待决定的追责问效移交建议")
        found.append(open_[-1]["number"])
        ev["number"] = open_[-1]["number"]

    ev = {
        "date": today,
        "kind": "referral_decision",
        "decision": "approved" if approve else "rejected",
        "text": text.strip() or None,
    }
    word = "批准" if approve else "不批准"
    append_events(root, item_id, [ev], f"督办 {item_id} 追责问效移交{word}", "refer", check)
    return found[0]
