"""Every command, and every option of every command, has help text."""

from __future__ import annotations

import typer
from conftest import Ledger

from duban.cli import app


def commands():
    group = typer.main.get_command(app)
    return group, sorted(group.commands)


def test_every_command_and_option_has_help():
    group, names = commands()
    assert {
        "init",
        "issue",
        "list",
        "show",
        "check",
        "log",
        "undo",
        "extend",
        "calendar",
        "report",
        "review",
        "transfer-back",
        "reassign",
        "instruct",
        "lookback",
        "close",
        "escalate",
        "refer",
        "sweep",
    } <= set(names)
    for name in names:
        cmd = group.commands[name]
        assert (cmd.help or "").strip(), f"{name} has no help"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{name} {param.opts} has no help"
            if param.param_type_name == "argument":
                assert (getattr(param, "help", "") or "").strip(), f"{name} {param.name} has no help"
        if name not in ("init",):
            assert any("--ledger" in p.opts for p in cmd.params), f"{name} lacks --ledger"
        if name not in ("init", "log", "undo"):
            assert any("--today" in p.opts for p in cmd.params), f"{name} lacks --today"


def test_help_runs_for_every_command(tmp_path):
    from typer.testing import CliRunner

    group, names = commands()
    for name in names:
        res = CliRunner().invoke(app, [name, "--help"])
        assert res.exit_code == 0, name
        assert "用法" in res.stdout and "Usage" not in res.stdout


def test_usage_errors_exit_2(ledger: Ledger):
    assert ledger("review", "2026-0001", "maybe").code == 2
    assert ledger("list", "--bogus").code == 2


def test_a_command_named_first_is_built_alone_and_says_the_same():
    """``duban NAME …`` builds only that command (typer builds every command's options at each start): its help,
    its errors and its output are those of the whole app; anything that names no command gets the whole app."""
    from typer.testing import CliRunner

    from duban.cli.full import narrowed

    _, names = commands()
    for name in names:
        for args in ([name, "--help"], [name, "--bogus"]):
            alone = narrowed(args)
            assert alone is not app and len(alone.registered_commands) == 1, name
            want, got = CliRunner().invoke(app, args), CliRunner().invoke(alone, args)
            assert (got.exit_code, got.stdout, got.stderr) == (want.exit_code, want.stdout, want.stderr), args
    for args in ([], ["--help"], ["--version"], ["scor"], ["help"]):
        assert narrowed(args) is app
    assert len(app.registered_commands) == len(names)  # the app itself is left whole
