"""The command line as typer builds it: typer apps by family, each command a thin body that parses
options, calls one library function (:mod:`duban.commands`) and prints.

* :mod:`duban.cli.desk`   — init, list, show, check, log, undo, calendar, rules
* :mod:`duban.cli.items`  — issue, report, review, extend, transfer-back, reassign,
  instruct, lookback, close, escalate, refer, event, amend, withdraw
* :mod:`duban.cli.office` — sweep, score, render
* :mod:`duban.cli.units`  — unit (list, add, edit, retire)
"""

from __future__ import annotations

import copy
import os
import sys
from typing import Annotated

import typer
from typer.main import get_command_name

import duban.cli.desk  # noqa: F401  (each registers its commands on the app)
import duban.cli.items  # noqa: F401
import duban.cli.office  # noqa: F401
import duban.cli.units  # noqa: F401
from duban import __version__
from duban.cli.common import app, console
from duban.core.errors import DubanError


def main() -> None:
    try:
        narrowed(sys.argv[1:])()
    except DubanError as e:
        console(stderr=True).print(f"错误: {e}", markup=False, highlight=False)
        sys.exit(e.exit_code)


def narrowed(args: list[str]) -> typer.Typer:
    """The app, with only the command the first argument names when it names one: typer builds the options of
    every command it has at each start (some 40 ms for 33 commands), while a command's options, help and errors
    are its own.  Anything else (no command, an option first, a name that is none of them, shell completion)
    gets the whole app, with its list of commands and its suggestions."""
    if not args or args[0].startswith("-") or os.environ.get("_DUBAN_COMPLETE"):
        return app
    named = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(getattr(c.callback, "__name__", ""))) == args[0]
    ]
    if len(named) != 1 or app.registered_groups:
        return app
    one = copy.copy(app)
    one.registered_commands = named
    return one


def _version(value: bool):
    if value:
        print(f"duban {__version__}")
        raise typer.Exit()


@app.callback()
def _root_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号")] = False,
):
    """督办 duban."""


__all__ = ["app", "main"]
