"""Log entries: one definition per kind, and one codec to read and write them.

An item's ``log`` is a list of entries, each a mapping with ``date`` (the day
it happened, the *effective* date), ``kind``, and ``recorded`` (the day duban
wrote it down; left out of the file when it is the same day, see
:func:`recorded_on`).  The file keeps entries in recorded order (each appended);
rules, states and scores follow effective dates (:func:`effective_order`).

Each kind is declared once here as a TypedDict: its fields, their types, which are required.  :data:`ENTRY_FIELDS` (what
validation checks) is derived from these declarations, and :func:`encode`
is the one way an entry becomes the mapping written to YAML.

Entries written by the sweep (due-soon, report-due, look-back reminders,
slips, consequences) are declared here too; :class:`Action` pairs one of them
with the item (or, for a unit-level consequence, no item) it belongs to.
"""

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Literal, NotRequired, Required, TypedDict


class Common(TypedDict, total=False):
    date: Required[dt.date]
    recorded: dt.date  # the day it was recorded; absent: the same day as ``date``
    note: str
    by: str


class Issued(Common, total=False):
    kind: Required[Literal["issued"]]


class Report(Common, total=False):
    kind: Required[Literal["report"]]
    unit: Required[str]
    percent: int
    final: bool
    text: str
    attachments: list
    investment: str  # 已完成投资额 (安康 二、(四): project reports)
    work: str  # 已完成工程量


class Review(Common, total=False):
    kind: Required[Literal["review"]]
    result: Required[str]  # accepted | returned
    reason: str
    due: dt.date  # the redo deadline of a return (退办)


class Extension(Common, total=False):
    kind: Required[Literal["extension"]]
    to: Required[dt.date]
    reason: str
    approved_by: str
    requested: dt.date


class TransferBack(Common, total=False):
    kind: Required[Literal["transfer_back"]]
    unit: Required[str]
    reason: str


class Reassign(Common, total=False):
    kind: Required[Literal["reassign"]]
    lead: Required[str]
    co: list
    deadline: dt.date
    reason: str


class Instruction(Common, total=False):
    kind: Required[Literal["instruction"]]
    text: Required[str]
    by_whom: str
    deadline: dt.date


class LookbackDone(Common, total=False):
    kind: Required[Literal["lookback_done"]]
    text: str


class Close(Common, total=False):
    kind: Required[Literal["close"]]
    text: str


class Amendment(Common, total=False):
    """A correction of the item's registered fields: each changed field with its old and new value."""

    kind: Required[Literal["amendment"]]
    changes: Required[dict]  # field -> {old: …, new: …}
    reason: Required[str]
    deadline: dt.date  # only when the clerk asked to recompute the pack's deadline for the corrected tier/category


class Withdrawal(Common, total=False):
    """撤销立项: the item was registered by mistake; it stays on file, out of lists, sweeps and scores."""

    kind: Required[Literal["withdrawal"]]
    reason: Required[str]


class Void(Common, total=False):
    """A slip or consequence that a later-recorded fact shows to be wrong: kept, with its number, marked void."""

    kind: Required[Literal["void"]]
    of: Required[str]  # the voided entry's kind; with its lapse (and a consequence's rule), what names it
    number: str  # a slip's number, for the reader
    lapse: str  # the lapse it was about
    round: int  # a slip's round, when its step is sent more than once for the lapse
    rule: str  # a consequence's rule
    reason: Required[str]


class DueSoon(Common, total=False):
    kind: Required[Literal["due_soon"]]
    deadline: dt.date


class ReportDue(Common, total=False):
    kind: Required[Literal["report_due"]]
    due: dt.date
    unit: str


class Lookback(Common, total=False):
    kind: Required[Literal["lookback"]]
    due: dt.date


class Slip(Common, total=False):
    """A step of the escalation ladder (reminder, urge, warning, referral), by the sweep or by hand."""

    kind: Required[Literal["reminder", "urge", "warning", "referral"]]
    number: Required[str]
    lapse: str  # deadline:D, report:D or manual:N — what the slip is about
    round: int  # the 2nd, 3rd … slip of the same step for the same lapse (a step with ``times``)
    unit: str
    answer_by: dt.date
    reason: str
    status: str  # proposed: waits for the government's decision


class ReferralDecision(Common, total=False):
    kind: Required[Literal["referral_decision"]]
    decision: Required[str]  # approved | rejected
    text: str
    number: str


class Consequence(Common, total=False):
    kind: Required[Literal["consequence"]]
    rule: Required[str]
    action: str
    unit: str
    count: int
    lapse: str
    # unit-level consequences only (written as unit event files)
    id: NotRequired[str]
    due: NotRequired[dt.date]
    source_event: NotRequired[str]


