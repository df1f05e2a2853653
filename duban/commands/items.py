"""The clerk's actions on items, as library functions: register (``issue``) and
every record of what happened since (report, review, extension, 退回, 改派,
new instruction, 回头望, 销号, a slip by hand, a referral decision).

Each takes the ledger lock, loads under it, checks the action against the
status table and the rule pack, appends to the item's log and commits once
(:func:`append_events`).  Numbers are allocated inside that change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken
from duban.commands.clock import not_future
from duban.core.entries import AMENDABLE, AMENDABLE_LABELS, CHANGE_LABELS, SLIP_KINDS, encode
from duban.core.errors import DubanError
from duban.core.escalation import voids
from duban.core.model import Item
from duban.core.pack import REPORT_FIELDS, TIERS
from duban.core.state import (
    ACTIVE,
    as_of,
    extension_cutoff,
    initial_deadline,
    max_deadline,
    open_referrals,
    replay,
    rule_of,
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
    leader: str = "",
    cadence: str = "",
    minutes: date | None = None,
) -> str:
    with change(root, "", "issue") as ch:
        ledger = load(root, only_config=True)
        refuse_if_broken(ledger)
        pack = ledger.pack
        issued = issued or today
        if not title.strip():
            raise DubanError("标题不能为空")
        known(ledger, category, tier, [lead, *co], issued)
        if lead in co or len(set(co)) != len(co):
            raise DubanError("协办单位不能与主办单位相同，也不能重复")
        rule = pack.rule(category, tier)
        if cadence and cadence not in rule.cadences:
            choices = "、".join(f"{k}（{c.describe()}）" for k, c in rule.cadences.items())
            raise DubanError(
                f"“{rule.label}”没有可选的定期报送 “{cadence}”"
                + (f"；可选: {choices}" if choices else "（规则包未设）")
            )
        if minutes is not None and minutes > issued:
            raise DubanError(f"会议纪要印发日期 {minutes} 晚于立项日期 {issued}")
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
        floor = max_item_number(root, year)
        ch.counters.need({("item", year): (1, floor), **({("notice", year): (1, 0)} if ref is None else {})})
        n = ch.counters.next("item", year, floor)
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
            leader=leader,
            cadence=cadence,
            minutes=minutes,
        )
        ch.message = f"督办 {item_id} 立项: {title.strip()}"
        ch.write(item_rel(item_id), text)
    return item_id


def known(ledger: Ledger, category: str | None, tier: str | None, units: list[str], day: date) -> None:
    """Refuse an unknown category or tier, or a unit unknown or retired on ``day`` (None: not given)."""
    pack = ledger.pack
    if category is not None and category not in pack.categories:
        raise DubanError(
            f"未知的类别 “{category}”；可用的类别: "
            + "、".join(f"{k}（{c.label}）" for k, c in pack.categories.items())
        )
    if tier is not None and tier not in TIERS:
        raise DubanError(
            f"未知的等级 “{tier}”；可用的等级: " + "、".join(f"{t}（{pack.tier_label(t)}）" for t in TIERS)
        )
    for u in units:
        if u not in ledger.units:
            raise DubanError(
                f"未知的单位 “{u}”；可用的单位: " + "、".join(f"{k}（{v.name}）" for k, v in ledger.units.items())
            )
        retired = ledger.units[u].retired
        if retired and retired <= day:
            raise DubanError(f"{ledger.unit_name(u)}（{u}）已于 {retired} 撤销，不能再交办事项")


def item_text(
    *,
    item_id,
    title,
    category,
    tier,
    basis,
    ref,
    lead,
    co,
    issued,
    deadline,
    requirement,
    forward=False,
    leader="",
    cadence="",
    minutes=None,
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
    if leader.strip():
        m["leader"] = leader.strip()
    m["lead"] = lead
    m["co"] = flow_list(co)
    m["issued"] = issued
    if deadline is not None:
        m["deadline"] = deadline
    if forward:
        m["forward"] = True
    if cadence:
        m["cadence"] = cadence
    if minutes is not None:
        m["minutes"] = minutes
    if requirement:
        m["requirement"] = LiteralScalarString(requirement.rstrip("\n") + "\n")
    m["log"] = flow_list([flow_map({"date": issued, "kind": "issued"})], block=True)
    return rt_dumps(m)


# ------------------------------------------------------------ appending events


def append_events(
    root: Path,
    item_id: str,
    events: list[dict],
    message: str,
    action: str,
    check=None,
    files: dict | None = None,
    today: date | None = None,
) -> Ledger:
    """Append events to one item's log under the lock, after checking them.

    Each event's ``date`` is when it happened (any day from the item's registration to ``today``); it is
    recorded ``today``.  ``check(ledger, item, state, change)`` sees the state at the close of that day and
    may raise DubanError to refuse (and may complete the events, allocating numbers from
    ``change.counters``).  The events must be allowed where their dates put them, and must not make
    any later record impossible.  The slips and consequences they show to be wrong are voided: a
    ``void`` entry for each is appended to ``events`` (the caller reports them).  ``files`` maps
    ledger paths to files to copy in, in the same commit.
    """
    with change(root, message, action) as ch:
        ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
        refuse_if_broken(ledger)
        item = ledger.item(item_id)
        today = today or max(ev["date"] for ev in events)
        for ev in events:
            in_record(item, ev["date"], today)
        if events and all(already_recorded(item.log, ev) for ev in events):
            return ledger  # a retry of a command that was recorded already: nothing twice
        state = replay(item, min(ev["date"] for ev in events), ledger.pack.words)
        if check:
            check(ledger, item, state, ch)
        for ev in events:
            ev["recorded"] = today
        after = replace(item, log=[*item.log, *events])
        refuse_invalid(item, after, ledger.pack.words)
        gone = voids(after, ledger.pack, today, void_reason(events, today, ledger.pack.words))
        if gone:
            ch.message += "；作废 " + "、".join(voided_text(v, ledger.pack.words) for v in gone)
        events += gone
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


def in_record(item: Item, day: date, today: date) -> None:
    """A record may be dated any day from the item's registration to today."""
    not_future(day, today)
    if day < item.issued:
        raise DubanError(f"{item.id}: 日期 {day} 早于该事项的立项日期 {item.issued}")


