"""Click and typer speak English; the clerk reads Chinese.  This layer translates what they print:
usage errors (``Missing option``, ``No such command``, ``Invalid value for`` …), the usage line, the help
option, the help's section titles and the completion options.

Typer vendors click without gettext, so the messages are translated where they leave: :class:`ChineseGroup`
runs the command line itself (click's non-standalone mode) and prints every usage error in Chinese, on one
line per message, never boxed or wrapped at 80 columns.  The help's fixed words are set once on import."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperGroup, TyperOption

USAGE = "用法: "
HELP_HELP = "显示本帮助并退出"
WORDS = {
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "Error": "错误",
    "Aborted.": "已中止。",
    "Aborted!": "已中止。",
    "required": "必填",
    "(dynamic)": "（动态）",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 “{name}”",
    "default: {default}": "默认: {default}",
    "env var: {var}": "环境变量: {var}",
    "(deprecated) ": "（已弃用）",
    "[default: {}]": "[默认: {}]",
    "[env var: {}]": "[环境变量: {}]",
    "[required]": "[必填]",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]{command_path} {help_option}[/] 查看帮助。",
}
# click's error messages, as they are built (most specific first)
MESSAGES = [
    (r"'([^']*)' is not a valid integer range\.", r"“\1”不是有效的整数范围"),
    (r"'([^']*)' is not a valid integer\.", r"“\1”不是整数"),
    (r"'([^']*)' is not a valid float\.", r"“\1”不是数字"),
    (r"'([^']*)' is not a valid boolean\.", r"“\1”不是是/否值"),
    (r"'([^']*)' is not one of (.+)\.", r"“\1”不是可选值之一（\2）"),
    (r"(-?[\d.]+) is not in the range (.+)\.", r"\1 不在范围 \2 内"),
    (r"Path '([^']*)' does not exist\.", r"路径 “\1” 不存在"),
    (r"Missing option '?([^'.]+)'?\.?", r"缺少选项 \1"),
    (r"Missing argument '?([^'.]+)'?\.?", r"缺少参数 \1"),
    (r"Missing parameter: (.+)", r"缺少参数 \1"),
    (r"No such command '([^']*)'\.", r"没有命令 “\1”"),
    (r"No such option: (\S+)", r"没有选项 \1"),
    (r"Option '([^']*)' requires an argument\.", r"选项 \1 需要一个值"),
    (r"Option '([^']*)' does not take a value\.", r"选项 \1 不带值"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.+)\)", r"多余的参数: \1"),
    (r"Missing command\.", "缺少命令"),
    (r"\.? ?(?:Did you mean|Possible options:?) (.+?)\??$", r"；是否要找 \1？"),
    (r"Invalid value for '([^']+)': (.*)", r"\1 的值无效: \2"),
    (r"Invalid value for ([^:]+): (.*)", r"\1 的值无效: \2"),
    (r"Invalid value: (.*)", r"值无效: \1"),
]
_MESSAGES = [(re.compile(p), r) for p, r in MESSAGES]


def translate(message: str) -> str:
    """A click message in Chinese (each sentence that matches a known pattern; others kept as they are)."""
    out = message
    for pattern, repl in _MESSAGES:
        out = pattern.sub(repl, out)
    return out


def usage_line(ctx) -> str:
    usage = ctx.get_usage().strip()
    return usage.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")


def show_error(e: click.ClickException) -> None:
    """A usage error as the clerk reads it: usage line, where to get help, the reason (exit code 2)."""
    ctx = getattr(e, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(usage_line(ctx))
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"运行 {ctx.command_path} {ctx.help_option_names[0]} 查看帮助。")
        lines.append("")
    lines.append(f"错误: {translate(e.format_message())}")
    sys.stderr.write("\n".join(lines) + "\n")


class ChineseGroup(TyperGroup):
    """The root command: runs the command line and speaks Chinese about its mistakes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        argv = sys.argv[1:] if args is None else list(args)
        if not argv or "--help" in argv:
            _rich_help_words()
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.Abort:
            sys.stderr.write("\n已中止。\n")
            sys.exit(1)
        except click.ClickException as e:
            show_error(e)
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for p in params:
            if not isinstance(p, TyperOption):
                continue
            if p.name == "install_completion":
                p.help = "为当前 shell 安装命令补全（事项编号、单位、类别、等级）"
            elif p.name == "show_completion":
                p.help = "显示当前 shell 的补全脚本，便于复制或自行安装"
        return params


def _help_option(original):
    def get_help_option(self, ctx):
        opt = original(self, ctx)
        if opt is not None:
            opt.help = HELP_HELP
        return opt

    return get_help_option


def _write_usage(original):
    def write_usage(self, prog, args="", prefix=None):
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        return original(self, prog, args, USAGE if prefix is None else prefix)

    return write_usage


def _speak_chinese() -> None:
    """Set the help's fixed words once (the help option, the usage line, section titles)."""
    if getattr(click.Command, "_duban_chinese", False):
        return
    click.Command._duban_chinese = True  # type: ignore[attr-defined]
    click.Command.get_help_option = _help_option(click.Command.get_help_option)  # type: ignore[method-assign]
    fmt = click.formatting.HelpFormatter
    fmt.write_usage = _write_usage(fmt.write_usage)  # type: ignore[method-assign]
    setattr(typer.core, "_", lambda s: WORDS.get(s, s))  # noqa: B010  (the module's gettext, which typer names _)


def _rich_help_words() -> None:
    """The rich help's panel titles (typer.rich_utils is imported only when help is shown)."""
    import typer.rich_utils as ru

    for name, value in vars(ru).copy().items():
        if name.isupper() and isinstance(value, str) and value in WORDS:
            setattr(ru, name, WORDS[value])


_speak_chinese()
