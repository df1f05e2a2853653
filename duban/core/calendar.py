"""The working-day calendar and the counting rules.

Official holidays and adjusted working weekends (调休) come from the
``chinese_calendar`` package, merged with the rule pack's ``calendar.yaml``
(local entries win).  A day of a year that neither source covers is never
guessed: :class:`UnknownYear` is raised, naming the year and the fix.

Counting rules (the README repeats them):

* N working days from D: the Nth working day strictly after D.
* N calendar days from D: D + N, moved to the next working day when that is
  not a working day (期间届满日为节假日的顺延) unless ``roll: none``.
* N months from D: the same day N months later (clamped to the month's
  end), then rolled as above.
* same day (当日): D.
* end of month / quarter / year: its last day, then rolled as above.
"""

from __future__ import annotations

import calendar as _stdcal
from dataclasses import dataclass, field
from datetime import date, timedelta

from duban.core.errors import DubanError

ONE_DAY = timedelta(days=1)


class UnknownYear(DubanError):
    def __init__(self, year: int, where: str = "rules/calendar.yaml"):
        self.year = year
        super().__init__(
            f"没有 {year} 年的节假日和调休安排，无法计算工作日。"
            f"国务院办公厅一般在前一年 11 月前后公布下一年的放假安排；"
            f"请按通知把 {year} 年写入 {where}（years: {year}: holidays / workdays），"
            f"或者用 --deadline 直接指定期限。"
        )


@dataclass
class WorkCalendar:
    holidays: dict[date, str] = field(default_factory=dict)  # official days off on weekdays or weekends
    workdays: dict[date, str] = field(default_factory=dict)  # weekend days made working days (调休)
    years: frozenset[int] = frozenset()
    where: str = "rules/calendar.yaml"
    _counts: dict = field(default_factory=dict, repr=False, compare=False)  # year → running working-day counts

    def covers(self, year: int) -> bool:
        return year in self.years

    def require(self, d: date) -> None:
        if d.year not in self.years:
            raise UnknownYear(d.year, self.where)

    def is_workday(self, d: date) -> bool:
        self.require(d)
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def kind(self, d: date) -> tuple[str, str]:
        """('workday' | 'adjusted_workday' | 'holiday' | 'weekend', name)."""
        self.require(d)
        if d in self.workdays:
            return "adjusted_workday", self.workdays[d]
        if d in self.holidays:
            return "holiday", self.holidays[d]
        return ("workday", "") if d.weekday() < 5 else ("weekend", "")

    # ----------------------------------------------------------- counting
    def next_workday(self, d: date) -> date:
        """D itself if it is a working day, else the next working day."""
        while not self.is_workday(d):
            d += ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The Nth working day strictly after D (N ≥ 0; 0 gives D)."""
        while n > 0:
            d += ONE_DAY
            if self.is_workday(d):
                n -= 1
        return d

    def sub_working_days(self, d: date, n: int) -> date:
        """The Nth working day strictly before D."""
        while n > 0:
            d -= ONE_DAY
            if self.is_workday(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when a < b; negative count of (b, a] otherwise."""
        if a == b:
            return 0
        sign, lo, hi = (1, a, b) if a < b else (-1, b, a)
        first = lo + ONE_DAY
        if first.year == hi.year:
            n = self._through(hi) - self._before(first)
        else:
            n = self._year(first.year)[-1] - self._before(first)
            n += sum(self._year(y)[-1] for y in range(first.year + 1, hi.year))
            n += self._through(hi)
        return sign * n

    def _year(self, year: int) -> list[int]:
        """Running counts: element k is the number of working days among the year's first k days."""
        counts = self._counts.get(year)
        if counts is None:
            self.require(date(year, 1, 1))
            counts, d = [0], date(year, 1, 1)
            while d.year == year:
                counts.append(counts[-1] + self.is_workday(d))
                d += ONE_DAY
            self._counts[year] = counts
        return counts

    def _through(self, d: date) -> int:
        """Working days from 1 January of d's year up to d."""
        return self._year(d.year)[d.timetuple().tm_yday]

    def _before(self, d: date) -> int:
        """Working days from 1 January of d's year up to the day before d."""
        return self._year(d.year)[d.timetuple().tm_yday - 1]

    def roll(self, d: date, roll: str) -> date:
        return d if roll == "none" else self.next_workday(d)


def add_months(d: date, n: int) -> date:
    """Same day N months later, clamped to the end of that month."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, _stdcal.monthrange(y, m)[1]))


def end_of(period: str, d: date) -> date:
    if period == "month":
        return date(d.year, d.month, _stdcal.monthrange(d.year, d.month)[1])
    if period == "quarter":
        q_end = ((d.month - 1) // 3 + 1) * 3
        return date(d.year, q_end, _stdcal.monthrange(d.year, q_end)[1])
    if period == "year":
        return date(d.year, 12, 31)
    raise ValueError(period)


# ------------------------------------------------------------------ building


def official_calendar() -> WorkCalendar:
    """The State Council schedule as the chinese_calendar package knows it."""
    from chinese_calendar import constants

    holidays = {d: name for d, name in constants.holidays.items()}
    workdays = {d: name for d, name in constants.workdays.items()}
    return WorkCalendar(holidays, workdays, frozenset(d.year for d in holidays))


def merged_calendar(local_years: dict[int, dict], where: str = "rules/calendar.yaml") -> WorkCalendar:
    """Official schedule with the pack's local years laid over it (local wins).

    ``local_years`` maps a year to ``{"holidays": {date: name}, "workdays": {date: name}}``.
    """
    base = official_calendar()
    holidays, workdays = dict(base.holidays), dict(base.workdays)
    for entries in local_years.values():
        for d, name in entries.get("holidays", {}).items():
            holidays[d] = name
            workdays.pop(d, None)
        for d, name in entries.get("workdays", {}).items():
            workdays[d] = name
            holidays.pop(d, None)
    return WorkCalendar(holidays, workdays, base.years | frozenset(local_years), where)