def already_recorded(log: list, ev: dict) -> bool:
    """Whether ``ev`` is in ``log`` already, field for field (when it was recorded aside)."""
    want = {k: v for k, v in encode(ev).items() if k != "recorded"}
    return any({k: v for k, v in old.items() if k != "recorded"} == want for old in log if isinstance(old, dict))


def refuse_invalid(item: Item, after: Item, words) -> None:
    """Refuse new entries not allowed at their dates, or that would make a record already kept impossible."""
    now = replay(item)
    if now.status == "withdrawn":
        raise DubanError(f"{item.id}: 该事项已撤销立项，不再记录")
    before = {i for i, _ in now.invalid}
    for i, reason in replay(after, words=words).invalid:
        ev = after.log[i]
        if i >= len(item.log):
            raise DubanError(f"{item.id}: {reason}（{ev['date']}）")
        if i not in before:
            raise DubanError(
                f"{item.id}: 这样记录后，{ev['date']} 的“{words.entry(ev.get('kind', ''))}”将不再成立"
                f"（{reason}）；请核对日期"
            )


def void_reason(events: list[dict], today: date, words) -> str:
    ev = events[0]
    return f"{today} 补记了 {ev['date']} 的{words.entry(ev['kind'])}：文书所据的逾期在下发前已消除"


def voided_text(v: dict, words) -> str:
    return f"{words.entry(v['of'])} {v.get('number') or v.get('rule')}"


def effective(day: date | None, today: date) -> date:
    """The day a record happened: as given, else today; never in the future."""
    day = day or today
    not_future(day, today)
    return day


# -------------------------------------------------------------------- extend


