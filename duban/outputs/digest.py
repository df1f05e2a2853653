"""The sweep's digest: how its actions read in the table, the commit message and ``out/sweep/DATE.md``."""

from __future__ import annotations

from duban.core.entries import Action
from duban.core.escalation import SweepResult
from duban.core.vocabulary import Words

HEADER = ("事项", "标题", "日期", "动作", "编号", "单位")


def action_label(a: Action, words: Words) -> str:
    """How an action reads in the digest, the table and the commit message."""
    label = words.entry(a.kind)
    if a.entry.get("status") == "proposed":
        label += "（建议）"
    if a.kind == "consequence":
        due = a.entry.get("due")
        label += f"：{a.entry['action']}" + (f"（{due} 前）" if due else "")
    return label


def commit_message(res: SweepResult, words: Words) -> str:
    lines = [
        f"{a.item or a.unit} {a.date} {action_label(a, words)}{' ' + a.number if a.number else ''}" for a in res.actions
    ]
    return f"督办 巡查 {res.date}: {len(res.actions)} 项动作\n\n" + "\n".join(lines)


def rows(res: SweepResult, ledger) -> list[tuple[str, ...]]:
    """One row per action: item, title, date, what, number, unit (names from the ledger)."""
    out: list[tuple[str, ...]] = []
    for a in res.actions:
        item = ledger.items.get(a.item or "")
        out.append(
            (
                a.item or "",
                item.title if item else "",
                str(a.date),
                action_label(a, ledger.pack.words),
                a.number or "",
                ledger.unit_name(a.unit) if a.unit else "",
            )
        )
    return out


def digest_markdown(res: SweepResult, ledger, findings=()) -> str:
    out = [f"# 督查日报 {res.date}", ""]
    if findings:  # duban verify's findings in the history since the last sweep come first
        out += ["## 台账历史核验发现问题（duban verify）", ""]
        out += [f"- {v}" for v in findings]
        out.append("")
    if res.actions:
        out += ["## 今日动作", "", "| " + " | ".join(HEADER) + " |", "|---" * len(HEADER) + "|"]
        out += ["| " + " | ".join(row) + " |" for row in rows(res, ledger)]
    else:
        out.append("今日无到期动作。")
    if res.pending:
        out += ["", "## 待督查室处理", ""]
        out += [f"- {p['item']} {p['title']}：{p['what']}" for p in res.pending]
    if res.problems:
        out += ["", "## 台账问题", ""]
        out += [f"- {p}" for p in res.problems]
    return "\n".join(out) + "\n"


AGAIN = "（当日再次巡查）"  # the title of a later sweep's digest of the same day


def day_digest(before: str | None, digest: str) -> str:
    """The day's digest file (``out/sweep/DATE.md``) once a sweep's ``digest`` is added to what the day's earlier
    sweeps wrote there (``before``).  A later sweep of the same day is appended below a rule, its title marked
    当日再次巡查, so that no sweep's digest (a killed one's neither) is ever overwritten; one that says nothing
    the file does not say already (no action, the same items pending) adds nothing."""
    if not before:
        return digest
    title, _, body = digest.partition("\n")
    said = set(before.splitlines())
    if all(line in said for line in body.splitlines() if line.startswith(("- ", "| "))):
        return before
    return f"{before}\n---\n\n{title}{AGAIN}\n{body}"
