"""The command line: thin bodies that parse options, call one library
function and render (a table on a terminal, JSON on request)."""
from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import DubanError

app = typer.Typer(
    help="督办 duban：督查事项台账、期限、督办升级、考核与督查文书。\n\n"
         "每个命令都接受 --ledger（台账目录）和 --today（把今天当作某一天）。",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

LedgerOpt = Annotated[Optional[Path], typer.Option(
    "--ledger", envvar="DUBAN_LEDGER", show_envvar=False,
    help="台账目录；默认取环境变量 DUBAN_LEDGER，否则从当前目录向上查找 duban.yaml")]
TodayOpt = Annotated[Optional[str], typer.Option(
    "--today", envvar="DUBAN_TODAY", show_envvar=False,
    help="把今天当作这一天（YYYY-MM-DD），用于补跑或回放；默认取北京时间今天")]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]
NoFormsOpt = Annotated[bool, typer.Option("--no-forms", help="不生成 Word 文书")]


# ------------------------------------------------------------------- helpers

def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _out_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _root(ledger: Optional[Path]) -> Path:
    from .ledger import find_root

    return find_root(ledger)


def _today(today: Optional[str]) -> date:
    from .actions import parse_date, today_in

    return parse_date(today, "--today") if today else today_in()


def _date_opt(value: Optional[str], what: str) -> Optional[date]:
    from .actions import parse_date

    return parse_date(value, what) if value else None


def _load(root: Path, scope=None, only_config: bool = False):
    """Load the ledger (the items in ``scope``); report its problems on stderr (the command carries on)."""
    from .ledger import load

    led = load(root, only_config=only_config, scope=scope)
    if led.problems:
        err = _console(stderr=True)
        errors = [p for p in led.problems if p.severity == "error"]
        for p in led.problems[:20]:
            err.print(f"[red]{p}[/red]" if p.severity == "error" else f"[yellow]{p}[/yellow]", markup=True,
                      highlight=False)
        if len(led.problems) > 20:
            err.print(f"……另有 {len(led.problems) - 20} 个问题，运行 duban check 查看全部")
        if errors:
            err.print(f"[red]台账有 {len(errors)} 个错误，出错的文件已跳过（duban check 查看全部）[/red]")
    return led


def _render_after(root: Path, jobs: list, day: date) -> list[Path]:
    """Forms for what a command just committed; a failure is reported on stderr and changes nothing."""
    from .forms import render_quietly

    paths, errors = render_quietly(root, jobs, day)
    for p in paths:
        print(f"文书: {p}", file=sys.stderr)
    for e in errors:
        print(f"文书未生成 {e}（duban check 检查模板；修正后可用 duban render 补出）", file=sys.stderr)
    return paths


def _exit_for(led) -> None:
    if any(p.severity == "error" for p in led.problems):
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except DubanError as e:
        _console(stderr=True).print(f"[red]错误:[/red] {e}", markup=True, highlight=False)
        sys.exit(e.exit_code)


def _version(value: bool):
    if value:
        print(f"duban {__version__}")
        raise typer.Exit()


@app.callback()
def _root_options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                         help="显示版本号")] = False):
    """督办 duban."""


# ---------------------------------------------------------------------- init

@app.command()
def init(path: Annotated[Path, typer.Argument(help="新台账目录（须不存在或为空）")],
         pack: Annotated[Optional[str], typer.Option("--pack", help="规则包名称，默认 baqiao-2018；写错时列出随附的全部规则包")] = None,
         sample: Annotated[bool, typer.Option("--sample", help="附带示例单位和示例事项")] = False):
    """新建台账：写入默认设置、规则包和表单模板，git init 并做第一次提交。"""
    from .actions import init_ledger

    root = init_ledger(path, sample, pack)
    print(f"已建立台账: {root}")


# --------------------------------------------------------------------- issue

