"""What every command of the CLI shares: the app, the common options, output helpers."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from duban.cli.chinese import ChineseGroup
from duban.core.errors import DubanError

# ------------------------------------------------------------ shell completion (read-only, never fails)


def _completion_root() -> Path | None:
    try:
        return root_of(None)
    except DubanError:
        return None


def complete_item(incomplete: str) -> list[str]:
    """Item ids from the file names under items/ (no YAML is parsed)."""
    root = _completion_root()
    if root is None:
        return []
    return sorted(p.stem for p in (root / "items").glob("*/*.yaml") if p.stem.startswith(incomplete))


def complete_unit(incomplete: str) -> list[str]:
    """The ids of units.yaml's units still in service today (as loaded for every command, from the cache)."""
    root = _completion_root()
    if root is None:
        return []
    from duban.commands.clock import ledger_today
    from duban.commands.queries import settings

    today = ledger_today(root, os.environ.get("DUBAN_TODAY") or None)
    units = settings(root).units.values()
    return [u.id for u in units if (u.retired is None or u.retired > today) and u.id.startswith(incomplete)]


def complete_category(incomplete: str) -> list[str]:
    root = _completion_root()
    if root is None:
        return []
    from duban.commands.queries import settings

    return [c for c in settings(root).pack.categories if c.startswith(incomplete)]


def complete_tier(incomplete: str) -> list[str]:
    from duban.core.model import TIERS

    return [t for t in TIERS if t.startswith(incomplete)]


app = typer.Typer(
    cls=ChineseGroup,
    help="督办 duban：督查事项台账、期限、督办升级、考核与督查文书。\n\n"
    "每个命令都接受 --ledger（台账目录）和 --today（把今天当作某一天）。",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


LedgerOpt = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        envvar="DUBAN_LEDGER",
        show_envvar=False,
        help="台账目录；默认取环境变量 DUBAN_LEDGER，否则从当前目录向上查找 duban.yaml",
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="DUBAN_TODAY",
        show_envvar=False,
        help="把今天当作这一天（YYYY-MM-DD），用于补跑或回放；默认取台账所设时区（duban.yaml timezone）的今天",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]
NoFormsOpt = Annotated[bool, typer.Option("--no-forms", help="不生成 Word 文书")]
ItemArg = Annotated[str, typer.Argument(help="事项编号，如 2026-0007", autocompletion=complete_item)]


def console(stderr: bool = False):
    from rich.console import Console

    # soft wrap: a message is never cut into lines at the console's width (a pipe's 80 columns), so
    # ``path:line: …`` lines stay whole; tables still fit the terminal
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def busy(what: str):
    """A spinner with ``what`` on stderr while a command reads or writes — only when stderr is a terminal,
    so pipes, files and cron mail stay clean."""
    if not sys.stderr.isatty():
        yield
        return
    with console(stderr=True).status(what, spinner="dots"):
        yield


def out_json(data) -> None:
    from duban.outputs.listing import json_text

    sys.stdout.write(json_text(data))


def root_of(ledger: Path | None) -> Path:
    """The ledger's root: --ledger, DUBAN_LEDGER, or the nearest duban.yaml above."""
    from duban.commands.base import find_ledger

    return find_ledger(ledger)


def where(ledger: Path | None, today: str | None) -> tuple[Path, date]:
    """The ledger's root and the day to act on."""
    from duban.commands.clock import ledger_today

    root = root_of(ledger)
    return root, ledger_today(root, today)


def when(ledger: Path | None, today: str | None, on: str | None) -> tuple[Path, date, date | None]:
    """The ledger's root, the day to act on, and the day the record happened (``--date``; None: today)."""
    root, day = where(ledger, today)
    return root, day, date_opt(on, "--date")


def date_arg(value: str, what: str) -> date:
    from duban.commands.clock import parse_date

    return parse_date(value, what)


def date_opt(value: str | None, what: str) -> date | None:
    from duban.commands.clock import optional_date, parse_date

    if value is not None and not value.strip():  # given, but empty: not a date (and not "none given")
        return parse_date(value, what)
    return optional_date(value, what)


def report_problems(led) -> None:
    """A loaded ledger's problems on stderr (the command carries on with the files that loaded)."""
    if not led.problems:
        return
    err = console(stderr=True)
    errors = [p for p in led.problems if p.severity == "error"]
    for p in led.problems[:20]:
        err.print(str(p), style="red" if p.severity == "error" else "yellow", markup=False, highlight=False)
    if len(led.problems) > 20:
        err.print(f"……另有 {len(led.problems) - 20} 个问题，运行 duban check 查看全部", markup=False)
    if errors:
        err.print(f"台账有 {len(errors)} 个错误，出错的文件已跳过（duban check 查看全部）", style="red", markup=False)


def exit_for(led) -> None:
    if any(p.severity == "error" for p in led.problems):
        raise typer.Exit(1)


def render_after(root: Path, jobs: list, day: date) -> list[Path]:
    """Forms for what a command just committed; a failure is reported on stderr and changes nothing."""
    from duban.commands.publish import render_quietly

    paths, errors = render_quietly(root, jobs, day)
    print_forms([str(p) for p in paths], errors)
    return paths


def print_forms(paths: list[str], errors: list[str]) -> None:
    for p in paths:
        print(f"文书: {p}", file=sys.stderr)
    for e in errors:
        print(f"文书未生成 {e}（duban check 检查模板；修正后可用 duban render 补出）", file=sys.stderr)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DubanError(f"无法读取 {path}: {e}") from None
