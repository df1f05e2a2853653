"""Commands of the office's routine: the daily sweep, the quarter's scores, the forms."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from duban.cli.common import (
    JsonOpt,
    LedgerOpt,
    NoFormsOpt,
    TodayOpt,
    app,
    console,
    exit_for,
    out_json,
    print_forms,
    report_problems,
    where,
)


@app.command()
def render(
    form: Annotated[
        str,
        typer.Argument(
            help="文书: notice 督查通知单 / reminder 工作提醒单 / warning 督查工作警告单 / referral 追责问效移交单 / "
            "urge 督查催办单 / return 督查退办单 / forward 转阅（办）单 / feedback 督查反馈单 / "
            "reply 落实情况报告 / bulletin 督查通报"
        ),
    ],
    target: Annotated[str | None, typer.Argument(help="事项编号；bulletin 为考核期（Q2、2026Q2、2026）")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="输出文件或目录；默认 out/年份/")] = None,
    number: Annotated[
        str | None, typer.Option("--number", help="哪一份：文书编号（如 2026-3），退办单为第几次；默认最近一份")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="另用 LibreOffice 转为 PDF")] = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """按模板（templates/*.docx，可在 Word 中修改）生成督查文书，打印写出的文件路径。"""
    from duban.commands.publish import render_form
    from duban.outputs.forms import to_pdf

    root, day = where(ledger, today)
    led, path = render_form(root, form, target, day, out=out, number=number)
    report_problems(led)
    print(path)
    if pdf:
        print(to_pdf(path))


@app.command()
def score(
    period: Annotated[
        str | None,
        typer.Argument(help="考核期：Q1…Q4（年份取 --year 或今年）、2026Q2，或整年 2026；缺省为今天所在的考核期"),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="年份（配合 Q1…Q4）")] = None,
    explain: Annotated[str | None, typer.Option("--explain", help="列出该单位（代号）每一项加减分及其条款")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="另存得分表为 CSV（Excel 可直接打开）")] = None,
    xlsx_path: Annotated[Path | None, typer.Option("--xlsx", help="另存为 Excel 工作簿：得分表和加减分明细")] = None,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """考核计分：按规则包 scoring.yaml 计算各单位本考核期的基础分、加分、减分、得分和排名。"""
    from duban.commands.publish import write_export
    from duban.commands.queries import quarter_scores

    root, day = where(ledger, today)
    res = quarter_scores(root, period, year, day, explain)
    led, per, scores = res.ledger, res.period, res.scores
    report_problems(led)
    written = []
    if csv_path:
        from duban.outputs.exports import scores_csv

        written.append(write_export(csv_path, scores_csv(scores), root))
    if xlsx_path:
        from duban.outputs.exports import scores_xlsx

        written.append(write_export(xlsx_path, scores_xlsx(scores, per), root))
    if json_:
        shown = [s for s in scores if s.unit == explain] if explain else scores
        out_json(
            {
                "period": per.as_json(),
                "pack": led.pack.name,
                "until": min(per.end, day).isoformat(),
                "units": [s.as_json() for s in shown],
            }
        )
    elif explain:
        _print_explain(next(s for s in scores if s.unit == explain), per, led)
    else:
        _print_scores(scores, per, led, day)
    for path in written:
        print(f"已导出: {path}", file=sys.stderr if json_ else sys.stdout)
    exit_for(led)


def _print_scores(scores, per, led, day) -> None:
    from rich.table import Table
    from rich.text import Text

    from duban.core.scoring import SCORE_HEADER, plain, score_rows

    note = "" if day >= per.end else f"，计至 {day}"
    table = Table(title=f"{per.label}督查工作考核得分", caption=f"{led.pack.title or led.pack.name}{note}")
    for col in SCORE_HEADER:
        table.add_column(
            col,
            overflow="fold",
            justify="right" if col in ("排名", "基础分", "加分", "减分", "得分") else "left",
            no_wrap=col not in ("单位", "标记"),
            min_width=8 if col == "标记" else None,
        )
    for row in score_rows(scores):
        table.add_row(*(Text(plain(v)) for v in row))
    console().print(table)


def _print_explain(us, per, led) -> None:
    """One block per delta (readable at any width): date, points, item; then rule and clause."""
    from rich.markup import escape

    from duban.core.scoring import explain_rows, points_text

    con = console()
    con.print(f"{us.name}（{us.unit}）{per.label} 加减分明细", style="bold", markup=False)
    rows = explain_rows(us)
    for day, item, title, rule, source, pts, counted, note in rows:
        style = "dim" if counted == "未计" else ("green" if pts > 0 else "red")
        con.print(f"{day}  [{style}]{points_text(pts):>5}  {counted}[/{style}]  {escape(f'{item} {title}')}".rstrip())
        con.print(
            f"    规则 {rule}" + (f"（{note}）" if note else ""),
            style="dim" if counted == "未计" else None,
            markup=False,
        )
        con.print(f"    依据 {source}", style="dim", markup=False)
    if not rows:
        print("（没有加减分）")
    for cut in us.cuts:
        print(f"说明：{cut}")
    print(
        f"基础分 {points_text(us.base).lstrip('+')} + 加分 {points_text(us.bonus).lstrip('+')} "
        f"− 减分 {points_text(us.penalty).lstrip('+')} = 得分 {points_text(us.score).lstrip('+')}"
        f"（排名 {us.rank}）" + (f"；{'、'.join(us.flags)}" if us.flags else "")
    )


@app.command()
def sweep(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要做的，不改动台账")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="没有动作时什么也不打印（供 cron 邮件）")] = False,
    no_forms: NoFormsOpt = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """每日巡查：临期提示、逾期提醒单→警告单→追责问效移交建议、定期报送、回头望；一次提交；发出的文书生成到 out/。"""
    from duban.commands.sweep import run

    root, day = where(ledger, today)
    res, led = run(root, day, dry_run=dry_run, forms=not no_forms)
    print_forms(res.forms, res.form_errors)
    if json_:
        out_json(res.as_json())
    elif not (quiet and not res.actions and not res.problems):
        from rich.table import Table
        from rich.text import Text

        from duban.outputs.digest import HEADER, rows

        con = console()
        table = Table(title=f"督查日报 {day}{'（演练，未改动台账）' if dry_run else ''}")
        for col in HEADER:
            table.add_column(col, overflow="fold", no_wrap=col in ("事项", "日期", "编号"))
        for row in rows(res, led):
            table.add_row(*map(Text, row))
        if res.actions:
            con.print(table)
        else:
            print(f"{day} 巡查：没有到期的动作")
        for p in res.pending:
            print(f"待处理 {p['item']} {p['title']}：{p['what']}")
        for p in res.problems:
            print(f"问题 {p}", file=sys.stderr)
        if res.digest:
            print(f"日报: {root / res.digest}")
    if res.problems:
        raise typer.Exit(1)
