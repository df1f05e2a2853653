"""Commands at the clerk's desk: set up, the 台账, one item, checks, history, the calendar and the pack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from duban.cli.common import (
    TIER_STYLE,
    JsonOpt,
    LedgerOpt,
    TodayOpt,
    app,
    console,
    exit_for,
    out_json,
    report_problems,
    root_of,
    where,
)
from duban.core.errors import DubanError


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="新台账目录（须不存在或为空）")],
    pack: Annotated[
        str | None, typer.Option("--pack", help="规则包名称，默认 baqiao-2018；写错时列出随附的全部规则包")
    ] = None,
    sample: Annotated[bool, typer.Option("--sample", help="附带示例单位和示例事项")] = False,
):
    """新建台账：写入默认设置、规则包和表单模板，git init 并做第一次提交。"""
    from duban.commands.setup import init_ledger

    root = init_ledger(path, sample, pack)
    print(f"已建立台账: {root}")


@app.command("list")
def list_(
    status: Annotated[
        str | None, typer.Option("--status", help="状态: open/reported/returned/transferred/done/closed/forwarded")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="主办或协办单位代号")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="等级 red/yellow/blue")] = None,
    category: Annotated[str | None, typer.Option("--category", help="类别")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期事项")] = False,
    due_within: Annotated[int | None, typer.Option("--due-within", help="只列 N 天内到期的在办事项")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """督查台账：按期限排序列出事项，可筛选。"""
    from duban.commands.queries import Filters, list_items

    root, day = where(ledger, today)
    led, rows = list_items(root, Filters(status, unit, tier, category, overdue, due_within), day)
    report_problems(led)
    if json_:
        out_json(rows)
    else:
        _print_list(rows)
    exit_for(led)


def _print_list(rows) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"督查台账（{len(rows)} 项）", show_lines=False)
    for col in ("编号", "等级", "标题", "类别", "主办单位", "期限", "状态", "剩余/逾期"):
        table.add_column(col, overflow="fold", no_wrap=col in ("编号", "等级", "期限"))
    for v in rows:
        table.add_row(
            Text(v["id"]),
            Text(v["tier_short"], style=TIER_STYLE.get(v["tier"], "")),
            Text(v["title"]),
            Text(v["category_label"]),
            Text(v["lead_name"]),
            Text(v["deadline"] or ""),
            Text(v["status_label"] + ("（已延期）" if v["extended"] else "")),
            _left(v),
        )
    console().print(table)


def _left(v: dict):
    from rich.text import Text

    if v["overdue"]:
        return Text(f"逾期 {v['days_overdue']} 天", style="bold red")
    if v["due_soon"]:
        return Text(f"剩 {v['days_left']} 天", style="yellow")
    return Text(f"剩 {v['days_left']} 天" if v["days_left"] is not None else "")


@app.command()
def show(
    item: Annotated[str, typer.Argument(help="事项编号，如 2026-0007")],
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """显示一个事项的全部字段、办理记录和推算状态。"""
    from duban.commands.queries import show_item

    root, day = where(ledger, today)
    led, v = show_item(root, item, day)
    report_problems(led)
    if json_:
        out_json(v)
    else:
        _print_item(v, led.pack.words)
    exit_for(led)


def _print_item(v: dict, words) -> None:
    from rich.table import Table
    from rich.text import Text

    con = console()
    con.print(f"{v['id']}  {v['title']}", style="bold", markup=False)
    state = Text(v["status_label"])
    if v["overdue"]:
        state.append(f"，逾期 {v['days_overdue']} 天（{v['working_days_overdue']} 个工作日）", style="bold red")
    elif v["due_soon"]:
        state.append(f"，临期：剩 {v['days_left']} 天", style="yellow")
    elif v["days_left"] is not None:
        state.append(f"，剩 {v['days_left']} 天（{v['working_days_left']} 个工作日）")
    tier = Text(v["tier_short"], style=TIER_STYLE.get(v["tier"], ""))
    tier.append(f" {v['tier_label']}")
    fields = [
        ("类别", v["category_label"]),
        ("等级", tier),
        ("立项依据", v["basis"]),
        ("通知单文号", v["ref"]),
        ("主办单位", v["lead_name"]),
        ("协办单位", "、".join(v["co_names"])),
        ("立项日期", v["issued"]),
        ("办理期限", (v["deadline"] or "") + (f"（原定 {v['original_deadline']}，已延期）" if v["extended"] else "")),
        ("状态", state),
        ("定期报送", v.get("cadence") or "无"),
    ]
    if v.get("missing_reports"):
        fields.append(("缺报", "、".join(v["missing_reports"])))
    if v.get("next_lookback"):
        fields.append(("下次回头望", v["next_lookback"]))
    if v.get("calendar_problem"):
        fields.append(("日历", v["calendar_problem"]))
    fields.append(("办理要求", v["requirement"].strip()))
    for k, val in fields:
        if val:
            con.print(Text(f"  {k}：").append(val if isinstance(val, Text) else Text(str(val))), highlight=False)
    table = Table(title="办理记录", show_lines=False)
    for col in ("日期", "事件", "内容"):
        table.add_column(col, overflow="fold")
    for ev in v["log"]:
        rest = "；".join(f"{k}={val}" for k, val in ev.items() if k not in ("date", "kind"))
        table.add_row(Text(str(ev.get("date", ""))), Text(words.entry(ev.get("kind", ""))), Text(rest))
    con.print(table)


@app.command()
def check(json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """检查整个台账，逐条列出问题（文件:行号: 说明）；有错误时退出码为 1。"""
    from duban.commands.checks import check_ledger

    root, day = where(ledger, today)
    problems = check_ledger(root, day)
    if json_:
        out_json([p.as_dict() for p in problems])
    else:
        con = console()
        for p in problems:
            con.print(str(p), markup=False, highlight=False)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        print(f"检查完毕: {errors} 个错误, {warnings} 个警告" if problems else "检查完毕: 没有发现问题")
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


@app.command()
def log(item: Annotated[str, typer.Argument(help="事项编号")], json_: JsonOpt = False, ledger: LedgerOpt = None):
    """从 git 历史显示一个事项的每一次改动。"""
    from duban.store.git import log_entries
    from duban.store.ledger import item_rel, normalize_id

    root = root_of(ledger)
    item_id = normalize_id(item)
    rows = log_entries(root, item_rel(item_id))
    if not rows:
        raise DubanError(f"git 历史中没有事项 {item_id} 的记录")
    if json_:
        out_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{item_id} 的改动历史")
    for col in ("提交", "时间", "操作人", "说明"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(Text(r[k]) for k in ("commit", "date", "author", "message")))
    console().print(table)


@app.command()
def verify(
    all_: Annotated[bool, typer.Option("--all", help="从第一个提交起重新核验（默认只核验上次之后的新提交）")] = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """从 git 历史核验台账只增不改：已提交的记录未被删改、编号未重复使用、事项文件未在 duban 之外被删除；有问题时退出码为 1。"""
    from duban.commands.verify import verify as do_verify

    root = root_of(ledger)
    found, n = do_verify(root, all_)
    if json_:
        out_json({"commits": n, "violations": [v.as_dict() for v in found]})
    else:
        for v in found:
            print(v)
        print(f"核验了 {n} 个提交: " + (f"{len(found)} 处违规" if found else "历史完整，只增未改"))
    if found:
        raise typer.Exit(1)


@app.command()
def undo(
    list_: Annotated[bool, typer.Option("--list", help="只列出依次撤销时会撤销的操作，不做改动")] = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
):
    """撤销最近一次尚未撤销的 duban 操作；再次撤销则再往前一步。手工提交不能撤销，也不能跨过改动同一文件的手工提交。"""
    from duban.store.history import undo as do_undo
    from duban.store.history import undo_stack

    root = root_of(ledger)
    if list_:
        stack = undo_stack(root)
        if json_:
            out_json([{**u.commit.row(), "blocked": u.blocked} for u in stack])
            return
        con = console()
        if not stack:
            print("没有可撤销的 duban 操作")
        for i, u in enumerate(stack, 1):
            c = u.commit
            line = f"{i}. {c.sha[:10]} {c.date} {c.subject}" + (f"（不能撤销: {u.blocked}）" if u.blocked else "")
            con.print(line, markup=False, highlight=False)
        return
    from duban.store.ledger import load_config

    cfg = load_config(root)
    console().print(do_undo(root, (cfg.author_name, cfg.author_email)), markup=False, highlight=False)


@app.command()
def calendar(
    span: Annotated[list[str] | None, typer.Argument(help="年份，或 起始日期 结束日期；默认今年")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """显示工作日日历（节假日与调休上班日），便于与国务院放假通知核对。"""
    from duban.commands.queries import calendar_days

    root, day = where(ledger, today)
    start, stop, whole_year, days = calendar_days(root, span or [], day)
    if json_:
        out_json(days)
        return
    from rich.table import Table
    from rich.text import Text

    styles = {"holiday": "red", "adjusted_workday": "yellow"}
    table = Table(title=f"{start} 至 {stop} 的" + ("节假日与调休" if whole_year else "工作日日历"))
    for col in ("日期", "星期", "类型", "名称"):
        table.add_column(col)
    for r in days:
        table.add_row(r["date"], r["weekday"], Text(r["kind_label"], style=styles.get(r["kind"], "")), Text(r["name"]))
    console().print(table)


@app.command()
def rules(
    check_path: Annotated[
        Path | None, typer.Option("--check", help="只校验这个规则包目录，逐条列出 文件:行 问题")
    ] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """按督查室读法列出当前规则包：各类别、等级的期限、定期报送、回头望，督办流程，考核计分表及条款。"""
    from duban.outputs.packview import (
        category_rows,
        process_rows,
        scoring_rows,
        scoring_summary,
    )
    from duban.store.packs import load_pack

    if check_path:
        folder = check_path.expanduser().resolve()
        if not folder.is_dir():
            raise DubanError(f"{folder} 不是目录")
        pack, problems = load_pack(folder, str(check_path))
        for p in problems:
            print(p)
        errors = sum(p.severity == "error" for p in problems)
        print(
            f"规则包 {pack.name or folder.name}: {errors} 个错误" if problems else f"规则包 {pack.name}: 没有发现问题"
        )
        if errors:
            raise typer.Exit(1)
        return
    from duban.store.ledger import load

    root = root_of(ledger)
    led = load(root, only_config=True)  # the pack, not the items
    report_problems(led)
    pack = led.pack
    sections = {
        "categories": category_rows(pack),
        "process": process_rows(pack),
        "scoring": scoring_rows(pack) if pack.scoring.rules else [],
    }
    if json_:
        out_json(
            {
                "name": pack.name,
                "title": pack.title,
                "document": pack.document,
                "scoring_summary": scoring_summary(pack) if pack.scoring.rules else None,
                **sections,
            }
        )
        return
    from rich.table import Table
    from rich.text import Text

    con = console()
    con.print(f"{pack.title}（{pack.document}，规则包 {pack.name}）", style="bold", markup=False)
    heads = {
        "categories": ("类别与期限", ["类别", "等级", "办理期限", "最长", "定期报送", "回头望", "依据"]),
        "process": ("督办流程", ["环节", "规定", "依据"]),
        "scoring": ("考核计分表", ["编号", "项目", "计什么", "分值", "依据"]),
    }
    for key, (title, cols) in heads.items():
        if not sections[key]:
            con.print(f"{title}：本规则包未规定" + ("（没有 scoring.yaml）" if key == "scoring" else ""))
            continue
        table = Table(title=title, show_lines=True)
        for col in cols:
            table.add_column(col, overflow="fold")
        for row in sections[key]:
            table.add_row(*map(Text, row))
        con.print(table)
        if key == "scoring":
            con.print(scoring_summary(pack), markup=False)
    exit_for(led)
