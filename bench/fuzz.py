"""Fuzz duban with hypothesis: hand-broken item, unit, settings, counter, rule and event files, and odd
command-line arguments.  Every case must end in a clear message (exit 0, 1 or 2), never a traceback,
and a command that refuses must leave the ledger exactly as it was (same HEAD, same files).

    python bench/fuzz.py [--cases 10000] [--workers 2] [--work /tmp/duban-fuzz]

Prints the figures: cases run, by exit code, tracebacks, refused commands that changed something.
``tests/test_trust_fuzz.py`` runs the same cases, CI-sized.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

FILES = [
    "items/2026/2026-0001.yaml",
    "items/2026/2026-0002.yaml",
    "units.yaml",
    "duban.yaml",
    "counters.yaml",
    "rules/tiers.yaml",
    "rules/categories.yaml",
    "events/2026/2026-0001.yaml",
]
CHANGING = {"issue", "report", "extend", "sweep", "event", "undo", "close", "review"}
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["[/x]", "[bold]", "[/bold]", "99999", "-1", "2026-02-30", "9999-12-31", "", " ", "\x00", "{{ x }}", "../../x"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | TEXT
    | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)


@st.composite
def file_mutation(draw):
    path = draw(st.sampled_from(FILES))
    how = draw(st.sampled_from(["value", "value", "raw", "deep", "truncate", "empty", "bytes"]))
    if how == "value":
        key = draw(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "tier",
                    "category",
                    "lead",
                    "co",
                    "issued",
                    "deadline",
                    "log",
                    "units",
                    "office",
                    "rules",
                    "item",
                    "red",
                    "ref",
                    "unit",
                    "date",
                    "kind",
                ]
            )
        )
        return path, how, (key, draw(VALUES))
    if how == "raw":
        return path, how, draw(TEXT)
    if how == "deep":
        return path, how, draw(st.integers(min_value=50, max_value=20000))
    if how == "truncate":
        return path, how, draw(st.floats(min_value=0, max_value=1))
    if how == "bytes":
        return path, how, draw(st.binary(max_size=20))
    return path, how, draw(st.sampled_from(["log", "units", "co", "item", "red", "tiers"]))


@st.composite
def command(draw):
    t = draw(TEXT)
    return draw(
        st.sampled_from(
            [
                ["list"],
                ["list", "--category", t],
                ["list", "--unit", t, "--json"],
                ["show", "2026-0001"],
                ["show", t],
                ["score", "Q1"],
                ["score", t],
                ["calendar", t],
                ["sweep", "--no-forms"],
                ["sweep", "--dry-run"],
                ["report", "2026-0001", "--unit", "fgw", "--text", t or "x"],
                ["report", t, "--unit", t, "--text", "x", "--percent", "500"],
                ["extend", "2026-0001", "--to", t, "--reason", "r", "--approved-by", "a"],
                [
                    "issue",
                    "--title",
                    t or "x",
                    "--category",
                    "leader_instruction",
                    "--tier",
                    "red",
                    "--lead",
                    "fgw",
                    "--deadline",
                    "2026-03-20",
                    "--no-forms",
                ],
                ["issue", "--title", "x", "--category", t, "--tier", t, "--lead", t, "--no-forms"],
                ["event", "fgw", t, "--note", t],
                ["render", t, "2026-0001", "-o", ".git/HEAD"],
                ["log", t],
                ["undo", "--list"],
                ["verify"],
            ]
        )
    )


def mutate(root: Path, path: str, how: str, arg) -> None:
    from duban.store.yamlio import rt_dumps, rt_loads

    p = root / path
    text = p.read_text(encoding="utf-8") if p.exists() else ""
    if how == "value":
        key, value = arg
        try:
            data = rt_loads(text) or {}
            if not isinstance(data, dict):
                data = {}
            data[key] = value
            new = rt_dumps(data)
        except Exception:  # noqa: BLE001 - a value ruamel cannot write: write it as YAML by hand
            new = text + f"\n{key}: {value!r}\n"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(new, encoding="utf-8")
    elif how == "raw":
        p.write_text(text + "\n" + arg, encoding="utf-8", errors="surrogatepass")
    elif how == "deep":
        p.write_text(text.split("\n", 1)[0] + "\nx: " + "[" * arg + "]" * arg + "\n", encoding="utf-8")
    elif how == "truncate":
        p.write_text(text[: int(len(text) * arg)], encoding="utf-8")
    elif how == "bytes":
        p.write_bytes(text.encode("utf-8")[:40] + arg + text.encode("utf-8")[40:])
    elif how == "empty":
        import re

        p.write_text(re.sub(rf"^{arg}:.*(\n[ -].*)*", f"{arg}:", text, flags=re.M), encoding="utf-8")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def base(root: Path) -> Path:
    """A small ledger: two items (one with slips), a unit event; tagged 'base'."""
    from conftest import make_ledger

    led = make_ledger(root)
    led.issue(deadline="2026-03-04")
    led.issue(title="第二件")
    led("event", "fgw", "praise", "--level", "county", today="2026-03-05")
    led("sweep", "--no-forms", today="2026-03-20")
    git(root, "tag", "base")
    return root


class Runner:
    def __init__(self, root: Path):
        self.root = root
        self.figures: Counter = Counter()
        self.failures: list[str] = []
        self.progress = False

    def case(self, mutation, argv) -> None:
        from typer.testing import CliRunner

        from duban.cli import app
        from duban.core.errors import DubanError

        root = self.root
        reported = len(self.failures)
        path, how, arg = mutation
        target = root / path
        original = target.read_bytes() if target.exists() else None
        mutate(root, path, how, arg)
        changing = argv[0] in CHANGING
        if changing:
            head = git(root, "rev-parse", "HEAD")
            status = git(root, "status", "--porcelain", "--untracked-files=all")
        res = CliRunner().invoke(
            app, [*argv, "--ledger", str(root), "--today", "2026-03-21"], env={"DUBAN_TODAY": None, "COLUMNS": "120"}
        )
        code = res.exception.exit_code if isinstance(res.exception, DubanError) else res.exit_code
        self.figures["cases"] += 1
        self.figures[f"exit {code}"] += 1
        if res.exception is not None and not isinstance(res.exception, (DubanError, SystemExit)):
            self.figures["tracebacks"] += 1
            name = type(res.exception).__name__
            self.failures.append(f"traceback {name}: {res.exception!s:.200} ← {mutation!r:.200} {argv}")
        elif code not in (0, 1, 2):
            self.figures["bad exit codes"] += 1
            self.failures.append(f"exit {code} ← {mutation!r:.200} {argv}")
        changed = changing and (
            git(root, "rev-parse", "HEAD") != head
            or git(root, "status", "--porcelain", "--untracked-files=all") != status
        )
        # refused: an error, not a sweep that carried on past a broken item and says so with exit 1
        if changing and (isinstance(res.exception, DubanError) or code == 2):
            self.figures["refused changes"] += 1
            if changed:
                self.figures["refused but changed"] += 1
                self.failures.append(f"refused but changed ← {mutation!r:.200} {argv}")
        if self.progress and len(self.failures) > reported:
            print("\n".join(self.failures[reported:]), flush=True)
        if self.progress and self.figures["cases"] % 500 == 0:
            print(f"[{os.getpid()}] {dict(self.figures)}", flush=True)
        if changed:
            git(root, "reset", "-q", "--hard", "base")
            git(root, "clean", "-qfd")
        elif original is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(original)


def fuzz(root: Path, n: int, seed: int | None = None, progress: bool = False) -> Runner:
    runner = Runner(root)
    runner.progress = progress

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
    )
    @given(file_mutation(), command())
    def one(mutation, argv):
        runner.case(mutation, argv)

    one()
    return runner


def _worker(args) -> tuple[Counter, list[str]]:
    work, n = args
    if work.exists():
        shutil.rmtree(work)
    os.environ.update(
        {
            "GIT_AUTHOR_NAME": "fuzz",
            "GIT_AUTHOR_EMAIL": "f@x",
            "GIT_COMMITTER_NAME": "fuzz",
            "GIT_COMMITTER_EMAIL": "f@x",
        }
    )
    r = fuzz(base(work / "ledger"), n, progress=True)
    return r.figures, r.failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("/tmp/duban-fuzz"))
    a = ap.parse_args()
    from multiprocessing import Pool

    started = time.perf_counter()
    per = -(-a.cases // a.workers)
    with Pool(a.workers) as pool:
        results = pool.map(_worker, [(a.work / str(i), per) for i in range(a.workers)])
    figures: Counter = Counter()
    failures: list[str] = []
    for f, fl in results:
        figures.update(f)
        failures += fl
    for k in sorted(figures):
        print(f"{k}: {figures[k]}")
    print(f"seconds: {time.perf_counter() - started:.0f}")
    for f in failures[:30]:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
