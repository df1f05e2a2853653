"""What the commands do, as library functions: each takes the ledger lock,
loads under it, checks, writes and commits once."""
from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import DubanError
from .ledger import CONFIG, Ledger, Scope, item_rel, load, load_config, normalize_id
from .model import ID_RE, Item
from .rules import TIERS
from .state import ACTIVE, action_of, derive, initial_deadline, max_deadline, next_lookback, \
    periodic_reports, refusal, replay
from .store import Change, git, identity_args
from .yamlio import atomic_write, flow_map, rt_dumps, rt_loads


def today_in(tz: str = "Asia/Shanghai") -> date:
    env = os.environ.get("DUBAN_TODAY")
    if env:
        return parse_date(env, "DUBAN_TODAY")
    return datetime.now(ZoneInfo(tz)).date()


def parse_date(text: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise DubanError(f"{what} “{text}” 不是有效日期，应写作 YYYY-MM-DD") from None


def change(root: Path, message: str, action: str) -> Change:
    cfg = load_config(root)
    return Change(root, message, action, (cfg.author_name, cfg.author_email))


def refuse_if_broken(ledger: Ledger) -> None:
    """Refuse a change when the configuration, units or rule pack have errors."""
    core = [p for p in ledger.problems if p.severity == "error" and not p.path.startswith("items/")]
    if core:
        shown = "\n".join(str(p) for p in core[:10])
        raise DubanError(f"台账配置有错误，已拒绝操作（先修正，duban check 列出全部问题）:\n{shown}")


# ------------------------------------------------------------------ counters

def _counters(root: Path):
    path = root / "counters.yaml"
    if path.exists():
        data = rt_loads(path.read_text(encoding="utf-8"))
        if data is not None:
            return data
    return rt_loads("# 编号计数器：由 duban 维护，保证立项编号、通知单号和各类文书编号不重复使用。\n{}\n")


def allocate(counters, kind: str, year: int, floor: int = 0) -> int:
    """The next number of ``kind`` in ``year`` (at least ``floor`` + 1)."""
    if kind not in counters or counters[kind] is None:
        counters[kind] = flow_map({})
    n = max(int(counters[kind].get(year, 0) or 0), floor) + 1
    counters[kind][year] = n
    return n


def max_item_number(root: Path, year: int) -> int:
    folder = root / "items" / str(year)
    best = 0
    if folder.is_dir():
        for name in os.listdir(folder):
            m = ID_RE.match(name.rsplit(".", 1)[0])
            if m:
                best = max(best, int(m.group(2)))
    return best


def ref_number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


# --------------------------------------------------------------------- issue

def issue_item(root: Path, *, title: str, category: str, tier: str, lead: str, co: list[str],
               issued: date | None, deadline: date | None, basis: str, ref: str | None,
               requirement: str, today: date, forward: bool = False) -> str:
    with change(root, "", "issue") as ch:
        ledger = load(root, only_config=True)
        refuse_if_broken(ledger)
        pack = ledger.pack
        issued = issued or today
        if not title.strip():
            raise DubanError("标题不能为空")
        if category not in pack.categories:
            raise DubanError(f"未知的类别 “{category}”；可用的类别: "
                             + "、".join(f"{k}（{c.label}）" for k, c in pack.categories.items()))
        if tier not in TIERS:
            raise DubanError(f"未知的等级 “{tier}”；可用的等级: "
                             + "、".join(f"{t}（{pack.tier_label(t)}）" for t in TIERS))
        for u in [lead, *co]:
            if u not in ledger.units:
                raise DubanError(f"未知的单位 “{u}”；可用的单位: "
                                 + "、".join(f"{k}（{v.name}）" for k, v in ledger.units.items()))
        if lead in co or len(set(co)) != len(co):
            raise DubanError("协办单位不能与主办单位相同，也不能重复")
        rule = pack.rule(category, tier)
        forward = forward or rule.forward
        if deadline is None and not forward:
            deadline = initial_deadline(pack, category, tier, issued)
            if deadline is None:
                raise DubanError(f"“{rule.label}”类事项的期限由督查室逐项确定（{rule.deadline.source or rule.source}），"
                                 f"请用 --deadline YYYY-MM-DD 指定")
        if deadline is not None and deadline < issued:
            raise DubanError(f"期限 {deadline} 早于立项日期 {issued}")
        year = issued.year
        counters = _counters(root)
        n = allocate(counters, "item", year, max_item_number(root, year))
        item_id = f"{year}-{n:04d}"
        if ref is None:
            ref = ref_number(ledger.config.ref_prefix, year, allocate(counters, "notice", year))
        text = item_text(item_id=item_id, title=title, category=category, tier=tier, basis=basis, ref=ref,
                         lead=lead, co=co, issued=issued, deadline=deadline, requirement=requirement,
                         forward=forward)
        ch.message = f"督办 {item_id} 立项: {title.strip()}"
        ch.write(item_rel(item_id), text)
        ch.write("counters.yaml", rt_dumps(counters))
    return item_id


def item_text(*, item_id, title, category, tier, basis, ref, lead, co, issued, deadline, requirement,
              forward=False) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    m = CommentedMap()
    m["id"] = item_id
    m["title"] = title.strip()
    m["category"] = category
    m["tier"] = tier
    if basis:
        m["basis"] = basis
    if ref:
        m["ref"] = ref
    m["lead"] = lead
    seq = CommentedSeq(co)
    seq.fa.set_flow_style()
    m["co"] = seq
    m["issued"] = issued
    if deadline is not None:
        m["deadline"] = deadline
    if forward:
        m["forward"] = True
    if requirement:
        m["requirement"] = LiteralScalarString(requirement.rstrip("\n") + "\n")
    m["log"] = CommentedSeq([flow_map({"date": issued, "kind": "issued"})])
    return rt_dumps(m)


# ------------------------------------------------------------ appending events

def append_events(root: Path, item_id: str, events: list[dict], message: str, action: str,
                  today: date, check=None, files: dict | None = None, texts: dict | None = None) -> Ledger:
    """Append events to one item's log under the lock, after checking them.

    ``check(ledger, item, state, today)`` may raise DubanError to refuse (and
    may complete the events).  ``files`` maps ledger paths to files to copy
    in, ``texts`` ledger paths to text to write, in the same commit.
    """
    with change(root, message, action) as ch:
        ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
        refuse_if_broken(ledger)
        item = ledger.item(item_id)
        state = replay(item)
        if check:
            check(ledger, item, state, today)
        for ev in events:
            reason = refusal(state.status, action_of(item, ev, state.lead))
            if reason:
                raise DubanError(f"{item.id}: {reason}")
            last = item.log[-1]["date"] if item.log else item.issued
            if ev["date"] < last:
                raise DubanError(f"{item.id}: 日期 {ev['date']} 早于该事项最近一条记录的日期 {last}；"
                                 f"记录须按日期先后追加")
        path = root / item.path
        data = rt_loads(path.read_text(encoding="utf-8"))
        if data.get("log") is None:
            from ruamel.yaml.comments import CommentedSeq

            data["log"] = CommentedSeq()
        for ev in events:
            data["log"].append(flow_map({k: v for k, v in ev.items() if v is not None and v != ""}))
        ch.write(item.path, rt_dumps(data))
        for rel, text in (texts or {}).items():
            ch.write(rel, text)
        for rel, src in (files or {}).items():
            from .ledger import inside

            inside(root, rel)
            ch.copy(rel, src)
    return ledger


# ---------------------------------------------------------------------- views

def iso(v):
    return v.isoformat() if isinstance(v, date) else v


def item_view(ledger: Ledger, item: Item, today: date, full: bool = True) -> dict:
    pack = ledger.pack
    st = derive(item, pack, today)
    rule = pack.rule(item.category, item.tier)
    view = {
        "id": item.id, "title": item.title, "category": item.category, "category_label": rule.label,
        "tier": item.tier, "tier_label": pack.tier_label(item.tier),
        "lead": st.lead, "lead_name": ledger.unit_name(st.lead), "co": st.co,
        "co_names": [ledger.unit_name(u) for u in st.co],
        "issued": iso(item.issued), "deadline": iso(st.deadline), "original_deadline": iso(item.deadline),
        "status": st.status, "status_label": st.label, "overdue": st.overdue, "days_overdue": st.days_overdue,
        "working_days_overdue": st.working_days_overdue, "days_left": st.days_left,
        "working_days_left": st.working_days_left, "due_soon": st.due_soon, "extended": st.extended,
        "forward": item.forward, "ref": item.ref, "basis": item.basis, "path": item.path,
    }
    if full:
        view["requirement"] = item.requirement
        try:
            dues = periodic_reports(item, pack, today, st)
            view["periodic_reports"] = [{"due": iso(p.due), "reported_on": iso(p.reported_on),
                                         "on_time": p.on_time} for p in dues]
            view["missing_reports"] = [iso(p.due) for p in dues if p.reported_on is None]
            view["next_lookback"] = iso(next_lookback(item, pack, today)) if st.status not in (
                "closed", "forwarded") else None
        except DubanError as e:
            view["calendar_problem"] = str(e)
        view["cadence"] = rule.cadence.describe() if rule.cadence else None
        view["log"] = [{k: iso(v) for k, v in ev.items()} for ev in item.log]
    return view


# ----------------------------------------------------------------------- init

GITIGNORE = "out/\n__pycache__/\n*.tmp\n"


def init_ledger(path: Path, sample: bool, pack: str | None) -> Path:
    from .data import sample_dir, shipped_packs, templates_dir

    path = path.expanduser().resolve()
    if path.exists() and any(path.iterdir()):
        if (path / CONFIG).is_file():
            raise DubanError(f"{path} 已经是台账目录，无需再次初始化")
        raise DubanError(f"{path} 不是空目录，也不是台账；为免覆盖，请指定一个新的或空的目录")
    packs = shipped_packs()
    pack = pack or next(iter(packs))
    if pack not in packs:
        raise DubanError(f"未知的规则包 “{pack}”；可用: {'、'.join(packs)}")
    if sample and pack != next(iter(packs)):
        raise DubanError(f"示例台账按默认规则包 {next(iter(packs))} 编写，不能与 --pack {pack} 同用")
    path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(packs[pack], path / "rules")
    shutil.copytree(templates_dir(), path / "templates", ignore=shutil.ignore_patterns("~$*"))
    (path / "items").mkdir()
    if sample:
        src = sample_dir()
        for name in (CONFIG, "units.yaml", "counters.yaml"):
            shutil.copy2(src / name, path / name)
        for folder in ("items", "events"):
            if (src / folder).is_dir():
                shutil.copytree(src / folder, path / folder, dirs_exist_ok=True)
    else:
        atomic_write(path / CONFIG, DEFAULT_CONFIG)
        atomic_write(path / "units.yaml", DEFAULT_UNITS)
        (path / "items" / ".gitkeep").write_text("", encoding="utf-8")
    atomic_write(path / ".gitignore", GITIGNORE)
    git(path, "init", "-q")
    cfg = load_config(path)
    git(path, "add", "-A")
    git(path, *identity_args(path, cfg.author_name, cfg.author_email), "commit", "-q",
        "--no-verify", "-m", f"督办 建立台账{'（含示例）' if sample else ''}", "-m", "Duban-Action: init")
    return path


DEFAULT_CONFIG = """\
# 督查室设置
office: 某某区人民政府办公室        # 发文机关（表单落款）
short: 区政府督查办                  # 督查机构简称
ref_prefix: 某政督                   # 督查通知单发文字号前缀：某政督〔2026〕8号
rules: rules                         # 使用的规则包目录
timezone: Asia/Shanghai
author: {name: 区政府督查办, email: duban@localhost}   # git 提交署名（git 未配置用户时使用）
contact: {person: '', phone: '', fax: '', email: ''}  # 表单上督查室的联系人
"""

DEFAULT_UNITS = """\
# 承办单位。id 用小写字母、数字和 -，立项时用 --lead / --co 引用。
units:
  - {id: example, name: 示例单位, kind: 部门, contact: '', phone: '', fax: '', email: ''}
"""


# -------------------------------------------------------------------- extend

def extend_item(root: Path, item_id: str, *, to: date, reason: str, approved_by: str,
                requested: date | None, today: date) -> str:
    from .state import extension_cutoff

    requested = requested or today

    def check(ledger, item, st, _today):
        pack = ledger.pack
        if st.status not in ACTIVE:
            raise DubanError(f"{item.id}: 事项当前状态为“{st.label}”，不能延期")
        if st.deadline is None:
            raise DubanError(f"{item.id}: 事项没有期限，无需延期")
        if to <= st.deadline:
            raise DubanError(f"{item.id}: 新期限 {to} 须晚于现期限 {st.deadline}")
        cutoff = extension_cutoff(pack, st.deadline)
        src = pack.process.extension_source
        if cutoff is not None and requested > cutoff:
            rule = pack.process.extension_cutoff
            words = f"期限前 {rule.describe()}" if rule.kind == "working_days" else rule.describe()
            raise DubanError(f"{item.id}: 延期申请日 {requested} 已超过截止日 {cutoff}（{words}；{src}），不予延期")
        limit = max_deadline(pack, item)
        if limit is not None and to > limit:
            rule = pack.rule(item.category, item.tier)
            raise DubanError(f"{item.id}: 新期限 {to} 超过了“{rule.label}”的最长期限 {limit}"
                             f"（立项后 {rule.max.describe()}；{rule.max.source}）")

    ev = {"date": today, "kind": "extension", "to": to, "reason": reason, "approved_by": approved_by,
          "requested": requested if requested != today else None}
    append_events(root, item_id, [ev], f"督办 {item_id} 延期至 {to}: {reason}", "extend", today, check)
    return item_id