def record(root: Path, item_id: str, ev: dict, message: str, action: str, today: date, check=None, files=None):
    """Append one clerk's entry (dated ``ev['date']``, recorded ``today``); returns the slips it voided, as words."""
    events = [ev]
    words = append_events(root, item_id, events, message, action, check, files, today).pack.words
    return [voided_text(v, words) for v in events if v["kind"] == "void"]


def extend_item(
    root: Path,
    item_id: str,
    *,
    to: date,
    reason: str,
    approved_by: str,
    requested: date | None,
    today: date,
    day: date | None = None,
) -> list[str]:
    """An approved extension, approved on ``day`` (default today); requested on ``requested`` (default ``day``)."""
    day = effective(day, today)
    requested = requested or day

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
        limit = max_deadline(pack, as_of(item, day))
        if limit is not None and to > limit:
            longest = rule_of(pack, item, day)
            assert longest.max is not None  # max_deadline gave a limit
            raise DubanError(
                f"{item.id}: 新期限 {to} 超过了“{longest.label}”的最长期限 {limit}"
                f"（立项后 {longest.max.describe()}；{longest.max.source}）"
            )

    ev = {
        "date": day,
        "kind": "extension",
        "to": to,
        "reason": reason,
        "approved_by": approved_by,
        "requested": requested if requested != day else None,
    }
    return record(root, item_id, ev, f"督办 {item_id} 延期至 {to}: {reason}", "extend", today, check)


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
    investment: str | None = None,
    work: str | None = None,
) -> list[str]:
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
        rule = rule_of(ledger.pack, item, day)
        missing = [REPORT_FIELDS[k] for k in rule.report_requires if ev.get(k) is None]
        if missing:
            raise DubanError(f"{item.id}: “{rule.label}”的报告须说明{'、'.join(missing)}（{rule.source}）")

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
        "investment": (investment or "").strip() or None,
        "work": (work or "").strip() or None,
    }
    what = "办结报告" if final else "进展报告"
    return record(root, item_id, ev, f"督办 {item_id} {what}: {unit}", "report", today, check, files)


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


def review(
    root: Path,
    item_id: str,
    *,
    accept: bool,
    reason: str,
    today: date,
    day: date | None = None,
    due_by: date | None = None,
) -> date | None:
    """Accept a final report (→ done) or return it (退办) with a redo deadline: ``due_by``, else the pack's window."""
    day = effective(day, today)
    due: list[date] = []

    def check(ledger, item, st, _ch):
        if not accept:
            if not reason.strip():
                raise DubanError("退办须写明理由（--reason）")
            window = ledger.pack.process.return_answer
            if due_by is None and window is None:
                raise DubanError("本规则包没有规定退办后的重办期限（process.yaml 的 return），请用 --due 给出重办期限")
            if due_by is not None and due_by < day:
                raise DubanError(f"重办期限 {due_by} 早于退办日期 {day}")
            due.append(due_by or window.apply(ledger.calendar, day))
            ev["due"] = due[0]

    ev = {
        "date": day,
        "kind": "review",
        "result": "accepted" if accept else "returned",
        "reason": reason.strip() or None,
    }
    msg = f"督办 {item_id} 审核通过，办结" if accept else f"督办 {item_id} 退办: {reason.strip()}"
    record(root, item_id, ev, msg, "review", today, check)
    return due[0] if due else None


def transfer_back(root: Path, item_id: str, *, unit: str, reason: str, day: date, today: date) -> list[str]:
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
    return record(root, item_id, ev, f"督办 {item_id} 退回: {unit} 认为不属本单位职责", "transfer-back", today, check)


