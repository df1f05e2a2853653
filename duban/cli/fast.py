"""The fast path of the command line: ``duban list``, ``duban show`` and ``duban --version`` served with the
standard library and the cache alone — no typer, rich or PyYAML is imported (Python's start and those
imports cost more than the whole of Taskwarrior's ``task overdue``).

It takes only what it is sure to print exactly as the full command line would: the options it knows, in
the forms click accepts (``--opt value``, ``--opt=value``, repeated), output to a pipe or a file (or
``--json``), and a ledger without problems.  Anything else — ``--help``, an unknown option, a terminal,
a problem to report, an error, shell completion, ``DUBAN_FAST=off`` — returns False before anything is printed, and the
full command line (:mod:`duban.cli.full`) runs instead and says it the usual way.
"""

from __future__ import annotations

import gc
import os
import sys

FLAGS = {"list": {"--overdue", "--all", "--json"}, "show": {"--json"}}
VALUES = {
    "list": {"--status", "--unit", "--tier", "--category", "--leader", "--text", "--due-within", "--ledger", "--today"},
    "show": {"--ledger", "--today"},
}


def serve(argv: list[str]) -> bool:
    """Run the command if the fast path can; False (nothing printed) when the full command line must."""
    if os.environ.get("_DUBAN_COMPLETE") or os.environ.get("DUBAN_FAST", "").lower() in ("off", "0", "no", "false"):
        return False
    if argv == ["--version"]:
        from duban import __version__

        print(f"duban {__version__}")
        return True
    if not argv or argv[0] not in FLAGS:
        return False
    parsed = parse(argv[1:], FLAGS[argv[0]], VALUES[argv[0]])
    if parsed is None:
        return False
    positional, opts = parsed
    gc.disable()  # a short run that makes many objects and little garbage: the collector only costs time
    try:
        out = (list_text if argv[0] == "list" else show_text)(positional, opts)
    except Exception:  # an error (no such item, a bad date …): the full command line reports it
        out = None
    if out is None:
        gc.enable()
        return False
    sys.stdout.write(out)
    return True


def parse(args: list[str], flags: set[str], values: set[str]) -> tuple[list[str], dict[str, list[str]]] | None:
    """Positional arguments and options (name → every value given, in order; "" for a flag); None for
    anything else."""
    positional: list[str] = []
    opts: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            positional += args[i + 1 :]
            break
        if a.startswith("-"):
            name, eq, value = a.partition("=")
            if name in flags and not eq:
                value = ""
            elif name in values:
                if not eq:
                    i += 1
                    if i == len(args):
                        return None
                    value = args[i]
            else:
                return None
            opts.setdefault(name, []).append(value)
        else:
            positional.append(a)
        i += 1
    return positional, opts


def _where(opts: dict[str, list[str]]):
    """The ledger's root and the day, as the full command line finds them (--ledger / DUBAN_LEDGER, --today /
    DUBAN_TODAY, else today in the ledger's time zone)."""
    from pathlib import Path

    from duban.commands.base import find_ledger
    from duban.commands.clock import ledger_today

    given = _given(opts)
    if given is None:
        raise ValueError("empty --ledger")
    ledger, today = given
    root = find_ledger(Path(ledger) if ledger else None)
    return root, ledger_today(root, today or os.environ.get("DUBAN_TODAY") or None)


def _plain_stdout() -> bool:
    """Whether rich would see no terminal on stdout (then it prints plain text, no styles)."""
    env = os.environ
    if any(env.get(k) is not None for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")):
        return False
    try:
        return not sys.stdout.isatty()
    except ValueError:
        return False


def _given(opts: dict[str, list[str]]) -> tuple[str | None, str | None] | None:
    """--ledger and --today as given (None: not given); None for an empty --ledger (the full way says so)."""
    ledger, today = opts.get("--ledger", [None])[-1], opts.get("--today", [None])[-1]
    return None if ledger == "" else (ledger, today)


def list_text(positional: list[str], opts: dict[str, list[str]]) -> str | None:
    from duban.outputs.listing import json_text, list_caption, plain_list

    json_ = "--json" in opts
    if positional or not (json_ or _plain_stdout()):
        return None
    given = _given(opts)
    if given is not None and set(opts) <= {"--overdue", "--json", "--ledger", "--today"}:
        from duban.commands.quick import serve_list

        stored = serve_list(*given, "--overdue" in opts, not json_)
        if stored is not None:
            return json_text(stored) if json_ else plain_list(list_caption(len(stored), False, ()), stored)
    from duban.commands.queries import Filters, list_items

    due = opts.get("--due-within", [None])[-1]
    filters = Filters(
        status=tuple(opts.get("--status", ())),
        unit=tuple(opts.get("--unit", ())),
        tier=tuple(opts.get("--tier", ())),
        category=tuple(opts.get("--category", ())),
        overdue="--overdue" in opts,
        due_within=int(due) if due is not None else None,
        all="--all" in opts,
        leader=opts.get("--leader", [None])[-1],
        text=opts.get("--text", [None])[-1],
    )
    root, day = _where(opts)
    led, rows = list_items(root, filters, day, table=not json_)
    if led.problems:
        return None
    if json_:
        return json_text(rows)
    return plain_list(list_caption(len(rows), filters.all, filters.status), rows)


def show_text(positional: list[str], opts: dict[str, list[str]]) -> str | None:
    from duban.outputs.listing import json_text, plain_item

    json_ = "--json" in opts
    if len(positional) != 1 or not (json_ or _plain_stdout()):
        return None
    from duban.commands.quick import serve_show

    given = _given(opts)
    v = serve_show(*given, positional[0]) if given is not None else None
    if v is None:
        from duban.commands.queries import show_item

        root, day = _where(opts)
        led, v = show_item(root, positional[0], day)
        if led.problems:
            return None
    if json_:
        return json_text(v)
    text = plain_item(v)
    # what rich would change: emoji codes (:name:) in the title line, tabs and control characters
    if ":" in text.split("\n", 1)[0] or any(c < " " and c != "\n" or c == "\x7f" for c in text):
        return None
    return text
