"""Time whole duban processes on synthetic ledgers of 10k and 100k items: every row of issue 18's table.

    python bench/run.py [--sizes 10000,100000] [--open 2000] [--runs 7] [--work /tmp/duban-bench] [--out F.md]

Each ledger is generated once by ``bench/gen.py`` (kept in --work for the
next run).  Every command runs ``--runs`` times as its own process, with the
cache warm (one untimed run first); the table gives the median wall time and
the median CPU time (user + system, which a busy machine disturbs less), and
the peak memory (max RSS) where it is a goal.  A cold run (cache deleted) is
timed once, so is the unfiltered ``list`` and the 30-day catch-up (``sweep``
with ``DUBAN_TODAY`` 30 days on).  ``duban sweep`` is timed with its commit
and its forms, and with ``--no-forms``; the ledger is reset to the generated
commit before each run (not timed), with ``duban verify``'s state of that
commit (verified once, untimed), as a daily sweep verifies only one day.  Python runs as installed (bytecode
written once; ``PYTHONDONTWRITEBYTECODE`` is dropped).  When Taskwarrior is
installed, ``task overdue`` and ``task 1 info`` run on a database of the
same size (the same number pending, about as many overdue), built by this
script, and the ratios are measured in the same run.  When watchman is
installed, ``list --overdue`` and ``show`` are also timed with a watchman
server of the script's own watching the ledger (the "watched" rows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402

from duban.store.cache import cache_dir  # noqa: E402

TODAY = date(2026, 11, 20)


def duban_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("duban")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "duban"]


def timed(cmd: list[str], env: dict, cwd: Path | None = None) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds (user + system), max RSS in MB, exit code) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, p.returncode


def measure(cmd, env, runs: int, before=None, cwd=None) -> dict:
    times, cpus, peak, codes = [], [], 0, set()
    for _ in range(runs):
        if before:
            before()
        s, cpu, rss, rc = timed(cmd, env, cwd)
        times.append(s)
        cpus.append(cpu)
        peak, codes = max(peak, rss), codes | {rc}
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "cpu": statistics.median(cpus),
        "rss": peak,
        "codes": sorted(codes),
    }


def pick_item(root: Path) -> str:
    """An item in hand that has a 督查工作警告单, for show and render."""
    for path in sorted((root / "items" / str(TODAY.year)).glob("*.yaml"), reverse=True):
        text = path.read_text(encoding="utf-8")
        if "kind: warning" in text and "kind: close" not in text:
            return path.stem
    raise SystemExit(f"{root}: no item with a warning slip")


# ------------------------------------------------------------------ Taskwarrior


def taskwarrior(n: int, n_open: int, work: Path, runs: int, overdue_share: float) -> dict:
    task = shutil.which("task")
    if not task:
        return {}
    data = work / f"task-{n}"
    rc = work / f"taskrc-{n}"
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    if not (data / "pending.data").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=on\n", encoding="utf-8")
        now = datetime.utcnow().replace(microsecond=0)
        stamp = lambda d: d.strftime("%Y%m%dT%H%M%SZ")  # noqa: E731
        rows = []
        for i in range(n):
            entry = now - timedelta(days=3650 * (n - i) // n + 1)
            pending = i >= n - n_open
            due = entry + timedelta(days=30)
            if pending:  # about as many overdue as in the duban ledger
                due = now + timedelta(days=30) if (i % 1000) / 1000 >= overdue_share else now - timedelta(days=5)
            t = {
                "uuid": f"{i:08x}-0000-4000-8000-000000000000",
                "description": f"督办事项 {i}",
                "entry": stamp(entry),
                "due": stamp(due),
                "project": "duban",
                "status": "pending" if pending else "completed",
            }
            if not pending:
                t["end"] = stamp(due - timedelta(days=2))
            rows.append(json.dumps(t, ensure_ascii=False))
        (work / f"tasks-{n}.json").write_text("\n".join(rows) + "\n", encoding="utf-8")
        subprocess.run(
            [task, "rc.hooks=off", "import", str(work / f"tasks-{n}.json")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run([task, "rc.gc=on", "count"], env=env, stdout=subprocess.DEVNULL)
    timed([task, "overdue"], env)
    return {
        "task overdue": measure([task, "overdue"], env, runs),
        "task 1 info": measure([task, "1", "info"], env, runs),
    }


# ------------------------------------------------------------------ the run


def bench_size(n: int, n_open: int, work: Path, runs: int) -> dict:
    root = work / f"ledger-{n}"
    if not (root / "duban.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"  generating {n} items …", file=sys.stderr, flush=True)
        print(f"  {gen.make(root, n, n_open, TODAY)}", file=sys.stderr, flush=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY.isoformat(), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: duban's modules compiled once, not on every run
    item = pick_item(root)
    d = duban_cmd()

    verified: list[bytes] = []  # the history verified up to the generated commit (.git/duban-verify.sqlite)

    def reset():
        subprocess.run(["git", "reset", "-q", "--hard", base], cwd=root, check=True)
        shutil.rmtree(root / "out", ignore_errors=True)
        if verified:  # else every sweep, finding its predecessor's commit gone, verifies all history again
            (root / ".git" / "duban-verify.sqlite").write_bytes(verified[0])

    def drop_cache():
        shutil.rmtree(cache_dir(root), ignore_errors=True)

    def report(name: str) -> None:
        m = res[name]
        print(f"  {n:>6} {name:<28} {m['median']:.3f} s, CPU {m['cpu']:.3f} s", file=sys.stderr, flush=True)

    reset()
    subprocess.run([*d, "verify"], env=env, capture_output=True)  # once, untimed: a daily sweep verifies one day
    if (root / ".git" / "duban-verify.sqlite").is_file():
        verified.append((root / ".git" / "duban-verify.sqlite").read_bytes())
    res: dict = {"items": n, "item": item}
    res["cold list --overdue"] = measure([*d, "list", "--overdue"], env, 1, before=drop_cache)
    report("cold list --overdue")
    res["python"] = measure([sys.executable, "-c", "pass"], env, runs)
    commands = {
        "--version": ["--version"],
        "list --overdue": ["list", "--overdue"],
        "list --overdue --json": ["list", "--overdue", "--json"],
        "show ITEM": ["show", item],
        "sweep --dry-run": ["sweep", "--dry-run"],
        "sweep": ["sweep"],
        "sweep --no-forms": ["sweep", "--no-forms"],
        "score Q2": ["score", "Q2"],
        "score 2026": ["score", "2026"],
        "check": ["check"],
        "render warning ITEM": ["render", "warning", item, "--out", str(work / "out.docx")],
        "list": ["list"],
        "list --all": ["list", "--all"],
    }
    for name, args in commands.items():
        before = reset if name.startswith("sweep") and "--dry-run" not in args else None
        if before:
            before()
        timed([*d, *args], env)  # warm the cache and the page cache
        res[name] = measure(
            [*d, *args], env, 1 if name.startswith("list") and "--overdue" not in args else runs, before=before
        )
        report(name)
    if n <= 10000:  # the catch-up is at 10k
        reset()
        catch_up = {**env, "DUBAN_TODAY": (TODAY + timedelta(days=30)).isoformat()}
        timed([*d, "list", "--overdue"], env)
        res["sweep, 30 days"] = measure([*d, "sweep"], catch_up, 1, before=reset)
        report("sweep, 30 days")
    reset()
    timed([*d, "list", "--overdue"], env)  # the cache as it was, for the next run
    res.update(watched(root, work / f"wm-{n}", env, d, item, runs))
    overdue = subprocess.run([*d, "list", "--overdue", "--json"], env=env, capture_output=True, text=True).stdout
    live = subprocess.run([*d, "list", "--status", "open", "--json"], env=env, capture_output=True, text=True).stdout
    res["overdue"] = len(json.loads(overdue))
    share = res["overdue"] / max(1, len(json.loads(live)))
    res.update(taskwarrior(n, min(n_open, n // 2), work, runs, share))
    return res


def watched(root: Path, place: Path, env: dict, d: list[str], item: str, runs: int) -> dict:
    """``list --overdue`` and ``show`` with watchman watching the ledger (a private server, stopped after): the
    quick way then asks watchman in place of the stat of every file (duban.store.watch)."""
    if not shutil.which("watchman"):
        return {}
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    sock = str(place / "sock")
    opts = [f"--sockname={sock}", f"--statefile={place}/state", f"--logfile={place}/log", f"--pidfile={place}/pid"]
    subprocess.run(["watchman", *opts, "watch-project", str(root)], capture_output=True, check=True, timeout=300)
    env = {**env, "WATCHMAN_SOCK": sock}
    time.sleep(2.1)  # the files the last reset wrote are no longer racy: a clean load can be kept
    try:
        out = {}
        for name, args in {
            "list --overdue, watched": ["list", "--overdue"],
            "show ITEM, watched": ["show", item],
        }.items():
            timed([*d, *args], env)  # the full way, if anything changed since the clean identity was kept
            timed([*d, *args], env)  # a scan that finds the ledger clean keeps watchman's clock
            out[name] = measure([*d, *args], env, runs)
        return out
    finally:
        subprocess.run(["watchman", f"--sockname={sock}", "shutdown-server"], capture_output=True, timeout=60)


def fmt(m: dict | None) -> str:
    if not m:
        return "—"
    bad = "" if m["codes"] in ([0], [1]) else f" exit {m['codes']}"
    return f"{m['median']:.3f} s (CPU {m['cpu']:.2f} s){bad}"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    task = (
        subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
        if shutil.which("task")
        else "not installed"
    )
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem}; "
        f"Python {platform.python_version()}; Taskwarrior {task}"
    )


def table(results: list[dict]) -> str:
    """The issue's table: each measure, duban, the reference measured in the same run, the ratio and the goal."""
    by = {r["items"]: r for r in results}
    out = ["| measure | duban | reference | ratio / goal |", "|---|---|---|---|"]

    def row(label: str, duban: str, ref: str = "—", ratio: str = "") -> None:
        out.append(f"| {label} | {duban} | {ref} | {ratio} |")

    def ratio(a: dict | None, b: dict | None, goal: str) -> str:
        if not (a and b):
            return f"goal {goal}"
        return f"{a['median'] / b['median']:.2f} × wall, {a['cpu'] / max(b['cpu'], 0.001):.2f} × CPU (goal {goal})"

    for n, r in by.items():
        k = f"{n // 1000}k"
        row(
            f"`list --overdue` {k} ({r['overdue']} overdue)",
            f"{fmt(r['list --overdue'])}; `--json` {fmt(r['list --overdue --json'])}",
            f"`task overdue` {fmt(r.get('task overdue'))}",
            ratio(r["list --overdue"], r.get("task overdue"), "≤ 1.0 ×"),
        )
    for watched, label in (("", ""), (", watched", ", watched by watchman")):  # the stat of every file, or watchman
        lists = {n: r.get(f"list --overdue{watched}") for n, r in by.items()}
        if watched:
            for n, r in by.items():
                if lists[n]:
                    row(
                        f"`list --overdue` {n // 1000}k{label}",
                        fmt(lists[n]),
                        f"`task overdue` {fmt(r.get('task overdue'))}",
                        ratio(lists[n], r.get("task overdue"), "≤ 1.0 ×"),
                    )
        if lists.get(10000) and lists.get(100000):
            row(
                f"`list --overdue` 100k vs 10k{label}",
                fmt(lists[100000]),
                f"10k: {fmt(lists[10000])}",
                ratio(lists[100000], lists[10000], "≤ 1.2 ×"),
            )
        for n, r in by.items():
            if shown := r.get(f"show ITEM{watched}"):
                row(
                    f"`show ITEM` {n // 1000}k{label}",
                    fmt(shown),
                    f"`task 1 info` {fmt(r.get('task 1 info'))}",
                    ratio(shown, r.get("task 1 info"), "≤ 1.0 ×"),
                )
    for n, r in by.items():
        k = f"{n // 1000}k"
        row(
            f"`sweep`, one day, {k}",
            f"{fmt(r['sweep'])}; `--no-forms` {fmt(r['sweep --no-forms'])}",
            ratio="goal ≤ 2 s at 100k",
        )
        row(f"`sweep --dry-run` {k}", fmt(r["sweep --dry-run"]))
        if "sweep, 30 days" in r:
            row(f"30-day catch-up {k}, with forms", fmt(r["sweep, 30 days"]), ratio="goal ≤ 20 s at 10k")
        row(
            f"`score Q2` / `score 2026` {k}",
            f"{fmt(r['score Q2'])} / {fmt(r['score 2026'])}",
            ratio="goal ≤ 1.0 s at 100k",
        )
        row(f"unfiltered `list` {k}", f"{fmt(r['list'])}, {r['list']['rss']} MB", ratio="goal ≤ 3 s, ≤ 300 MB at 100k")
        row(
            f"`list --all` {k}",
            f"{fmt(r['list --all'])}, {r['list --all']['rss']} MB",
            ratio="goal ≤ 3 s, ≤ 300 MB at 100k",
        )
        row(
            f"cold load {k} (no cache)",
            f"{fmt(r['cold list --overdue'])}, {r['cold list --overdue']['rss']} MB",
            ratio="goal ≤ 2 s at 10k, ≤ 15 s at 100k",
        )
        row(f"`check` / `render warning ITEM` {k}", f"{fmt(r['check'])} / {fmt(r['render warning ITEM'])}")
        row(f"`duban --version` / bare Python {k}", f"{fmt(r['--version'])} / {fmt(r['python'])}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--open", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/duban-bench"))
    ap.add_argument("--out", type=Path, help="also write the table (with the machine) to this Markdown file")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    load = [f"{os.getloadavg()[0]:.1f}"]
    results = [bench_size(int(n), a.open, a.work, a.runs) for n in a.sizes.split(",")]
    text = (
        f"Machine: {machine()}\n\nduban at {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE, capture_output=True, text=True).stdout.strip()}, "
        f"{a.runs} runs each, median wall time (CPU time: user + system), today {TODAY}, about {a.open:,} items in "
        f"hand; load average before the run {load[0]}, after {os.getloadavg()[0]:.1f}.\n\n" + table(results) + "\n"
    )
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
