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
    busy,
    console,
    date_arg,
    exit_for,
    out_json,
    print_forms,
    report_problems,
    where,
)


@app.command()
def render(
    form: Annotated[
        str | None,
        typer.Argument(
            help="文书: notice 通知单 / reminder、urge、warning、referral 督办流程各步的文书（名称按规则包） / "
            "return 退办单 / forward 转阅（办）单 / feedback 反馈单 / "
            "reply 落实情况报告 / bulletin 督查通报；用 --day 时省略"
        ),
    ] = None,
    target: Annotated[str | None, typer.Argument(help="事项编号；bulletin 为考核期（Q2、2026Q2、2026）")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="输出文件或目录；默认 out/年份/")] = None,
    number: Annotated[
        str | None, typer.Option("--number", help="哪一份：文书编号（如 2026-3），退办单为第几次；默认最近一份")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="另用 LibreOffice 转为 PDF")] = False,
    on_day: Annotated[
        str | None, typer.Option("--day", help="把这一天下发的全部督办文书合成一个文档（每份另起一页），便于一次打印")
    ] = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """按模板（templates/*.docx，可在 Word 中修改）生成督查文书，打印写出的文件路径。"""
    from duban.commands.publish import font_map, render_day, render_form, to_pdf
    from duban.core.errors import UsageError

    root, day = where(ledger, today)
    if on_day:
        if form or target:
            raise UsageError("--day 合成当天全部督办文书，不再给出文书种类或事项编号")
        path, count = render_day(root, date_arg(on_day, "--day"), out=out)
        print(f"{on_day} 共 {count} 份督办文书", file=sys.stderr)
    elif not form:
        raise UsageError("请给出文书种类（如 duban render reminder 2026-0007），或用 --day 合成某一天的全部督办文书")
    else:
        led, path = render_form(root, form, target, day, out=out, number=number)
        report_problems(led)
    print(path)
    if pdf:
        print(to_pdf(path))
        print("字体: " + "；".join(f"{name} → {face}" for name, face in font_map()), file=sys.stderr)


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
    publish: Annotated[
        bool, typer.Option("--publish", help="发布本考核期的结果：存为 published/期号.yaml 并提交，此后不再变动")
    ] = False,
    recompute: Annotated[
        bool, typer.Option("--recompute", help="已发布的考核期：按现在的记录和规则包重新计算（不改变已发布的结果）")
    ] = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """考核计分：按规则包 scoring.yaml 计算各单位本考核期的基础分、加分、减分、得分和排名；已发布的考核期显示发布时的结果，并指出现在的记录或规则包算出的不同之处。"""
    from duban.commands.publish import write_export
    from duban.commands.queries import publish_scores, quarter_scores
    from duban.core.errors import DubanError

    root, day = where(ledger, today)
    if publish:
        res, rel = publish_scores(root, period, year, day)
        print(f"已发布{res.period.label}考核结果: {rel}", file=sys.stderr if json_ else sys.stdout)
    else:
        with busy("正在计分……"):
            res = quarter_scores(root, period, year, day, explain)
    led, per, scores = res.ledger, res.period, res.scores
    report_problems(led)
    if res.published and not recompute and not publish:
        if csv_path or xlsx_path:
            raise DubanError(
                f"{per.label}已发布；导出按现在的记录计算的结果请加 --recompute（发布的结果见 published/）"
            )
        _print_published(res, explain, json_, day)
        exit_for(led)
        return
    written = []
    if csv_path:
        from duban.outputs.exports import scores_csv

        written.append(write_export(csv_path, scores_csv(scores), root))
    if xlsx_path:
        from duban.outputs.exports import scores_xlsx

        note = f"{led.pack.title or led.pack.name}" + ("" if day >= per.end else f"，计至 {day}")
        written.append(write_export(xlsx_path, scores_xlsx(scores, per, note), root))
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