@app.command()
def issue(
    title: Annotated[str, typer.Option("--title", help="事项标题")],
    category: Annotated[str, typer.Option("--category", help="类别（规则包 categories.yaml 的键）")],
    tier: Annotated[str, typer.Option("--tier", help="等级: red / yellow / blue")],
    lead: Annotated[str, typer.Option("--lead", help="主办单位代号")],
    co: Annotated[Optional[list[str]], typer.Option("--co", help="协办单位代号，可重复")] = None,
    issued: Annotated[Optional[str], typer.Option("--issued", help="立项日期，默认今天")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="办理期限；默认按规则包计算")] = None,
    basis: Annotated[str, typer.Option("--basis", help="立项依据（谁的批示、哪次会议）")] = "",
    ref: Annotated[Optional[str], typer.Option("--ref", help="督查通知单文号；默认自动编号")] = None,
    requirement: Annotated[str, typer.Option("--requirement", help="办理要求")] = "",
    forward: Annotated[bool, typer.Option("--forward", help="转阅(办)件：不需报送落实情况")] = False,
    no_forms: NoFormsOpt = False,
    json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None,
):
    """立项交办一个督查事项，打印其编号；并生成督查通知单（转阅件为转阅单）到 out/。"""
    from .actions import issue_item, item_view
    from .forms import ledger_with

    root, day = _root(ledger), _today(today)
    item_id = issue_item(root, title=title, category=category, tier=tier, lead=lead, co=list(co or []),
                         issued=_date_opt(issued, "--issued"), deadline=_date_opt(deadline, "--deadline"),
                         basis=basis, ref=ref, requirement=requirement, today=day, forward=forward)
    if not no_forms:
        _render_after(root, [("forward" if forward else "notice", item_id, None)], day)
    if json_:
        led = ledger_with(root, [item_id])
        _out_json(item_view(led, led.item(item_id), day))
    else:
        print(item_id)


# ---------------------------------------------------------------- list/show

TIER_STYLE = {"red": ("红", "bold red"), "yellow": ("黄", "bold yellow"), "blue": ("蓝", "bold blue")}


@app.command("list")
def list_(
    status: Annotated[Optional[str], typer.Option("--status", help="状态: open/reported/returned/transferred/done/closed/forwarded")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="主办或协办单位代号")] = None,
    tier: Annotated[Optional[str], typer.Option("--tier", help="等级 red/yellow/blue")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="类别")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期事项")] = False,
    due_within: Annotated[Optional[int], typer.Option("--due-within", help="只列 N 天内到期的在办事项")] = None,
    json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None,
):
    """督查台账：按期限排序列出事项，可筛选。"""
    from .actions import item_view
    from .state import STATUS_LABELS

    root, day = _root(ledger), _today(today)
    if status and status not in STATUS_LABELS:
        raise DubanError(f"未知的状态 “{status}”；可用: " + "、".join(f"{k}（{v}）" for k, v in STATUS_LABELS.items()))
    from .ledger import Scope

    settled = status in ("closed", "forwarded") or not (status or overdue or due_within is not None)
    led = _load(root, scope=None if settled else Scope(live_on=day))
    rows = []
    for item in led.items.values():
        if tier and item.tier != tier or category and item.category != category:
            continue
        v = item_view(led, item, day, full=False)
        if unit and unit != v["lead"] and unit not in v["co"]:
            continue
        if status and v["status"] != status or overdue and not v["overdue"]:
            continue
        if due_within is not None and not (v["status"] in ("open", "returned") and v["days_left"] is not None
                                           and 0 <= v["days_left"] <= due_within):
            continue
        rows.append(v)
    rows.sort(key=lambda v: (v["deadline"] or "9999", v["id"]))
    if json_:
        _out_json(rows)
    else:
        _print_list(led, rows)
    _exit_for(led)


def _print_list(led, rows) -> None:
    from rich.table import Table

    table = Table(title=f"督查台账（{len(rows)} 项）", show_lines=False)
    for col in ("编号", "等级", "标题", "类别", "主办单位", "期限", "状态", "剩余/逾期"):
        table.add_column(col, overflow="fold", no_wrap=col in ("编号", "等级", "期限"))
    for v in rows:
        label, style = TIER_STYLE[v["tier"]]
        if v["overdue"]:
            left = f"[bold red]逾期 {v['days_overdue']} 天[/bold red]"
        elif v["due_soon"]:
            left = f"[yellow]剩 {v['days_left']} 天[/yellow]"
        elif v["days_left"] is not None:
            left = f"剩 {v['days_left']} 天"
        else:
            left = ""
        table.add_row(v["id"], f"[{style}]{label}[/{style}]", v["title"], v["category_label"], v["lead_name"],
                      v["deadline"] or "", v["status_label"] + ("（已延期）" if v["extended"] else ""), left)
    _console().print(table)


