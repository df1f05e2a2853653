"""``duban check``: every problem of a ledger, as ``path:line: message``.

A list of small checks, each a function (ledger, today) -> problems; the
loading step already reported syntax, keys, types, dates and references.
"""

from __future__ import annotations

from datetime import date, timedelta

from duban.core.entries import SLIP_KINDS
from duban.core.errors import DubanError, Problem
from duban.core.model import Item
from duban.core.schema import line_of
from duban.core.state import ACTIVE, replay
from duban.store.ledger import Ledger, Scope, item_lines, load


def check_transitions(ledger: Ledger, today: date) -> list[Problem]:
    """Events not allowed in the status the item was in (found per file when the ledger loads)."""
    return list(ledger.checks)


def check_calendar_years(ledger: Ledger, today: date) -> list[Problem]:
    cal = ledger.calendar
    out = []
    cal_path = f"{ledger.config.rules}/calendar.yaml"
    soon = today + timedelta(days=45)
    if not cal.covers(today.year):
        out.append(
            Problem(
                cal_path, 1, f"没有 {today.year} 年（今年）的节假日安排，工作日无法计算；请按国务院通知补上", "warning"
            )
        )
    elif soon.year != today.year and not cal.covers(soon.year):
        out.append(
            Problem(
                cal_path,
                1,
                f"距 {soon.year} 年不足 45 天，但还没有 {soon.year} 年的节假日安排；国务院公布后请补入本文件",
                "warning",
            )
        )
    for item in ledger.items.values():
        st = replay(item, today)
        if st.status in ACTIVE and st.deadline and not cal.covers(st.deadline.year):
            out.append(
                Problem(
                    item.path,
                    item_lines(ledger.root, item).get(("deadline",), 1),
                    f"期限 {st.deadline} 所在的 {st.deadline.year} 年还没有节假日安排，临期和逾期的工作日无法准确计算",
                    "warning",
                )
            )
    return out


def check_templates(ledger: Ledger, today: date) -> list[Problem]:
    from duban.outputs.forms import lint_templates

    return lint_templates(ledger.root)


def everything(ledger: Ledger) -> dict:
    """Every item of the ledger, settled ones too (loaded once for all the checks that need them)."""
    if getattr(ledger, "_everything", None) is None:
        ledger._everything = load(ledger.root).items  # type: ignore[attr-defined]
    return ledger._everything  # type: ignore[attr-defined]


def check_numbers(ledger: Ledger, today: date) -> list[Problem]:
    """No 文号 and no slip number (kind, year, number) given twice; each repeat names the first place too."""
    seen: dict[tuple, tuple[Item, tuple]] = {}
    out = []
    items = everything(ledger)  # settled items too: a number is never given twice

    def line(item: Item, keypath: tuple) -> int:  # read only for a repeat (items load without their line maps)
        return line_of(item_lines(ledger.root, item), *keypath)

    for item in sorted(items.values(), key=lambda it: it.path):
        places: list[tuple[tuple, tuple, str]] = []
        if item.ref:
            places.append((("ref", item.ref), ("ref",), f"文号 {item.ref}"))
        for i, ev in enumerate(item.log):
            if isinstance(ev, dict) and ev.get("kind") in SLIP_KINDS and ev.get("number"):
                what = f"{ledger.pack.words.entry(ev['kind'])}编号 {ev['number']}"
                places.append(((ev["kind"], str(ev["number"])), ("log", i), what))
        for key, keypath, what in places:
            if key in seen:
                first, at = seen[key]
                out.append(
                    Problem(
                        item.path, line(item, keypath), f"{what} 重复：{first.path}:{line(first, at)} 已用过这个编号"
                    )
                )
            else:
                seen[key] = (item, keypath)
    return out


def check_conflicts(ledger: Ledger, today: date) -> list[Problem]:
    """Fields two copies changed differently (duban sync), each with both values and the command to settle it."""
    from duban.commands.sync import conflicts_text

    out = []
    items = everything(ledger)  # a settled item can hold one too
    records = [
        (it.id, it.path, it.conflicts, item_lines(ledger.root, it) if it.conflicts else {}) for it in items.values()
    ]
    records += [(e.id, e.path, e.conflicts, {}) for e in ledger.events]
    for target, path, conflicts, lines in sorted(records, key=lambda r: r[1]):
        for i, c in enumerate(conflicts):
            out.append(Problem(path, lines.get(("conflicts", i), 1), conflicts_text(c, target)))
    return out


def check_configuration(ledger: Ledger, today: date) -> list[Problem]:
    """Hand edits to the configuration not yet committed (the next changing command commits them)."""
    from duban.store.git import CONFIG_PATHS, dirty

    try:
        found = dirty(ledger.root, list(CONFIG_PATHS))
    except DubanError:
        return []
    if not found:
        return []
    what = "、".join(found[:10]) + (f" 等 {len(found)} 个文件" if len(found) > 10 else "")
    return [
        Problem(
            ".", 1, f"配置有未提交的手工修改（{what}）；下一次改动台账的命令会先把它们作为“手工修改”提交", "warning"
        )
    ]


def check_counters(ledger: Ledger, today: date) -> list[Problem]:
    from duban.store.counters import problems

    return problems(ledger.root)


CHECKS = [
    check_transitions,
    check_calendar_years,
    check_templates,
    check_numbers,
    check_conflicts,
    check_configuration,
    check_counters,
]


def check_ledger(root, today: date) -> list[Problem]:
    ledger = load(root, scope=Scope(live_on=today))  # settled items have no dates left to check
    problems = list(ledger.problems)
    for check in CHECKS:
        problems += check(ledger, today)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))