def _print_published(res, explain: str | None, json_: bool, day) -> None:
    """A published period: the table as published; then what the records and pack give now, if otherwise."""
    table = res.table(day)
    if json_:
        if explain:
            table = {**table, "units": [u for u in table["units"] if u["unit"] == explain]}
        out_json(table)
    else:
        from rich.table import Table
        from rich.text import Text

        from duban.core.scoring import SCORE_HEADER

        shown = Table(title=f"{res.period.label}督查工作考核得分（{table['published']} 发布）")
        for col in SCORE_HEADER:
            shown.add_column(col, overflow="fold")
        for u in table["units"]:
            if not explain or u["unit"] == explain:
                row = [u["rank"], u["unit"], u["name"], u["base"], u["bonus"], u["penalty"], u["score"]]
                shown.add_row(*(Text(str(v)) for v in row), Text("、".join(u["flags"])))
                for d in u["deltas"] if explain else []:
                    shown.add_row(
                        Text(""), Text(d["date"]), Text(f"{d['item'] or ''} {d['label']}"), Text(str(d["delta"]))
                    )
        console().print(shown)
    if res.differences:
        err = console(stderr=True)
        err.print("注意：按现在的记录和规则包计算，结果与发布的不同（--recompute 查看重新计算的结果）：", markup=False)
        for line in res.differences:
            err.print(f"  {line}", markup=False, highlight=False)


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
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="共享台账联不上远端时仍巡查（确知此时只有本副本在巡查；编号取自本副本预留的编号）"
        ),
    ] = False,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """每日巡查：临期提示、逾期后按规则包的督办流程逐步下发文书（最后一步为建议，待批准）、定期报送、回头望；一次提交；日报和文书生成到 out/。

    共享台账（duban.yaml 设有 sync）先与远端同步，巡查的提交先推送到远端再生效，两处副本不会重复发单。"""
    from duban.commands.sweep import run

    root, day = where(ledger, today)
    res, led = run(root, day, dry_run=dry_run, forms=not no_forms, offline=offline)
    print_forms(res.forms, res.form_errors)
    if json_:
        out_json(res.as_json())
    elif not (quiet and not res.actions and not res.problems):
        from duban.outputs.digest import HEADER, rows

        con = console()
        title = f"督查日报 {day}{'（演练，未改动台账）' if dry_run else ''}"
        if not res.actions:
            print(f"{day} 巡查：没有到期的动作")
        elif not con.is_terminal:  # cron's mail, a pipe, a file: plain lines (rich takes 1 ms a row)
            from duban.outputs.table import plain_lines

            sys.stdout.write("\n".join([title, *plain_lines(HEADER, rows(res, led))]) + "\n")
        else:
            from rich.table import Table
            from rich.text import Text

            table = Table(title=title)
            for col in HEADER:
                table.add_column(col, overflow="fold", no_wrap=col in ("事项", "日期", "编号"))
            for row in rows(res, led):
                table.add_row(*map(Text, row))
            con.print(table)
        for p in res.pending:
            print(f"待处理 {p['item']} {p['title']}：{p['what']}")
        for problem in res.problems:
            print(f"问题 {problem}", file=sys.stderr)
        if res.digest:
            print(f"日报: {root / res.digest}")
    if res.problems:
        raise typer.Exit(1)


@app.command()
def board(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="输出的 HTML 文件；默认 out/board.html")] = None,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """领导看板：写出一个独立的 HTML 页面（无需联网）：红黄绿灯与状态计数、各单位在办与逾期、逾期和临期事项、考核得分、在办台账。"""
    from duban.commands.board import board_data
    from duban.commands.publish import write_export
    from duban.outputs.board import LIGHTS, board_html

    root, day = where(ledger, today)
    with busy("正在生成看板……"):
        led, data = board_data(root, day)
    report_problems(led)
    path = write_export(out or root / "out" / "board.html", board_html(data).encode("utf-8"), root)
    print(path)
    lights = "，".join(f"{word} {data['light'][k]}" for k, (word, _, _) in LIGHTS.items())
    print(f"在办 {data['in_hand']} 项：{lights}", file=sys.stderr)
    exit_for(led)


@app.command()
def sync(
    remote: Annotated[
        str | None,
        typer.Option("--remote", help="第一次同步时给出远端地址（办公室 git 服务器上的仓库或共享目录中的裸仓库）"),
    ] = None,
    reserve: Annotated[int, typer.Option("--reserve", min=0, help="为离线工作预留的编号个数（每类）")] = 0,
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """与远端同步：拉取、按内容合并、推送，一次完成；编号在各副本间不会重复。两处改成不同值的字段记为冲突，用 duban resolve 选定。"""
    from duban.commands.sync import conflicts_text, sync_ledger

    root, day = where(ledger, today)
    with busy("同步"):
        res = sync_ledger(root, day, url=remote, reserve=reserve)
    if json_:
        out_json(
            {
                "remote": res.remote,
                "pulled": res.pulled,
                "pushed": res.pushed,
                "reserved": res.reserved,
                "conflicts": [{"path": p, **c} for p, c in res.conflicts],
            }
        )
    else:
        if res.set_up:
            print(f"已设置与远端 {res.remote} 同步（duban.yaml sync；.gitattributes 按内容合并台账文件）")
        print(f"已与远端 {res.remote} 同步: 收到 {res.pulled} 个提交，推送 {res.pushed} 个提交")
        for kind, n in res.reserved.items():
            print(f"为离线工作预留 {kind} 编号 {n} 个")
        for p, c in res.conflicts:
            target = p.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            console().print(f"冲突 {p}: {conflicts_text(c, target)}", markup=False, highlight=False)
    if res.conflicts:
        raise typer.Exit(1)


@app.command()
def resolve(
    target: Annotated[str, typer.Argument(help="事项或单位事件编号，如 2026-0007")],
    field: Annotated[str, typer.Argument(help="冲突的字段，如 deadline、title")],
    value: Annotated[str, typer.Argument(help="选定的值（日期写 YYYY-MM-DD；协办单位用逗号分隔）")],
    reason: Annotated[
        str, typer.Option("--reason", help="说明（默认：两处副本同步时改成了不同的值，由督查室选定）")
    ] = "",
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """解决同步冲突：两处副本把同一字段改成了不同的值时，选定一个（duban check 列出全部冲突）。"""
    from duban.commands.sync import resolve as do_resolve

    root, day = where(ledger, today)
    console().print(f"{target}: " + do_resolve(root, target, field, value, day, reason), markup=False, highlight=False)