def reassign(
    root: Path,
    item_id: str,
    *,
    lead: str,
    co: list[str],
    deadline: date | None,
    today: date,
    day: date | None = None,
    reason: str = "",
) -> list[str]:
    """改派: a new lead (and co-units) in any status where the work is owed, or after a 退回."""
    day = effective(day, today)

    def check(ledger, item, st, _ch):
        known(ledger, None, None, [lead, *co], day)
        if lead in co:
            raise DubanError("协办单位不能与主办单位相同")
        if lead == st.lead and co == st.co and st.status != "transferred":
            raise DubanError(f"{item.id}: 主办、协办单位与现在相同，无需改派")
        new = deadline
        if new is None:
            rule = rule_of(ledger.pack, item, day).deadline
            new = st.deadline if rule.kind == "clerk" else rule.apply(ledger.calendar, day)
        if new is not None and new < day:
            raise DubanError(f"期限 {new} 已过，请用 --deadline 给出新的期限")
        ev["deadline"] = new

    ev = {"date": day, "kind": "reassign", "lead": lead, "co": flow_list(co), "reason": reason.strip() or None}
    return record(root, item_id, ev, f"督办 {item_id} 改派: 主办 {lead}", "reassign", today, check)


def instruct(
    root: Path,
    item_id: str,
    *,
    text: str,
    deadline: date | None,
    by_whom: str,
    today: date,
    day: date | None = None,
) -> list[str]:
    day = effective(day, today)

    def check(ledger, item, st, _ch):
        if st.status == "closed":
            raise DubanError(f"{item.id}: 已注结销号的事项不能重新打开；新的批示请另行立项（duban issue）")
        new = deadline
        if new is None and st.status in ("done", "reported"):
            rule = rule_of(ledger.pack, item, day).deadline
            if rule.kind == "clerk":
                raise DubanError(f"{item.id}: 重新打开须给出新的期限（--deadline）")
            new = rule.apply(ledger.calendar, day)
        if new is not None and new < day:
            raise DubanError(f"期限 {new} 早于批示日期 {day}")
        ev["deadline"] = new

    ev = {"date": day, "kind": "instruction", "text": text.strip(), "by_whom": by_whom or None}
    return record(root, item_id, ev, f"督办 {item_id} 新批示: {text.strip()[:30]}", "instruct", today, check)


def lookback(root: Path, item_id: str, *, text: str, today: date, day: date | None = None) -> None:
    ev = {"date": effective(day, today), "kind": "lookback_done", "text": text.strip()}
    record(root, item_id, ev, f"督办 {item_id} 回头望", "lookback", today)


def close(root: Path, item_id: str, *, text: str, today: date, day: date | None = None) -> None:
    day = effective(day, today)

    def check(ledger, item, st, _ch):
        rule = rule_of(ledger.pack, item, day)
        if st.status == "done" and rule.lookback is not None and rule.lookback_until != "done":
            done = st.done_on
            if not any(ev.get("kind") == "lookback_done" and done <= ev["date"] <= day for ev in item.log):
                raise DubanError(
                    f"{item.id}: “{rule.label}”须在办结后做回头望（{rule.lookback.source}），"
                    f"请先用 duban lookback 记录，再注结销号"
                )

    ev = {"date": day, "kind": "close", "text": text.strip() or None}
    record(root, item_id, ev, f"督办 {item_id} 注结销号", "close", today, check)


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
        no = f"{today.year}-{ch.counters.next(ledger.pack.process.paper(step), today.year)}"
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
    record(root, item_id, ev, "", "escalate", today, check)
    return number[0]


def refer(root: Path, item_id: str, *, approve: bool, text: str, today: date, day: date | None = None) -> str:
    day = effective(day, today)
    found: list[str] = []

    def check(ledger, item, st, ch):
        from duban.commands.events import proposal_event

        slip = ledger.pack.words.entry("referral")
        open_ = open_referrals(item.log)
        if not open_:
            raise DubanError(f"{item.id}: 没有待决定的{slip}（建议）")
        found.append(open_[-1]["number"])
        ev["number"] = open_[-1]["number"]
        ch.message = f"督办 {item_id} {slip} {ev['number']} {'批准' if approve else '不批准'}"
        if approve:  # a proposed 通报批评 (a step that ``proposes`` a unit event) counts once approved
            ev["note"] = proposal_event(ledger, item, open_[-1], today, text.strip(), ch)

    ev = {
        "date": day,
        "kind": "referral_decision",
        "decision": "approved" if approve else "rejected",
        "text": text.strip() or None,
    }
    record(root, item_id, ev, "", "refer", today, check)
    return found[0]


