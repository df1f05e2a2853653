"""The fast path of the command line (duban.cli.fast): whole processes, as a clerk runs them.  What it prints
is byte for byte what the full command line prints (DUBAN_FAST=off), cold, warm and without a cache; it
imports neither typer, rich nor PyYAML; and the settings it takes from the cache follow every edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duban.commands.setup import init_ledger
from duban.store.cache import cache_dir

TODAY = "2026-11-20"
COMMANDS = [
    ("--version",),
    ("list",),
    ("list", "--overdue"),
    ("list", "--overdue", "--json"),
    ("list", "--all"),
    ("list", "--json", "--all"),
    ("list", "--status", "closed", "--status=done"),
    ("list", "--unit", "zjj", "--tier", "red"),
    ("list", "--due-within", "30", "--category=keyword"),
    ("list", "--leader", "区长", "--text", "改造"),
    ("show", "2026-0003"),
    ("show", "2026-0003", "--json"),
    ("show", "2026-0001"),
    ("show", "2026-9999"),  # no such item: the full command line says so
    ("show", "2026-0001", "--today", "2026-12-31"),
    ("list", "--today", "not-a-date"),
    ("list", "--xlsx"),  # not the fast path's: typer's error
    ("list", "--bogus"),
    ("show",),
]


def age(path: Path, seconds: int) -> None:
    t = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(t, t))


@pytest.fixture
def root(tmp_path) -> Path:
    root = init_ledger(tmp_path / "sample", sample=True, pack=None)
    for path in root.rglob("*"):
        if ".git" not in path.parts:
            age(path, 60)
    return root


def run(root: Path, *args: str, **env: str) -> tuple[int, bytes, bytes]:
    e = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY, "COLUMNS": "200", **env}
    for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "DUBAN_FAST", "DUBAN_CACHE"):
        if k not in env:
            e.pop(k, None)
    p = subprocess.run([sys.executable, "-m", "duban", *args], env=e, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def outputs(root: Path, **env: str) -> list:
    return [run(root, *args, **env) for args in COMMANDS]


def test_fast_path_prints_what_the_full_command_line_prints(root):
    full = outputs(root, DUBAN_FAST="off")
    assert full[1][0] == 0 and full[1][1].count(b"\n") > 3  # the list has items
    assert outputs(root) == full  # cold: the cache built by the fast path
    assert outputs(root) == full  # warm
    assert outputs(root, DUBAN_CACHE="off") == full
    shutil.rmtree(cache_dir(root))
    assert outputs(root, DUBAN_FAST="off") == full  # the full path on a cache the fast path did not build
    assert outputs(root) == full


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'rich', 'typer',"
    " 'click'}), file=sys.stderr))\n"
    "sys.argv = ['duban', *sys.argv[1:]]\n"
    "from duban.cli import main\n"
    "main()\n"
)


def imported(root: Path, *args: str) -> str:
    e = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY}
    p = subprocess.run([sys.executable, "-c", PROBE, *args], env=e, capture_output=True, text=True)
    return p.stderr.strip().splitlines()[-1]


def test_list_show_and_version_import_neither_typer_nor_rich_nor_yaml(root):
    run(root, "list")  # the cache built
    for args in [("list",), ("list", "--overdue"), ("list", "--json", "--all"), ("show", "2026-0003"), ("--version",)]:
        assert imported(root, *args) == "[]", args
    assert "typer" in imported(root, "check")  # the probe sees them where they are used
    assert "typer" in imported(root, "show", "2026-9999")  # an error: the full command line reports it


def test_the_installed_command_starts_without_re_pickle_or_enum(root):
    """The `duban` command as installed (bin/duban): on the quick way nothing imports re, enum or pickle.py
    (pip's console-script wrapper imported re before duban started: a tenth of the quick way's time)."""
    script = Path(sys.executable).parent / "duban"
    assert script.is_file() and script.read_text(encoding="utf-8").startswith("#!")
    run(root, "list", "--overdue")  # the cache and the views built
    run(root, "show", "2026-0003")
    e = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY, "PYTHONPROFILEIMPORTTIME": "1"}
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    for args in [("list", "--overdue"), ("show", "2026-0003"), ("--version",)]:
        p = subprocess.run([str(script), *args], env=e, capture_output=True, text=True)
        assert p.returncode == 0 and p.stdout, (args, p.stderr)
        modules = {line.rsplit("|", 1)[1].strip() for line in p.stderr.splitlines() if line.startswith("import time")}
        assert "duban.cli" in modules and not modules & {"re", "enum", "pickle", "yaml", "typer"}, (args, modules)


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Rewrite a file with the same size and the same modification time: only its inode's change time moves."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    with open(path, "r+b") as f:  # in place: the same inode
        f.write(text.replace(old, new, 1).encode())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000))


def test_settings_from_the_cache_follow_every_edit(root):
    full = run(root, "show", "2026-0003", DUBAN_FAST="off")[1]
    assert run(root, "show", "2026-0003") == (0, full, b"")
    lead = full.decode().split("主办单位：")[1].split("\n")[0]
    units = root / "units.yaml"
    renamed = lead[:-1] + ("委" if lead[-1] != "委" else "局")
    edit_in_place(units, f"name: {lead}", f"name: {renamed}")
    out = run(root, "show", "2026-0003")[1].decode()
    assert f"主办单位：{renamed}" in out and out == run(root, "show", "2026-0003", DUBAN_FAST="off")[1].decode()
    # the pack: a tier's label, same size, same time
    tiers = root / "rules" / "tiers.yaml"
    text = tiers.read_text(encoding="utf-8")
    label = next(line.split("label:")[1].strip() for line in text.splitlines() if "label:" in line)
    changed = label[::-1] if label[::-1] != label else label + "x"
    if len(changed.encode()) == len(label.encode()):
        edit_in_place(tiers, f"label: {label}", f"label: {changed}")
        assert run(root, "show", "2026-0003") == run(root, "show", "2026-0003", DUBAN_FAST="off")
    # a file added to the pack folder, a file removed: the folder's listing changes
    (root / "rules" / "calendar.yaml").unlink(missing_ok=True)
    assert run(root, "list", "--all") == run(root, "list", "--all", DUBAN_FAST="off")
    # duban.yaml: another time zone (the day), written just now (not trusted: read again next time)
    config = root / "duban.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Asia/Shanghai", "Asia/Urumqi"), encoding="utf-8")
    assert run(root, "list", DUBAN_TODAY="") == run(root, "list", DUBAN_TODAY="", DUBAN_FAST="off")


def test_what_rich_would_print_otherwise_goes_the_full_way(root):
    item = root / "items" / "2026" / "2026-0003.yaml"
    text = item.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    item.write_text(text.replace(title, 'title: "a\\tb :smile: c\\u0007d"'), encoding="utf-8")
    age(item, 30)
    for args in [("show", "2026-0003"), ("list", "--all"), ("list", "--json")]:
        assert run(root, *args) == run(root, *args, DUBAN_FAST="off"), args
    # a ledger with a problem: the problems on stderr and the exit code, as the full command line gives them
    bad = root / "items" / "2026" / "2026-0004.yaml"
    bad.write_text(bad.read_text(encoding="utf-8") + "tier: purple\n", encoding="utf-8")
    for args in [("show", "2026-0003"), ("list",), ("list", "--overdue", "--json")]:
        fast, full = run(root, *args), run(root, *args, DUBAN_FAST="off")
        assert fast == full and fast[0] == 1 and b"2026-0004" in fast[2], args


def test_settled_items_are_listed_from_the_cache_columns_as_from_their_files(root):
    import json as _json
    from datetime import date

    from duban.store.ledger import Scope, load

    closed = _json.loads(run(root, "list", "--status", "closed", "--json")[1])
    assert closed
    item = closed[0]["id"]
    rc, _, err = run(root, "amend", item, "--reason", "更正", "--title", "更正后的标题", "--tier", "red")
    assert rc == 0, err
    for path in root.rglob("*.yaml"):
        if ".git" not in path.parts:
            age(path, 30)
    run(root, "list", "--all")  # the cache brought up to date
    summaries = load(root, scope=Scope(summary_on=date.fromisoformat(TODAY))).summaries
    assert item in {s.id for s in summaries} and len(summaries) >= len(closed)
    for args in [("list", "--all"), ("list", "--status", "closed"), ("list", "--status", "done", "--status", "open")]:
        fast = run(root, *args)
        assert fast == run(root, *args, DUBAN_CACHE="off") == run(root, *args, DUBAN_FAST="off"), args
    assert "更正后的标题" in run(root, "list", "--all")[1].decode()
    # the day asked for before the item was settled: from its records, not the columns
    early = ("list", "--all", "--today", "2026-03-01")
    assert run(root, *early) == run(root, *early, DUBAN_CACHE="off")


def test_the_columns_follow_in_place_edits_that_unsettle_delete_or_rename(root):
    run(root, "list", "--all")  # sealed folders, summaries in use
    closed = [line for line in run(root, "list", "--status", "closed")[1].decode().splitlines()[2:]]
    first, second = closed[0].split()[0], closed[1].split()[0]
    path = root / "items" / first[:4] / f"{first}.yaml"
    st = path.stat()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    close = next(i for i, line in enumerate(lines) if "kind: close" in line)
    with open(path, "r+b") as f:  # the close entry cut off in place, the file's time put back
        f.write("".join(lines[:close] + lines[close + 1 :]).encode())
        f.truncate()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    moved = root / "items" / second[:4] / f"{second}.yaml"
    moved.rename(moved.with_name("x" + moved.name))  # renamed: an item file that is not named by its id
    for args in [("list", "--all"), ("list", "--status", "closed"), ("list",)]:
        assert run(root, *args) == run(root, *args, DUBAN_CACHE="off"), args
    out = run(root, "list", "--status", "closed")[1].decode()
    assert first not in out and second not in out
