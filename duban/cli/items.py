"""Commands that record what happened to an item (and to a unit): issue, report, review, extend …"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from duban.cli.common import (
    ItemArg,
    JsonOpt,
    LedgerOpt,
    NoFormsOpt,
    TodayOpt,
    app,
    date_arg,
    date_opt,
    out_json,
    read_text,
    render_after,
    when,
    where,
)
from duban.core.errors import DubanError

DateOpt = Annotated[
    str | None, typer.Option("--date", help="实际发生日期（收到、批准、签批之日），默认今天；可补记立项以来的任何一天")
]


def said_voids(voided: list[str]) -> None:
    """What a back-dated record voided: the clerk recalls those paper slips."""
    for v in voided:
        print(f"已作废 {v}（补记的记录表明其所据逾期在下发前已消除；请收回纸质文书）")


@app.command()
def issue(
    title: Annotated[str, typer.Option("--title", help="事项标题")],
    category: Annotated[str, typer.Option("--category", help="类别（规则包 categories.yaml 的键）")],
    tier: Annotated[str, typer.Option("--tier", help="等级: red / yellow / blue")],
    lead: Annotated[str, typer.Option("--lead", help="主办单位代号")],
    co: Annotated[list[str] | None, typer.Option("--co", help="协办单位代号，可重复")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="立项日期，默认今天")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="办理期限；默认按规则包计算")] = None,
    basis: Annotated[str, typer.Option("--basis", help="立项依据（谁的批示、哪次会议）")] = "",
    ref: Annotated[str | None, typer.Option("--ref", help="督查通知单文号；默认自动编号")] = None,
    requirement: Annotated[str, typer.Option("--requirement", help="办理要求")] = "",
    forward: Annotated[bool, typer.Option("--forward", help="转阅(办)件：不需报送落实情况")] = False,
    leader: Annotated[str, typer.Option("--leader", help="责任领导")] = "",
    cadence: Annotated[
        str,
        typer.Option("--cadence", help="定期报送（规则包该类别可选的，如 weekly 周报 / monthly 月报）；默认不定期报送"),
    ] = "",
    minutes_date: Annotated[
        str | None, typer.Option("--minutes-date", help="会议纪要印发日期（会议决定事项：督查通知应在其后一周内下发）")
    ] = None,
    no_forms: NoFormsOpt = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """立项交办一个督查事项，打印其编号；并生成督查通知单（转阅件为转阅单）到 out/。"""
    from duban.commands.items import issue_item
    from duban.commands.publish import ledger_with
    from duban.outputs.views import item_view

    root, day = where(ledger, today)
    item_id = issue_item(
        root,
        title=title,
        category=category,
        tier=tier,
        lead=lead,
        co=list(co or []),
        issued=date_opt(issued, "--issued"),
        deadline=date_opt(deadline, "--deadline"),
        basis=basis,
        ref=ref,
        requirement=requirement,
        today=day,
        forward=forward,
        leader=leader,
        cadence=cadence,
        minutes=date_opt(minutes_date, "--minutes-date"),
    )
    from duban.core.escalation import notice_late

    led = ledger_with(root, [item_id])
    late = notice_late(led.item(item_id), led.pack)
    if late:
        typer.echo(f"注意：{late}", err=True)
    if not no_forms:
        render_after(root, [("forward" if forward else "notice", item_id, None)], day)
    if json_:
        out_json(item_view(led, led.item(item_id), day))
    else:
        print(item_id)


@app.command()
def extend(
    item: Annotated[str, typer.Argument(help="事项编号")],
    to: Annotated[str, typer.Option("--to", help="新的办理期限 YYYY-MM-DD")],
    reason: Annotated[str, typer.Option("--reason", help="延期理由")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="批准人（如 分管副区长）")],
    requested: Annotated[str | None, typer.Option("--requested", help="申请日期，默认为批准日期")] = None,
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录经批准的延期（--date 批准日期）；申请晚于规则包的截止日或超过最长期限时拒绝。"""
    from duban.commands.items import extend_item

    root, day, on_day = when(ledger, today, on)
    voided = extend_item(
        root,
        item,
        to=date_arg(to, "--to"),
        reason=reason,
        approved_by=approved_by,
        requested=date_opt(requested, "--requested"),
        today=day,
        day=on_day,
    )
    print(f"{item} 已延期至 {to}")
    said_voids(voided)


