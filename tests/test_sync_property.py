"""Random interleavings of clerks' commands and syncs over two or three copies of one ledger (issue 19).

After every copy has synced both ways: identical files everywhere, every recorded entry exactly once,
no id, 文号 or slip number given twice, ``check`` clean once the reported conflicts are resolved with
the command it names, and ``verify`` clean on every copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.core.merge import entry_key
from duban.store.yamlio import loads
from tests.conftest import Ledger, git, issue_args, make_ledger
from tests.test_sync import files, numbers

DAY = "2026-03-10"
OPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # which copy
        st.sampled_from(["issue", "report", "extend", "sweep", "sync", "offline", "online", "reserve"]),
        st.integers(0, 5),  # which item (by position) a record is about
    ),
    min_size=1,
    max_size=9,
)


def _template(root: Path) -> Path:
    """An office set up once: main synced to a bare server, one item already shared."""
    tpl = root / "template"
    if tpl.exists():
        return tpl
    main = make_ledger(tpl / "c0")
    git(tpl, "init", "-q", "--bare", str(tpl / "server.git"))
    assert main("sync", "--remote", "../server.git", today="2026-03-02").code == 0
    main.issue(title="共同事项", issued="2026-03-02", deadline="2026-03-06", today="2026-03-02")
    assert main("sync", today="2026-03-02").code == 0
    for i in (1, 2):
        git(tpl, "clone", "-q", "server.git", f"c{i}")
    return tpl


def converge(leds: list[Ledger]) -> None:
    """Every copy syncs in turn, then all but the last again: each has everything the others had."""
    for led in [*leds, *leds[:-1]]:
        res = led("sync", today=DAY)
        assert res.code in (0, 1), res.err  # 1: conflicts reported (settled below)


def _ids(led: Ledger) -> list[str]:
    return sorted(p.stem for p in (led.root / "items").rglob("*.yaml"))


@settings(
    max_examples=int(os.environ.get("DUBAN_SYNC_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS, copies=st.integers(2, 3))
def test_random_interleavings_converge(tmp_path_factory, ops, copies):
    base = tmp_path_factory.getbasetemp() / "sync-property"
    tpl = _template(base)
    work = Path(tempfile.mkdtemp(dir=base))
    shutil.copytree(tpl, work, dirs_exist_ok=True, symlinks=True)
    leds = [Ledger(work / f"c{i}") for i in range(copies)]
    for i in (1, 2):  # the clones' own remote: the copied server
        git(work / f"c{i}", "remote", "set-url", "origin", str(work / "server.git"))
    git(work / "c0", "remote", "set-url", "origin", str(work / "server.git"))
    reports: list[str] = []
    for n, (c, op, k) in enumerate(ops):
        led = leds[c % copies]
        if op == "offline":
            git(led.root, "remote", "set-url", "origin", str(work / "nowhere.git"))
        elif op == "online":
            git(led.root, "remote", "set-url", "origin", str(work / "server.git"))
        elif op == "issue":
            led(*issue_args(title=f"事项{n}", deadline="2026-03-06", no_forms=True), today=DAY)
        elif op == "report":
            ids = _ids(led)
            text = f"报告{n}"
            if led("report", ids[k % len(ids)], "--unit", "fgw", "--text", text, today=DAY).code == 0:
                reports.append(text)
        elif op == "extend":
            ids = _ids(led)
            led(
                "extend",
                ids[k % len(ids)],
                "--to",
                f"2026-03-{20 + k}",
                "--reason",
                f"延{n}",
                "--approved-by",
                "王",
                today=DAY,
            )
        elif op == "sweep":
            led("sweep", "--no-forms", today=DAY)
        elif op == "sync":
            led("sync", today=DAY)
        elif op == "reserve":
            led("sync", "--reserve", "2", today=DAY)
        # whatever happened, nothing is left half-done in the work tree
        assert git(led.root, "status", "--porcelain", "--untracked-files=no").strip() == ""
    for led in leds:
        git(led.root, "remote", "set-url", "origin", str(work / "server.git"))
    converge(leds)
    # conflicts (the same on every copy now): settle each with the command check names, then sync again
    lines = [ln for ln in leds[0]("check", today=DAY).out.splitlines() if "duban resolve" in ln]
    for line in lines:
        target, name = line.split("duban resolve ", 1)[1].split()[:2]
        value = line.split("“", 1)[1].split("”", 1)[0]
        assert leds[0]("resolve", target, name, value, today=DAY).code == 0
    if lines:
        converge(leds)
    first = files(leds[0])
    for led in leds[1:]:
        assert files(led) == first
        assert led.head() == leds[0].head()
    nums = numbers(leds[0])
    assert len(nums) == len(set(nums)), [k for k, v in Counter(nums).items() if v > 1]
    texts = []
    for p in sorted((leds[0].root / "items").rglob("*.yaml")):
        log = loads(p.read_text(encoding="utf-8"))[0].get("log") or []
        keys = [entry_key(e) for e in log]
        assert len(keys) == len(set(keys)), p
        texts += [e.get("text") for e in log if e.get("kind") == "report"]
    assert sorted(texts) == sorted(reports)
    res = leds[0]("check", today=DAY)
    assert res.code == 0, res.out
    for led in (leds[0], leds[-1]):  # the same history: the creator's copy and another
        assert led("verify", "--all").code == 0
    shutil.rmtree(work)
