"""The cold load's shortcuts give what the long way gives: plain YAML built from its nodes here is what PyYAML's
safe constructor makes of it; items load without their line maps yet every problem names its line; the parent
of a parallel parse unpickles only the records asked for."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import Ledger

import duban
from duban.commands.setup import init_ledger
from duban.store import cache, yamlio
from duban.store.cache import cache_dir
from duban.store.ledger import Scope, item_lines, load, load_item_file

REPO = Path(duban.__file__).resolve().parents[1]
TODAY = "2026-11-20"


def pyyaml(text: str):
    """What PyYAML's own safe loader (ours: impossible dates stay text) makes of a document, or its error."""
    try:
        return yaml.load(text, Loader=yamlio._loader())
    except yaml.YAMLError as e:
        return ("error", type(e).__name__)


def long_way(text: str):
    """yamlio's path with line maps (PyYAML's constructor), as data or (line, message)."""
    try:
        return yamlio.loads(text)[0]
    except yamlio.YamlError as e:
        return ("error", e.line, e.message)


def short_way(text: str):
    try:
        data, _ = yamlio.loads(text, lines=False)
    except yamlio.YamlError as e:
        return ("error", e.line, e.message)
    return data


def yaml_files() -> list[Path]:
    """Every YAML file duban ships or tests with: the sample ledger, the rule packs, the templates' data."""
    return sorted(p for p in REPO.rglob("*.y*ml") if ".git" not in p.parts and ".venv" not in p.parts)


def test_every_real_file_is_built_as_pyyaml_builds_it():
    files = yaml_files()
    assert len(files) > 50
    quick = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        got = short_way(text)
        assert repr(got) == repr(long_way(text)), path  # repr: 1, 1.0 and True differ too
        if not isinstance(got, tuple):
            assert repr(got) == repr(pyyaml(text)), path
        quick += "&" not in text and yamlio._quick(text) is not None
    assert quick > 0.9 * len(files)  # the short way is the common one


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 01\nc: 0x1f\nd: 0o17\ne: 1_000\nf: 1:30\ng: -7\nh: +3\n",
        "a: 1.5\nb: .inf\nc: -.INF\nd: .nan\ne: 1e3\nf: 6.8523015e+5\ng: 0.\n",
        "a: true\nb: False\nc: yes\nd: off\ne: ~\nf: null\ng:\nh: 'true'\ni: \"1\"\n",
        "a: 2026-02-30\nb: 2026-02-28\nc: 2026-02-28 10:00:00\nd: 2026-02-28T10:00:00+08:00\ne: 2026-2-3\n",
        "log:\n  - {date: 2026-03-06, kind: report, unit: fgw, final: true, percent: 100}\n  - [1, [2, [3]]]\n",
        "? [a, b]\n: 1\n",  # an unhashable key
        "a: 1\na: 2\n",  # a repeated key
        "1: a\n01: b\n",  # two texts, one key
        "a: &x [1, 2]\nb: *x\n",  # an alias
        "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n",  # a merge key
        "<<: {x: 1}\n",
        "=: 1\n",
        "a: !!str 2026-01-01\nb: !!int '7'\nc: !!float 1\nd: !!binary aGVsbG8=\ne: !!set {x, y}\n",
        "a: !!python/object:os.system x\n",
        "a: !custom x\n",
        "a: !!omap [{x: 1}, {y: 2}]\nb: !!pairs [{x: 1}]\n",
        "- " * 80 + "x\n",  # nested too deep
        "[" * 70 + "]" * 70 + "\n",
        "",
        "# only a comment\n",
        "just text\n",
        "a: [1, 2\n",  # broken
        "a: 'unclosed\n",
        "a:\tb\n",
        "title: 标题\nrequirement: |\n  多行\n  文字\nnote: >\n  折叠\n  文字\n",
        "~: 1\n1.5: a\ntrue: b\n2026-01-01: c\n",
    ],
)
def test_unusual_documents_are_read_as_the_long_way_reads_them(text):
    assert repr(short_way(text)) == repr(long_way(text))


def test_scalars_remembered_across_files_stay_right():
    """The values and tags remembered from one file serve the next: a date, a number, a text that looks like
    one, quoted or not."""
    docs = ["a: 2026-01-02\nb: '2026-01-02'\nc: 12\n", "a: '12'\nb: 2026-01-02\nc: \"2026-01-02\"\n"] * 3
    for text in docs:
        assert repr(short_way(text)) == repr(long_way(text)) == repr(pyyaml(text))


def aged(root: Path) -> None:
    t = time.time_ns() - 60 * 1_000_000_000
    for path in [*root.rglob("*.yaml")]:
        if ".git" not in path.parts:
            os.utime(path, ns=(t, t))


