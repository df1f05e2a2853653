"""``duban import``: bring an existing Excel (or CSV) 台账 into the ledger.

The sheet is read as the office keeps it: a title row or two, a one- or two-level header (merged
cells), items one per row, merged cells down a column (one 牵头单位 for several rows), blank rows and
section rows (一、重点项目) between them.  Columns are found by their Chinese headers (:data:`ALIASES`),
units by id or name, dates in Excel date cells or as text (2026年3月5日, 2026.3.5, 2026/3/5, 2026年6月底),
tiers from the 等级 column (红/黄/蓝, or its cell colour), else from 警示灯.

Every row that cannot be taken is reported as ``FILE:第 N 行: 字段: 原因``, and then nothing is imported.
All items are written in one commit, their ids and 文号 allocated inside it.  A row already in the ledger
(same 编号 and title, or same title and 交办时间) is skipped, so importing a sheet twice creates nothing new.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path

from duban.core.errors import DubanError
from duban.core.model import ID_RE
from duban.core.pack import TIERS
from duban.core.state import initial_deadline
from duban.store.ledger import Ledger, item_rel, load

# field -> the headers it goes by (after :func:`clean`); the first is what ``list --xlsx`` writes
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "事项编号", "督办编号"),
    "title": (
        "文件标题及文号",
        "文件标题",
        "事项名称",
        "督查事项",
        "督办事项",
        "事项",
        "标题",
        "工作事项",
        "重点工作",
        "任务名称",
        "事项内容",
    ),
    "ref": ("文号", "通知单文号", "交办文号", "督查通知单号"),
    "basis": ("任务来源", "立项依据", "来源", "交办来源", "事项来源"),
    "category": ("类别", "事项类别", "类型", "督办类别"),
    "tier": ("等级", "督办等级", "重要等级", "紧急程度"),
    "light": ("警示灯", "预警", "亮灯", "亮灯情况"),
    "requirement": (
        "工作任务",
        "工作任务及要求",
        "办理要求",
        "工作内容",
        "具体任务",
        "目标任务",
        "主要任务",
        "工作要求",
        "任务内容",
    ),
    "leader": ("责任领导", "分管领导", "包抓领导", "牵头领导", "分管区领导"),
    "lead": ("牵头单位", "主办单位", "责任单位", "主责单位", "承办单位", "牵头部门"),
    "co": ("配合单位", "协办单位", "协同单位", "配合部门"),
    "issued": ("交办时间", "立项日期", "交办日期", "立项时间", "交办时限"),
    "result": ("办理结果", "办理情况", "完成情况"),
    "remark": ("备注",),
    "deadline": ("完成时限", "办理期限", "完成时间", "时限要求", "办结时限", "完成期限"),
}
LABEL = {f: names[0] for f, names in ALIASES.items()}  # how a field is named where the sheet has no header for it
FIELD_OF = {name: f for f, names in ALIASES.items() for name in names}
TIER_WORDS = (
    ("red", ("红", "red", "特别")),
    ("yellow", ("黄", "yellow", "比较")),
    ("blue", ("蓝", "绿", "blue", "一般")),
)
REF_RE = re.compile(r"〔\d{4}〕|\[\d{4}\]|\d+号$")


def clean(text) -> str:
    """A header as compared: no spaces or line breaks, no （说明） or (说明)."""
    s = re.sub(r"\s+", "", str(text or ""))
    return re.sub(r"[（(].*?[）)]", "", s)


# -------------------------------------------------------------------- reading a sheet


@dataclass
class Sheet:
    """A sheet's cells as values, merged ranges filled in, with each cell's fill colour (xlsx only)."""

    name: str
    values: list[list]
    colours: list[list[str]] = field(default_factory=list)
    merged_rows: set[int] = field(default_factory=set)  # rows that one merged cell spans across 3+ columns

    def value(self, r: int, c: int):
        row = self.values[r] if r < len(self.values) else []
        return row[c] if c < len(row) else None

    def colour(self, r: int, c: int) -> str:
        row = self.colours[r] if r < len(self.colours) else []
        return row[c] if c < len(row) else ""


def read_sheets(path: Path) -> list[Sheet]:
    if not path.is_file():
        raise DubanError(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DubanError(f"{path}: 不是 UTF-8 或 GBK 编码的 CSV")
        return [Sheet(path.stem, [list(r) for r in csv.reader(io.StringIO(text))])]  # cells may hold line breaks
    if suffix not in (".xlsx", ".xlsm"):
        raise DubanError(f"{path}: 只能导入 .xlsx 或 .csv（.xls 请先在 Excel 或 WPS 中另存为 .xlsx）")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise DubanError(f"{path}: 无法作为 Excel 工作簿读取（{type(e).__name__}: {e}）") from None
    return [_sheet(ws) for ws in wb.worksheets]


def _sheet(ws) -> Sheet:
    values = [[c.value for c in row] for row in ws.iter_rows()]
    colours = [[_rgb(c) for c in row] for row in ws.iter_rows()]
    sheet = Sheet(ws.title, values, colours)
    for rng in ws.merged_cells.ranges:
        top = values[rng.min_row - 1][rng.min_col - 1]
        colour = colours[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                values[r][c], colours[r][c] = top, colour
        if rng.max_col - rng.min_col >= 2:
            sheet.merged_rows.update(range(rng.min_row - 1, rng.max_row))
    return sheet


def _rgb(cell) -> str:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return ""
    rgb = getattr(fill.start_color, "rgb", None)
    return rgb[-6:].upper() if isinstance(rgb, str) and len(rgb) >= 6 else ""


def colour_tier(rgb: str) -> str | None:
    """The tier a fill colour means: reddish red, yellow/orange yellow, blue or green blue."""
    if not rgb:
        return None
    r, g, b = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    if r > 180 and g < 130 and b < 130:
        return "red"
    if r > 180 and g > 140 and b < 130:
        return "yellow"
    if (b > 150 and b > r + 30) or (g > 150 and g > r + 30 and g > b):
        return "blue"
    return None


def column_names(given: list[str]) -> dict[str, str]:
    """``--column 表头=字段`` (字段 as :data:`ALIASES` names it, e.g. 牵头单位) as header -> field, over the usual names."""
    names = dict(FIELD_OF)
    for pair in given:
        head, _, name = pair.partition("=")
        f = FIELD_OF.get(clean(name))
        if not clean(head) or f is None:
            raise DubanError(
                f"--column “{pair}” 应写作 表头=字段，字段为: " + "、".join(n[0] for n in ALIASES.values())
            )
        names[clean(head)] = f
    return names


def find_header(sheet: Sheet, names: dict[str, str] = FIELD_OF) -> tuple[int, dict[str, int]] | None:
    """(first data row, field -> column) of the first header within the first 12 rows: at least a title
    and a 牵头单位 column.  A two-level header (a merged group over sub-headers) is read as one."""
    for r in range(min(12, len(sheet.values))):
        cols: dict[str, int] = {}
        below = 0
        for c in range(len(sheet.values[r])):
            here, under = names.get(clean(sheet.value(r, c))), names.get(clean(sheet.value(r + 1, c)))
            if under and clean(sheet.value(r + 1, c)) != clean(sheet.value(r, c)):
                below += 1
            f = under or here
            if f and f not in cols:
                cols[f] = c
        if "title" in cols and "lead" in cols:
            return (r + 2 if below else r + 1), cols
    return None


# ----------------------------------------------------------------- reading cells


def as_date(v) -> date | None:
    """A date from an Excel date cell, an Excel serial number, or text in the usual Chinese forms."""
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, int | float) and 20000 < v < 80000:
        return date(1899, 12, 30) + timedelta(days=int(v))
    s = re.sub(r"\s+", "", str(v))
    m = re.fullmatch(r"(\d{4})[年./\-](\d{1,2})[月./\-](\d{1,2})日?(前|之前)?", s)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(底|末|前)?", s)
    if m:
        y, mo = int(m[1]), int(m[2])
        return (date(y + mo // 12, mo % 12 + 1, 1) - timedelta(days=1)) if m[3] != "前" else date(y, mo, 1)
    m = re.fullmatch(r"(\d{4})年(底|末)", s)
    if m:
        return date(int(m[1]), 12, 31)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(s)


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def split_units(v) -> list[str]:
    return [u for u in re.split(r"[、,，;；/\s]+", text(v)) if u]


class Units:
    """Units by id, by name, by name without 区, or by a unique part of the name; else the closest names."""

    def __init__(self, ledger: Ledger):
        self.units = ledger.units

    def find(self, name: str) -> tuple[str | None, str]:
        if name in self.units:
            return name, ""
        for uid, u in self.units.items():
            if name in (u.name, u.name.removeprefix("区"), "区" + u.name):
                return uid, ""
        part = [uid for uid, u in self.units.items() if len(name) >= 2 and (name in u.name or u.name in name)]
        if len(part) == 1:
            return part[0], ""
        ranked = sorted(self.units.items(), key=lambda kv: -SequenceMatcher(None, name, kv[1].name).ratio())
        close = "、".join(f"{u.name} {uid}" for uid, u in ranked[:2])
        return None, f"“{name}”不在 units.yaml" + (f"（最接近: {close}）" if close else "")


# ------------------------------------------------------------------------ planning


@dataclass
class Row:
    line: int  # the sheet's row number as Excel shows it
    fields: dict
    sheet_id: str = ""
    id: str = ""


@dataclass
class Plan:
    path: Path
    sheet: str = ""
    rows: list[Row] = field(default_factory=list)  # to create
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): already in the ledger
    problems: list[str] = field(default_factory=list)
    commit: str | None = None
    heads: dict[str, str] = field(default_factory=dict)  # field -> the sheet's own header for it

    def problem(self, line: int, what: str, why: str) -> None:
        """``what``: a field (named by the sheet's header where it has one) or a plain word."""
        self.problems.append(f"{self.path.name}:第 {line} 行: {self.heads.get(what, LABEL.get(what, what))}: {why}")


def plan_import(
    path: Path, ledger: Ledger, category: str | None, tier: str | None, today: date, columns: Sequence[str] = ()
) -> Plan:
    """What importing the sheet would do, and every problem, without writing anything."""
    plan = Plan(path)
    names = column_names(list(columns))
    found = None
    for sheet in read_sheets(path):
        header = find_header(sheet, names)
        if header:
            found = sheet, *header
            break
    if found is None:
        raise DubanError(
            f"{path}: 找不到表头（至少要有 “文件标题及文号”（或 事项名称、督查事项）和 “牵头单位”"
            "（或 主办单位、责任单位）两列）；表头另有叫法时用 --column 表头=字段 指明"
        )
    sheet, first, cols = found
    plan.sheet = sheet.name
    plan.heads = {f: clean(sheet.value(first - 1, c)) for f, c in cols.items()}
    units = Units(ledger)
    existing = {(i.title, i.issued): i.id for i in ledger.items.values()}
    planned: set[tuple] = set()
    for r in range(first, len(sheet.values)):
        cells = {f: sheet.value(r, c) for f, c in cols.items()}
        if not any(text(v) for v in cells.values()):
            continue  # a blank row
        filled = {text(v) for v in cells.values() if text(v)}
        if r in sheet.merged_rows and len(filled) == 1:
            continue  # a section row: 一、重点项目 merged across the sheet
        row = _row(plan, r + 1, cells, sheet, cols, ledger, units, category, tier, today)
        if row is None:
            continue
        key = (row.fields["title"], row.fields["issued"])
        same_id = ledger.items.get(row.sheet_id)
        if same_id is not None and same_id.title == row.fields["title"]:
            plan.skipped.append((row.line, f"已在台账中（{same_id.id}）"))
        elif key in existing:
            plan.skipped.append((row.line, f"已在台账中（{existing[key]}）"))
        elif key in planned:
            plan.problem(row.line, "title", "与表中前面一行重复（标题和交办时间都相同）")
        else:
            planned.add(key)
            plan.rows.append(row)
    return plan


def _row(plan, line, cells, sheet, cols, ledger, units, category, tier, today) -> Row | None:
    pack = ledger.pack
    bad = len(plan.problems)
    f: dict = {}
    title = text(cells.get("title"))
    ref = text(cells.get("ref"))
    lines = [x.strip() for x in title.splitlines() if x.strip()]
    if len(lines) > 1 and not ref and REF_RE.search(lines[-1]):
        title, ref = "".join(lines[:-1]), lines[-1]
    else:
        title = "".join(lines)
    if not title:
        plan.problem(line, "title", "为空")
    f["title"], f["ref"] = title, ref
    f["basis"], f["requirement"] = text(cells.get("basis")), text(cells.get("requirement"))
    f["leader"] = text(cells.get("leader"))

    cat = text(cells.get("category")) or category
    if not cat:
        plan.problem(line, "category", "表中没有类别，请用 --category 指定（duban rules 列出类别）")
    else:
        key = next((k for k, c in pack.categories.items() if cat in (k, c.label)), None)
        if key is None:
            key = next((k for k, c in pack.categories.items() if cat in c.label), None)
        if key is None:
            plan.problem(
                line,
                "category",
                f"“{cat}”不是规则包的类别（可用: {'、'.join(c.label for c in pack.categories.values())}）",
            )
        f["category"] = key

    f["tier"] = _tier(cells, sheet, cols, line - 1) or tier
    if f["tier"] not in TIERS:
        plan.problem(line, "tier", "没有等级（红/黄/蓝，或等级、警示灯单元格的颜色），可用 --tier 指定")

    lead = text(cells.get("lead"))
    if not lead:
        plan.problem(line, "lead", "为空")
    else:
        f["lead"], why = units.find(lead)
        if why:
            plan.problem(line, "lead", why)
    co = []
    for name in split_units(cells.get("co")):
        uid, why = units.find(name)
        if why:
            plan.problem(line, "co", why)
        elif uid != f.get("lead") and uid not in co:
            co.append(uid)
    f["co"] = co

    for key in ("issued", "deadline"):
        try:
            f[key] = as_date(cells.get(key))
        except ValueError as e:
            plan.problem(line, key, f"无法识别的日期 “{e}”（可写 2026-03-05、2026年3月5日、2026.3.5 或 2026年6月底）")
            f[key] = False
    if f["issued"] is None:
        plan.problem(line, "issued", "为空")
    elif f["issued"] and f["issued"] > today:
        plan.problem(line, "issued", f"{f['issued']} 晚于今天 {today}")
    f["forward"] = any("转阅" in text(cells.get(k)) for k in ("result", "remark"))
    if f["deadline"] is None and not f["forward"] and f["issued"] and f.get("category") and f["tier"] in TIERS:
        try:
            f["deadline"] = initial_deadline(pack, f["category"], f["tier"], f["issued"])
        except DubanError as e:
            plan.problem(line, "deadline", f"为空，按规则包也算不出: {e}")
        if f["deadline"] is None and not pack.rule(f["category"], f["tier"]).forward:
            plan.problem(line, "deadline", "为空，而本类别的期限须逐项确定")
    if f["issued"] and f["deadline"] and f["deadline"] < f["issued"]:
        plan.problem(line, "deadline", f"{f['deadline']} 早于交办时间 {f['issued']}")
    for key, uid in [("lead", f.get("lead")), *(("co", u) for u in co)]:
        retired = uid and ledger.units[uid].retired
        if retired and f["issued"] and retired <= f["issued"]:
            plan.problem(line, key, f"{ledger.unit_name(uid)}（{uid}）已于 {retired} 撤销，不能再交办事项")
    sheet_id = text(cells.get("id"))
    if len(plan.problems) > bad:
        return None
    return Row(line, f, sheet_id if ID_RE.match(sheet_id) else "")


def _tier(cells, sheet, cols, r) -> str | None:
    for key in ("tier", "light"):
        word = text(cells.get(key)).lower()
        for tier, words in TIER_WORDS:
            if word and any(w in word for w in words):
                return tier
        if key in cols:
            found = colour_tier(sheet.colour(r, cols[key]))
            if found:
                return found
    return None


# ------------------------------------------------------------------------ importing


def import_sheet(
    root: Path,
    path: Path,
    *,
    dry_run: bool,
    category: str | None,
    tier: str | None,
    today: date,
    columns: Sequence[str] = (),
) -> Plan:
    """Plan the import; unless a dry run or a row is bad, create every item in one commit."""
    from duban.commands.base import change, refuse_if_broken
    from duban.commands.items import item_text
    from duban.store.counters import Counters, ref_number

    if dry_run:
        ledger = load(root)
        plan = plan_import(path, ledger, category, tier, today, columns)
        _number(plan, Counters(root), root)
        return plan
    with change(root, "", "import") as ch:
        ledger = load(root)
        refuse_if_broken(ledger)
        plan = plan_import(path, ledger, category, tier, today, columns)
        if plan.problems or not plan.rows:
            return plan
        _number(plan, ch.counters, root)
        for row in plan.rows:
            f = row.fields
            ref = f["ref"] or ref_number(
                ledger.config.ref_prefix, f["issued"].year, ch.counters.next("notice", f["issued"].year)
            )
            body = item_text(
                item_id=row.id,
                title=f["title"],
                category=f["category"],
                tier=f["tier"],
                basis=f["basis"],
                ref=ref,
                lead=f["lead"],
                co=f["co"],
                issued=f["issued"],
                deadline=f["deadline"],
                requirement=f["requirement"],
                forward=f["forward"] or ledger.pack.rule(f["category"], f["tier"]).forward,
                leader=f["leader"],
            )
            ch.write(item_rel(row.id), body)
        ch.message = f"督办 导入 {path.name}: {len(plan.rows)} 项（{plan.rows[0].id} 至 {plan.rows[-1].id}）"
    plan.commit = ch.committed
    return plan


def _number(plan: Plan, counters, root: Path) -> None:
    """Item ids: the sheet's own 编号 where it is still free (rows taken in id order), else the next number.
    A dry run numbers on a copy of the counters that is never written."""
    from duban.store.counters import max_item_number

    taken: set[str] = set()
    years = Counter(row.fields["issued"].year for row in plan.rows)
    floors = {year: max_item_number(root, year) for year in years}  # the highest number among each year's files
    notices = Counter(row.fields["issued"].year for row in plan.rows if not row.fields["ref"])
    wants = {("item", year): (k, floors[year]) for year, k in years.items()}
    counters.need({**wants, **{("notice", year): (k, 0) for year, k in notices.items()}})  # one claim, if shared
    for row in sorted(plan.rows, key=lambda r: (r.sheet_id or "9999", r.line)):
        year = row.fields["issued"].year
        want = int(row.sheet_id[5:]) if row.sheet_id[:4] == str(year) and row.sheet_id not in taken else 0
        n = counters.next("item", year, max(floors[year], want - 1))
        row.id = f"{year}-{n:04d}"
        taken.add(row.sheet_id)
    plan.rows.sort(key=lambda r: r.id)
