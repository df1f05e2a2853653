"""``duban check``: every problem of a ledger, as ``path:line: message``.

A list of small checks, each a function (ledger, today) -> problems; the
loading step already reported syntax, keys, types, dates and references.
"""

from __future__ import annotations

from datetime import date, timedelta

from duban.core.errors import Problem
from duban.core.state import ACTIVE, replay
from duban.store.ledger import Ledger, Scope, load


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
                    item.lines.get(("deadline",), 1),
                    f"期限 {st.deadline} 所在的 {st.deadline.year} 年还没有节假日安排，临期和逾期的工作日无法准确计算",
                    "warning",
                )
            )
    return out


def check_templates(ledger: Ledger, today: date) -> list[Problem]:
    from duban.outputs.forms import lint_templates

    return lint_templates(ledger.root)


CHECKS = [check_transitions, check_calendar_years, check_templates]


def check_ledger(root, today: date) -> list[Problem]:
    ledger = load(root, scope=Scope(live_on=today))  # settled items have no dates left to check
    problems = list(ledger.problems)
    for check in CHECKS:
        problems += check(ledger, today)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))
