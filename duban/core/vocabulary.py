"""The office's words: one table of everything a clerk reads about an entry, a
slip, a form, a status, a tier, a level or a day.

:data:`DEFAULTS` is the documented default table (the 灞桥 wording, and the
plain words of the State Council's notices).  A rule pack says its own words
where it has them, and those win:

* ``pack.yaml`` → ``words:``, any section of the table, e.g.
  ``words: {slip: {reminder: 督查催办单}}``.  The ``slip`` section names a
  step of the ladder once, for both its log entry and its form (the heading,
  the file name, the digest, the notice's promise);
* ``tiers.yaml`` → each tier's ``short`` (红 / 黄 / 蓝) and ``label``.

Everything that prints such a word asks :class:`Words` (``pack.words``);
nothing else in duban names a particular office's slip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partialmethod

SLIPS = ("reminder", "urge", "warning", "referral")

DEFAULTS: dict[str, dict[str, str]] = {
    # what each log entry kind is called (show, digest, commit messages)
    "entry": {
        "issued": "立项交办",
        "report": "报送",
        "review": "审核",
        "extension": "延期",
        "transfer_back": "退回",
        "reassign": "改派",
        "instruction": "新批示",
        "lookback_done": "回头望",
        "close": "注结销号",
        "due_soon": "临期提示",
        "report_due": "定期报送到期",
        "lookback": "回头望到期",
        "reminder": "工作提醒单",
        "urge": "督查催办单",
        "warning": "督查工作警告单",
        "referral": "追责问效移交单",
        "referral_decision": "移交决定",
        "consequence": "后果",
        "amendment": "更正",
        "withdrawal": "撤销立项",
        "void": "作废",
    },
    # the forms: their headings (after the government's name) and file names
    "form": {
        "notice": "督查通知单",
        "reminder": "工作提醒单",
        "warning": "督查工作警告单",
        "referral": "建议启动追责问效移交单",
        "urge": "督查催办单",
        "return": "督查退办单",
        "forward": "领导批示转阅（办）单",
        "feedback": "督查反馈单",
        "reply": "落实情况报告",
        "bulletin": "督查通报",
    },
    "status": {
        "open": "办理中",
        "reported": "已报待审",
        "returned": "退办重办",
        "transferred": "已退回待改派",
        "done": "已办结",
        "closed": "已销号",
        "forwarded": "转阅",
        "withdrawn": "已撤销立项",
    },
    # what a clerk's action is called in a refusal ("不能办结报告"); other actions are called as their entries
    "action": {
        "report": "进展报告",
        "report_final": "办结报告",
        "review_accepted": "审核通过",
        "review_returned": "退办",
        "amendment": "更正",
        "withdrawal": "撤销立项",
    },
    "tier_short": {"red": "红", "yellow": "黄", "blue": "蓝"},
    "level": {"national": "国家级", "province": "省级", "prefecture": "州(市)级", "county": "县(区)级"},
    "role": {"lead": "主办", "co": "协办"},
    "day": {"holiday": "放假", "adjusted_workday": "调休上班", "workday": "工作日", "weekend": "周末"},
    # chinese-calendar names its holidays in English
    "holiday": {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "Mid-autumn Festival": "中秋节",
        "National Day": "国庆节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    },
}
SECTIONS = (*DEFAULTS, "slip")


@dataclass(frozen=True)
class Words:
    """The vocabulary in force: the defaults with a pack's own words laid over them."""

    table: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: DEFAULTS)

    def word(self, section: str, key: str) -> str:
        return self.table.get(section, {}).get(key, key)

    # one accessor per section: words.entry("reminder"), words.status("open") …
    entry = partialmethod(word, "entry")
    form = partialmethod(word, "form")
    status = partialmethod(word, "status")
    tier_short = partialmethod(word, "tier_short")
    holiday = partialmethod(word, "holiday")

    def action(self, action: str) -> str:
        return self.table.get("action", {}).get(action) or self.entry(action)

    def section(self, section: str) -> Mapping[str, str]:
        return self.table.get(section, {})


def words(
    overrides: Mapping[str, Mapping[str, str]] | None = None, tier_short: Mapping[str, str] | None = None
) -> Words:
    """The defaults, then the pack's ``words:`` (a ``slip`` word names both the entry and the form), then tier shorts."""
    table = {section: dict(values) for section, values in DEFAULTS.items()}
    for section, values in (overrides or {}).items():
        if section == "slip":
            for kind, word in values.items():
                table["entry"][kind] = table["form"][kind] = word
        else:
            table[section].update(values)
    table["tier_short"].update(tier_short or {})
    return Words(table)


DEFAULT_WORDS = words()
