"""The plain table writer (duban.outputs.table.plain_lines) against the plainest way to say what it does: every
column but the last padded to its widest cell by display width, the last whole, trailing spaces cut."""

from __future__ import annotations

from unicodedata import east_asian_width

from hypothesis import given, settings
from hypothesis import strategies as st

from duban.outputs.table import plain_lines


def reference(header, rows, gap=2):
    def w(text):
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)

    table = [list(map(str, r)) for r in [header, *rows]]
    n = len(header) - 1
    widths = [max(w(r[i]) for r in table) for i in range(n)]
    return [(" " * gap).join([*(r[i] + " " * (widths[i] - w(r[i])) for i in range(n)), r[n]]).rstrip() for r in table]


cell = st.text(alphabet=st.sampled_from("ab 1-（）逾期天区局：ｘ、"), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(st.lists(cell, min_size=k, max_size=k),
       st.lists(st.lists(cell, min_size=k, max_size=k), max_size=12))), st.integers(1, 3))  # fmt: skip
def test_plain_lines_pads_by_display_width(table, gap):
    header, rows = table
    assert plain_lines(header, rows, gap) == reference(header, rows, gap)


def test_numbers_are_printed_as_text():
    assert plain_lines(["a", "b"], [[1, 22], [333, None]]) == ["a    b", "1    22", "333  None"]
