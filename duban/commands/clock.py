"""Today and dates typed by the clerk: the one place duban reads the clock or parses a date."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from duban.core.errors import DubanError, UsageError


def today_in(tz: str = "Asia/Shanghai") -> date:
    """``DUBAN_TODAY`` when set (replays), else today in the office's time zone."""
    env = os.environ.get("DUBAN_TODAY")
    if env:
        return parse_date(env, "DUBAN_TODAY")
    return datetime.now(ZoneInfo(tz)).date()


def parse_date(text: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise DubanError(f"{what} “{text}” 不是有效日期，应写作 YYYY-MM-DD") from None


def optional_date(text: str | None, what: str) -> date | None:
    return parse_date(text, what) if text else None


def not_future(day: date, today: date, what: str = "日期") -> None:
    if day > today:
        raise DubanError(f"{what} {day} 晚于今天 {today}；不能记录将来的事")


def span(args: list[str], today: date) -> tuple[date, date, bool]:
    """A calendar span from the command line: nothing (this year), a year, or two dates.

    Returns (start, stop, whole_year)."""
    if len(args) == 0:
        return date(today.year, 1, 1), date(today.year, 12, 31), True
    if len(args) == 1 and args[0].isdigit():
        year = int(args[0])
        if not 1 <= year <= 9999:
            raise UsageError(f"年份 {args[0]} 不在 1 到 9999 之间")
        return date(year, 1, 1), date(year, 12, 31), True
    if len(args) == 2:
        return parse_date(args[0], "起始日期"), parse_date(args[1], "结束日期"), False
    raise UsageError("请给出一个年份，或起始日期和结束日期")


def ledger_today(root, given: str | None) -> date:
    """``--today`` when given, else today in the time zone the ledger's duban.yaml names."""
    if given:
        return parse_date(given, "--today")
    from duban.store.ledger import settings

    return today_in(settings(root)[0].timezone or "Asia/Shanghai")
