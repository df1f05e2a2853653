"""A voided slip counts for nothing in what is printed or counted: the 台账's 督办情况, the board, the next slip's 事由."""

from __future__ import annotations

from datetime import date

from test_records import late_item, ok

from duban.commands.board import board_data
from duban.outputs.views import slips_text
from duban.store.ledger import load


def test_a_voided_reminder_leaves_the_ledger_sheet_and_the_board(ledger):
    item = late_item(ledger)
    day = "2026-11-16"
    text = "已办结"
    ok(ledger, "report", item, "--unit", "fgw", "--final", "--text", text, "--date", "2026-11-11", today=day)
    led = load(ledger.root)
    words = led.pack.words
    assert any(e["kind"] == "void" for e in led.items[item].log)
    assert "2026-1" not in slips_text(led.items[item], words)
    _, board = board_data(ledger.root, date(2026, 11, 16))
    assert [u["slips"] for u in board["units"]] and all(u["slips"] == 0 for u in board["units"]), board["units"]