# ------------------------------------------------------ corrections (更正, 撤销立项)


def amend(
    root: Path,
    item_id: str,
    *,
    new: dict,
    reason: str,
    today: date,
    day: date | None = None,
    recompute_deadline: bool = False,
) -> dict[str, dict]:
    """Correct the item's registered fields (``new``: field → value; None: unchanged) from ``day`` on.

    Recorded as one ``amendment`` entry with each changed field's old and new value; the file's own
    fields stay as registered.  The deadline changes only through ``extend`` (or ``reassign``/``instruct``),
    or here when the clerk asks for the pack's deadline of the corrected category and tier
    (``recompute_deadline``; the deadline entry then shows as ``changes.deadline``)."""
    day = effective(day, today)
    unknown = set(new) - set(AMENDABLE)
    if unknown:
        raise DubanError(
            f"不能更正的字段: {'、'.join(sorted(unknown))}（可更正: {'、'.join(AMENDABLE_LABELS.values())}）"
        )
    if not reason.strip():
        raise DubanError("更正须写明理由（--reason）")
    changes: dict[str, dict] = {}

    def check(ledger, item, st, ch):
        current = as_of(item, day)
        given = {k: v for k, v in new.items() if v is not None}
        if "title" in given and not str(given["title"]).strip():
            raise DubanError("标题不能为空")
        known(ledger, given.get("category"), given.get("tier"), list(given.get("co") or []), day)
        if "co" in given and (st.lead in given["co"] or len(set(given["co"])) != len(given["co"])):
            raise DubanError("协办单位不能与主办单位相同，也不能重复")
        for k, v in given.items():
            old = st.co if k == "co" else getattr(current, k)
            value = list(v) if k == "co" else str(v).strip()
            if value != old:
                changes[k] = {
                    "old": flow_list(old) if k == "co" else old or None,
                    "new": flow_list(value) if k == "co" else value,
                }
        if recompute_deadline:
            fixed = replace(current, **{k: c["new"] for k, c in changes.items() if k in ("category", "tier")})
            deadline = initial_deadline(ledger.pack, fixed.category, fixed.tier, item.issued)
            if deadline is None or item.forward:
                raise DubanError(f"{item.id}: 该类事项的期限由督查室逐项确定，请用 duban extend 改期限")
            if deadline < day and deadline != st.deadline:
                raise DubanError(
                    f"{item.id}: 按规则包重算的期限 {deadline} 早于更正日期 {day}；请用 duban extend 给出期限"
                )
            if deadline != st.deadline:
                ev["deadline"] = deadline
                changes["deadline"] = {"old": st.deadline, "new": deadline}
        if not changes:
            raise DubanError(f"{item.id}: 给出的值与现在相同，没有要更正的")
        ev["changes"] = flow_map({k: c for k, c in changes.items() if k != "deadline"})
        ch.message = f"督办 {item.id} 更正 {'、'.join(CHANGE_LABELS[k] for k in changes)}: {reason.strip()[:30]}"

    ev = {"date": day, "kind": "amendment", "changes": None, "reason": reason.strip()}
    record(root, item_id, ev, "", "amend", today, check)
    return changes


def withdraw(root: Path, item_id: str, *, reason: str, today: date, day: date | None = None) -> None:
    """撤销立项: the item was registered by mistake.  It stays on file with its id and 文号 (never given again),
    marked withdrawn, and leaves lists, sweeps and scores."""
    if not reason.strip():
        raise DubanError("撤销立项须写明理由（--reason）")
    ev = {"date": effective(day, today), "kind": "withdrawal", "reason": reason.strip()}
    record(root, item_id, ev, f"督办 {item_id} 撤销立项: {reason.strip()[:30]}", "withdraw", today)