@pytest.fixture
def sample(tmp_path) -> Ledger:
    root = init_ledger(tmp_path / "sample", sample=True, pack=None)
    aged(root)
    return Ledger(root)


def test_items_load_without_line_maps_but_a_file_with_a_problem_has_them(sample):
    root = sample.root
    rel = "items/2026/2026-0003.yaml"
    item, problems = load_item_file(root, rel, lines=False)
    assert item is not None and problems == [] and item.lines == {}
    full, _ = load_item_file(root, rel)
    assert item_lines(root, item) == full.lines and full.lines[("lead",)] > 1
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("issued: ", "issued: 2026-13-01\nnote2: x\nold_issued: "), encoding="utf-8")
    short, short_problems = load_item_file(root, rel, lines=False)
    long, long_problems = load_item_file(root, rel)
    assert short_problems == long_problems and short_problems
    assert {p.line for p in short_problems} != {1}  # named where they are, not on the first line


def problems_of(root: Path) -> list[str]:
    return sorted(f"{p.path}:{p.line} {p.message}" for p in load(root).problems)


def test_a_unit_dropped_after_the_cache_was_filled_is_reported_at_its_line(sample):
    """Cross-references checked again on cached records (stored without their line maps) name the line of
    the unit, as a load without any cache does."""
    root = sample.root
    assert load(root).problems == []  # cold: every record cached, none with a line map
    units = root / "units.yaml"
    text = units.read_text(encoding="utf-8")
    lead = load(root).items["2026-0003"].lead
    kept = [block for block in text.split("\n  - ") if f"{{id: {lead}," not in block]
    assert len(kept) < len(text.split("\n  - "))
    units.write_text("\n  - ".join(kept), encoding="utf-8")
    warm = problems_of(root)
    line = load_item_file(root, "items/2026/2026-0003.yaml")[0].lines[("lead",)]
    assert line > 1 and any(p.startswith(f"items/2026/2026-0003.yaml:{line} ") and f"“{lead}”" in p for p in warm)
    os.environ["DUBAN_CACHE"] = "off"
    try:
        assert problems_of(root) == warm
    finally:
        del os.environ["DUBAN_CACHE"]
    shutil.rmtree(cache_dir(root))
    assert problems_of(root) == warm


def test_repeated_numbers_name_both_lines_though_items_load_without_line_maps(sample):
    root = sample.root
    ledger = load(root)
    first = next(i for i in sorted(ledger.items) if ledger.items[i].ref)
    second = next(i for i in sorted(ledger.items) if i > first and ledger.items[i].ref)
    ref = ledger.items[first].ref
    path = root / ledger.items[second].path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"ref: {ledger.items[second].ref}", f"ref: {ref}"), encoding="utf-8")
    aged(root)
    checked = sample("check", "--json", today=TODAY)
    found = [p for p in checked.json() if "重复" in p["message"]]
    assert found, checked.out
    lines = {i: load_item_file(root, ledger.items[i].path)[0].lines for i in ledger.items}
    assert found[0]["line"] == lines[second][("ref",)] and f":{lines[first][('ref',)]} " in found[0]["message"]
    late = [p for p in checked.json() if "节假日安排" in p["message"] and p["path"].startswith("items/")]
    assert late and all(p["line"] == lines[Path(p["path"]).stem][("deadline",)] != 1 for p in late)
    os.environ["DUBAN_CACHE"] = "off"
    try:
        assert sample("check", "--json", today=TODAY).out == checked.out
    finally:
        del os.environ["DUBAN_CACHE"]


def test_a_parallel_cold_build_unpickles_only_the_records_asked_for(sample, monkeypatch):
    root = sample.root
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    monkeypatch.setattr(cache, "idle_cores", lambda: 2.0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    made: list[str] = []
    records = cache.Cache._records
    monkeypatch.setattr(
        cache.Cache,
        "_records",
        lambda self, rel, names, read: (
            made.extend(n for n in names if rel.startswith("items/")) or records(self, rel, names, read)
        ),
    )
    day = date(2026, 11, 20)
    live = load(root, scope=Scope(live_on=day))
    everything = load(root)  # warm now; every record from the database
    in_hand = {i for i, it in everything.items.items() if i in live.items}
    assert live.items and len(live.items) < len(everything.items) and in_hand == set(live.items)
    shutil.rmtree(cache_dir(root))
    made.clear()
    again = load(root, scope=Scope(live_on=day))
    assert again.items == live.items and again.reread
    items_read = [r for r in again.reread if r.startswith("items/")]
    assert len(made) == len(again.items) < len(items_read)  # the settled items stayed pickled