@app.command()
def show(item: Annotated[str, typer.Argument(help="事项编号，如 2026-0007")],
         json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """显示一个事项的全部字段、办理记录和推算状态。"""
    from .actions import item_view

    from .ledger import Scope, normalize_id

    root, day = _root(ledger), _today(today)
    led = _load(root, scope=Scope(ids=(normalize_id(item),)))
    v = item_view(led, led.item(item), day)
    if json_:
        _out_json(v)
    else:
        _print_item(v)
    _exit_for(led)


def _print_item(v: dict) -> None:
    from rich.table import Table

    from .model import EVENT_LABELS

    con = _console()
    label, style = TIER_STYLE[v["tier"]]
    con.print(f"[bold]{v['id']}  {v['title']}[/bold]", markup=True)
    state = v["status_label"]
    if v["overdue"]:
        state += f"，[bold red]逾期 {v['days_overdue']} 天（{v['working_days_overdue']} 个工作日）[/bold red]"
    elif v["due_soon"]:
        state += f"，[yellow]临期：剩 {v['days_left']} 天[/yellow]"
    elif v["days_left"] is not None:
        state += f"，剩 {v['days_left']} 天（{v['working_days_left']} 个工作日）"
    fields = [
        ("类别", v["category_label"]), ("等级", f"[{style}]{label}[/{style}] {v['tier_label']}"),
        ("立项依据", v["basis"]), ("通知单文号", v["ref"]), ("主办单位", v["lead_name"]),
        ("协办单位", "、".join(v["co_names"])), ("立项日期", v["issued"]),
        ("办理期限", (v["deadline"] or "") + (f"（原定 {v['original_deadline']}，已延期）" if v["extended"] else "")),
        ("状态", state), ("定期报送", v.get("cadence") or "无"),
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
            con.print(f"  {k}：{val}", markup=True, highlight=False)
    table = Table(title="办理记录", show_lines=False)
    for col in ("日期", "事件", "内容"):
        table.add_column(col, overflow="fold")
    for ev in v["log"]:
        rest = "；".join(f"{k}={val}" for k, val in ev.items() if k not in ("date", "kind"))
        table.add_row(ev.get("date", ""), EVENT_LABELS.get(ev.get("kind"), ev.get("kind", "")), rest)
    con.print(table)


# --------------------------------------------------------------------- check

@app.command()
def check(json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """检查整个台账，逐条列出问题（文件:行号: 说明）；有错误时退出码为 1。"""
    from .checks import check_ledger

    root, day = _root(ledger), _today(today)
    problems = check_ledger(root, day)
    if json_:
        _out_json([p.as_dict() for p in problems])
    else:
        con = _console()
        for p in problems:
            con.print(str(p), markup=False, highlight=False)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        print(f"检查完毕: {errors} 个错误, {warnings} 个警告" if problems else "检查完毕: 没有发现问题")
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


# ---------------------------------------------------------------- log / undo

@app.command()
def log(item: Annotated[str, typer.Argument(help="事项编号")], json_: JsonOpt = False,
        ledger: LedgerOpt = None):
    """从 git 历史显示一个事项的每一次改动。"""
    from .ledger import item_rel, normalize_id
    from .store import log_entries

    root = _root(ledger)
    item_id = normalize_id(item)
    rows = log_entries(root, item_rel(item_id))
    if not rows:
        raise DubanError(f"git 历史中没有事项 {item_id} 的记录")
    if json_:
        _out_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"{item_id} 的改动历史")
    for col in ("提交", "时间", "操作人", "说明"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["commit"], r["date"], r["author"], r["message"])
    _console().print(table)


@app.command()
def undo(ledger: LedgerOpt = None):
    """撤销最近一次 duban 操作（git revert）；最近的提交不是 duban 操作时拒绝。"""
    from .ledger import load_config
    from .store import undo as do_undo

    root = _root(ledger)
    cfg = load_config(root)
    print(do_undo(root, (cfg.author_name, cfg.author_email)))


# -------------------------------------------------------------------- extend

@app.command()
def extend(item: Annotated[str, typer.Argument(help="事项编号")],
           to: Annotated[str, typer.Option("--to", help="新的办理期限 YYYY-MM-DD")],
           reason: Annotated[str, typer.Option("--reason", help="延期理由")],
           approved_by: Annotated[str, typer.Option("--approved-by", help="批准人（如 分管副区长）")],
           requested: Annotated[Optional[str], typer.Option("--requested", help="申请日期，默认今天")] = None,
           ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录经批准的延期；申请晚于规则包的截止日或超过最长期限时拒绝。"""
    from .actions import extend_item

    root, day = _root(ledger), _today(today)
    extend_item(root, item, to=_date_opt(to, "--to"), reason=reason, approved_by=approved_by,
                requested=_date_opt(requested, "--requested"), today=day)
    print(f"{item} 已延期至 {to}")


# ------------------------------------------------------------------ calendar

@app.command()
def calendar(
    span: Annotated[Optional[list[str]], typer.Argument(help="年份，或 起始日期 结束日期；默认今年")] = None,
    json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None,
):
    """显示工作日日历（节假日与调休上班日），便于与国务院放假通知核对。"""
    from .calendar import ONE_DAY
    from .ledger import load

    root, day = _root(ledger), _today(today)
    cal = load(root, only_config=True).calendar
    span = span or []
    if len(span) == 0:
        start, stop = date(day.year, 1, 1), date(day.year, 12, 31)
    elif len(span) == 1 and span[0].isdigit():
        start, stop = date(int(span[0]), 1, 1), date(int(span[0]), 12, 31)
    elif len(span) == 2:
        start, stop = _date_opt(span[0], "起始日期"), _date_opt(span[1], "结束日期")
    else:
        raise DubanError("请给出一个年份，或起始日期和结束日期")
    whole_year = len(span) < 2
    days = []
    d = start
    while d <= stop:
        kind, name = cal.kind(d)
        if not whole_year or kind in ("holiday", "adjusted_workday"):
            days.append({"date": d.isoformat(), "weekday": "一二三四五六日"[d.weekday()], "kind": kind,
                         "name": name, "workday": kind in ("workday", "adjusted_workday")})
        d += ONE_DAY
    if json_:
        _out_json(days)
        return
    from rich.table import Table

    labels = {"holiday": "[red]放假[/red]", "adjusted_workday": "[yellow]调休上班[/yellow]",
              "workday": "工作日", "weekend": "周末"}
    names = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
             "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
             "National Day": "国庆节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}
    table = Table(title=f"{start} 至 {stop} 的" + ("节假日与调休" if whole_year else "工作日日历"))
    for col in ("日期", "星期", "类型", "名称"):
        table.add_column(col)
    for r in days:
        table.add_row(r["date"], r["weekday"], labels[r["kind"]], names.get(r["name"], r["name"]))
    _console().print(table)


# ----------------------------------------------------------------- lifecycle

ItemArg = Annotated[str, typer.Argument(help="事项编号，如 2026-0007")]


@app.command()
def report(item: ItemArg,
           unit: Annotated[str, typer.Option("--unit", help="报送单位代号（主办或协办）")],
           text: Annotated[Optional[str], typer.Option("--text", help="落实情况")] = None,
           file: Annotated[Optional[Path], typer.Option("--file", help="从文本文件读入落实情况")] = None,
           percent: Annotated[Optional[int], typer.Option("--percent", help="完成百分比 0–100")] = None,
           final: Annotated[bool, typer.Option("--final", help="办结报告（主办单位），待审核")] = False,
           attachment: Annotated[Optional[list[Path]], typer.Option("--attachment", help="附件，可重复")] = None,
           on: Annotated[Optional[str], typer.Option("--date", help="收到日期，默认今天")] = None,
           ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录承办单位报送的进展报告或办结报告（是否逾期由规则推算）。"""
    from .lifecycle import report as do

    root, day = _root(ledger), _today(today)
    if (text is None) == (file is None):
        raise DubanError("请给出 --text 或 --file 之一")
    body = text if text is not None else _read_text(file)
    do(root, item, unit=unit, day=_date_opt(on, "--date") or day, text=body, percent=percent, final=final,
       attachments=list(attachment or []), today=day)
    print(f"{item} 已记录{'办结' if final else '进展'}报告")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DubanError(f"无法读取 {path}: {e}") from None


class ReviewDecision(str, Enum):
    accept = "accept"
    return_ = "return"


class ReferDecision(str, Enum):
    approve = "approve"
    reject = "reject"


@app.command()
def review(item: ItemArg,
           decision: Annotated[ReviewDecision, typer.Argument(help="accept（审核通过，办结）或 return（退办重办）")],
           reason: Annotated[str, typer.Option("--reason", help="审核意见；退办时必填")] = "",
           ledger: LedgerOpt = None, today: TodayOpt = None):
    """审核办结报告：accept 办结，return 退办（按规则给出重办期限）。"""
    from .lifecycle import review as do

    root, day = _root(ledger), _today(today)
    accept = decision is ReviewDecision.accept
    due = do(root, item, accept=accept, reason=reason, today=day)
    print(f"{item} 已办结" if accept else f"{item} 已退办，重办期限 {due}")


@app.command("transfer-back")
def transfer_back(item: ItemArg,
                  unit: Annotated[str, typer.Option("--unit", help="提出退回的主办单位")],
                  reason: Annotated[str, typer.Option("--reason", help="不属本单位职责的理由")],
                  on: Annotated[Optional[str], typer.Option("--date", help="提出日期，默认今天")] = None,
                  ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录承办单位退回（不属本单位职责）；超过规则包规定的时限时拒绝。"""
    from .lifecycle import transfer_back as do

    root, day = _root(ledger), _today(today)
    do(root, item, unit=unit, reason=reason, day=_date_opt(on, "--date") or day, today=day)
    print(f"{item} 已退回，待改派（duban reassign）")


@app.command()
def reassign(item: ItemArg,
             lead: Annotated[str, typer.Option("--lead", help="新的主办单位")],
             co: Annotated[Optional[list[str]], typer.Option("--co", help="协办单位，可重复")] = None,
             deadline: Annotated[Optional[str], typer.Option("--deadline", help="新的期限；默认按规则重算")] = None,
             ledger: LedgerOpt = None, today: TodayOpt = None):
    """把已退回的事项改派给新的承办单位。"""
    from .lifecycle import reassign as do

    root, day = _root(ledger), _today(today)
    do(root, item, lead=lead, co=list(co or []), deadline=_date_opt(deadline, "--deadline"), today=day)
    print(f"{item} 已改派给 {lead}")


@app.command()
def instruct(item: ItemArg,
             text: Annotated[str, typer.Option("--text", help="新的领导批示内容")],
             deadline: Annotated[Optional[str], typer.Option("--deadline", help="新的期限")] = None,
             by_whom: Annotated[str, typer.Option("--by", help="批示领导")] = "",
             ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录新的领导批示；已办结的事项重新打开并给出新期限。"""
    from .lifecycle import instruct as do

    root, day = _root(ledger), _today(today)
    do(root, item, text=text, deadline=_date_opt(deadline, "--deadline"), by_whom=by_whom, today=day)
    print(f"{item} 已记录新批示")


@app.command()
def lookback(item: ItemArg, text: Annotated[str, typer.Option("--text", help="回头望情况")],
             ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录一次回头望。"""
    from .lifecycle import lookback as do

    root, day = _root(ledger), _today(today)
    do(root, item, text=text, today=day)
    print(f"{item} 已记录回头望")


@app.command()
def close(item: ItemArg, text: Annotated[str, typer.Option("--text", help="销号说明")] = "",
          ledger: LedgerOpt = None, today: TodayOpt = None):
    """注结销号：已办结且按规定做过回头望的事项。"""
    from .lifecycle import close as do

    root, day = _root(ledger), _today(today)
    do(root, item, text=text, today=day)
    print(f"{item} 已注结销号")


@app.command()
def escalate(item: ItemArg,
             step: Annotated[str, typer.Option("--step", help="reminder / urge / warning / referral")],
             reason: Annotated[str, typer.Option("--reason", help="事由（进展缓慢、质量不高、作风问题……）")],
             no_forms: NoFormsOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """人工下发督办文书（提醒单、催办单、警告单、追责问效移交建议），编号与巡查一致，并生成 Word 文书。"""
    from .lifecycle import escalate as do

    root, day = _root(ledger), _today(today)
    no = do(root, item, step=step, reason=reason, today=day)
    print(f"{item} 已下发 {no}")
    if not no_forms:
        _render_after(root, [(step, item, no)], day)


@app.command()
def refer(item: ItemArg,
          decision: Annotated[ReferDecision, typer.Argument(help="approve（批准移交）或 reject（不批准）")],
          text: Annotated[str, typer.Option("--text", help="批示意见")] = "",
          ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录区政府对追责问效移交建议的决定（建议本身保留在记录中）。"""
    from .lifecycle import refer as do

    root, day = _root(ledger), _today(today)
    approve = decision is ReferDecision.approve
    no = do(root, item, approve=approve, text=text, today=day)
    print(f"{item} 移交建议 {no} 已{'批准' if approve else '不批准'}")


# --------------------------------------------------------------- unit events

@app.command()
def event(unit: Annotated[str, typer.Argument(help="单位代号")],
          kind: Annotated[str, typer.Argument(help="事件类型（规则包 process.yaml 的 unit_events，如 criticism）")],
          level: Annotated[Optional[str], typer.Option("--level", help="级别: national / province / prefecture / county")] = None,
          item: Annotated[Optional[str], typer.Option("--item", help="相关事项编号")] = None,
          on: Annotated[Optional[str], typer.Option("--date", help="日期，默认今天")] = None,
          note: Annotated[str, typer.Option("--note", help="说明")] = "",
          ledger: LedgerOpt = None, today: TodayOpt = None):
    """记录单位层面的事件（通报表扬 / 通报批评 / 抽调人员 / 不配合督查 …），供考核和后果计数。"""
    from .unitevents import record

    root, day = _root(ledger), _today(today)
    ev_id = record(root, unit=unit, kind=kind, level=level, item=item, day=_date_opt(on, "--date") or day,
                   note=note, today=day)
    print(ev_id)


# -------------------------------------------------------------------- render

@app.command()
def render(form: Annotated[str, typer.Argument(
               help="文书: notice 督查通知单 / reminder 工作提醒单 / warning 督查工作警告单 / referral 追责问效移交单 / "
                    "urge 督查催办单 / return 督查退办单 / forward 转阅（办）单 / feedback 督查反馈单 / "
                    "reply 落实情况报告 / bulletin 督查通报")],
           target: Annotated[Optional[str], typer.Argument(help="事项编号；bulletin 为考核期（Q2、2026Q2、2026）")] = None,
           out: Annotated[Optional[Path], typer.Option("-o", "--out", help="输出文件或目录；默认 out/年份/")] = None,
           number: Annotated[Optional[str], typer.Option("--number", help="哪一份：文书编号（如 2026-3），退办单为第几次；默认最近一份")] = None,
           pdf: Annotated[bool, typer.Option("--pdf", help="另用 LibreOffice 转为 PDF")] = False,
           ledger: LedgerOpt = None, today: TodayOpt = None):
    """按模板（templates/*.docx，可在 Word 中修改）生成督查文书，打印写出的文件路径。"""
    from .forms import font_map, ledger_with, render as render_form, to_pdf

    root, day = _root(ledger), _today(today)
    if form == "bulletin":  # the period's year: what was in hand, done or scored then
        from .ledger import Scope
        from .scoring import counts_from, parse_period

        led = _load(root, scope=Scope(since=counts_from(parse_period(target, None, day).year)))
    else:  # an item's form needs that item only
        led = ledger_with(root, [target] if target else [])
    path = render_form(led, form, target, day, out=out, number=number)
    print(path)
    if pdf:
        print(to_pdf(path))
        print("字体: " + "；".join(f"{name} → {face}" for name, face in font_map()), file=sys.stderr)


# --------------------------------------------------------------------- rules

@app.command()
def rules(check_path: Annotated[Optional[Path], typer.Option(
              "--check", help="只校验这个规则包目录，逐条列出 文件:行 问题")] = None,
          json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """按督查室读法列出当前规则包：各类别、等级的期限、定期报送、回头望，督办流程，考核计分表及条款。"""
    from .packview import category_rows, process_rows, scoring_rows, scoring_summary
    from .rules import load_pack

    if check_path:
        folder = check_path.expanduser().resolve()
        if not folder.is_dir():
            raise DubanError(f"{folder} 不是目录")
        pack, problems = load_pack(folder, str(check_path))
        for p in problems:
            print(p)
        errors = sum(p.severity == "error" for p in problems)
        print(f"规则包 {pack.name or folder.name}: {errors} 个错误" if problems else f"规则包 {pack.name}: 没有发现问题")
        if errors:
            raise typer.Exit(1)
        return
    led = _load(_root(ledger), only_config=True)  # the pack, not the items
    pack = led.pack
    sections = {"categories": category_rows(pack), "process": process_rows(pack),
                "scoring": scoring_rows(pack) if pack.scoring.rules else []}
    if json_:
        _out_json({"name": pack.name, "title": pack.title, "document": pack.document,
                   "scoring_summary": scoring_summary(pack) if pack.scoring.rules else None, **sections})
        return
    from rich.table import Table

    con = _console()
    con.print(f"[bold]{pack.title}[/bold]（{pack.document}，规则包 {pack.name}）")
    heads = {"categories": ("类别与期限", ["类别", "等级", "办理期限", "最长", "定期报送", "回头望", "依据"]),
             "process": ("督办流程", ["环节", "规定", "依据"]),
             "scoring": ("考核计分表", ["编号", "项目", "计什么", "分值", "依据"])}
    for key, (title, cols) in heads.items():
        if not sections[key]:
            con.print(f"{title}：本规则包未规定" + ("（没有 scoring.yaml）" if key == "scoring" else ""))
            continue
        table = Table(title=title, show_lines=True)
        for col in cols:
            table.add_column(col, overflow="fold")
        for row in sections[key]:
            table.add_row(*row)
        con.print(table)
        if key == "scoring":
            con.print(scoring_summary(pack))
    _exit_for(led)


# --------------------------------------------------------------------- score

@app.command()
def score(period: Annotated[Optional[str], typer.Argument(
              help="考核期：Q1…Q4（年份取 --year 或今年）、2026Q2，或整年 2026；缺省为今天所在的考核期")] = None,
          year: Annotated[Optional[int], typer.Option("--year", help="年份（配合 Q1…Q4）")] = None,
          explain: Annotated[Optional[str], typer.Option("--explain", help="列出该单位（代号）每一项加减分及其条款")] = None,
          csv_path: Annotated[Optional[Path], typer.Option("--csv", help="另存得分表为 CSV（Excel 可直接打开）")] = None,
          xlsx_path: Annotated[Optional[Path], typer.Option("--xlsx", help="另存为 Excel 工作簿：得分表和加减分明细")] = None,
          json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """考核计分：按规则包 scoring.yaml 计算各单位本考核期的基础分、加分、减分、得分和排名。"""
    from .ledger import Scope
    from .scoring import counts_from, parse_period, score as compute

    root, day = _root(ledger), _today(today)
    led = _load(root, scope=Scope(since=counts_from(parse_period(period, year, day).year)))
    if not led.pack.scoring.rules:
        raise DubanError(f"规则包 {led.pack.name or led.config.rules} 没有考核计分表（{led.config.rules}/scoring.yaml）")
    per = parse_period(period, year, day, led.pack.scoring.period)
    if explain and explain not in led.units:
        raise DubanError(f"未知的单位 “{explain}”（见 units.yaml）")
    scores = compute(led, per, day)
    written = []
    if csv_path:
        from .exports import scores_csv

        written.append(scores_csv(scores, per, csv_path))
    if xlsx_path:
        from .exports import scores_xlsx

        written.append(scores_xlsx(scores, per, xlsx_path))
    if json_:
        shown = [s for s in scores if s.unit == explain] if explain else scores
        _out_json({"period": per.as_json(), "pack": led.pack.name, "until": min(per.end, day).isoformat(),
                   "units": [s.as_json() for s in shown]})
    elif explain:
        _print_explain(next(s for s in scores if s.unit == explain), per, led)
    else:
        _print_scores(scores, per, led, day)
    for path in written:
        print(f"已导出: {path}", file=sys.stderr if json_ else sys.stdout)
    _exit_for(led)


def _print_scores(scores, per, led, day) -> None:
    from rich.table import Table

    from .scoring import SCORE_HEADER, plain, score_rows

    note = "" if day >= per.end else f"，计至 {day}"
    table = Table(title=f"{per.label}督查工作考核得分", caption=f"{led.pack.title or led.pack.name}{note}")
    for col in SCORE_HEADER:
        table.add_column(col, overflow="fold", justify="right" if col in ("排名", "基础分", "加分", "减分", "得分") else "left",
                         no_wrap=col not in ("单位", "标记"), min_width=8 if col == "标记" else None)
    for row in score_rows(scores):
        table.add_row(*map(plain, row))
    _console().print(table)


def _print_explain(us, per, led) -> None:
    """One block per delta (readable at any width): date, points, item; then rule and clause."""
    from .scoring import explain_rows, points_text

    con = _console()
    con.print(f"[bold]{us.name}（{us.unit}）{per.label} 加减分明细[/bold]")
    rows = explain_rows(us)
    for day, item, title, rule, source, pts, counted, note in rows:
        style = "dim" if counted == "未计" else ("green" if pts > 0 else "red")
        con.print(f"{day}  [{style}]{points_text(pts):>5}  {counted}[/{style}]  {item} {title}".rstrip())
        con.print(f"    规则 {rule}" + (f"（{note}）" if note else ""), style="dim" if counted == "未计" else None)
        con.print(f"    依据 {source}", style="dim")
    if not rows:
        print("（没有加减分）")
    for cut in us.cuts:
        print(f"说明：{cut}")
    print(f"基础分 {points_text(us.base).lstrip('+')} + 加分 {points_text(us.bonus).lstrip('+')} "
          f"− 减分 {points_text(us.penalty).lstrip('+')} = 得分 {points_text(us.score).lstrip('+')}"
          f"（排名 {us.rank}）" + (f"；{'、'.join(us.flags)}" if us.flags else ""))


# --------------------------------------------------------------------- sweep

@app.command()
def sweep(dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将要做的，不改动台账")] = False,
          quiet: Annotated[bool, typer.Option("--quiet", help="没有动作时什么也不打印（供 cron 邮件）")] = False,
          no_forms: NoFormsOpt = False, json_: JsonOpt = False, ledger: LedgerOpt = None, today: TodayOpt = None):
    """每日巡查：临期提示、逾期提醒单→警告单→追责问效移交建议、定期报送、回头望；一次提交；发出的文书生成到 out/。"""
    from .sweep import action_label, digest_markdown, run

    root, day = _root(ledger), _today(today)
    res, led = run(root, day, dry_run=dry_run)
    if not dry_run and (res.actions or res.pending or res.problems):
        out = root / "out" / "sweep" / f"{day}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(digest_markdown(res, led), encoding="utf-8")
        res.digest = out
    if not dry_run and not no_forms:
        from .rules import STEPS

        jobs = [(a["kind"], a["item"], a["number"]) for a in res.actions if a["kind"] in STEPS]
        res.forms = _render_after(root, jobs, day) if jobs else []
    if json_:
        _out_json(res.as_json())
    elif not (quiet and not res.actions and not res.problems):
        from rich.table import Table

        con = _console()
        table = Table(title=f"督查日报 {day}{'（演练，未改动台账）' if dry_run else ''}")
        for col in ("事项", "标题", "日期", "动作", "编号", "单位"):
            table.add_column(col, overflow="fold", no_wrap=col in ("事项", "日期", "编号"))
        for a in res.actions:
            it = led.items.get(a["item"] or "")
            table.add_row(a["item"] or "", it.title if it else "", str(a["date"]), action_label(a),
                          a.get("number") or "", led.unit_name(a["unit"]) if a.get("unit") else "")
        if res.actions:
            con.print(table)
        else:
            print(f"{day} 巡查：没有到期的动作")
        for p in res.pending:
            print(f"待处理 {p['item']} {p['title']}：{p['what']}")
        for p in res.problems:
            print(f"问题 {p}", file=sys.stderr)
        if res.digest:
            print(f"日报: {res.digest}")
    if res.problems:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
