"""Helpers for the trust tests: ledgers driven through real subprocesses, with the fault hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import GIT_ID, git, make_ledger

from duban.commands.checks import check_numbers, check_transitions
from duban.commands.items import item_text
from duban.commands.verify import verify
from duban.store.counters import Counters, ref_number
from duban.store.ledger import load

ENV = {**GIT_ID, "DUBAN_TODAY": "", "DUBAN_LEDGER": "", "DUBAN_FAULT": "", "DUBAN_FAULT_COUNT": ""}


def duban(root: Path, *args: str, fault: str = "", count: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **ENV, "DUBAN_FAULT": fault, "DUBAN_FAULT_COUNT": str(count or "")}
    return subprocess.run(
        [sys.executable, "-m", "duban", *args, "--ledger", str(root)], capture_output=True, text=True, env=env
    )


def forked(root: Path, *args: str, fault: str = "") -> tuple[int, str]:
    """The CLI in a forked child (no interpreter start-up): (exit code, or minus the signal; stderr)."""
    import signal

    err = root.parent / f"{root.name}.stderr"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(fd, 2)
            os.environ.update({**ENV, "COLUMNS": "200"})
            from duban.cli import main
            from duban.store import fault as hook

            hook.arm(fault)
            sys.argv = ["duban", *args, "--ledger", str(root)]
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:  # noqa: BLE001 - a traceback is a failure the parent reports
            import traceback

            traceback.print_exc()
            code = 98
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    assert code != -signal.SIGSEGV
    return code, err.read_text(encoding="utf-8", errors="replace")


def counts(root: Path, args: tuple[str, ...], tmp: Path) -> dict[str, int]:
    """How many file writes and git calls a command makes (a dry run on a copy)."""
    work = copy(root, tmp / "count")
    log = tmp / "count.log"
    log.unlink(missing_ok=True)
    res = duban(work, *args, count=log)
    assert res.returncode == 0, res.stderr
    lines = log.read_text().split()
    return {"write": lines.count("write"), "git": lines.count("git")}


def copy(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    return dst


def tracked(root: Path) -> dict[str, bytes]:
    """Every tracked file's content, after checking that git sees nothing uncommitted (outside out/)."""
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert status.strip() == "", status
    names = git(root, "ls-files", "-z").split("\0")
    return {n: (root / n).read_bytes() for n in names if n}


def sound(root: Path, today) -> None:
    """check (all but the template lint, which the kill cannot touch) and verify pass."""
    ledger = load(root)
    problems = ledger.problems + check_numbers(ledger, today) + check_transitions(ledger, today)
    errors = [p for p in problems if p.severity == "error"]
    assert errors == [], errors
    found, _ = verify(root, everything=True)
    assert found == [], found


def many_items(root: Path, n: int, issued: str = "2026-03-02", deadline: str = "2026-03-06") -> None:
    """``n`` items issued at once (written directly, one commit), their deadlines long past."""
    from datetime import date

    counters = Counters(root)
    for _ in range(n):
        k = counters.next("item", 2026)
        ref = ref_number("灞政督", 2026, counters.next("notice", 2026))
        item_id = f"2026-{k:04d}"
        path = root / "items" / "2026" / f"{item_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            item_text(
                item_id=item_id,
                title=f"第{k}件督办事项",
                category="leader_instruction",
                tier=("red", "yellow", "blue")[k % 3],
                basis="区长批示",
                ref=ref,
                lead=("fgw", "zjj", "jyj")[k % 3],
                co=[],
                issued=date.fromisoformat(issued),
                deadline=date.fromisoformat(deadline),
                requirement="按期办结。",
            ),
            encoding="utf-8",
        )
    (root / "counters.yaml").write_text(counters.text(), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"督办 批量立项 {n} 件", "-m", "Duban-Action: issue")


def base_ledger(path: Path):
    return make_ledger(path)