Entry = (
    Issued
    | Report
    | Review
    | Extension
    | TransferBack
    | Reassign
    | Instruction
    | LookbackDone
    | Close
    | Amendment
    | Withdrawal
    | Void
    | DueSoon
    | ReportDue
    | Lookback
    | Slip
    | ReferralDecision
    | Consequence
)

SLIP_KINDS = ("reminder", "urge", "warning", "referral")
AMENDABLE_LABELS = {  # what ``amendment`` corrects, and what the clerk calls it
    "title": "标题",
    "category": "类别",
    "tier": "等级",
    "co": "协办单位",
    "basis": "立项依据",
    "ref": "文号",
    "requirement": "办理要求",
    "leader": "责任领导",
}
AMENDABLE = tuple(AMENDABLE_LABELS)
CHANGE_LABELS = {**AMENDABLE_LABELS, "deadline": "期限"}  # what ``duban amend`` reports it changed
DECLARATIONS: dict[str, type] = {
    "issued": Issued,
    "report": Report,
    "review": Review,
    "extension": Extension,
    "transfer_back": TransferBack,
    "reassign": Reassign,
    "instruction": Instruction,
    "lookback_done": LookbackDone,
    "close": Close,
    "amendment": Amendment,
    "withdrawal": Withdrawal,
    "void": Void,
    "due_soon": DueSoon,
    "report_due": ReportDue,
    "lookback": Lookback,
    **dict.fromkeys(SLIP_KINDS, Slip),
    "referral_decision": ReferralDecision,
    "consequence": Consequence,
}
SWEEP_KINDS = ("due_soon", "report_due", "lookback", *SLIP_KINDS, "consequence")  # in a day's order
UNIT_ONLY = ("id", "due", "source_event")  # consequence fields that belong to unit event files, not item logs


def _plain(tp) -> type:
    """The runtime type a field's annotation asks for (date, str, int, bool or list)."""
    tp = typing.get_origin(tp) or tp
    return str if tp is Literal else tp


def _fields(cls: type) -> tuple[dict[str, type], tuple[str, ...]]:
    hints = typing.get_type_hints(cls)
    own = {k: _plain(v) for k, v in hints.items() if k not in Common.__annotations__ and k != "kind"}
    if cls is Consequence:
        own = {k: v for k, v in own.items() if k not in UNIT_ONLY}
    required = tuple(k for k in cls.__required_keys__ if k in own)  # type: ignore[attr-defined]
    return own, required


COMMON_FIELDS: dict[str, type] = {"kind": str, **{k: _plain(v) for k, v in typing.get_type_hints(Common).items()}}
# kind -> (its own fields with their types, the required ones): what validation checks
ENTRY_FIELDS: dict[str, tuple[dict[str, type], tuple[str, ...]]] = {k: _fields(c) for k, c in DECLARATIONS.items()}


def encode(entry: typing.Mapping) -> dict:
    """The mapping written to YAML: date and kind first, then the kind's fields in declared order; empty ones left out.

    ``recorded`` is left out when it is the effective date itself (what :func:`recorded_on` reads back)."""
    order = ["date", "kind", *typing.get_type_hints(DECLARATIONS.get(entry["kind"], Common))]
    keys = sorted(entry, key=lambda k: order.index(k) if k in order else len(order))
    same_day = entry.get("recorded") == entry.get("date")
    return {k: entry[k] for k in keys if entry[k] is not None and entry[k] != "" and not (k == "recorded" and same_day)}


def recorded_on(entry: typing.Mapping) -> dt.date:
    """The day an entry was recorded (its effective date when the file does not say)."""
    return entry.get("recorded") or entry["date"]


def effective_order(log: list) -> list[tuple[int, dict]]:
    """(index, entry) in effective-date order; entries of one day in the order they were recorded."""
    keyed = [
        (d, ev.get("recorded") or d, i, ev) for i, ev in enumerate(log) if isinstance(d := ev.get("date"), dt.date)
    ]
    keyed.sort(key=lambda k: k[:3])
    return [(i, ev) for _, _, i, ev in keyed]


@dataclass(frozen=True)
class Action:
    """Something the sweep does: an entry for an item's log, or (``item`` None) a unit-level consequence."""

    item: str | None
    entry: dict

    @property
    def kind(self) -> str:
        return self.entry["kind"]

    @property
    def date(self) -> dt.date:
        return self.entry["date"]

    @property
    def unit(self) -> str | None:
        return self.entry.get("unit")

    @property
    def number(self) -> str | None:
        return self.entry.get("number")

    def order(self) -> tuple:
        return self.date, self.item or "", SWEEP_KINDS.index(self.kind)
