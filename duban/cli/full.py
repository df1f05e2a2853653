"""The command line as typer builds it: typer apps by family, each command a thin body that parses
options, calls one library function (:mod:`duban.commands`) and prints.

* :mod:`duban.cli.desk`   — init, list, show, check, log, undo, calendar, rules
* :mod:`duban.cli.items`  — issue, report, review, extend, transfer-back, reassign,
  instruct, lookback, close, escalate, refer, event, amend, withdraw
* :mod:`duban.cli.office` — sweep, score, render
* :mod:`duban.cli.units`  — unit (list, add, edit, retire)
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import duban.cli.desk  # noqa: F401  (each registers its commands on the app)
import duban.cli.items  # noqa: F401
import duban.cli.office  # noqa: F401
import duban.cli.units  # noqa: F401
from duban import __version__
from duban.cli.common import app, console
from duban.core.errors import DubanError


def main() -> None:
    try:
        app()
    except DubanError as e:
        console(stderr=True).print(f"错误: {e}", markup=False, highlight=False)
        sys.exit(e.exit_code)


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