@app.command()
def report(
    item: ItemArg,
    unit: Annotated[str, typer.Option("--unit", help="报送单位代号（主办或协办）")],
    text: Annotated[str | None, typer.Option("--text", help="落实情况")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="从文本文件读入落实情况")] = None,
    percent: Annotated[int | None, typer.Option("--percent", help="完成百分比 0–100")] = None,
    investment: Annotated[str | None, typer.Option("--investment", help="已完成投资额（项目类，如 1200万元）")] = None,
    work: Annotated[str | None, typer.Option("--work", help="已完成工程量（项目类）")] = None,
    final: Annotated[bool, typer.Option("--final", help="办结报告（主办单位），待审核")] = False,
    attachment: Annotated[list[Path] | None, typer.Option("--attachment", help="附件，可重复")] = None,
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录承办单位报送的进展报告或办结报告（--date 收到日期；是否逾期由规则推算）。"""
    from duban.commands.items import report as do

    root, day, on_day = when(ledger, today, on)
    if (text is None) == (file is None):
        raise DubanError("请给出 --text 或 --file 之一")
    body = read_text(file) if file is not None else text or ""
    voided = do(
        root,
        item,
        unit=unit,
        day=on_day or day,
        text=body,
        percent=percent,
        final=final,
        attachments=list(attachment or []),
        today=day,
        investment=investment,
        work=work,
    )
    print(f"{item} 已记录{'办结' if final else '进展'}报告")
    said_voids(voided)


class ReviewDecision(str, Enum):
    accept = "accept"
    return_ = "return"


class ReferDecision(str, Enum):
    approve = "approve"
    reject = "reject"


@app.command()
def review(
    item: ItemArg,
    decision: Annotated[ReviewDecision, typer.Argument(help="accept（审核通过，办结）或 return（退办重办）")],
    reason: Annotated[str, typer.Option("--reason", help="审核意见；退办时必填")] = "",
    due: Annotated[str | None, typer.Option("--due", help="退办的重办期限；默认按规则包 return 计算")] = None,
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """审核办结报告：accept 办结，return 退办（重办期限按规则包，或用 --due 给出）。"""
    from duban.commands.items import review as do

    root, day, on_day = when(ledger, today, on)
    accept = decision is ReviewDecision.accept
    redo = do(root, item, accept=accept, reason=reason, today=day, day=on_day, due_by=date_opt(due, "--due"))
    print(f"{item} 已办结" if accept else f"{item} 已退办，重办期限 {redo}")


@app.command("transfer-back")
def transfer_back(
    item: ItemArg,
    unit: Annotated[str, typer.Option("--unit", help="提出退回的主办单位")],
    reason: Annotated[str, typer.Option("--reason", help="不属本单位职责的理由")],
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录承办单位退回（不属本单位职责，--date 提出日期）；超过规则包规定的时限时拒绝。"""
    from duban.commands.items import transfer_back as do

    root, day, on_day = when(ledger, today, on)
    voided = do(root, item, unit=unit, reason=reason, day=on_day or day, today=day)
    print(f"{item} 已退回，待改派（duban reassign）")
    said_voids(voided)


