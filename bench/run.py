"""Time whole duban processes on synthetic ledgers of 1k, 10k and 100k items.

    python bench/run.py [--sizes 1000,10000,100000] [--open 2000] [--runs 7] [--work /tmp/duban-bench]

Each ledger is generated once by ``bench/gen.py`` (kept in --work for the
next run).  Every command runs ``--runs`` times as its own process, with the
cache warm (one untimed run first); the table gives the median and the
range, and the peak memory (max RSS) of the slowest command per size.  A
cold run (cache deleted) is timed separately.  ``duban sweep`` is timed with
its commit and its forms; the ledger is reset to the generated commit before
each run (not timed).  When Taskwarrior is installed, ``task overdue`` runs on
a database of the same size (the same number pending, about as many
overdue), built by this script, and the ratio is measured in the same run.
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


def timed(cmd: list[str], env: dict, cwd: Path | None = None) -> tuple[float, int, int]:
    """(seconds, max RSS in MB, exit code) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_maxrss // 1024, p.returncode


def measure(cmd, env, runs: int, before=None, cwd=None) -> dict:
    times, peak, codes = [], 0, set()
    for _ in range(runs):
        if before:
            before()
        s, rss, rc = timed(cmd, env, cwd)
        times.append(s)
        peak, codes = max(peak, rss), codes | {rc}
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
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


def taskwarrior(n: int, n_open: int, work: Path, runs: int, overdue_share: float) -> dict | None:
    task = shutil.which("task")
    if not task:
        return None
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
    return measure([task, "overdue"], env, runs)


# ------------------------------------------------------------------ the run


def bench_size(n: int, n_open: int, work: Path, runs: int) -> dict:
    root = work / f"ledger-{n}"
    if not (root / "duban.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"  generating {n} items …", file=sys.stderr, flush=True)
        print(f"  {gen.make(root, n, n_open, TODAY)}", file=sys.stderr, flush=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "DUBAN_LEDGER": str(root), "DUBAN_TODAY": TODAY.isoformat(), "COLUMNS": "120"}
    item = pick_item(root)
    d = duban_cmd()

    def reset():
        subprocess.run(["git", "reset", "-q", "--hard", base], cwd=root, check=True)
        shutil.rmtree(root / "out", ignore_errors=True)

    def drop_cache():
        shutil.rmtree(cache_dir(root), ignore_errors=True)

    reset()
    res: dict = {"items": n, "item": item}
    res["cold list --overdue"] = measure([*d, "list", "--overdue"], env, 1, before=drop_cache)
    commands = {
        "--version": ["--version"],
        "list --overdue": ["list", "--overdue"],
        "show ITEM": ["show", item],
        "sweep --dry-run": ["sweep", "--dry-run"],
        "sweep": ["sweep"],
        "score Q2": ["score", "Q2"],
        "check": ["check"],
        "render warning ITEM": ["render", "warning", item, "--out", str(work / "out.docx")],
    }
    for name, args in commands.items():
        before = reset if name == "sweep" else None
        if before:
            before()
        timed([*d, *args], env)  # warm the cache and the page cache
        res[name] = measure([*d, *args], env, runs, before=before)
        print(f"  {n:>6} {name:<22} {res[name]['median']:.3f} s", file=sys.stderr, flush=True)
    reset()
    overdue = subprocess.run([*d, "list", "--overdue", "--json"], env=env, capture_output=True, text=True).stdout
    live = subprocess.run([*d, "list", "--status", "open", "--json"], env=env, capture_output=True, text=True).stdout
    res["overdue"] = len(json.loads(overdue))
    share = res["overdue"] / max(1, len(json.loads(live)))
    res["task overdue"] = taskwarrior(n, min(n_open, n // 2), work, runs, share)
    return res


def fmt(m: dict | None) -> str:
    if not m:
        return "—"
    bad = "" if m["codes"] in ([0], [1]) else f" exit {m['codes']}"
    return f"{m['median']:.3f} s ({m['min']:.3f}–{m['max']:.3f}){bad}"


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
    sizes = [r["items"] for r in results]
    head = "| command | " + " | ".join(f"{n:,} items" for n in sizes) + " |"
    out = [head, "|---|" + "---|" * len(sizes)]
    names = [
        "--version",
        "list --overdue",
        "show ITEM",
        "sweep --dry-run",
        "sweep",
        "score Q2",
        "check",
        "render warning ITEM",
        "cold list --overdue",
        "task overdue",
    ]
    for name in names:
        label = f"`duban {name}`" if name != "task overdue" else "`task overdue` (Taskwarrior)"
        if name == "cold list --overdue":
            label = "`duban list --overdue`, cache deleted"
        out.append(f"| {label} | " + " | ".join(fmt(r.get(name)) for r in results) + " |")
    ratio = []
    for r in results:
        t = r.get("task overdue")
        ratio.append(f"{r['list --overdue']['median'] / t['median']:.2f} ×" if t else "—")
    out.append("| ratio `duban list --overdue` / `task overdue` | " + " | ".join(ratio) + " |")
    base = next((r for r in results if r["items"] == 10000), None)
    for name in ("list --overdue", "sweep --dry-run"):
        cells = [f"{r[name]['median'] / base[name]['median']:.2f} ×" if base else "—" for r in results]
        out.append(f"| `{name}` relative to 10,000 items | " + " | ".join(cells) + " |")
    out.append(
        "| peak memory (max RSS over all commands) | "
        + " | ".join(
            f"{max(v['rss'] for k, v in r.items() if isinstance(v, dict) and 'rss' in v and k != 'task overdue')} MB"
            for r in results
        )
        + " |"
    )
    out.append("| overdue items listed | " + " | ".join(str(r["overdue"]) for r in results) + " |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--open", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/duban-bench"))
    ap.add_argument("--out", type=Path, help="also write the table (with the machine) to this Markdown file")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    results = [bench_size(int(n), a.open, a.work, a.runs) for n in a.sizes.split(",")]
    text = (
        f"Machine: {machine()}\n\nduban at {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE, capture_output=True, text=True).stdout.strip()}, "
        f"{a.runs} runs each, median (min–max), today {TODAY}, about {a.open:,} items in hand.\n\n"
        + table(results)
        + "\n"
    )
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
