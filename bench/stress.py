"""Stress the ledger's promises: kill commands at random instants, race the sweep against clerks.

    python bench/stress.py [--kills 200] [--rounds 100] [--seed 1] [--work /tmp/duban-stress]

1. Kills.  A scenario of clerk commands (issue, report with an attachment, extend, event, sweep over
   50 items) is run once uninterrupted, keeping the ledger after each step.  Then, again and again, a
   random step is started on a copy of the ledger before it and its whole process group is SIGKILLed
   at a random instant of its run (inside git or not); the clerk's next command follows (the same
   command again when its commit had not happened or its retry is safe, else ``duban list``).
   Counted: duplicated numbers (check), orphaned changes (anything uncommitted), manual repairs
   (a next command that failed), differences from the uninterrupted step's files, verify failures.
2. Races.  Each round a sweep and 4 clerk commands (2 reports, an event, an issue) start together;
   all must succeed (waiting for the lock) and every one's change must be in the ledger.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from trustkit import ENV, copy, many_items, tracked  # noqa: E402

from duban.commands.checks import check_numbers  # noqa: E402
from duban.commands.verify import verify  # noqa: E402
from duban.store.ledger import load  # noqa: E402

GIT_ID = {"GIT_AUTHOR_NAME": "stress", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "stress"}
GIT_ID["GIT_COMMITTER_EMAIL"] = "s@x"


def cmd(root: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "duban", *args, "--ledger", str(root)]


def env(**more) -> dict:
    return {**os.environ, **ENV, **GIT_ID, "DUBAN_LOCK_WAIT": "120", **more}


def run(root: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd(root, args), capture_output=True, text=True, env=env())


def head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()


def scenario(attachment: Path) -> list[tuple[list[str], bool]]:
    """(arguments, retry is safe) for each step."""
    return [
        (
            ["issue", "--title", "关于XX路改造", "--category", "leader_instruction", "--tier", "red", "--lead", "fgw"]
            + ["--issued", "2026-03-02", "--deadline", "2026-03-06", "--today", "2026-03-02", "--no-forms"],
            False,
        ),
        (
            ["report", "2026-0051", "--unit", "fgw", "--text", "进展", "--attachment", str(attachment)]
            + ["--today", "2026-03-05"],
            True,
        ),
        (
            ["extend", "2026-0051", "--to", "2026-03-27", "--reason", "受阻", "--approved-by", "区长"]
            + ["--today", "2026-03-05"],
            True,
        ),
        (["event", "fgw", "praise", "--level", "county", "--note", "表扬", "--today", "2026-03-05"], False),
        (["sweep", "--today", "2026-03-20", "--no-forms"], True),
    ]


def numbers_repeated(root: Path) -> int:
    ledger = load(root)
    return sum("重复" in p.message for p in check_numbers(ledger, date(2026, 3, 20)) + ledger.problems)


def kills(work: Path, n: int, rng: random.Random) -> dict:
    from conftest import make_ledger

    base = work / "step0"
    if base.exists():
        import shutil

        shutil.rmtree(work)
    make_ledger(base)
    many_items(base, 50)
    att = work / "照片.txt"
    att.write_text("现场照片", encoding="utf-8")
    steps = scenario(att)
    states, durations = [base], []
    for i, (args, _) in enumerate(steps):  # the uninterrupted run, a ledger kept after each step
        nxt = copy(states[-1], work / f"step{i + 1}")
        t = time.perf_counter()
        res = run(nxt, args)
        durations.append(time.perf_counter() - t)
        assert res.returncode == 0, res.stderr
        states.append(nxt)
    wanted = [tracked(s) for s in states]
    figures = dict.fromkeys(
        ["injections", "killed mid-run", "duplicated numbers", "orphaned changes", "manual repairs", "differences"],
        0,
    )
    figures["verify failures"] = 0
    for _ in range(n):
        k = rng.randrange(len(steps))
        args, retry_safe = steps[k]
        ledger = copy(states[k], work / "try")
        before = head(ledger)
        proc = subprocess.Popen(
            cmd(ledger, args), env=env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0, durations[k]))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            figures["killed mid-run"] += 1
        proc.wait()
        figures["injections"] += 1
        again = args if retry_safe or head(ledger) == before else ["list"]
        res = run(ledger, again)
        if res.returncode != 0:
            figures["manual repairs"] += 1
            print("repair needed:", k, res.stderr.strip()[:300])
            continue
        status = subprocess.run(["git", "status", "--porcelain"], cwd=ledger, capture_output=True, text=True).stdout
        if status.strip():
            figures["orphaned changes"] += 1
            print("orphaned:", k, status[:300])
            continue
        if tracked(ledger) != wanted[k + 1]:
            figures["differences"] += 1
            print("differs:", k)
        figures["duplicated numbers"] += numbers_repeated(ledger)
        found, _ = verify(ledger, everything=True)
        figures["verify failures"] += bool(found)
    return figures


def races(work: Path, rounds: int) -> dict:
    from conftest import make_ledger

    root = work / "race"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    make_ledger(root)
    many_items(root, 40, deadline="2026-04-30")
    day = date(2026, 3, 2)
    figures = {"rounds": 0, "commands": 0, "failed commands": 0, "lost changes": 0}
    for r in range(rounds):
        day += timedelta(days=1)
        today = ["--today", day.isoformat()]
        a, b = f"2026-{(2 * r) % 40 + 1:04d}", f"2026-{(2 * r + 1) % 40 + 1:04d}"
        jobs = [
            ["sweep", "--no-forms", *today],
            ["report", a, "--unit", _lead(a), "--text", f"第{r}轮报告甲", *today],
            ["report", b, "--unit", _lead(b), "--text", f"第{r}轮报告乙", *today],
            ["event", "fgw", "praise", "--level", "county", "--note", f"第{r}轮", *today],
            ["issue", "--title", f"第{r}轮新事项", "--category", "leader_instruction", "--tier", "blue"]
            + ["--lead", "jyj", "--deadline", "2026-12-31", "--no-forms", *today],
        ]
        procs = [
            subprocess.Popen(cmd(root, j), env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for j in jobs
        ]
        outs = [p.communicate() for p in procs]
        figures["rounds"] += 1
        figures["commands"] += len(jobs)
        for p, (_, err) in zip(procs, outs, strict=True):
            if p.returncode != 0:
                figures["failed commands"] += 1
                print("failed:", err.strip()[:300])
        texts = {p.name: p.read_text(encoding="utf-8") for p in (root / "items" / "2026").glob("*.yaml")}
        lost = [f"第{r}轮报告甲" not in texts.get(f"{a}.yaml", ""), f"第{r}轮报告乙" not in texts.get(f"{b}.yaml", "")]
        lost.append(not any(f"第{r}轮新事项" in t for t in texts.values()))
        lost.append(not any(f"第{r}轮" in p.read_text(encoding="utf-8") for p in (root / "events").rglob("*.yaml")))
        figures["lost changes"] += sum(lost)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    figures["uncommitted at the end"] = len(status.splitlines())
    figures["duplicated numbers"] = numbers_repeated(root)
    figures["verify violations"] = len(verify(root, everything=True)[0])
    return figures


def _lead(item_id: str) -> str:
    return ("fgw", "zjj", "jyj")[int(item_id[5:]) % 3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/duban-stress"))
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    os.environ.update(GIT_ID)
    t = time.perf_counter()
    if a.kills:
        for k, v in kills(a.work, a.kills, random.Random(a.seed)).items():
            print(f"kills — {k}: {v}")
        print(f"kills — seconds: {time.perf_counter() - t:.0f}")
    t = time.perf_counter()
    if a.rounds:
        for k, v in races(a.work, a.rounds).items():
            print(f"races — {k}: {v}")
        print(f"races — seconds: {time.perf_counter() - t:.0f}")


if __name__ == "__main__":
    main()