@app.command()
def reassign(
    item: ItemArg,
    lead: Annotated[str, typer.Option("--lead", help="新的主办单位")],
    co: Annotated[list[str] | None, typer.Option("--co", help="协办单位，可重复")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="新的期限；默认按规则重算")] = None,
    reason: Annotated[str, typer.Option("--reason", help="改派理由")] = "",
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """改派：把办理中、退办或已退回的事项交给新的承办单位。"""
    from duban.commands.items import reassign as do

    root, day, on_day = when(ledger, today, on)
    voided = do(
        root,
        item,
        lead=lead,
        co=list(co or []),
        deadline=date_opt(deadline, "--deadline"),
        today=day,
        day=on_day,
        reason=reason,
    )
    print(f"{item} 已改派给 {lead}")
    said_voids(voided)


@app.command()
def instruct(
    item: ItemArg,
    text: Annotated[str, typer.Option("--text", help="新的领导批示内容")],
    deadline: Annotated[str | None, typer.Option("--deadline", help="新的期限")] = None,
    by_whom: Annotated[str, typer.Option("--by", help="批示领导")] = "",
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录新的领导批示（--date 签批日期）；已办结的事项重新打开并给出新期限。"""
    from duban.commands.items import instruct as do

    root, day, on_day = when(ledger, today, on)
    voided = do(
        root,
        item,
        text=text,
        deadline=date_opt(deadline, "--deadline"),
        by_whom=by_whom,
        today=day,
        day=on_day,
    )
    print(f"{item} 已记录新批示")
    said_voids(voided)


@app.command()
def lookback(
    item: ItemArg,
    text: Annotated[str, typer.Option("--text", help="回头望情况")],
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录一次回头望。"""
    from duban.commands.items import lookback as do

    root, day, on_day = when(ledger, today, on)
    do(root, item, text=text, today=day, day=on_day)
    print(f"{item} 已记录回头望")


@app.command()
def close(
    item: ItemArg,
    text: Annotated[str, typer.Option("--text", help="销号说明")] = "",
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """注结销号：已办结且按规定做过回头望的事项。"""
    from duban.commands.items import close as do

    root, day, on_day = when(ledger, today, on)
    do(root, item, text=text, today=day, day=on_day)
    print(f"{item} 已注结销号")


@app.command()
def escalate(
    item: ItemArg,
    step: Annotated[str, typer.Option("--step", help="reminder / urge / warning / referral")],
    reason: Annotated[str, typer.Option("--reason", help="事由（进展缓慢、质量不高、作风问题……）")],
    no_forms: NoFormsOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """人工下发督办文书（reminder / urge / warning / referral，名称按规则包），编号与巡查一致，并生成 Word 文书。"""
    from duban.commands.items import escalate as do

    root, day = where(ledger, today)
    no = do(root, item, step=step, reason=reason, today=day)
    print(f"{item} 已下发 {no}")
    if not no_forms:
        render_after(root, [(step, item, no)], day)


@app.command()
def refer(
    item: ItemArg,
    decision: Annotated[ReferDecision, typer.Argument(help="approve（批准移交）或 reject（不批准）")],
    text: Annotated[str, typer.Option("--text", help="批示意见")] = "",
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录政府对移交（追责问效）建议的决定（建议本身保留在记录中）。"""
    from duban.commands.items import refer as do

    root, day, on_day = when(ledger, today, on)
    approve = decision is ReferDecision.approve
    no = do(root, item, approve=approve, text=text, today=day, day=on_day)
    print(f"{item} 移交建议 {no} 已{'批准' if approve else '不批准'}")


@app.command()
def event(
    unit: Annotated[str, typer.Argument(help="单位代号")],
    kind: Annotated[str, typer.Argument(help="事件类型（规则包 process.yaml 的 unit_events，如 criticism）")],
    level: Annotated[
        str | None, typer.Option("--level", help="级别: national / province / prefecture / county")
    ] = None,
    item: Annotated[str | None, typer.Option("--item", help="相关事项编号")] = None,
    on: Annotated[str | None, typer.Option("--date", help="日期，默认今天")] = None,
    note: Annotated[str, typer.Option("--note", help="说明")] = "",
    received: Annotated[
        str | None, typer.Option("--received", help="收到所针对文书（如督查通报）的日期；复核申请须写明")
    ] = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录单位层面的事件（通报表扬 / 通报批评 / 抽调人员 / 不配合督查 …），供考核和后果计数。"""
    from duban.commands.events import record

    root, day, on_day = when(ledger, today, on)
    happened = on_day or day
    ev_id = record(
        root,
        unit=unit,
        kind=kind,
        level=level,
        item=item,
        day=happened,
        note=note,
        today=day,
        received=date_opt(received, "--received"),
    )
    from duban.commands.queries import settings

    led = settings(root)
    label = led.pack.process.unit_events.get(kind, {}).get("label", kind)
    level_word = f"（{led.pack.words.word('level', level)}）" if level else ""
    about = f"，涉及事项 {item}" if item else ""
    print(f"已记录单位事件 {ev_id}：{led.unit_name(unit)} {happened} {label}{level_word}{about}")


@app.command()
def amend(
    item: ItemArg,
    reason: Annotated[str, typer.Option("--reason", help="更正理由")],
    title: Annotated[str | None, typer.Option("--title", help="事项标题")] = None,
    category: Annotated[str | None, typer.Option("--category", help="类别")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="等级: red / yellow / blue")] = None,
    co: Annotated[list[str] | None, typer.Option("--co", help="协办单位（全部列出，可重复）")] = None,
    no_co: Annotated[bool, typer.Option("--no-co", help="取消全部协办单位")] = False,
    basis: Annotated[str | None, typer.Option("--basis", help="立项依据")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="督查通知单文号")] = None,
    requirement: Annotated[str | None, typer.Option("--requirement", help="办理要求")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="责任领导")] = None,
    recompute_deadline: Annotated[
        bool, typer.Option("--recompute-deadline", help="按更正后的类别、等级重算规则包的期限（默认期限不变）")
    ] = False,
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """更正事项的登记内容（标题、类别、等级、协办单位、依据、文号、要求、责任领导），记下原值与新值；期限只能通过延期改变，主办单位通过改派。"""
    from duban.commands.items import amend as do

    root, day, on_day = when(ledger, today, on)
    if co and no_co:
        raise DubanError("--co 与 --no-co 不能同时给出")
    new = {
        "title": title,
        "category": category,
        "tier": tier,
        "co": [] if no_co else (list(co) if co else None),
        "basis": basis,
        "ref": ref,
        "requirement": requirement,
        "leader": leader,
    }
    changes = do(
        root,
        item,
        new=new,
        reason=reason,
        today=day,
        day=on_day,
        recompute_deadline=recompute_deadline,
    )
    from duban.core.entries import CHANGE_LABELS

    for k, c in changes.items():
        print(f"{item} {CHANGE_LABELS[k]}: {c['old'] or '（空）'} → {c['new'] or '（空）'}")


@app.command()
def withdraw(
    item: ItemArg,
    reason: Annotated[str, typer.Option("--reason", help="撤销理由（如 误立项、重复立项）")],
    on: DateOpt = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """撤销立项：误立的事项保留在台账中（编号、文号不再使用），不再出现在清单、巡查和考核中。"""
    from duban.commands.items import withdraw as do

    root, day, on_day = when(ledger, today, on)
    do(root, item, reason=reason, today=day, day=on_day)
    print(f"{item} 已撤销立项")


@app.command()
def fulfil(
    event_id: Annotated[str, typer.Argument(help="后果的编号（日报“待督查室处理”所列，如 2026-0003）")],
    on: Annotated[
        str | None, typer.Option("--date", help="履行日期（如收到书面整改报告、作出复核决定），默认今天")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="说明（如整改报告文号、复核结论）")] = "",
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """记录后果所要求的事项已履行（安康：一周内书面整改报告；卓尼：30 日内复核决定）；未履行的，巡查每日提示。"""
    from duban.commands.events import fulfil as do

    root, day, on_day = when(ledger, today, on)
    print(do(root, event_id, day=on_day or day, note=note, today=day))
