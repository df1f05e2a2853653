"""Commands at the clerk's desk: set up, the 台账, one item, checks, history, the calendar and the pack."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from duban.cli.common import (
    ItemArg,
    JsonOpt,
    LedgerOpt,
    TodayOpt,
    app,
    busy,
    complete_category,
    complete_tier,
    complete_unit,
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
        list[str] | None,
        typer.Option(
            "--status",
            help="状态，可重复（任一即可）: open/reported/returned/transferred/done/closed/forwarded/withdrawn；"
            "默认只列在办的（open/reported/returned/transferred）",
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="列出全部事项，包括已办结、已销号和转阅件")] = False,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="主办或协办单位代号，可重复", autocompletion=complete_unit)
    ] = None,
    tier: Annotated[
        list[str] | None, typer.Option("--tier", help="等级 red/yellow/blue，可重复", autocompletion=complete_tier)
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="类别，可重复", autocompletion=complete_category)
    ] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="责任领导（姓名的一部分即可）")] = None,
    text: Annotated[str | None, typer.Option("--text", help="标题、办理要求、立项依据或文号中含有这段文字")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期事项")] = False,
    due_within: Annotated[int | None, typer.Option("--due-within", help="只列 N 天内到期的在办事项")] = None,
    xlsx_path: Annotated[
        Path | None, typer.Option("--xlsx", help="另存为 Excel 台账（A4 横向打印，每页重复表头）")
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="另存为 CSV 台账（Excel 可直接打开）")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """督查台账：默认列出在办事项，最紧急的在前（逾期、临期、剩余天数）；可筛选，可导出 Excel。"""
    from duban.commands.queries import Filters, list_items

    root, day = where(ledger, today)
    filters = Filters(
        status=tuple(status or ()),
        unit=tuple(unit or ()),
        tier=tuple(tier or ()),
        category=tuple(category or ()),
        overdue=overdue,
        due_within=due_within,
        all=all_,
        leader=leader,
        text=text,
    )
    with busy("正在读取台账……"):
        led, rows = list_items(root, filters, day, table=not (json_ or xlsx_path or csv_path))
    report_problems(led)
    written = []
    if xlsx_path or csv_path:
        from duban.commands.publish import write_export
        from duban.outputs.ledger_xlsx import ledger_csv, ledger_xlsx

        if xlsx_path:
            written.append(write_export(xlsx_path, ledger_xlsx(led, rows, day), led.root))
        if csv_path:
            written.append(write_export(csv_path, ledger_csv(led, rows), led.root))
    if json_:
        out_json(rows)
    elif not written:
        _print_list(rows, led, filters)
    for path in written:
        print(f"已导出: {path}（{len(rows)} 项）", file=sys.stderr if json_ else sys.stdout)
    exit_for(led)


def _print_list(rows, led, filters) -> None:
    """A rich table on a wide terminal; a narrow one gets each item's unit and title on an indented line under
    its figures; pipes and files one plain line per item (for grep), the title last and whole."""
    from duban.outputs.listing import LIGHT_STYLE, LIST_HEAD, TIER_STYLE, list_caption, list_cells, plain_list

    caption = list_caption(len(rows), filters.all, filters.status)
    con = console()
    if not con.is_terminal:
        sys.stdout.write(plain_list(caption, rows))
        return
    if con.width < 120:
        from duban.outputs.table import plain_lines

        all_cells = [list_cells(v) for v in rows]
        figures = plain_lines(LIST_HEAD[:-2], [c[:-2] for c in all_cells], gap=1)
        lines = [figures[0]] + [f"{f}\n    {c[-2]}  {c[-1]}" for f, c in zip(figures[1:], all_cells, strict=True)]
        sys.stdout.write("\n".join([caption, *lines]) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=caption, show_lines=False, box=None, header_style="bold")
    for col in LIST_HEAD:
        table.add_column(col, overflow="fold", no_wrap=col != "标题", min_width=20 if col == "标题" else None)
    for v in rows:
        cells = list_cells(v)
        table.add_row(
            *(Text(c) for c in cells[:1]),
            Text(cells[1], style=TIER_STYLE.get(v["tier"], "")),
            Text(cells[2]),
            Text(cells[3], style=LIGHT_STYLE.get(v["light"], "")),
            *(Text(c) for c in cells[4:]),
        )
    con.print(table)


@app.command()
def show(
    item: ItemArg,
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
        _print_item(v)
    exit_for(led)


def _print_item(v: dict) -> None:
    from rich.text import Text

    from duban.outputs.listing import history_pieces, item_fields, title_line

    con = console()
    con.print(title_line(v), style="bold", markup=False)
    for k, pieces in item_fields(v):
        con.print(Text(f"  {k}：").append(Text.assemble(*pieces)), highlight=False)
    con.print("  办理记录：", highlight=False)
    for ev in v["history"]:  # in the order recorded; a voided slip struck through
        con.print(Text.assemble(*history_pieces(ev)), highlight=False)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Excel 台账（.xlsx）或 CSV 文件")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将新建哪些事项、哪些行有问题，不改动台账")] = False,
    category: Annotated[
        str | None,
        typer.Option(
            "--category", help="表中没有类别列时各行的类别（规则包的类别代号或名称）", autocompletion=complete_category
        ),
    ] = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier", help="表中没有等级（红/黄/蓝）时各行的等级 red/yellow/blue", autocompletion=complete_tier
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="表头另有叫法时指明：表头=字段，如 --column 责任科室=牵头单位；可重复"),
    ] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """导入现有的 Excel 台账：按表头（文件标题及文号、牵头单位、完成时限……）认列，逐行核对；有一行不对就什么也不导入；全部事项一次提交。"""
    from duban.commands.importer import import_sheet

    root, day = where(ledger, today)
    with busy(f"正在导入 {file.name}……"):
        plan = import_sheet(
            root, file, dry_run=dry_run, category=category, tier=tier, today=day, columns=list(column or [])
        )
    if json_:
        out_json(
            {
                "sheet": plan.sheet,
                "create": [{"line": r.line, "id": r.id, **r.fields} for r in plan.rows],
                "skipped": [{"line": line, "why": why} for line, why in plan.skipped],
                "problems": plan.problems,
                "commit": plan.commit,
            }
        )
    else:
        con = console()
        units = _unit_names(root)
        verb = "将新建" if dry_run or plan.problems else "已新建"
        for r in plan.rows:
            f = r.fields
            con.print(
                f"第 {r.line} 行 → {r.id}  {f['title']}（{units.get(f['lead'], f['lead'])}，期限 {f['deadline'] or '无'}）",
                markup=False,
            )
        for line, why in plan.skipped:
            con.print(f"第 {line} 行: {why}，跳过", markup=False)
        for p in plan.problems:
            console(stderr=True).print(p, style="red", markup=False)
        if plan.problems:
            print(f"{file.name}: {len(plan.problems)} 个问题，未导入任何事项；修正表格后重新导入", file=sys.stderr)
        else:
            print(
                f"{verb} {len(plan.rows)} 项，跳过 {len(plan.skipped)} 行（已在台账中）"
                + ("（演练，未改动台账）" if dry_run else "")
            )
    if plan.problems:
        raise typer.Exit(1)


def _unit_names(root: Path) -> dict[str, str]:
    from duban.commands.queries import settings

    return {uid: u.name for uid, u in settings(root).units.items()}


@app.command()
def search(
    words: Annotated[list[str], typer.Argument(help="要查找的词，可几个（须都出现）；中文不必分词，如 老旧小区 改造")],
    limit: Annotated[int | None, typer.Option("--limit", help="最多列出几项")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """查找事项：在标题、文号、立项依据、办理要求和全部办理记录（报告、批示、意见）中查找，含已销号事项，按相关程度排序。"""
    from duban.commands.search import search as find

    root, day = where(ledger, today)
    with busy("正在查找……"):
        led, hits = find(root, words, day, limit)
    report_problems(led)
    if json_:
        out_json(hits)
        return
    from rich.text import Text

    con = console()
    terms = [w for q in words for w in q.split()]
    for h in hits:
        con.print(Text(f"{h['id']}  {h['status_label']}  {h['lead_name']}  ").append(h["title"], style="bold"))
        for m in h["matches"]:
            if m["field"] != "标题":
                line = Text(f"    {m['field']}：{m['snippet']}")
                line.highlight_words(terms, style="bold yellow", case_sensitive=False)
                con.print(line)
    print(f"找到 {len(hits)} 项" if hits else "没有找到")


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
def log(item: ItemArg, json_: JsonOpt = False, ledger: LedgerOpt = None):
    """从 git 历史显示一个事项的每一次改动。"""
    from duban.commands.history import item_history

    item_id, rows = item_history(root_of(ledger), item)
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
    from duban.commands.history import undo as do_undo
    from duban.commands.history import undo_stack

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
    console().print(do_undo(root), markup=False, highlight=False)


@app.command()
def calendar(
    span: Annotated[list[str] | None, typer.Argument(help="年份，或 起始日期 结束日期；默认今年")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """显示工作日日历（节假日与调休上班日），便于与国务院放假通知核对。"""
    from duban.commands.queries import calendar_days

    root, day = _where_or_default(ledger, today)
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


def _where_or_default(ledger, today):
    """The ledger and its today, or — no --ledger given and none found — no ledger (the shipped pack) and
    today in China's time zone."""
    if ledger is None:
        try:
            root_of(None)
        except DubanError:
            from duban.commands.clock import optional_date, today_in

            return None, optional_date(today, "--today") or today_in()
    return where(ledger, today)


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
    from duban.commands.queries import check_pack, settings
    from duban.outputs.packview import (
        category_rows,
        process_rows,
        scoring_rows,
        scoring_summary,
    )

    if check_path:
        pack, problems = check_pack(check_path, str(check_path))
        for p in problems:
            print(p)
        errors = sum(p.severity == "error" for p in problems)
        print(
            f"规则包 {pack.name or check_path.name}: {errors} 个错误"
            if problems
            else f"规则包 {pack.name}: 没有发现问题"
        )
        if errors:
            raise typer.Exit(1)
        return
    from duban.commands.queries import default_pack

    root, _day = _where_or_default(ledger, today)
    led = settings(root) if root else None  # the pack, not the items
    if led:
        report_problems(led)
    pack = led.pack if led else default_pack()
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
    if led:
        exit_for(led)
