"""Issue #3: the working-day calendar and the counting rules.

The expected schedules are typed in from the State Council notices, not
taken from the library, so the test checks the library against the notice.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from duban.core.calendar import UnknownYear, add_months, merged_calendar
from duban.core.pack import Cadence, TimeRule


def span(a, b):
    d, out = date.fromisoformat(a), []
    while d <= date.fromisoformat(b):
        out.append(d)
        d += timedelta(days=1)
    return out


# 国办发明电〔2024〕12号 (2025) and the notice of 2025-11-04 (2026)
NOTICES = {
    2025: {
        "holidays": [
            *span("2025-01-01", "2025-01-01"),
            *span("2025-01-28", "2025-02-04"),
            *span("2025-04-04", "2025-04-06"),
            *span("2025-05-01", "2025-05-05"),
            *span("2025-05-31", "2025-06-02"),
            *span("2025-10-01", "2025-10-08"),
        ],
        "workdays": [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)],
    },
    2026: {
        "holidays": [
            *span("2026-01-01", "2026-01-03"),
            *span("2026-02-15", "2026-02-23"),
            *span("2026-04-04", "2026-04-06"),
            *span("2026-05-01", "2026-05-05"),
            *span("2026-06-19", "2026-06-21"),
            *span("2026-09-25", "2026-09-27"),
            *span("2026-10-01", "2026-10-07"),
        ],
        "workdays": [
            date(2026, 1, 4),
            date(2026, 2, 14),
            date(2026, 2, 28),
            date(2026, 5, 9),
            date(2026, 9, 20),
            date(2026, 10, 10),
        ],
    },
}


@pytest.fixture(scope="module")
def cal():
    return merged_calendar({})


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_matches_the_state_council_notice(cal, year):
    notice = NOTICES[year]
    days = span(f"{year}-01-01", f"{year}-12-31")
    assert len(days) == 365
    for d in days:
        expected = d in notice["workdays"] or (d.weekday() < 5 and d not in notice["holidays"])
        assert cal.is_workday(d) == expected, d
    for d in notice["workdays"]:
        assert d.weekday() >= 5 and cal.kind(d)[0] == "adjusted_workday"


def test_unknown_year_is_refused_with_the_fix(cal):
    with pytest.raises(UnknownYear) as err:
        cal.is_workday(date(2031, 3, 3))
    msg = str(err.value)
    assert "2031" in msg and "11 月" in msg and "rules/calendar.yaml" in msg and "--deadline" in msg


def test_local_year_added_and_local_days_win():
    local = {
        2031: {"holidays": {date(2031, 1, 1): "元旦"}, "workdays": {date(2031, 1, 4): "调休"}},
        2026: {"holidays": {}, "workdays": {date(2026, 10, 7): "本地更正"}},
    }
    cal = merged_calendar(local)
    assert not cal.is_workday(date(2031, 1, 1)) and cal.is_workday(date(2031, 1, 4))  # 1-4 is a Saturday
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2031, 1, 2))


def test_local_calendar_file_adds_a_year(ledger):
    (ledger.root / "rules" / "calendar.yaml").write_text(
        "years:\n  2027:\n    holidays:\n      - {from: 2027-01-01, to: 2027-01-03, name: 元旦}\n"
        "    workdays:\n      - {date: 2027-01-09, name: 元旦调休}\n",
        encoding="utf-8",
    )
    res = ledger("calendar", "2027", "--json")
    assert res.code == 0, res.err
    rows = {r["date"]: r for r in res.json()}
    assert rows["2027-01-01"]["kind"] == "holiday" and rows["2027-01-09"]["kind"] == "adjusted_workday"
    # 2026-12-31 + 2 working days: 2027-01-01..03 off → 01-04, 01-05
    item = ledger.issue(category="work_style", deadline=None, issued="2026-12-30")
    assert "deadline: 2027-01-04" in ledger.path(item).read_text(encoding="utf-8")


def test_calendar_file_errors_have_lines(ledger):
    (ledger.root / "rules" / "calendar.yaml").write_text(
        "years:\n  2027:\n    holidays:\n      - {from: 2027-01-03, to: 2027-01-01}\n", encoding="utf-8"
    )
    res = ledger("check", "--json", today="2026-03-02")
    assert res.code == 1
    assert any(p["path"] == "rules/calendar.yaml" and p["line"] == 4 for p in res.json())


def test_issue_in_unknown_year_refused_unless_deadline_given(ledger):
    res = ledger(
        "issue", "--title", "X", "--category", "work_style", "--tier", "blue", "--lead", "fgw", today="2031-03-03"
    )
    assert res.code == 1 and "没有 2031 年" in res.err and ledger.clean()
    ok = ledger(
        "issue",
        "--title",
        "X",
        "--category",
        "work_style",
        "--tier",
        "blue",
        "--lead",
        "fgw",
        "--deadline",
        "2031-03-05",
        today="2031-03-03",
    )
    assert ok.code == 0


def test_check_warns_near_a_year_with_no_schedule(ledger):
    res = ledger("check", "--json", today="2026-11-22")
    assert res.code == 0
    assert any("2027" in p["message"] and p["severity"] == "warning" for p in res.json())
    assert not any("2027" in p["message"] for p in ledger("check", "--json", today="2026-11-10").json())
    ledger.issue(category="other", issued="2026-11-02", deadline="2027-01-15")
    warned = ledger("check", "--json", today="2026-11-10").json()
    assert any(p["path"].startswith("items/") and "2027" in p["message"] for p in warned)


# ---------------------------------------------------------------- counting


def d(s):
    return date.fromisoformat(s)


@pytest.mark.parametrize(
    "start,n,expected",
    [
        ("2026-02-13", 5, "2026-02-27"),  # 02-14 调休 Saturday counts; 02-15..23 Spring Festival
        ("2026-02-14", 1, "2026-02-24"),  # start on a 调休 working Saturday: not counted
        ("2026-02-15", 1, "2026-02-24"),  # start on a holiday
        ("2026-03-07", 1, "2026-03-09"),  # start on a Saturday
        ("2026-09-30", 1, "2026-10-08"),  # across the National Day week
        ("2026-09-30", 2, "2026-10-09"),
        ("2026-10-09", 1, "2026-10-10"),  # 10-10 is a 调休 Saturday
        ("2026-03-02", 0, "2026-03-02"),
    ],
)
def test_working_days(cal, start, n, expected):
    assert TimeRule("working_days", n).apply(cal, d(start)) == d(expected)


@pytest.mark.parametrize(
    "start,n,roll,expected",
    [
        ("2026-03-02", 7, "next", "2026-03-09"),
        ("2026-03-02", 5, "next", "2026-03-09"),  # 03-07 Saturday → Monday
        ("2026-03-02", 5, "none", "2026-03-07"),
        ("2026-09-28", 4, "next", "2026-10-08"),  # 10-02 in the National Day week → 10-08
        ("2026-02-12", 2, "next", "2026-02-14"),  # lands on a 调休 working Saturday: stays
    ],
)
def test_calendar_days_roll_forward(cal, start, n, roll, expected):
    assert TimeRule("days", n, roll=roll).apply(cal, d(start)) == d(expected)


@pytest.mark.parametrize(
    "start,n,expected",
    [
        ("2026-01-31", 1, "2026-03-02"),  # clamped to 02-28 (a 调休 Saturday? no: 02-28 is one → stays)
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-07-01", 3, "2026-10-08"),  # 10-01 in the National Day week → 10-08
        ("2025-11-30", 3, "2026-03-02"),  # 2026-02-28 is a 调休 Saturday, so it stays? see below
    ],
)
def test_months_clamp_and_roll(cal, start, n, expected):
    got = TimeRule("months", n).apply(cal, d(start))
    clamped = add_months(d(start), n)
    assert got == cal.next_workday(clamped)
    if clamped == date(2026, 2, 28):
        assert got == date(2026, 2, 28)  # 2026-02-28 is an adjusted working Saturday
    else:
        assert got == d(expected)


def test_month_end_clamping():
    assert add_months(d("2026-01-31"), 1) == d("2026-02-28")
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert add_months(d("2026-08-31"), 6) == d("2027-02-28")
    assert add_months(d("2026-12-15"), 1) == d("2027-01-15")


def test_same_day_and_end_of_period(cal):
    assert TimeRule("same_day").apply(cal, d("2026-10-03")) == d("2026-10-03")
    assert TimeRule("end_of", period="month").apply(cal, d("2026-05-10")) == d("2026-06-01")  # 05-31 Sunday
    assert TimeRule("end_of", period="month", roll="none").apply(cal, d("2026-05-10")) == d("2026-05-31")
    assert TimeRule("end_of", period="quarter").apply(cal, d("2026-08-10")) == d("2026-09-30")
    assert TimeRule("end_of", period="year", roll="none").apply(cal, d("2026-08-10")) == d("2026-12-31")


def test_roll_across_national_day(cal):
    assert cal.next_workday(d("2026-10-01")) == d("2026-10-08")
    assert cal.sub_working_days(d("2026-10-09"), 3) == d("2026-09-29")


@pytest.mark.parametrize(
    "cadence,start,until,expected",
    [
        (
            Cadence(1, "working_day"),
            "2026-09-29",
            "2026-10-10",
            ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"],
        ),
        (
            Cadence(1, "week"),
            "2026-09-24",
            "2026-10-16",
            ["2026-10-08", "2026-10-15"],
        ),  # 10-01 → 10-08; 10-08 again; 10-15
        (Cadence(2, "week"), "2026-03-02", "2026-04-20", ["2026-03-16", "2026-03-30", "2026-04-13"]),
        (
            Cadence(1, "month"),
            "2026-01-31",
            "2026-05-01",
            ["2026-02-28", "2026-03-31", "2026-04-30"],
        ),  # 02-28 调休 Saturday
        (
            Cadence(1, "month", "period_end"),
            "2026-03-10",
            "2026-06-30",
            ["2026-03-31", "2026-04-30", "2026-06-01", "2026-06-30"],
        ),
        (
            Cadence(1, "quarter", "period_end"),
            "2026-02-10",
            "2026-12-31",
            ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"],
        ),
        (Cadence(1, "quarter"), "2026-01-15", "2026-12-31", ["2026-04-15", "2026-07-15", "2026-10-15"]),
    ],
)
def test_cadence_due_dates(cal, cadence, start, until, expected):
    assert [x.isoformat() for x in cadence.dates(cal, d(start), d(until))] == expected


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2004, 1, 1), date(2026, 12, 31)), st.integers(-800, 800))
def test_working_days_between_counts_day_by_day(cal, a, delta):
    b = a + timedelta(days=delta)
    assume(date(2004, 1, 1) <= b <= date(2026, 12, 31))
    lo, hi = min(a, b), max(a, b)
    n = sum(cal.is_workday(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1))
    assert cal.working_days_between(a, b) == (n if a <= b else -n)


def test_working_days_between_refuses_an_unknown_year(cal):
    with pytest.raises(UnknownYear):
        cal.working_days_between(date(2026, 12, 1), date(2027, 1, 5))
    assert cal.working_days_between(date(2026, 12, 1), date(2026, 12, 31)) == 22
